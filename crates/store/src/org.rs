//! Organisation queries, always filtered by the caller's data scope in SQL.

use crate::query::{fetch_page, fetch_rows, paged, push_any_contains};
use crate::{DbTime, db_error, on_pool, search_pattern};
use domain::audit::Actor;
use domain::org::{
    Department, DepartmentHeadcount, Employee, EmployeeFilter, EmployeeStatus, OrgRepository,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::{Database, Encode, QueryBuilder, Type};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// How a self-only scope recognises the caller's own rows.
#[derive(Clone, Copy)]
pub(crate) enum Own<'c> {
    /// The row's employee id is in this column.
    EmployeeIn(&'c str),
    /// The row is the department (id in this column) the caller works in.
    DepartmentIn(&'c str),
}

/// Appends `(scope predicate)` for rows whose department path is in `path_col`.
pub(crate) fn push_scope<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    scope: &DataScope,
    path_col: &str,
    own: Own<'_>,
) where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    if scope.company {
        qb.push("(1=1)");
        return;
    }
    qb.push("(1=0");
    for path in &scope.department_paths {
        qb.push(" OR ")
            .push(path_col)
            .push(" LIKE ")
            .push_bind(format!("{path}%"));
    }
    if let Some(id) = scope.own_employee_id {
        match own {
            Own::EmployeeIn(col) => {
                qb.push(" OR ").push(col).push(" = ").push_bind(id);
            }
            Own::DepartmentIn(col) => {
                qb.push(" OR ")
                    .push(col)
                    .push(" = (SELECT department_id FROM employees WHERE id = ")
                    .push_bind(id)
                    .push(")");
            }
        }
    }
    qb.push(")");
}

#[derive(sqlx::FromRow)]
struct EmployeeRow {
    id: i64,
    employee_no: String,
    name: String,
    department_id: i64,
    department_name: String,
    department_path: String,
    position_id: Option<i64>,
    position_name: Option<String>,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    hire_date: Option<Date>,
    status: String,
    city: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

impl TryFrom<EmployeeRow> for Employee {
    type Error = DomainError;
    fn try_from(r: EmployeeRow) -> DomainResult<Self> {
        Ok(Employee {
            id: r.id,
            employee_no: r.employee_no,
            name: r.name,
            department_id: r.department_id,
            department_name: r.department_name,
            department_path: r.department_path,
            position_id: r.position_id,
            position_name: r.position_name,
            manager_id: r.manager_id,
            manager_name: r.manager_name,
            hire_date: r.hire_date,
            status: EmployeeStatus::parse(&r.status)?,
            city: r.city,
            phone: r.phone,
            email: r.email,
        })
    }
}

const EMPLOYEE_SELECT: &str = "SELECT e.id, e.employee_no, e.name, e.department_id, d.name AS department_name, \
     d.path AS department_path, e.position_id, p.name AS position_name, e.manager_id, m.name AS manager_name, \
     e.hire_date, e.status, e.city, e.phone, e.email \
     FROM employees e JOIN departments d ON d.id = e.department_id \
     LEFT JOIN positions p ON p.id = e.position_id LEFT JOIN employees m ON m.id = e.manager_id WHERE ";

fn push_employee_filter<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    scope: &DataScope,
    filter: &EmployeeFilter,
) where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    push_scope(qb, scope, "d.path", Own::EmployeeIn("e.id"));
    if let Some(pattern) = search_pattern(filter.q.as_deref()) {
        push_any_contains(qb, &["e.employee_no", "e.name"], &pattern);
    }
    if let Some(dept) = filter.department_id {
        qb.push(" AND d.path LIKE (SELECT path FROM departments WHERE id = ")
            .push_bind(dept)
            .push(") || '%'");
    }
    if let Some(tag) = filter
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        qb.push(
            " AND EXISTS (SELECT 1 FROM person_tags t WHERE t.employee_id = e.id AND t.value = ",
        )
        .push_bind(tag.to_string())
        .push(")");
    }
    if let Some(status) = filter.status {
        qb.push(" AND e.status = ")
            .push_bind(status.code().to_string());
    }
}

#[derive(sqlx::FromRow)]
struct DepartmentRow {
    id: i64,
    code: String,
    name: String,
    business_line: Option<String>,
    parent_id: Option<i64>,
    path: String,
    head_employee_id: Option<i64>,
}

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Self {
        Department {
            id: r.id,
            code: r.code,
            name: r.name,
            business_line: r.business_line,
            parent_id: r.parent_id,
            path: r.path,
            head_employee_id: r.head_employee_id,
        }
    }
}

const DEPARTMENT_COLUMNS: &str =
    "d.id, d.code, d.name, d.business_line, d.parent_id, d.path, d.head_employee_id";

impl OrgRepository for crate::Store {
    async fn list_employees(
        &self,
        scope: &DataScope,
        filter: &EmployeeFilter,
        page: Page,
    ) -> DomainResult<Paged<Employee>> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(EMPLOYEE_SELECT);
            push_employee_filter(&mut qb, scope, filter);
            qb.push(" ORDER BY e.employee_no");
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM employees e JOIN departments d ON d.id = e.department_id WHERE ",
            );
            push_employee_filter(&mut count, scope, filter);
            let (rows, total): (Vec<EmployeeRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let items = rows.into_iter().map(Employee::try_from);
            Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
        })
    }

    async fn get_employee(&self, scope: &DataScope, id: i64) -> DomainResult<Employee> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(EMPLOYEE_SELECT);
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(" AND e.id = ").push_bind(id);
            let row: Option<EmployeeRow> = qb
                .build_query_as()
                .fetch_optional(pool)
                .await
                .map_err(db_error)?;
            row.ok_or(DomainError::NotFound { entity: "employee" })?
                .try_into()
        })
    }

    async fn list_departments(&self, scope: &DataScope) -> DomainResult<Vec<Department>> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!(
                "SELECT {DEPARTMENT_COLUMNS} FROM departments d WHERE "
            ));
            push_scope(&mut qb, scope, "d.path", Own::DepartmentIn("d.id"));
            // Closed departments are kept for history but offered nowhere.
            qb.push(" AND d.status = 'active' ORDER BY d.path");
            let rows: Vec<DepartmentRow> = fetch_rows(pool, &mut qb).await?;
            Ok(rows.into_iter().map(Department::from).collect())
        })
    }

    async fn headcount_by_department(
        &self,
        scope: &DataScope,
    ) -> DomainResult<Vec<DepartmentHeadcount>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            code: String,
            name: String,
            path: String,
            headcount: i64,
        }
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT d.id, d.code, d.name, d.path, \
                 (SELECT COUNT(*) FROM employees e JOIN departments d2 ON d2.id = e.department_id \
                  WHERE e.status <> 'left' AND d2.path LIKE d.path || '%') AS headcount \
                 FROM departments d WHERE ",
            );
            push_scope(&mut qb, scope, "d.path", Own::DepartmentIn("d.id"));
            qb.push(" AND d.status = 'active' ORDER BY d.path");
            let rows: Vec<Row> = fetch_rows(pool, &mut qb).await?;
            Ok(rows
                .into_iter()
                .map(|r| DepartmentHeadcount {
                    department_id: r.id,
                    code: r.code,
                    name: r.name,
                    depth: r.path.matches('/').count().saturating_sub(2),
                    headcount: r.headcount,
                })
                .collect())
        })
    }

    async fn get_department(&self, id: i64) -> DomainResult<Department> {
        on_pool!(self, |pool| {
            let row: Option<DepartmentRow> = sqlx::query_as(&format!(
                "SELECT {DEPARTMENT_COLUMNS} FROM departments d WHERE d.id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            row.map(Department::from).ok_or(DomainError::NotFound {
                entity: "department",
            })
        })
    }

    async fn find_department_by_code(&self, code: &str) -> DomainResult<Option<Department>> {
        on_pool!(self, |pool| {
            let row: Option<DepartmentRow> = sqlx::query_as(&format!(
                "SELECT {DEPARTMENT_COLUMNS} FROM departments d WHERE d.code = $1"
            ))
            .bind(code)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            Ok(row.map(Department::from))
        })
    }

    async fn find_employee_id(&self, employee_no: &str) -> DomainResult<Option<i64>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM employees WHERE employee_no = $1")
                .bind(employee_no)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        })
    }
}

/// Counts written by a bulk organisation load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrgLoad {
    pub departments: usize,
    pub positions: usize,
    pub employees: usize,
}

/// Rows per multi-row INSERT: well under both engines' bind-parameter limits.
const CHUNK: usize = 400;

/// The org port: every query and change of this context.
pub trait OrgMaintenanceRepository {
    /// Writes a generated company (departments, positions, employees) in one transaction.
    fn load_demo_company(
        &self,
        company: &demo::DemoCompany,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<OrgLoad>> + Send;

    /// An employee's duty and project tags as (kind, value), the caller having checked scope.
    fn employee_tags(
        &self,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<(String, String)>>> + Send;
}

impl OrgMaintenanceRepository for crate::Store {
    /// Writes a generated company (departments, positions, employees) in one transaction.
    async fn load_demo_company(
        &self,
        company: &demo::DemoCompany,
        actor: &Actor,
    ) -> DomainResult<OrgLoad> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let mut dept_ids: HashMap<&str, (i64, String)> = HashMap::new();
            for d in &company.departments {
                let parent = d
                    .parent_code
                    .as_deref()
                    .and_then(|c| dept_ids.get(c))
                    .cloned();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO departments (code, name, business_line, parent_id, path, created_at, cost_center, site) \
                     VALUES ($1, $2, $3, $4, '', $5, $6, $7) RETURNING id",
                )
                .bind(&d.code)
                .bind(&d.name)
                .bind(&d.business_line)
                .bind(parent.as_ref().map(|p| p.0))
                .bind(now)
                .bind(&d.cost_center)
                .bind(&d.site)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
                let path = format!("{}{id}/", parent.map(|p| p.1).unwrap_or_else(|| "/".into()));
                sqlx::query("UPDATE departments SET path = $1 WHERE id = $2")
                    .bind(&path)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                dept_ids.insert(d.code.as_str(), (id, path));
            }
            let mut position_ids: HashMap<&str, i64> = HashMap::new();
            for p in &company.positions {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO positions (code, name, job_family, grade, hourly_cost) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(&p.code)
                .bind(&p.name)
                .bind(&p.job_family)
                .bind(&p.grade)
                .bind(p.hourly_cost)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
                position_ids.insert(p.code.as_str(), id);
            }
            let mut employee_ids: HashMap<String, i64> =
                HashMap::with_capacity(company.employees.len());
            for chunk in company.employees.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO employees (employee_no, name, department_id, position_id, hire_date, status, city, phone, email, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut row, e| {
                    row.push_bind(e.employee_no.clone())
                        .push_bind(e.name.clone())
                        .push_bind(dept_ids.get(e.department_code.as_str()).map(|d| d.0))
                        .push_bind(position_ids.get(e.position_code.as_str()).copied())
                        .push_bind(e.hire_date)
                        .push_bind(e.status.to_string())
                        .push_bind(e.city.clone())
                        .push_bind(e.phone.clone())
                        .push_bind(e.email.clone())
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(" RETURNING id, employee_no");
                let rows: Vec<(i64, String)> = fetch_rows(&mut *tx, &mut qb).await?;
                employee_ids.extend(rows.into_iter().map(|(id, no)| (no, id)));
            }
            let links: Vec<(i64, i64)> = company
                .employees
                .iter()
                .filter_map(|e| {
                    Some((
                        employee_ids[&e.employee_no],
                        *employee_ids.get(e.manager_no.as_ref()?)?,
                    ))
                })
                .collect();
            for chunk in links.chunks(CHUNK) {
                let mut qb = QueryBuilder::new("WITH v(eid, mid) AS (");
                qb.push_values(chunk, |mut row, (eid, mid)| {
                    row.push_bind(*eid).push_bind(*mid);
                });
                qb.push(") UPDATE employees SET manager_id = (SELECT mid FROM v WHERE v.eid = employees.id) WHERE id IN (SELECT eid FROM v)");
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            // A department's head is the first person placed in it (the generator puts heads first).
            sqlx::query(
                "UPDATE departments SET head_employee_id = \
                 (SELECT MIN(e.id) FROM employees e WHERE e.department_id = departments.id)",
            )
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            // Its deputy is the last active person placed there, in departments of five or more.
            sqlx::query(
                "INSERT INTO department_deputies (department_id, employee_id, seq) \
                 SELECT d.id, (SELECT MAX(e.id) FROM employees e WHERE e.department_id = d.id \
                   AND e.id > d.head_employee_id AND e.status = 'active'), 1 \
                 FROM departments d WHERE d.head_employee_id IS NOT NULL \
                   AND (SELECT COUNT(*) FROM employees e WHERE e.department_id = d.id) >= 5 \
                   AND EXISTS (SELECT 1 FROM employees e WHERE e.department_id = d.id \
                   AND e.id > d.head_employee_id AND e.status = 'active')",
            )
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            let load = OrgLoad {
                departments: company.departments.len(),
                positions: company.positions.len(),
                employees: company.employees.len(),
            };
            let entry = actor.entry("org.load_demo", "organisation").change(
                None,
                Some(format!(
                    r#"{{"departments":{},"positions":{},"employees":{}}}"#,
                    load.departments, load.positions, load.employees
                )),
            );
            crate::audit::append_in!(tx, &entry);
            tx.commit().await.map_err(db_error)?;
            Ok(load)
        })
    }
    /// An employee's duty and project tags as (kind, value), the caller having checked scope.
    async fn employee_tags(&self, employee_id: i64) -> DomainResult<Vec<(String, String)>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT kind, value FROM person_tags WHERE employee_id = $1 ORDER BY kind, value",
            )
            .bind(employee_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        })
    }
}
