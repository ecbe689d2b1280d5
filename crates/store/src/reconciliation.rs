//! Reconciliation of HR figures against business-system figures (数据校验).

use crate::audit::append_in;
use crate::org::{Own, push_scope};
use crate::query::{fetch_page, fetch_rows, paged};
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::performance::{
    Period, ReconciliationItem, ReconciliationStatus, ReconciliationSummary,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use time::OffsetDateTime;

/// What a reconciliation run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconciliationRun {
    /// Differences inserted or refreshed in the queue.
    pub queued: u64,
    /// Open items of the period after the run.
    pub open: i64,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    kpi_code: String,
    kpi_name: String,
    employee_no: Option<String>,
    employee_name: Option<String>,
    department_name: String,
    period: String,
    hr_value: f64,
    business_value: f64,
    status: String,
    note: Option<String>,
    decided_by: Option<String>,
}

const ITEM_FROM: &str = " FROM reconciliation_items r JOIN kpis k ON k.id = r.kpi_id \
     JOIN departments d ON d.id = r.department_id LEFT JOIN employees e ON e.id = r.employee_id WHERE ";

/// The reconciliation port: every query and change of this context.
pub trait ReconciliationRepository {
    /// Compares HR (or imported) figures with business-system figures of `period` and
    /// queues every difference beyond the KPI's tolerance; decided items are left alone.
    fn reconcile(
        &self,
        period: Period,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<ReconciliationRun>> + Send;

    /// Queue items visible in `scope`, newest month first.
    fn list_reconciliation(
        &self,
        scope: &DataScope,
        period: Option<Period>,
        status: Option<ReconciliationStatus>,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<ReconciliationItem>>> + Send;

    /// Records a decision on an item in `scope`: accept one side, or annotate it.
    fn decide_reconciliation(
        &self,
        scope: &DataScope,
        id: i64,
        decision: ReconciliationStatus,
        note: Option<&str>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Open and decided items per department and month, within `scope`.
    fn reconciliation_summary(
        &self,
        scope: &DataScope,
    ) -> impl std::future::Future<Output = DomainResult<Vec<ReconciliationSummary>>> + Send;
}

impl ReconciliationRepository for crate::Store {
    /// Compares HR (or imported) figures with business-system figures of `period` and
    /// queues every difference beyond the KPI's tolerance; decided items are left alone.
    async fn reconcile(&self, period: Period, actor: &Actor) -> DomainResult<ReconciliationRun> {
        let now = DbTime(OffsetDateTime::now_utc());
        let period = period.to_string();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut queued = 0u64;
            for (subject, department, conflict) in [
                (
                    "employee_id",
                    "(SELECT department_id FROM employees WHERE id = h.employee_id)",
                    "(kpi_id, employee_id, period) WHERE employee_id IS NOT NULL",
                ),
                (
                    "department_id",
                    "h.department_id",
                    "(kpi_id, department_id, period) WHERE employee_id IS NULL",
                ),
            ] {
                let employee = if subject == "employee_id" {
                    "h.employee_id"
                } else {
                    "NULL"
                };
                let sql = format!(
                    "INSERT INTO reconciliation_items (kpi_id, employee_id, department_id, period, hr_value, business_value, status, created_at) \
                     SELECT h.kpi_id, {employee}, {department}, h.period, h.value, b.value, 'open', $1 \
                     FROM kpi_values h JOIN kpi_values b ON b.kpi_id = h.kpi_id AND b.period = h.period AND b.source = 'business' \
                          AND b.{subject} = h.{subject} \
                     JOIN kpis k ON k.id = h.kpi_id \
                     WHERE h.period = $2 AND h.{subject} IS NOT NULL AND h.source IN ('hr', 'import') \
                       AND ABS(h.value - b.value) > COALESCE(k.tolerance, 0) + 0.000001 \
                     ON CONFLICT {conflict} DO UPDATE SET hr_value = excluded.hr_value, business_value = excluded.business_value \
                     WHERE reconciliation_items.status = 'open'"
                );
                queued += sqlx::query(&sql)
                    .bind(now)
                    .bind(&period)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
            }
            let open: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM reconciliation_items WHERE period = $1 AND status = 'open'",
            )
            .bind(&period)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            let report = serde_json::json!({ "period": period, "queued": queued, "open": open });
            append_in!(
                tx,
                &actor
                    .entry("reconciliation.run", "reconciliation")
                    .entity(&period)
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(ReconciliationRun { queued, open })
        })
    }

    /// Queue items visible in `scope`, newest month first.
    async fn list_reconciliation(
        &self,
        scope: &DataScope,
        period: Option<Period>,
        status: Option<ReconciliationStatus>,
        page: Page,
    ) -> DomainResult<Paged<ReconciliationItem>> {
        on_pool!(self, |pool| {
            let push_filters = |qb: &mut QueryBuilder<'_, _>| {
                push_scope(qb, scope, "d.path", Own::EmployeeIn("r.employee_id"));
                if let Some(p) = period {
                    qb.push(" AND r.period = ").push_bind(p.to_string());
                }
                if let Some(s) = status {
                    qb.push(" AND r.status = ").push_bind(s.code().to_string());
                }
            };
            let mut qb = QueryBuilder::new(format!(
                "SELECT r.id, k.code AS kpi_code, k.name AS kpi_name, e.employee_no, e.name AS employee_name, d.name AS department_name, \
                 r.period, r.hr_value, r.business_value, r.status, r.note, r.decided_by{ITEM_FROM}"
            ));
            push_filters(&mut qb);
            qb.push(" ORDER BY r.period DESC, d.path, r.id");
            let mut count = QueryBuilder::new(format!("SELECT COUNT(*){ITEM_FROM}"));
            push_filters(&mut count);
            let (rows, total): (Vec<ItemRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let items = rows
                .into_iter()
                .map(|r| {
                    Ok(ReconciliationItem {
                        id: r.id,
                        kpi_code: r.kpi_code,
                        kpi_name: r.kpi_name,
                        employee_no: r.employee_no,
                        employee_name: r.employee_name,
                        department_name: r.department_name,
                        period: r.period,
                        hr_value: r.hr_value,
                        business_value: r.business_value,
                        status: ReconciliationStatus::parse(&r.status)?,
                        note: r.note,
                        decided_by: r.decided_by,
                    })
                })
                .collect::<DomainResult<Vec<_>>>()?;
            Ok(paged(page, total, items))
        })
    }

    /// Records a decision on an item in `scope`: accept one side, or annotate it.
    async fn decide_reconciliation(
        &self,
        scope: &DataScope,
        id: i64,
        decision: ReconciliationStatus,
        note: Option<&str>,
        actor: &Actor,
    ) -> DomainResult<()> {
        if decision == ReconciliationStatus::Open {
            return Err(DomainError::invalid(
                "decision",
                "choose accepted_hr, accepted_business or annotated",
            ));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if decision == ReconciliationStatus::Annotated && note.is_none() {
            return Err(DomainError::invalid("note", "an annotation needs a note"));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut qb = QueryBuilder::new(
                "SELECT r.status, r.note FROM reconciliation_items r JOIN departments d ON d.id = r.department_id WHERE ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("r.employee_id"));
            qb.push(" AND r.id = ").push_bind(id);
            let before: Option<(String, Option<String>)> = qb
                .build_query_as()
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
            let (old_status, old_note) = before.ok_or(DomainError::NotFound {
                entity: "reconciliation item",
            })?;
            sqlx::query("UPDATE reconciliation_items SET status = $1, note = $2, decided_by = $3, decided_at = $4 WHERE id = $5")
                .bind(decision.code()).bind(note).bind(&actor.name).bind(DbTime(OffsetDateTime::now_utc())).bind(id)
                .execute(&mut *tx).await.map_err(db_error)?;
            let before = serde_json::json!({ "status": old_status, "note": old_note }).to_string();
            let after = serde_json::json!({ "status": decision.code(), "note": note }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("reconciliation.decide", "reconciliation_item")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)
        })
    }

    /// Open and decided items per department and month, within `scope`.
    async fn reconciliation_summary(
        &self,
        scope: &DataScope,
    ) -> DomainResult<Vec<ReconciliationSummary>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            department_name: String,
            period: String,
            open: i64,
            decided: i64,
        }
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT d.name AS department_name, r.period, \
                 SUM(CASE WHEN r.status = 'open' THEN 1 ELSE 0 END) AS open, \
                 SUM(CASE WHEN r.status = 'open' THEN 0 ELSE 1 END) AS decided \
                 FROM reconciliation_items r JOIN departments d ON d.id = r.department_id WHERE ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("r.employee_id"));
            qb.push(" GROUP BY d.name, d.path, r.period ORDER BY r.period DESC, d.path");
            let rows: Vec<Row> = fetch_rows(pool, &mut qb).await?;
            Ok(rows
                .into_iter()
                .map(|r| ReconciliationSummary {
                    department_name: r.department_name,
                    period: r.period,
                    open: r.open,
                    decided: r.decided,
                })
                .collect())
        })
    }
}
