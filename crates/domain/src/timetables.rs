//! The scheduler in the product (智能排期): working calendars, draft timetables
//! made by the timetabling engine, and the facts the engine is fed from.

use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

coded_enum!(
    /// Why learners are not available on a calendar block's days.
    CalendarBlockKind, "kind", {
        Holiday => "holiday" | "节假日",
        ProductionPeak => "production_peak" | "生产高峰",
        Shift => "shift" | "班次",
        Other => "other" | "其他",
    }
);

coded_enum!(
    /// How a draft timetable is made: from scratch, or by repairing the current one
    /// with as few moves as possible.
    TimetableMode, "mode", {
        Fresh => "fresh" | "重新排期",
        Repair => "repair" | "修复",
    }
);

coded_enum!(
    /// Where a timetable stands.
    TimetableStatus, "status", {
        Draft => "draft" | "草稿",
        Published => "published" | "已发布",
        Discarded => "discarded" | "已放弃",
    }
);

/// Longest planning window, in days (keeps the slot grid and the solver's work bounded).
pub const MAX_WINDOW_DAYS: i64 = 92;
/// Solver time limits a caller may ask for, in seconds.
pub const TIME_LIMITS: std::ops::RangeInclusive<u32> = 1..=60;
/// The time limit when none is given.
pub const DEFAULT_TIME_LIMIT: u32 = 5;

/// A working-calendar block as entered: days (and for shifts a daily time range,
/// `HH:MM`) on which a department's people — or everyone — cannot attend training.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CalendarBlockInput {
    #[serde(with = "crate::iso_date")]
    pub starts_on: Date,
    #[serde(with = "crate::iso_date")]
    pub ends_on: Date,
    /// Department code; none: the whole company.
    #[serde(default)]
    pub department_code: Option<String>,
    pub kind: CalendarBlockKind,
    #[serde(default)]
    pub note: String,
    /// `HH:MM`; with `daily_to`, only this part of each day is blocked.
    #[serde(default)]
    pub daily_from: Option<String>,
    #[serde(default)]
    pub daily_to: Option<String>,
}

/// A validated block: the daily range in minutes after midnight.
#[derive(Debug, Clone, Serialize)]
pub struct ValidCalendarBlock {
    #[serde(with = "crate::iso_date")]
    pub starts_on: Date,
    #[serde(with = "crate::iso_date")]
    pub ends_on: Date,
    pub department_code: Option<String>,
    pub kind: CalendarBlockKind,
    pub note: String,
    pub daily: Option<(i32, i32)>,
}

fn minutes(field: &str, text: &str) -> DomainResult<i32> {
    let bad = || DomainError::invalid(field, format!("'{text}' is not a time such as 08:00"));
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i32, i32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || h * 60 + m > 1440 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl CalendarBlockInput {
    pub fn validated(&self) -> DomainResult<ValidCalendarBlock> {
        if self.ends_on < self.starts_on {
            return Err(DomainError::invalid(
                "ends_on",
                "must not be before starts_on",
            ));
        }
        if (self.ends_on - self.starts_on).whole_days() > 366 {
            return Err(DomainError::invalid(
                "ends_on",
                "a block lasts at most a year",
            ));
        }
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let daily = match (text(&self.daily_from), text(&self.daily_to)) {
            (None, None) => None,
            (Some(from), Some(to)) => {
                let (from, to) = (minutes("daily_from", &from)?, minutes("daily_to", &to)?);
                if to <= from {
                    return Err(DomainError::invalid("daily_to", "must be after daily_from"));
                }
                Some((from, to))
            }
            (None, Some(_)) => {
                return Err(DomainError::invalid(
                    "daily_from",
                    "is required with daily_to",
                ));
            }
            (Some(_), None) => {
                return Err(DomainError::invalid(
                    "daily_to",
                    "is required with daily_from",
                ));
            }
        };
        let note = self.note.trim().to_string();
        if note.chars().count() > 200 {
            return Err(DomainError::invalid("note", "at most 200 characters"));
        }
        Ok(ValidCalendarBlock {
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            department_code: text(&self.department_code),
            kind: self.kind,
            note,
            daily,
        })
    }
}

/// A stored working-calendar block.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarBlock {
    pub id: i64,
    #[serde(with = "crate::iso_date")]
    pub starts_on: Date,
    #[serde(with = "crate::iso_date")]
    pub ends_on: Date,
    pub department_code: Option<String>,
    pub department_name: Option<String>,
    /// The department's materialised path (`/1/4/`), for subtree checks.
    #[serde(skip)]
    pub department_path: Option<String>,
    pub kind: CalendarBlockKind,
    pub note: String,
    /// Minutes after midnight, when only part of each day is blocked.
    pub daily_from: Option<i32>,
    pub daily_to: Option<i32>,
}

impl CalendarBlock {
    /// `HH:MM–HH:MM`, or empty for whole days.
    pub fn daily_text(&self) -> String {
        match (self.daily_from, self.daily_to) {
            (Some(a), Some(b)) => {
                format!("{:02}:{:02}–{:02}:{:02}", a / 60, a % 60, b / 60, b % 60)
            }
            _ => String::new(),
        }
    }
}

/// What a timetable covers: a plan's programs or one program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum TimetableScope {
    Plan(i64),
    Program(i64),
}

/// A request for a draft timetable.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimetableRequest {
    /// Plan code (its programs in status draft, open or running) — or `program_code`.
    #[serde(default)]
    pub plan_code: Option<String>,
    #[serde(default)]
    pub program_code: Option<String>,
    /// First and last day of the window.
    #[serde(with = "crate::iso_date")]
    pub from: Date,
    #[serde(with = "crate::iso_date")]
    pub to: Date,
    #[serde(default = "default_mode")]
    pub mode: TimetableMode,
    /// Seconds, 1 to 60 (default 5).
    #[serde(default)]
    pub time_limit_secs: Option<u32>,
    #[serde(default)]
    pub seed: Option<u64>,
}

fn default_mode() -> TimetableMode {
    TimetableMode::Fresh
}

impl TimetableRequest {
    /// Checks the window and the limits; the scope codes are resolved by the store.
    pub fn validated(&self) -> DomainResult<Self> {
        let code = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (plan_code, program_code) = (code(&self.plan_code), code(&self.program_code));
        if plan_code.is_some() == program_code.is_some() {
            return Err(DomainError::invalid(
                "plan_code",
                "give either a plan or a program",
            ));
        }
        if self.to < self.from {
            return Err(DomainError::invalid("to", "must not be before from"));
        }
        if (self.to - self.from).whole_days() >= MAX_WINDOW_DAYS {
            return Err(DomainError::invalid(
                "to",
                format!("the window is at most {MAX_WINDOW_DAYS} days"),
            ));
        }
        let limit = self.time_limit_secs.unwrap_or(DEFAULT_TIME_LIMIT);
        if !TIME_LIMITS.contains(&limit) {
            return Err(DomainError::invalid(
                "time_limit_secs",
                "must be between 1 and 60 seconds",
            ));
        }
        if self.seed.is_some_and(|s| s > i64::MAX as u64) {
            return Err(DomainError::invalid("seed", "is too large"));
        }
        Ok(Self {
            plan_code,
            program_code,
            from: self.from,
            to: self.to,
            mode: self.mode,
            time_limit_secs: Some(limit),
            seed: Some(self.seed.unwrap_or(0)),
        })
    }
}

/// One placed session of a timetable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimetableEntry {
    pub session_id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
    pub venue_id: Option<i64>,
    pub instructor_id: Option<i64>,
    pub pinned: bool,
    /// The session as it was when the draft was made.
    #[serde(with = "time::serde::rfc3339")]
    pub was_starts_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub was_ends_at: OffsetDateTime,
    pub was_venue_id: Option<i64>,
    pub was_instructor_id: Option<i64>,
    /// The session's `updated_at` then; a later change makes the draft stale.
    #[serde(skip)]
    pub session_updated_at: OffsetDateTime,
}

impl TimetableEntry {
    /// Whether the entry places the session differently from how it was.
    pub fn changed(&self) -> bool {
        self.starts_at != self.was_starts_at
            || self.ends_at != self.was_ends_at
            || self.venue_id != self.was_venue_id
            || self.instructor_id != self.was_instructor_id
    }
}

/// The engine's result to store as a draft.
#[derive(Debug, Clone)]
pub struct NewTimetable {
    pub scope: TimetableScope,
    pub from: Date,
    pub to: Date,
    pub mode: TimetableMode,
    pub seed: u64,
    pub time_limit_secs: u32,
    pub totals: TimetableTotals,
    pub entries: Vec<TimetableEntry>,
}

/// Hard conflicts and soft cost before and after solving, and the cost lines (JSON).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TimetableTotals {
    pub baseline_hard: i64,
    pub baseline_soft: i64,
    pub hard: i64,
    pub soft: i64,
    pub report: String,
}

/// A timetable in lists and on its page.
#[derive(Debug, Clone, Serialize)]
pub struct TimetableSummary {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub plan_code: Option<String>,
    pub program_id: Option<i64>,
    pub program_code: Option<String>,
    /// The plan's name or the program's title.
    pub scope_name: String,
    #[serde(with = "crate::iso_date")]
    pub window_from: Date,
    #[serde(with = "crate::iso_date")]
    pub window_to: Date,
    pub mode: TimetableMode,
    pub seed: u64,
    pub time_limit_secs: u32,
    pub status: TimetableStatus,
    pub baseline_hard: i64,
    pub baseline_soft: i64,
    pub hard: i64,
    pub soft: i64,
    #[serde(skip)]
    pub report: String,
    pub entries: i64,
    pub created_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub published_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    pub published_with_conflicts: bool,
}

impl TimetableSummary {
    pub fn scope(&self) -> TimetableScope {
        match (self.plan_id, self.program_id) {
            (Some(plan), _) => TimetableScope::Plan(plan),
            (None, Some(program)) => TimetableScope::Program(program),
            (None, None) => TimetableScope::Program(0),
        }
    }
}

/// Filters of the timetable list.
#[derive(Debug, Clone, Default)]
pub struct TimetableFilter {
    pub status: Option<TimetableStatus>,
    pub plan_code: Option<String>,
}

/// One session's change to write when a timetable is published.
#[derive(Debug, Clone)]
pub struct SessionChange {
    pub entry: TimetableEntry,
    /// Learners' and instructors' notification texts need these names.
    pub program_id: i64,
    pub program_title: String,
    pub session_title: String,
    pub venue_name: Option<String>,
    pub instructor_name: Option<String>,
}

// ----- what the engine is fed from ---------------------------------------------------

/// A session to place, as stored.
#[derive(Debug, Clone)]
pub struct SchedSession {
    pub id: i64,
    pub program_id: i64,
    pub title: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    /// classroom, online or blended.
    pub mode: String,
    pub venue_id: Option<i64>,
    pub updated_at: OffsetDateTime,
    /// Attendance is recorded for it.
    pub attended: bool,
    /// Its instructors, by code order.
    pub instructor_ids: Vec<i64>,
}

/// A program of the scope.
#[derive(Debug, Clone)]
pub struct SchedProgram {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub capacity: Option<i32>,
    pub strict_venue_capacity: bool,
    /// Enrolled learners (employee ids).
    pub learners: Vec<i64>,
    /// The learners' department paths, distinct.
    pub learner_paths: Vec<String>,
    /// Instructors allowed to teach it (program_instructors).
    pub instructor_ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct SchedVenue {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub site: String,
    pub kind: String,
    pub capacity: i32,
    pub active: bool,
    pub hourly_rate: f64,
}

#[derive(Debug, Clone)]
pub struct SchedInstructor {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub hourly_cost: f64,
    pub active: bool,
}

/// A period in which a venue, an instructor or a learner is taken.
#[derive(Debug, Clone, Copy)]
pub struct Busy {
    /// Venue, instructor or employee id.
    pub owner: i64,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
}

/// Everything the engine needs about a window, read in one go.
#[derive(Debug, Clone, Default)]
pub struct SchedulingData {
    pub sessions: Vec<SchedSession>,
    pub programs: Vec<SchedProgram>,
    pub venues: Vec<SchedVenue>,
    pub instructors: Vec<SchedInstructor>,
    /// Sessions outside the scope in a venue.
    pub venue_busy: Vec<Busy>,
    /// Instructor unavailability and their sessions outside the scope.
    pub instructor_busy: Vec<Busy>,
    /// Sessions outside the scope that enrolled learners of the scope attend.
    pub learner_busy: Vec<Busy>,
    pub blocks: Vec<CalendarBlock>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_request_names_the_wrong_field() {
        let request = TimetableRequest {
            plan_code: Some("P".into()),
            program_code: None,
            from: date!(2026 - 03 - 02),
            to: date!(2026 - 03 - 01),
            mode: TimetableMode::Fresh,
            time_limit_secs: None,
            seed: None,
        };
        assert!(
            matches!(request.validated(), Err(DomainError::Validation { field, .. }) if field == "to")
        );
        let both = TimetableRequest {
            program_code: Some("X".into()),
            to: date!(2026 - 03 - 06),
            ..request.clone()
        };
        assert!(
            matches!(both.validated(), Err(DomainError::Validation { field, .. }) if field == "plan_code")
        );
        let slow = TimetableRequest {
            to: date!(2026 - 03 - 06),
            time_limit_secs: Some(61),
            ..request.clone()
        };
        assert!(
            matches!(slow.validated(), Err(DomainError::Validation { field, .. }) if field == "time_limit_secs")
        );
        let fine = TimetableRequest {
            to: date!(2026 - 03 - 06),
            ..request
        }
        .validated()
        .unwrap();
        assert_eq!(fine.time_limit_secs, Some(DEFAULT_TIME_LIMIT));
    }

    #[test]
    fn shift_blocks_need_both_ends() {
        let block = CalendarBlockInput {
            starts_on: date!(2026 - 03 - 02),
            ends_on: date!(2026 - 03 - 06),
            department_code: None,
            kind: CalendarBlockKind::Shift,
            note: String::new(),
            daily_from: Some("08:00".into()),
            daily_to: None,
        };
        assert!(
            matches!(block.validated(), Err(DomainError::Validation { field, .. }) if field == "daily_to")
        );
        let ok = CalendarBlockInput {
            daily_to: Some("12:30".into()),
            ..block
        }
        .validated()
        .unwrap();
        assert_eq!(ok.daily, Some((480, 750)));
    }
}
