//! Departments and employees, limited by the caller's data scope.

use super::dto::{DepartmentDto, EmployeeDto, EmployeePage, HeadcountDto};
use super::{ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::service::{apply_contact_mask, scope_or_forbidden};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::org::{EmployeeFilter, EmployeeStatus, OrgRepository};
use domain::{DomainError, Page, Permission};
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters and paging of the employee list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct EmployeeQuery {
    /// Substring of employee number or name.
    pub q: Option<String>,
    /// Limit to this department's subtree.
    pub department_id: Option<i64>,
    /// active, on_leave or left.
    pub status: Option<String>,
    /// A duty or project tag.
    pub tag: Option<String>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// Rows per page (1-200, default 50).
    pub per_page: Option<u32>,
}

impl EmployeeQuery {
    /// The domain filter; an unknown status names the field.
    pub fn filter(&self) -> Result<EmployeeFilter, DomainError> {
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(EmployeeStatus::parse(s)?),
            None => None,
        };
        Ok(EmployeeFilter {
            q: self.q.clone(),
            department_id: self.department_id,
            status,
            tag: self.tag.clone(),
        })
    }
}

/// Employees the caller may see.
#[utoipa::path(get, path = "/api/v1/employees", tag = "org", security(("bearer" = [])),
    params(EmployeeQuery),
    responses((status = 200, body = EmployeePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_employees(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<EmployeeQuery>,
) -> Result<Json<EmployeePage>, ApiError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewPeople)?;
    let page = Page::new(query.page, query.per_page);
    let result = state
        .store
        .list_employees(&scope, &query.filter()?, page)
        .await?;
    let items = result
        .items
        .into_iter()
        .map(|mut e| {
            apply_contact_mask(&caller.principal, &mut e);
            EmployeeDto::from(e)
        })
        .collect();
    Ok(Json(EmployeePage {
        items,
        total: result.total,
        page: result.page,
        per_page: result.per_page,
    }))
}

/// One employee, if within the caller's scope (404 otherwise, so existence is not revealed).
#[utoipa::path(get, path = "/api/v1/employees/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Employee id")),
    responses((status = 200, body = EmployeeDto), (status = 404, body = Problem)))]
pub async fn get_employee(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EmployeeDto>, ApiError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewPeople)?;
    let mut employee = state.store.get_employee(&scope, id).await?;
    apply_contact_mask(&caller.principal, &mut employee);
    Ok(Json(employee.into()))
}

/// Departments the caller may see, parents before children.
#[utoipa::path(get, path = "/api/v1/departments", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = Vec<DepartmentDto>), (status = 403, body = Problem)))]
pub async fn list_departments(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<DepartmentDto>>, ApiError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewPeople)?;
    let departments = state.store.list_departments(&scope).await?;
    Ok(Json(
        departments.into_iter().map(DepartmentDto::from).collect(),
    ))
}

/// Head count of every visible department's subtree (people who left excluded).
#[utoipa::path(get, path = "/api/v1/departments/headcount", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = Vec<HeadcountDto>), (status = 403, body = Problem)))]
pub async fn headcount(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<HeadcountDto>>, ApiError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewHeadcount)?;
    let rows = state.store.headcount_by_department(&scope).await?;
    Ok(Json(rows.into_iter().map(HeadcountDto::from).collect()))
}
