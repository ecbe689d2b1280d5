//! Need decoding: strategy → objectives → department KPI targets → position tasks → skills.

use serde::Serialize;

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
