//! KPI definitions.

use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::service::require;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::Permission;
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
