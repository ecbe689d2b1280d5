//! Competency: skills with levels, positions' required skills, assessments and gaps.

use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use time::Date;

/// A resource's or requirement's priority tier (核心—支撑—储备).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Core,
    Support,
    Reserve,
}

impl Tier {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Core => "core",
            Tier::Support => "support",
            Tier::Reserve => "reserve",
        }
    }

    /// Parses a code or its Chinese name.
    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim().to_lowercase().as_str() {
            "core" | "核心" => Ok(Tier::Core),
            "support" | "支撑" => Ok(Tier::Support),
            "reserve" | "储备" => Ok(Tier::Reserve),
            other => Err(DomainError::invalid(
                "tier",
                format!("'{other}' is not core, support or reserve (核心/支撑/储备)"),
            )),
        }
    }

    /// How much a gap in a skill of this tier counts.
    pub fn weight(self) -> f64 {
        match self {
            Tier::Core => 3.0,
            Tier::Support => 2.0,
            Tier::Reserve => 1.0,
        }
    }
}

/// One required skill of an employee's position with the employee's latest assessment.
#[derive(Debug, Clone, Serialize)]
pub struct SkillGap {
    pub skill_code: String,
    pub skill_name: String,
    pub area: String,
    pub required_level: i32,
    /// The latest valid assessment's level; `None` when never assessed (unknown, not zero).
    pub current_level: Option<i32>,
    pub tier: Tier,
    pub assessed_on: Option<Date>,
    pub method: Option<String>,
    /// The largest shortfall (0–1) of the KPI targets this skill serves through the
    /// position's tasks; `None` when it serves no measured target.
    pub kpi_shortfall: Option<f64>,
}

impl SkillGap {
    /// Required minus current level, never below zero; `None` when unassessed.
    pub fn gap(&self) -> Option<i32> {
        self.current_level.map(|c| (self.required_level - c).max(0))
    }

    /// The gap weighted by the requirement's tier and by the KPI pressure (a gap in a
    /// skill serving a target missed by 30% counts 1.3 times); `None` when unassessed.
    pub fn weighted_gap(&self) -> Option<f64> {
        let pressure = 1.0 + self.kpi_shortfall.unwrap_or(0.0);
        self.gap()
            .map(|g| f64::from(g) * self.tier.weight() * pressure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unassessed_is_unknown_not_zero() {
        let mut g = SkillGap {
            skill_code: "S".into(),
            skill_name: "s".into(),
            area: "a".into(),
            required_level: 3,
            current_level: None,
            tier: Tier::Core,
            assessed_on: None,
            method: None,
            kpi_shortfall: None,
        };
        assert_eq!(g.gap(), None);
        g.current_level = Some(1);
        assert_eq!((g.gap(), g.weighted_gap()), (Some(2), Some(6.0)));
        g.current_level = Some(3);
        assert_eq!(g.gap(), Some(0));
        g.current_level = Some(2);
        g.kpi_shortfall = Some(0.5);
        assert_eq!(g.weighted_gap(), Some(4.5));
        assert_eq!(Tier::parse("储备").unwrap(), Tier::Reserve);
    }
}
