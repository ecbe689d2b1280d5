//! Writing imported assessments and competency models, and reading models for export.

use crate::audit::append_in;
use crate::query::id_map;
use crate::{DbTime, db_error, on_pool};
use domain::DomainResult;
use domain::audit::Actor;
use import::competency::{AssessmentRecord, CompetencyRefs, ModelRecord};
use sqlx::QueryBuilder;
use std::collections::BTreeSet;
use time::{Date, OffsetDateTime};

/// Rows per multi-row INSERT (9 binds each stays far below either engine's limit).
const CHUNK: usize = 500;

/// One requirement of a competency model, as exported.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModelExportRow {
    pub position_code: String,
    pub position_name: String,
    pub skill_code: String,
    pub skill_name: String,
    pub area: String,
    pub required_level: i32,
    /// `core`, `support` or `reserve`.
    pub tier: String,
    /// `tasks` (derived from the decoding tasks) or `manual` (set directly).
    pub source: String,
}

/// Rows of a set of positions' models by source, for the audit's before/after.
#[derive(Debug, Default, Clone, Copy)]
struct ModelCounts {
    manual: i64,
    tasks: i64,
}

impl ModelCounts {
    fn json(self) -> serde_json::Value {
        serde_json::json!({ "manual_rows": self.manual, "derived_rows": self.tasks })
    }
}

/// Counts the rows of `$positions`' models inside transaction `$tx`.
macro_rules! count_models_in {
    ($tx:ident, $positions:expr) => {{
        let mut counts = ModelCounts::default();
        for position in $positions {
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT source, COUNT(*) FROM position_skills WHERE position_id = $1 GROUP BY source",
            )
            .bind(*position)
            .fetch_all(&mut *$tx)
            .await
            .map_err(db_error)?;
            for (source, n) in rows {
                if source == "tasks" {
                    counts.tasks += n;
                } else {
                    counts.manual += n;
                }
            }
        }
        counts
    }};
}

/// The competency import port: every query and change of this context.
pub trait CompetencyImportRepository {
    /// What competency files are resolved against: employee numbers, skill codes with their
    /// number of levels, position codes; `today` bounds assessment dates.
    fn competency_refs(
        &self,
        today: Date,
    ) -> impl std::future::Future<Output = DomainResult<CompetencyRefs>> + Send;

    /// Writes assessments in one transaction; one already stored with the same employee,
    /// skill, date and method is kept as it is. Returns how many were new.
    fn import_assessments(
        &self,
        records: &[AssessmentRecord],
        source: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// For every position named in `records`, makes its directly set (`manual`) requirements
    /// exactly the file's rows and re-derives the rest from its tasks, in one transaction.
    /// Positions not in the file keep their models. Returns (positions, rows).
    fn replace_position_models(
        &self,
        records: &[ModelRecord],
        source: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<(usize, usize)>> + Send;

    /// Every requirement of every competency model, by position, tier and skill.
    fn competency_model_rows(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<ModelExportRow>>> + Send;
}

impl CompetencyImportRepository for crate::Store {
    /// What competency files are resolved against: employee numbers, skill codes with their
    /// number of levels, position codes; `today` bounds assessment dates.
    async fn competency_refs(&self, today: Date) -> DomainResult<CompetencyRefs> {
        on_pool!(self, |pool| {
            let employees = id_map(pool, "SELECT employee_no, id FROM employees").await?;
            let skills: Vec<(String, i64, i32)> =
                sqlx::query_as("SELECT code, id, levels FROM skills")
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            let positions = id_map(pool, "SELECT code, id FROM positions").await?;
            Ok(CompetencyRefs {
                employees,
                skills: skills
                    .into_iter()
                    .map(|(code, id, levels)| (code, (id, levels)))
                    .collect(),
                positions,
                today,
            })
        })
    }

    /// Writes assessments in one transaction; one already stored with the same employee,
    /// skill, date and method is kept as it is. Returns how many were new.
    async fn import_assessments(
        &self,
        records: &[AssessmentRecord],
        source: &str,
        actor: &Actor,
    ) -> DomainResult<usize> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut inserted = 0u64;
            for chunk in records.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO assessments (employee_id, skill_id, level, score, method, assessor, assessed_on, evidence, created_at) ",
                );
                qb.push_values(chunk, |mut row, a| {
                    row.push_bind(a.employee_id)
                        .push_bind(a.skill_id)
                        .push_bind(a.level)
                        .push_bind(a.score)
                        .push_bind(a.method)
                        .push_bind(a.assessor.clone())
                        .push_bind(a.assessed_on)
                        .push_bind(a.evidence.clone())
                        .push_bind(now);
                });
                // Re-importing a file must not duplicate or overwrite what was recorded.
                qb.push(" ON CONFLICT (employee_id, skill_id, assessed_on, method) DO NOTHING");
                inserted += qb
                    .build()
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
            }
            let inserted = inserted as usize;
            let report = serde_json::json!({
                "source": source,
                "rows": records.len(),
                "inserted": inserted,
                "already_stored": records.len() - inserted,
            });
            append_in!(
                tx,
                &actor
                    .entry("assessment.import", "assessment")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(inserted)
        })
    }

    /// For every position named in `records`, makes its directly set (`manual`) requirements
    /// exactly the file's rows and re-derives the rest from its tasks, in one transaction.
    /// Positions not in the file keep their models. Returns (positions, rows).
    async fn replace_position_models(
        &self,
        records: &[ModelRecord],
        source: &str,
        actor: &Actor,
    ) -> DomainResult<(usize, usize)> {
        let positions: BTreeSet<i64> = records.iter().map(|r| r.position_id).collect();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before = count_models_in!(tx, &positions);
            // Derived rows go too: a file row may replace one (same key), and the
            // derivation below brings back every derived row that no file row overrides.
            for position in &positions {
                sqlx::query("DELETE FROM position_skills WHERE position_id = $1")
                    .bind(*position)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            for chunk in records.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO position_skills (position_id, skill_id, required_level, tier, source) ",
                );
                qb.push_values(chunk, |mut row, r| {
                    row.push_bind(r.position_id)
                        .push_bind(r.skill_id)
                        .push_bind(r.required_level)
                        .push_bind(r.tier.code())
                        .push_bind("manual");
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            for position in &positions {
                crate::competency::derive_models_in!(tx, Some(*position));
            }
            let after = count_models_in!(tx, &positions);
            let mut before_json = before.json();
            before_json["positions"] = positions.len().into();
            let mut after_json = after.json();
            after_json["positions"] = positions.len().into();
            after_json["source"] = source.into();
            append_in!(
                tx,
                &actor
                    .entry("competency_model.import", "competency_model")
                    .change(Some(before_json.to_string()), Some(after_json.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok((positions.len(), records.len()))
        })
    }

    /// Every requirement of every competency model, by position, tier and skill.
    async fn competency_model_rows(&self) -> DomainResult<Vec<ModelExportRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.code AS position_code, p.name AS position_name, s.code AS skill_code, s.name AS skill_name, \
                        a.name AS area, ps.required_level, ps.tier, ps.source \
                 FROM position_skills ps JOIN positions p ON p.id = ps.position_id \
                 JOIN skills s ON s.id = ps.skill_id JOIN skill_areas a ON a.id = s.area_id \
                 ORDER BY p.code, CASE ps.tier WHEN 'core' THEN 0 WHEN 'support' THEN 1 ELSE 2 END, s.code",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)
        })
    }
}
