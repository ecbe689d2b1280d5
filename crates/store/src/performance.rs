//! KPI definitions and values.

use crate::audit::append_in;
use crate::query::id_map;
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

/// Months `1..=3` before `period`, as text.
fn previous_periods(period: domain::performance::Period) -> [String; 3] {
    let back = |n: u32| {
        let index = period.index() - n;
        format!("{:04}-{:02}", 1900 + index / 12, index % 12 + 1)
    };
    [back(1), back(2), back(3)]
}

/// The performance port: every query and change of this context.
pub trait PerformanceRepository {
    /// All KPI definitions by code.
    fn list_kpis(&self) -> impl std::future::Future<Output = DomainResult<Vec<Kpi>>> + Send;

    /// Creates or updates KPI definitions by code in one transaction; returns (created, changed).
    fn upsert_kpis(
        &self,
        kpis: &[KpiInput],
        source: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<(usize, usize)>> + Send;

    /// What KPI values are resolved against: KPI codes, employee numbers, department codes.
    fn kpi_value_refs(&self) -> impl std::future::Future<Output = DomainResult<ValueRefs>> + Send;

    /// Writes value batches in one transaction; commits only when `batches` ends writable,
    /// so a file with bad rows (unless only valid rows were wanted) leaves nothing behind.
    /// Returns `None` when nothing was committed.
    fn import_kpi_values<B: ValueBatches>(
        &self,
        batches: &mut B,
        source: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Option<ValueImportOutcome>>> + Send;

    /// KPI definitions with their value counts and latest month.
    fn kpi_summaries(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<KpiSummary>>> + Send;

    /// An employee's KPI values, newest month first (the caller checks the employee is in scope).
    fn employee_kpi_history(
        &self,
        employee_id: i64,
        limit: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<KpiHistoryRow>>> + Send;

    /// Completeness and timeliness of every KPI for `period` within `scope`. Values are due
    /// on the KPI's deadline day of the following month (in `timezone`).
    fn entry_status(
        &self,
        scope: &domain::DataScope,
        period: domain::performance::Period,
        timezone: time::UtcOffset,
    ) -> impl std::future::Future<Output = DomainResult<Vec<domain::performance::EntryStatus>>> + Send;
}

impl PerformanceRepository for crate::Store {
    /// All KPI definitions by code.
    async fn list_kpis(&self) -> DomainResult<Vec<Kpi>> {
        on_pool!(self, |pool| {
            let rows: Vec<KpiRow> = sqlx::query_as("SELECT id, code, name, unit, direction, aggregation, source_system FROM kpis ORDER BY code")
                .fetch_all(pool).await.map_err(db_error)?;
            rows.into_iter().map(Kpi::try_from).collect()
        })
    }

    /// Creates or updates KPI definitions by code in one transaction; returns (created, changed).
    async fn upsert_kpis(
        &self,
        kpis: &[KpiInput],
        source: &str,
        actor: &Actor,
    ) -> DomainResult<(usize, usize)> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let existing: Vec<String> = sqlx::query_scalar("SELECT code FROM kpis")
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
            let mut changed = 0usize;
            for k in kpis {
                changed += sqlx::query(
                    "INSERT INTO kpis (code, name, unit, direction, aggregation, source_system, created_at, updated_at, \
                     tolerance, responsible_role, responsible_department_id, entry_deadline_day, frequency) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                     frequency = excluded.frequency, \
                     unit = excluded.unit, direction = excluded.direction, aggregation = excluded.aggregation, \
                     source_system = excluded.source_system, updated_at = excluded.updated_at, \
                     tolerance = COALESCE(excluded.tolerance, kpis.tolerance), \
                     responsible_role = COALESCE(excluded.responsible_role, kpis.responsible_role), \
                     responsible_department_id = COALESCE(excluded.responsible_department_id, kpis.responsible_department_id), \
                     entry_deadline_day = COALESCE(excluded.entry_deadline_day, kpis.entry_deadline_day) \
                     WHERE kpis.name IS DISTINCT FROM excluded.name OR kpis.unit IS DISTINCT FROM excluded.unit \
                        OR kpis.direction IS DISTINCT FROM excluded.direction OR kpis.aggregation IS DISTINCT FROM excluded.aggregation \
                        OR kpis.source_system IS DISTINCT FROM excluded.source_system \
                        OR kpis.frequency IS DISTINCT FROM excluded.frequency \
                        OR (excluded.tolerance IS NOT NULL AND kpis.tolerance IS DISTINCT FROM excluded.tolerance) \
                        OR (excluded.responsible_role IS NOT NULL AND kpis.responsible_role IS DISTINCT FROM excluded.responsible_role) \
                        OR (excluded.responsible_department_id IS NOT NULL AND kpis.responsible_department_id IS DISTINCT FROM excluded.responsible_department_id) \
                        OR (excluded.entry_deadline_day IS NOT NULL AND kpis.entry_deadline_day IS DISTINCT FROM excluded.entry_deadline_day)",
                )
                .bind(&k.code).bind(&k.name).bind(&k.unit).bind(k.direction.code()).bind(k.aggregation.code()).bind(&k.source_system).bind(now)
                .bind(k.tolerance).bind(k.responsible_role.map(|r| r.code())).bind(k.responsible_department_id).bind(k.entry_deadline_day.map(i32::from))
                .bind(if k.quarterly { "quarterly" } else { "monthly" })
                .execute(&mut *tx).await.map_err(db_error)?.rows_affected() as usize;
            }
            let created = kpis.iter().filter(|k| !existing.contains(&k.code)).count();
            let report = serde_json::json!({ "source": source, "rows": kpis.len(), "created": created, "updated": changed - created });
            append_in!(
                tx,
                &actor
                    .entry("kpi.import", "kpi")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok((created, changed - created))
        })
    }

    /// What KPI values are resolved against: KPI codes, employee numbers, department codes.
    async fn kpi_value_refs(&self) -> DomainResult<ValueRefs> {
        on_pool!(self, |pool| {
            Ok(ValueRefs {
                kpis: id_map(pool, "SELECT code, id FROM kpis").await?,
                employees: id_map(pool, "SELECT employee_no, id FROM employees").await?,
                departments: id_map(pool, "SELECT code, id FROM departments")
                    .await?
                    .into_iter()
                    .map(|(c, id)| (c.to_lowercase(), id))
                    .collect(),
            })
        })
    }

    /// Writes value batches in one transaction; commits only when `batches` ends writable,
    /// so a file with bad rows (unless only valid rows were wanted) leaves nothing behind.
    /// Returns `None` when nothing was committed.
    async fn import_kpi_values<B: ValueBatches>(
        &self,
        batches: &mut B,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<ValueImportOutcome>> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut outcome = ValueImportOutcome::default();
            let mut total = 0u64;
            while let Some(batch) = batches.next_batch() {
                total += batch.len() as u64;
                for (column, rows) in [
                    (
                        "employee_id",
                        batch
                            .iter()
                            .filter(|v| matches!(v.subject, Subject::Employee(_)))
                            .collect::<Vec<&ValueRecord>>(),
                    ),
                    (
                        "department_id",
                        batch
                            .iter()
                            .filter(|v| matches!(v.subject, Subject::Department(_)))
                            .collect::<Vec<&ValueRecord>>(),
                    ),
                ] {
                    if rows.is_empty() {
                        continue;
                    }
                    let mut qb = QueryBuilder::new(format!(
                        "INSERT INTO kpi_values (kpi_id, {column}, period, value, source, entered_by, entered_at) "
                    ));
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
                            .push_bind(v.entered_at.map(DbTime).unwrap_or(now));
                    });
                    qb.push(format!(
                        " ON CONFLICT (kpi_id, {column}, period, source) WHERE {column} IS NOT NULL DO UPDATE \
                         SET value = excluded.value, entered_by = excluded.entered_by, entered_at = excluded.entered_at \
                         WHERE kpi_values.value IS DISTINCT FROM excluded.value"
                    ));
                    outcome.written += qb
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected();
                }
            }
            if !batches.writable() {
                tx.rollback().await.map_err(db_error)?;
                return Ok(None);
            }
            outcome.unchanged = total - outcome.written;
            let report = serde_json::json!({ "source": source, "values": total, "written": outcome.written, "unchanged": outcome.unchanged });
            append_in!(
                tx,
                &actor
                    .entry("kpi_values.import", "kpi_value")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(Some(outcome))
        })
    }
    /// KPI definitions with their value counts and latest month.
    async fn kpi_summaries(&self) -> DomainResult<Vec<KpiSummary>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            values: i64,
            latest: Option<String>,
        }
        let kpis = self.list_kpis().await?;
        let counts: Vec<Row> = on_pool!(self, |pool| {
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
    async fn employee_kpi_history(
        &self,
        employee_id: i64,
        limit: i64,
    ) -> DomainResult<Vec<KpiHistoryRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT k.code, k.name, k.unit, v.period, v.value, v.source FROM kpi_values v JOIN kpis k ON k.id = v.kpi_id \
                 WHERE v.employee_id = $1 ORDER BY v.period DESC, k.code, v.source LIMIT $2",
            )
            .bind(employee_id)
            .bind(limit)
            .fetch_all(pool).await.map_err(db_error)
        })
    }
    /// Completeness and timeliness of every KPI for `period` within `scope`. Values are due
    /// on the KPI's deadline day of the following month (in `timezone`).
    async fn entry_status(
        &self,
        scope: &domain::DataScope,
        period: domain::performance::Period,
        timezone: time::UtcOffset,
    ) -> DomainResult<Vec<domain::performance::EntryStatus>> {
        use crate::org::{Own, push_scope};
        #[derive(sqlx::FromRow)]
        struct Rule {
            id: i64,
            code: String,
            name: String,
            responsible_role: Option<String>,
            department: Option<String>,
            entry_deadline_day: Option<i32>,
            frequency: String,
        }
        let [p1, p2, p3] = previous_periods(period);
        let current = period.to_string();
        let next = period.next();
        on_pool!(self, |pool| {
            let rules: Vec<Rule> = sqlx::query_as(
                "SELECT k.id, k.code, k.name, k.responsible_role, d.name AS department, k.entry_deadline_day, k.frequency \
                 FROM kpis k LEFT JOIN departments d ON d.id = k.responsible_department_id ORDER BY k.code",
            )
            .fetch_all(pool).await.map_err(db_error)?;
            let mut out = Vec::new();
            for rule in rules {
                if rule.frequency == "quarterly" && !period.month.is_multiple_of(3) {
                    out.push(domain::performance::EntryStatus {
                        kpi_code: rule.code,
                        kpi_name: rule.name,
                        responsible_role: rule.responsible_role,
                        responsible_department: rule.department,
                        deadline: String::new(),
                        expected: 0,
                        present: 0,
                        missing: 0,
                        late: 0,
                        due: false,
                    });
                    continue;
                }
                let day = rule
                    .entry_deadline_day
                    .and_then(|d| u8::try_from(d).ok())
                    .unwrap_or(domain::performance::DEFAULT_DEADLINE_DAY);
                let month = time::Month::try_from(next.month)
                    .map_err(|e| DomainError::internal_from("date out of range", e))?;
                let due_date = time::Date::from_calendar_date(next.year, month, day)
                    .map_err(|e| DomainError::internal_from("date out of range", e))?;
                // Due at the end of the deadline day, company time.
                let deadline = DbTime(
                    due_date
                        .next_day()
                        .unwrap_or(due_date)
                        .midnight()
                        .assume_offset(timezone),
                );
                // The people in scope (still employed) with a value in one of the last
                // three periods.
                let push_recent_reporters = |qb: &mut QueryBuilder<'_, _>| {
                    qb.push(
                        "SELECT DISTINCT v.employee_id FROM kpi_values v JOIN employees e ON e.id = v.employee_id JOIN departments d ON d.id = e.department_id WHERE v.kpi_id = ",
                    )
                    .push_bind(rule.id)
                    .push(" AND v.period IN (")
                    .push_bind(p1.clone())
                    .push(", ")
                    .push_bind(p2.clone())
                    .push(", ")
                    .push_bind(p3.clone())
                    .push(") AND e.status <> 'left' AND ");
                    push_scope(qb, scope, "d.path", Own::EmployeeIn("e.id"));
                };
                let mut expected = QueryBuilder::new("SELECT COUNT(*) FROM (");
                push_recent_reporters(&mut expected);
                expected.push(") x");
                let expected: i64 = expected
                    .build_query_scalar()
                    .fetch_one(pool)
                    .await
                    .map_err(db_error)?;
                let mut present = QueryBuilder::new(
                    "SELECT COUNT(DISTINCT v.employee_id) FROM kpi_values v JOIN employees e ON e.id = v.employee_id JOIN departments d ON d.id = e.department_id WHERE v.kpi_id = ",
                );
                present
                    .push_bind(rule.id)
                    .push(" AND v.period = ")
                    .push_bind(current.clone())
                    .push(" AND ");
                push_scope(&mut present, scope, "d.path", Own::EmployeeIn("e.id"));
                let present: i64 = present
                    .build_query_scalar()
                    .fetch_one(pool)
                    .await
                    .map_err(db_error)?;
                let mut missing = QueryBuilder::new("SELECT COUNT(*) FROM (");
                push_recent_reporters(&mut missing);
                missing.push(" AND NOT EXISTS (SELECT 1 FROM kpi_values c WHERE c.kpi_id = v.kpi_id AND c.employee_id = v.employee_id AND c.period = ").push_bind(current.clone()).push(")) x");
                let missing: i64 = missing
                    .build_query_scalar()
                    .fetch_one(pool)
                    .await
                    .map_err(db_error)?;
                let mut late = QueryBuilder::new(
                    "SELECT COUNT(DISTINCT v.employee_id) FROM kpi_values v JOIN employees e ON e.id = v.employee_id JOIN departments d ON d.id = e.department_id WHERE v.kpi_id = ",
                );
                late.push_bind(rule.id)
                    .push(" AND v.period = ")
                    .push_bind(current.clone())
                    .push(" AND v.entered_at > ")
                    .push_bind(deadline)
                    .push(" AND ");
                push_scope(&mut late, scope, "d.path", Own::EmployeeIn("e.id"));
                let late: i64 = late
                    .build_query_scalar()
                    .fetch_one(pool)
                    .await
                    .map_err(db_error)?;
                out.push(domain::performance::EntryStatus {
                    kpi_code: rule.code,
                    kpi_name: rule.name,
                    responsible_role: rule.responsible_role,
                    responsible_department: rule.department,
                    deadline: due_date.to_string(),
                    expected,
                    present,
                    missing,
                    late,
                    due: true,
                });
            }
            Ok(out)
        })
    }
}
