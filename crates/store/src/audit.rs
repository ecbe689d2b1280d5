//! The append-only audit log (triggers in both engines refuse UPDATE and DELETE).

use crate::query::{fetch_page, paged};
use crate::{DbTime, db_error, on_pool};
use domain::audit::{AuditEntry, AuditFilter, AuditRepository, NewAuditEntry};
use domain::{DomainResult, Page, Paged};
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Appends an audit entry inside the caller's open transaction `$tx`, so the change and
/// its record commit or roll back together. Evaluates to `()`, returns early on error.
macro_rules! append_in {
    ($tx:ident, $entry:expr) => {{
        let entry: &domain::audit::NewAuditEntry = $entry;
        sqlx::query(
            "INSERT INTO audit_log (at, actor_user_id, actor, ip, action, entity_kind, entity_id, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($crate::DbTime(time::OffsetDateTime::now_utc()))
        .bind(entry.actor_user_id)
        .bind(&entry.actor)
        .bind(&entry.ip)
        .bind(&entry.action)
        .bind(&entry.entity_kind)
        .bind(&entry.entity_id)
        .bind(&entry.before)
        .bind(&entry.after)
        .execute(&mut *$tx)
        .await
        .map_err($crate::db_error)?;
    }};
}
pub(crate) use append_in;

/// Runs the write `$query` (a bound `sqlx::query`) in the open transaction `$tx` and
/// appends its audit entry `$entry` there, so the change and its record commit or roll
/// back together. Evaluates to `()`, returns early on error.
macro_rules! write_audited {
    ($tx:ident, $query:expr, $entry:expr) => {{
        $query.execute(&mut *$tx).await.map_err($crate::db_error)?;
        $crate::audit::append_in!($tx, $entry);
    }};
}
pub(crate) use write_audited;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: DbTime,
    actor_user_id: Option<i64>,
    actor: String,
    ip: Option<String>,
    action: String,
    entity_kind: String,
    entity_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
}

fn push_filter<'a, DB>(qb: &mut QueryBuilder<'a, DB>, filter: &AuditFilter)
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    DbTime: Encode<'a, DB> + Type<DB>,
{
    qb.push("1=1");
    if let Some(actor) = filter.actor.as_deref().filter(|s| !s.is_empty()) {
        qb.push(" AND actor = ").push_bind(actor.to_string());
    }
    if let Some(action) = filter.action.as_deref().filter(|s| !s.is_empty()) {
        qb.push(" AND action LIKE ").push_bind(format!("{action}%"));
    }
    if let Some(kind) = filter.entity_kind.as_deref().filter(|s| !s.is_empty()) {
        qb.push(" AND entity_kind = ").push_bind(kind.to_string());
    }
    if let Some(from) = filter.from {
        qb.push(" AND at >= ").push_bind(DbTime(from));
    }
    if let Some(to) = filter.to {
        qb.push(" AND at < ").push_bind(DbTime(to));
    }
}

impl AuditRepository for crate::Store {
    async fn append_audit(&self, entry: &NewAuditEntry) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            append_in!(tx, entry);
            tx.commit().await.map_err(db_error)
        })
    }

    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: Page,
    ) -> DomainResult<Paged<AuditEntry>> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT id, at, actor_user_id, actor, ip, action, entity_kind, entity_id, before_json, after_json FROM audit_log WHERE ",
            );
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY id DESC");
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM audit_log WHERE ");
            push_filter(&mut count, filter);
            let (rows, total): (Vec<AuditRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let items = rows
                .into_iter()
                .map(|r| AuditEntry {
                    id: r.id,
                    at: r.at.0,
                    actor_user_id: r.actor_user_id,
                    actor: r.actor,
                    ip: r.ip,
                    action: r.action,
                    entity_kind: r.entity_kind,
                    entity_id: r.entity_id,
                    before: r.before_json,
                    after: r.after_json,
                })
                .collect();
            Ok(paged(page, total, items))
        })
    }
}
