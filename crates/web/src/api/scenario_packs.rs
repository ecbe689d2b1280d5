//! Scenario packs: everyone signed in reads them (with only the resources they may
//! see); library managers create, change and delete them.

use super::{ApiJson, ApiPath};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::library::{ScenarioPack, ScenarioPackInput};
use serde::{Deserialize, Serialize};
use service::library as rules;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A resource in a pack.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackItemDto {
    /// 1-based place in the learning order.
    pub position: i32,
    pub resource_id: i64,
    pub code: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub estimated_minutes: i32,
}

/// A scenario pack with the resources the caller may see, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The business-process step it serves.
    pub scenario_step: String,
    pub description: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Minutes to take every published item listed.
    pub published_minutes: i32,
    pub items: Vec<PackItemDto>,
}

impl From<ScenarioPack> for PackDto {
    fn from(p: ScenarioPack) -> Self {
        Self {
            published_minutes: p.published_minutes(),
            id: p.id,
            code: p.code,
            name: p.name,
            scenario_step: p.scenario_step,
            description: p.description,
            updated_at: p
                .updated_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            items: p
                .items
                .into_iter()
                .map(|i| PackItemDto {
                    position: i.position,
                    resource_id: i.resource_id,
                    code: i.code,
                    title: i.title,
                    kind: i.kind.code().into(),
                    status: i.status.code().into(),
                    estimated_minutes: i.estimated_minutes,
                })
                .collect(),
        }
    }
}

/// A pack as entered.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PackBody {
    /// Unique, up to 40 characters.
    pub code: String,
    pub name: String,
    /// The business-process step it serves, e.g. `设备点检 → 异常上报`.
    pub scenario_step: String,
    #[serde(default)]
    pub description: String,
    /// Resource codes in learning order; retired ones are refused.
    #[serde(default)]
    pub resources: Vec<String>,
}

impl From<PackBody> for ScenarioPackInput {
    fn from(b: PackBody) -> Self {
        Self {
            code: b.code,
            name: b.name,
            scenario_step: b.scenario_step,
            description: b.description,
            resources: b.resources,
        }
    }
}

/// Every scenario pack, by code.
#[utoipa::path(get, path = "/api/v1/scenario-packs", tag = "library", security(("bearer" = [])),
    responses((status = 200, body = Vec<PackDto>)))]
pub async fn list_packs(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<PackDto>>, ApiError> {
    let packs = rules::list_packs(&state, &caller.principal).await?;
    Ok(Json(packs.into_iter().map(PackDto::from).collect()))
}

/// One scenario pack with the resources the caller may see, in learning order.
#[utoipa::path(get, path = "/api/v1/scenario-packs/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Pack id")),
    responses((status = 200, body = PackDto), (status = 404, body = Problem)))]
pub async fn get_pack(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PackDto>, ApiError> {
    let pack = rules::scenario_pack(&state, &caller.principal, id).await?;
    Ok(Json(PackDto::from(pack)))
}

/// Adds a scenario pack (library managers).
#[utoipa::path(post, path = "/api/v1/scenario-packs", tag = "library", security(("bearer" = [])),
    request_body = PackBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_pack(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PackBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = rules::create_pack(&state, &caller.principal, &caller.actor(), &body.into()).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Changes a scenario pack (library managers); its resources are replaced by the
/// body's, in the body's order.
#[utoipa::path(put, path = "/api/v1/scenario-packs/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Pack id")),
    request_body = PackBody,
    responses((status = 200, body = PackDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_pack(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PackBody>,
) -> Result<Json<PackDto>, ApiError> {
    let pack =
        rules::update_pack(&state, &caller.principal, &caller.actor(), id, &body.into()).await?;
    Ok(Json(PackDto::from(pack)))
}

/// Deletes a scenario pack (library managers); its resources stay in the library.
#[utoipa::path(delete, path = "/api/v1/scenario-packs/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Pack id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_pack(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    rules::delete_pack(&state, &caller.principal, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_packs, create_pack))
        .routes(routes!(get_pack, update_pack, delete_pack))
}
