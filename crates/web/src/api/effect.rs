//! Level 4 of value proof over the API: a program's effect on a KPI, and the KPI's
//! value per unit for ROI.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::kpi_effect::{EffectRequest, MatchingMethod, StratifyBy};
use domain::operations::ProgramDetail;
use domain::{DomainError, Permission};
use serde::Deserialize;
use service::access::require;
use service::effect::GivenAssumptions;
use service::effect::{EffectResult, may_view_effects};
use store::prelude::*;
use utoipa::{IntoParams, ToSchema};

/// What to estimate; every field is optional.
#[derive(Debug, Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct EffectQuery {
    /// KPI code (default: the program's transfer goal KPI).
    pub kpi: Option<String>,
    /// Months before each person's completion month (2–36, default 12).
    pub pre_months: Option<u32>,
    /// Months after it (1–36, default 6).
    pub post_months: Option<u32>,
    /// nearest (default) or cem.
    pub matching: Option<String>,
    /// position (default) or department.
    pub stratify: Option<String>,
    /// Bootstrap replications (50–5000, default 1000).
    pub replications: Option<u32>,
    /// Bootstrap seed (default 1).
    pub seed: Option<u64>,
    /// Yuan per KPI unit per person and month (default: the KPI's configured value).
    pub unit_value: Option<f64>,
    /// Months the effect lasts (default: the program's transfer window, or 12).
    pub benefit_months: Option<f64>,
    /// Yuan per participant hour where the position has none (default 80).
    pub hourly_cost: Option<f64>,
}

impl EffectQuery {
    /// The request, with defaults for what is missing; bad codes name their field.
    pub fn request(&self) -> Result<EffectRequest, DomainError> {
        let defaults = EffectRequest::default();
        Ok(EffectRequest {
            pre_months: self.pre_months.unwrap_or(defaults.pre_months),
            post_months: self.post_months.unwrap_or(defaults.post_months),
            matching: match self.matching.as_deref().filter(|m| !m.trim().is_empty()) {
                Some(m) => MatchingMethod::parse(m)?,
                None => defaults.matching,
            },
            stratify: match self.stratify.as_deref().filter(|m| !m.trim().is_empty()) {
                Some(m) => StratifyBy::parse(m)?,
                None => defaults.stratify,
            },
            replications: self.replications.unwrap_or(defaults.replications),
            seed: self.seed.unwrap_or(defaults.seed),
        })
    }
}

impl EffectQuery {
    /// The ROI assumptions the query gives.
    pub fn given(&self) -> GivenAssumptions {
        GivenAssumptions {
            unit_value: self.unit_value,
            benefit_months: self.benefit_months,
            hourly_cost: self.hourly_cost,
        }
    }
}

/// Evaluates a program as a query asks: its KPI (or the transfer goal's), windows,
/// matching and ROI assumptions, with defaults for what is left out.
pub async fn evaluate_query(
    state: &AppState,
    program: &ProgramDetail,
    query: &EffectQuery,
) -> Result<EffectResult, DomainError> {
    let request = query.request()?;
    let kpi = service::effect::resolve_kpi(&state.store, program, query.kpi.as_deref()).await?;
    let assumptions =
        service::effect::assumptions(&state.store, program, &kpi, query.given()).await?;
    service::effect::evaluate(&state.store, program, &kpi, request, assumptions).await
}

/// The program's effect on a KPI: matched difference-in-differences with a 95%
/// cluster-bootstrap interval, the naive comparisons beside it, diagnostics,
/// the month-by-month series around completion, costs and ROI.
#[utoipa::path(get, path = "/api/v1/evaluation/programs/{id}/effect", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"), EffectQuery),
    responses((status = 200, body = EffectResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn effect(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<EffectQuery>,
) -> Result<Json<EffectResult>, ApiError> {
    may_view_effects(&caller.principal)?;
    let program = state.store.program_detail(id).await?;
    Ok(Json(evaluate_query(&state, &program, &query).await?))
}

/// What one unit of a KPI is worth, per person and month.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitValueInput {
    /// Yuan, 0 or more; null clears it.
    pub unit_value: Option<f64>,
}

/// Sets what one unit of a KPI is worth (used for ROI).
#[utoipa::path(put, path = "/api/v1/kpis/{code}/unit-value", tag = "evaluation", security(("bearer" = [])),
    params(("code" = String, Path, description = "KPI code")),
    request_body = UnitValueInput,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_unit_value(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<UnitValueInput>,
) -> Result<StatusCode, ApiError> {
    require(&caller.principal, Permission::ManagePrograms)?;
    let kpi = service::effect::kpi_by_code(&state.store, &code)
        .await
        .map_err(|_| DomainError::NotFound { entity: "KPI" })?;
    state
        .store
        .set_kpi_unit_value(kpi.id, body.unit_value, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
