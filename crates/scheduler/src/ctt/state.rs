//! Incremental search state: lectures in (period, room) cells with per-constraint
//! counters, so that a move's cost change is computed locally.
//!
//! Invariants kept by construction: a cell holds at most one lecture (room
//! occupation is always 0) and a course holds at most one lecture per period
//! (as in the validator's representation). Lectures may be unscheduled.

use super::evaluate::{COMPACTNESS_WEIGHT, MIN_WORKING_DAYS_WEIGHT};
use super::model::{Instance, Placement};
use super::rng::Rng;

/// Marker for "no lecture" / "not scheduled".
pub(crate) const NONE: u32 = u32::MAX;

/// Read-only data derived from an [`Instance`], laid out for fast lookups.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub(crate) courses: usize,
    pub(crate) rooms: usize,
    pub(crate) days: usize,
    pub(crate) per_day: usize,
    pub(crate) periods: usize,
    pub(crate) students: Vec<usize>,
    pub(crate) min_days: Vec<usize>,
    pub(crate) capacity: Vec<usize>,
    /// `course * periods + period` → unavailable.
    pub(crate) unavailable: Vec<bool>,
    pub(crate) neighbours: Vec<Vec<u32>>,
    /// `course * courses + other` → the two courses conflict.
    pub(crate) conflicting: Vec<bool>,
    pub(crate) course_curricula: Vec<Vec<u32>>,
    pub(crate) curricula: usize,
    /// Lecture index → course; lectures of a course are contiguous.
    pub(crate) lecture_course: Vec<u32>,
}

impl Problem {
    pub(crate) fn new(instance: &Instance) -> Self {
        let to_u32 = |lists: Vec<Vec<usize>>| -> Vec<Vec<u32>> {
            lists
                .into_iter()
                .map(|list| list.into_iter().map(|x| x as u32).collect())
                .collect()
        };
        let lecture_course = instance
            .courses
            .iter()
            .enumerate()
            .flat_map(|(index, course)| std::iter::repeat_n(index as u32, course.lectures))
            .collect();
        let neighbours = to_u32(instance.conflict_neighbours());
        let course_count = instance.courses.len();
        let mut conflicting = vec![false; course_count * course_count];
        for (course, list) in neighbours.iter().enumerate() {
            for &other in list {
                conflicting[course * course_count + other as usize] = true;
            }
        }
        Self {
            courses: instance.courses.len(),
            rooms: instance.rooms.len(),
            days: instance.days,
            per_day: instance.periods_per_day,
            periods: instance.periods(),
            students: instance
                .courses
                .iter()
                .map(|course| course.students)
                .collect(),
            min_days: instance
                .courses
                .iter()
                .map(|course| course.min_working_days)
                .collect(),
            capacity: instance.rooms.iter().map(|room| room.capacity).collect(),
            unavailable: instance.unavailable_matrix(),
            neighbours,
            conflicting,
            course_curricula: to_u32(instance.course_curricula()),
            curricula: instance.curricula.len(),
            lecture_course,
        }
    }

    pub(crate) fn lectures(&self) -> usize {
        self.lecture_course.len()
    }
}

/// Running totals of every constraint the state tracks (unweighted counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Costs {
    pub(crate) unscheduled: i64,
    pub(crate) conflicts: i64,
    pub(crate) availability: i64,
    pub(crate) room_capacity: i64,
    pub(crate) missing_days: i64,
    pub(crate) isolated: i64,
    pub(crate) room_stability: i64,
}

impl Costs {
    pub(crate) fn hard(&self) -> i64 {
        self.unscheduled + self.conflicts + self.availability
    }

    pub(crate) fn soft(&self) -> i64 {
        self.room_capacity
            + MIN_WORKING_DAYS_WEIGHT as i64 * self.missing_days
            + COMPACTNESS_WEIGHT as i64 * self.isolated
            + self.room_stability
    }
}

/// A reversible change of the state.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Move {
    /// Put `lecture` (scheduled or not) into the empty cell (`period`, `room`).
    Relocate {
        lecture: u32,
        from_period: u32,
        from_room: u32,
        period: u32,
        room: u32,
    },
    /// Exchange the cells of two scheduled lectures.
    Swap { first: u32, second: u32 },
    /// Put unscheduled `lecture` into the cell of `evicted`, which becomes unscheduled.
    Evict { lecture: u32, evicted: u32 },
}

/// Reusable buffers of a Kempe-chain move.
#[derive(Debug, Clone, Default)]
pub(crate) struct KempeChain {
    /// Chain lectures; the first `from_first` of them start in the first period.
    lectures: Vec<u32>,
    from_first: usize,
    /// Original (period, room) of each chain lecture, for undo.
    origin: Vec<(u32, u32)>,
    /// Per lecture: already in the chain.
    marked: Vec<bool>,
}

/// The incremental state.
#[derive(Debug, Clone)]
pub(crate) struct State<'p> {
    pub(crate) problem: &'p Problem,
    pub(crate) lecture_period: Vec<u32>,
    pub(crate) lecture_room: Vec<u32>,
    /// `period * rooms + room` → lecture.
    pub(crate) cell: Vec<u32>,
    /// `course * periods + period` → lecture.
    pub(crate) course_period: Vec<u32>,
    course_day: Vec<u16>,
    course_days_used: Vec<u16>,
    course_room: Vec<u16>,
    course_rooms_used: Vec<u16>,
    /// `curriculum * periods + period` → number of member lectures.
    curriculum_load: Vec<u16>,
    pub(crate) costs: Costs,
}

impl<'p> State<'p> {
    /// Every lecture unscheduled.
    pub(crate) fn empty(problem: &'p Problem) -> Self {
        let mut costs = Costs {
            unscheduled: problem.lectures() as i64,
            ..Costs::default()
        };
        costs.missing_days = problem.min_days.iter().map(|&days| days as i64).sum();
        Self {
            problem,
            lecture_period: vec![NONE; problem.lectures()],
            lecture_room: vec![NONE; problem.lectures()],
            cell: vec![NONE; problem.periods * problem.rooms],
            course_period: vec![NONE; problem.courses * problem.periods],
            course_day: vec![0; problem.courses * problem.days],
            course_days_used: vec![0; problem.courses],
            course_room: vec![0; problem.courses * problem.rooms],
            course_rooms_used: vec![0; problem.courses],
            curriculum_load: vec![0; problem.curricula * problem.periods],
            costs,
        }
    }

    pub(crate) fn course_of(&self, lecture: u32) -> usize {
        self.problem.lecture_course[lecture as usize] as usize
    }

    /// True when the course of `lecture` has no lecture at `period`.
    pub(crate) fn course_free(&self, course: usize, period: u32) -> bool {
        self.course_period[course * self.problem.periods + period as usize] == NONE
    }

    /// Isolated-lecture count of curriculum `q` at the periods of `period`'s day
    /// that can change when `period`'s load changes.
    fn local_isolation(&self, curriculum: usize, period: usize) -> i64 {
        let per_day = self.problem.per_day;
        let day_start = period - period % per_day;
        let day_end = day_start + per_day;
        let load =
            &self.curriculum_load[curriculum * self.problem.periods..][..self.problem.periods];
        let low = period.saturating_sub(1).max(day_start);
        let high = (period + 2).min(day_end);
        let mut total = 0;
        for x in low..high {
            if load[x] == 0 {
                continue;
            }
            let before = x > day_start && load[x - 1] > 0;
            let after = x + 1 < day_end && load[x + 1] > 0;
            if !before && !after {
                total += i64::from(load[x]);
            }
        }
        total
    }

    fn course_conflicts_at(&self, course: usize, period: usize) -> i64 {
        let periods = self.problem.periods;
        self.problem.neighbours[course]
            .iter()
            .filter(|&&other| self.course_period[other as usize * periods + period] != NONE)
            .count() as i64
    }

    /// Hard-cost change a move would cause, computed without applying it.
    pub(crate) fn hard_delta(&self, change: Move) -> i64 {
        let problem = self.problem;
        let periods = problem.periods;
        // Hard cost of `course` sitting at `period`, ignoring `absent` (a course that leaves).
        let cost_at = |course: usize, period: u32, absent: Option<usize>| -> i64 {
            let period = period as usize;
            let mut cost = self.course_conflicts_at(course, period)
                + i64::from(problem.unavailable[course * periods + period]);
            if let Some(other) = absent
                && problem.conflicting[course * problem.courses + other]
            {
                cost -= 1;
            }
            cost
        };
        match change {
            Move::Relocate {
                lecture,
                from_period,
                period,
                ..
            } => {
                let course = self.course_of(lecture);
                if from_period == NONE {
                    cost_at(course, period, None) - 1
                } else if from_period == period {
                    0
                } else {
                    cost_at(course, period, None) - cost_at(course, from_period, None)
                }
            }
            Move::Swap { first, second } => {
                let (first_period, _) = self.position(first);
                let (second_period, _) = self.position(second);
                if first_period == second_period {
                    return 0;
                }
                let (first_course, second_course) = (self.course_of(first), self.course_of(second));
                cost_at(first_course, second_period, Some(second_course))
                    + cost_at(second_course, first_period, Some(first_course))
                    - cost_at(first_course, first_period, None)
                    - cost_at(second_course, second_period, None)
            }
            Move::Evict { lecture, evicted } => {
                let (period, _) = self.position(evicted);
                let (course, evicted_course) = (self.course_of(lecture), self.course_of(evicted));
                cost_at(course, period, Some(evicted_course))
                    - cost_at(evicted_course, period, None)
            }
        }
    }

    /// Kempe-chain move between the period of `lecture` and `target`: the lectures of
    /// both periods linked through conflicts (or a shared course) to `lecture` swap
    /// periods, so no new conflict appears. Rooms: a lecture keeps its room when it
    /// is free, otherwise takes the free room that best fits its students. Returns
    /// false (changing nothing) when the move is impossible.
    pub(crate) fn apply_kempe(
        &mut self,
        lecture: u32,
        target: u32,
        chain: &mut KempeChain,
    ) -> bool {
        let problem = self.problem;
        let source = self.lecture_period[lecture as usize];
        if source == NONE || source == target {
            return false;
        }
        chain.marked.resize(problem.lectures(), false);
        chain.lectures.clear();
        chain.origin.clear();
        // Breadth-first closure, alternating periods; the source side is collected
        // first into `lectures`, then sorted by side below.
        chain.lectures.push(lecture);
        chain.marked[lecture as usize] = true;
        let mut next = 0;
        while next < chain.lectures.len() {
            let member = chain.lectures[next];
            next += 1;
            let member_course = self.course_of(member);
            let here = self.lecture_period[member as usize];
            let there = if here == source { target } else { source };
            let cells = &self.cell[there as usize * problem.rooms..][..problem.rooms];
            for &other in cells {
                if other == NONE || chain.marked[other as usize] {
                    continue;
                }
                let other_course = self.course_of(other);
                if other_course == member_course
                    || problem.conflicting[member_course * problem.courses + other_course]
                {
                    chain.marked[other as usize] = true;
                    chain.lectures.push(other);
                }
            }
        }
        for &member in &chain.lectures {
            chain.marked[member as usize] = false;
        }
        chain
            .lectures
            .sort_by_key(|&member| self.lecture_period[member as usize] != source);
        chain.from_first = chain
            .lectures
            .iter()
            .take_while(|&&m| self.lecture_period[m as usize] == source)
            .count();
        let leaving_source = chain.from_first;
        let leaving_target = chain.lectures.len() - leaving_source;
        let occupied = |period: u32| {
            self.cell[period as usize * problem.rooms..][..problem.rooms]
                .iter()
                .filter(|&&c| c != NONE)
                .count()
        };
        if occupied(target) - leaving_target + leaving_source > problem.rooms
            || occupied(source) - leaving_source + leaving_target > problem.rooms
        {
            return false;
        }
        for &member in &chain.lectures {
            chain.origin.push(self.position(member));
            self.remove(member);
        }
        for index in 0..chain.lectures.len() {
            let (period, room) = chain.origin[index];
            let destination = if period == source { target } else { source };
            if self.cell[destination as usize * problem.rooms + room as usize] == NONE {
                self.insert(chain.lectures[index], destination, room);
            }
        }
        for index in 0..chain.lectures.len() {
            let member = chain.lectures[index];
            if self.lecture_period[member as usize] != NONE {
                continue;
            }
            let destination = if chain.origin[index].0 == source {
                target
            } else {
                source
            };
            let room = self.best_free_room(self.course_of(member), destination);
            self.insert(member, destination, room);
        }
        true
    }

    /// Reverts the Kempe move recorded in `chain`.
    pub(crate) fn undo_kempe(&mut self, chain: &KempeChain) {
        for &member in &chain.lectures {
            self.remove(member);
        }
        for (&member, &(period, room)) in chain.lectures.iter().zip(&chain.origin) {
            self.insert(member, period, room);
        }
    }

    /// The free room at `period` with the smallest capacity shortfall for the
    /// course, then the smallest spare capacity. The period must have a free room.
    fn best_free_room(&self, course: usize, period: u32) -> u32 {
        let problem = self.problem;
        let students = problem.students[course];
        let mut best = (usize::MAX, usize::MAX, NONE);
        for room in 0..problem.rooms {
            if self.cell[period as usize * problem.rooms + room] != NONE {
                continue;
            }
            let capacity = problem.capacity[room];
            let candidate = (
                students.saturating_sub(capacity),
                capacity.saturating_sub(students),
                room as u32,
            );
            best = best.min(candidate);
        }
        debug_assert!(best.2 != NONE);
        best.2
    }

    /// True when the lecture is unscheduled, unavailable or in conflict where it is.
    pub(crate) fn is_violating(&self, lecture: u32) -> bool {
        let period = self.lecture_period[lecture as usize];
        if period == NONE {
            return true;
        }
        let course = self.course_of(lecture);
        self.problem.unavailable[course * self.problem.periods + period as usize]
            || self.course_conflicts_at(course, period as usize) > 0
    }

    /// Takes a scheduled lecture out of its cell.
    pub(crate) fn remove(&mut self, lecture: u32) {
        let problem = self.problem;
        let index = lecture as usize;
        let period = self.lecture_period[index] as usize;
        let room = self.lecture_room[index] as usize;
        debug_assert!(period != NONE as usize);
        let course = self.course_of(lecture);
        self.cell[period * problem.rooms + room] = NONE;
        self.course_period[course * problem.periods + period] = NONE;
        self.lecture_period[index] = NONE;
        self.lecture_room[index] = NONE;
        let costs = &mut self.costs;
        costs.unscheduled += 1;
        costs.availability -= i64::from(problem.unavailable[course * problem.periods + period]);
        costs.room_capacity -=
            problem.students[course].saturating_sub(problem.capacity[room]) as i64;
        let day = period / problem.per_day;
        let day_count = &mut self.course_day[course * problem.days + day];
        *day_count -= 1;
        if *day_count == 0 {
            let used = &mut self.course_days_used[course];
            if (*used as usize) <= problem.min_days[course] {
                costs.missing_days += 1;
            }
            *used -= 1;
        }
        let room_count = &mut self.course_room[course * problem.rooms + room];
        *room_count -= 1;
        if *room_count == 0 {
            let used = &mut self.course_rooms_used[course];
            if *used >= 2 {
                costs.room_stability -= 1;
            }
            *used -= 1;
        }
        self.costs.conflicts -= self.course_conflicts_at(course, period);
        for &curriculum in &problem.course_curricula[course] {
            let curriculum = curriculum as usize;
            let before = self.local_isolation(curriculum, period);
            self.curriculum_load[curriculum * problem.periods + period] -= 1;
            self.costs.isolated += self.local_isolation(curriculum, period) - before;
        }
    }

    /// Puts an unscheduled lecture into an empty cell whose period its course does not use.
    pub(crate) fn insert(&mut self, lecture: u32, period: u32, room: u32) {
        let problem = self.problem;
        let index = lecture as usize;
        let (period, room) = (period as usize, room as usize);
        let course = self.course_of(lecture);
        debug_assert!(self.lecture_period[index] == NONE);
        debug_assert!(self.cell[period * problem.rooms + room] == NONE);
        debug_assert!(self.course_period[course * problem.periods + period] == NONE);
        self.costs.conflicts += self.course_conflicts_at(course, period);
        self.cell[period * problem.rooms + room] = lecture;
        self.course_period[course * problem.periods + period] = lecture;
        self.lecture_period[index] = period as u32;
        self.lecture_room[index] = room as u32;
        let costs = &mut self.costs;
        costs.unscheduled -= 1;
        costs.availability += i64::from(problem.unavailable[course * problem.periods + period]);
        costs.room_capacity +=
            problem.students[course].saturating_sub(problem.capacity[room]) as i64;
        let day = period / problem.per_day;
        let day_count = &mut self.course_day[course * problem.days + day];
        *day_count += 1;
        if *day_count == 1 {
            let used = &mut self.course_days_used[course];
            *used += 1;
            if (*used as usize) <= problem.min_days[course] {
                costs.missing_days -= 1;
            }
        }
        let room_count = &mut self.course_room[course * problem.rooms + room];
        *room_count += 1;
        if *room_count == 1 {
            let used = &mut self.course_rooms_used[course];
            *used += 1;
            if *used >= 2 {
                costs.room_stability += 1;
            }
        }
        for &curriculum in &problem.course_curricula[course] {
            let curriculum = curriculum as usize;
            let before = self.local_isolation(curriculum, period);
            self.curriculum_load[curriculum * problem.periods + period] += 1;
            self.costs.isolated += self.local_isolation(curriculum, period) - before;
        }
    }

    /// Applies a move produced by [`State::propose`].
    pub(crate) fn apply(&mut self, change: Move) {
        match change {
            Move::Relocate {
                lecture,
                from_period,
                period,
                room,
                ..
            } => {
                if from_period != NONE {
                    self.remove(lecture);
                }
                self.insert(lecture, period, room);
            }
            Move::Swap { first, second } => {
                let (first_period, first_room) = self.position(first);
                let (second_period, second_room) = self.position(second);
                self.remove(first);
                self.remove(second);
                self.insert(first, second_period, second_room);
                self.insert(second, first_period, first_room);
            }
            Move::Evict { lecture, evicted } => {
                let (period, room) = self.position(evicted);
                self.remove(evicted);
                self.insert(lecture, period, room);
            }
        }
    }

    /// Reverts a move just applied by [`State::apply`].
    pub(crate) fn undo(&mut self, change: Move) {
        match change {
            Move::Relocate {
                lecture,
                from_period,
                from_room,
                ..
            } => {
                self.remove(lecture);
                if from_period != NONE {
                    self.insert(lecture, from_period, from_room);
                }
            }
            Move::Swap { first, second } => self.apply(Move::Swap { first, second }),
            Move::Evict { lecture, evicted } => {
                let (period, room) = self.position(lecture);
                self.remove(lecture);
                self.insert(evicted, period, room);
            }
        }
    }

    pub(crate) fn position(&self, lecture: u32) -> (u32, u32) {
        (
            self.lecture_period[lecture as usize],
            self.lecture_room[lecture as usize],
        )
    }

    /// Draws a random move of `lecture` to cell (`period`, `room`): a relocation
    /// if the cell is empty, otherwise a swap or eviction. `None` when the move
    /// would break the one-lecture-per-course-and-period invariant or do nothing.
    pub(crate) fn move_to(&self, lecture: u32, period: u32, room: u32) -> Option<Move> {
        let problem = self.problem;
        let (from_period, from_room) = self.position(lecture);
        if from_period == period && from_room == room {
            return None;
        }
        let course = self.course_of(lecture);
        let occupant = self.cell[period as usize * problem.rooms + room as usize];
        let time_changes = from_period != period;
        if time_changes && !self.course_free(course, period) {
            return None;
        }
        if occupant == NONE {
            return Some(Move::Relocate {
                lecture,
                from_period,
                from_room,
                period,
                room,
            });
        }
        let occupant_course = self.course_of(occupant);
        if occupant_course == course {
            return None;
        }
        if from_period == NONE {
            return Some(Move::Evict {
                lecture,
                evicted: occupant,
            });
        }
        if time_changes && !self.course_free(occupant_course, from_period) {
            return None;
        }
        Some(Move::Swap {
            first: lecture,
            second: occupant,
        })
    }

    /// A random move: a random lecture to a random cell, keeping its room half the time
    /// (room changes cost room stability, so same-room moves are worth sampling more).
    pub(crate) fn propose(&self, rng: &mut Rng) -> Option<Move> {
        let problem = self.problem;
        let lecture = rng.below(problem.lectures()) as u32;
        let period = rng.below(problem.periods) as u32;
        let current_room = self.lecture_room[lecture as usize];
        let room = if current_room != NONE && rng.below(2) == 0 {
            current_room
        } else {
            rng.below(problem.rooms) as u32
        };
        self.move_to(lecture, period, room)
    }

    /// Scheduled lectures as placements.
    pub(crate) fn placements(&self) -> Vec<Placement> {
        let per_day = self.problem.per_day;
        (0..self.problem.lectures())
            .filter(|&lecture| self.lecture_period[lecture] != NONE)
            .map(|lecture| {
                let period = self.lecture_period[lecture] as usize;
                Placement {
                    course: self.problem.lecture_course[lecture] as usize,
                    room: self.lecture_room[lecture] as usize,
                    day: period / per_day,
                    slot: period % per_day,
                }
            })
            .collect()
    }

    /// Copies the assignment of `other` (same problem) into `self`.
    pub(crate) fn copy_from(&mut self, other: &Self) {
        self.lecture_period.clone_from(&other.lecture_period);
        self.lecture_room.clone_from(&other.lecture_room);
        self.cell.clone_from(&other.cell);
        self.course_period.clone_from(&other.course_period);
        self.course_day.clone_from(&other.course_day);
        self.course_days_used.clone_from(&other.course_days_used);
        self.course_room.clone_from(&other.course_room);
        self.course_rooms_used.clone_from(&other.course_rooms_used);
        self.curriculum_load.clone_from(&other.curriculum_load);
        self.costs = other.costs;
    }
}

/// Test hooks for the crate's integration tests (not part of the supported API).
pub mod testing {
    use super::{Problem, State};
    use crate::ctt::evaluate::evaluate;
    use crate::ctt::model::Instance;
    use crate::ctt::rng::Rng;

    /// Applies `steps` random moves (each applied, then undone or kept at random,
    /// with every lecture first scheduled at random) and checks after each step that
    /// the incremental counters equal a full [`evaluate`]. Returns the first mismatch.
    pub fn check_incremental_consistency(
        instance: &Instance,
        seed: u64,
        steps: usize,
    ) -> Result<(), String> {
        let problem = Problem::new(instance);
        let mut state = State::empty(&problem);
        let mut rng = Rng::new(seed);
        check(instance, &state, "empty")?;
        if problem.rooms == 0 || problem.periods == 0 {
            return Ok(());
        }
        // Random partial start: some lectures stay unscheduled to exercise evictions.
        for lecture in 0..problem.lectures() as u32 {
            if rng.below(4) == 0 {
                continue;
            }
            let period = rng.below(problem.periods) as u32;
            let room = rng.below(problem.rooms) as u32;
            let course = state.course_of(lecture);
            if state.cell[period as usize * problem.rooms + room as usize] == super::NONE
                && state.course_free(course, period)
            {
                state.insert(lecture, period, room);
            }
        }
        check(instance, &state, "start")?;
        let mut chain = super::KempeChain::default();
        for step in 0..steps {
            let Some(change) = state.propose(&mut rng) else {
                continue;
            };
            let before = state.costs;
            let predicted = state.hard_delta(change);
            state.apply(change);
            if state.costs.hard() - before.hard() != predicted {
                return Err(format!(
                    "step {step}: hard_delta of {change:?} predicted {predicted}, got {:?}",
                    state.costs
                ));
            }
            check(instance, &state, &format!("step {step} after {change:?}"))?;
            if rng.below(2) == 0 {
                state.undo(change);
                if state.costs != before {
                    return Err(format!(
                        "step {step}: undo of {change:?} left {:?}, expected {before:?}",
                        state.costs
                    ));
                }
                check(
                    instance,
                    &state,
                    &format!("step {step} after undo of {change:?}"),
                )?;
            }
            if rng.below(8) == 0 {
                let lecture = rng.below(problem.lectures()) as u32;
                let target = rng.below(problem.periods) as u32;
                let before = state.costs;
                if state.apply_kempe(lecture, target, &mut chain) {
                    check(instance, &state, &format!("step {step} after Kempe move"))?;
                    if rng.below(2) == 0 {
                        state.undo_kempe(&chain);
                        if state.costs != before {
                            return Err(format!("step {step}: Kempe undo left {:?}", state.costs));
                        }
                        check(instance, &state, &format!("step {step} after Kempe undo"))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn check(instance: &Instance, state: &State<'_>, when: &str) -> Result<(), String> {
        let full = evaluate(instance, &state.placements());
        let costs = state.costs;
        let tracked = [
            ("lectures", costs.unscheduled, full.hard.lectures),
            ("conflicts", costs.conflicts, full.hard.conflicts),
            ("availability", costs.availability, full.hard.availability),
            ("room occupation", 0, full.hard.room_occupation),
            (
                "room capacity",
                costs.room_capacity,
                full.soft.room_capacity,
            ),
            (
                "min working days",
                5 * costs.missing_days,
                full.soft.min_working_days,
            ),
            (
                "compactness",
                2 * costs.isolated,
                full.soft.curriculum_compactness,
            ),
            (
                "room stability",
                costs.room_stability,
                full.soft.room_stability,
            ),
        ];
        for (name, incremental, recomputed) in tracked {
            if incremental != recomputed as i64 {
                return Err(format!(
                    "{when}: {name} incremental {incremental} != evaluated {recomputed}"
                ));
            }
        }
        Ok(())
    }
}
