//! HR sync: the snapshot an employee file is compared with, the job history and domain
//! events an import writes (in its own transaction, see [`write_sync`]), what happens to
//! leavers, logins provisioned from employee records, and forced password resets.

use crate::audit::append_in;
use crate::query::{fetch_rows, push_in_list};
use crate::{DbTime, db_error, on_pool};
use domain::audit::{Actor, NewAuditEntry};
use domain::hr_sync::{
    CurrentEmployee, DomainEvent, JobHistoryEntry, ProvisionReport, SyncSnapshot, UsernameSource,
};
use domain::org::EmployeeStatus;
use domain::{DomainError, DomainResult};
use sqlx::QueryBuilder;
use std::collections::HashSet;
use time::{Date, OffsetDateTime};

pub(crate) const CHUNK: usize = 400;

/// A person without a login: (id, employee number, name, e-mail, department headed).
type Unprovisioned = (i64, String, String, Option<String>, Option<i64>);

/// An approval step waiting for a leaver: (step, need, leaver's number, leaver's id,
/// their manager, their department's head).
pub(crate) type WaitingStep = (i64, i64, String, i64, Option<i64>, Option<i64>);

/// The HR-sync port: every query and change of this context (the import's own write is
/// [`crate::imports::ImportRepository::apply_employee_import`]).
pub trait HrSyncRepository {
    /// Every employee with the fields a file is compared on, and the names of departments
    /// and positions for reports.
    fn sync_snapshot(&self)
    -> impl std::future::Future<Output = DomainResult<SyncSnapshot>> + Send;

    /// A person's job history, oldest first.
    fn job_history(
        &self,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<JobHistoryEntry>>> + Send;

    /// Up to `limit` domain events after the cursor `after` (an event id), of the given
    /// kinds (all kinds when empty), oldest first.
    fn domain_events_after(
        &self,
        after: i64,
        kinds: &[String],
        limit: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<DomainEvent>>> + Send;

    /// Creates a login for every person who is not `left` and has none (only those of
    /// `only`, when given): role `employee` for themselves, and `manager` over the
    /// department they head; no usable local password. One transaction, audited.
    fn provision_logins(
        &self,
        only: Option<&[i64]>,
        by: UsernameSource,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<ProvisionReport>> + Send;

    /// Forces a password reset of account `user_id`: the password stops working, the
    /// sessions end, and only the token hashing to `token_hash` (until `expires`) sets a
    /// new one. Returns the username.
    fn start_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        expires: OffsetDateTime,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<String>> + Send;

    /// Sets the password of the account whose pending reset token hashes to
    /// `token_hash`; returns its username. An unknown or expired token is invalid input.
    fn complete_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> impl std::future::Future<Output = DomainResult<String>> + Send;

    /// Whether account `user_id` must set a new password before it may sign in.
    fn must_change_password(
        &self,
        user_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;
}

/// Appends many audit entries in the open transaction `$tx`, a chunk per statement.
macro_rules! append_many_in {
    ($tx:ident, $entries:expr) => {{
        let entries: &[domain::audit::NewAuditEntry] = $entries;
        let at = $crate::DbTime(time::OffsetDateTime::now_utc());
        for chunk in entries.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO audit_log (at, actor_user_id, actor, ip, action, entity_kind, entity_id, before_json, after_json) ",
            );
            qb.push_values(chunk, |mut row, e| {
                row.push_bind(at)
                    .push_bind(e.actor_user_id)
                    .push_bind(e.actor.clone())
                    .push_bind(e.ip.clone())
                    .push_bind(e.action.clone())
                    .push_bind(e.entity_kind.clone())
                    .push_bind(e.entity_id.clone())
                    .push_bind(e.before.clone())
                    .push_bind(e.after.clone());
            });
            qb.build()
                .execute(&mut *$tx)
                .await
                .map_err($crate::db_error)?;
        }
    }};
}
pub(crate) use append_many_in;

/// Writes, in the open transaction `$tx` of an employee import (after its upsert), what
/// the diff `$diff` says beyond the rows themselves: leavers absent from a full file
/// become `left`; every job change becomes a job-history row, a domain event and an
/// audit entry; every field change an audit entry; leavers' logins are disabled, their
/// sessions ended and tokens revoked, their open enrollments cancelled and the approval
/// steps waiting for them handed to their manager or department head (or cancelled);
/// rehired people's logins are enabled again. `$dept` and `$pos` resolve a
/// [`domain::hr_sync::Unit`] to an id. Evaluates to the [`domain::hr_sync::LeaverReport`].
macro_rules! write_sync {
    ($tx:ident, $diff:expr, $dept:expr, $pos:expr, $source:expr, $actor:expr, $now:expr) => {{
        use domain::hr_sync::{JobChangeKind, LeaverReport};
        use std::collections::HashMap;
        let diff: &domain::hr_sync::SyncDiff = $diff;
        let actor: &domain::audit::Actor = $actor;
        let source: &str = $source;
        let now: $crate::DbTime = $now;
        let mut report = LeaverReport::default();
        // Ids of people the import created.
        let mut ids: HashMap<String, i64> = HashMap::new();
        let new_numbers: Vec<String> = diff
            .job_changes()
            .filter(|c| c.employee_id.is_none())
            .map(|c| c.employee_no.clone())
            .collect();
        for chunk in new_numbers.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id, employee_no FROM employees WHERE employee_no IN (",
            );
            $crate::query::push_in_list(&mut qb, chunk.iter().cloned());
            let rows: Vec<(i64, String)> = $crate::query::fetch_rows(&mut *$tx, &mut qb).await?;
            ids.extend(rows.into_iter().map(|(id, no)| (no, id)));
        }
        let id_of = |c: &domain::hr_sync::JobChange| -> domain::DomainResult<i64> {
            c.employee_id
                .or_else(|| ids.get(&c.employee_no).copied())
                .ok_or_else(|| domain::DomainError::internal(format!("employee {} was not written", c.employee_no)))
        };
        let leaver_ids: Vec<i64> = diff.leavers.iter().map(&id_of).collect::<domain::DomainResult<_>>()?;
        for chunk in leaver_ids.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new("UPDATE employees SET status = 'left', updated_at = ");
            qb.push_bind(now).push(" WHERE status <> 'left' AND id IN (");
            $crate::query::push_in_list(&mut qb, chunk.iter().copied());
            qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?;
        }
        // Job history, events and audit entries, one of each per change.
        struct Row {
            employee_id: i64,
            kind: JobChangeKind,
            from_department: Option<i64>,
            to_department: Option<i64>,
            from_position: Option<i64>,
            to_position: Option<i64>,
            effective_on: time::Date,
            payload: String,
        }
        let mut rows = Vec::new();
        for c in diff.job_changes() {
            let employee_id = id_of(c)?;
            let to_department = c.to_department.as_ref().map(&$dept);
            let to_position = c.to_position.as_ref().map(&$pos);
            let payload = serde_json::json!({
                "employee_no": c.employee_no,
                "name": c.name,
                "kind": c.kind.code(),
                "from_department_id": c.from_department_id,
                "to_department_id": to_department,
                "from_position_id": c.from_position_id,
                "to_position_id": to_position,
                "effective_on": c.effective_on.to_string(),
                "summary": c.summary,
                "source": source,
            })
            .to_string();
            rows.push(Row {
                employee_id,
                kind: c.kind,
                from_department: c.from_department_id,
                to_department,
                from_position: c.from_position_id,
                to_position,
                effective_on: c.effective_on,
                payload,
            });
        }
        for chunk in rows.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO job_history (employee_id, kind, from_department_id, to_department_id, from_position_id, to_position_id, effective_on, source, actor, recorded_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.employee_id)
                    .push_bind(r.kind.code())
                    .push_bind(r.from_department)
                    .push_bind(r.to_department)
                    .push_bind(r.from_position)
                    .push_bind(r.to_position)
                    .push_bind(r.effective_on)
                    .push_bind(source.to_string())
                    .push_bind(actor.name.clone())
                    .push_bind(now);
            });
            qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?;
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO domain_events (kind, employee_id, payload, occurred_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.kind.event_kind())
                    .push_bind(r.employee_id)
                    .push_bind(r.payload.clone())
                    .push_bind(now);
            });
            qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?;
        }
        let mut entries: Vec<domain::audit::NewAuditEntry> = rows
            .iter()
            .map(|r| {
                actor
                    .entry(&format!("people.{}", r.kind.code()), "employee")
                    .entity(r.employee_id)
                    .change(None, Some(r.payload.clone()))
            })
            .collect();
        entries.extend(diff.field_changes.iter().map(|f| {
            actor
                .entry("people.update", "employee")
                .entity(f.employee_id)
                .change(None, Some(serde_json::json!({"employee_no": f.employee_no, "fields": f.fields, "source": source}).to_string()))
        }));
        // Leavers: logins, sessions, tokens, enrollments, approvals.
        let leaver_set: std::collections::HashSet<i64> = leaver_ids.iter().copied().collect();
        for chunk in leaver_ids.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id, username FROM users WHERE active = TRUE AND employee_id IN (",
            );
            $crate::query::push_in_list(&mut qb, chunk.iter().copied());
            let users: Vec<(i64, String)> = $crate::query::fetch_rows(&mut *$tx, &mut qb).await?;
            if users.is_empty() {
                continue;
            }
            let user_ids: Vec<i64> = users.iter().map(|u| u.0).collect();
            let mut qb = sqlx::QueryBuilder::new("UPDATE users SET active = FALSE, updated_at = ");
            qb.push_bind(now).push(" WHERE id IN (");
            $crate::query::push_in_list(&mut qb, user_ids.iter().copied());
            qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?;
            let mut qb = sqlx::QueryBuilder::new("DELETE FROM sessions WHERE user_id IN (");
            $crate::query::push_in_list(&mut qb, user_ids.iter().copied());
            report.sessions_ended += qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?.rows_affected() as usize;
            let mut qb = sqlx::QueryBuilder::new("UPDATE api_tokens SET revoked_at = ");
            qb.push_bind(now).push(" WHERE revoked_at IS NULL AND user_id IN (");
            $crate::query::push_in_list(&mut qb, user_ids.iter().copied());
            report.tokens_revoked += qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?.rows_affected() as usize;
            for (id, username) in users {
                entries.push(
                    actor
                        .entry("account.disable", "user")
                        .entity(id)
                        .change(None, Some(serde_json::json!({"username": username, "reason": "left", "source": source}).to_string())),
                );
                report.accounts_disabled.push(username);
            }
        }
        for chunk in leaver_ids.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT en.id, e.employee_no, p.code FROM enrollments en JOIN employees e ON e.id = en.employee_id \
                 JOIN programs p ON p.id = en.program_id WHERE en.status IN ('enrolled', 'waitlisted') AND en.employee_id IN (",
            );
            $crate::query::push_in_list(&mut qb, chunk.iter().copied());
            let open: Vec<(i64, String, String)> = $crate::query::fetch_rows(&mut *$tx, &mut qb).await?;
            if open.is_empty() {
                continue;
            }
            let mut qb = sqlx::QueryBuilder::new("UPDATE enrollments SET status = 'cancelled', cancelled_at = ");
            qb.push_bind(now).push(", updated_at = ").push_bind(now).push(" WHERE id IN (");
            $crate::query::push_in_list(&mut qb, open.iter().map(|o| o.0));
            qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?;
            for (id, no, program) in open {
                entries.push(
                    actor
                        .entry("enrollment.cancel", "enrollment")
                        .entity(id)
                        .change(None, Some(serde_json::json!({"employee_no": no, "program": program, "reason": "left"}).to_string())),
                );
                report.enrollments_cancelled.push((no, program));
            }
        }
        for chunk in leaver_ids.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT s.id, s.need_id, e.employee_no, e.id, e.manager_id, d.head_employee_id FROM need_approval_steps s \
                 JOIN employees e ON e.id = s.approver_employee_id JOIN departments d ON d.id = e.department_id \
                 WHERE s.status IN ('pending', 'waiting') AND s.approver_employee_id IN (",
            );
            $crate::query::push_in_list(&mut qb, chunk.iter().copied());
            let steps: Vec<$crate::hr_sync::WaitingStep> =
                $crate::query::fetch_rows(&mut *$tx, &mut qb).await?;
            for (step, need, no, leaver, manager, head) in steps {
                let mut to: Option<(i64, i64, String)> = None;
                for candidate in [manager, head].into_iter().flatten() {
                    if candidate == leaver || leaver_set.contains(&candidate) {
                        continue;
                    }
                    let found: Option<(i64, String)> = sqlx::query_as(
                        "SELECT u.id, e.name FROM users u JOIN employees e ON e.id = u.employee_id \
                         WHERE u.employee_id = $1 AND u.active = TRUE AND e.status <> 'left' ORDER BY u.id LIMIT 1",
                    )
                    .bind(candidate)
                    .fetch_optional(&mut *$tx)
                    .await
                    .map_err($crate::db_error)?;
                    if let Some((user, name)) = found {
                        to = Some((candidate, user, name));
                        break;
                    }
                }
                match to {
                    Some((employee, user, name)) => {
                        sqlx::query("UPDATE need_approval_steps SET approver_employee_id = $1, approver_user_id = $2, approver_label = $3 WHERE id = $4")
                            .bind(employee).bind(user).bind(&name).bind(step)
                            .execute(&mut *$tx).await.map_err($crate::db_error)?;
                        entries.push(
                            actor
                                .entry("need_approval.reassign", "need_approval_step")
                                .entity(step)
                                .change(
                                    Some(serde_json::json!({"approver_employee_id": leaver}).to_string()),
                                    Some(serde_json::json!({"approver_employee_id": employee, "approver_user_id": user, "reason": "left"}).to_string()),
                                ),
                        );
                        report.approvals_reassigned.push((need, no, name));
                    }
                    None => {
                        sqlx::query("UPDATE need_approval_steps SET status = 'cancelled', reason = $1 WHERE id = $2")
                            .bind("the approver left the company")
                            .bind(step)
                            .execute(&mut *$tx).await.map_err($crate::db_error)?;
                        entries.push(
                            actor
                                .entry("need_approval.cancel", "need_approval_step")
                                .entity(step)
                                .change(None, Some(serde_json::json!({"need_id": need, "reason": "left"}).to_string())),
                        );
                        report.approvals_cancelled.push((need, no));
                    }
                }
            }
        }
        let rehired: Vec<i64> = diff.rehires.iter().map(&id_of).collect::<domain::DomainResult<_>>()?;
        for chunk in rehired.chunks($crate::hr_sync::CHUNK) {
            let mut qb = sqlx::QueryBuilder::new("SELECT id, username FROM users WHERE active = FALSE AND employee_id IN (");
            $crate::query::push_in_list(&mut qb, chunk.iter().copied());
            let users: Vec<(i64, String)> = $crate::query::fetch_rows(&mut *$tx, &mut qb).await?;
            if users.is_empty() {
                continue;
            }
            let mut qb = sqlx::QueryBuilder::new("UPDATE users SET active = TRUE, updated_at = ");
            qb.push_bind(now).push(" WHERE id IN (");
            $crate::query::push_in_list(&mut qb, users.iter().map(|u| u.0));
            qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?;
            for (id, username) in users {
                entries.push(actor.entry("account.enable", "user").entity(id).change(None, Some(serde_json::json!({"username": username, "reason": "rehire"}).to_string())));
                report.accounts_enabled.push(username);
            }
        }
        $crate::hr_sync::append_many_in!($tx, &entries);
        report
    }};
}
pub(crate) use write_sync;

#[derive(sqlx::FromRow)]
struct SnapshotRow {
    id: i64,
    employee_no: String,
    name: String,
    department_id: i64,
    position_id: Option<i64>,
    manager_no: Option<String>,
    status: String,
    city: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    employee_id: i64,
    kind: String,
    from_department: Option<String>,
    to_department: Option<String>,
    from_position: Option<String>,
    to_position: Option<String>,
    effective_on: Date,
    source: String,
    actor: String,
}

impl HrSyncRepository for crate::Store {
    async fn sync_snapshot(&self) -> DomainResult<SyncSnapshot> {
        on_pool!(self, |pool| {
            let rows: Vec<SnapshotRow> = sqlx::query_as(
                "SELECT e.id, e.employee_no, e.name, e.department_id, e.position_id, m.employee_no AS manager_no, \
                 e.status, e.city, e.phone, e.email FROM employees e LEFT JOIN employees m ON m.id = e.manager_id",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let mut employees = Vec::with_capacity(rows.len());
            for r in rows {
                employees.push(CurrentEmployee {
                    id: r.id,
                    employee_no: r.employee_no,
                    name: r.name,
                    department_id: r.department_id,
                    position_id: r.position_id,
                    manager_no: r.manager_no,
                    status: EmployeeStatus::parse(&r.status)?,
                    city: r.city,
                    phone: r.phone,
                    email: r.email,
                });
            }
            let departments: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT id, code, name FROM departments")
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            let positions: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM positions")
                .fetch_all(pool)
                .await
                .map_err(db_error)?;
            Ok(SyncSnapshot {
                employees,
                departments: departments
                    .into_iter()
                    .map(|(id, code, name)| (id, format!("{code} {name}")))
                    .collect(),
                positions: positions.into_iter().collect(),
            })
        })
    }

    async fn job_history(&self, employee_id: i64) -> DomainResult<Vec<JobHistoryEntry>> {
        on_pool!(self, |pool| {
            let rows: Vec<HistoryRow> = sqlx::query_as(
                "SELECT h.id, h.employee_id, h.kind, fd.name AS from_department, td.name AS to_department, \
                 fp.name AS from_position, tp.name AS to_position, h.effective_on, h.source, h.actor \
                 FROM job_history h \
                 LEFT JOIN departments fd ON fd.id = h.from_department_id LEFT JOIN departments td ON td.id = h.to_department_id \
                 LEFT JOIN positions fp ON fp.id = h.from_position_id LEFT JOIN positions tp ON tp.id = h.to_position_id \
                 WHERE h.employee_id = $1 ORDER BY h.effective_on, h.id",
            )
            .bind(employee_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(rows
                .into_iter()
                .map(|r| JobHistoryEntry {
                    id: r.id,
                    employee_id: r.employee_id,
                    kind: r.kind,
                    from_department: r.from_department,
                    to_department: r.to_department,
                    from_position: r.from_position,
                    to_position: r.to_position,
                    effective_on: r.effective_on,
                    source: r.source,
                    actor: r.actor,
                })
                .collect())
        })
    }

    async fn domain_events_after(
        &self,
        after: i64,
        kinds: &[String],
        limit: i64,
    ) -> DomainResult<Vec<DomainEvent>> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT id, kind, employee_id, payload, occurred_at FROM domain_events WHERE id > ",
            );
            qb.push_bind(after);
            if !kinds.is_empty() {
                qb.push(" AND kind IN (");
                push_in_list(&mut qb, kinds.iter().cloned());
            }
            qb.push(" ORDER BY id LIMIT ")
                .push_bind(limit.clamp(1, 10_000));
            let rows: Vec<(i64, String, Option<i64>, String, DbTime)> =
                fetch_rows(pool, &mut qb).await?;
            Ok(rows
                .into_iter()
                .map(|(id, kind, employee_id, payload, at)| DomainEvent {
                    id,
                    kind,
                    employee_id,
                    payload,
                    occurred_at: at.0,
                })
                .collect())
        })
    }

    async fn provision_logins(
        &self,
        only: Option<&[i64]>,
        by: UsernameSource,
        actor: &Actor,
    ) -> DomainResult<ProvisionReport> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut qb = QueryBuilder::new(
                "SELECT e.id, e.employee_no, e.name, e.email, \
                 (SELECT MIN(d.id) FROM departments d WHERE d.head_employee_id = e.id) AS heads \
                 FROM employees e WHERE e.status <> 'left' \
                 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.employee_id = e.id)",
            );
            if let Some(ids) = only {
                if ids.is_empty() {
                    return Ok(ProvisionReport::default());
                }
                qb.push(" AND e.id IN (");
                push_in_list(&mut qb, ids.iter().copied());
            }
            qb.push(" ORDER BY e.employee_no");
            let people: Vec<Unprovisioned> = fetch_rows(&mut *tx, &mut qb).await?;
            let mut report = ProvisionReport::default();
            if people.is_empty() {
                return Ok(report);
            }
            let mut taken: HashSet<String> = sqlx::query_scalar("SELECT username FROM users")
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?
                .into_iter()
                .collect();
            // (employee id, username, display name, department headed)
            let mut new: Vec<(i64, String, String, Option<i64>)> = Vec::new();
            for (id, no, name, email, heads) in people {
                let username = match by {
                    UsernameSource::EmployeeNo => no.clone(),
                    UsernameSource::Email => match email.map(|e| e.trim().to_lowercase()) {
                        Some(e) if !e.is_empty() => e,
                        _ => {
                            report.skipped.push((no, "no e-mail address".into()));
                            continue;
                        }
                    },
                };
                let len = username.chars().count();
                if !(3..=64).contains(&len)
                    || !username.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')
                    })
                {
                    report.skipped.push((
                        no,
                        format!("'{username}' cannot be a username (3 to 64 letters, digits, '.', '_', '-', '@')"),
                    ));
                    continue;
                }
                if !taken.insert(username.clone()) {
                    report
                        .skipped
                        .push((no, format!("the username '{username}' is taken")));
                    continue;
                }
                new.push((id, username, name, heads));
            }
            let mut entries: Vec<NewAuditEntry> = Vec::new();
            for chunk in new.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO users (username, display_name, password_hash, employee_id, active, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, (id, username, name, _)| {
                    // No usable local password: they sign in through the directory, or
                    // after an administrator's password reset.
                    b.push_bind(username.clone())
                        .push_bind(name.clone())
                        .push_bind("!provisioned")
                        .push_bind(*id)
                        .push_bind(true)
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(" RETURNING id, employee_id");
                let created: Vec<(i64, i64)> = fetch_rows(&mut *tx, &mut qb).await?;
                let by_employee: std::collections::HashMap<i64, i64> =
                    created.into_iter().map(|(u, e)| (e, u)).collect();
                // (user id, role, scope kind, department, scope key)
                let mut grants: Vec<(i64, &str, &str, Option<i64>, String)> = Vec::new();
                for (employee, username, _, heads) in chunk {
                    let user = by_employee.get(employee).copied().ok_or_else(|| {
                        DomainError::internal(format!("the login of {username} was not created"))
                    })?;
                    grants.push((user, "employee", "self", None, "self".into()));
                    let mut after = serde_json::json!({
                        "username": username, "employee_id": employee, "provisioned": true,
                        "grants": [{"role": "employee", "scope": "self"}],
                    });
                    if let Some(dept) = heads {
                        grants.push((
                            user,
                            "manager",
                            "department",
                            Some(*dept),
                            format!("department:{dept}"),
                        ));
                        after["grants"] = serde_json::json!([
                            {"role": "employee", "scope": "self"},
                            {"role": "manager", "scope": {"department": dept}},
                        ]);
                        report.managers.push(username.clone());
                    }
                    entries.push(
                        actor
                            .entry("account.provision", "user")
                            .entity(user)
                            .change(None, Some(after.to_string())),
                    );
                    report.created.push(username.clone());
                }
                for part in grants.chunks(CHUNK) {
                    let mut qb = QueryBuilder::new(
                        "INSERT INTO role_grants (user_id, role, scope_kind, department_id, scope_key, created_at) ",
                    );
                    qb.push_values(part, |mut b, (user, role, kind, dept, key)| {
                        b.push_bind(*user)
                            .push_bind(*role)
                            .push_bind(*kind)
                            .push_bind(*dept)
                            .push_bind(key.clone())
                            .push_bind(now);
                    });
                    qb.build().execute(&mut *tx).await.map_err(db_error)?;
                }
            }
            append_many_in!(tx, &entries);
            tx.commit().await.map_err(db_error)?;
            Ok(report)
        })
    }

    async fn start_password_reset(
        &self,
        user_id: i64,
        token_hash: &str,
        expires: OffsetDateTime,
        actor: &Actor,
    ) -> DomainResult<String> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let username: Option<String> = sqlx::query_scalar(
                "UPDATE users SET password_hash = '!reset', must_change_password = TRUE, password_reset_hash = $1, \
                 password_reset_expires_at = $2, updated_at = $3 WHERE id = $4 RETURNING username",
            )
            .bind(token_hash)
            .bind(DbTime(expires))
            .bind(now)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            let username = username.ok_or(DomainError::NotFound { entity: "user" })?;
            let sessions = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
            // Whoever forced the reset suspects the credentials: the tokens go too.
            let tokens = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            append_in!(
                tx,
                &actor
                    .entry("account.password_reset", "user")
                    .entity(user_id)
                    .change(
                        None,
                        Some(
                            serde_json::json!({"username": username, "sessions_ended": sessions,
                                "tokens_revoked": tokens})
                            .to_string()
                        )
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(username)
        })
    }

    async fn complete_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> DomainResult<String> {
        let now = DbTime(OffsetDateTime::now_utc());
        let invalid =
            || DomainError::invalid("token", "the reset link is invalid, used or expired");
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let row: Option<(i64, String, Option<DbTime>)> = sqlx::query_as(
                "SELECT id, username, password_reset_expires_at FROM users WHERE password_reset_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            let (id, username, expires) = row.ok_or_else(invalid)?;
            if expires.is_none_or(|e| e <= now) {
                return Err(invalid());
            }
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = FALSE, password_reset_hash = NULL, \
                 password_reset_expires_at = NULL, updated_at = $2 WHERE id = $3",
            )
            .bind(password_hash)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in!(
                tx,
                &Actor {
                    user_id: Some(id),
                    name: username.clone(),
                    ip: None,
                }
                .entry("account.password_reset_complete", "user")
                .entity(id)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(username)
        })
    }

    async fn must_change_password(&self, user_id: i64) -> DomainResult<bool> {
        on_pool!(self, |pool| {
            let flag: Option<bool> =
                sqlx::query_scalar("SELECT must_change_password FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)?;
            Ok(flag.unwrap_or(false))
        })
    }
}
