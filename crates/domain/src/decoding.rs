//! Need decoding: strategy → objectives → department KPI targets → position tasks → skills.

use crate::{DomainError, DomainResult};
use serde::Serialize;

/// Balanced-scorecard perspectives; an objective without one is an OKR objective.
pub const PERSPECTIVES: [&str; 4] = [
    "financial",
    "customer",
    "internal_process",
    "learning_growth",
];

/// First and last month (`YYYY-MM`) of a target period: a year (`2025`), a quarter
/// (`2025Q3`) or a month (`2025-07`).
pub fn period_months(period: &str) -> DomainResult<(String, String)> {
    let bad = || {
        DomainError::invalid(
            "period",
            format!("'{period}' is not a year (2025), a quarter (2025Q3) or a month (2025-07)"),
        )
    };
    let text = period.trim();
    let year: u32 = text.get(..4).and_then(|y| y.parse().ok()).ok_or_else(bad)?;
    if !(1900..=9999).contains(&year) {
        return Err(bad());
    }
    let (first, last) = match &text[4..] {
        "" => (1, 12),
        q if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
            let quarter: u32 = q[1..].parse().map_err(|_| bad())?;
            if !(1..=4).contains(&quarter) {
                return Err(bad());
            }
            (quarter * 3 - 2, quarter * 3)
        }
        m if m.len() == 3 && m.starts_with('-') => {
            let month: u32 = m[1..].parse().map_err(|_| bad())?;
            if !(1..=12).contains(&month) {
                return Err(bad());
            }
            (month, month)
        }
        _ => return Err(bad()),
    };
    Ok((
        format!("{year:04}-{first:02}"),
        format!("{year:04}-{last:02}"),
    ))
}

/// How far `actual` falls short of a target, relative to the target: 0 when met, at most 1.
pub fn shortfall(comparator: &str, target: f64, actual: f64) -> f64 {
    let miss = match comparator {
        "<=" => actual - target,
        _ => target - actual,
    };
    if miss <= 0.0 {
        return 0.0;
    }
    (miss / target.abs().max(f64::EPSILON)).min(1.0)
}

/// A required skill of a task.
#[derive(Debug, Clone, Serialize)]
pub struct TaskSkill {
    pub skill_code: String,
    pub skill_name: String,
    pub required_level: i32,
    /// core, support or reserve.
    pub tier: String,
}

/// A business task of a position at a step of a process.
#[derive(Debug, Clone, Serialize)]
pub struct TaskNode {
    pub id: i64,
    pub position: String,
    pub code: String,
    pub name: String,
    pub process_step: i32,
    pub needs_review: bool,
    pub skills: Vec<TaskSkill>,
}

/// A department's KPI target for a period.
#[derive(Debug, Clone, Serialize)]
pub struct TargetNode {
    pub id: i64,
    pub department: String,
    pub kpi_code: String,
    pub kpi_name: String,
    pub unit: Option<String>,
    pub period: String,
    /// `<=` or `>=`.
    pub comparator: String,
    pub target_value: f64,
    /// The KPI over the target's period and department, when there are values.
    pub actual_value: Option<f64>,
    /// How far the actual falls short, 0 (met) to 1; see [`shortfall`].
    pub shortfall: Option<f64>,
    pub needs_review: bool,
    pub tasks: Vec<TaskNode>,
}

/// An objective: a balanced-scorecard perspective, or OKR key results.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub perspective: Option<String>,
    pub key_results: Vec<String>,
    pub needs_review: bool,
    pub targets: Vec<TargetNode>,
}

/// A strategy with everything decoded from it.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub horizon: Option<String>,
    pub objectives: Vec<ObjectiveNode>,
}

impl StrategyNode {
    /// Keeps only the chains that reach `skill_code` (the way back up from a skill).
    pub fn retain_skill(&mut self, skill_code: &str) {
        for o in &mut self.objectives {
            for t in &mut o.targets {
                t.tasks
                    .retain(|task| task.skills.iter().any(|s| s.skill_code == skill_code));
            }
            o.targets.retain(|t| !t.tasks.is_empty());
        }
        self.objectives.retain(|o| !o.targets.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(code: &str, skill: &str) -> TaskNode {
        TaskNode {
            id: 1,
            position: "p".into(),
            code: code.into(),
            name: code.into(),
            process_step: 1,
            needs_review: false,
            skills: vec![TaskSkill {
                skill_code: skill.into(),
                skill_name: skill.into(),
                required_level: 2,
                tier: "core".into(),
            }],
        }
    }

    #[test]
    fn target_periods_cover_their_months() {
        let months = |p: &str| period_months(p).unwrap();
        assert_eq!(months("2025"), ("2025-01".into(), "2025-12".into()));
        assert_eq!(months("2025Q3"), ("2025-07".into(), "2025-09".into()));
        assert_eq!(months("2026-02"), ("2026-02".into(), "2026-02".into()));
        for bad in ["25", "2025Q5", "2025-13", "2025H1", "abcd"] {
            assert!(period_months(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shortfall_is_relative_and_capped() {
        assert_eq!(shortfall("<=", 2.0, 1.5), 0.0);
        assert!((shortfall("<=", 2.0, 2.5) - 0.25).abs() < 1e-9);
        assert!((shortfall(">=", 100.0, 80.0) - 0.2).abs() < 1e-9);
        assert_eq!(shortfall(">=", 100.0, -500.0), 1.0);
    }

    #[test]
    fn tracing_back_from_a_skill_keeps_only_its_chains() {
        let target = |tasks| TargetNode {
            id: 1,
            department: "d".into(),
            kpi_code: "k".into(),
            kpi_name: "k".into(),
            unit: None,
            period: "2025".into(),
            comparator: "<=".into(),
            target_value: 2.0,
            actual_value: None,
            shortfall: None,
            needs_review: false,
            tasks,
        };
        let mut s = StrategyNode {
            id: 1,
            code: "S".into(),
            name: "s".into(),
            horizon: None,
            objectives: vec![
                ObjectiveNode {
                    id: 1,
                    code: "A".into(),
                    name: "a".into(),
                    perspective: None,
                    key_results: vec![],
                    needs_review: false,
                    targets: vec![target(vec![task("T1", "X"), task("T2", "Y")])],
                },
                ObjectiveNode {
                    id: 2,
                    code: "B".into(),
                    name: "b".into(),
                    perspective: None,
                    key_results: vec![],
                    needs_review: false,
                    targets: vec![target(vec![task("T3", "Y")])],
                },
            ],
        };
        s.retain_skill("X");
        assert_eq!(s.objectives.len(), 1);
        assert_eq!(s.objectives[0].targets[0].tasks.len(), 1);
        assert_eq!(s.objectives[0].targets[0].tasks[0].code, "T1");
    }
}

/// A strategy as entered.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct StrategyInput {
    pub code: String,
    pub name: String,
    /// E.g. `2025–2027`.
    pub horizon: Option<String>,
}

/// An objective as entered: a balanced-scorecard perspective, or none and key results (OKR).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ObjectiveInput {
    pub strategy_id: i64,
    pub code: String,
    pub name: String,
    /// financial, customer, internal_process or learning_growth; absent for an OKR objective.
    pub perspective: Option<String>,
    #[serde(default)]
    pub key_results: Vec<String>,
}

/// A department's KPI target as entered.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TargetInput {
    pub objective_id: i64,
    pub department_code: String,
    pub kpi_code: String,
    /// `2025`, `2025Q3` or `2025-07`.
    pub period: String,
    /// `<=` or `>=`.
    pub comparator: String,
    pub target_value: f64,
}

/// A position's task as entered.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TaskInput {
    pub position_code: String,
    /// The KPI target the task serves, if any.
    pub kpi_target_id: Option<i64>,
    pub code: String,
    pub name: String,
    /// Step of the business process, from 1.
    pub process_step: i32,
}

fn required(field: &str, value: &str, max: usize) -> DomainResult<()> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "is required"));
    }
    if value.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(())
}

impl StrategyInput {
    pub fn validate(&self) -> DomainResult<()> {
        required("code", &self.code, 40)?;
        required("name", &self.name, 200)
    }
}

impl ObjectiveInput {
    pub fn validate(&self) -> DomainResult<()> {
        required("code", &self.code, 40)?;
        required("name", &self.name, 200)?;
        match self
            .perspective
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) if !PERSPECTIVES.contains(&p) => Err(DomainError::invalid(
                "perspective",
                format!("'{p}' is not one of {}", PERSPECTIVES.join(", ")),
            )),
            None if self.key_results.iter().all(|k| k.trim().is_empty()) => {
                Err(DomainError::invalid(
                    "key_results",
                    "an OKR objective (no perspective) needs at least one key result",
                ))
            }
            _ => Ok(()),
        }
    }

    /// The perspective, or `None` for an OKR objective.
    pub fn perspective(&self) -> Option<&str> {
        self.perspective
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }

    /// Key results without blank lines.
    pub fn key_results(&self) -> Vec<String> {
        self.key_results
            .iter()
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .collect()
    }
}

impl TargetInput {
    pub fn validate(&self) -> DomainResult<()> {
        required("department_code", &self.department_code, 40)?;
        required("kpi_code", &self.kpi_code, 40)?;
        period_months(&self.period)?;
        if !matches!(self.comparator.trim(), "<=" | ">=") {
            return Err(DomainError::invalid("comparator", "must be <= or >="));
        }
        if !self.target_value.is_finite() {
            return Err(DomainError::invalid("target_value", "must be a number"));
        }
        Ok(())
    }
}

impl TaskInput {
    pub fn validate(&self) -> DomainResult<()> {
        required("position_code", &self.position_code, 40)?;
        required("code", &self.code, 40)?;
        required("name", &self.name, 200)?;
        if !(1..=50).contains(&self.process_step) {
            return Err(DomainError::invalid(
                "process_step",
                "must be between 1 and 50",
            ));
        }
        Ok(())
    }
}

/// What a review mark can sit on: each change marks the level below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewItem {
    Objective,
    Target,
    Task,
}

impl ReviewItem {
    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim() {
            "objective" => Ok(Self::Objective),
            "target" => Ok(Self::Target),
            "task" => Ok(Self::Task),
            other => Err(DomainError::invalid(
                "kind",
                format!("'{other}' is not objective, target or task"),
            )),
        }
    }

    /// The table holding the mark.
    pub fn table(self) -> &'static str {
        match self {
            Self::Objective => "objectives",
            Self::Target => "kpi_targets",
            Self::Task => "position_tasks",
        }
    }
}
