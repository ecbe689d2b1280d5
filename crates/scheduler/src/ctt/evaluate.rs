//! The UD2 (ITC-2007) evaluator, behaving like the official validator.

use std::fmt;

use super::model::{Instance, Placement};

/// UD2 weight of one missing working day.
pub(crate) const MIN_WORKING_DAYS_WEIGHT: u64 = 5;
/// UD2 weight of one isolated curriculum lecture.
pub(crate) const COMPACTNESS_WEIGHT: u64 = 2;

/// Hard-constraint violation counts by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HardViolations {
    /// Sum over courses of `|scheduled - required|` lectures.
    pub lectures: u64,
    /// Conflicting course pairs (shared teacher or curriculum) scheduled in the same period.
    pub conflicts: u64,
    /// Lectures placed in a period unavailable for their course.
    pub availability: u64,
    /// Sum over (room, period) of lectures beyond the first.
    pub room_occupation: u64,
}

impl HardViolations {
    /// Sum of all hard violations.
    pub fn total(&self) -> u64 {
        self.lectures + self.conflicts + self.availability + self.room_occupation
    }
}

/// Soft costs by kind, already multiplied by their UD2 weights.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SoftCosts {
    /// Students exceeding room capacity, summed over lectures (weight 1).
    pub room_capacity: u64,
    /// Missing working days, summed over courses, times 5.
    pub min_working_days: u64,
    /// Isolated curriculum lectures, times 2.
    pub curriculum_compactness: u64,
    /// Extra distinct rooms per course (weight 1).
    pub room_stability: u64,
}

impl SoftCosts {
    /// Total UD2 cost.
    pub fn total(&self) -> u64 {
        self.room_capacity
            + self.min_working_days
            + self.curriculum_compactness
            + self.room_stability
    }
}

/// Full evaluation of a solution: hard violations and UD2 soft costs by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Hard-constraint violations.
    pub hard: HardViolations,
    /// Weighted soft costs.
    pub soft: SoftCosts,
}

impl Evaluation {
    /// Total number of hard violations (0 means feasible).
    pub fn hard_total(&self) -> u64 {
        self.hard.total()
    }

    /// Total UD2 cost.
    pub fn soft_total(&self) -> u64 {
        self.soft.total()
    }

    /// True when there is no hard violation.
    pub fn is_feasible(&self) -> bool {
        self.hard_total() == 0
    }

    /// Lexicographic key used to compare solutions: hard first, then soft.
    pub fn key(&self) -> (u64, u64) {
        (self.hard_total(), self.soft_total())
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hard = &self.hard;
        let soft = &self.soft;
        writeln!(f, "Violations of Lectures (hard) : {}", hard.lectures)?;
        writeln!(f, "Violations of Conflicts (hard) : {}", hard.conflicts)?;
        writeln!(
            f,
            "Violations of Availability (hard) : {}",
            hard.availability
        )?;
        writeln!(
            f,
            "Violations of RoomOccupation (hard) : {}",
            hard.room_occupation
        )?;
        writeln!(f, "Cost of RoomCapacity (soft) : {}", soft.room_capacity)?;
        writeln!(
            f,
            "Cost of MinWorkingDays (soft) : {}",
            soft.min_working_days
        )?;
        writeln!(
            f,
            "Cost of CurriculumCompactness (soft) : {}",
            soft.curriculum_compactness
        )?;
        writeln!(f, "Cost of RoomStability (soft) : {}", soft.room_stability)?;
        if self.hard_total() > 0 {
            write!(f, "Violations = {}, ", self.hard_total())?;
        }
        write!(f, "Total Cost = {}", self.soft_total())
    }
}

/// Evaluates placements with the UD2 cost function, like the official validator.
///
/// As in the validator's course-by-period matrix, a placement with an index out
/// of range, or a second placement of the same course in the same period, is
/// ignored (so that lecture counts as unscheduled).
pub fn evaluate(instance: &Instance, placements: &[Placement]) -> Evaluation {
    let periods = instance.periods();
    let per_day = instance.periods_per_day;
    let course_count = instance.courses.len();
    let room_count = instance.rooms.len();
    // room_at[course * periods + period] = room + 1, or 0 when free.
    let mut room_at = vec![0usize; course_count * periods];
    for placement in placements {
        if placement.course >= course_count
            || placement.room >= room_count
            || placement.day >= instance.days
            || placement.slot >= per_day
        {
            continue;
        }
        let cell =
            &mut room_at[placement.course * periods + placement.day * per_day + placement.slot];
        if *cell == 0 {
            *cell = placement.room + 1;
        }
    }
    let scheduled = |course: usize, period: usize| room_at[course * periods + period] != 0;

    let mut hard = HardViolations::default();
    let mut soft = SoftCosts::default();
    let unavailable = instance.unavailable_matrix();
    let mut room_load = vec![0u64; room_count * periods];
    for (course_index, course) in instance.courses.iter().enumerate() {
        let mut count = 0usize;
        let mut days_used = vec![false; instance.days];
        let mut rooms_used = vec![false; room_count];
        for period in 0..periods {
            let room_plus_one = room_at[course_index * periods + period];
            if room_plus_one == 0 {
                continue;
            }
            let room = room_plus_one - 1;
            count += 1;
            days_used[period / per_day] = true;
            rooms_used[room] = true;
            room_load[room * periods + period] += 1;
            if unavailable[course_index * periods + period] {
                hard.availability += 1;
            }
            soft.room_capacity += course
                .students
                .saturating_sub(instance.rooms[room].capacity)
                as u64;
        }
        hard.lectures += count.abs_diff(course.lectures) as u64;
        let working_days = days_used.iter().filter(|&&used| used).count();
        soft.min_working_days +=
            MIN_WORKING_DAYS_WEIGHT * course.min_working_days.saturating_sub(working_days) as u64;
        let distinct_rooms = rooms_used.iter().filter(|&&used| used).count();
        soft.room_stability += distinct_rooms.saturating_sub(1) as u64;
    }
    hard.room_occupation = room_load.iter().map(|&load| load.saturating_sub(1)).sum();

    for (first, neighbours) in instance.conflict_neighbours().iter().enumerate() {
        for &second in neighbours.iter().filter(|&&second| second > first) {
            hard.conflicts += (0..periods)
                .filter(|&p| scheduled(first, p) && scheduled(second, p))
                .count() as u64;
        }
    }

    let mut isolated = 0u64;
    let mut load = vec![0u64; periods];
    for curriculum in &instance.curricula {
        for (period, value) in load.iter_mut().enumerate() {
            *value = curriculum
                .courses
                .iter()
                .filter(|&&course| scheduled(course, period))
                .count() as u64;
        }
        for period in 0..periods {
            if load[period] == 0 {
                continue;
            }
            let slot = period % per_day;
            let before = slot > 0 && load[period - 1] > 0;
            let after = slot + 1 < per_day && load[period + 1] > 0;
            if !before && !after {
                isolated += load[period];
            }
        }
    }
    soft.curriculum_compactness = COMPACTNESS_WEIGHT * isolated;

    Evaluation { hard, soft }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctt::model::{Course, Curriculum, Room, Unavailability};

    /// Two days of three slots, two rooms (capacity 10 and 30), three courses:
    /// c0 and c1 share curriculum q0, c1 and c2 share teacher "t".
    fn tiny() -> Instance {
        let course = |id: &str, teacher: &str, lectures, min_working_days, students| Course {
            id: id.into(),
            teacher: teacher.into(),
            lectures,
            min_working_days,
            students,
        };
        Instance {
            name: "tiny".into(),
            days: 2,
            periods_per_day: 3,
            courses: vec![
                course("c0", "a", 2, 2, 20),
                course("c1", "t", 2, 1, 10),
                course("c2", "t", 1, 1, 10),
            ],
            rooms: vec![
                Room {
                    id: "small".into(),
                    capacity: 10,
                },
                Room {
                    id: "big".into(),
                    capacity: 30,
                },
            ],
            curricula: vec![Curriculum {
                id: "q0".into(),
                courses: vec![0, 1],
            }],
            unavailability: vec![Unavailability {
                course: 2,
                day: 1,
                slot: 2,
            }],
        }
    }

    fn at(course: usize, room: usize, day: usize, slot: usize) -> Placement {
        Placement {
            course,
            room,
            day,
            slot,
        }
    }

    /// A clean reference: c0 on two days in the big room, c1 adjacent to c0 on day 0, c2 elsewhere.
    fn clean() -> Vec<Placement> {
        vec![
            at(0, 1, 0, 0),
            at(0, 1, 1, 0),
            at(1, 0, 0, 1),
            at(1, 0, 1, 1),
            at(2, 0, 0, 2),
        ]
    }

    #[test]
    fn clean_solution_has_zero_cost() {
        let evaluation = evaluate(&tiny(), &clean());
        assert_eq!(evaluation, Evaluation::default(), "{evaluation}");
    }

    #[test]
    fn counts_missing_and_duplicate_lectures() {
        let mut placements = clean();
        placements.pop();
        let evaluation = evaluate(&tiny(), &placements);
        assert_eq!(evaluation.hard.lectures, 1);
        // A second lecture of c0 in the same period is ignored, so c0 stays at 2.
        let mut placements = clean();
        placements.push(at(0, 0, 0, 0));
        assert_eq!(evaluate(&tiny(), &placements).hard.lectures, 0);
        // An extra lecture in a new period counts as one violation.
        let mut placements = clean();
        placements.push(at(2, 0, 1, 0));
        assert_eq!(evaluate(&tiny(), &placements).hard.lectures, 1);
    }

    #[test]
    fn counts_conflicts_per_pair_and_period() {
        // c1 and c2 (same teacher) together at (0,1); c0 and c1 (curriculum) together at (1,0).
        let placements = vec![
            at(0, 1, 0, 0),
            at(0, 1, 1, 0),
            at(1, 0, 0, 1),
            at(1, 0, 1, 0),
            at(2, 1, 0, 1),
        ];
        assert_eq!(evaluate(&tiny(), &placements).hard.conflicts, 2);
    }

    #[test]
    fn counts_availability() {
        let mut placements = clean();
        placements[4] = at(2, 0, 1, 2);
        assert_eq!(evaluate(&tiny(), &placements).hard.availability, 1);
    }

    #[test]
    fn counts_room_occupation() {
        // Three lectures in the small room at (0,2): two beyond the first.
        let placements = vec![
            at(0, 0, 0, 2),
            at(0, 1, 1, 0),
            at(1, 0, 0, 2),
            at(1, 0, 1, 1),
            at(2, 0, 0, 2),
        ];
        let evaluation = evaluate(&tiny(), &placements);
        assert_eq!(evaluation.hard.room_occupation, 2);
    }

    #[test]
    fn counts_room_capacity() {
        let mut placements = clean();
        placements[0] = at(0, 0, 0, 0); // 20 students in 10 seats
        let evaluation = evaluate(&tiny(), &placements);
        assert_eq!(evaluation.soft.room_capacity, 10);
        assert_eq!(evaluation.soft.room_stability, 1);
    }

    #[test]
    fn counts_min_working_days_weighted() {
        let mut placements = clean();
        placements[1] = at(0, 1, 0, 2);
        placements[4] = at(2, 0, 1, 0);
        let evaluation = evaluate(&tiny(), &placements);
        assert_eq!(evaluation.soft.min_working_days, 5);
    }

    #[test]
    fn counts_curriculum_compactness_within_days_only() {
        // c0 at (0,2) and c1 at (1,0): adjacent periods across the day boundary do not count.
        let placements = vec![
            at(0, 1, 0, 2),
            at(0, 1, 1, 2),
            at(1, 0, 1, 0),
            at(1, 0, 0, 0),
            at(2, 0, 0, 1),
        ];
        let evaluation = evaluate(&tiny(), &placements);
        assert_eq!(evaluation.soft.curriculum_compactness, 2 * 4);
    }

    #[test]
    fn counts_room_stability() {
        let mut placements = clean();
        placements[3] = at(1, 1, 1, 1);
        let evaluation = evaluate(&tiny(), &placements);
        assert_eq!(evaluation.soft.room_stability, 1);
        assert_eq!(evaluation.soft_total(), 1);
    }

    #[test]
    fn display_prints_every_kind() {
        let mut placements = clean();
        placements.pop();
        let text = evaluate(&tiny(), &placements).to_string();
        assert!(text.contains("Violations of Lectures (hard) : 1"), "{text}");
        assert!(text.contains("Cost of RoomStability (soft) : 0"), "{text}");
        assert!(text.ends_with("Violations = 1, Total Cost = 5"), "{text}");
    }
}
