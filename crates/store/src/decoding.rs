//! The decoding chain: load, read as a tree, change a target (marking tasks for review).

use crate::audit::append_in;
use crate::competency::{check_required_level, skill_levels};
use crate::query::{ensure_code_free, id_by_code, one_or_not_found};
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::competency::Tier;
use domain::decoding::{
    ObjectiveInput, ObjectiveNode, ReviewItem, StrategyInput, StrategyNode, TargetInput,
    TargetNode, TaskInput, TaskNode, TaskSkill,
};
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

/// Fails when `$target` (an `Option<i64>`) names no KPI target.
macro_rules! check_target {
    ($tx:ident, $target:expr) => {{
        if let Some(target) = $target {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM kpi_targets WHERE id = $1")
                .bind(target)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(db_error)?;
            found.ok_or_else(|| DomainError::invalid("kpi_target_id", "no such KPI target"))?;
        }
    }};
}

/// Finds a strategy's id by code (`$1`).
const STRATEGY_BY_CODE: &str = "SELECT id FROM strategies WHERE code = $1";
/// Finds an objective's id by code (`$1`).
const OBJECTIVE_BY_CODE: &str = "SELECT id FROM objectives WHERE code = $1";

/// Marks the items below a changed one for review: `sql` sets `needs_review` on the
/// rows pointing at `id` (`$1`); its result tells how many were marked.
async fn mark_for_review<'e, DB, E>(
    executor: E,
    sql: &'e str,
    id: i64,
) -> DomainResult<DB::QueryResult>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'e, Database = DB>,
    i64: sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    DB::Arguments<'e>: sqlx::IntoArguments<'e, DB>,
{
    sqlx::query(sql)
        .bind(id)
        .execute(executor)
        .await
        .map_err(db_error)
}

/// An objective's key results as stored (JSON).
fn key_results_json(input: &ObjectiveInput) -> DomainResult<String> {
    serde_json::to_string(&input.key_results())
        .map_err(|e| DomainError::internal_from("cannot encode JSON", e))
}

/// The decoding port: every query and change of this context.
pub trait DecodingRepository {
    /// Writes a decoded strategy in one transaction.
    fn load_decoding(
        &self,
        spec: &DecodingSpec<'_>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Every strategy with its objectives, targets, tasks and skills.
    fn decoding_tree(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<StrategyNode>>> + Send;

    /// Changes a KPI target; the change is audited (who, what, when, before/after) and the
    /// tasks serving the target are marked as needing review.
    fn update_kpi_target(
        &self,
        id: i64,
        comparator: &str,
        value: f64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// Adds a strategy.
    fn create_strategy(
        &self,
        input: &StrategyInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes a strategy's name and horizon; its objectives are marked for review.
    fn update_strategy(
        &self,
        id: i64,
        input: &StrategyInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// Adds an objective to a strategy.
    fn create_objective(
        &self,
        input: &ObjectiveInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes an objective; its targets are marked for review.
    fn update_objective(
        &self,
        id: i64,
        input: &ObjectiveInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// Adds a department KPI target to an objective and computes its progress.
    fn create_kpi_target(
        &self,
        input: &TargetInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Adds a task to a position.
    fn create_task(
        &self,
        input: &TaskInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes a task's name, step or target (its position and code stay).
    fn update_task(
        &self,
        id: i64,
        input: &TaskInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Sets (adds or changes) a skill a task requires, or removes it when `level` is `None`;
    /// the position's competency model is derived again in the same transaction.
    fn set_task_skill(
        &self,
        task_id: i64,
        skill_code: &str,
        requirement: Option<(i32, Tier)>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Clears a review mark after someone checked the item against the change above it.
    fn mark_reviewed(
        &self,
        item: ReviewItem,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Computes each target's actual KPI value over its period and department subtree
    /// (the department's own values when it has any, else its people's), and how far it
    /// falls short. `only` limits the refresh to one target. Returns the targets updated.
    fn refresh_target_progress(
        &self,
        only: Option<i64>,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;
}

impl DecodingRepository for crate::Store {
    /// Writes a decoded strategy in one transaction.
    async fn load_decoding(&self, spec: &DecodingSpec<'_>, actor: &Actor) -> DomainResult<()> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let lookup =
                |rows: Vec<(String, i64)>| rows.into_iter().collect::<HashMap<String, i64>>();
            let depts = lookup(
                sqlx::query_as("SELECT code, id FROM departments")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?,
            );
            let kpis = lookup(
                sqlx::query_as("SELECT code, id FROM kpis")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?,
            );
            let positions = lookup(
                sqlx::query_as("SELECT code, id FROM positions")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?,
            );
            let skills = lookup(
                sqlx::query_as("SELECT code, id FROM skills")
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?,
            );
            let unknown = |what: &str, code: &str| {
                DomainError::invalid(what, format!("unknown {what} {code}"))
            };
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
    async fn decoding_tree(&self) -> DomainResult<Vec<StrategyNode>> {
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
            Option<f64>,
            Option<f64>,
            bool,
        );
        type Tsk = (i64, Option<i64>, String, String, String, i32, bool);
        type Skl = (i64, String, String, i32, String);
        type TreeRows = (Vec<Strat>, Vec<Obj>, Vec<Tgt>, Vec<Tsk>, Vec<Skl>);
        let (strategies, objectives, targets, tasks, skills): TreeRows = on_pool!(self, |pool| {
            (
                sqlx::query_as("SELECT id, code, name, horizon FROM strategies ORDER BY code").fetch_all(pool).await.map_err(db_error)?,
                sqlx::query_as("SELECT id, strategy_id, code, name, perspective, key_results, needs_review FROM objectives ORDER BY code").fetch_all(pool).await.map_err(db_error)?,
                sqlx::query_as(
                    "SELECT t.id, t.objective_id, d.name, k.code, k.name, k.unit, t.period, t.comparator, t.target_value, t.actual_value, t.shortfall, t.needs_review \
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
                                actual_value: t.9,
                                shortfall: t.10,
                                needs_review: t.11,
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
    async fn update_kpi_target(
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
        let marked = on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (old_comparator, old_value): (String, f64) = one_or_not_found(
                &mut *tx,
                "SELECT comparator, target_value FROM kpi_targets WHERE id = $1",
                id,
                "KPI target",
            )
            .await?;
            sqlx::query("UPDATE kpi_targets SET comparator = $1, target_value = $2, updated_at = $3 WHERE id = $4")
                .bind(comparator).bind(value).bind(now).bind(id).execute(&mut *tx).await.map_err(db_error)?;
            let marked = mark_for_review(
                &mut *tx,
                "UPDATE position_tasks SET needs_review = TRUE WHERE kpi_target_id = $1",
                id,
            )
            .await?
            .rows_affected() as usize;
            let before =
                serde_json::json!({ "comparator": old_comparator, "target_value": old_value })
                    .to_string();
            let after = serde_json::json!({ "comparator": comparator, "target_value": value, "tasks_marked_for_review": marked }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.target_change", "kpi_target")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            marked
        });
        self.refresh_target_progress(Some(id)).await?;
        Ok(marked)
    }
    /// Adds a strategy.
    async fn create_strategy(&self, input: &StrategyInput, actor: &Actor) -> DomainResult<i64> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_code_free(&mut *tx, STRATEGY_BY_CODE, input.code.trim(), None, "").await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO strategies (code, name, horizon, updated_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(input.code.trim()).bind(input.name.trim()).bind(input.horizon.as_deref().map(str::trim).filter(|h| !h.is_empty())).bind(now)
                .fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "code": input.code.trim(), "name": input.name.trim(), "horizon": input.horizon }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.strategy_create", "strategy")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Changes a strategy's name and horizon; its objectives are marked for review.
    async fn update_strategy(
        &self,
        id: i64,
        input: &StrategyInput,
        actor: &Actor,
    ) -> DomainResult<usize> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before: (String, String, Option<String>) = one_or_not_found(
                &mut *tx,
                "SELECT code, name, horizon FROM strategies WHERE id = $1",
                id,
                "strategy",
            )
            .await?;
            ensure_code_free(&mut *tx, STRATEGY_BY_CODE, input.code.trim(), Some(id), "").await?;
            sqlx::query("UPDATE strategies SET code = $1, name = $2, horizon = $3, updated_at = $4 WHERE id = $5")
                .bind(input.code.trim()).bind(input.name.trim()).bind(input.horizon.as_deref().map(str::trim).filter(|h| !h.is_empty())).bind(now).bind(id)
                .execute(&mut *tx).await.map_err(db_error)?;
            let marked = mark_for_review(
                &mut *tx,
                "UPDATE objectives SET needs_review = TRUE WHERE strategy_id = $1",
                id,
            )
            .await?
            .rows_affected() as usize;
            let before =
                serde_json::json!({ "code": before.0, "name": before.1, "horizon": before.2 })
                    .to_string();
            let after = serde_json::json!({ "code": input.code.trim(), "name": input.name.trim(), "horizon": input.horizon, "objectives_marked_for_review": marked }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.strategy_change", "strategy")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(marked)
        })
    }

    /// Adds an objective to a strategy.
    async fn create_objective(&self, input: &ObjectiveInput, actor: &Actor) -> DomainResult<i64> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        let key_results = key_results_json(input)?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let strategy: Option<i64> =
                sqlx::query_scalar("SELECT id FROM strategies WHERE id = $1")
                    .bind(input.strategy_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
            strategy.ok_or_else(|| DomainError::invalid("strategy_id", "no such strategy"))?;
            ensure_code_free(&mut *tx, OBJECTIVE_BY_CODE, input.code.trim(), None, "").await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO objectives (strategy_id, code, name, perspective, key_results, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(input.strategy_id).bind(input.code.trim()).bind(input.name.trim()).bind(input.perspective()).bind(&key_results).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "strategy_id": input.strategy_id, "code": input.code.trim(), "name": input.name.trim(), "perspective": input.perspective(), "key_results": input.key_results() }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.objective_create", "objective")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Changes an objective; its targets are marked for review.
    async fn update_objective(
        &self,
        id: i64,
        input: &ObjectiveInput,
        actor: &Actor,
    ) -> DomainResult<usize> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        let key_results = key_results_json(input)?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before: (String, String, Option<String>, String) = one_or_not_found(
                &mut *tx,
                "SELECT code, name, perspective, key_results FROM objectives WHERE id = $1",
                id,
                "objective",
            )
            .await?;
            ensure_code_free(&mut *tx, OBJECTIVE_BY_CODE, input.code.trim(), Some(id), "").await?;
            sqlx::query("UPDATE objectives SET code = $1, name = $2, perspective = $3, key_results = $4, needs_review = FALSE, updated_at = $5 WHERE id = $6")
                .bind(input.code.trim()).bind(input.name.trim()).bind(input.perspective()).bind(&key_results).bind(now).bind(id)
                .execute(&mut *tx).await.map_err(db_error)?;
            let marked = mark_for_review(
                &mut *tx,
                "UPDATE kpi_targets SET needs_review = TRUE WHERE objective_id = $1",
                id,
            )
            .await?
            .rows_affected() as usize;
            let before = serde_json::json!({ "code": before.0, "name": before.1, "perspective": before.2, "key_results": serde_json::from_str::<serde_json::Value>(&before.3).unwrap_or_default() }).to_string();
            let after = serde_json::json!({ "code": input.code.trim(), "name": input.name.trim(), "perspective": input.perspective(), "key_results": input.key_results(), "targets_marked_for_review": marked }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.objective_change", "objective")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(marked)
        })
    }

    /// Adds a department KPI target to an objective and computes its progress.
    async fn create_kpi_target(&self, input: &TargetInput, actor: &Actor) -> DomainResult<i64> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let objective: Option<i64> =
                sqlx::query_scalar("SELECT id FROM objectives WHERE id = $1")
                    .bind(input.objective_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
            objective.ok_or_else(|| DomainError::invalid("objective_id", "no such objective"))?;
            let department = id_by_code(
                &mut *tx,
                "SELECT id FROM departments WHERE code = $1",
                input.department_code.trim(),
                "department_code",
                "department",
            )
            .await?;
            let kpi = id_by_code(
                &mut *tx,
                "SELECT id FROM kpis WHERE code = $1",
                input.kpi_code.trim(),
                "kpi_code",
                "kpi",
            )
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO kpi_targets (objective_id, department_id, kpi_id, period, comparator, target_value, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(input.objective_id).bind(department).bind(kpi).bind(input.period.trim()).bind(input.comparator.trim()).bind(input.target_value).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "objective_id": input.objective_id, "department": input.department_code.trim(), "kpi": input.kpi_code.trim(), "period": input.period.trim(), "comparator": input.comparator.trim(), "target_value": input.target_value }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.target_create", "kpi_target")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            id
        });
        self.refresh_target_progress(Some(id)).await?;
        Ok(id)
    }

    /// Adds a task to a position.
    async fn create_task(&self, input: &TaskInput, actor: &Actor) -> DomainResult<i64> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let position = id_by_code(
                &mut *tx,
                "SELECT id FROM positions WHERE code = $1",
                input.position_code.trim(),
                "position_code",
                "position",
            )
            .await?;
            check_target!(tx, input.kpi_target_id);
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM position_tasks WHERE position_id = $1 AND code = $2",
            )
            .bind(position)
            .bind(input.code.trim())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            if taken.is_some() {
                return Err(DomainError::invalid(
                    "code",
                    format!("the position already has a task '{}'", input.code.trim()),
                ));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO position_tasks (position_id, kpi_target_id, code, name, process_step, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(position).bind(input.kpi_target_id).bind(input.code.trim()).bind(input.name.trim()).bind(input.process_step).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "position": input.position_code.trim(), "kpi_target_id": input.kpi_target_id, "code": input.code.trim(), "name": input.name.trim(), "process_step": input.process_step }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.task_create", "position_task")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Changes a task's name, step or target (its position and code stay).
    async fn update_task(&self, id: i64, input: &TaskInput, actor: &Actor) -> DomainResult<()> {
        input.validate()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before: (String, i32, Option<i64>) = one_or_not_found(
                &mut *tx,
                "SELECT name, process_step, kpi_target_id FROM position_tasks WHERE id = $1",
                id,
                "task",
            )
            .await?;
            check_target!(tx, input.kpi_target_id);
            sqlx::query("UPDATE position_tasks SET name = $1, process_step = $2, kpi_target_id = $3, needs_review = FALSE, updated_at = $4 WHERE id = $5")
                .bind(input.name.trim()).bind(input.process_step).bind(input.kpi_target_id).bind(now).bind(id)
                .execute(&mut *tx).await.map_err(db_error)?;
            let before = serde_json::json!({ "name": before.0, "process_step": before.1, "kpi_target_id": before.2 }).to_string();
            let after = serde_json::json!({ "name": input.name.trim(), "process_step": input.process_step, "kpi_target_id": input.kpi_target_id }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("decoding.task_change", "position_task")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Sets (adds or changes) a skill a task requires, or removes it when `level` is `None`;
    /// the position's competency model is derived again in the same transaction.
    async fn set_task_skill(
        &self,
        task_id: i64,
        skill_code: &str,
        requirement: Option<(i32, Tier)>,
        actor: &Actor,
    ) -> DomainResult<()> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let sql = "SELECT position_id FROM position_tasks WHERE id = $1";
            let (position,): (i64,) = one_or_not_found(&mut *tx, sql, task_id, "task").await?;
            let (skill, levels) = skill_levels(&mut *tx, skill_code.trim(), "skill").await?;
            let before: Option<(i32, String)> = sqlx::query_as(
                "SELECT required_level, tier FROM task_skills WHERE task_id = $1 AND skill_id = $2",
            )
            .bind(task_id)
            .bind(skill)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            sqlx::query("DELETE FROM task_skills WHERE task_id = $1 AND skill_id = $2")
                .bind(task_id)
                .bind(skill)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            if let Some((level, tier)) = requirement {
                check_required_level(level, levels)?;
                sqlx::query("INSERT INTO task_skills (task_id, skill_id, required_level, tier) VALUES ($1, $2, $3, $4)")
                    .bind(task_id).bind(skill).bind(level).bind(tier.code()).execute(&mut *tx).await.map_err(db_error)?;
            } else if before.is_none() {
                return Err(DomainError::NotFound {
                    entity: "task skill",
                });
            }
            sqlx::query("UPDATE position_tasks SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(task_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            crate::competency::derive_models_in!(tx, Some(position));
            let before = before.map(|(l, t)| serde_json::json!({ "skill": skill_code.trim(), "required_level": l, "tier": t }).to_string());
            let after = requirement.map(|(l, t)| serde_json::json!({ "skill": skill_code.trim(), "required_level": l, "tier": t.code() }).to_string());
            append_in!(
                tx,
                &actor
                    .entry("decoding.task_skill", "position_task")
                    .entity(task_id)
                    .change(before, after)
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Clears a review mark after someone checked the item against the change above it.
    async fn mark_reviewed(&self, item: ReviewItem, id: i64, actor: &Actor) -> DomainResult<()> {
        let sql = format!(
            "UPDATE {} SET needs_review = FALSE WHERE id = $1 AND needs_review",
            item.table()
        );
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let changed = sqlx::query(&sql)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
            if changed == 0 {
                return Err(DomainError::NotFound {
                    entity: "item awaiting review",
                });
            }
            append_in!(
                tx,
                &actor.entry("decoding.reviewed", item.table()).entity(id)
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Computes each target's actual KPI value over its period and department subtree
    /// (the department's own values when it has any, else its people's), and how far it
    /// falls short. `only` limits the refresh to one target. Returns the targets updated.
    async fn refresh_target_progress(&self, only: Option<i64>) -> DomainResult<usize> {
        #[derive(sqlx::FromRow)]
        struct Target {
            id: i64,
            kpi_id: i64,
            aggregation: String,
            department_id: i64,
            path: String,
            period: String,
            comparator: String,
            target_value: f64,
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let targets: Vec<Target> = sqlx::query_as(
                "SELECT t.id, t.kpi_id, k.aggregation, t.department_id, d.path, t.period, t.comparator, t.target_value \
                 FROM kpi_targets t JOIN kpis k ON k.id = t.kpi_id JOIN departments d ON d.id = t.department_id \
                 WHERE $1 IS NULL OR t.id = $1",
            )
            .bind(only).fetch_all(pool).await.map_err(db_error)?;
            let mut updated = 0;
            for t in targets {
                let Ok((first, last)) = domain::decoding::period_months(&t.period) else {
                    continue;
                };
                // Sources of one cell (hr, business, import) are averaged so a value counts once.
                let own: (i64, Option<f64>, Option<f64>) = sqlx::query_as(
                    "SELECT COUNT(*), SUM(x.v), AVG(x.v) FROM (SELECT period, AVG(value) AS v FROM kpi_values \
                     WHERE kpi_id = $1 AND department_id = $2 AND period >= $3 AND period <= $4 GROUP BY period) x",
                )
                .bind(t.kpi_id).bind(t.department_id).bind(&first).bind(&last).fetch_one(pool).await.map_err(db_error)?;
                let cells = if own.0 > 0 {
                    own
                } else {
                    sqlx::query_as(
                        "SELECT COUNT(*), SUM(x.v), AVG(x.v) FROM (SELECT v.employee_id, v.period, AVG(v.value) AS v FROM kpi_values v \
                         JOIN employees e ON e.id = v.employee_id JOIN departments d ON d.id = e.department_id \
                         WHERE v.kpi_id = $1 AND v.period >= $2 AND v.period <= $3 AND d.path LIKE $4 GROUP BY v.employee_id, v.period) x",
                    )
                    .bind(t.kpi_id).bind(&first).bind(&last).bind(format!("{}%", t.path)).fetch_one(pool).await.map_err(db_error)?
                };
                let actual = if t.aggregation == "sum" {
                    cells.1
                } else {
                    cells.2
                };
                let shortfall =
                    actual.map(|a| domain::decoding::shortfall(&t.comparator, t.target_value, a));
                sqlx::query("UPDATE kpi_targets SET actual_value = $1, shortfall = $2, progress_at = $3 WHERE id = $4")
                    .bind(actual).bind(shortfall).bind(now).bind(t.id).execute(pool).await.map_err(db_error)?;
                updated += 1;
            }
            Ok(updated)
        })
    }
}
