//! KPI definitions and values.

use crate::audit::append_in;
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::performance::{Aggregation, Direction, Kpi, KpiInput};
use domain::{DomainError, DomainResult};
use import::kpis::{Subject, ValueBatches, ValueRecord, ValueRefs};
use sqlx::QueryBuilder;
use time::OffsetDateTime;

/// What a KPI-values import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValueImportOutcome {
    /// Values inserted or changed.
    pub written: u64,
    /// Values already stored with the same figure.
    pub unchanged: u64,
}

#[derive(sqlx::FromRow)]
struct KpiRow {
    id: i64,
    code: String,
    name: String,
    unit: Option<String>,
    direction: String,
    aggregation: String,
    source_system: Option<String>,
}

impl TryFrom<KpiRow> for Kpi {
    type Error = DomainError;
    fn try_from(r: KpiRow) -> DomainResult<Self> {
        Ok(Kpi {
            id: r.id,
            code: r.code,
            name: r.name,
            unit: r.unit,
            direction: Direction::parse(&r.direction)?,
            aggregation: Aggregation::parse(&r.aggregation)?,
            source_system: r.source_system,
        })
    }
}

impl crate::Store {
    /// All KPI definitions by code.
    pub async fn list_kpis(&self) -> DomainResult<Vec<Kpi>> {
        on_pool!(self, pool => {
            let rows: Vec<KpiRow> = sqlx::query_as("SELECT id, code, name, unit, direction, aggregation, source_system FROM kpis ORDER BY code")
                .fetch_all(pool).await.map_err(db_error)?;
            rows.into_iter().map(Kpi::try_from).collect()
        })
    }

    /// Creates or updates KPI definitions by code in one transaction; returns (created, changed).
    pub async fn upsert_kpis(
        &self,
        kpis: &[KpiInput],
        source: &str,
        actor: &Actor,
    ) -> DomainResult<(usize, usize)> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(db_error)?;
            let existing: Vec<String> = sqlx::query_scalar("SELECT code FROM kpis").fetch_all(&mut *tx).await.map_err(db_error)?;
            let mut changed = 0usize;
            for k in kpis {
                changed += sqlx::query(
                    "INSERT INTO kpis (code, name, unit, direction, aggregation, source_system, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                     unit = excluded.unit, direction = excluded.direction, aggregation = excluded.aggregation, \
                     source_system = excluded.source_system, updated_at = excluded.updated_at \
                     WHERE kpis.name IS DISTINCT FROM excluded.name OR kpis.unit IS DISTINCT FROM excluded.unit \
                        OR kpis.direction IS DISTINCT FROM excluded.direction OR kpis.aggregation IS DISTINCT FROM excluded.aggregation \
                        OR kpis.source_system IS DISTINCT FROM excluded.source_system",
                )
                .bind(&k.code).bind(&k.name).bind(&k.unit).bind(k.direction.code()).bind(k.aggregation.code()).bind(&k.source_system).bind(now)
                .execute(&mut *tx).await.map_err(db_error)?.rows_affected() as usize;
            }
            let created = kpis.iter().filter(|k| !existing.contains(&k.code)).count();
            let report = serde_json::json!({ "source": source, "rows": kpis.len(), "created": created, "updated": changed - created });
            append_in!(tx, &actor.entry("kpi.import", "kpi").change(None, Some(report.to_string())));
            tx.commit().await.map_err(db_error)?;
            Ok((created, changed - created))
        })
    }

    /// What KPI values are resolved against: KPI codes, employee numbers, department codes.
    pub async fn kpi_value_refs(&self) -> DomainResult<ValueRefs> {
        on_pool!(self, pool => {
            let mut refs = ValueRefs::default();
            let kpis: Vec<(String, i64)> = sqlx::query_as("SELECT code, id FROM kpis").fetch_all(pool).await.map_err(db_error)?;
            refs.kpis = kpis.into_iter().collect();
            let employees: Vec<(String, i64)> = sqlx::query_as("SELECT employee_no, id FROM employees").fetch_all(pool).await.map_err(db_error)?;
            refs.employees = employees.into_iter().collect();
            let departments: Vec<(String, i64)> = sqlx::query_as("SELECT code, id FROM departments").fetch_all(pool).await.map_err(db_error)?;
            refs.departments = departments.into_iter().map(|(c, id)| (c.to_lowercase(), id)).collect();
            Ok(refs)
        })
    }

    /// Writes value batches in one transaction; commits only when `batches` ends writable,
    /// so a file with bad rows (unless only valid rows were wanted) leaves nothing behind.
    /// Returns `None` when nothing was committed.
    pub async fn import_kpi_values<B: ValueBatches>(
        &self,
        batches: &mut B,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<ValueImportOutcome>> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.map_err(db_error)?;
            let mut outcome = ValueImportOutcome::default();
            let mut total = 0u64;
            while let Some(batch) = batches.next_batch() {
                total += batch.len() as u64;
                for (column, rows) in [
                    ("employee_id", batch.iter().filter(|v| matches!(v.subject, Subject::Employee(_))).collect::<Vec<&ValueRecord>>()),
                    ("department_id", batch.iter().filter(|v| matches!(v.subject, Subject::Department(_))).collect::<Vec<&ValueRecord>>()),
                ] {
                    if rows.is_empty() {
                        continue;
                    }
                    let mut qb = QueryBuilder::new(format!("INSERT INTO kpi_values (kpi_id, {column}, period, value, source, entered_by, entered_at) "));
                    qb.push_values(rows, |mut row, v| {
                        let id = match v.subject {
                            Subject::Employee(id) | Subject::Department(id) => id,
                        };
                        row.push_bind(v.kpi_id)
                            .push_bind(id)
                            .push_bind(v.period.to_string())
                            .push_bind(v.value)
                            .push_bind(v.source.code())
                            .push_bind(actor.name.clone())
                            .push_bind(now);
                    });
                    qb.push(format!(
                        " ON CONFLICT (kpi_id, {column}, period, source) WHERE {column} IS NOT NULL DO UPDATE \
                         SET value = excluded.value, entered_by = excluded.entered_by, entered_at = excluded.entered_at \
                         WHERE kpi_values.value IS DISTINCT FROM excluded.value"
                    ));
                    outcome.written += qb.build().execute(&mut *tx).await.map_err(db_error)?.rows_affected();
                }
            }
            if !batches.writable() {
                tx.rollback().await.map_err(db_error)?;
                return Ok(None);
            }
            outcome.unchanged = total - outcome.written;
            let report = serde_json::json!({ "source": source, "values": total, "written": outcome.written, "unchanged": outcome.unchanged });
            append_in!(tx, &actor.entry("kpi_values.import", "kpi_value").change(None, Some(report.to_string())));
            tx.commit().await.map_err(db_error)?;
            Ok(Some(outcome))
        })
    }
}

/// A KPI with how much data it has.
#[derive(Debug, Clone)]
pub struct KpiSummary {
    pub kpi: Kpi,
    pub values: i64,
    pub latest_period: Option<String>,
}

/// One value of an employee's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KpiHistoryRow {
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub period: String,
    pub value: f64,
    pub source: String,
}

impl crate::Store {
    /// KPI definitions with their value counts and latest month.
    pub async fn kpi_summaries(&self) -> DomainResult<Vec<KpiSummary>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            values: i64,
            latest: Option<String>,
        }
        let kpis = self.list_kpis().await?;
        let counts: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as("SELECT kpi_id AS id, COUNT(*) AS \"values\", MAX(period) AS latest FROM kpi_values GROUP BY kpi_id")
                .fetch_all(pool).await.map_err(db_error)?
        });
        Ok(kpis
            .into_iter()
            .map(|kpi| {
                let row = counts.iter().find(|c| c.id == kpi.id);
                KpiSummary {
                    values: row.map(|r| r.values).unwrap_or(0),
                    latest_period: row.and_then(|r| r.latest.clone()),
                    kpi,
                }
            })
            .collect())
    }

    /// An employee's KPI values, newest month first (the caller checks the employee is in scope).
    pub async fn employee_kpi_history(
        &self,
        employee_id: i64,
        limit: i64,
    ) -> DomainResult<Vec<KpiHistoryRow>> {
        on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT k.code, k.name, k.unit, v.period, v.value, v.source FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id \
                 WHERE v.employee_id = $1 ORDER BY v.period DESC, k.code, v.source LIMIT $2",
            )
            .bind(employee_id)
            .bind(limit)
            .fetch_all(pool).await.map_err(db_error)
        })
    }
}
