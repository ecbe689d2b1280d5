//! Transfer to work (训后转化): practice tasks with mentors and reports after a
//! program, report promotion into the case library, and behavior-change ratings
//! at +30 and +90 days (Kirkpatrick level 3).

use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

coded_enum!(
    /// Where a practice task stands.
    PracticeStatus, "status", {
        Assigned => "assigned" | "已布置",
        Submitted => "submitted" | "待评阅",
        Returned => "returned" | "已退回",
        Reviewed => "reviewed" | "已评阅",
    }
);

coded_enum!(
    /// What a mentor decides on a report.
    ReportDecision, "decision", {
        Accepted => "accepted" | "通过",
        Returned => "returned" | "退回",
    }
);

coded_enum!(
    /// Who rates a learner's behavior change.
    RaterRole, "rater_role", {
        Manager => "manager" | "经理",
        Mentor => "mentor" | "导师",
    }
);

/// Days after completion at which behavior change is rated.
pub const CHECKPOINTS: [i64; 2] = [30, 90];
/// Score from which an accepted report may be promoted into the case library.
pub const PROMOTION_MIN_SCORE: i32 = 80;
const MAX_TITLE: usize = 200;
const MAX_TEXT: usize = 20_000;

/// Who mentors the learners a task is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "employee_number", rename_all = "snake_case")]
pub enum MentorChoice {
    /// Each learner's own manager (the head of their department, or the next head up
    /// when the learner heads it).
    Manager,
    /// One named colleague for everybody, by employee number.
    Colleague(String),
}

/// A practice task to assign to the completed learners of a program.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PracticeAssignment {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(with = "crate::iso_date")]
    pub due_on: Date,
    pub mentor: MentorChoice,
    /// Only these learners (employee numbers); all who completed when empty.
    #[serde(default)]
    pub employee_numbers: Vec<String>,
}

impl PracticeAssignment {
    pub fn validated(&self, today: Date) -> DomainResult<PracticeAssignment> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(DomainError::invalid("title", "is required"));
        }
        if title.chars().count() > MAX_TITLE {
            return Err(DomainError::invalid(
                "title",
                format!("must be at most {MAX_TITLE} characters"),
            ));
        }
        if self.description.chars().count() > MAX_TEXT {
            return Err(DomainError::invalid(
                "description",
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        if self.due_on < today {
            return Err(DomainError::invalid("due_on", "must not be in the past"));
        }
        let mentor = match &self.mentor {
            MentorChoice::Colleague(no) if no.trim().is_empty() => {
                return Err(DomainError::invalid(
                    "mentor",
                    "name the colleague by employee number",
                ));
            }
            MentorChoice::Colleague(no) => MentorChoice::Colleague(no.trim().to_string()),
            MentorChoice::Manager => MentorChoice::Manager,
        };
        Ok(PracticeAssignment {
            title: title.to_string(),
            description: self.description.trim().to_string(),
            due_on: self.due_on,
            mentor,
            employee_numbers: self
                .employee_numbers
                .iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect(),
        })
    }
}

/// What an assignment did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AssignmentOutcome {
    pub assigned: usize,
    /// Learners who already had a task of this title.
    pub already_assigned: usize,
    /// Learners without a manager to mentor them (no head above them).
    pub without_mentor: Vec<String>,
}

/// A mentor's review of the latest report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportReview {
    pub decision: ReportDecision,
    pub score: Option<i32>,
    #[serde(default)]
    pub comment: String,
}

impl ReportReview {
    pub fn validate(&self) -> DomainResult<()> {
        match (self.decision, self.score) {
            (ReportDecision::Accepted, None) => Err(DomainError::invalid(
                "score",
                "an accepted report needs a score from 0 to 100",
            )),
            (_, Some(s)) if !(0..=100).contains(&s) => {
                Err(DomainError::invalid("score", "must be from 0 to 100"))
            }
            (ReportDecision::Returned, _) if self.comment.trim().is_empty() => Err(
                DomainError::invalid("comment", "say what the learner should change"),
            ),
            _ if self.comment.chars().count() > MAX_TEXT => Err(DomainError::invalid(
                "comment",
                format!("must be at most {MAX_TEXT} characters"),
            )),
            _ => Ok(()),
        }
    }
}

/// Checks a report's text.
pub fn validate_report(body: &str) -> DomainResult<()> {
    let n = body.trim().chars().count();
    if n == 0 {
        return Err(DomainError::invalid(
            "body",
            "write what you did and what came of it",
        ));
    }
    if n > MAX_TEXT {
        return Err(DomainError::invalid(
            "body",
            format!("must be at most {MAX_TEXT} characters"),
        ));
    }
    Ok(())
}

/// A practice task as listed.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeTask {
    pub id: i64,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub title: String,
    pub description: String,
    #[serde(with = "crate::iso_date")]
    pub due_on: Date,
    pub status: PracticeStatus,
    pub score: Option<i32>,
    pub case_resource_id: Option<i64>,
    pub reports: i64,
}

impl PracticeTask {
    /// Whether the learner still owes a report after the due date.
    pub fn overdue(&self, today: Date) -> bool {
        matches!(
            self.status,
            PracticeStatus::Assigned | PracticeStatus::Returned
        ) && self.due_on < today
    }
}

/// One submitted report and the mentor's decision on it.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeReport {
    pub id: i64,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub decision: Option<ReportDecision>,
    pub score: Option<i32>,
    pub review: Option<String>,
    pub reviewed_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub reviewed_at: Option<OffsetDateTime>,
}

/// Which practice tasks to list.
#[derive(Debug, Clone, Default)]
pub struct PracticeFilter {
    pub program_id: Option<i64>,
    pub status: Option<PracticeStatus>,
    /// Tasks of this learner.
    pub employee_id: Option<i64>,
    /// Tasks this person mentors.
    pub mentor_id: Option<i64>,
    /// Title, learner name or number.
    pub q: Option<String>,
    pub overdue_on: Option<Date>,
}

/// A behavior-change rating, scheduled or given.
#[derive(Debug, Clone, Serialize)]
pub struct BehaviorRating {
    pub id: i64,
    pub program_id: i64,
    pub program_title: String,
    pub employee_id: i64,
    pub employee_name: String,
    pub rater_id: i64,
    pub rater_role: RaterRole,
    pub checkpoint_days: i32,
    #[serde(with = "crate::iso_date")]
    pub due_on: Date,
    pub rating: Option<i32>,
    pub observation: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub rated_at: Option<OffsetDateTime>,
}

/// A rater's judgement of observed change: 1 none … 5 transformed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RatingInput {
    pub rating: i32,
    #[serde(default)]
    pub observation: String,
}

impl RatingInput {
    pub fn validate(&self) -> DomainResult<()> {
        if !(1..=5).contains(&self.rating) {
            return Err(DomainError::invalid("rating", "must be from 1 to 5"));
        }
        if self.observation.chars().count() > MAX_TEXT {
            return Err(DomainError::invalid(
                "observation",
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        Ok(())
    }
}

/// A program's transfer to work in figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TransferSummary {
    pub tasks: i64,
    pub submitted: i64,
    pub reviewed: i64,
    pub overdue: i64,
    pub mean_score: Option<f64>,
    pub promoted_cases: i64,
    /// Mean rating and number of ratings at +30 days.
    pub rating_30: Option<f64>,
    pub rated_30: i64,
    pub rating_90: Option<f64>,
    pub rated_90: i64,
    /// Ratings scheduled and not yet given whose due date has passed.
    pub ratings_overdue: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn assignment() -> PracticeAssignment {
        PracticeAssignment {
            title: "  把投诉处理五步法用在本月三起投诉上 ".into(),
            description: String::new(),
            due_on: date!(2026 - 12 - 31),
            mentor: MentorChoice::Manager,
            employee_numbers: vec![" E1 ".into(), "".into()],
        }
    }

    #[test]
    fn assignment_is_trimmed_and_checked() {
        let ok = assignment().validated(date!(2026 - 11 - 24)).unwrap();
        assert_eq!(ok.title, "把投诉处理五步法用在本月三起投诉上");
        assert_eq!(ok.employee_numbers, vec!["E1".to_string()]);
        let late = assignment().validated(date!(2027 - 01 - 01)).unwrap_err();
        assert!(late.to_string().contains("due_on"), "{late}");
        let mut nameless = assignment();
        nameless.mentor = MentorChoice::Colleague(" ".into());
        let err = nameless.validated(date!(2026 - 11 - 24)).unwrap_err();
        assert!(err.to_string().contains("mentor"), "{err}");
    }

    #[test]
    fn review_needs_a_score_to_accept_and_a_reason_to_return() {
        let accept = |score| ReportReview {
            decision: ReportDecision::Accepted,
            score,
            comment: String::new(),
        };
        assert!(accept(None).validate().is_err());
        assert!(accept(Some(101)).validate().is_err());
        assert!(accept(Some(85)).validate().is_ok());
        let back = ReportReview {
            decision: ReportDecision::Returned,
            score: None,
            comment: " ".into(),
        };
        assert!(back.validate().unwrap_err().to_string().contains("comment"));
    }

    #[test]
    fn ratings_run_from_one_to_five() {
        for (rating, ok) in [(0, false), (1, true), (5, true), (6, false)] {
            let input = RatingInput {
                rating,
                observation: String::new(),
            };
            assert_eq!(input.validate().is_ok(), ok, "{rating}");
        }
    }
}
