//! Level 4 of value proof over the API: a program's effect on a KPI, and the KPI's
//! value per unit for ROI.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use service::effect::{EffectOptions, EffectResult, GivenAssumptions};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    /// How to estimate, for the use cases.
    pub fn options(&self) -> EffectOptions {
        EffectOptions {
            pre_months: self.pre_months,
            post_months: self.post_months,
            matching: self.matching.clone(),
            stratify: self.stratify.clone(),
            replications: self.replications,
            seed: self.seed,
            given: GivenAssumptions {
                unit_value: self.unit_value,
                benefit_months: self.benefit_months,
                hourly_cost: self.hourly_cost,
            },
        }
    }
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
    Ok(Json(
        service::effect::program_effect(
            &state,
            &caller.principal,
            id,
            query.kpi.as_deref(),
            &query.options(),
        )
        .await?,
    ))
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
    service::effect::set_kpi_unit_value(
        &state,
        &caller.principal,
        &code,
        body.unit_value,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(effect))
        .routes(routes!(set_unit_value))
}
