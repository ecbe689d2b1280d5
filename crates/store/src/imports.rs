//! Writing validated import plans: one transaction per import, so a bad file, a
//! crash or a kill leaves the database exactly as it was.

use crate::audit::{append_in, write_audited};
use crate::query::{fetch_rows, id_map, push_in_list};
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::{DomainError, DomainResult};
use import::employees::{Known, Plan, Ref};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::OffsetDateTime;

/// What an employee import wrote (or, for a previewed sync, would change).
#[derive(Debug, Clone, Default)]
pub struct EmployeeImportOutcome {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub managers_changed: usize,
    pub departments_created: usize,
    pub positions_created: usize,
    pub rejected_rows: usize,
    /// KPI values from mapped KPI columns, inserted or changed.
    pub kpi_values_written: usize,
    /// What the file changes: hires, leavers, transfers, position and field changes.
    pub diff: domain::hr_sync::SyncDiff,
    /// What happened to the leavers' logins, enrollments and approvals.
    pub leavers: domain::hr_sync::LeaverReport,
    /// Logins created for people who had none (filled by the use case after the import).
    pub provisioned: domain::hr_sync::ProvisionReport,
    /// A dry run of a full sync: the diff only, nothing written.
    pub preview: bool,
}

const CHUNK: usize = 400;

/// The imports port: every query and change of this context.
pub trait ImportRepository {
    /// Departments, positions and employees as an import checks references against them.
    fn import_known(&self) -> impl std::future::Future<Output = DomainResult<Known>> + Send;

    /// Writes a plan in one transaction (nothing at all when it is not writable) and
    /// records the import and its report in the audit log.
    fn apply_employee_import(
        &self,
        plan: &Plan,
        known: &Known,
        diff: &domain::hr_sync::SyncDiff,
        source: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<EmployeeImportOutcome>> + Send;

    /// Saves (or replaces) a named column mapping of an import kind.
    fn save_import_mapping(
        &self,
        kind: &str,
        name: &str,
        mapping: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// A saved mapping's `field=Header` lines.
    fn import_mapping(
        &self,
        kind: &str,
        name: &str,
    ) -> impl std::future::Future<Output = DomainResult<Option<String>>> + Send;

    /// Names of the saved mappings of a kind.
    fn import_mapping_names(
        &self,
        kind: &str,
    ) -> impl std::future::Future<Output = DomainResult<Vec<String>>> + Send;
}

impl ImportRepository for crate::Store {
    /// Departments, positions and employees as an import checks references against them.
    async fn import_known(&self) -> DomainResult<Known> {
        on_pool!(self, |pool| {
            let mut known = Known::default();
            let depts: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT id, code, name FROM departments")
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            for (id, code, name) in depts {
                known.departments.insert(code.to_lowercase(), id);
                known.departments.entry(name.to_lowercase()).or_insert(id);
            }
            let positions: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT id, code, name FROM positions")
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            for (id, code, name) in positions {
                known.positions.insert(code.to_lowercase(), id);
                known.positions.entry(name.to_lowercase()).or_insert(id);
            }
            let people: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT e.employee_no, m.employee_no FROM employees e LEFT JOIN employees m ON m.id = e.manager_id",
            )
            .fetch_all(pool).await.map_err(db_error)?;
            known.employees = people.into_iter().collect();
            known.kpis = id_map(pool, "SELECT code, id FROM kpis").await?;
            Ok(known)
        })
    }

    /// Writes a plan in one transaction (nothing at all when it is not writable) and
    /// records the import and its report in the audit log, with what `diff` says beyond
    /// the rows (leavers, job history, domain events; see `hr_sync::write_sync`).
    async fn apply_employee_import(
        &self,
        plan: &Plan,
        known: &Known,
        diff: &domain::hr_sync::SyncDiff,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<EmployeeImportOutcome> {
        if !plan.writable() {
            return Err(DomainError::invalid(
                "file",
                format!(
                    "{} rows have errors; nothing was imported",
                    plan.rejected_rows()
                ),
            ));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        let manager_mapped = plan
            .mapping
            .columns
            .contains_key(&import::employees::Field::Manager);
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut outcome = EmployeeImportOutcome {
                rejected_rows: plan.rejected_rows(),
                ..Default::default()
            };
            // New departments hang under the root until someone moves them.
            let root: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, path FROM departments WHERE parent_id IS NULL ORDER BY id LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            let mut new_departments: HashMap<String, i64> = HashMap::new();
            let mut new_positions: HashMap<String, i64> = HashMap::new();
            for record in &plan.records {
                if let Ref::New(name) = &record.department
                    && !new_departments.contains_key(name)
                {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO departments (code, name, parent_id, path, created_at) VALUES ($1, $2, $3, '', $4) RETURNING id",
                    )
                    .bind(name).bind(name).bind(root.as_ref().map(|r| r.0)).bind(now)
                    .fetch_one(&mut *tx).await.map_err(db_error)?;
                    let path = format!(
                        "{}{id}/",
                        root.as_ref().map(|r| r.1.as_str()).unwrap_or("/")
                    );
                    sqlx::query("UPDATE departments SET path = $1 WHERE id = $2")
                        .bind(path)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                    new_departments.insert(name.clone(), id);
                }
                if let Some(Ref::New(name)) = &record.position
                    && !new_positions.contains_key(name)
                {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO positions (code, name, job_family, grade) VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(name).bind(name).bind(&record.job_family).bind(&record.grade)
                    .fetch_one(&mut *tx).await.map_err(db_error)?;
                    new_positions.insert(name.clone(), id);
                }
            }
            outcome.departments_created = new_departments.len();
            outcome.positions_created = new_positions.len();
            let resolve = |r: &Ref, created: &HashMap<String, i64>| match r {
                Ref::Existing(id) => *id,
                Ref::New(name) => created[name],
            };
            let mut changed = 0usize;
            for chunk in plan.records.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO employees (employee_no, name, department_id, position_id, grade, hire_date, status, city, phone, email, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut row, r| {
                    row.push_bind(r.employee_no.clone())
                        .push_bind(r.name.clone())
                        .push_bind(resolve(&r.department, &new_departments))
                        .push_bind(r.position.as_ref().map(|p| resolve(p, &new_positions)))
                        .push_bind(r.grade.clone())
                        .push_bind(r.hire_date)
                        .push_bind(r.status.code())
                        .push_bind(r.city.clone())
                        .push_bind(r.phone.clone())
                        .push_bind(r.email.clone())
                        .push_bind(now)
                        .push_bind(now);
                });
                // Re-importing the same file must change nothing, not even updated_at.
                qb.push(
                    " ON CONFLICT (employee_no) DO UPDATE SET name = excluded.name, department_id = excluded.department_id, \
                     position_id = COALESCE(excluded.position_id, employees.position_id), grade = COALESCE(excluded.grade, employees.grade), \
                     hire_date = COALESCE(excluded.hire_date, employees.hire_date), status = excluded.status, \
                     city = COALESCE(excluded.city, employees.city), phone = COALESCE(excluded.phone, employees.phone), \
                     email = COALESCE(excluded.email, employees.email), updated_at = excluded.updated_at \
                     WHERE employees.name IS DISTINCT FROM excluded.name \
                        OR employees.department_id IS DISTINCT FROM excluded.department_id \
                        OR (excluded.position_id IS NOT NULL AND employees.position_id IS DISTINCT FROM excluded.position_id) \
                        OR (excluded.grade IS NOT NULL AND employees.grade IS DISTINCT FROM excluded.grade) \
                        OR (excluded.hire_date IS NOT NULL AND employees.hire_date IS DISTINCT FROM excluded.hire_date) \
                        OR employees.status IS DISTINCT FROM excluded.status \
                        OR (excluded.city IS NOT NULL AND employees.city IS DISTINCT FROM excluded.city) \
                        OR (excluded.phone IS NOT NULL AND employees.phone IS DISTINCT FROM excluded.phone) \
                        OR (excluded.email IS NOT NULL AND employees.email IS DISTINCT FROM excluded.email)",
                );
                changed += qb
                    .build()
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected() as usize;
            }
            outcome.inserted = plan
                .records
                .iter()
                .filter(|r| !known.employees.contains_key(&r.employee_no))
                .count();
            outcome.updated = changed.saturating_sub(outcome.inserted);
            outcome.unchanged = plan.records.len() - outcome.inserted - outcome.updated;
            let has_kpi_values = plan.records.iter().any(|r| !r.kpi_values.is_empty());
            let tagged: Vec<&import::employees::EmployeeRecord> = plan
                .records
                .iter()
                .filter(|r| r.duties.is_some() || r.projects.is_some())
                .collect();
            // Ids of the file's people (and their managers), looked up once for every later step.
            let mut ids: HashMap<String, i64> = HashMap::new();
            if manager_mapped || has_kpi_values || !tagged.is_empty() {
                let numbers: Vec<&String> = plan
                    .records
                    .iter()
                    .flat_map(|r| std::iter::once(&r.employee_no).chain(r.manager_no.as_ref()))
                    .collect();
                for chunk in numbers.chunks(CHUNK) {
                    let mut qb = QueryBuilder::new(
                        "SELECT id, employee_no FROM employees WHERE employee_no IN (",
                    );
                    push_in_list(&mut qb, chunk.iter().map(|no| (*no).clone()));
                    let rows: Vec<(i64, String)> = fetch_rows(&mut *tx, &mut qb).await?;
                    ids.extend(rows.into_iter().map(|(id, no)| (no, id)));
                }
            }
            if manager_mapped {
                let links: Vec<(i64, Option<i64>)> = plan
                    .records
                    .iter()
                    .map(|r| {
                        (
                            ids[&r.employee_no],
                            r.manager_no.as_ref().and_then(|m| ids.get(m).copied()),
                        )
                    })
                    .collect();
                for chunk in links.chunks(CHUNK) {
                    let mut qb = QueryBuilder::new("WITH v(eid, mid) AS (");
                    qb.push_values(chunk, |mut row, (eid, mid)| {
                        row.push_bind(*eid).push_bind(*mid);
                    });
                    qb.push(
                        ") UPDATE employees SET manager_id = (SELECT mid FROM v WHERE v.eid = employees.id) \
                         WHERE id IN (SELECT eid FROM v) AND manager_id IS DISTINCT FROM (SELECT mid FROM v WHERE v.eid = employees.id)",
                    );
                    outcome.managers_changed += qb
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected() as usize;
                }
            }
            if !tagged.is_empty() {
                // A file with a tag column states the whole set: replace, per kind given.
                for (kind, pick) in [
                    (
                        "duty",
                        (|r: &import::employees::EmployeeRecord| r.duties.clone())
                            as fn(&import::employees::EmployeeRecord) -> Option<Vec<String>>,
                    ),
                    ("project", |r: &import::employees::EmployeeRecord| {
                        r.projects.clone()
                    }),
                ] {
                    let rows: Vec<(i64, Vec<String>)> = tagged
                        .iter()
                        .filter_map(|r| pick(r).map(|tags| (ids[&r.employee_no], tags)))
                        .collect();
                    for chunk in rows.chunks(CHUNK) {
                        let mut qb = QueryBuilder::new("DELETE FROM person_tags WHERE kind = ");
                        qb.push_bind(kind).push(" AND employee_id IN (");
                        push_in_list(&mut qb, chunk.iter().map(|(id, _)| *id));
                        qb.build().execute(&mut *tx).await.map_err(db_error)?;
                        let values: Vec<(i64, &String)> = chunk
                            .iter()
                            .flat_map(|(id, tags)| tags.iter().map(move |t| (*id, t)))
                            .collect();
                        for part in values.chunks(CHUNK) {
                            let mut qb = QueryBuilder::new(
                                "INSERT INTO person_tags (employee_id, kind, value) ",
                            );
                            qb.push_values(part, |mut row, (id, tag)| {
                                row.push_bind(*id).push_bind(kind).push_bind((*tag).clone());
                            });
                            qb.build().execute(&mut *tx).await.map_err(db_error)?;
                        }
                    }
                }
            }
            if let Some(period) = plan.options.period.filter(|_| has_kpi_values) {
                let values: Vec<(i64, i64, f64)> = plan
                    .records
                    .iter()
                    .flat_map(|r| {
                        r.kpi_values
                            .iter()
                            .map(|(kpi, v)| (ids[&r.employee_no], *kpi, *v))
                    })
                    .collect();
                for chunk in values.chunks(CHUNK) {
                    let mut qb = QueryBuilder::new(
                        "INSERT INTO kpi_values (kpi_id, employee_id, period, value, source, entered_by, entered_at) ",
                    );
                    qb.push_values(chunk, |mut row, (employee, kpi, value)| {
                        row.push_bind(*kpi)
                            .push_bind(*employee)
                            .push_bind(period.to_string())
                            .push_bind(*value)
                            .push_bind("import")
                            .push_bind(actor.name.clone())
                            .push_bind(now);
                    });
                    qb.push(
                        " ON CONFLICT (kpi_id, employee_id, period, source) WHERE employee_id IS NOT NULL DO UPDATE \
                         SET value = excluded.value, entered_by = excluded.entered_by, entered_at = excluded.entered_at \
                         WHERE kpi_values.value IS DISTINCT FROM excluded.value",
                    );
                    outcome.kpi_values_written += qb
                        .build()
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?
                        .rows_affected() as usize;
                }
            }
            outcome.leavers = crate::hr_sync::write_sync!(
                tx,
                diff,
                |u: &domain::hr_sync::Unit| match u {
                    domain::hr_sync::Unit::Existing(id) => *id,
                    domain::hr_sync::Unit::New(name) => new_departments[name],
                },
                |u: &domain::hr_sync::Unit| match u {
                    domain::hr_sync::Unit::Existing(id) => *id,
                    domain::hr_sync::Unit::New(name) => new_positions[name],
                },
                source,
                actor,
                now
            );
            let report = serde_json::json!({
                "full": diff.full,
                "hires": diff.hires.len(),
                "rehires": diff.rehires.len(),
                "leavers": diff.leavers.len(),
                "transfers": diff.transfers.len(),
                "position_changes": diff.position_changes.len(),
                "field_changes": diff.field_changes.len(),
                "accounts_disabled": outcome.leavers.accounts_disabled.len(),
                "enrollments_cancelled": outcome.leavers.enrollments_cancelled.len(),
                "approvals_reassigned": outcome.leavers.approvals_reassigned.len(),
                "approvals_cancelled": outcome.leavers.approvals_cancelled.len(),
                "kpi_values_written": outcome.kpi_values_written,
                "source": source,
                "rows": plan.total_rows,
                "inserted": outcome.inserted,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "managers_changed": outcome.managers_changed,
                "departments_created": outcome.departments_created,
                "positions_created": outcome.positions_created,
                "rejected_rows": outcome.rejected_rows,
                "errors": plan.errors.iter().take(100).map(|e| e.to_string()).collect::<Vec<_>>(),
            });
            append_in!(
                tx,
                &actor
                    .entry("people.import", "employee")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            outcome.diff = diff.clone();
            Ok(outcome)
        })
    }

    /// Saves (or replaces) a named column mapping of an import kind.
    async fn save_import_mapping(
        &self,
        kind: &str,
        name: &str,
        mapping: &str,
        actor: &Actor,
    ) -> DomainResult<()> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(DomainError::invalid(
                "mapping",
                "a mapping name must be 1 to 100 characters long",
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(tx, sqlx::query(
                "INSERT INTO import_mappings (kind, name, mapping, created_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (kind, name) DO UPDATE SET mapping = excluded.mapping, created_by = excluded.created_by, updated_at = excluded.updated_at",
            )
            .bind(kind).bind(name).bind(mapping).bind(&actor.name).bind(DbTime(OffsetDateTime::now_utc())), &actor
                    .entry("import.mapping_save", "import_mapping")
                    .entity(format!("{kind}/{name}"))
                    .change(None, Some(mapping.to_string())));
            tx.commit().await.map_err(db_error)
        })
    }

    /// A saved mapping's `field=Header` lines.
    async fn import_mapping(&self, kind: &str, name: &str) -> DomainResult<Option<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT mapping FROM import_mappings WHERE kind = $1 AND name = $2")
                .bind(kind)
                .bind(name)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        })
    }

    /// Names of the saved mappings of a kind.
    async fn import_mapping_names(&self, kind: &str) -> DomainResult<Vec<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT name FROM import_mappings WHERE kind = $1 ORDER BY name")
                .bind(kind)
                .fetch_all(pool)
                .await
                .map_err(db_error)
        })
    }
}
