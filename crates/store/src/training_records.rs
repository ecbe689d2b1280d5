//! Writing imported training records: historical programs for new codes and imported
//! enrollments, in one transaction with one audit entry.

use crate::audit::append_in;
use crate::query::{fetch_rows, id_map, push_in_list};
use crate::{DbTime, db_error, on_pool};
use domain::DomainResult;
use domain::audit::Actor;
use domain::training_records::{
    ExistingProgram, HISTORICAL_PROGRAM, IMPORTED_SOURCE, TrainingRecordOutcome,
};
use import::training_records::{TrainingRecordPlan, TrainingRecordRefs};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// Rows per multi-row statement (12 binds each stays far below either engine's limit).
const CHUNK: usize = 400;

/// Counts the enrollments of `$programs` (ids) inside transaction `$tx`.
macro_rules! count_enrollments_in {
    ($tx:ident, $programs:expr) => {{
        let mut total = 0i64;
        for chunk in $programs.chunks(CHUNK) {
            let mut qb =
                QueryBuilder::new("SELECT COUNT(*) FROM enrollments WHERE program_id IN (");
            push_in_list(&mut qb, chunk.iter().copied());
            total += qb
                .build_query_scalar::<i64>()
                .fetch_one(&mut *$tx)
                .await
                .map_err(db_error)?;
        }
        total
    }};
}

/// The training records port: every query and change of this context.
pub trait TrainingRecordRepository {
    /// What training-record files are resolved against: employee numbers and the stored
    /// programs by code; `today` bounds the records' dates.
    fn training_record_refs(
        &self,
        today: Date,
    ) -> impl std::future::Future<Output = DomainResult<TrainingRecordRefs>> + Send;

    /// Enrollments made in Skillbridge itself (any source but `imported`) in `programs`:
    /// (program id, employee id) → status.
    fn live_enrollments(
        &self,
        programs: &[i64],
    ) -> impl std::future::Future<Output = DomainResult<HashMap<(i64, i64), String>>> + Send;

    /// Writes a validated plan in one transaction: historical programs for new codes (hours
    /// the largest of their records), a longer record raising a historical program's hours,
    /// and one `imported` enrollment per record, created or brought to the file's values.
    /// Enrollments made in Skillbridge are never touched. With `commit` false everything is
    /// rolled back, so a preview reports exactly what an import would do.
    fn import_training_records(
        &self,
        plan: &TrainingRecordPlan,
        source: &str,
        actor: &Actor,
        commit: bool,
    ) -> impl std::future::Future<Output = DomainResult<TrainingRecordOutcome>> + Send;
}

impl TrainingRecordRepository for crate::Store {
    /// What training-record files are resolved against: employee numbers and the stored
    /// programs by code; `today` bounds the records' dates.
    async fn training_record_refs(&self, today: Date) -> DomainResult<TrainingRecordRefs> {
        on_pool!(self, |pool| {
            let employees = id_map(pool, "SELECT employee_no, id FROM employees").await?;
            let programs: Vec<(String, i64, String, String)> =
                sqlx::query_as("SELECT code, id, title, status FROM programs")
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            Ok(TrainingRecordRefs {
                employees,
                programs: programs
                    .into_iter()
                    .map(|(code, id, title, status)| {
                        (
                            code,
                            ExistingProgram {
                                id,
                                title,
                                historical: status == HISTORICAL_PROGRAM,
                            },
                        )
                    })
                    .collect(),
                today,
            })
        })
    }

    /// Enrollments made in Skillbridge itself (any source but `imported`) in `programs`:
    /// (program id, employee id) → status.
    async fn live_enrollments(
        &self,
        programs: &[i64],
    ) -> DomainResult<HashMap<(i64, i64), String>> {
        let mut live = HashMap::new();
        on_pool!(self, |pool| {
            for chunk in programs.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "SELECT program_id, employee_id, status FROM enrollments WHERE source <> ",
                );
                qb.push_bind(IMPORTED_SOURCE).push(" AND program_id IN (");
                push_in_list(&mut qb, chunk.iter().copied());
                let rows: Vec<(i64, i64, String)> = fetch_rows(pool, &mut qb).await?;
                live.extend(rows.into_iter().map(|(p, e, s)| ((p, e), s)));
            }
        });
        Ok(live)
    }

    /// Writes a validated plan in one transaction: historical programs for new codes (hours
    /// the largest of their records), a longer record raising a historical program's hours,
    /// and one `imported` enrollment per record, created or brought to the file's values.
    /// Enrollments made in Skillbridge are never touched. With `commit` false everything is
    /// rolled back, so a preview reports exactly what an import would do.
    async fn import_training_records(
        &self,
        plan: &TrainingRecordPlan,
        source: &str,
        actor: &Actor,
        commit: bool,
    ) -> DomainResult<TrainingRecordOutcome> {
        let now = DbTime(OffsetDateTime::now_utc());
        let mut outcome = TrainingRecordOutcome::default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let new: Vec<_> = plan
                .programs
                .iter()
                .filter(|p| p.existing.is_none())
                .collect();
            for chunk in new.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO programs (code, title, status, hours, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut row, p| {
                    row.push_bind(p.code.clone())
                        .push_bind(p.title.clone())
                        .push_bind(HISTORICAL_PROGRAM)
                        .push_bind(p.hours)
                        .push_bind(now)
                        .push_bind(now);
                });
                // Created meanwhile by someone else: the records attach to that program.
                qb.push(" ON CONFLICT (code) DO NOTHING");
                outcome.programs_created += qb
                    .build()
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected() as usize;
            }
            let mut ids: HashMap<String, i64> = plan
                .programs
                .iter()
                .filter_map(|p| p.existing.as_ref().map(|e| (p.code.clone(), e.id)))
                .collect();
            for chunk in new.chunks(CHUNK) {
                let mut qb = QueryBuilder::new("SELECT code, id FROM programs WHERE code IN (");
                push_in_list(&mut qb, chunk.iter().map(|p| p.code.clone()));
                let rows: Vec<(String, i64)> = fetch_rows(&mut *tx, &mut qb).await?;
                ids.extend(rows);
            }
            for p in plan
                .programs
                .iter()
                .filter(|p| p.existing.as_ref().is_some_and(|e| e.historical))
            {
                // Only ever raised: an earlier file may have held a longer record.
                outcome.programs_updated += sqlx::query(
                    "UPDATE programs SET hours = $1, updated_at = $2 WHERE id = $3 AND status = $4 AND hours < $1",
                )
                .bind(p.hours).bind(now).bind(ids[p.code.as_str()]).bind(HISTORICAL_PROGRAM)
                .execute(&mut *tx).await.map_err(db_error)?.rows_affected() as usize;
            }
            let program_ids: Vec<i64> = ids.values().copied().collect();
            // Created = the programs' enrollments after minus before; the upsert's count holds
            // both the created and the changed ones.
            let before = count_enrollments_in!(tx, &program_ids);
            let mut written = 0usize;
            for chunk in plan.records.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO enrollments (program_id, employee_id, source, status, requested_at, enrolled_by, \
                     started_on, completed_on, hours, score, cost_per_head, updated_at) ",
                );
                qb.push_values(chunk, |mut row, r| {
                    row.push_bind(ids[r.program_code.as_str()])
                        .push_bind(r.employee_id)
                        .push_bind(IMPORTED_SOURCE)
                        .push_bind(r.status.code())
                        // The waitlist orders by request time; a record of the past asked on its start day.
                        .push_bind(DbTime(r.started_on.midnight().assume_utc()))
                        .push_bind(actor.user_id)
                        .push_bind(r.started_on)
                        .push_bind(r.completed_on)
                        .push_bind(r.hours)
                        .push_bind(r.score)
                        .push_bind(r.cost_per_head)
                        .push_bind(now);
                });
                // Re-importing the same file must change nothing, not even updated_at; a
                // Skillbridge enrollment (checked before, guarded here) is left alone.
                qb.push(" ON CONFLICT (program_id, employee_id) DO UPDATE SET status = excluded.status, \
                          started_on = excluded.started_on, completed_on = excluded.completed_on, hours = excluded.hours, \
                          score = excluded.score, cost_per_head = excluded.cost_per_head, updated_at = excluded.updated_at \
                          WHERE enrollments.source = excluded.source AND (enrollments.status IS DISTINCT FROM excluded.status \
                          OR enrollments.started_on IS DISTINCT FROM excluded.started_on \
                          OR enrollments.completed_on IS DISTINCT FROM excluded.completed_on \
                          OR enrollments.hours IS DISTINCT FROM excluded.hours \
                          OR enrollments.score IS DISTINCT FROM excluded.score \
                          OR enrollments.cost_per_head IS DISTINCT FROM excluded.cost_per_head)");
                written += qb
                    .build()
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected() as usize;
            }
            let after = count_enrollments_in!(tx, &program_ids);
            outcome.enrollments_created = usize::try_from(after - before).unwrap_or(0);
            outcome.enrollments_updated = written.saturating_sub(outcome.enrollments_created);
            outcome.enrollments_unchanged = plan.records.len().saturating_sub(written);
            let report = serde_json::json!({
                "source": source,
                "rows": plan.rows,
                "records": plan.records.len(),
                "programs_created": outcome.programs_created,
                "programs_updated": outcome.programs_updated,
                "enrollments_created": outcome.enrollments_created,
                "enrollments_updated": outcome.enrollments_updated,
                "enrollments_unchanged": outcome.enrollments_unchanged,
            });
            append_in!(
                tx,
                &actor
                    .entry("training_records.import", "training_record")
                    .change(None, Some(report.to_string()))
            );
            if commit {
                tx.commit().await.map_err(db_error)?;
            } else {
                tx.rollback().await.map_err(db_error)?;
            }
        });
        Ok(outcome)
    }
}
