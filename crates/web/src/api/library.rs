//! The resource library: list, detail, create and review moves.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::library as rules;
use crate::service::require;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::library::{
    MicroCourseInput, ResourceDetail, ResourceInput, ResourceKind, ResourceStatus, ResourceSummary,
};
use domain::{DomainError, Page, Permission};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filters and paging of the resource list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourcesQuery {
    /// Substring of the code, title or summary.
    pub q: Option<String>,
    /// course, micro_course, document, video, tool, case or exam.
    pub kind: Option<String>,
    /// core, support or reserve.
    pub tier: Option<String>,
    /// draft, in_review, published or retired; learners always get published ones.
    pub status: Option<String>,
    /// internal or external.
    pub origin: Option<String>,
    /// A tag id or kind:value.
    pub tag: Option<String>,
    /// Skill code.
    pub skill: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of resources.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourcePage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ResourceSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Resources the caller may see, most recently changed first.
#[utoipa::path(get, path = "/api/v1/resources", tag = "library", security(("bearer" = [])),
    params(ResourcesQuery),
    responses((status = 200, body = ResourcePage), (status = 422, body = Problem)))]
pub async fn list_resources(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ResourcesQuery>,
) -> Result<Json<ResourcePage>, ApiError> {
    let list = crate::ui::library::ListQuery {
        q: query.q.unwrap_or_default(),
        kind: query.kind.unwrap_or_default(),
        tier: query.tier.unwrap_or_default(),
        status: query.status.unwrap_or_default(),
        origin: query.origin.unwrap_or_default(),
        tag: query.tag.unwrap_or_default(),
        skill: query.skill.unwrap_or_default(),
        page: query.page,
        per_page: query.per_page,
    };
    let (page, _) = rules::search_or_list(
        &state,
        &caller.principal,
        list.filter()?,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(ResourcePage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One resource with its tags, skills, positions, versions, review history, visible
/// comments, files and usage. Drafts are visible to their author and reviewers only.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    responses((status = 200, description = "The resource in full", content_type = "application/json"), (status = 404, body = Problem)))]
pub async fn get_resource(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ResourceDetail>, ApiError> {
    Ok(Json(
        rules::visible_detail(&state, &caller.principal, id).await?,
    ))
}

/// Adds a resource or micro-course as a draft owned by the caller.
#[utoipa::path(post, path = "/api/v1/resources", tag = "library", security(("bearer" = [])),
    request_body(content = Object, description = "code, kind, title, summary, body, tier, origin, vendor, estimated_minutes, tags (ids or kind:value objects), skills ([{code, level}]), positions; for micro_course also problem, case, solution, need_id, skill_code"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_resource(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    require(&caller.principal, Permission::AuthorResources)?;
    let invalid = |e: serde_json::Error| DomainError::invalid("body", e.to_string());
    let is_micro = body.get("kind").and_then(|k| k.as_str()).map(str::trim)
        == Some(ResourceKind::MicroCourse.code());
    let mut body = body;
    if let Some(map) = body.as_object_mut() {
        // An owner other than the caller is chosen by a library manager only.
        if !caller.principal.can(Permission::ManageLibrary) {
            map.remove("owner_user_id");
        }
    }
    let id = if is_micro {
        let input: MicroCourseInput = serde_json::from_value(body).map_err(invalid)?;
        state
            .store
            .create_micro_course(&input, &caller.actor())
            .await?
    } else {
        let input: ResourceInput = serde_json::from_value(body).map_err(invalid)?;
        state.store.create_resource(&input, &caller.actor()).await?
    };
    rules::reindex_resource(&state, id).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A review move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusBody {
    /// in_review, published, draft (send back or reopen) or retired.
    pub status: String,
    /// Required when sending back and retiring.
    pub comment: Option<String>,
}

/// The outcome of a move.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusDto {
    pub from: String,
    pub to: String,
    /// The published version after the move.
    pub current_version: i32,
}

/// Moves a resource through review: the author submits; a reviewer other than the
/// author publishes or sends back (with a comment); retiring needs a comment.
#[utoipa::path(post, path = "/api/v1/resources/{id}/status", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body = StatusBody,
    responses((status = 200, body = StatusDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn change_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<StatusDto>, ApiError> {
    let next = ResourceStatus::parse(&body.status)?;
    let comment = body.comment.as_deref().filter(|c| !c.trim().is_empty());
    let change = rules::change_status(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        next,
        comment,
    )
    .await?;
    Ok(Json(StatusDto {
        from: change.from.code().into(),
        to: change.to.code().into(),
        current_version: change.current_version,
    }))
}
