//! KPI definitions.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::Page;
use serde::Serialize;
use service::performance::QueueFilter;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A KPI definition with how much data it has.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    /// higher or lower (which is better).
    pub direction: String,
    /// sum, mean or rate.
    pub aggregation: String,
    pub source_system: Option<String>,
    /// Stored values.
    pub values: i64,
    /// Latest month with a value (YYYY-MM).
    pub latest_period: Option<String>,
}

/// KPI definitions.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "performance", security(("bearer" = [])),
    responses((status = 200, body = Vec<KpiDto>), (status = 403, body = Problem)))]
pub async fn list_kpis(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<KpiDto>>, ApiError> {
    let kpis = service::performance::list_kpis(&state, &caller.principal).await?;
    Ok(Json(
        kpis.into_iter()
            .map(|s| KpiDto {
                id: s.kpi.id,
                code: s.kpi.code,
                name: s.kpi.name,
                unit: s.kpi.unit,
                direction: s.kpi.direction.code().into(),
                aggregation: s.kpi.aggregation.code().into(),
                source_system: s.kpi.source_system,
                values: s.values,
                latest_period: s.latest_period,
            })
            .collect(),
    ))
}

/// Filters of the reconciliation queue.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReconciliationQuery {
    /// Month, YYYY-MM.
    pub period: Option<String>,
    /// open, accepted_hr, accepted_business or annotated.
    pub status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ReconciliationQuery {
    /// The queue filter as typed.
    pub fn filter(&self) -> QueueFilter<'_> {
        QueueFilter {
            period: self.period.as_deref(),
            status: self.status.as_deref(),
        }
    }
}

/// A difference between the HR and the business-system figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationItemDto {
    pub id: i64,
    pub kpi_code: String,
    pub kpi_name: String,
    pub employee_no: Option<String>,
    pub employee_name: Option<String>,
    pub department_name: String,
    pub period: String,
    pub hr_value: f64,
    pub business_value: f64,
    pub status: String,
    pub note: Option<String>,
    pub decided_by: Option<String>,
}

/// One page of the reconciliation queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationPage {
    pub items: Vec<ReconciliationItemDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A decision on a queue item.
#[derive(Debug, serde::Deserialize, ToSchema)]
pub struct DecisionInput {
    /// accepted_hr, accepted_business or annotated.
    pub decision: String,
    /// Required for annotated.
    pub note: Option<String>,
}

/// The reconciliation queue within the caller's scope.
#[utoipa::path(get, path = "/api/v1/reconciliation", tag = "performance", security(("bearer" = [])),
    params(ReconciliationQuery),
    responses((status = 200, body = ReconciliationPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_reconciliation(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ReconciliationQuery>,
) -> Result<Json<ReconciliationPage>, ApiError> {
    let page = service::performance::list_reconciliation(
        &state,
        &caller.principal,
        query.filter(),
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(ReconciliationPage {
        items: page
            .items
            .into_iter()
            .map(|i| ReconciliationItemDto {
                id: i.id,
                kpi_code: i.kpi_code,
                kpi_name: i.kpi_name,
                employee_no: i.employee_no,
                employee_name: i.employee_name,
                department_name: i.department_name,
                period: i.period,
                hr_value: i.hr_value,
                business_value: i.business_value,
                status: i.status.code().into(),
                note: i.note,
                decided_by: i.decided_by,
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Accepts the HR or the business figure of an item, or annotates it; audited.
#[utoipa::path(post, path = "/api/v1/reconciliation/{id}/decision", tag = "performance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Queue item id")), request_body = DecisionInput,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<axum::http::StatusCode, ApiError> {
    service::performance::decide_reconciliation(
        &state,
        &caller.principal,
        id,
        &input.decision,
        input.note.as_deref(),
        &caller.actor(),
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// One KPI value of an employee's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiValueDto {
    pub kpi_code: String,
    pub kpi_name: String,
    pub unit: Option<String>,
    /// YYYY-MM.
    pub period: String,
    pub value: f64,
    /// hr, business or import.
    pub source: String,
}

/// An employee's KPI values, newest month first (at most 600).
#[utoipa::path(get, path = "/api/v1/employees/{id}/kpi-values", tag = "performance", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Employee id")),
    responses((status = 200, body = Vec<KpiValueDto>), (status = 404, body = Problem)))]
pub async fn employee_kpi_values(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<KpiValueDto>>, ApiError> {
    let rows =
        service::performance::employee_kpi_values(&state, &caller.principal, id, 600).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| KpiValueDto {
                kpi_code: r.code,
                kpi_name: r.name,
                unit: r.unit,
                period: r.period,
                value: r.value,
                source: r.source,
            })
            .collect(),
    ))
}

/// Month filter of the entry report.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// YYYY-MM (required).
    pub period: String,
}

/// Completeness of one KPI for a month.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryStatusDto {
    pub kpi_code: String,
    pub kpi_name: String,
    pub responsible_role: Option<String>,
    pub responsible_department: Option<String>,
    /// Due date (YYYY-MM-DD); empty when nothing is due this month.
    pub deadline: String,
    pub due: bool,
    pub expected: i64,
    pub present: i64,
    pub missing: i64,
    pub late: i64,
}

/// Missing and late KPI values of a month within the caller's scope.
#[utoipa::path(get, path = "/api/v1/kpis/entry-status", tag = "performance", security(("bearer" = [])),
    params(EntryQuery),
    responses((status = 200, body = Vec<EntryStatusDto>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn entry_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<EntryQuery>,
) -> Result<Json<Vec<EntryStatusDto>>, ApiError> {
    let (_, rows) =
        service::performance::entry_status(&state, &caller.principal, Some(&query.period)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| EntryStatusDto {
                kpi_code: r.kpi_code,
                kpi_name: r.kpi_name,
                responsible_role: r.responsible_role,
                responsible_department: r.responsible_department,
                deadline: r.deadline,
                due: r.due,
                expected: r.expected,
                present: r.present,
                missing: r.missing,
                late: r.late,
            })
            .collect(),
    ))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_kpis))
        .routes(routes!(entry_status))
        .routes(routes!(employee_kpi_values))
        .routes(routes!(list_reconciliation))
        .routes(routes!(decide))
}
