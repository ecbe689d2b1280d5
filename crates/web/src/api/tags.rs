//! Tag vocabularies: everyone signed in reads them (authors pick from them); library
//! managers change them.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::library::{TagEntry, TagKind, TagRemoval};
use serde::{Deserialize, Serialize};
use service::library as rules;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Which vocabulary entries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagsQuery {
    /// business_line, task_type or scenario; all kinds when absent.
    pub kind: Option<String>,
    /// Also list deactivated entries (default false).
    pub include_inactive: Option<bool>,
}

/// A vocabulary entry with how many resources carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagDto {
    pub id: i64,
    /// business_line, task_type or scenario.
    pub kind: String,
    pub value: String,
    pub active: bool,
    pub uses: i64,
}

impl From<TagEntry> for TagDto {
    fn from(e: TagEntry) -> Self {
        Self {
            id: e.tag.id,
            kind: e.tag.kind.code().into(),
            value: e.tag.value,
            active: e.tag.active,
            uses: e.uses,
        }
    }
}

/// Vocabulary entries by kind and value.
#[utoipa::path(get, path = "/api/v1/tags", tag = "library", security(("bearer" = [])),
    params(TagsQuery),
    responses((status = 200, body = Vec<TagDto>), (status = 422, body = Problem)))]
pub async fn list_tags(
    State(state): State<AppState>,
    _caller: ApiCaller,
    ApiQuery(query): ApiQuery<TagsQuery>,
) -> Result<Json<Vec<TagDto>>, ApiError> {
    let kind = query
        .kind
        .as_deref()
        .filter(|k| !k.trim().is_empty())
        .map(TagKind::parse)
        .transpose()?;
    let entries = rules::list_tags(&state, kind, query.include_inactive.unwrap_or(false)).await?;
    Ok(Json(entries.into_iter().map(TagDto::from).collect()))
}

/// A new vocabulary entry.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTagBody {
    /// business_line, task_type or scenario (or its Chinese name).
    pub kind: String,
    /// Up to 50 characters, no ':'.
    pub value: String,
}

/// Adds a vocabulary entry (library managers).
#[utoipa::path(post, path = "/api/v1/tags", tag = "library", security(("bearer" = [])),
    request_body = NewTagBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_tag(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewTagBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = rules::create_tag(
        &state,
        &caller.principal,
        &caller.actor(),
        &body.kind,
        &body.value,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A rename and/or (de)activation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TagBody {
    pub value: String,
    pub active: bool,
}

/// Renames and/or (de)activates an entry (library managers); the resources carrying
/// it are re-indexed under the new value.
#[utoipa::path(put, path = "/api/v1/tags/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tag id")),
    request_body = TagBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_tag(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TagBody>,
) -> Result<StatusCode, ApiError> {
    rules::update_tag(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        &body.value,
        body.active,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What removing an entry did.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagRemovalDto {
    /// `deleted`, or `deactivated` when resources carry it (they keep it).
    pub outcome: String,
    /// Resources carrying it, when deactivated.
    pub uses: Option<i64>,
}

/// Removes an entry (library managers): deleted when unused, otherwise deactivated
/// so the resources carrying it keep it and new ones cannot pick it.
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Tag id")),
    responses((status = 200, body = TagRemovalDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_tag(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TagRemovalDto>, ApiError> {
    let outcome = rules::remove_tag(&state, &caller.principal, &caller.actor(), id).await?;
    Ok(Json(match outcome {
        TagRemoval::Deleted => TagRemovalDto {
            outcome: "deleted".into(),
            uses: None,
        },
        TagRemoval::Deactivated { uses } => TagRemovalDto {
            outcome: "deactivated".into(),
            uses: Some(uses),
        },
    }))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_tags, create_tag))
        .routes(routes!(update_tag, remove_tag))
}
