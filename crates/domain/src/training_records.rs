//! Training records brought over from an old system: each becomes an enrollment of
//! source `imported` in a program, which is created as a `historical` program when
//! its code is new. The rules here are the ones every record must pass.

use crate::{DomainError, DomainResult};
use serde::Serialize;
use time::Date;

/// Status code of programs created by a history import.
pub const HISTORICAL_PROGRAM: &str = "historical";
/// Source code of enrollments written by a history import.
pub const IMPORTED_SOURCE: &str = "imported";

/// How a historical enrollment ended (stored as `enrollments.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    Completed,
    Incomplete,
    Cancelled,
}

impl RecordStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            RecordStatus::Completed => "completed",
            RecordStatus::Incomplete => "incomplete",
            RecordStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a code or the Chinese word old systems export.
    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim().to_lowercase().as_str() {
            "completed" | "complete" | "已完成" | "完成" | "已结业" | "结业" => {
                Ok(RecordStatus::Completed)
            }
            "incomplete" | "not completed" | "未完成" | "未结业" => {
                Ok(RecordStatus::Incomplete)
            }
            "cancelled" | "canceled" | "已取消" | "取消" => Ok(RecordStatus::Cancelled),
            "" => Err(DomainError::invalid("status", "missing")),
            other => Err(DomainError::invalid(
                "status",
                format!(
                    "'{other}' is not completed, incomplete or cancelled (已完成/未完成/已取消)"
                ),
            )),
        }
    }
}

/// A program as one import file names it, with what the store already holds under its code.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricalProgram {
    pub code: String,
    pub title: String,
    /// The largest hours of the file's records for it; a new program gets these hours.
    pub hours: f64,
    /// The stored program with this code, if any.
    pub existing: Option<ExistingProgram>,
}

/// A program already stored, as a history import resolves codes against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingProgram {
    pub id: i64,
    pub title: String,
    /// Created by an earlier history import (status `historical`).
    pub historical: bool,
}

/// One valid record: a person's enrollment in a program, as it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRecord {
    /// The row in the file, for messages about it.
    pub row: usize,
    pub program_code: String,
    pub employee_id: i64,
    pub status: RecordStatus,
    pub started_on: Date,
    pub completed_on: Option<Date>,
    pub hours: f64,
    pub score: Option<f64>,
    pub cost_per_head: Option<f64>,
}

/// What a history import wrote (or, previewed, would write).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TrainingRecordOutcome {
    /// Historical programs created for codes that were new.
    pub programs_created: usize,
    /// Historical programs whose hours rose to a longer record of this file.
    pub programs_updated: usize,
    pub enrollments_created: usize,
    /// Imported enrollments whose values the file changed.
    pub enrollments_updated: usize,
    pub enrollments_unchanged: usize,
}

/// Hours spent: a number not below zero.
pub fn check_hours(hours: f64) -> Result<f64, String> {
    if hours >= 0.0 {
        Ok(hours)
    } else {
        Err(format!("{hours} hours is below 0"))
    }
}

/// A score between 0 and 100.
pub fn check_score(score: f64) -> Result<f64, String> {
    if (0.0..=100.0).contains(&score) {
        Ok(score)
    } else {
        Err(format!("{score} is not a score between 0 and 100"))
    }
}

/// A cost per head: a number not below zero.
pub fn check_cost(cost: f64) -> Result<f64, String> {
    if cost >= 0.0 {
        Ok(cost)
    } else {
        Err(format!("{cost} is not a cost (a number ≥ 0)"))
    }
}

/// A start date: a record of the past, so not after `today`.
pub fn check_start(started_on: Date, today: Date) -> Result<(), String> {
    if started_on > today {
        Err(format!("{started_on} is in the future (today is {today})"))
    } else {
        Ok(())
    }
}

/// The completion date against the status and the start: required exactly when the
/// record is completed, never before the start, never after `today`.
pub fn check_completion(
    status: RecordStatus,
    started_on: Option<Date>,
    completed_on: Option<Date>,
    today: Date,
) -> Result<(), String> {
    match (status, completed_on) {
        (RecordStatus::Completed, None) => {
            Err("missing: a completed record needs its completion date".into())
        }
        (_, None) => Ok(()),
        (RecordStatus::Completed, Some(done)) => {
            if done > today {
                Err(format!("{done} is in the future (today is {today})"))
            } else if let Some(start) = started_on.filter(|s| done < *s) {
                Err(format!("{done} is before the start date {start}"))
            } else {
                Ok(())
            }
        }
        // An incomplete or cancelled record with a completion date contradicts itself.
        (other, Some(done)) => Err(format!(
            "a record with status {} has no completion date, but {done} is given",
            other.code()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn statuses_in_both_languages() {
        for (text, status) in [
            ("已完成", RecordStatus::Completed),
            ("Completed", RecordStatus::Completed),
            ("未完成", RecordStatus::Incomplete),
            ("incomplete", RecordStatus::Incomplete),
            ("已取消", RecordStatus::Cancelled),
            ("CANCELLED", RecordStatus::Cancelled),
        ] {
            assert_eq!(RecordStatus::parse(text).unwrap(), status, "{text}");
        }
        assert!(RecordStatus::parse("enrolled").is_err());
        assert!(RecordStatus::parse(" ").is_err());
    }

    #[test]
    fn completion_rules() {
        let today = date!(2026 - 06 - 30);
        let start = Some(date!(2024 - 03 - 01));
        let ok = |s, d| check_completion(s, start, d, today).is_ok();
        assert!(ok(RecordStatus::Completed, Some(date!(2024 - 03 - 01))));
        assert!(!ok(RecordStatus::Completed, None));
        assert!(!ok(RecordStatus::Completed, Some(date!(2024 - 02 - 29))));
        assert!(!ok(RecordStatus::Completed, Some(date!(2026 - 07 - 01))));
        assert!(ok(RecordStatus::Incomplete, None));
        assert!(!ok(RecordStatus::Cancelled, Some(date!(2024 - 03 - 02))));
        // An unreadable start date is reported on its own column, not again here.
        assert!(
            check_completion(
                RecordStatus::Completed,
                None,
                Some(date!(2020 - 01 - 01)),
                today
            )
            .is_ok()
        );
        assert!(check_start(date!(2026 - 07 - 01), today).is_err());
    }

    #[test]
    fn numbers() {
        assert!(check_hours(0.0).is_ok() && check_hours(-0.5).is_err());
        assert!(check_score(100.0).is_ok() && check_score(120.0).is_err());
        assert!(check_score(-1.0).is_err());
        assert!(check_cost(0.0).is_ok() && check_cost(-3.0).is_err());
        assert!(check_hours(f64::NAN).is_err());
    }
}
