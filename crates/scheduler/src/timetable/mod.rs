//! The product's general timetabling model: multi-slot sessions placed at a start
//! slot, in a venue, with an instructor; cohorts, calendars, precedences, pins,
//! weighted soft constraints, and re-planning with a perturbation penalty.
//!
//! Sessions, venues, instructors and cohorts are referred to by index. Slots are
//! numbered `day * slots_per_day + slot`; a session occupies `length` consecutive
//! slots that must stay within one day.
//!
//! Hard constraints are counted in [`Report`] and listed by [`conflicts`]; soft
//! constraints are weighted by [`Weights`] (each field documents its definition)
//! and broken down in [`SoftCosts`]. [`evaluate`] recomputes everything from
//! scratch; the solver ([`solve`], [`replan`]) costs each move incrementally with
//! an [`Evaluator`], which always agrees with [`evaluate`].

mod incremental;
mod search;

use std::time::Duration;

pub use incremental::Evaluator;
pub use search::SearchStats;

/// Days and slots of the planning horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    /// Number of days.
    pub days: usize,
    /// Number of slots in each day.
    pub slots_per_day: usize,
}

impl Calendar {
    /// Total number of slots.
    pub fn slots(&self) -> usize {
        self.days * self.slots_per_day
    }
}

/// Where, when and by whom a session takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Assignment {
    /// First slot occupied.
    pub start: usize,
    /// Index into [`Problem::venues`].
    pub venue: usize,
    /// Index into [`Problem::instructors`], `None` when the session needs no instructor.
    pub instructor: Option<usize>,
}

/// A session to schedule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    /// Identifier, for reports.
    pub id: String,
    /// Number of consecutive slots (at least 1), all on one day.
    pub length: usize,
    /// Required venue kind (matches [`Venue::kind`]).
    pub venue_kind: String,
    /// Number of learners attending.
    pub learners: usize,
    /// When true, exceeding venue capacity is a hard violation; otherwise a soft cost per learner.
    pub strict_capacity: bool,
    /// Indices into [`Problem::cohorts`]; sessions sharing a cohort must not overlap.
    pub cohorts: Vec<usize>,
    /// Indices into [`Problem::instructors`] allowed to teach; empty means no instructor.
    pub candidate_instructors: Vec<usize>,
    /// Indices of sessions that must end before this one starts.
    pub predecessors: Vec<usize>,
    /// Fixed placement the solver must keep.
    pub pinned: Option<Assignment>,
    /// Index into [`Problem::groups`]: the program the session belongs to, for
    /// spreading a program over days and keeping it in one venue.
    pub group: Option<usize>,
}

/// Sessions that belong together (a program's sessions).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    /// Identifier, for reports.
    pub id: String,
    /// The group's sessions should fall on at least this many distinct days.
    pub min_days: usize,
}

/// A venue (room, lab, site-bound space).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Venue {
    /// Identifier, for reports.
    pub id: String,
    /// Kind, matched against [`Session::venue_kind`].
    pub kind: String,
    /// Seats.
    pub capacity: usize,
    /// Site (building or campus): back-to-back sessions at different sites cost
    /// [`Weights::travel`].
    pub site: String,
    /// Cost per occupied slot.
    pub cost_per_slot: u64,
    /// Slots in which the venue cannot be used.
    pub unavailable: Vec<usize>,
}

/// An instructor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Instructor {
    /// Identifier, for reports.
    pub id: String,
    /// Slots in which the instructor cannot teach.
    pub unavailable: Vec<usize>,
    /// Cost per taught slot.
    pub hourly_cost: u64,
    /// Slots the instructor prefers; teaching outside them costs a soft penalty.
    /// Empty means no preference.
    pub preferred: Vec<usize>,
}

/// A learner cohort with its working calendar.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cohort {
    /// Identifier, for reports.
    pub id: String,
    /// Slots in which the cohort is not available (holidays, other duties).
    pub blocked: Vec<usize>,
}

/// Weights of the soft constraints.
///
/// Each soft constraint's cost is its weight times a count defined on its field.
/// The defaults rank a learner without a seat above travel, travel above a program
/// squeezed onto too few days, that above a fragmented cohort day or an extra venue,
/// and those above a few empty seats; money (`venue_cost`, `instructor_cost`) counts
/// one to one. Set a weight to 0 to switch its constraint off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    /// Per learner above a non-strict venue capacity.
    pub capacity_excess: u64,
    /// Multiplies venue cost per slot.
    pub venue_cost: u64,
    /// Multiplies instructor cost per slot.
    pub instructor_cost: u64,
    /// Per taught slot outside the instructor's preferred slots.
    pub unpreferred_slot: u64,
    /// Per session whose assignment differs from the previous plan (re-planning only).
    pub moved_session: u64,
    /// Per empty seat beyond a slack of a quarter of the learners (rounded up): a
    /// session of `n > 0` learners in a venue of `c` seats costs
    /// `c - n - ceil(n / 4)` seats when that is positive. Sessions without learners
    /// (an unknown head count) cost nothing.
    pub oversized_venue: u64,
    /// Per day a group falls short of its target: `min_days`, capped by the number
    /// of its sessions and of days in the calendar (a shortfall no plan can avoid
    /// is not charged). A session counts on the day of its start slot.
    pub spread: u64,
    /// Per isolated session and per idle slot in a cohort's day. A cohort's day is
    /// the slots of that day its sessions occupy (a session counts on the day it
    /// starts); the occupied slots form runs of consecutive slots. A run made of a
    /// single session is an isolated session; an unoccupied slot between the day's
    /// first and last occupied slot is an idle slot. Counted for every cohort.
    pub isolated: u64,
    /// Per venue beyond the first that a group uses.
    pub venue_change: u64,
    /// Per back-to-back pair of sessions at different [`Venue::site`]s, for each
    /// instructor and each cohort the two sessions share: the second starts in the
    /// slot right after the first ends, on the same day.
    pub travel: u64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            capacity_excess: 10,
            venue_cost: 1,
            instructor_cost: 1,
            unpreferred_slot: 2,
            moved_session: 50,
            oversized_venue: 1,
            spread: 10,
            isolated: 3,
            venue_change: 3,
            travel: 20,
        }
    }
}

impl Weights {
    /// All weights 0: every soft constraint off (set the ones wanted).
    pub fn zero() -> Self {
        Self {
            capacity_excess: 0,
            venue_cost: 0,
            instructor_cost: 0,
            unpreferred_slot: 0,
            moved_session: 0,
            oversized_venue: 0,
            spread: 0,
            isolated: 0,
            venue_change: 0,
            travel: 0,
        }
    }
}

/// A complete planning problem.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    /// Planning horizon.
    pub calendar: Calendar,
    /// Sessions to place.
    pub sessions: Vec<Session>,
    /// Venues.
    pub venues: Vec<Venue>,
    /// Instructors.
    pub instructors: Vec<Instructor>,
    /// Cohorts.
    pub cohorts: Vec<Cohort>,
    /// Groups of sessions (programs).
    pub groups: Vec<Group>,
    /// Soft-constraint weights.
    pub weights: Weights,
}

impl Default for Calendar {
    fn default() -> Self {
        Self {
            days: 5,
            slots_per_day: 8,
        }
    }
}

/// A plan: one assignment per session, in session order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timetable {
    /// `assignments[s]` places session `s`.
    pub assignments: Vec<Assignment>,
}

/// The soft cost of a timetable by constraint, each already weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SoftCosts {
    /// Learners above a non-strict venue capacity.
    pub capacity_excess: u64,
    /// Empty seats in venues far too big.
    pub oversized_venue: u64,
    /// Venue rates.
    pub venue_cost: u64,
    /// Instructor fees.
    pub instructor_cost: u64,
    /// Teaching outside an instructor's preferred slots.
    pub unpreferred_slot: u64,
    /// Groups on fewer days than they should be.
    pub spread: u64,
    /// Isolated sessions and idle slots in cohorts' days.
    pub isolated: u64,
    /// Groups using more than one venue.
    pub venue_change: u64,
    /// Changes of site between back-to-back sessions.
    pub travel: u64,
    /// Sessions moved from the previous plan.
    pub moved_session: u64,
}

impl SoftCosts {
    /// The sum of all soft costs.
    pub fn total(&self) -> u64 {
        self.lines().iter().map(|(_, cost)| cost).sum()
    }

    /// (constraint key, weighted cost), in a fixed order.
    pub fn lines(&self) -> [(&'static str, u64); 10] {
        [
            ("capacity_excess", self.capacity_excess),
            ("oversized_venue", self.oversized_venue),
            ("venue_cost", self.venue_cost),
            ("instructor_cost", self.instructor_cost),
            ("unpreferred_slot", self.unpreferred_slot),
            ("spread", self.spread),
            ("isolated", self.isolated),
            ("venue_change", self.venue_change),
            ("travel", self.travel),
            ("moved_session", self.moved_session),
        ]
    }

    fn add(&mut self, other: &SoftCosts) {
        self.capacity_excess += other.capacity_excess;
        self.oversized_venue += other.oversized_venue;
        self.venue_cost += other.venue_cost;
        self.instructor_cost += other.instructor_cost;
        self.unpreferred_slot += other.unpreferred_slot;
        self.spread += other.spread;
        self.isolated += other.isolated;
        self.venue_change += other.venue_change;
        self.travel += other.travel;
        self.moved_session += other.moved_session;
    }
}

/// One line of a cost breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostLine {
    /// Constraint key, e.g. `overlaps` or `venue_cost`.
    pub key: &'static str,
    /// Whether the constraint is hard (any cost makes the timetable infeasible).
    pub hard: bool,
    /// Violations (hard) or weighted cost (soft).
    pub cost: u64,
}

/// Hard violations and soft cost of a timetable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    /// Pairs of overlapping sessions sharing a cohort, instructor or venue (each shared resource counts).
    pub overlaps: u64,
    /// Occupied slots in which the venue, the instructor or a cohort is unavailable.
    pub unavailability: u64,
    /// Sessions in a venue of the wrong kind, over a strict capacity, without an
    /// allowed instructor, or not fitting within one day.
    pub unsuitable: u64,
    /// Predecessor pairs where the predecessor does not end before the session starts.
    pub precedence: u64,
    /// Sessions whose pin is not respected.
    pub pins: u64,
    /// Weighted soft cost: the sum of `soft_costs`.
    pub soft: u64,
    /// The soft cost by constraint.
    pub soft_costs: SoftCosts,
}

impl Report {
    /// Total hard violations.
    pub fn hard(&self) -> u64 {
        self.overlaps + self.unavailability + self.unsuitable + self.precedence + self.pins
    }

    /// The breakdown by constraint: hard kinds first, then the soft ones.
    pub fn lines(&self) -> Vec<CostLine> {
        let hard = [
            ("overlaps", self.overlaps),
            ("unavailability", self.unavailability),
            ("unsuitable", self.unsuitable),
            ("precedence", self.precedence),
            ("pins", self.pins),
        ];
        hard.into_iter()
            .map(|(key, cost)| CostLine {
                key,
                hard: true,
                cost,
            })
            .chain(
                self.soft_costs
                    .lines()
                    .into_iter()
                    .map(|(key, cost)| CostLine {
                        key,
                        hard: false,
                        cost,
                    }),
            )
            .collect()
    }
}

/// What a hard conflict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConflictKind {
    /// Two sessions sharing a cohort overlap.
    CohortOverlap,
    /// Two sessions with the same instructor overlap.
    InstructorOverlap,
    /// Two sessions in the same venue overlap.
    VenueOverlap,
    /// The instructor is unavailable during the session.
    InstructorUnavailable,
    /// The venue is unavailable during the session.
    VenueUnavailable,
    /// A cohort is blocked (holiday, shift, production peak) during the session.
    CohortBlocked,
    /// The venue is not of the kind the session needs.
    WrongVenueKind,
    /// More learners than the venue's seats, where capacity is strict.
    OverCapacity,
    /// No allowed instructor is assigned.
    NoInstructor,
    /// The session does not fit within one day.
    SpansDays,
    /// The session does not come after a session it must follow.
    Precedence,
    /// The session is not where it was pinned.
    PinBroken,
}

impl ConflictKind {
    /// A stable key for messages and the API.
    pub fn code(self) -> &'static str {
        match self {
            ConflictKind::CohortOverlap => "cohort_overlap",
            ConflictKind::InstructorOverlap => "instructor_overlap",
            ConflictKind::VenueOverlap => "venue_overlap",
            ConflictKind::InstructorUnavailable => "instructor_unavailable",
            ConflictKind::VenueUnavailable => "venue_unavailable",
            ConflictKind::CohortBlocked => "cohort_blocked",
            ConflictKind::WrongVenueKind => "wrong_venue_kind",
            ConflictKind::OverCapacity => "over_capacity",
            ConflictKind::NoInstructor => "no_instructor",
            ConflictKind::SpansDays => "spans_days",
            ConflictKind::Precedence => "precedence",
            ConflictKind::PinBroken => "pin_broken",
        }
    }
}

/// One hard conflict in a timetable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The session(s) involved: one for a session's own constraints, two for an
    /// overlap or a precedence (the later one first).
    pub sessions: Vec<usize>,
    /// Whether no timetable can avoid a conflict for it: the first session has no
    /// placement at all that meets its own constraints (venue kind and capacity,
    /// availability, calendar, instructors), or the conflict holds between the pins
    /// themselves (a pinned session whose pin breaks its own constraints, two pinned
    /// sessions on top of each other or in the wrong order).
    pub unavoidable: bool,
}

/// Solver settings for the general model.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Wall-clock budget.
    pub time_limit: Duration,
    /// Optional iteration cap (makes runs reproducible).
    pub max_iterations: Option<u64>,
    /// Random seed.
    pub seed: u64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(10),
            max_iterations: None,
            seed: 0,
        }
    }
}

/// A change to the world that triggers re-planning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The instructor cannot teach in these extra slots.
    InstructorUnavailable {
        /// Index of the instructor.
        instructor: usize,
        /// Newly unavailable slots.
        slots: Vec<usize>,
    },
    /// The venue cannot be used in these extra slots.
    VenueUnavailable {
        /// Index of the venue.
        venue: usize,
        /// Newly unavailable slots.
        slots: Vec<usize>,
    },
    /// The cohort is blocked in these extra slots.
    CohortBlocked {
        /// Index of the cohort.
        cohort: usize,
        /// Newly blocked slots.
        slots: Vec<usize>,
    },
    /// A new session is added (it gets the next index).
    AddSession(Session),
}

impl Change {
    /// Applies the change to a problem.
    pub fn apply(&self, problem: &mut Problem) {
        match self {
            Change::InstructorUnavailable { instructor, slots } => {
                problem.instructors[*instructor].unavailable.extend(slots)
            }
            Change::VenueUnavailable { venue, slots } => {
                problem.venues[*venue].unavailable.extend(slots)
            }
            Change::CohortBlocked { cohort, slots } => {
                problem.cohorts[*cohort].blocked.extend(slots)
            }
            Change::AddSession(session) => problem.sessions.push(session.clone()),
        }
    }
}

/// Result of [`solve`] or [`replan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The timetable found.
    pub timetable: Timetable,
    /// Its evaluation (including the perturbation penalty when re-planning).
    pub report: Report,
    /// Sessions whose assignment differs from the previous plan (empty for [`solve`]).
    pub moved: Vec<usize>,
}

/// Precomputed lookups for fast evaluation.
struct Index<'a> {
    problem: &'a Problem,
    /// `instructor * slots + slot` → unavailable.
    instructor_off: Vec<bool>,
    instructor_preferred: Vec<bool>,
    venue_off: Vec<bool>,
    cohort_off: Vec<bool>,
    /// Fixed assignment of each session (problem pin or re-planning pin).
    fixed: Vec<Option<Assignment>>,
    previous: Option<&'a Timetable>,
    /// Slots per day (at least 1).
    per_day: usize,
    /// Each session's cohorts, sorted, without repeats.
    cohorts: Vec<Vec<usize>>,
    /// Each session's predecessors (existing sessions other than itself, no repeats).
    predecessors: Vec<Vec<usize>>,
    /// The sessions that must follow each session (the reverse of `predecessors`).
    successors: Vec<Vec<usize>>,
    /// Each session's group, when it names one of [`Problem::groups`].
    group: Vec<Option<usize>>,
    /// Days each group should cover: `min_days` capped by its size and the calendar.
    group_target: Vec<u64>,
}

impl<'a> Index<'a> {
    fn new(problem: &'a Problem, previous: Option<&'a Timetable>, pins: &[usize]) -> Self {
        let slots = problem.calendar.slots();
        let count = problem.sessions.len();
        let mark = |lists: &mut dyn Iterator<Item = &Vec<usize>>, count: usize| {
            let mut matrix = vec![false; count * slots];
            for (row, list) in lists.enumerate() {
                for &slot in list.iter().filter(|&&slot| slot < slots) {
                    matrix[row * slots + slot] = true;
                }
            }
            matrix
        };
        let mut fixed: Vec<Option<Assignment>> = problem
            .sessions
            .iter()
            .map(|session| session.pinned)
            .collect();
        if let Some(previous) = previous {
            for &pin in pins {
                if let (Some(slot), Some(&assignment)) =
                    (fixed.get_mut(pin), previous.assignments.get(pin))
                {
                    slot.get_or_insert(assignment);
                }
            }
        }
        let cohorts = problem
            .sessions
            .iter()
            .map(|session| {
                let mut cohorts = session.cohorts.clone();
                cohorts.sort_unstable();
                cohorts.dedup();
                cohorts
            })
            .collect();
        let predecessors: Vec<Vec<usize>> = problem
            .sessions
            .iter()
            .enumerate()
            .map(|(s, session)| {
                let mut list: Vec<usize> = session
                    .predecessors
                    .iter()
                    .copied()
                    .filter(|&p| p != s && p < count)
                    .collect();
                list.sort_unstable();
                list.dedup();
                list
            })
            .collect();
        let mut successors = vec![Vec::new(); count];
        for (s, list) in predecessors.iter().enumerate() {
            for &p in list {
                successors[p].push(s);
            }
        }
        let group: Vec<Option<usize>> = problem
            .sessions
            .iter()
            .map(|session| session.group.filter(|&g| g < problem.groups.len()))
            .collect();
        let mut group_size = vec![0usize; problem.groups.len()];
        for &g in group.iter().flatten() {
            group_size[g] += 1;
        }
        let group_target = problem
            .groups
            .iter()
            .zip(&group_size)
            .map(|(g, &size)| g.min_days.min(size).min(problem.calendar.days) as u64)
            .collect();
        Self {
            problem,
            instructor_off: mark(
                &mut problem.instructors.iter().map(|i| &i.unavailable),
                problem.instructors.len(),
            ),
            instructor_preferred: mark(
                &mut problem.instructors.iter().map(|i| &i.preferred),
                problem.instructors.len(),
            ),
            venue_off: mark(
                &mut problem.venues.iter().map(|v| &v.unavailable),
                problem.venues.len(),
            ),
            cohort_off: mark(
                &mut problem.cohorts.iter().map(|c| &c.blocked),
                problem.cohorts.len(),
            ),
            fixed,
            previous,
            per_day: problem.calendar.slots_per_day.max(1),
            cohorts,
            predecessors,
            successors,
            group,
            group_target,
        }
    }

    fn length(&self, s: usize) -> usize {
        self.problem.sessions[s].length.max(1)
    }

    /// Hard violations and soft costs by constraint of session `s` alone at `a`.
    fn unary_costs(&self, s: usize, a: &Assignment) -> (u64, SoftCosts) {
        let problem = self.problem;
        let session = &problem.sessions[s];
        let slots = problem.calendar.slots();
        let per_day = self.per_day;
        let weights = &problem.weights;
        let length = session.length.max(1);
        let mut hard = 0;
        let mut soft = SoftCosts::default();
        let fits = a.start % per_day + length <= per_day && a.start + length <= slots;
        if !fits {
            hard += 1;
        }
        if self.fixed[s].is_some_and(|pin| pin != *a) {
            hard += 1;
        }
        let venue = &problem.venues[a.venue];
        if venue.kind != session.venue_kind {
            hard += 1;
        }
        let excess = session.learners.saturating_sub(venue.capacity) as u64;
        if session.strict_capacity && excess > 0 {
            hard += 1;
        } else {
            soft.capacity_excess += weights.capacity_excess * excess;
        }
        if session.learners > 0 {
            let slack = session.learners.div_ceil(4);
            let empty = venue.capacity.saturating_sub(session.learners + slack) as u64;
            soft.oversized_venue += weights.oversized_venue * empty;
        }
        soft.venue_cost += weights.venue_cost * venue.cost_per_slot * length as u64;
        match a.instructor {
            Some(instructor) if session.candidate_instructors.contains(&instructor) => {
                let teacher = &problem.instructors[instructor];
                soft.instructor_cost +=
                    weights.instructor_cost * teacher.hourly_cost * length as u64;
                for slot in (a.start..a.start + length).filter(|&slot| slot < slots) {
                    hard += u64::from(self.instructor_off[instructor * slots + slot]);
                    if !teacher.preferred.is_empty()
                        && !self.instructor_preferred[instructor * slots + slot]
                    {
                        soft.unpreferred_slot += weights.unpreferred_slot;
                    }
                }
            }
            None if session.candidate_instructors.is_empty() => {}
            _ => hard += 1,
        }
        for slot in (a.start..a.start + length).filter(|&slot| slot < slots) {
            hard += u64::from(self.venue_off[a.venue * slots + slot]);
            for &cohort in &session.cohorts {
                hard += u64::from(self.cohort_off[cohort * slots + slot]);
            }
        }
        if let Some(previous) = self.previous
            && previous.assignments.get(s).is_some_and(|old| old != a)
        {
            soft.moved_session += weights.moved_session;
        }
        (hard, soft)
    }

    /// The conflicts of session `s` alone at `a` (its own constraints, pins included).
    fn unary_conflicts(&self, s: usize, a: &Assignment, pins: bool) -> Vec<ConflictKind> {
        let problem = self.problem;
        let session = &problem.sessions[s];
        let slots = problem.calendar.slots();
        let per_day = self.per_day;
        let length = session.length.max(1);
        let mut kinds = Vec::new();
        if a.start % per_day + length > per_day || a.start + length > slots {
            kinds.push(ConflictKind::SpansDays);
        }
        if pins && self.fixed[s].is_some_and(|pin| pin != *a) {
            kinds.push(ConflictKind::PinBroken);
        }
        let venue = &problem.venues[a.venue];
        if venue.kind != session.venue_kind {
            kinds.push(ConflictKind::WrongVenueKind);
        }
        if session.strict_capacity && session.learners > venue.capacity {
            kinds.push(ConflictKind::OverCapacity);
        }
        let occupied = (a.start..a.start + length).filter(|&slot| slot < slots);
        match a.instructor {
            Some(instructor) if session.candidate_instructors.contains(&instructor) => {
                if occupied
                    .clone()
                    .any(|slot| self.instructor_off[instructor * slots + slot])
                {
                    kinds.push(ConflictKind::InstructorUnavailable);
                }
            }
            None if session.candidate_instructors.is_empty() => {}
            _ => kinds.push(ConflictKind::NoInstructor),
        }
        if occupied
            .clone()
            .any(|slot| self.venue_off[a.venue * slots + slot])
        {
            kinds.push(ConflictKind::VenueUnavailable);
        }
        if occupied.clone().any(|slot| {
            session
                .cohorts
                .iter()
                .any(|&cohort| self.cohort_off[cohort * slots + slot])
        }) {
            kinds.push(ConflictKind::CohortBlocked);
        }
        kinds
    }

    /// Whether session `s` has any placement meeting its own constraints (pins aside).
    fn has_clean_placement(&self, s: usize) -> bool {
        let (starts, venues, instructors) = self.domain(s);
        starts.iter().any(|&start| {
            venues.iter().any(|&venue| {
                instructors.iter().any(|&instructor| {
                    self.unary_conflicts(
                        s,
                        &Assignment {
                            start,
                            venue,
                            instructor,
                        },
                        false,
                    )
                    .is_empty()
                })
            })
        })
    }

    /// Hard cost between two distinct sessions at their assignments. This is the
    /// reference definition the incremental [`Evaluator`] is tested against.
    fn pair(&self, s: usize, a: &Assignment, t: usize, b: &Assignment) -> u64 {
        let sessions = &self.problem.sessions;
        let (first, second) = (&sessions[s], &sessions[t]);
        let overlap =
            a.start < b.start + second.length.max(1) && b.start < a.start + first.length.max(1);
        let mut hard = 0;
        if overlap {
            hard += u64::from(
                first
                    .cohorts
                    .iter()
                    .any(|cohort| second.cohorts.contains(cohort)),
            );
            hard += u64::from(a.instructor.is_some() && a.instructor == b.instructor);
            hard += u64::from(a.venue == b.venue);
        }
        // Precedence: each direction that is declared and violated.
        if first.predecessors.contains(&t) && b.start + second.length.max(1) > a.start {
            hard += 1;
        }
        if second.predecessors.contains(&s) && a.start + first.length.max(1) > b.start {
            hard += 1;
        }
        hard
    }

    /// Full evaluation from scratch (quadratic in the sessions).
    fn report(&self, plan: &[Assignment]) -> Report {
        let problem = self.problem;
        let mut report = Report::default();
        let slots = problem.calendar.slots();
        for (s, a) in plan.iter().enumerate() {
            let session = &problem.sessions[s];
            let length = session.length.max(1);
            let (hard, soft) = self.unary_costs(s, a);
            report.soft_costs.add(&soft);
            let pinned = u64::from(self.fixed[s].is_some_and(|pin| pin != *a));
            report.pins += pinned;
            let mut unavailable = 0;
            for slot in (a.start..a.start + length).filter(|&slot| slot < slots) {
                unavailable += u64::from(self.venue_off[a.venue * slots + slot]);
                if let Some(instructor) = a.instructor
                    && session.candidate_instructors.contains(&instructor)
                {
                    unavailable += u64::from(self.instructor_off[instructor * slots + slot]);
                }
                for &cohort in &session.cohorts {
                    unavailable += u64::from(self.cohort_off[cohort * slots + slot]);
                }
            }
            report.unavailability += unavailable;
            report.unsuitable += hard - pinned - unavailable;
            for (t, b) in plan.iter().enumerate().skip(s + 1) {
                let other = &problem.sessions[t];
                let both = self.pair(s, a, t, b);
                let precedence = u64::from(
                    session.predecessors.contains(&t) && b.start + other.length.max(1) > a.start,
                ) + u64::from(
                    other.predecessors.contains(&s) && a.start + length > b.start,
                );
                report.precedence += precedence;
                report.overlaps += both - precedence;
            }
        }
        report.soft_costs.add(&self.shared_soft(plan));
        report.soft = report.soft_costs.total();
        report
    }

    /// The soft costs that involve several sessions (spread, isolated, venue change,
    /// travel), computed from scratch as the reference for the incremental ones.
    fn shared_soft(&self, plan: &[Assignment]) -> SoftCosts {
        let problem = self.problem;
        let weights = &problem.weights;
        let per_day = self.per_day;
        let day = |slot: usize| slot / per_day;
        let mut soft = SoftCosts::default();

        let mut group_days = vec![Vec::new(); problem.groups.len()];
        let mut group_venues = vec![Vec::new(); problem.groups.len()];
        for (s, a) in plan.iter().enumerate() {
            if let Some(g) = self.group[s] {
                group_days[g].push(day(a.start));
                group_venues[g].push(a.venue);
            }
        }
        for g in 0..problem.groups.len() {
            for list in [&mut group_days[g], &mut group_venues[g]] {
                list.sort_unstable();
                list.dedup();
            }
            let short = self.group_target[g].saturating_sub(group_days[g].len() as u64);
            soft.spread += weights.spread * short;
            soft.venue_change +=
                weights.venue_change * group_venues[g].len().saturating_sub(1) as u64;
        }

        // Each cohort's day as the intervals its sessions occupy, clipped to the day.
        let mut days: std::collections::BTreeMap<(usize, usize), Vec<(usize, usize)>> =
            Default::default();
        for (s, a) in plan.iter().enumerate() {
            let d = day(a.start);
            let end = (a.start + self.length(s)).min((d + 1) * per_day);
            for &cohort in &self.cohorts[s] {
                days.entry((cohort, d)).or_default().push((a.start, end));
            }
        }
        let mut isolated = 0;
        for intervals in days.values_mut() {
            intervals.sort_unstable();
            // Runs of touching or overlapping intervals: (end, sessions).
            let (mut run_end, mut run_sessions) = (intervals[0].1, 0u64);
            for &(start, end) in intervals.iter() {
                if start > run_end {
                    isolated += u64::from(run_sessions == 1) + (start - run_end) as u64;
                    run_sessions = 0;
                }
                run_end = run_end.max(end);
                run_sessions += 1;
            }
            isolated += u64::from(run_sessions == 1);
        }
        soft.isolated = weights.isolated * isolated;

        let mut by_resource: std::collections::BTreeMap<(bool, usize), Vec<usize>> =
            Default::default();
        for (s, a) in plan.iter().enumerate() {
            if let Some(instructor) = a.instructor {
                by_resource.entry((true, instructor)).or_default().push(s);
            }
            for &cohort in &self.cohorts[s] {
                by_resource.entry((false, cohort)).or_default().push(s);
            }
        }
        let mut travel = 0;
        for sessions in by_resource.values() {
            for &x in sessions {
                for &y in sessions {
                    let (a, b) = (&plan[x], &plan[y]);
                    if x != y
                        && b.start == a.start + self.length(x)
                        && day(b.start) == day(a.start)
                        && problem.venues[a.venue].site != problem.venues[b.venue].site
                    {
                        travel += 1;
                    }
                }
            }
        }
        soft.travel = weights.travel * travel;
        soft
    }

    /// Candidate starts (fitting within a day), venues (of the right kind, or all
    /// when none fits) and instructors of a session.
    fn domain(&self, s: usize) -> (Vec<usize>, Vec<usize>, Vec<Option<usize>>) {
        let problem = self.problem;
        let session = &problem.sessions[s];
        let per_day = self.per_day;
        let length = session.length.max(1);
        let starts: Vec<usize> = (0..problem.calendar.slots())
            .filter(|start| start % per_day + length <= per_day)
            .collect();
        let mut venues: Vec<usize> = (0..problem.venues.len())
            .filter(|&v| problem.venues[v].kind == session.venue_kind)
            .collect();
        if venues.is_empty() {
            venues = (0..problem.venues.len()).collect();
        }
        let instructors = if session.candidate_instructors.is_empty() {
            vec![None]
        } else {
            session
                .candidate_instructors
                .iter()
                .map(|&i| Some(i))
                .collect()
        };
        (
            if starts.is_empty() { vec![0] } else { starts },
            venues,
            instructors,
        )
    }
}

/// Evaluates a timetable; with `previous`, moved sessions add the perturbation
/// penalty and `pins` (indices) must keep their previous assignment.
pub fn evaluate(
    problem: &Problem,
    timetable: &Timetable,
    previous: Option<&Timetable>,
    pins: &[usize],
) -> Report {
    Index::new(problem, previous, pins).report(&timetable.assignments)
}

/// Lists the hard conflicts of a timetable: each session's own (venue kind and
/// capacity, availability, calendars, instructor, one day, pins), then overlaps per
/// shared cohort, instructor or venue, then precedences. See
/// [`Conflict::unavoidable`] for when a conflict cannot be avoided.
pub fn conflicts(
    problem: &Problem,
    timetable: &Timetable,
    previous: Option<&Timetable>,
    pins: &[usize],
) -> Vec<Conflict> {
    let index = Index::new(problem, previous, pins);
    let plan = &timetable.assignments;
    let mut clean: Vec<Option<bool>> = vec![None; plan.len()];
    let mut no_clean_placement =
        |s: usize| *clean[s].get_or_insert_with(|| !index.has_clean_placement(s));
    // A session sitting on its pin: whatever conflict it has there, moving it
    // would break the pin instead.
    let at_pin = |s: usize| index.fixed[s] == Some(plan[s]);
    let mut found = Vec::new();
    for (s, a) in plan.iter().enumerate() {
        for kind in index.unary_conflicts(s, a, true) {
            let unavoidable =
                kind != ConflictKind::PinBroken && (at_pin(s) || no_clean_placement(s));
            found.push(Conflict {
                kind,
                sessions: vec![s],
                unavoidable,
            });
        }
    }
    let sessions = &problem.sessions;
    for (s, a) in plan.iter().enumerate() {
        let first = &sessions[s];
        for (t, b) in plan.iter().enumerate().skip(s + 1) {
            let second = &sessions[t];
            let overlap =
                a.start < b.start + second.length.max(1) && b.start < a.start + first.length.max(1);
            let mut kinds = Vec::new();
            if overlap {
                if first.cohorts.iter().any(|c| second.cohorts.contains(c)) {
                    kinds.push((ConflictKind::CohortOverlap, s, t));
                }
                if a.instructor.is_some() && a.instructor == b.instructor {
                    kinds.push((ConflictKind::InstructorOverlap, s, t));
                }
                if a.venue == b.venue {
                    kinds.push((ConflictKind::VenueOverlap, s, t));
                }
            }
            if first.predecessors.contains(&t) && b.start + second.length.max(1) > a.start {
                kinds.push((ConflictKind::Precedence, s, t));
            }
            if second.predecessors.contains(&s) && a.start + first.length.max(1) > b.start {
                kinds.push((ConflictKind::Precedence, t, s));
            }
            for (kind, later, earlier) in kinds {
                found.push(Conflict {
                    kind,
                    sessions: vec![later, earlier],
                    unavoidable: at_pin(later) && at_pin(earlier),
                });
            }
        }
    }
    found
}

/// Builds a timetable from scratch.
pub fn solve(problem: &Problem, options: &PlanOptions) -> Plan {
    search::run(problem, None, &[], options).0
}

/// Like [`solve`], also saying how the search went (iterations, time to the first
/// timetable without hard violations).
pub fn solve_with_stats(problem: &Problem, options: &PlanOptions) -> (Plan, SearchStats) {
    search::run(problem, None, &[], options)
}

/// Re-plans after `changes`: starts from `previous`, never moves the sessions in
/// `pins` (nor sessions pinned in the problem), and penalises every other moved
/// session by [`Weights::moved_session`]. Returns the new problem's plan and the
/// moved sessions.
pub fn replan(
    problem: &Problem,
    previous: &Timetable,
    changes: &[Change],
    pins: &[usize],
    options: &PlanOptions,
) -> (Problem, Plan) {
    let mut changed = problem.clone();
    for change in changes {
        change.apply(&mut changed);
    }
    let plan = search::run(&changed, Some(previous), pins, options).0;
    (changed, plan)
}
