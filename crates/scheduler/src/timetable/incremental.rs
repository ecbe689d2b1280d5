//! Incremental (delta) evaluation of the general model.
//!
//! The [`Evaluator`] keeps running counters so that the cost change of moving one
//! session is computed from the few sessions it can interact with, never by a scan
//! of all sessions:
//! - per venue, instructor and cohort, and per slot, the sessions occupying it
//!   (overlaps, back-to-back pairs for travel);
//! - per cohort and slot, how many of its sessions cover the slot and start there
//!   (a cohort's day is re-scored from these in `slots_per_day` steps);
//! - per group, how many of its sessions fall on each day and in each venue, and
//!   how many distinct days and venues that makes;
//! - predecessor and successor lists for precedences.
//!
//! A move's cost is `marginal(new) - marginal(old)`, where the marginal cost of a
//! session at an assignment is the total cost with it there minus the total cost
//! without it. The full recomputation in `Index::report` is the reference it is
//! tested against.

use super::{Assignment, Index, Problem, SoftCosts, Timetable};

/// Number of soft constraints, in the order of [`SoftCosts::lines`].
const SOFT_KINDS: usize = 10;
const SPREAD: usize = 5;
const ISOLATED: usize = 6;
const VENUE_CHANGE: usize = 7;
const TRAVEL: usize = 8;

/// A cost or a cost change: hard violations and soft cost by constraint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Cost {
    pub(super) hard: i64,
    pub(super) soft: [i64; SOFT_KINDS],
}

impl Cost {
    fn unary(hard: u64, soft: &SoftCosts) -> Self {
        Self {
            hard: hard as i64,
            soft: soft.lines().map(|(_, cost)| cost as i64),
        }
    }

    pub(super) fn soft_total(&self) -> i64 {
        self.soft.iter().sum()
    }

    pub(super) fn plus(mut self, other: &Cost) -> Cost {
        self.hard += other.hard;
        for (mine, theirs) in self.soft.iter_mut().zip(other.soft) {
            *mine += theirs;
        }
        self
    }

    fn minus(self, other: &Cost) -> Cost {
        let mut negated = *other;
        negated.hard = -negated.hard;
        negated.soft.iter_mut().for_each(|cost| *cost = -*cost);
        self.plus(&negated)
    }
}

/// Keeps the cost of a timetable up to date while sessions are moved one at a time,
/// at a cost that depends on the moved session's neighbourhood (its slots, cohorts,
/// instructor, venue, group and precedences), not on the number of sessions. The
/// solver uses it; it also gives immediate feedback on a move made by hand.
///
/// Its totals always equal [`evaluate`](super::evaluate) of the current assignments
/// with the same `previous` and `pins`.
pub struct Evaluator<'a> {
    pub(super) index: Index<'a>,
    plan: Vec<Assignment>,
    /// Whether each session is placed (the solver's construction adds them one by one).
    present: Vec<bool>,
    /// Starts must be below this (the horizon, or further when given so).
    limit: usize,
    /// Columns of the per-slot tables: room for any session starting before `limit`,
    /// rounded up to whole days.
    width: usize,
    /// Days covered by `width`.
    days: usize,
    instructor_rows: usize,
    /// `venue * width + slot` → sessions occupying it.
    venue_occupants: Vec<Vec<u32>>,
    instructor_occupants: Vec<Vec<u32>>,
    cohort_occupants: Vec<Vec<u32>>,
    /// `cohort * width + slot` → sessions covering it on their start day.
    cohort_cover: Vec<u32>,
    /// `cohort * width + slot` → sessions starting at it.
    cohort_starts: Vec<u32>,
    /// `group * days + day` → sessions of the group starting that day.
    group_day: Vec<u32>,
    /// Distinct days per group.
    group_days: Vec<u32>,
    /// `group * venues + venue` → sessions of the group in the venue.
    group_venue: Vec<u32>,
    /// Distinct venues per group.
    group_venues: Vec<u32>,
    cost: Cost,
}

impl<'a> Evaluator<'a> {
    /// Evaluates `timetable` (one assignment per session) and prepares for moves.
    /// `previous` and `pins` mean what they mean for [`evaluate`](super::evaluate).
    ///
    /// # Panics
    /// When the timetable does not have one assignment per session or names a
    /// venue that does not exist.
    pub fn new(
        problem: &'a Problem,
        timetable: &Timetable,
        previous: Option<&'a Timetable>,
        pins: &[usize],
    ) -> Self {
        assert_eq!(
            timetable.assignments.len(),
            problem.sessions.len(),
            "one assignment per session"
        );
        let mut evaluator = Self::empty(
            Index::new(problem, previous, pins),
            timetable.assignments.clone(),
        );
        for (s, &assignment) in timetable.assignments.iter().enumerate() {
            evaluator.insert(s, assignment);
        }
        evaluator
    }

    /// No session placed yet; `plan` bounds the starts and instructors to expect.
    pub(super) fn empty(index: Index<'a>, plan: Vec<Assignment>) -> Self {
        let problem = index.problem;
        let per_day = index.per_day;
        let count = problem.sessions.len();
        let limit = plan
            .iter()
            .map(|a| a.start + 1)
            .max()
            .unwrap_or(0)
            .max(problem.calendar.slots())
            .max(1);
        let longest = (0..count).map(|s| index.length(s)).max().unwrap_or(1);
        let width = (limit + longest).div_ceil(per_day) * per_day;
        let days = width / per_day;
        let instructor_rows = plan
            .iter()
            .filter_map(|a| a.instructor.map(|i| i + 1))
            .max()
            .unwrap_or(0)
            .max(problem.instructors.len());
        let (venues, cohorts, groups) = (
            problem.venues.len(),
            problem.cohorts.len(),
            problem.groups.len(),
        );
        let mut cost = Cost::default();
        // No session placed: every group is short of its whole target.
        cost.soft[SPREAD] = index
            .group_target
            .iter()
            .map(|&target| (problem.weights.spread * target) as i64)
            .sum();
        Self {
            present: vec![false; count],
            plan,
            limit,
            width,
            days,
            instructor_rows,
            venue_occupants: vec![Vec::new(); venues * width],
            instructor_occupants: vec![Vec::new(); instructor_rows * width],
            cohort_occupants: vec![Vec::new(); cohorts * width],
            cohort_cover: vec![0; cohorts * width],
            cohort_starts: vec![0; cohorts * width],
            group_day: vec![0; groups * days],
            group_days: vec![0; groups],
            group_venue: vec![0; groups * venues],
            group_venues: vec![0; groups],
            cost,
            index,
        }
    }

    /// The current assignments.
    pub fn assignments(&self) -> &[Assignment] {
        &self.plan
    }

    /// Current hard violations (as [`Report::hard`](super::Report::hard)).
    pub fn hard(&self) -> u64 {
        self.cost.hard as u64
    }

    /// Current weighted soft cost (as [`Report::soft`](super::Report::soft)).
    pub fn soft(&self) -> u64 {
        self.cost.soft_total() as u64
    }

    /// Current soft cost by constraint.
    pub fn soft_costs(&self) -> SoftCosts {
        let [
            capacity_excess,
            oversized_venue,
            venue_cost,
            instructor_cost,
            unpreferred_slot,
            spread,
            isolated,
            venue_change,
            travel,
            moved_session,
        ] = self.cost.soft.map(|cost| cost as u64);
        SoftCosts {
            capacity_excess,
            oversized_venue,
            venue_cost,
            instructor_cost,
            unpreferred_slot,
            spread,
            isolated,
            venue_change,
            travel,
            moved_session,
        }
    }

    /// The change of (hard violations, soft cost) if `session` moved to `assignment`.
    ///
    /// # Panics
    /// On an unknown session, venue or instructor, or a start beyond the horizon.
    pub fn delta(&self, session: usize, assignment: Assignment) -> (i64, i64) {
        self.check(session, &assignment);
        let change = self.move_cost(session, &assignment);
        (change.hard, change.soft_total())
    }

    /// Moves `session` to `assignment`; returns the change of (hard, soft).
    ///
    /// # Panics
    /// As [`Evaluator::delta`].
    pub fn assign(&mut self, session: usize, assignment: Assignment) -> (i64, i64) {
        self.check(session, &assignment);
        let change = self.apply(session, assignment);
        (change.hard, change.soft_total())
    }

    fn check(&self, s: usize, a: &Assignment) {
        assert!(s < self.plan.len(), "unknown session {s}");
        assert!(
            a.venue < self.index.problem.venues.len(),
            "unknown venue {}",
            a.venue
        );
        assert!(a.start < self.limit, "start {} beyond the horizon", a.start);
        assert!(
            a.instructor.is_none_or(|i| i < self.instructor_rows),
            "unknown instructor"
        );
    }

    pub(super) fn cost(&self) -> Cost {
        self.cost
    }

    pub(super) fn plan(&self) -> &[Assignment] {
        &self.plan
    }

    /// Places an absent session.
    pub(super) fn insert(&mut self, s: usize, a: Assignment) {
        debug_assert!(!self.present[s]);
        let change = self.marginal(s, &a);
        self.cost = self.cost.plus(&change);
        self.plan[s] = a;
        self.place(s, true);
        self.present[s] = true;
    }

    /// Cost change of moving `s` to `a` (or placing it, when absent).
    pub(super) fn move_cost(&self, s: usize, a: &Assignment) -> Cost {
        let with = self.marginal(s, a);
        if self.present[s] {
            with.minus(&self.marginal(s, &self.plan[s]))
        } else {
            with
        }
    }

    /// Moves (or places) `s` at `a`, returning the cost change.
    pub(super) fn apply(&mut self, s: usize, a: Assignment) -> Cost {
        let change = self.move_cost(s, &a);
        if self.present[s] {
            self.place(s, false);
        }
        self.plan[s] = a;
        self.place(s, true);
        self.present[s] = true;
        self.cost = self.cost.plus(&change);
        change
    }

    /// Hard violations session `s` takes part in at its current assignment.
    pub(super) fn session_hard(&self, s: usize) -> u64 {
        let a = self.plan[s];
        self.index.unary_costs(s, &a).0 + self.pair_hard(s, &a)
    }

    /// Adds (`on`) or removes session `s` at its current assignment to the counters.
    fn place(&mut self, s: usize, on: bool) {
        let a = self.plan[s];
        let index = &self.index;
        let (width, per_day) = (self.width, index.per_day);
        let end = a.start + index.length(s);
        let id = s as u32;
        let update = |list: &mut Vec<u32>| {
            if on {
                list.push(id);
            } else if let Some(at) = list.iter().position(|&t| t == id) {
                list.swap_remove(at);
            }
        };
        let step = |count: &mut u32| {
            if on {
                *count += 1;
            } else {
                *count -= 1;
            }
        };
        for slot in a.start..end {
            update(&mut self.venue_occupants[a.venue * width + slot]);
            if let Some(instructor) = a.instructor {
                update(&mut self.instructor_occupants[instructor * width + slot]);
            }
        }
        let day = a.start / per_day;
        let day_end = end.min((day + 1) * per_day);
        for &cohort in &index.cohorts[s] {
            let row = cohort * width;
            for slot in a.start..end {
                update(&mut self.cohort_occupants[row + slot]);
            }
            for slot in a.start..day_end {
                step(&mut self.cohort_cover[row + slot]);
            }
            step(&mut self.cohort_starts[row + a.start]);
        }
        if let Some(g) = index.group[s] {
            let venues = index.problem.venues.len();
            for (count, distinct) in [
                (
                    &mut self.group_day[g * self.days + day],
                    &mut self.group_days[g],
                ),
                (
                    &mut self.group_venue[g * venues + a.venue],
                    &mut self.group_venues[g],
                ),
            ] {
                let was_empty = *count == 0;
                step(count);
                if was_empty != (*count == 0) {
                    step(distinct);
                }
            }
        }
    }

    /// Total cost with `s` at `a` minus total cost without `s`, the other sessions
    /// staying where they are.
    fn marginal(&self, s: usize, a: &Assignment) -> Cost {
        let index = &self.index;
        let problem = index.problem;
        let weights = &problem.weights;
        let per_day = index.per_day;
        let length = index.length(s);
        let (hard, soft) = index.unary_costs(s, a);
        let mut cost = Cost::unary(hard, &soft);
        cost.hard += self.pair_hard(s, a) as i64;
        let current = self.present[s].then(|| self.plan[s]);
        let day = a.start / per_day;

        if let Some(g) = index.group[s] {
            // (counter at the new place, distinct values) without `s`.
            let without = |count_at: &dyn Fn(usize) -> u32, distinct: u32, new: usize, old| {
                let mut distinct = i64::from(distinct);
                let mut count = i64::from(count_at(new));
                if let Some(old) = old {
                    distinct -= i64::from(count_at(old) == 1);
                    count -= i64::from(old == new);
                }
                (distinct, distinct + i64::from(count == 0))
            };
            if weights.spread > 0 {
                let (before, after) = without(
                    &|d| self.group_day[g * self.days + d],
                    self.group_days[g],
                    day,
                    current.map(|c| c.start / per_day),
                );
                let target = index.group_target[g] as i64;
                let short = |days: i64| (target - days).max(0);
                cost.soft[SPREAD] += weights.spread as i64 * (short(after) - short(before));
            }
            if weights.venue_change > 0 {
                let venues = problem.venues.len();
                let (before, after) = without(
                    &|v| self.group_venue[g * venues + v],
                    self.group_venues[g],
                    a.venue,
                    current.map(|c| c.venue),
                );
                let extra = |venues: i64| (venues - 1).max(0);
                cost.soft[VENUE_CHANGE] +=
                    weights.venue_change as i64 * (extra(after) - extra(before));
            }
        }

        if weights.isolated > 0 && !index.cohorts[s].is_empty() {
            let clip = |start: usize| (start, (start + length).min((day + 1) * per_day));
            let remove = current
                .filter(|c| c.start / per_day == day)
                .map(|c| clip(c.start));
            let add = Some(clip(a.start));
            let change: i64 = index.cohorts[s]
                .iter()
                .map(|&cohort| {
                    self.cohort_day(cohort, day, remove, add)
                        - self.cohort_day(cohort, day, remove, None)
                })
                .sum();
            cost.soft[ISOLATED] += weights.isolated as i64 * change;
        }

        if weights.travel > 0 {
            let site = &problem.venues[a.venue].site;
            let end = a.start + length;
            let width = self.width;
            let mut pairs = 0;
            let mut count = |occupants: &[Vec<u32>], row: usize| {
                let differs = |t: usize| problem.venues[self.plan[t].venue].site != *site;
                if a.start > 0 {
                    for &t in &occupants[row * width + a.start - 1] {
                        let (t, b) = (t as usize, &self.plan[t as usize]);
                        if t != s
                            && b.start + index.length(t) == a.start
                            && b.start / per_day == day
                            && differs(t)
                        {
                            pairs += 1;
                        }
                    }
                }
                if end / per_day == day {
                    for &t in &occupants[row * width + end] {
                        let t = t as usize;
                        if t != s && self.plan[t].start == end && differs(t) {
                            pairs += 1;
                        }
                    }
                }
            };
            if let Some(instructor) = a.instructor {
                count(&self.instructor_occupants, instructor);
            }
            for &cohort in &index.cohorts[s] {
                count(&self.cohort_occupants, cohort);
            }
            cost.soft[TRAVEL] += weights.travel as i64 * pairs;
        }
        cost
    }

    /// Hard violations between `s` at `a` and the other placed sessions: one per
    /// overlapping session per kind of shared resource (cohort, instructor, venue)
    /// and one per violated precedence, as `Index::pair`.
    fn pair_hard(&self, s: usize, a: &Assignment) -> u64 {
        let index = &self.index;
        let width = self.width;
        let length = index.length(s);
        let end = a.start + length;
        // Count each overlapping session once: at the first slot both occupy.
        let first = |t: usize, slot: usize| slot == a.start.max(self.plan[t].start);
        let mut hard = 0;
        for slot in a.start..end {
            for &t in &self.venue_occupants[a.venue * width + slot] {
                hard += u64::from(t as usize != s && first(t as usize, slot));
            }
            if let Some(instructor) = a.instructor {
                for &t in &self.instructor_occupants[instructor * width + slot] {
                    hard += u64::from(t as usize != s && first(t as usize, slot));
                }
            }
        }
        let cohorts = &index.cohorts[s];
        for (k, &cohort) in cohorts.iter().enumerate() {
            for slot in a.start..end {
                for &t in &self.cohort_occupants[cohort * width + slot] {
                    let t = t as usize;
                    // Once per pair of sessions: only at the first cohort they share.
                    if t != s
                        && first(t, slot)
                        && !cohorts[..k]
                            .iter()
                            .any(|c| index.cohorts[t].binary_search(c).is_ok())
                    {
                        hard += 1;
                    }
                }
            }
        }
        for &p in &index.predecessors[s] {
            hard += u64::from(self.present[p] && self.plan[p].start + index.length(p) > a.start);
        }
        for &q in &index.successors[s] {
            hard += u64::from(self.present[q] && end > self.plan[q].start);
        }
        hard
    }

    /// Isolated sessions plus idle slots of `cohort` on `day`, with the interval
    /// `remove` taken out and `add` put in (start, end; clipped to the day).
    fn cohort_day(
        &self,
        cohort: usize,
        day: usize,
        remove: Option<(usize, usize)>,
        add: Option<(usize, usize)>,
    ) -> i64 {
        let per_day = self.index.per_day;
        let row = cohort * self.width;
        let (mut isolated, mut idle, mut gap) = (0i64, 0i64, 0i64);
        let (mut seen, mut run_starts) = (false, None::<i64>);
        for slot in day * per_day..(day + 1) * per_day {
            let mut cover = i64::from(self.cohort_cover[row + slot]);
            let mut starts = i64::from(self.cohort_starts[row + slot]);
            for (interval, sign) in [(remove, -1), (add, 1)] {
                if let Some((start, end)) = interval {
                    cover += sign * i64::from((start..end).contains(&slot));
                    starts += sign * i64::from(start == slot);
                }
            }
            if cover > 0 {
                if run_starts.is_none() {
                    if seen {
                        idle += gap;
                    }
                    gap = 0;
                    run_starts = Some(0);
                }
                run_starts = run_starts.map(|n| n + starts);
                seen = true;
            } else {
                if run_starts.take() == Some(1) {
                    isolated += 1;
                }
                gap += 1;
            }
        }
        if run_starts == Some(1) {
            isolated += 1;
        }
        isolated + idle
    }
}
