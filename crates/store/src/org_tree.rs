//! The organisation's structure as it is maintained: departments created, changed,
//! moved with their whole subtree (every descendant's `path` rewritten, so subtree
//! scopes keep working), merged and closed with a successor, heads and deputies, the
//! dated change history; positions; and the department and position imports. Every
//! write runs in one transaction with its audit entry and change record.

use crate::audit::append_in;
use crate::org::{Own, push_scope};
use crate::query::{ensure_code_free, fetch_page, fetch_rows, paged, push_any_contains};
use crate::{DbTime, db_error, on_pool, search_pattern};
use domain::audit::Actor;
use domain::org_tree::{
    ChangeKind, DepartmentChange, DepartmentNode, DepartmentPatch, DepartmentStatus, NewDepartment,
    PersonRef, PositionFilter, PositionInput, PositionRecord, PositionStatus, Retirement,
    cycle_error, within,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use import::org_tree::{DepartmentRecord, DepartmentRefs, KnownDepartment};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use std::future::Future;
use time::{Date, OffsetDateTime};

/// What a department import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DepartmentImportOutcome {
    pub created: usize,
    pub updated: usize,
    pub moved: usize,
    pub unchanged: usize,
}

/// What merging or closing a department moved to its successor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetirementOutcome {
    pub people_moved: u64,
    pub departments_moved: usize,
}

#[derive(sqlx::FromRow)]
struct NodeRow {
    id: i64,
    code: String,
    name: String,
    parent_id: Option<i64>,
    path: String,
    cost_center: Option<String>,
    site: Option<String>,
    status: String,
    closed_on: Option<Date>,
    successor_id: Option<i64>,
    head_id: Option<i64>,
    head_no: Option<String>,
    head_name: Option<String>,
}

/// Departments, (path, id, people) counts and (department, id, number, name) deputies.
type NodeRows = (
    Vec<NodeRow>,
    Vec<(String, i64, i64)>,
    Vec<(i64, i64, String, String)>,
);

/// (id, code, path, parent_id, status) of a department, as writes check it.
type DeptKey = (i64, String, String, Option<i64>, String);

#[derive(sqlx::FromRow)]
struct PositionRow {
    id: i64,
    code: String,
    name: String,
    job_family: Option<String>,
    grade: Option<String>,
    hourly_cost: Option<f64>,
    status: String,
    retired_on: Option<Date>,
    people: i64,
}

impl TryFrom<PositionRow> for PositionRecord {
    type Error = DomainError;
    fn try_from(r: PositionRow) -> DomainResult<Self> {
        Ok(PositionRecord {
            id: r.id,
            code: r.code,
            name: r.name,
            job_family: r.job_family,
            grade: r.grade,
            hourly_cost: r.hourly_cost,
            status: PositionStatus::parse(&r.status)?,
            retired_on: r.retired_on,
            people: r.people,
        })
    }
}

const POSITION_SELECT: &str = "SELECT p.id, p.code, p.name, p.job_family, p.grade, p.hourly_cost, p.status, p.retired_on, \
     (SELECT COUNT(*) FROM employees e WHERE e.position_id = p.id AND e.status <> 'left') AS people \
     FROM positions p WHERE 1=1";

/// The department (id, code, path, parent_id, status) with `$id`, or invalid input on
/// `$field` (`NotFound` when `$field` is `None`).
macro_rules! dept_key {
    ($tx:ident, $id:expr, $field:expr) => {{
        let row: Option<DeptKey> = sqlx::query_as(
            "SELECT id, code, path, parent_id, status FROM departments WHERE id = $1",
        )
        .bind($id)
        .fetch_optional(&mut *$tx)
        .await
        .map_err(db_error)?;
        let field: Option<&str> = $field;
        match (row, field) {
            (Some(r), _) => r,
            (None, None) => {
                return Err(DomainError::NotFound {
                    entity: "department",
                });
            }
            (None, Some(f)) => {
                return Err(DomainError::invalid(
                    f,
                    format!("no department has the id {}", $id),
                ));
            }
        }
    }};
}

/// Fails unless the department `$key` is in use.
macro_rules! ensure_active {
    ($key:expr, $field:expr) => {{
        let key: &DeptKey = &$key;
        if key.4 != "active" {
            return Err(DomainError::invalid(
                $field,
                format!("department {} is closed", key.1),
            ));
        }
    }};
}

/// Moves department `$id` (now at `$old_path`) with its whole subtree under the
/// department `$parent_id` at `$parent_path`, rewriting every descendant's path.
macro_rules! move_subtree {
    ($tx:ident, $id:expr, $old_path:expr, $parent_id:expr, $parent_path:expr) => {{
        let old_path: &str = $old_path;
        let new_path = format!("{}{}/", $parent_path, $id);
        let keep_from = i32::try_from(old_path.len() + 1).unwrap_or(i32::MAX);
        sqlx::query("UPDATE departments SET path = $1 || SUBSTR(path, $2) WHERE path LIKE $3")
            .bind(&new_path)
            .bind(keep_from)
            .bind(format!("{old_path}%"))
            .execute(&mut *$tx)
            .await
            .map_err(db_error)?;
        sqlx::query("UPDATE departments SET parent_id = $1 WHERE id = $2")
            .bind($parent_id)
            .bind($id)
            .execute(&mut *$tx)
            .await
            .map_err(db_error)?;
        new_path
    }};
}

/// Records a dated change of a department.
macro_rules! record_change {
    ($tx:ident, $dept:expr, $kind:expr, $on:expr, $detail:expr, $actor:expr) => {{
        let kind: ChangeKind = $kind;
        let detail: serde_json::Value = $detail;
        sqlx::query(
            "INSERT INTO department_changes (department_id, kind, effective_on, detail, actor, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($dept)
        .bind(kind.code())
        .bind($on)
        .bind(detail.to_string())
        .bind(&$actor.name)
        .bind(DbTime(OffsetDateTime::now_utc()))
        .execute(&mut *$tx)
        .await
        .map_err(db_error)?;
    }};
}

/// The id of the person with employee number `$no` who has not left, or invalid input
/// on `$field`.
macro_rules! person_id {
    ($tx:ident, $no:expr, $field:expr) => {{
        let no: &str = $no;
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, status FROM employees WHERE employee_no = $1")
                .bind(no)
                .fetch_optional(&mut *$tx)
                .await
                .map_err(db_error)?;
        match row {
            None => {
                return Err(DomainError::invalid(
                    $field,
                    format!("no employee has the number '{no}'"),
                ));
            }
            Some((_, status)) if status == "left" => {
                return Err(DomainError::invalid(
                    $field,
                    format!("employee {no} has left"),
                ));
            }
            Some((id, _)) => id,
        }
    }};
}

/// Fails when another department than `$except` is the top of the tree.
macro_rules! ensure_no_other_root {
    ($tx:ident, $except:expr) => {{
        let except: Option<i64> = $except;
        let root: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, code FROM departments WHERE parent_id IS NULL AND status = 'active' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&mut *$tx)
        .await
        .map_err(db_error)?;
        if let Some((id, code)) = root
            && Some(id) != except
        {
            return Err(DomainError::invalid(
                "parent_id",
                format!("missing: {code} is already the top department"),
            ));
        }
    }};
}

/// The org structure port: the maintained tree, its history, positions and imports.
pub trait OrgTreeRepository {
    /// Departments in `scope` (closed ones only when asked), parents before children,
    /// with heads, deputies and head counts.
    fn department_tree(
        &self,
        scope: &DataScope,
        include_closed: bool,
    ) -> impl Future<Output = DomainResult<Vec<DepartmentNode>>> + Send;

    /// One department in `scope` (open or closed).
    fn department_node(
        &self,
        scope: &DataScope,
        id: i64,
    ) -> impl Future<Output = DomainResult<DepartmentNode>> + Send;

    /// The recorded changes of a department, newest first.
    fn department_history(
        &self,
        id: i64,
    ) -> impl Future<Output = DomainResult<Vec<DepartmentChange>>> + Send;

    /// Creates a department (validated input); its id.
    fn create_department(
        &self,
        input: &NewDepartment,
        effective_on: Date,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<i64>> + Send;

    /// Renames a department or changes its cost center, site, head or deputies.
    fn update_department(
        &self,
        id: i64,
        patch: &DepartmentPatch,
        effective_on: Date,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;

    /// Moves a department with its subtree under `parent_id`; a cycle is refused.
    /// Whether it moved (false: it already was there).
    fn move_department(
        &self,
        id: i64,
        parent_id: i64,
        effective_on: Date,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<bool>> + Send;

    /// Merges or closes a department: its people and child departments go to the
    /// successor; it is kept, closed, with the successor recorded.
    fn retire_department(
        &self,
        id: i64,
        how: Retirement,
        effective_on: Date,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<RetirementOutcome>> + Send;

    /// Positions matching `filter`, paged, by code.
    fn list_positions(
        &self,
        filter: &PositionFilter,
        page: Page,
    ) -> impl Future<Output = DomainResult<Paged<PositionRecord>>> + Send;

    /// One position.
    fn position(&self, id: i64) -> impl Future<Output = DomainResult<PositionRecord>> + Send;

    /// Creates a position (validated input); its id.
    fn create_position(
        &self,
        input: &PositionInput,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<i64>> + Send;

    /// Changes a position (validated input).
    fn update_position(
        &self,
        id: i64,
        input: &PositionInput,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;

    /// Retires a position as of `on`; a retired one cannot be retired again.
    fn retire_position(
        &self,
        id: i64,
        on: Date,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;

    /// Stored departments and people, as a department file is checked against them.
    fn department_refs(&self) -> impl Future<Output = DomainResult<DepartmentRefs>> + Send;

    /// Writes checked department rows (parents first) in one transaction: new codes
    /// created, stored ones updated and moved.
    fn import_departments(
        &self,
        records: &[DepartmentRecord],
        effective_on: Date,
        source: &str,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<DepartmentImportOutcome>> + Send;

    /// Creates or updates positions by code in one transaction: (created, updated).
    fn import_positions(
        &self,
        positions: &[PositionInput],
        source: &str,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<(usize, usize)>> + Send;
}

impl crate::Store {
    async fn nodes(
        &self,
        scope: &DataScope,
        include_closed: bool,
        only: Option<i64>,
    ) -> DomainResult<Vec<DepartmentNode>> {
        let (rows, counts, deputies): NodeRows = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT d.id, d.code, d.name, d.parent_id, d.path, d.cost_center, d.site, d.status, d.closed_on, \
                 d.successor_id, h.id AS head_id, h.employee_no AS head_no, h.name AS head_name \
                 FROM departments d LEFT JOIN employees h ON h.id = d.head_employee_id WHERE ",
            );
            push_scope(&mut qb, scope, "d.path", Own::DepartmentIn("d.id"));
            if !include_closed {
                qb.push(" AND d.status = 'active'");
            }
            if let Some(id) = only {
                qb.push(" AND d.id = ").push_bind(id);
            }
            qb.push(" ORDER BY d.path");
            let rows: Vec<NodeRow> = fetch_rows(pool, &mut qb).await?;
            let counts: Vec<(String, i64, i64)> = sqlx::query_as(
                "SELECT d.path, d.id, COUNT(e.id) FROM departments d JOIN employees e ON e.department_id = d.id \
                 WHERE e.status <> 'left' GROUP BY d.path, d.id",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let deputies: Vec<(i64, i64, String, String)> = sqlx::query_as(
                "SELECT dd.department_id, e.id, e.employee_no, e.name FROM department_deputies dd \
                 JOIN employees e ON e.id = dd.employee_id ORDER BY dd.department_id, dd.seq",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            (rows, counts, deputies)
        });
        let mut direct: HashMap<i64, i64> = HashMap::new();
        let mut subtree: HashMap<i64, i64> = HashMap::new();
        for (path, id, n) in counts {
            direct.insert(id, n);
            for ancestor in path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
                *subtree.entry(ancestor).or_default() += n;
            }
        }
        let mut by_dept: HashMap<i64, Vec<PersonRef>> = HashMap::new();
        for (dept, id, employee_no, name) in deputies {
            by_dept.entry(dept).or_default().push(PersonRef {
                id,
                employee_no,
                name,
            });
        }
        rows.into_iter()
            .map(|r| {
                Ok(DepartmentNode {
                    people: direct.get(&r.id).copied().unwrap_or(0),
                    subtree_people: subtree.get(&r.id).copied().unwrap_or(0),
                    deputies: by_dept.remove(&r.id).unwrap_or_default(),
                    head: match (r.head_id, r.head_no, r.head_name) {
                        (Some(id), Some(employee_no), Some(name)) => Some(PersonRef {
                            id,
                            employee_no,
                            name,
                        }),
                        _ => None,
                    },
                    status: DepartmentStatus::parse(&r.status)?,
                    id: r.id,
                    code: r.code,
                    name: r.name,
                    parent_id: r.parent_id,
                    path: r.path,
                    cost_center: r.cost_center,
                    site: r.site,
                    closed_on: r.closed_on,
                    successor_id: r.successor_id,
                })
            })
            .collect()
    }
}

impl OrgTreeRepository for crate::Store {
    async fn department_tree(
        &self,
        scope: &DataScope,
        include_closed: bool,
    ) -> DomainResult<Vec<DepartmentNode>> {
        self.nodes(scope, include_closed, None).await
    }

    async fn department_node(&self, scope: &DataScope, id: i64) -> DomainResult<DepartmentNode> {
        self.nodes(scope, true, Some(id))
            .await?
            .pop()
            .ok_or(DomainError::NotFound {
                entity: "department",
            })
    }

    async fn department_history(&self, id: i64) -> DomainResult<Vec<DepartmentChange>> {
        on_pool!(self, |pool| {
            let rows: Vec<(i64, i64, String, Date, String, String)> = sqlx::query_as(
                "SELECT id, department_id, kind, effective_on, detail, actor FROM department_changes \
                 WHERE department_id = $1 ORDER BY id DESC",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            rows.into_iter()
                .map(|(id, department_id, kind, effective_on, detail, actor)| {
                    Ok(DepartmentChange {
                        id,
                        department_id,
                        kind: ChangeKind::parse(&kind)?,
                        effective_on,
                        detail,
                        actor,
                    })
                })
                .collect()
        })
    }

    async fn create_department(
        &self,
        input: &NewDepartment,
        effective_on: Date,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_code_free(
                &mut *tx,
                "SELECT id FROM departments WHERE code = $1",
                &input.code,
                None,
                " by another department",
            )
            .await?;
            let parent_path = match input.parent_id {
                Some(pid) => {
                    let parent = dept_key!(tx, pid, Some("parent_id"));
                    ensure_active!(parent, "parent_id");
                    parent.2
                }
                None => {
                    ensure_no_other_root!(tx, None);
                    "/".to_string()
                }
            };
            let head = match input.head.as_deref() {
                Some(no) => Some(person_id!(tx, no, "head")),
                None => None,
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO departments (code, name, parent_id, path, head_employee_id, cost_center, site, created_at) \
                 VALUES ($1, $2, $3, '', $4, $5, $6, $7) RETURNING id",
            )
            .bind(&input.code)
            .bind(&input.name)
            .bind(input.parent_id)
            .bind(head)
            .bind(&input.cost_center)
            .bind(&input.site)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            let path = format!("{parent_path}{id}/");
            sqlx::query("UPDATE departments SET path = $1 WHERE id = $2")
                .bind(&path)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let detail = serde_json::json!({
                "code": input.code, "name": input.name, "parent_id": input.parent_id,
                "head": input.head, "cost_center": input.cost_center, "site": input.site,
            });
            record_change!(
                tx,
                id,
                ChangeKind::Created,
                effective_on,
                detail.clone(),
                actor
            );
            append_in!(
                tx,
                &actor
                    .entry("department.create", "department")
                    .entity(id)
                    .change(None, Some(detail.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn update_department(
        &self,
        id: i64,
        patch: &DepartmentPatch,
        effective_on: Date,
        actor: &Actor,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let key = dept_key!(tx, id, None);
            ensure_active!(key, "id");
            let (name, cost_center, site, head_id): (
                String,
                Option<String>,
                Option<String>,
                Option<i64>,
            ) = sqlx::query_as(
                "SELECT name, cost_center, site, head_employee_id FROM departments WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            let deputies_before: Vec<i64> = sqlx::query_scalar(
                "SELECT employee_id FROM department_deputies WHERE department_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
            let blank = |t: &Option<String>, old: Option<String>| match t {
                None => old,
                Some(t) if t.is_empty() => None,
                Some(t) => Some(t.clone()),
            };
            let new_name = patch.name.clone().unwrap_or_else(|| name.clone());
            let new_cost = blank(&patch.cost_center, cost_center.clone());
            let new_site = blank(&patch.site, site.clone());
            let new_head = match patch.head.as_deref() {
                None => head_id,
                Some("") => None,
                Some(no) => Some(person_id!(tx, no, "head")),
            };
            let new_deputies = match &patch.deputies {
                None => deputies_before.clone(),
                Some(list) => {
                    let mut ids = Vec::new();
                    for no in list {
                        ids.push(person_id!(tx, no, "deputies"));
                    }
                    ids
                }
            };
            if let Some(h) = new_head
                && new_deputies.contains(&h)
            {
                return Err(DomainError::invalid(
                    "deputies",
                    "the head cannot also be a deputy",
                ));
            }
            let details_changed = new_name != name || new_cost != cost_center || new_site != site;
            let leaders_changed = new_head != head_id || new_deputies != deputies_before;
            if !details_changed && !leaders_changed {
                return Ok(());
            }
            sqlx::query(
                "UPDATE departments SET name = $1, cost_center = $2, site = $3, head_employee_id = $4 WHERE id = $5",
            )
            .bind(&new_name)
            .bind(&new_cost)
            .bind(&new_site)
            .bind(new_head)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            if new_deputies != deputies_before {
                sqlx::query("DELETE FROM department_deputies WHERE department_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                for (seq, employee) in new_deputies.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO department_deputies (department_id, employee_id, seq) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(employee)
                    .bind(seq as i32 + 1)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                }
            }
            let before = serde_json::json!({
                "name": name, "cost_center": cost_center, "site": site,
                "head_employee_id": head_id, "deputy_employee_ids": deputies_before,
            });
            let after = serde_json::json!({
                "name": new_name, "cost_center": new_cost, "site": new_site,
                "head_employee_id": new_head, "deputy_employee_ids": new_deputies,
            });
            if details_changed {
                let detail = serde_json::json!({
                    "name": [before["name"], after["name"]],
                    "cost_center": [before["cost_center"], after["cost_center"]],
                    "site": [before["site"], after["site"]],
                });
                record_change!(tx, id, ChangeKind::Updated, effective_on, detail, actor);
            }
            if leaders_changed {
                let detail = serde_json::json!({
                    "head_employee_id": [head_id, new_head],
                    "deputy_employee_ids": [deputies_before, new_deputies],
                });
                record_change!(tx, id, ChangeKind::Leadership, effective_on, detail, actor);
            }
            append_in!(
                tx,
                &actor
                    .entry("department.update", "department")
                    .entity(id)
                    .change(Some(before.to_string()), Some(after.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    async fn move_department(
        &self,
        id: i64,
        parent_id: i64,
        effective_on: Date,
        actor: &Actor,
    ) -> DomainResult<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let source = dept_key!(tx, id, None);
            ensure_active!(source, "id");
            let parent = dept_key!(tx, parent_id, Some("parent_id"));
            ensure_active!(parent, "parent_id");
            if within(&parent.2, &source.2) {
                return Err(cycle_error("parent_id", &source.1, &parent.1));
            }
            if source.3 == Some(parent_id) {
                return Ok(false);
            }
            let new_path = move_subtree!(tx, id, &source.2, parent_id, &parent.2);
            let detail = serde_json::json!({
                "from_parent_id": source.3, "to_parent_id": parent_id,
                "from_path": source.2, "to_path": new_path,
            });
            record_change!(
                tx,
                id,
                ChangeKind::Moved,
                effective_on,
                detail.clone(),
                actor
            );
            append_in!(
                tx,
                &actor
                    .entry("department.move", "department")
                    .entity(id)
                    .change(
                        Some(
                            serde_json::json!({"parent_id": source.3, "path": source.2})
                                .to_string()
                        ),
                        Some(detail.to_string())
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(true)
        })
    }

    async fn retire_department(
        &self,
        id: i64,
        how: Retirement,
        effective_on: Date,
        actor: &Actor,
    ) -> DomainResult<RetirementOutcome> {
        let now = DbTime(OffsetDateTime::now_utc());
        let field = how.field();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let source = dept_key!(tx, id, None);
            ensure_active!(source, "id");
            if source.3.is_none() {
                return Err(DomainError::invalid(
                    "id",
                    format!(
                        "{} is the top department and cannot be merged or closed",
                        source.1
                    ),
                ));
            }
            let successor = match how.successor() {
                Some(sid) => {
                    let s = dept_key!(tx, sid, Some(field));
                    ensure_active!(s, field);
                    if within(&s.2, &source.2) {
                        return Err(DomainError::invalid(
                            field,
                            if s.0 == source.0 {
                                format!("{} cannot take over from itself", s.1)
                            } else {
                                format!(
                                    "{} lies in the subtree of {}; choose a department outside it",
                                    s.1, source.1
                                )
                            },
                        ));
                    }
                    Some(s)
                }
                None => None,
            };
            let children: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, path FROM departments WHERE parent_id = $1 AND status = 'active' ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
            let mut outcome = RetirementOutcome::default();
            match &successor {
                None => {
                    let people: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM employees WHERE department_id = $1 AND status <> 'left'",
                    )
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    if people > 0 || !children.is_empty() {
                        return Err(DomainError::invalid(
                            field,
                            format!(
                                "missing: {} still has {people} people and {} departments; name the department that takes them over",
                                source.1,
                                children.len()
                            ),
                        ));
                    }
                }
                Some(s) => {
                    for (child, path) in &children {
                        move_subtree!(tx, *child, path, s.0, &s.2);
                        record_change!(
                            tx,
                            *child,
                            ChangeKind::Moved,
                            effective_on,
                            serde_json::json!({"from_parent_id": id, "to_parent_id": s.0, "because": how.kind().code()}),
                            actor
                        );
                    }
                    outcome.departments_moved = children.len();
                    outcome.people_moved = sqlx::query(
                        "UPDATE employees SET department_id = $1, updated_at = $2 WHERE department_id = $3 AND status <> 'left'",
                    )
                    .bind(s.0)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
                    // Department-scoped roles follow the people to the successor.
                    sqlx::query(
                        "UPDATE role_grants SET department_id = $1, scope_key = $2 WHERE department_id = $3 \
                         AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = role_grants.user_id \
                         AND g.role = role_grants.role AND g.scope_key = $2)",
                    )
                    .bind(s.0)
                    .bind(format!("department:{}", s.0))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                }
            }
            sqlx::query(
                "UPDATE departments SET status = 'closed', closed_on = $1, successor_id = $2 WHERE id = $3",
            )
            .bind(effective_on)
            .bind(successor.as_ref().map(|s| s.0))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let detail = serde_json::json!({
                "successor_id": successor.as_ref().map(|s| s.0),
                "successor_code": successor.as_ref().map(|s| s.1.clone()),
                "people_moved": outcome.people_moved,
                "departments_moved": outcome.departments_moved,
            });
            record_change!(tx, id, how.kind(), effective_on, detail.clone(), actor);
            let action = match how {
                Retirement::Merge { .. } => "department.merge",
                Retirement::Close { .. } => "department.close",
            };
            append_in!(
                tx,
                &actor.entry(action, "department").entity(id).change(
                    Some(serde_json::json!({"status": "active"}).to_string()),
                    Some(detail.to_string())
                )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(outcome)
        })
    }

    async fn list_positions(
        &self,
        filter: &PositionFilter,
        page: Page,
    ) -> DomainResult<Paged<PositionRecord>> {
        let pattern = search_pattern(filter.q.as_deref());
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(POSITION_SELECT);
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM positions p WHERE 1=1");
            for q in [&mut qb, &mut count] {
                if let Some(p) = &pattern {
                    push_any_contains(q, &["p.code", "p.name", "p.job_family", "p.grade"], p);
                }
                if !filter.include_retired {
                    q.push(" AND p.status = 'active'");
                }
            }
            qb.push(" ORDER BY p.code");
            let (rows, total): (Vec<PositionRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let items = rows
                .into_iter()
                .map(PositionRecord::try_from)
                .collect::<DomainResult<_>>()?;
            Ok(paged(page, total, items))
        })
    }

    async fn position(&self, id: i64) -> DomainResult<PositionRecord> {
        on_pool!(self, |pool| {
            let row: Option<PositionRow> =
                sqlx::query_as(&format!("{POSITION_SELECT} AND p.id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)?;
            row.ok_or(DomainError::NotFound { entity: "position" })?
                .try_into()
        })
    }

    async fn create_position(&self, input: &PositionInput, actor: &Actor) -> DomainResult<i64> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_code_free(
                &mut *tx,
                "SELECT id FROM positions WHERE code = $1",
                &input.code,
                None,
                " by another position",
            )
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO positions (code, name, job_family, grade, hourly_cost) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&input.code)
            .bind(&input.name)
            .bind(&input.job_family)
            .bind(&input.grade)
            .bind(input.hourly_cost)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in!(
                tx,
                &actor
                    .entry("position.create", "position")
                    .entity(id)
                    .change(None, Some(position_json(input).to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn update_position(
        &self,
        id: i64,
        input: &PositionInput,
        actor: &Actor,
    ) -> DomainResult<()> {
        let before = self.position(id).await?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_code_free(
                &mut *tx,
                "SELECT id FROM positions WHERE code = $1",
                &input.code,
                Some(id),
                " by another position",
            )
            .await?;
            sqlx::query(
                "UPDATE positions SET code = $1, name = $2, job_family = $3, grade = $4, hourly_cost = $5 WHERE id = $6",
            )
            .bind(&input.code)
            .bind(&input.name)
            .bind(&input.job_family)
            .bind(&input.grade)
            .bind(input.hourly_cost)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let old = PositionInput {
                code: before.code.clone(),
                name: before.name.clone(),
                job_family: before.job_family.clone(),
                grade: before.grade.clone(),
                hourly_cost: before.hourly_cost,
            };
            append_in!(
                tx,
                &actor
                    .entry("position.update", "position")
                    .entity(id)
                    .change(
                        Some(position_json(&old).to_string()),
                        Some(position_json(input).to_string())
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    async fn retire_position(&self, id: i64, on: Date, actor: &Actor) -> DomainResult<()> {
        let before = self.position(id).await?;
        if before.status == PositionStatus::Retired {
            return Err(DomainError::invalid(
                "status",
                format!("position {} is already retired", before.code),
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query(
                "UPDATE positions SET status = 'retired', retired_on = $1 WHERE id = $2 AND status = 'active'",
            )
            .bind(on)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in!(
                tx,
                &actor
                    .entry("position.retire", "position")
                    .entity(id)
                    .change(
                        Some(r#"{"status":"active"}"#.into()),
                        Some(
                            serde_json::json!({"status": "retired", "retired_on": on.to_string(), "people": before.people})
                                .to_string()
                        )
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    async fn department_refs(&self) -> DomainResult<DepartmentRefs> {
        on_pool!(self, |pool| {
            let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
                "SELECT d.code, p.code, d.status FROM departments d LEFT JOIN departments p ON p.id = d.parent_id",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let people: Vec<(String, String)> =
                sqlx::query_as("SELECT employee_no, status FROM employees")
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            Ok(DepartmentRefs {
                departments: rows
                    .into_iter()
                    .map(|(code, parent_code, status)| KnownDepartment {
                        code,
                        parent_code,
                        closed: status != "active",
                    })
                    .collect(),
                employees: people
                    .into_iter()
                    .map(|(no, status)| (no, status == "left"))
                    .collect(),
            })
        })
    }

    async fn import_departments(
        &self,
        records: &[DepartmentRecord],
        effective_on: Date,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<DepartmentImportOutcome> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut outcome = DepartmentImportOutcome::default();
            for r in records {
                type Stored = (
                    i64,
                    Option<i64>,
                    String,
                    String,
                    Option<String>,
                    Option<String>,
                    Option<i64>,
                );
                let stored: Option<Stored> = sqlx::query_as(
                    "SELECT id, parent_id, path, name, cost_center, site, head_employee_id FROM departments WHERE code = $1",
                )
                .bind(&r.code)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
                // Parents come first, so a parent from the file exists by now.
                let parent: Option<(i64, String)> = match &r.parent_code {
                    Some(code) => {
                        let row: Option<(i64, String)> =
                            sqlx::query_as("SELECT id, path FROM departments WHERE code = $1")
                                .bind(code)
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(db_error)?;
                        Some(row.ok_or_else(|| {
                            DomainError::invalid(
                                "parent_code",
                                format!("row {}: no department has the code '{code}'", r.row),
                            )
                        })?)
                    }
                    None => None,
                };
                let head = match r.head.as_deref() {
                    Some(no) => Some(person_id!(tx, no, "head")),
                    None => None,
                };
                match stored {
                    None => {
                        if parent.is_none() {
                            ensure_no_other_root!(tx, None);
                        }
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO departments (code, name, parent_id, path, head_employee_id, cost_center, site, created_at) \
                             VALUES ($1, $2, $3, '', $4, $5, $6, $7) RETURNING id",
                        )
                        .bind(&r.code)
                        .bind(&r.name)
                        .bind(parent.as_ref().map(|p| p.0))
                        .bind(head)
                        .bind(&r.cost_center)
                        .bind(&r.site)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_error)?;
                        let path = format!(
                            "{}{id}/",
                            parent.as_ref().map(|p| p.1.as_str()).unwrap_or("/")
                        );
                        sqlx::query("UPDATE departments SET path = $1 WHERE id = $2")
                            .bind(&path)
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                        record_change!(
                            tx,
                            id,
                            ChangeKind::Created,
                            effective_on,
                            serde_json::json!({"source": source, "row": r.row, "parent_code": r.parent_code}),
                            actor
                        );
                        outcome.created += 1;
                    }
                    Some((id, parent_id, path, name, cost_center, site, head_id)) => {
                        let new_parent = parent.as_ref().map(|p| p.0);
                        let mut changed = false;
                        if new_parent != parent_id {
                            match &parent {
                                Some((pid, ppath)) => {
                                    if within(ppath, &path) {
                                        return Err(cycle_error(
                                            "parent_code",
                                            &r.code,
                                            r.parent_code.as_deref().unwrap_or_default(),
                                        ));
                                    }
                                    move_subtree!(tx, id, &path, *pid, ppath);
                                }
                                None => {
                                    ensure_no_other_root!(tx, Some(id));
                                }
                            }
                            record_change!(
                                tx,
                                id,
                                ChangeKind::Moved,
                                effective_on,
                                serde_json::json!({"from_parent_id": parent_id, "to_parent_id": new_parent, "source": source, "row": r.row}),
                                actor
                            );
                            outcome.moved += 1;
                            changed = true;
                        }
                        let cost = r.cost_center.clone().or(cost_center.clone());
                        let new_site = r.site.clone().or(site.clone());
                        let new_head = head.or(head_id);
                        if r.name != name
                            || cost != cost_center
                            || new_site != site
                            || new_head != head_id
                        {
                            sqlx::query(
                                "UPDATE departments SET name = $1, cost_center = $2, site = $3, head_employee_id = $4 WHERE id = $5",
                            )
                            .bind(&r.name)
                            .bind(&cost)
                            .bind(&new_site)
                            .bind(new_head)
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db_error)?;
                            let kind = if new_head != head_id
                                && r.name == name
                                && cost == cost_center
                                && new_site == site
                            {
                                ChangeKind::Leadership
                            } else {
                                ChangeKind::Updated
                            };
                            record_change!(
                                tx,
                                id,
                                kind,
                                effective_on,
                                serde_json::json!({
                                    "name": [name, r.name], "cost_center": [cost_center, cost],
                                    "site": [site, new_site], "head_employee_id": [head_id, new_head],
                                    "source": source, "row": r.row,
                                }),
                                actor
                            );
                            if !changed {
                                outcome.updated += 1;
                            }
                            changed = true;
                        }
                        if !changed {
                            outcome.unchanged += 1;
                        }
                    }
                }
            }
            let report = serde_json::json!({
                "source": source, "rows": records.len(), "created": outcome.created,
                "updated": outcome.updated, "moved": outcome.moved, "unchanged": outcome.unchanged,
                "effective_on": effective_on.to_string(),
            });
            append_in!(
                tx,
                &actor
                    .entry("department.import", "department")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(outcome)
        })
    }

    async fn import_positions(
        &self,
        positions: &[PositionInput],
        source: &str,
        actor: &Actor,
    ) -> DomainResult<(usize, usize)> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let existing: Vec<String> = sqlx::query_scalar("SELECT code FROM positions")
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
            let mut changed = 0usize;
            for p in positions {
                changed += sqlx::query(
                    "INSERT INTO positions (code, name, job_family, grade, hourly_cost) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                     job_family = COALESCE(excluded.job_family, positions.job_family), \
                     grade = COALESCE(excluded.grade, positions.grade), \
                     hourly_cost = COALESCE(excluded.hourly_cost, positions.hourly_cost) \
                     WHERE positions.name IS DISTINCT FROM excluded.name \
                        OR (excluded.job_family IS NOT NULL AND positions.job_family IS DISTINCT FROM excluded.job_family) \
                        OR (excluded.grade IS NOT NULL AND positions.grade IS DISTINCT FROM excluded.grade) \
                        OR (excluded.hourly_cost IS NOT NULL AND positions.hourly_cost IS DISTINCT FROM excluded.hourly_cost)",
                )
                .bind(&p.code)
                .bind(&p.name)
                .bind(&p.job_family)
                .bind(&p.grade)
                .bind(p.hourly_cost)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected() as usize;
            }
            let created = positions
                .iter()
                .filter(|p| !existing.contains(&p.code))
                .count();
            let updated = changed.saturating_sub(created);
            let report = serde_json::json!({
                "source": source, "rows": positions.len(), "created": created, "updated": updated,
            });
            append_in!(
                tx,
                &actor
                    .entry("position.import", "position")
                    .change(None, Some(report.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok((created, updated))
        })
    }
}

fn position_json(p: &PositionInput) -> serde_json::Value {
    serde_json::json!({
        "code": p.code, "name": p.name, "job_family": p.job_family,
        "grade": p.grade, "hourly_cost": p.hourly_cost,
    })
}
