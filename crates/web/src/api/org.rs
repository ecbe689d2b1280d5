//! Departments and employees, limited by the caller's data scope.

use super::dto::{DepartmentDto, EmployeeDto, EmployeePage, HeadcountDto};
use super::{ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::org::{EmployeeFilter, EmployeeStatus};
use domain::{DomainError, Page};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Filters and paging of the employee list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
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
    let page = Page::new(query.page, query.per_page);
    let result =
        service::org::list_employees(&state, &caller.principal, &query.filter()?, page).await?;
    let items = result.items.into_iter().map(EmployeeDto::from).collect();
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
    let employee = service::org::employee(&state, &caller.principal, id).await?;
    Ok(Json(employee.into()))
}

/// Departments the caller may see, parents before children.
#[utoipa::path(get, path = "/api/v1/departments", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = Vec<DepartmentDto>), (status = 403, body = Problem)))]
pub async fn list_departments(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<DepartmentDto>>, ApiError> {
    let departments = service::org::list_departments(&state, &caller.principal).await?;
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
    let rows = service::org::headcount(&state, &caller.principal).await?;
    Ok(Json(rows.into_iter().map(HeadcountDto::from).collect()))
}

/// A required skill of the employee's position with their latest assessment.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SkillGapDto {
    pub skill_code: String,
    pub skill_name: String,
    pub area: String,
    /// core, support or reserve.
    pub tier: String,
    pub required_level: i32,
    /// Latest assessed level; null when never assessed (unknown, not zero).
    pub current_level: Option<i32>,
    /// Required minus current (not below 0); null when unassessed.
    pub gap: Option<i32>,
    /// The gap × tier weight (core 3, support 2, reserve 1) × (1 + KPI shortfall); null when unassessed.
    pub weighted_gap: Option<f64>,
    /// Largest shortfall (0–1) of the KPI targets the skill serves; null when none is measured.
    pub kpi_shortfall: Option<f64>,
    /// YYYY-MM-DD of the latest assessment.
    pub assessed_on: Option<String>,
    pub method: Option<String>,
}

/// The employee's skill gaps against their position's competency model.
#[utoipa::path(get, path = "/api/v1/employees/{id}/gaps", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Employee id")),
    responses((status = 200, body = Vec<SkillGapDto>), (status = 404, body = Problem)))]
pub async fn employee_gaps(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<SkillGapDto>>, ApiError> {
    let gaps = service::org::employee_gaps(&state, &caller.principal, id).await?;
    Ok(Json(
        gaps.into_iter()
            .map(|g| SkillGapDto {
                gap: g.gap(),
                weighted_gap: g.weighted_gap(),
                kpi_shortfall: g.kpi_shortfall,
                skill_code: g.skill_code,
                skill_name: g.skill_name,
                area: g.area,
                tier: g.tier.code().into(),
                required_level: g.required_level,
                current_level: g.current_level,
                assessed_on: g.assessed_on.map(|d| d.to_string()),
                method: g.method,
            })
            .collect(),
    ))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_employees))
        .routes(routes!(get_employee))
        .routes(routes!(employee_gaps))
        .routes(routes!(list_departments))
        .routes(routes!(headcount))
}
