//! The scheduler in the product: translates the database into the timetabling
//! engine's model (`scheduler::timetable`), runs it, and turns its answers back into
//! draft timetables, their evaluation, moves, pins and publication. Shared by the
//! pages, the API and the command line.
//!
//! The model:
//! - slots: the window's working days (Monday to Friday; a day blocked company-wide
//!   is still a day, but blocked) × [`SLOTS_PER_DAY`] hourly slots from
//!   [`DAY_START_HOUR`]:00 in the company's time zone; a session lasts
//!   ceil(duration / 1 h) slots and keeps its exact duration when placed;
//! - venues: every venue (inactive ones are unavailable throughout, so a session in a
//!   closed venue must move); an online session without a venue gets a virtual,
//!   unlimited online venue of its own (the engine counts any shared venue as an
//!   overlap) that maps back to no venue;
//! - instructors: a session's candidates are its program's active instructors and
//!   its current (first) instructor; only that instructor is scheduled, co-instructors
//!   stay as they are;
//! - cohorts: one per program, merged for programs sharing enrolled learners; blocked
//!   by the learners' sessions outside the scope and by the calendar blocks that apply
//!   (company-wide, or a department whose subtree holds one of the learners);
//! - groups: a program; it should spread over `min_days` = its session count when
//!   every session is a full day (7 h or more), else min(session count, 2) days;
//! - pins: sessions that started or have attendance stay where they are, and so do
//!   the entries pinned by hand.
//!
//! Soft costs are points: money at ¥100 a point (venue rates, instructor fees), so
//! that they stay below the engine's weight of a hard violation (1000).

use crate::Context;
use domain::audit::Actor;
use domain::operations::{Plan, ProgramFilter, ProgramStatus};
use domain::timetables::{
    CalendarBlock, CalendarBlockInput, NewTimetable, SchedSession, SchedulingData, SessionChange,
    TimetableEntry, TimetableFilter, TimetableMode, TimetableRequest, TimetableScope,
    TimetableStatus, TimetableSummary, TimetableTotals,
};
use domain::{DomainError, DomainResult, Page, Paged, Permission, Principal};
use scheduler::timetable::{
    Assignment, Calendar, Cohort, Conflict, ConflictKind, Group, Instructor, PlanOptions, Problem,
    Report, Session, Timetable, Venue, Weights, conflicts, evaluate, replan, solve,
};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration as StdDuration;
use store::prelude::*;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, Weekday};
use utoipa::ToSchema;

/// First hour of the slot grid (local time).
pub const DAY_START_HOUR: u8 = 9;
/// Hourly slots per working day (09:00–17:00).
pub const SLOTS_PER_DAY: usize = 8;
/// Money per cost point, in ¥.
const YUAN_PER_POINT: f64 = 100.0;

/// The weights of the soft constraints, in points.
fn weights() -> Weights {
    Weights {
        capacity_excess: 5,
        venue_cost: 1,
        instructor_cost: 1,
        unpreferred_slot: 5,
        // Above any saving a move could bring, below a hard violation.
        moved_session: 100,
        oversized_venue: 1,
        spread: 20,
        isolated: 5,
        venue_change: 10,
        travel: 10,
    }
}

/// The engine's model of a window, with the way back to records.
pub struct Model {
    pub problem: Problem,
    pub days: Vec<Date>,
    pub timezone: UtcOffset,
    /// Index-aligned with `problem.sessions`.
    pub sessions: Vec<SchedSession>,
    /// Venue index → venue id (None: a virtual online venue).
    pub venue_ids: Vec<Option<i64>>,
    pub venue_names: Vec<String>,
    pub venue_codes: Vec<String>,
    /// Instructor index → (id, code, name).
    pub instructors: Vec<(i64, String, String)>,
    /// The sessions as stored, on the grid.
    pub current: Timetable,
    /// Sessions that started or have attendance: never moved.
    pub locked: Vec<bool>,
    /// program id → (code, title, enrolled learners).
    pub programs: HashMap<i64, (String, String, Vec<i64>)>,
    session_index: HashMap<i64, usize>,
}

fn whole_hours(start: OffsetDateTime, end: OffsetDateTime) -> usize {
    let minutes = (end - start).whole_minutes().max(1);
    ((minutes + 59) / 60) as usize
}

impl Model {
    /// Reads the scope's facts for `[from, to]` (days, company time zone) and builds
    /// the model; `only`: exactly these sessions (a stored draft's).
    pub async fn load(
        ctx: &Context,
        scope: TimetableScope,
        from: Date,
        to: Date,
        only: Option<&[i64]>,
    ) -> DomainResult<Self> {
        let timezone = ctx.settings.timezone;
        let start = from.with_time(Time::MIDNIGHT).assume_offset(timezone);
        let end = (to + Duration::days(1))
            .with_time(Time::MIDNIGHT)
            .assume_offset(timezone);
        let data = ctx.store.scheduling_data(scope, start, end, only).await?;
        Ok(Self::build(
            data,
            from,
            to,
            timezone,
            OffsetDateTime::now_utc(),
        ))
    }

    /// Builds the model from facts (pure; `now` decides which sessions have started).
    // The engine's structs grow new fields while its soft constraints are extended;
    // `..Default::default()` keeps this code compiling when they do.
    #[allow(clippy::needless_update)]
    pub fn build(
        data: SchedulingData,
        from: Date,
        to: Date,
        timezone: UtcOffset,
        now: OffsetDateTime,
    ) -> Self {
        let mut days = Vec::new();
        let mut day = from;
        while day <= to {
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                days.push(day);
            }
            match day.next_day() {
                Some(next) => day = next,
                None => break,
            }
        }
        let calendar = Calendar {
            days: days.len(),
            slots_per_day: SLOTS_PER_DAY,
        };
        let slot_start = |slot: usize| -> OffsetDateTime {
            let day = days[slot / SLOTS_PER_DAY];
            day.with_time(
                Time::from_hms(DAY_START_HOUR + (slot % SLOTS_PER_DAY) as u8, 0, 0)
                    .unwrap_or(Time::MIDNIGHT),
            )
            .assume_offset(timezone)
        };
        let slots_during = |a: OffsetDateTime, b: OffsetDateTime| -> Vec<usize> {
            (0..calendar.slots())
                .filter(|&slot| {
                    let s = slot_start(slot);
                    s < b && a < s + Duration::hours(1)
                })
                .collect()
        };

        // Venues: every venue, inactive ones unavailable throughout.
        let mut venues: Vec<Venue> = Vec::new();
        let mut venue_ids = Vec::new();
        let mut venue_names = Vec::new();
        let mut venue_codes = Vec::new();
        let mut venue_index = HashMap::new();
        for v in &data.venues {
            venue_index.insert(v.id, venues.len());
            let unavailable = if v.active {
                data.venue_busy
                    .iter()
                    .filter(|b| b.owner == v.id)
                    .flat_map(|b| slots_during(b.starts_at, b.ends_at))
                    .collect()
            } else {
                (0..calendar.slots()).collect()
            };
            venues.push(Venue {
                id: v.code.clone(),
                kind: v.kind.clone(),
                capacity: v.capacity.max(0) as usize,
                site: v.site.clone(),
                cost_per_slot: (v.hourly_rate / YUAN_PER_POINT).round().max(0.0) as u64,
                unavailable,
                ..Default::default()
            });
            venue_ids.push(Some(v.id));
            venue_names.push(v.name.clone());
            venue_codes.push(v.code.clone());
        }
        // Instructors: all of them, so any choice on a draft can be evaluated.
        let mut instructors: Vec<Instructor> = Vec::new();
        let mut instructor_rows = Vec::new();
        let mut instructor_index = HashMap::new();
        for i in &data.instructors {
            instructor_index.insert(i.id, instructors.len());
            instructors.push(Instructor {
                id: i.code.clone(),
                unavailable: data
                    .instructor_busy
                    .iter()
                    .filter(|b| b.owner == i.id)
                    .flat_map(|b| slots_during(b.starts_at, b.ends_at))
                    .collect(),
                hourly_cost: (i.hourly_cost / YUAN_PER_POINT).round().max(0.0) as u64,
                ..Default::default()
            });
            instructor_rows.push((i.id, i.code.clone(), i.name.clone()));
        }
        let active_instructor: HashMap<i64, bool> =
            data.instructors.iter().map(|i| (i.id, i.active)).collect();

        // Cohorts: programs sharing enrolled learners share one.
        let program_count = data.programs.len();
        let mut parent: Vec<usize> = (0..program_count).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        let mut first_program_of: HashMap<i64, usize> = HashMap::new();
        for (p, program) in data.programs.iter().enumerate() {
            for learner in &program.learners {
                match first_program_of.get(learner) {
                    Some(&q) => {
                        let (a, b) = (root(&mut parent, p), root(&mut parent, q));
                        parent[a] = b;
                    }
                    None => {
                        first_program_of.insert(*learner, p);
                    }
                }
            }
        }
        let mut cohort_of_root: HashMap<usize, usize> = HashMap::new();
        let mut cohort_of_program: Vec<usize> = Vec::with_capacity(program_count);
        let mut cohort_members: Vec<Vec<usize>> = Vec::new();
        for p in 0..program_count {
            let r = root(&mut parent, p);
            let c = *cohort_of_root.entry(r).or_insert_with(|| {
                cohort_members.push(Vec::new());
                cohort_members.len() - 1
            });
            cohort_members[c].push(p);
            cohort_of_program.push(c);
        }
        let mut cohorts: Vec<Cohort> = Vec::new();
        for members in &cohort_members {
            let learners: BTreeSet<i64> = members
                .iter()
                .flat_map(|&p| data.programs[p].learners.iter().copied())
                .collect();
            let paths: Vec<&String> = members
                .iter()
                .flat_map(|&p| data.programs[p].learner_paths.iter())
                .collect();
            let mut blocked: BTreeSet<usize> = data
                .learner_busy
                .iter()
                .filter(|b| learners.contains(&b.owner))
                .flat_map(|b| slots_during(b.starts_at, b.ends_at))
                .collect();
            for block in &data.blocks {
                let applies = match &block.department_path {
                    None => true,
                    Some(path) => paths.iter().any(|p| p.starts_with(path.as_str())),
                };
                if !applies {
                    continue;
                }
                for (d, day) in days.iter().enumerate() {
                    if *day < block.starts_on || *day > block.ends_on {
                        continue;
                    }
                    for h in 0..SLOTS_PER_DAY {
                        let (slot_from, slot_to) = (
                            (usize::from(DAY_START_HOUR) + h) as i32 * 60,
                            (usize::from(DAY_START_HOUR) + h + 1) as i32 * 60,
                        );
                        let hit = match (block.daily_from, block.daily_to) {
                            (Some(a), Some(b)) => a < slot_to && slot_from < b,
                            _ => true,
                        };
                        if hit {
                            blocked.insert(d * SLOTS_PER_DAY + h);
                        }
                    }
                }
            }
            let names: Vec<&str> = members
                .iter()
                .map(|&p| data.programs[p].code.as_str())
                .collect();
            cohorts.push(Cohort {
                id: names.join("+"),
                blocked: blocked.into_iter().collect(),
            });
        }

        // Sessions, with their place on the grid as stored.
        let program_index: HashMap<i64, usize> = data
            .programs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id, i))
            .collect();
        let to_start = |start: OffsetDateTime, length: usize| -> usize {
            if days.is_empty() {
                return 0;
            }
            let local = start.to_offset(timezone);
            let d = days
                .iter()
                .position(|day| *day >= local.date())
                .unwrap_or(days.len() - 1);
            let latest = SLOTS_PER_DAY.saturating_sub(length) as i64;
            let h = (i64::from(local.hour()) - i64::from(DAY_START_HOUR)).clamp(0, latest.max(0));
            d * SLOTS_PER_DAY + h as usize
        };
        let mut sessions = Vec::new();
        let mut current = Vec::new();
        let mut locked = Vec::new();
        let mut last_of_program: HashMap<i64, usize> = HashMap::new();
        let mut group_sizes: Vec<(usize, bool)> = vec![(0, true); program_count];
        for (s, session) in data.sessions.iter().enumerate() {
            let p = program_index.get(&session.program_id).copied();
            let program = p.map(|p| &data.programs[p]);
            let length = whole_hours(session.starts_at, session.ends_at);
            let online = session.mode == "online";
            let venue = match session.venue_id.and_then(|v| venue_index.get(&v).copied()) {
                Some(v) => v,
                None => {
                    // A virtual online venue of its own.
                    venues.push(Venue {
                        id: format!("online-{}", session.id),
                        kind: "online".into(),
                        capacity: 100_000,
                        site: String::new(),
                        ..Default::default()
                    });
                    venue_ids.push(None);
                    venue_names.push(String::new());
                    venue_codes.push(String::new());
                    venues.len() - 1
                }
            };
            let venue_kind = if online {
                "online".to_string()
            } else {
                venues[venue].kind.clone()
            };
            let instructor = session
                .instructor_ids
                .first()
                .and_then(|i| instructor_index.get(i).copied());
            let mut candidates: Vec<usize> = program
                .map(|p| {
                    p.instructor_ids
                        .iter()
                        .filter(|i| active_instructor.get(i).copied().unwrap_or(false))
                        .filter_map(|i| instructor_index.get(i).copied())
                        .collect()
                })
                .unwrap_or_default();
            if let Some(i) = instructor
                && !candidates.contains(&i)
            {
                candidates.push(i);
            }
            let learners = program
                .map(|p| {
                    if p.learners.is_empty() {
                        p.capacity.unwrap_or(0).max(0) as usize
                    } else {
                        p.learners.len()
                    }
                })
                .unwrap_or(0);
            let assignment = Assignment {
                start: to_start(session.starts_at, length),
                venue,
                instructor: instructor.filter(|_| !candidates.is_empty()),
            };
            let started = session.starts_at <= now || session.attended;
            let predecessors = last_of_program
                .insert(session.program_id, s)
                .map(|previous| vec![previous])
                .unwrap_or_default();
            if let Some(p) = p {
                group_sizes[p].0 += 1;
                group_sizes[p].1 &= length + 1 >= SLOTS_PER_DAY;
            }
            sessions.push(Session {
                id: format!("{}", session.id),
                length,
                venue_kind,
                learners,
                strict_capacity: program.is_some_and(|p| p.strict_venue_capacity),
                cohorts: p.map(|p| vec![cohort_of_program[p]]).unwrap_or_default(),
                candidate_instructors: candidates,
                predecessors,
                pinned: started.then_some(assignment),
                group: p,
                ..Default::default()
            });
            current.push(assignment);
            locked.push(started);
        }
        let groups = data
            .programs
            .iter()
            .zip(&group_sizes)
            .map(|(program, &(count, full_days))| Group {
                id: program.code.clone(),
                min_days: if full_days { count } else { count.min(2) },
                ..Default::default()
            })
            .collect();
        let session_index = data
            .sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        let programs = data
            .programs
            .iter()
            .map(|p| (p.id, (p.code.clone(), p.title.clone(), p.learners.clone())))
            .collect();
        Self {
            problem: Problem {
                calendar,
                sessions,
                venues,
                instructors,
                cohorts,
                groups,
                weights: weights(),
            },
            days,
            timezone,
            sessions: data.sessions,
            venue_ids,
            venue_names,
            venue_codes,
            instructors: instructor_rows,
            current: Timetable {
                assignments: current,
            },
            locked,
            programs,
            session_index,
        }
    }

    /// The start of a slot.
    pub fn slot_start(&self, slot: usize) -> OffsetDateTime {
        let day = self.days[(slot / SLOTS_PER_DAY).min(self.days.len().saturating_sub(1))];
        day.with_time(
            Time::from_hms(DAY_START_HOUR + (slot % SLOTS_PER_DAY) as u8, 0, 0)
                .unwrap_or(Time::MIDNIGHT),
        )
        .assume_offset(self.timezone)
    }

    /// The slot a start time falls on, when it is on the hour of a working day of the
    /// window between the grid's first and last hour.
    pub fn slot_of(&self, start: OffsetDateTime) -> Option<usize> {
        let local = start.to_offset(self.timezone);
        let d = self.days.iter().position(|day| *day == local.date())?;
        let h = i64::from(local.hour()) - i64::from(DAY_START_HOUR);
        (local.minute() == 0 && local.second() == 0 && (0..SLOTS_PER_DAY as i64).contains(&h))
            .then(|| d * SLOTS_PER_DAY + h as usize)
    }

    fn venue_index(&self, s: usize, venue_id: Option<i64>) -> usize {
        match venue_id {
            Some(id) => self
                .venue_ids
                .iter()
                .position(|v| *v == Some(id))
                .unwrap_or(self.current.assignments[s].venue),
            // No venue: the session's own virtual online venue, if it has one.
            None => {
                let own = format!("online-{}", self.sessions[s].id);
                self.problem
                    .venues
                    .iter()
                    .position(|v| v.id == own)
                    .unwrap_or(self.current.assignments[s].venue)
            }
        }
    }

    fn instructor_index(&self, id: i64) -> Option<usize> {
        self.instructors.iter().position(|(i, _, _)| *i == id)
    }

    /// The engine's timetable of stored entries (a session without an entry keeps its
    /// stored place), and the problem with the entries' pins.
    pub fn from_entries(&self, entries: &[TimetableEntry]) -> (Problem, Timetable) {
        let mut problem = self.problem.clone();
        let mut plan = self.current.clone();
        for e in entries {
            let Some(&s) = self.session_index.get(&e.session_id) else {
                continue;
            };
            let length = problem.sessions[s].length;
            let start = if e.starts_at == e.was_starts_at {
                self.current.assignments[s].start
            } else {
                self.slot_of(e.starts_at).unwrap_or_else(|| {
                    // Off the grid: the nearest slot of that day.
                    let local = e.starts_at.to_offset(self.timezone);
                    let d = self
                        .days
                        .iter()
                        .position(|day| *day >= local.date())
                        .unwrap_or(self.days.len().saturating_sub(1));
                    let h = (i64::from(local.hour()) - i64::from(DAY_START_HOUR))
                        .clamp(0, SLOTS_PER_DAY.saturating_sub(length) as i64);
                    d * SLOTS_PER_DAY + h as usize
                })
            };
            let assignment = Assignment {
                start,
                venue: self.venue_index(s, e.venue_id),
                instructor: e.instructor_id.and_then(|i| self.instructor_index(i)),
            };
            plan.assignments[s] = assignment;
            if e.pinned || self.locked[s] {
                problem.sessions[s].pinned = Some(assignment);
            }
        }
        (problem, plan)
    }

    /// Start and end of session `s` at `a`: its stored times when it keeps its slot,
    /// else the slot's start and its own duration.
    fn times(&self, s: usize, a: &Assignment) -> (OffsetDateTime, OffsetDateTime) {
        let session = &self.sessions[s];
        if a.start == self.current.assignments[s].start {
            (session.starts_at, session.ends_at)
        } else {
            let start = self.slot_start(a.start);
            (start, start + (session.ends_at - session.starts_at))
        }
    }

    /// Entries of an engine timetable (pins as given), each with the session as stored.
    pub fn entries(&self, plan: &Timetable, pinned: &dyn Fn(usize) -> bool) -> Vec<TimetableEntry> {
        self.sessions
            .iter()
            .enumerate()
            .map(|(s, session)| {
                let a = &plan.assignments[s];
                let (starts_at, ends_at) = self.times(s, a);
                let venue_id = self.venue_ids[a.venue];
                TimetableEntry {
                    session_id: session.id,
                    starts_at,
                    ends_at,
                    // A session that is not online always keeps a venue.
                    venue_id: if venue_id.is_none() && session.mode != "online" {
                        session.venue_id
                    } else {
                        venue_id
                    },
                    instructor_id: a.instructor.map(|i| self.instructors[i].0),
                    pinned: pinned(s) || self.locked[s],
                    was_starts_at: session.starts_at,
                    was_ends_at: session.ends_at,
                    was_venue_id: session.venue_id,
                    was_instructor_id: session.instructor_ids.first().copied(),
                    session_updated_at: session.updated_at,
                }
            })
            .collect()
    }
}

// ----- views --------------------------------------------------------------------------

/// One line of the cost breakdown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostLineView {
    /// overlaps, unavailability, unsuitable, precedence, pins (hard: violations) or
    /// capacity_excess, oversized_venue, venue_cost, instructor_cost, unpreferred_slot,
    /// spread, isolated, venue_change, travel, moved_session (soft: points).
    pub key: String,
    pub hard: bool,
    pub cost: u64,
}

fn lines(report: &Report) -> Vec<CostLineView> {
    report
        .lines()
        .into_iter()
        .map(|l| CostLineView {
            key: l.key.into(),
            hard: l.hard,
            cost: l.cost,
        })
        .collect()
}

/// A hard conflict the timetable could not avoid, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConflictView {
    /// cohort_overlap, instructor_overlap, venue_overlap, instructor_unavailable,
    /// venue_unavailable, cohort_blocked, wrong_venue_kind, over_capacity,
    /// no_instructor, spans_days, precedence or pin_broken.
    pub kind: String,
    /// The sessions involved (the later one first for overlaps and precedences).
    pub session_ids: Vec<i64>,
    pub titles: Vec<String>,
    /// No placement at all meets the first session's own constraints.
    pub unavoidable: bool,
}

/// One placed session of a draft, as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    pub session_id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub ends_at: OffsetDateTime,
    pub venue_code: Option<String>,
    pub venue_name: Option<String>,
    pub instructor_code: Option<String>,
    pub instructor_name: Option<String>,
    pub pinned: bool,
    /// Started or attended: it cannot move.
    pub locked: bool,
    /// Placed differently from the current timetable.
    pub changed: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub was_starts_at: OffsetDateTime,
    pub was_venue_name: Option<String>,
    pub was_instructor_name: Option<String>,
    /// The session changed since the draft was made (or was cancelled).
    pub stale: bool,
    /// Conflict kinds this entry is part of.
    pub conflicts: Vec<String>,
}

/// The difference from the current timetable.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiffView {
    /// Sessions moved (time, venue or instructor).
    pub moved: usize,
    /// Enrolled learners of the moved sessions' programs.
    pub learners: usize,
    /// Instructors of the moved sessions, before and after.
    pub instructors: usize,
}

/// A draft timetable evaluated against today's facts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftView {
    #[schema(value_type = Object)]
    pub timetable: TimetableSummary,
    pub entries: Vec<EntryView>,
    /// Hard violations and soft points now.
    pub hard: u64,
    pub soft: u64,
    pub lines: Vec<CostLineView>,
    pub conflicts: Vec<ConflictView>,
    pub diff: DiffView,
    /// Sessions that changed after the draft was made.
    pub stale: Vec<i64>,
}

struct Evaluated {
    report: Report,
    found: Vec<Conflict>,
}

fn evaluate_model(
    model: &Model,
    mode: TimetableMode,
    problem: &Problem,
    plan: &Timetable,
) -> Evaluated {
    // A repair counts every move against the current timetable.
    let previous = (mode == TimetableMode::Repair).then_some(&model.current);
    Evaluated {
        report: evaluate(problem, plan, previous, &[]),
        found: conflicts(problem, plan, previous, &[]),
    }
}

fn totals(baseline: (i64, i64), evaluated: &Evaluated) -> TimetableTotals {
    TimetableTotals {
        baseline_hard: baseline.0,
        baseline_soft: baseline.1,
        hard: evaluated.report.hard() as i64,
        soft: evaluated.report.soft as i64,
        report: serde_json::to_string(&lines(&evaluated.report)).unwrap_or_else(|_| "[]".into()),
    }
}

fn conflict_kind(kind: ConflictKind) -> String {
    kind.code().to_string()
}

async fn run_solver(
    problem: Problem,
    previous: Option<Timetable>,
    seed: u64,
    time_limit_secs: u32,
) -> DomainResult<Timetable> {
    let options = PlanOptions {
        time_limit: StdDuration::from_secs(u64::from(time_limit_secs)),
        seed,
        ..PlanOptions::default()
    };
    tokio::task::spawn_blocking(move || match previous {
        Some(previous) => replan(&problem, &previous, &[], &[], &options).1.timetable,
        None => solve(&problem, &options).timetable,
    })
    .await
    .map_err(|e| DomainError::internal_from("the solver stopped", e))
}

/// Generates a draft timetable for a request; returns its id.
pub async fn generate(
    ctx: &Context,
    request: &TimetableRequest,
    actor: &Actor,
) -> DomainResult<i64> {
    let request = request.validated()?;
    let scope = ctx.store.timetable_scope(&request).await?;
    let model = Model::load(ctx, scope, request.from, request.to, None).await?;
    if model.sessions.is_empty() {
        return Err(DomainError::invalid(
            "from",
            "no scheduled session of the scope starts in this window",
        ));
    }
    if model.days.is_empty() {
        return Err(DomainError::invalid("to", "the window has no working day"));
    }
    let seed = request.seed.unwrap_or(0);
    let limit = request
        .time_limit_secs
        .unwrap_or(domain::timetables::DEFAULT_TIME_LIMIT);
    let before = evaluate_model(&model, request.mode, &model.problem, &model.current);
    let previous = (request.mode == TimetableMode::Repair).then(|| model.current.clone());
    let plan = run_solver(model.problem.clone(), previous, seed, limit).await?;
    let after = evaluate_model(&model, request.mode, &model.problem, &plan);
    let new = NewTimetable {
        scope,
        from: request.from,
        to: request.to,
        mode: request.mode,
        seed,
        time_limit_secs: limit,
        totals: totals(
            (before.report.hard() as i64, before.report.soft as i64),
            &after,
        ),
        entries: model.entries(&plan, &|_| false),
    };
    ctx.store.create_timetable(&new, actor).await
}

async fn load_draft(
    ctx: &Context,
    id: i64,
) -> DomainResult<(TimetableSummary, Vec<TimetableEntry>, Model)> {
    let (summary, entries) = ctx.store.timetable(id).await?;
    let ids: Vec<i64> = entries.iter().map(|e| e.session_id).collect();
    let model = Model::load(
        ctx,
        summary.scope(),
        summary.window_from,
        summary.window_to,
        Some(&ids),
    )
    .await?;
    Ok((summary, entries, model))
}

fn view(summary: TimetableSummary, entries: &[TimetableEntry], model: &Model) -> DraftView {
    let (problem, plan) = model.from_entries(entries);
    let evaluated = evaluate_model(model, summary.mode, &problem, &plan);
    let id_of = |s: usize| model.sessions[s].id;
    let title_of = |s: usize| {
        let session = &model.sessions[s];
        let program = model
            .programs
            .get(&session.program_id)
            .map(|p| p.1.as_str())
            .unwrap_or_default();
        format!("{program} · {}", session.title)
    };
    let mut by_session: HashMap<i64, Vec<String>> = HashMap::new();
    let conflicts: Vec<ConflictView> = evaluated
        .found
        .iter()
        .map(|c| {
            for &s in &c.sessions {
                let kinds = by_session.entry(id_of(s)).or_default();
                let kind = conflict_kind(c.kind);
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            ConflictView {
                kind: conflict_kind(c.kind),
                session_ids: c.sessions.iter().map(|&s| id_of(s)).collect(),
                titles: c.sessions.iter().map(|&s| title_of(s)).collect(),
                unavoidable: c.unavoidable,
            }
        })
        .collect();
    let venue_name = |id: Option<i64>| -> (Option<String>, Option<String>) {
        match id.and_then(|id| model.venue_ids.iter().position(|v| *v == Some(id))) {
            Some(i) => (
                Some(model.venue_codes[i].clone()),
                Some(model.venue_names[i].clone()),
            ),
            None => (None, None),
        }
    };
    let instructor = |id: Option<i64>| -> (Option<String>, Option<String>) {
        match id.and_then(|id| model.instructors.iter().find(|i| i.0 == id)) {
            Some((_, code, name)) => (Some(code.clone()), Some(name.clone())),
            None => (None, None),
        }
    };
    let mut stale = Vec::new();
    let mut learners: BTreeSet<i64> = BTreeSet::new();
    let mut teachers: BTreeSet<i64> = BTreeSet::new();
    let mut moved = 0;
    let mut rows = Vec::new();
    for e in entries {
        let session = model
            .session_index
            .get(&e.session_id)
            .map(|&s| (s, &model.sessions[s]));
        let is_stale = session.is_none_or(|(_, s)| s.updated_at != e.session_updated_at);
        if is_stale {
            stale.push(e.session_id);
        }
        let (program_id, title) = session
            .map(|(_, s)| (s.program_id, s.title.clone()))
            .unwrap_or((0, format!("#{}", e.session_id)));
        let (program_code, program_title) = model
            .programs
            .get(&program_id)
            .map(|p| (p.0.clone(), p.1.clone()))
            .unwrap_or_default();
        if e.changed() {
            moved += 1;
            if let Some(p) = model.programs.get(&program_id) {
                learners.extend(p.2.iter().copied());
            }
            teachers.extend(e.instructor_id);
            teachers.extend(e.was_instructor_id);
        }
        let (venue_code, venue) = venue_name(e.venue_id);
        let (instructor_code, instructor_name) = instructor(e.instructor_id);
        rows.push(EntryView {
            session_id: e.session_id,
            program_id,
            program_code,
            program_title,
            title,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            venue_code,
            venue_name: venue,
            instructor_code,
            instructor_name,
            pinned: e.pinned,
            locked: session.is_some_and(|(s, _)| model.locked[s]),
            changed: e.changed(),
            was_starts_at: e.was_starts_at,
            was_venue_name: venue_name(e.was_venue_id).1,
            was_instructor_name: instructor(e.was_instructor_id).1,
            stale: is_stale,
            conflicts: by_session.remove(&e.session_id).unwrap_or_default(),
        });
    }
    DraftView {
        hard: evaluated.report.hard(),
        soft: evaluated.report.soft,
        lines: lines(&evaluated.report),
        conflicts,
        diff: DiffView {
            moved,
            learners: learners.len(),
            instructors: teachers.len(),
        },
        stale,
        timetable: summary,
        entries: rows,
    }
}

/// A draft (or published) timetable with its evaluation, conflicts and diff.
pub async fn draft_view(ctx: &Context, id: i64) -> DomainResult<DraftView> {
    let (summary, entries, model) = load_draft(ctx, id).await?;
    Ok(view(summary, &entries, &model))
}

/// A move or pin of one entry, as typed: every part optional.
#[derive(Debug, Clone, Default)]
pub struct EntryChange {
    pub starts_at: Option<OffsetDateTime>,
    /// A venue code; `Some("")`: no venue (online sessions only).
    pub venue_code: Option<String>,
    /// An instructor code; `Some("")`: no instructor.
    pub instructor_code: Option<String>,
    pub pinned: Option<bool>,
}

fn require_draft(summary: &TimetableSummary) -> DomainResult<()> {
    if summary.status == TimetableStatus::Draft {
        Ok(())
    } else {
        Err(DomainError::Conflict(format!(
            "the timetable is {}, not a draft",
            summary.status.code()
        )))
    }
}

/// Moves or pins one entry of a draft, saves it and returns the re-evaluated draft.
/// A move into a conflicting place is kept and flagged; malformed input is a 422
/// naming the field, with nothing written.
pub async fn change_entry(
    ctx: &Context,
    id: i64,
    session_id: i64,
    change: &EntryChange,
    actor: &Actor,
) -> DomainResult<DraftView> {
    let (summary, mut entries, model) = load_draft(ctx, id).await?;
    require_draft(&summary)?;
    let position = entries
        .iter()
        .position(|e| e.session_id == session_id)
        .ok_or(DomainError::NotFound {
            entity: "timetable entry",
        })?;
    let s = model
        .session_index
        .get(&session_id)
        .copied()
        .ok_or_else(|| {
            DomainError::Conflict("the session changed or was cancelled; the draft is stale".into())
        })?;
    let moving = change.starts_at.is_some()
        || change.venue_code.is_some()
        || change.instructor_code.is_some();
    if moving && model.locked[s] {
        return Err(DomainError::invalid(
            "session_id",
            "the session has started or has attendance; it stays where it is",
        ));
    }
    let mut entry = entries[position].clone();
    if let Some(start) = change.starts_at {
        if model.slot_of(start).is_none() {
            return Err(DomainError::invalid(
                "starts_at",
                format!(
                    "must be on the hour between {:02}:00 and {:02}:00 on a working day from {} to {}",
                    DAY_START_HOUR,
                    usize::from(DAY_START_HOUR) + SLOTS_PER_DAY - 1,
                    summary.window_from,
                    summary.window_to
                ),
            ));
        }
        let duration = entry.ends_at - entry.starts_at;
        entry.starts_at = start;
        entry.ends_at = start + duration;
    }
    if let Some(code) = &change.venue_code {
        let code = code.trim();
        if code.is_empty() {
            if model.sessions[s].mode != "online" {
                return Err(DomainError::invalid(
                    "venue_code",
                    "a session held on site needs a venue",
                ));
            }
            entry.venue_id = None;
        } else {
            let i = model
                .venue_codes
                .iter()
                .position(|c| c == code)
                .filter(|&i| model.venue_ids[i].is_some())
                .ok_or_else(|| {
                    DomainError::invalid("venue_code", format!("no venue has the code '{code}'"))
                })?;
            entry.venue_id = model.venue_ids[i];
        }
    }
    if let Some(code) = &change.instructor_code {
        let code = code.trim();
        entry.instructor_id = if code.is_empty() {
            None
        } else {
            Some(
                model
                    .instructors
                    .iter()
                    .find(|(_, c, _)| c == code)
                    .map(|i| i.0)
                    .ok_or_else(|| {
                        DomainError::invalid(
                            "instructor_code",
                            format!("no instructor has the code '{code}'"),
                        )
                    })?,
            )
        };
    }
    if let Some(pinned) = change.pinned {
        entry.pinned = pinned || model.locked[s];
    }
    entries[position] = entry.clone();
    let (problem, plan) = model.from_entries(&entries);
    let evaluated = evaluate_model(&model, summary.mode, &problem, &plan);
    let totals = totals((summary.baseline_hard, summary.baseline_soft), &evaluated);
    let action = if moving {
        "timetables.entry_move"
    } else {
        "timetables.entry_pin"
    };
    ctx.store
        .save_timetable_entries(id, std::slice::from_ref(&entry), &totals, action, actor)
        .await?;
    let (summary, entries) = ctx.store.timetable(id).await?;
    Ok(view(summary, &entries, &model))
}

/// Re-runs the solver on a draft, keeping its pins (a fresh draft solves again, a
/// repair repairs the current timetable again).
pub async fn resolve(ctx: &Context, id: i64, actor: &Actor) -> DomainResult<DraftView> {
    let (summary, entries, model) = load_draft(ctx, id).await?;
    require_draft(&summary)?;
    let (problem, _) = model.from_entries(&entries);
    let previous = (summary.mode == TimetableMode::Repair).then(|| model.current.clone());
    let plan = run_solver(
        problem.clone(),
        previous,
        summary.seed,
        summary.time_limit_secs,
    )
    .await?;
    let evaluated = evaluate_model(&model, summary.mode, &problem, &plan);
    let pinned: HashMap<i64, bool> = entries.iter().map(|e| (e.session_id, e.pinned)).collect();
    let fresh: Vec<TimetableEntry> = model
        .entries(&plan, &|s| {
            pinned.get(&model.sessions[s].id).copied().unwrap_or(false)
        })
        .into_iter()
        .filter(|e| pinned.contains_key(&e.session_id))
        .collect();
    let totals = totals((summary.baseline_hard, summary.baseline_soft), &evaluated);
    ctx.store
        .save_timetable_entries(id, &fresh, &totals, "timetables.resolve", actor)
        .await?;
    let (summary, entries) = ctx.store.timetable(id).await?;
    Ok(view(summary, &entries, &model))
}

/// What publishing did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Published {
    pub sessions_moved: usize,
    /// Inbox notifications written.
    pub notified: usize,
    pub hard_conflicts: u64,
}

/// Publishes a draft: 409 when it is not a draft, is stale, or keeps hard conflicts
/// without `anyway`.
pub async fn publish(
    ctx: &Context,
    id: i64,
    anyway: bool,
    actor: &Actor,
) -> DomainResult<Published> {
    let (summary, entries, model) = load_draft(ctx, id).await?;
    require_draft(&summary)?;
    let current = view(summary, &entries, &model);
    if !current.stale.is_empty() {
        return Err(DomainError::Conflict(format!(
            "{} session(s) changed after the draft was made; the draft is stale, generate a new one",
            current.stale.len()
        )));
    }
    if current.hard > 0 && !anyway {
        return Err(DomainError::Conflict(format!(
            "the timetable keeps {} hard conflict(s); publish anyway to keep them",
            current.hard
        )));
    }
    let changes: Vec<SessionChange> = entries
        .iter()
        .filter(|e| e.changed())
        .filter_map(|e| {
            let &s = model.session_index.get(&e.session_id)?;
            let session = &model.sessions[s];
            let venue_name = e
                .venue_id
                .and_then(|v| model.venue_ids.iter().position(|x| *x == Some(v)))
                .map(|i| model.venue_names[i].clone());
            Some(SessionChange {
                entry: e.clone(),
                program_id: session.program_id,
                program_title: model
                    .programs
                    .get(&session.program_id)
                    .map(|p| p.1.clone())
                    .unwrap_or_default(),
                session_title: session.title.clone(),
                venue_name,
                instructor_name: e
                    .instructor_id
                    .and_then(|i| model.instructors.iter().find(|x| x.0 == i))
                    .map(|x| x.2.clone()),
            })
        })
        .collect();
    let notified = ctx
        .store
        .publish_timetable(id, &entries, &changes, current.hard as i64, anyway, actor)
        .await?;
    Ok(Published {
        sessions_moved: changes.len(),
        notified,
        hard_conflicts: current.hard,
    })
}

// ----- the use cases of a person (the CLI calls the functions above directly) ----------

/// Timetables and working calendars are kept by programme staff.
fn require_scheduler(principal: &Principal) -> DomainResult<()> {
    crate::access::require(principal, Permission::ManagePrograms)
}

/// Draft and published timetables, newest first.
pub async fn list_timetables(
    ctx: &Context,
    principal: &Principal,
    filter: &TimetableFilter,
    page: Page,
) -> DomainResult<Paged<TimetableSummary>> {
    require_scheduler(principal)?;
    ctx.store.list_timetables(filter, page).await
}

/// The timetable list page: the timetables and the plans to filter by.
pub async fn timetable_list(
    ctx: &Context,
    principal: &Principal,
    filter: &TimetableFilter,
    page: Page,
) -> DomainResult<(Paged<TimetableSummary>, Vec<Plan>)> {
    let timetables = list_timetables(ctx, principal, filter, page).await?;
    Ok((timetables, ctx.store.list_plans().await?))
}

/// What a new draft can be made for: the plans, and the (code, title) of the draft,
/// open and running programs.
pub async fn timetable_choices(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<(Vec<Plan>, Vec<(String, String)>)> {
    require_scheduler(principal)?;
    let mut programs = Vec::new();
    for s in [
        ProgramStatus::Draft,
        ProgramStatus::Open,
        ProgramStatus::Running,
    ] {
        let filter = ProgramFilter {
            status: Some(s),
            ..ProgramFilter::default()
        };
        let page = ctx
            .store
            .list_programs(&filter, Page::new(Some(1), Some(Page::MAX_PER_PAGE)))
            .await?;
        programs.extend(page.items.into_iter().map(|p| (p.code, p.title)));
    }
    Ok((ctx.store.list_plans().await?, programs))
}

/// Generates a draft timetable (see [`generate`]) and returns it.
pub async fn generate_timetable(
    ctx: &Context,
    principal: &Principal,
    request: &TimetableRequest,
    actor: &Actor,
) -> DomainResult<DraftView> {
    require_scheduler(principal)?;
    let id = generate(ctx, request, actor).await?;
    draft_view(ctx, id).await
}

/// A timetable with its evaluation, conflicts and diff.
pub async fn get_timetable(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<DraftView> {
    require_scheduler(principal)?;
    draft_view(ctx, id).await
}

/// A timetable and what a move may choose from: the (code, name) of the active venues
/// and instructors.
pub struct TimetableWorkbench {
    pub view: DraftView,
    pub venues: Vec<(String, String)>,
    pub instructors: Vec<(String, String)>,
}

/// A timetable as its page shows it.
pub async fn timetable_workbench(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<TimetableWorkbench> {
    let view = get_timetable(ctx, principal, id).await?;
    let venues = ctx
        .store
        .list_venues()
        .await?
        .into_iter()
        .filter(|v| v.active)
        .map(|v| (v.code, v.name))
        .collect();
    let instructors = ctx
        .store
        .list_instructors()
        .await?
        .into_iter()
        .filter(|i| i.active)
        .map(|i| (i.code, i.name))
        .collect();
    Ok(TimetableWorkbench {
        view,
        venues,
        instructors,
    })
}

/// Moves or pins one entry of a draft (see [`change_entry`]).
pub async fn change_timetable_entry(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    session_id: i64,
    change: &EntryChange,
    actor: &Actor,
) -> DomainResult<DraftView> {
    require_scheduler(principal)?;
    change_entry(ctx, id, session_id, change, actor).await
}

/// Runs the solver again on a draft, keeping its pins (see [`resolve`]).
pub async fn resolve_timetable(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<DraftView> {
    require_scheduler(principal)?;
    resolve(ctx, id, actor).await
}

/// Publishes a draft (see [`publish`]).
pub async fn publish_timetable(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    anyway: bool,
    actor: &Actor,
) -> DomainResult<Published> {
    require_scheduler(principal)?;
    publish(ctx, id, anyway, actor).await
}

/// Discards a draft.
pub async fn discard_timetable(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<()> {
    require_scheduler(principal)?;
    ctx.store.discard_timetable(id, actor).await
}

/// Working-calendar blocks, latest first.
pub async fn list_calendar_blocks(
    ctx: &Context,
    principal: &Principal,
    page: Page,
) -> DomainResult<Paged<CalendarBlock>> {
    require_scheduler(principal)?;
    ctx.store.list_calendar_blocks(None, page).await
}

/// Adds a working-calendar block.
pub async fn create_calendar_block(
    ctx: &Context,
    principal: &Principal,
    input: &CalendarBlockInput,
    actor: &Actor,
) -> DomainResult<i64> {
    require_scheduler(principal)?;
    ctx.store.create_calendar_block(input, actor).await
}

/// Removes a working-calendar block.
pub async fn delete_calendar_block(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<()> {
    require_scheduler(principal)?;
    ctx.store.delete_calendar_block(id, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::timetables::{
        Busy, CalendarBlock, CalendarBlockKind, SchedInstructor, SchedProgram, SchedVenue,
    };
    use time::macros::{date, datetime};

    fn data() -> SchedulingData {
        let at = |t: OffsetDateTime| t;
        SchedulingData {
            sessions: (0..2)
                .map(|i| SchedSession {
                    id: 10 + i,
                    program_id: 1,
                    title: format!("S{i}"),
                    starts_at: at(datetime!(2026-03-02 09:00 +8)),
                    ends_at: at(datetime!(2026-03-02 12:00 +8)),
                    mode: "classroom".into(),
                    venue_id: Some(5),
                    updated_at: datetime!(2026-01-01 00:00 UTC),
                    attended: false,
                    instructor_ids: vec![7],
                })
                .collect(),
            programs: vec![SchedProgram {
                id: 1,
                code: "P".into(),
                title: "Program".into(),
                capacity: Some(20),
                strict_venue_capacity: true,
                learners: vec![100, 101],
                learner_paths: vec!["/1/2/".into()],
                instructor_ids: vec![7],
            }],
            venues: vec![SchedVenue {
                id: 5,
                code: "R1".into(),
                name: "Room".into(),
                site: "HQ".into(),
                kind: "classroom".into(),
                capacity: 30,
                active: true,
                hourly_rate: 300.0,
            }],
            instructors: vec![SchedInstructor {
                id: 7,
                code: "I".into(),
                name: "Teacher".into(),
                hourly_cost: 200.0,
                active: true,
            }],
            venue_busy: vec![],
            instructor_busy: vec![Busy {
                owner: 7,
                starts_at: datetime!(2026-03-03 09:00 +8),
                ends_at: datetime!(2026-03-03 17:00 +8),
            }],
            learner_busy: vec![],
            blocks: vec![CalendarBlock {
                id: 1,
                starts_on: date!(2026 - 03 - 04),
                ends_on: date!(2026 - 03 - 04),
                department_code: None,
                department_name: None,
                department_path: Some("/1/".into()),
                kind: CalendarBlockKind::Holiday,
                note: String::new(),
                daily_from: Some(12 * 60),
                daily_to: Some(14 * 60),
            }],
        }
    }

    #[test]
    fn the_model_follows_the_grid_and_the_calendar() {
        let tz = UtcOffset::from_hms(8, 0, 0).unwrap();
        // Monday 2 to Sunday 8 March: five working days.
        let model = Model::build(
            data(),
            date!(2026 - 03 - 02),
            date!(2026 - 03 - 08),
            tz,
            datetime!(2026-01-01 00:00 UTC),
        );
        assert_eq!(model.days.len(), 5);
        assert_eq!(model.problem.calendar.slots(), 40);
        let s = &model.problem.sessions[1];
        assert_eq!(
            (s.length, s.predecessors.clone(), s.learners),
            (3, vec![0], 2)
        );
        assert!(s.strict_capacity);
        assert_eq!(s.candidate_instructors, vec![0]);
        assert_eq!(s.venue_kind, "classroom");
        assert_eq!(model.current.assignments[0].start, 0);
        // The instructor's busy Tuesday, the department's Wednesday 12:00–14:00.
        assert_eq!(
            model.problem.instructors[0].unavailable,
            (8..16).collect::<Vec<_>>()
        );
        assert_eq!(model.problem.cohorts[0].blocked, vec![19, 20]);
        assert_eq!(model.problem.venues[0].cost_per_slot, 3);
        assert_eq!(model.problem.groups[0].min_days, 2);
        assert_eq!(model.slot_of(datetime!(2026-03-03 10:00 +8)), Some(9));
        assert_eq!(model.slot_of(datetime!(2026-03-07 10:00 +8)), None);
        assert_eq!(model.slot_of(datetime!(2026-03-03 10:30 +8)), None);
        // The two sessions overlap (same cohort, venue, instructor) and break the order.
        let before = evaluate(&model.problem, &model.current, None, &[]);
        assert!(before.hard() > 0);
        let plan = solve(
            &model.problem,
            &PlanOptions {
                time_limit: StdDuration::from_secs(5),
                max_iterations: Some(20_000),
                seed: 1,
            },
        )
        .timetable;
        assert_eq!(evaluate(&model.problem, &plan, None, &[]).hard(), 0);
        let entries = model.entries(&plan, &|_| false);
        assert!(entries[1].starts_at >= entries[0].ends_at);
        assert_eq!(
            entries[0].ends_at - entries[0].starts_at,
            Duration::hours(3)
        );
    }

    #[test]
    fn started_sessions_are_locked() {
        let tz = UtcOffset::from_hms(8, 0, 0).unwrap();
        let model = Model::build(
            data(),
            date!(2026 - 03 - 02),
            date!(2026 - 03 - 06),
            tz,
            datetime!(2026-03-02 10:00 +8),
        );
        assert!(model.locked.iter().all(|l| *l));
        assert!(model.problem.sessions[0].pinned.is_some());
    }
}
