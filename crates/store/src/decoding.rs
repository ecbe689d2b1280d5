//! The decoding chain: load, read as a tree, change a target (marking tasks for review).

use crate::audit::append_in;
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::decoding::{ObjectiveNode, StrategyNode, TargetNode, TaskNode, TaskSkill};
use domain::{DomainError, DomainResult};
use std::collections::HashMap;
use time::OffsetDateTime;

/// (position code, target index, task code, name, process step, [(skill, level, tier)]).
pub type TaskSpec<'a> = (
    &'a str,
    usize,
    &'a str,
    &'a str,
    i32,
    &'a [(&'a str, i32, &'a str)],
);

/// A decoded strategy to load, by codes.
pub struct DecodingSpec<'a> {
    pub strategy: (&'a str, &'a str, &'a str),
    /// (code, name, perspective).
    pub objectives: &'a [(&'a str, &'a str, &'a str)],
    /// (objective code, department code, KPI code, period, comparator, target).
    pub targets: &'a [(&'a str, &'a str, &'a str, &'a str, &'a str, f64)],
    /// (position code, target index, task code, name, process step, skills).
    pub tasks: &'a [TaskSpec<'a>],
}

impl crate::Store {
    /// Writes a decoded strategy in one transaction.
    pub async fn load_decoding(&self, spec: &DecodingSpec<'_>, actor: &Actor) -> DomainResult<()> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(db_error)?;
            let lookup = |rows: Vec<(String, i64)>| rows.into_iter().collect::<HashMap<String, i64>>();
            let depts = lookup(sqlx::query_as("SELECT code, id FROM departments").fetch_all(&mut *tx).await.map_err(db_error)?);
            let kpis = lookup(sqlx::query_as("SELECT code, id FROM kpis").fetch_all(&mut *tx).await.map_err(db_error)?);
            let positions = lookup(sqlx::query_as("SELECT code, id FROM positions").fetch_all(&mut *tx).await.map_err(db_error)?);
            let skills = lookup(sqlx::query_as("SELECT code, id FROM skills").fetch_all(&mut *tx).await.map_err(db_error)?);
            let unknown = |what: &str, code: &str| DomainError::invalid(what, format!("unknown {what} {code}"));
            let (code, name, horizon) = spec.strategy;
            let strategy: i64 = sqlx::query_scalar("INSERT INTO strategies (code, name, horizon, updated_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(code).bind(name).bind(horizon).bind(now).fetch_one(&mut *tx).await.map_err(db_error)?;
            let mut objectives = HashMap::new();
            for (code, name, perspective) in spec.objectives {
                let id: i64 = sqlx::query_scalar("INSERT INTO objectives (strategy_id, code, name, perspective, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(strategy).bind(code).bind(name).bind(perspective).bind(now).fetch_one(&mut *tx).await.map_err(db_error)?;
                objectives.insert(*code, id);
            }
            let mut targets = Vec::new();
            for (objective, dept, kpi, period, comparator, value) in spec.targets {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO kpi_targets (objective_id, department_id, kpi_id, period, comparator, target_value, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(objectives.get(objective).ok_or_else(|| unknown("objective", objective))?)
                .bind(depts.get(*dept).ok_or_else(|| unknown("department", dept))?)
                .bind(kpis.get(*kpi).ok_or_else(|| unknown("kpi", kpi))?)
                .bind(period).bind(comparator).bind(value).bind(now)
                .fetch_one(&mut *tx).await.map_err(db_error)?;
                targets.push(id);
            }
            for (position, target, code, name, step, task_skills) in spec.tasks {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO position_tasks (position_id, kpi_target_id, code, name, process_step, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(positions.get(*position).ok_or_else(|| unknown("position", position))?)
                .bind(targets.get(*target))
                .bind(code).bind(name).bind(step).bind(now)
                .fetch_one(&mut *tx).await.map_err(db_error)?;
                for (skill, level, tier) in *task_skills {
                    sqlx::query("INSERT INTO task_skills (task_id, skill_id, required_level, tier) VALUES ($1, $2, $3, $4)")
                        .bind(id).bind(skills.get(*skill).ok_or_else(|| unknown("skill", skill))?).bind(level).bind(tier)
                        .execute(&mut *tx).await.map_err(db_error)?;
                }
            }
            crate::competency::derive_models_in!(tx, None);
            append_in!(tx, &actor.entry("decoding.load", "strategy").entity(code));
            tx.commit().await.map_err(db_error)
        })
    }

    /// Every strategy with its objectives, targets, tasks and skills.
    pub async fn decoding_tree(&self) -> DomainResult<Vec<StrategyNode>> {
        type Strat = (i64, String, String, Option<String>);
        type Obj = (i64, i64, String, String, Option<String>, String, bool);
        type Tgt = (
            i64,
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            f64,
            bool,
        );
        type Tsk = (i64, Option<i64>, String, String, String, i32, bool);
        type Skl = (i64, String, String, i32, String);
        type TreeRows = (Vec<Strat>, Vec<Obj>, Vec<Tgt>, Vec<Tsk>, Vec<Skl>);
        let (strategies, objectives, targets, tasks, skills): TreeRows = on_pool!(self, pool => {
            (
                sqlx::query_as("SELECT id, code, name, horizon FROM strategies ORDER BY code").fetch_all(pool).await.map_err(db_error)?,
                sqlx::query_as("SELECT id, strategy_id, code, name, perspective, key_results, needs_review FROM objectives ORDER BY code").fetch_all(pool).await.map_err(db_error)?,
                sqlx::query_as(
                    "SELECT t.id, t.objective_id, d.name, k.code, k.name, k.unit, t.period, t.comparator, t.target_value, t.needs_review \
                     FROM kpi_targets t JOIN departments d ON d.id = t.department_id JOIN kpis k ON k.id = t.kpi_id ORDER BY t.id",
                ).fetch_all(pool).await.map_err(db_error)?,
                sqlx::query_as(
                    "SELECT pt.id, pt.kpi_target_id, p.name, pt.code, pt.name, pt.process_step, pt.needs_review \
                     FROM position_tasks pt JOIN positions p ON p.id = pt.position_id ORDER BY p.name, pt.process_step, pt.code",
                ).fetch_all(pool).await.map_err(db_error)?,
                sqlx::query_as(
                    "SELECT ts.task_id, s.code, s.name, ts.required_level, ts.tier FROM task_skills ts JOIN skills s ON s.id = ts.skill_id ORDER BY s.code",
                ).fetch_all(pool).await.map_err(db_error)?,
            )
        });
        let task_nodes = |target: i64| -> Vec<TaskNode> {
            tasks
                .iter()
                .filter(|t| t.1 == Some(target))
                .map(|t| TaskNode {
                    id: t.0,
                    position: t.2.clone(),
                    code: t.3.clone(),
                    name: t.4.clone(),
                    process_step: t.5,
                    needs_review: t.6,
                    skills: skills
                        .iter()
                        .filter(|s| s.0 == t.0)
                        .map(|s| TaskSkill {
                            skill_code: s.1.clone(),
                            skill_name: s.2.clone(),
                            required_level: s.3,
                            tier: s.4.clone(),
                        })
                        .collect(),
                })
                .collect()
        };
        Ok(strategies
            .iter()
            .map(|s| StrategyNode {
                id: s.0,
                code: s.1.clone(),
                name: s.2.clone(),
                horizon: s.3.clone(),
                objectives: objectives
                    .iter()
                    .filter(|o| o.1 == s.0)
                    .map(|o| ObjectiveNode {
                        id: o.0,
                        code: o.2.clone(),
                        name: o.3.clone(),
                        perspective: o.4.clone(),
                        key_results: serde_json::from_str(&o.5).unwrap_or_default(),
                        needs_review: o.6,
                        targets: targets
                            .iter()
                            .filter(|t| t.1 == o.0)
                            .map(|t| TargetNode {
                                id: t.0,
                                department: t.2.clone(),
                                kpi_code: t.3.clone(),
                                kpi_name: t.4.clone(),
                                unit: t.5.clone(),
                                period: t.6.clone(),
                                comparator: t.7.clone(),
                                target_value: t.8,
                                needs_review: t.9,
                                tasks: task_nodes(t.0),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect())
    }

    /// Changes a KPI target; the change is audited (who, what, when, before/after) and the
    /// tasks serving the target are marked as needing review.
    pub async fn update_kpi_target(
        &self,
        id: i64,
        comparator: &str,
        value: f64,
        actor: &Actor,
    ) -> DomainResult<usize> {
        if !matches!(comparator, "<=" | ">=") {
            return Err(DomainError::invalid("comparator", "must be <= or >="));
        }
        if !value.is_finite() {
            return Err(DomainError::invalid("target_value", "must be a number"));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(db_error)?;
            let before: Option<(String, f64)> = sqlx::query_as("SELECT comparator, target_value FROM kpi_targets WHERE id = $1")
                .bind(id).fetch_optional(&mut *tx).await.map_err(db_error)?;
            let (old_comparator, old_value) = before.ok_or(DomainError::NotFound { entity: "KPI target" })?;
            sqlx::query("UPDATE kpi_targets SET comparator = $1, target_value = $2, updated_at = $3 WHERE id = $4")
                .bind(comparator).bind(value).bind(now).bind(id).execute(&mut *tx).await.map_err(db_error)?;
            let marked = sqlx::query("UPDATE position_tasks SET needs_review = TRUE WHERE kpi_target_id = $1")
                .bind(id).execute(&mut *tx).await.map_err(db_error)?.rows_affected() as usize;
            let before = serde_json::json!({ "comparator": old_comparator, "target_value": old_value }).to_string();
            let after = serde_json::json!({ "comparator": comparator, "target_value": value, "tasks_marked_for_review": marked }).to_string();
            append_in!(tx, &actor.entry("decoding.target_change", "kpi_target").entity(id).change(Some(before), Some(after)));
            tx.commit().await.map_err(db_error)?;
            Ok(marked)
        })
    }

    /// Clears a task's review mark after someone checked it against the changed target.
    pub async fn mark_task_reviewed(&self, id: i64, actor: &Actor) -> DomainResult<()> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(db_error)?;
            let changed = sqlx::query("UPDATE position_tasks SET needs_review = FALSE WHERE id = $1 AND needs_review")
                .bind(id).execute(&mut *tx).await.map_err(db_error)?.rows_affected();
            if changed == 0 {
                return Err(DomainError::NotFound { entity: "task awaiting review" });
            }
            append_in!(tx, &actor.entry("decoding.task_reviewed", "position_task").entity(id));
            tx.commit().await.map_err(db_error)
        })
    }
}
