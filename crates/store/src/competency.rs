//! Skills, competency models, assessments and gaps.

use crate::audit::append_in;
use crate::query::{id_map, one_or_not_found, row_by_code};
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::competency::{SkillGap, Tier};
use domain::{DomainError, DomainResult};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// A skill catalogue to load: areas, skills with level descriptors, position requirements.
pub struct SkillCatalog<'a> {
    /// (code, name).
    pub areas: &'a [(&'a str, &'a str)],
    /// (code, name, area code).
    pub skills: &'a [(&'a str, &'a str, &'a str)],
    /// JSON array of level descriptors shared by the skills.
    pub descriptors: String,
    /// (position code, skill code, required level, tier code).
    pub requirements: &'a [(&'a str, &'a str, i32, &'a str)],
}

/// An assessment to record, by employee number and skill code.
pub struct AssessmentInput<'a> {
    pub employee_no: &'a str,
    pub skill: &'a str,
    pub level: i32,
    pub method: &'a str,
    pub assessed_on: Date,
}

const CHUNK: usize = 500;

/// Re-derives the task-based rows of competency models inside transaction `$tx`: each
/// position requires the union of its tasks' skills at the highest level and tier, except
/// where a requirement was set directly (`manual`), which wins. `$position` is
/// `Option<i64>`: one position, or every position when `None`.
macro_rules! derive_models_in {
    ($tx:ident, $position:expr) => {{
        let position: Option<i64> = $position;
        sqlx::query("DELETE FROM position_skills WHERE source = 'tasks' AND ($1 IS NULL OR position_id = $1)")
            .bind(position)
            .execute(&mut *$tx)
            .await
            .map_err($crate::db_error)?;
        sqlx::query(
            "INSERT INTO position_skills (position_id, skill_id, required_level, tier, source) \
             SELECT pt.position_id, ts.skill_id, MAX(ts.required_level), \
                    CASE MIN(CASE ts.tier WHEN 'core' THEN 0 WHEN 'support' THEN 1 ELSE 2 END) \
                         WHEN 0 THEN 'core' WHEN 1 THEN 'support' ELSE 'reserve' END, 'tasks' \
             FROM task_skills ts JOIN position_tasks pt ON pt.id = ts.task_id \
             WHERE ($1 IS NULL OR pt.position_id = $1) AND NOT EXISTS ( \
                 SELECT 1 FROM position_skills m WHERE m.position_id = pt.position_id AND m.skill_id = ts.skill_id) \
             GROUP BY pt.position_id, ts.skill_id",
        )
        .bind(position)
        .execute(&mut *$tx)
        .await
        .map_err($crate::db_error)?;
    }};
}
pub(crate) use derive_models_in;

#[derive(sqlx::FromRow)]
struct GapRow {
    code: String,
    name: String,
    area: String,
    required_level: i32,
    current_level: Option<i32>,
    tier: String,
    assessed_on: Option<Date>,
    method: Option<String>,
    kpi_shortfall: Option<f64>,
}

/// The largest shortfall among the KPI targets that a position's tasks requiring a skill
/// serve, per position and skill: the "KPI pressure" on a gap.
pub(crate) const KPI_PRESSURE: &str = "kpi_pressure AS ( \
    SELECT pt.position_id, ts.skill_id, MAX(kt.shortfall) AS shortfall \
    FROM task_skills ts JOIN position_tasks pt ON pt.id = ts.task_id \
    JOIN kpi_targets kt ON kt.id = pt.kpi_target_id WHERE kt.shortfall IS NOT NULL \
    GROUP BY pt.position_id, ts.skill_id)";

/// How much a gap counts for a requirement `ps` (the SQL form of `Tier::weight`).
pub(crate) const TIER_WEIGHT: &str =
    "CASE ps.tier WHEN 'core' THEN 3.0 WHEN 'support' THEN 2.0 ELSE 1.0 END";

/// Gaps of one department in one skill (people of the department subtree's own staff).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeatCell {
    pub department_id: i64,
    pub department: String,
    pub skill_code: String,
    pub skill: String,
    /// People whose position requires the skill.
    pub people: i64,
    /// Of them, people with an assessment.
    pub assessed: i64,
    /// Mean gap over the assessed (levels below the requirement; 0 when met).
    pub avg_gap: Option<f64>,
    /// Sum of gaps over the assessed, weighted by tier and KPI pressure.
    pub weighted: Option<f64>,
}

/// One requirement of a position's competency model, with where it comes from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModelRequirement {
    pub skill_code: String,
    pub skill_name: String,
    pub area: String,
    pub levels: i32,
    pub required_level: i32,
    pub tier: String,
    /// `tasks` (derived) or `manual` (set directly).
    pub source: String,
    /// Codes of the position's tasks that require the skill, comma-separated.
    pub tasks: Option<String>,
}

/// A skill of the taxonomy with its levels and their behavioral descriptions.
#[derive(Debug, Clone)]
pub struct SkillEntry {
    pub code: String,
    pub name: String,
    pub area: String,
    pub levels: i32,
    pub descriptors: Vec<String>,
}

/// A skill's id and number of levels by its code; an unknown code is invalid input on
/// `field`.
pub(crate) async fn skill_levels<'e, DB, E>(
    executor: E,
    code: &'e str,
    field: &str,
) -> DomainResult<(i64, i32)>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'e, Database = DB>,
    (i64, i32): for<'r> sqlx::FromRow<'r, DB::Row>,
    &'e str: sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    DB::Arguments<'e>: sqlx::IntoArguments<'e, DB>,
{
    let sql = "SELECT id, levels FROM skills WHERE code = $1";
    row_by_code(executor, sql, code, field, "skill").await
}

/// A required level must be one of the skill's `levels`.
pub(crate) fn check_required_level(level: i32, levels: i32) -> DomainResult<()> {
    if (1..=levels).contains(&level) {
        return Ok(());
    }
    Err(DomainError::invalid(
        "required_level",
        format!("must be between 1 and {levels}"),
    ))
}

/// The competency port: every query and change of this context.
pub trait CompetencyRepository {
    /// Writes a skill catalogue and competency models in one transaction.
    fn load_skill_catalog(
        &self,
        catalog: &SkillCatalog<'_>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Records assessments in one transaction; unknown employees or skills are an error.
    fn record_assessments(
        &self,
        items: &[AssessmentInput<'_>],
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// The required skills of an employee's position with the latest assessment of each
    /// (the caller checks the employee is in scope).
    fn employee_gaps(
        &self,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<SkillGap>>> + Send;

    /// Department × skill gaps within `scope`, computed in one SQL pass over the latest
    /// assessment of every required skill of every employed person.
    fn gap_heatmap(
        &self,
        scope: &domain::DataScope,
    ) -> impl std::future::Future<Output = DomainResult<Vec<HeatCell>>> + Send;

    /// A position's competency model.
    fn position_model(
        &self,
        position_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<ModelRequirement>>> + Send;

    /// Sets a requirement of a position's model directly (it then wins over the tasks'),
    /// or, with `None`, drops the direct setting so the tasks' requirement (if any) applies.
    fn set_model_requirement(
        &self,
        position_id: i64,
        skill_code: &str,
        requirement: Option<(i32, Tier)>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Positions for pickers: (id, code, name, requirements in the competency model).
    fn position_options(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<(i64, String, String, i64)>>> + Send;

    /// Skills for pickers: (code, name, levels).
    fn skill_options(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<(String, String, i32)>>> + Send;

    /// The skill taxonomy, by area and code.
    fn list_skills(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<SkillEntry>>> + Send;

    /// Renames a skill and sets its number of levels (2–10) with one behavioral
    /// description per level; fewer levels than a requirement needs are refused.
    fn update_skill(
        &self,
        code: &str,
        name: &str,
        descriptors: &[String],
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;
}

impl CompetencyRepository for crate::Store {
    /// Writes a skill catalogue and competency models in one transaction.
    async fn load_skill_catalog(
        &self,
        catalog: &SkillCatalog<'_>,
        actor: &Actor,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut areas: HashMap<&str, i64> = HashMap::new();
            for (code, name) in catalog.areas {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO skill_areas (code, name) VALUES ($1, $2) RETURNING id",
                )
                .bind(code)
                .bind(name)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
                areas.insert(code, id);
            }
            let mut skills: HashMap<&str, i64> = HashMap::new();
            for (code, name, area) in catalog.skills {
                let area_id = *areas.get(area).ok_or_else(|| {
                    DomainError::invalid("area", format!("unknown skill area {area}"))
                })?;
                let id: i64 = sqlx::query_scalar("INSERT INTO skills (code, name, area_id, levels, descriptors) VALUES ($1, $2, $3, 3, $4) RETURNING id")
                    .bind(code).bind(name).bind(area_id).bind(&catalog.descriptors)
                    .fetch_one(&mut *tx).await.map_err(db_error)?;
                skills.insert(code, id);
            }
            let positions = id_map(&mut *tx, "SELECT code, id FROM positions").await?;
            for (position, skill, level, tier) in catalog.requirements {
                let (Some(p), Some(s)) = (positions.get(*position), skills.get(skill)) else {
                    return Err(DomainError::invalid(
                        "requirement",
                        format!("unknown position {position} or skill {skill}"),
                    ));
                };
                Tier::parse(tier)?;
                sqlx::query("INSERT INTO position_skills (position_id, skill_id, required_level, tier) VALUES ($1, $2, $3, $4)")
                    .bind(p).bind(s).bind(level).bind(tier)
                    .execute(&mut *tx).await.map_err(db_error)?;
            }
            let report = serde_json::json!({ "areas": catalog.areas.len(), "skills": catalog.skills.len(), "requirements": catalog.requirements.len() });
            append_in!(
                tx,
                &actor
                    .entry("competency.load", "competency_model")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Records assessments in one transaction; unknown employees or skills are an error.
    async fn record_assessments(
        &self,
        items: &[AssessmentInput<'_>],
        actor: &Actor,
    ) -> DomainResult<usize> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let employees = id_map(&mut *tx, "SELECT employee_no, id FROM employees").await?;
            let skills = id_map(&mut *tx, "SELECT code, id FROM skills").await?;
            let mut rows = Vec::with_capacity(items.len());
            for a in items {
                let (Some(e), Some(s)) = (employees.get(a.employee_no), skills.get(a.skill)) else {
                    return Err(DomainError::invalid(
                        "assessment",
                        format!("unknown employee {} or skill {}", a.employee_no, a.skill),
                    ));
                };
                rows.push((*e, *s, a));
            }
            for chunk in rows.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO assessments (employee_id, skill_id, level, method, assessor, assessed_on, created_at) ",
                );
                qb.push_values(chunk, |mut row, (e, s, a)| {
                    row.push_bind(*e)
                        .push_bind(*s)
                        .push_bind(a.level)
                        .push_bind(a.method)
                        .push_bind(actor.name.clone())
                        .push_bind(a.assessed_on)
                        .push_bind(now);
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            let report = serde_json::json!({ "assessments": items.len() });
            append_in!(
                tx,
                &actor
                    .entry("assessment.record", "assessment")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(items.len())
        })
    }

    /// The required skills of an employee's position with the latest assessment of each
    /// (the caller checks the employee is in scope).
    async fn employee_gaps(&self, employee_id: i64) -> DomainResult<Vec<SkillGap>> {
        on_pool!(self, |pool| {
            let sql = format!(
                "WITH latest AS ( \
                   SELECT a.skill_id, a.level, a.assessed_on, a.method, \
                          ROW_NUMBER() OVER (PARTITION BY a.skill_id ORDER BY a.assessed_on DESC, a.id DESC) AS rn \
                   FROM assessments a WHERE a.employee_id = $1), {KPI_PRESSURE} \
                 SELECT s.code, s.name, ar.name AS area, ps.required_level, l.level AS current_level, ps.tier, l.assessed_on, l.method, \
                        kp.shortfall AS kpi_shortfall \
                 FROM employees e JOIN position_skills ps ON ps.position_id = e.position_id \
                 JOIN skills s ON s.id = ps.skill_id JOIN skill_areas ar ON ar.id = s.area_id \
                 LEFT JOIN latest l ON l.skill_id = ps.skill_id AND l.rn = 1 \
                 LEFT JOIN kpi_pressure kp ON kp.position_id = ps.position_id AND kp.skill_id = ps.skill_id \
                 WHERE e.id = $1 ORDER BY CASE ps.tier WHEN 'core' THEN 0 WHEN 'support' THEN 1 ELSE 2 END, s.code",
            );
            let rows: Vec<GapRow> = sqlx::query_as(&sql)
                .bind(employee_id)
                .fetch_all(pool)
                .await
                .map_err(db_error)?;
            rows.into_iter()
                .map(|r| {
                    Ok(SkillGap {
                        skill_code: r.code,
                        skill_name: r.name,
                        area: r.area,
                        required_level: r.required_level,
                        current_level: r.current_level,
                        tier: Tier::parse(&r.tier)?,
                        assessed_on: r.assessed_on,
                        method: r.method,
                        kpi_shortfall: r.kpi_shortfall,
                    })
                })
                .collect()
        })
    }
    /// Department × skill gaps within `scope`, computed in one SQL pass over the latest
    /// assessment of every required skill of every employed person.
    async fn gap_heatmap(&self, scope: &domain::DataScope) -> DomainResult<Vec<HeatCell>> {
        use crate::org::{Own, push_scope};
        on_pool!(self, |pool| {
            // The latest assessment per (employee, skill) by anti-join, which planners
            // estimate well (a ROW_NUMBER() = 1 filter led PostgreSQL into a 70M-row
            // merge join); gap sums start from those rows, head counts from the staff.
            let mut qb = QueryBuilder::new(format!(
                "WITH latest AS ( \
                   SELECT a.employee_id, a.skill_id, a.level FROM assessments a \
                   WHERE NOT EXISTS (SELECT 1 FROM assessments b WHERE b.employee_id = a.employee_id AND b.skill_id = a.skill_id \
                     AND (b.assessed_on > a.assessed_on OR (b.assessed_on = a.assessed_on AND b.id > a.id)))), {KPI_PRESSURE}, \
                 staff AS (SELECT e.department_id, e.position_id, COUNT(*) AS people \
                   FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.status <> 'left' AND ",
            ));
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(format!(
                " GROUP BY e.department_id, e.position_id), \
                 people AS (SELECT st.department_id, ps.skill_id, SUM(st.people) AS people \
                   FROM staff st JOIN position_skills ps ON ps.position_id = st.position_id GROUP BY st.department_id, ps.skill_id), \
                 gaps AS (SELECT e.department_id, ps.skill_id, \
                     CASE WHEN ps.required_level > l.level THEN CAST(ps.required_level - l.level AS DOUBLE PRECISION) ELSE 0.0 END AS gap, \
                     {TIER_WEIGHT} * (1.0 + COALESCE(kp.shortfall, 0.0)) AS weight \
                   FROM latest l JOIN employees e ON e.id = l.employee_id JOIN departments d ON d.id = e.department_id \
                   JOIN position_skills ps ON ps.position_id = e.position_id AND ps.skill_id = l.skill_id \
                   LEFT JOIN kpi_pressure kp ON kp.position_id = ps.position_id AND kp.skill_id = ps.skill_id \
                   WHERE e.status <> 'left' AND ",
            ));
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(
                "), assessed AS (SELECT department_id, skill_id, COUNT(*) AS assessed, AVG(gap) AS avg_gap, SUM(gap * weight) AS weighted \
                   FROM gaps GROUP BY department_id, skill_id) \
                 SELECT d.id AS department_id, d.name AS department, s.code AS skill_code, s.name AS skill, \
                        CAST(p.people AS BIGINT) AS people, COALESCE(a.assessed, 0) AS assessed, a.avg_gap, a.weighted \
                 FROM people p JOIN departments d ON d.id = p.department_id JOIN skills s ON s.id = p.skill_id \
                 LEFT JOIN assessed a ON a.department_id = p.department_id AND a.skill_id = p.skill_id ORDER BY d.path, s.code",
            );
            qb.build_query_as().fetch_all(pool).await.map_err(db_error)
        })
    }
    /// A position's competency model.
    async fn position_model(&self, position_id: i64) -> DomainResult<Vec<ModelRequirement>> {
        on_pool!(self, |pool| {
            let rows: Vec<ModelRequirement> = sqlx::query_as(
                "SELECT s.code AS skill_code, s.name AS skill_name, ar.name AS area, s.levels, ps.required_level, ps.tier, ps.source, \
                        (SELECT MIN(pt.name) FROM task_skills ts JOIN position_tasks pt ON pt.id = ts.task_id \
                         WHERE pt.position_id = ps.position_id AND ts.skill_id = ps.skill_id) AS tasks \
                 FROM position_skills ps JOIN skills s ON s.id = ps.skill_id JOIN skill_areas ar ON ar.id = s.area_id \
                 WHERE ps.position_id = $1 ORDER BY CASE ps.tier WHEN 'core' THEN 0 WHEN 'support' THEN 1 ELSE 2 END, s.code",
            )
            .bind(position_id).fetch_all(pool).await.map_err(db_error)?;
            Ok(rows)
        })
    }

    /// Sets a requirement of a position's model directly (it then wins over the tasks'),
    /// or, with `None`, drops the direct setting so the tasks' requirement (if any) applies.
    async fn set_model_requirement(
        &self,
        position_id: i64,
        skill_code: &str,
        requirement: Option<(i32, Tier)>,
        actor: &Actor,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let sql = "SELECT id FROM positions WHERE id = $1";
            let _: (i64,) = one_or_not_found(&mut *tx, sql, position_id, "position").await?;
            let (skill, levels) = skill_levels(&mut *tx, skill_code.trim(), "skill").await?;
            let before: Option<(i32, String, String)> = sqlx::query_as("SELECT required_level, tier, source FROM position_skills WHERE position_id = $1 AND skill_id = $2")
                .bind(position_id).bind(skill).fetch_optional(&mut *tx).await.map_err(db_error)?;
            sqlx::query("DELETE FROM position_skills WHERE position_id = $1 AND skill_id = $2")
                .bind(position_id)
                .bind(skill)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            match requirement {
                Some((level, tier)) => {
                    check_required_level(level, levels)?;
                    sqlx::query("INSERT INTO position_skills (position_id, skill_id, required_level, tier, source) VALUES ($1, $2, $3, $4, 'manual')")
                        .bind(position_id).bind(skill).bind(level).bind(tier.code()).execute(&mut *tx).await.map_err(db_error)?;
                }
                None if before.as_ref().is_none_or(|b| b.2 != "manual") => {
                    return Err(DomainError::invalid(
                        "skill",
                        "the requirement was not set directly; change the tasks that need it instead",
                    ));
                }
                None => derive_models_in!(tx, Some(position_id)),
            }
            let before = before.map(|(l, t, s)| serde_json::json!({ "skill": skill_code.trim(), "required_level": l, "tier": t, "source": s }).to_string());
            let after = requirement.map(|(l, t)| serde_json::json!({ "skill": skill_code.trim(), "required_level": l, "tier": t.code(), "source": "manual" }).to_string());
            append_in!(
                tx,
                &actor
                    .entry("competency.model_change", "position")
                    .entity(position_id)
                    .change(before, after)
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Positions for pickers: (id, code, name, requirements in the competency model).
    async fn position_options(&self) -> DomainResult<Vec<(i64, String, String, i64)>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.code, p.name, (SELECT COUNT(*) FROM position_skills ps WHERE ps.position_id = p.id) AS requirements \
                 FROM positions p ORDER BY p.name, p.code",
            )
            .fetch_all(pool).await.map_err(db_error)
        })
    }

    /// Skills for pickers: (code, name, levels).
    async fn skill_options(&self) -> DomainResult<Vec<(String, String, i32)>> {
        on_pool!(self, |pool| {
            sqlx::query_as("SELECT code, name, levels FROM skills ORDER BY code")
                .fetch_all(pool)
                .await
                .map_err(db_error)
        })
    }
    /// The skill taxonomy, by area and code.
    async fn list_skills(&self) -> DomainResult<Vec<SkillEntry>> {
        let rows: Vec<(String, String, String, i32, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.code, s.name, ar.name, s.levels, s.descriptors FROM skills s JOIN skill_areas ar ON ar.id = s.area_id ORDER BY ar.code, s.code",
            )
            .fetch_all(pool).await.map_err(db_error)?
        });
        Ok(rows
            .into_iter()
            .map(|r| SkillEntry {
                code: r.0,
                name: r.1,
                area: r.2,
                levels: r.3,
                descriptors: serde_json::from_str(&r.4).unwrap_or_default(),
            })
            .collect())
    }

    /// Renames a skill and sets its number of levels (2–10) with one behavioral
    /// description per level; fewer levels than a requirement needs are refused.
    async fn update_skill(
        &self,
        code: &str,
        name: &str,
        descriptors: &[String],
        actor: &Actor,
    ) -> DomainResult<()> {
        let name = name.trim();
        if name.is_empty() {
            return Err(DomainError::invalid("name", "is required"));
        }
        let descriptors: Vec<&str> = descriptors
            .iter()
            .map(|d| d.trim())
            .filter(|d| !d.is_empty())
            .collect();
        let levels = descriptors.len() as i32;
        if !(2..=10).contains(&levels) {
            return Err(DomainError::invalid(
                "descriptors",
                format!("give one description per level, 2 to 10 levels ({levels} given)"),
            ));
        }
        let json = serde_json::to_string(&descriptors)
            .map_err(|e| DomainError::internal_from("cannot encode JSON", e))?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (id, old_name, old_levels, old_descriptors): (i64, String, i32, String) =
                one_or_not_found(
                    &mut *tx,
                    "SELECT id, name, levels, descriptors FROM skills WHERE code = $1",
                    code.trim(),
                    "skill",
                )
                .await?;
            let needed: Option<i32> = sqlx::query_scalar(
                "SELECT MAX(l) FROM (SELECT required_level AS l FROM position_skills WHERE skill_id = $1 \
                 UNION ALL SELECT required_level FROM task_skills WHERE skill_id = $1) x",
            )
            .bind(id).fetch_one(&mut *tx).await.map_err(db_error)?;
            if let Some(n) = needed.filter(|n| *n > levels) {
                return Err(DomainError::invalid(
                    "descriptors",
                    format!("requirements ask for level {n}; the skill needs at least {n} levels"),
                ));
            }
            sqlx::query("UPDATE skills SET name = $1, levels = $2, descriptors = $3 WHERE id = $4")
                .bind(name)
                .bind(levels)
                .bind(&json)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let before = serde_json::json!({ "name": old_name, "levels": old_levels, "descriptors": serde_json::from_str::<serde_json::Value>(&old_descriptors).unwrap_or_default() }).to_string();
            let after =
                serde_json::json!({ "name": name, "levels": levels, "descriptors": descriptors })
                    .to_string();
            append_in!(
                tx,
                &actor
                    .entry("competency.skill_change", "skill")
                    .entity(code.trim())
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)
        })
    }
}
