//! Training needs (培训需求): what people must learn and the business reason for it.

use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who a need raised from gaps covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Audience {
    /// One employee.
    Person(i64),
    /// A department and everything below it.
    Team(i64),
    /// Everybody holding a position.
    Position(i64),
}

impl Audience {
    pub fn code(self) -> &'static str {
        match self {
            Audience::Person(_) => "person",
            Audience::Team(_) => "team",
            Audience::Position(_) => "position",
        }
    }

    /// Parses `kind` (person, team, position) and the record id.
    pub fn parse(kind: &str, id: i64) -> DomainResult<Self> {
        match kind.trim() {
            "person" => Ok(Audience::Person(id)),
            "team" => Ok(Audience::Team(id)),
            "position" => Ok(Audience::Position(id)),
            other => Err(DomainError::invalid(
                "audience",
                format!("'{other}' is not person, team or position"),
            )),
        }
    }
}

/// How soon a need should be met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    High,
}

impl Urgency {
    pub fn code(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }

    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim() {
            "low" => Ok(Urgency::Low),
            "normal" | "" => Ok(Urgency::Normal),
            "high" => Ok(Urgency::High),
            other => Err(DomainError::invalid(
                "urgency",
                format!("'{other}' is not low, normal or high"),
            )),
        }
    }
}

/// One link of the decoding chain that justifies a need: the skill serves `task` of
/// `position`, which serves a department KPI target of an objective of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLink {
    pub strategy: String,
    pub objective: String,
    pub department: String,
    pub kpi: String,
    pub comparator: String,
    pub target_value: f64,
    pub period: String,
    pub actual_value: Option<f64>,
    pub shortfall: Option<f64>,
    pub position: String,
    pub task: String,
    pub skill_code: String,
}

impl ChainLink {
    /// `strategy › objective › department KPI ≤ target (period) › position: task`.
    pub fn text(&self) -> String {
        format!(
            "{} › {} › {} {} {} {} ({}) › {}: {}",
            self.strategy,
            self.objective,
            self.department,
            self.kpi,
            self.comparator,
            self.target_value,
            self.period,
            self.position,
            self.task
        )
    }
}

/// A request to turn gaps in one skill into a training need.
#[derive(Debug, Clone)]
pub struct GapNeedRequest {
    pub skill_code: String,
    pub audience: Audience,
    pub urgency: Urgency,
    /// What the requester adds to the generated reason.
    pub note: Option<String>,
}

/// A training need as listed.
#[derive(Debug, Clone, Serialize)]
pub struct NeedSummary {
    pub id: i64,
    pub title: String,
    pub skill_code: Option<String>,
    pub skill_name: Option<String>,
    pub origin: String,
    pub audience: String,
    pub urgency: String,
    pub status: String,
    pub reason: String,
    /// People covered (within the caller's scope).
    pub people: i64,
    pub mean_gap: Option<f64>,
    pub raised_by: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Yuan, for needs raised by hand.
    pub estimated_cost: Option<f64>,
    /// The program the need was put into.
    pub program_id: Option<i64>,
}

/// A person a need covers, with the gap at the time it was raised.
#[derive(Debug, Clone, Serialize)]
pub struct NeedPerson {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub gap: Option<i32>,
    pub weighted_gap: Option<f64>,
}

/// A need with its people and justification.
#[derive(Debug, Clone, Serialize)]
pub struct NeedDetail {
    #[serde(flatten)]
    pub summary: NeedSummary,
    pub chain: Vec<ChainLink>,
    pub people: Vec<NeedPerson>,
}

/// Filters of the needs list.
#[derive(Debug, Clone, Default)]
pub struct NeedFilter {
    pub status: Option<String>,
    pub skill: Option<String>,
    pub q: Option<String>,
    /// gap, employee or manager.
    pub origin: Option<String>,
    /// low, normal or high.
    pub urgency: Option<String>,
    /// Needs put into this program.
    pub program_id: Option<i64>,
    /// Needs raised by this user.
    pub raised_by: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_and_urgency_parse_or_name_the_field() {
        assert_eq!(Audience::parse("team", 4).unwrap(), Audience::Team(4));
        let err = Audience::parse("crowd", 1).unwrap_err().to_string();
        assert!(err.starts_with("audience:"), "{err}");
        assert_eq!(Urgency::parse("").unwrap(), Urgency::Normal);
        assert!(Urgency::parse("asap").is_err());
    }
}
