//! KPI definitions.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::service::{require, scope_or_forbidden};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::Permission;
use domain::performance::{Period, ReconciliationStatus};
use domain::{DomainError, Page};
use serde::Serialize;
use utoipa::ToSchema;

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
    require(&caller.principal, Permission::ViewPeople)?;
    let kpis = state.store.kpi_summaries().await?;
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
pub struct ReconciliationQuery {
    /// Month, YYYY-MM.
    pub period: Option<String>,
    /// open, accepted_hr, accepted_business or annotated.
    pub status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ReconciliationQuery {
    /// Parsed period and status; bad values name their field.
    pub fn parse(&self) -> Result<(Option<Period>, Option<ReconciliationStatus>), DomainError> {
        let period = self
            .period
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(Period::parse)
            .transpose()?;
        let status = self
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(ReconciliationStatus::parse)
            .transpose()?;
        Ok((period, status))
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
    let scope = scope_or_forbidden(&caller.principal, Permission::ManagePeople)?;
    let (period, status) = query.parse()?;
    let page = state
        .store
        .list_reconciliation(
            &scope,
            period,
            status,
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
    let scope = scope_or_forbidden(&caller.principal, Permission::ManagePeople)?;
    let decision = ReconciliationStatus::parse(&input.decision).map_err(|_| {
        DomainError::invalid(
            "decision",
            "choose accepted_hr, accepted_business or annotated",
        )
    })?;
    state
        .store
        .decide_reconciliation(&scope, id, decision, input.note.as_deref(), &caller.actor())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
