//! The resource library: list, detail, create and update (micro-courses too), review
//! moves, old versions, files, ratings and comments.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use domain::library::{
    CommentEntry, FileEntry, MicroCourseInput, ResourceDetail, ResourceKind, ResourceStatus,
    ResourceSummary, ReviewEntry, VersionSnapshot,
};
use domain::{DomainError, DomainResult, Page};
use serde::{Deserialize, Serialize};
use service::library::{self as rules, ResourceChange};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    let is_micro = body.get("kind").and_then(|k| k.as_str()).map(str::trim)
        == Some(ResourceKind::MicroCourse.code());
    let (principal, actor) = (&caller.principal, &caller.actor());
    let id = if is_micro {
        rules::create_micro_course(&state, principal, actor, parse(body)).await?
    } else {
        rules::create_resource(&state, principal, actor, parse(body)).await?
    };
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A resource or micro-course body as entered (the use case decides whether the
/// caller may choose an owner).
fn parse<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> DomainResult<T> {
    serde_json::from_value(body).map_err(|e| DomainError::invalid("body", e.to_string()))
}

/// The same body with `kind` set to micro_course when it is absent.
fn as_micro(mut body: serde_json::Value) -> serde_json::Value {
    if let Some(map) = body.as_object_mut() {
        map.entry("kind")
            .or_insert_with(|| ResourceKind::MicroCourse.code().into());
    }
    body
}

/// Changes a draft or a resource under review (its author, library managers, or a
/// reviewer while it is under review); tags, skills and positions are replaced by
/// the body's. A micro-course's body also carries problem, case and solution.
#[utoipa::path(put, path = "/api/v1/resources/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body(content = Object, description = "As for POST /api/v1/resources"),
    responses((status = 200, description = "The resource in full", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_resource(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Json<ResourceDetail>, ApiError> {
    let detail = rules::update_resource(&state, &caller.principal, &caller.actor(), id, |micro| {
        Ok(if micro {
            ResourceChange::MicroCourse(parse(as_micro(body))?)
        } else {
            ResourceChange::Resource(parse(body)?)
        })
    })
    .await?;
    Ok(Json(detail))
}

/// Adds a micro-course (问题—案例—方法, at most 15 minutes) as a draft owned by the
/// caller; `kind` may be left out.
#[utoipa::path(post, path = "/api/v1/micro-courses", tag = "library", security(("bearer" = [])),
    request_body(content = Object, description = "code, title, summary, body, tier, origin, vendor, estimated_minutes (≤ 15), tags, skills, positions, problem, case, solution, need_id, skill_code (one of skills)"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_micro_course(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let input: DomainResult<MicroCourseInput> = parse(as_micro(body));
    let id = rules::create_micro_course(&state, &caller.principal, &caller.actor(), input).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Changes a micro-course (draft or under review), its three parts included.
#[utoipa::path(put, path = "/api/v1/micro-courses/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id of the micro-course")),
    request_body(content = Object, description = "As for POST /api/v1/micro-courses"),
    responses((status = 200, description = "The micro-course in full", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_micro_course(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Json<ResourceDetail>, ApiError> {
    let detail = rules::update_resource(&state, &caller.principal, &caller.actor(), id, |_| {
        Ok(ResourceChange::MicroCourse(parse(as_micro(body))?))
    })
    .await?;
    Ok(Json(detail))
}

/// A file of a resource version.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileDto {
    pub id: i64,
    pub resource_id: i64,
    /// The version it belongs to.
    pub version: i32,
    pub original_name: String,
    /// Detected from the bytes.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// RFC 3339.
    pub uploaded_at: String,
    /// Where to download it (a signed-in page session; ranges supported).
    pub download_path: String,
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl From<FileEntry> for FileDto {
    fn from(f: FileEntry) -> Self {
        Self {
            download_path: format!("/library/files/{}", f.id),
            id: f.id,
            resource_id: f.resource_id,
            version: f.version,
            original_name: f.original_name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
            sha256: f.sha256,
            uploaded_at: rfc3339(f.uploaded_at),
        }
    }
}

/// One published version as it was.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDto {
    pub resource_id: i64,
    pub version: i32,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// RFC 3339.
    pub published_at: String,
    pub published_by: String,
    /// Code, kind, tier, origin, vendor, estimated_minutes, tags (kind:value), skills,
    /// positions, micro_course parts and files as published.
    #[schema(value_type = Object)]
    pub snapshot: VersionSnapshot,
    pub files: Vec<FileDto>,
    /// Review moves concerning this version, newest first.
    #[schema(value_type = Vec<Object>)]
    pub reviews: Vec<ReviewEntry>,
}

/// A published version of a resource, read-only; visible to whoever may see the resource.
#[utoipa::path(get, path = "/api/v1/resources/{id}/versions/{version}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id"), ("version" = i32, Path, description = "Version number (1 is the first publication)")),
    responses((status = 200, body = VersionDto), (status = 404, body = Problem)))]
pub async fn get_version(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, version)): ApiPath<(i64, i32)>,
) -> Result<Json<VersionDto>, ApiError> {
    let v = rules::visible_version(&state, &caller.principal, id, version).await?;
    let e = v.version.entry;
    Ok(Json(VersionDto {
        resource_id: id,
        version: e.version,
        title: e.title,
        summary: e.summary,
        body: v.version.body,
        published_at: rfc3339(e.published_at),
        published_by: e.published_by,
        snapshot: v.snapshot,
        files: v.files.into_iter().map(FileDto::from).collect(),
        reviews: v.reviews,
    }))
}

/// The multipart upload. It only describes the body for OpenAPI (the handler reads
/// the multipart stream), so it is never built.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// PDF, MP4, WebM, PNG, JPEG, docx/xlsx/pptx or UTF-8 text, detected from the bytes,
    /// up to the site's limit.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads a file into the version being prepared (draft or under review) by whoever
/// may edit the resource: the same type and size checks as the page's upload.
#[utoipa::path(post, path = "/api/v1/resources/{id}/files", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = FileDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn upload_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<FileDto>), ApiError> {
    // Who may change the resource is checked before the body is read.
    let target = rules::begin_upload(&state, &caller.principal, id).await?;
    let multipart = multipart.map_err(|e| DomainError::invalid("file", e.body_text()))?;
    let stored = crate::multipart::receive_file(&state, &caller.actor(), &target, multipart)
        .await?
        .ok_or_else(|| {
            DomainError::invalid("file", "is required (a multipart field named file)")
        })?;
    Ok((StatusCode::CREATED, Json(FileDto::from(stored))))
}

/// Deletes a file of the version being prepared (the record, then the stored bytes);
/// files of published versions are kept.
#[utoipa::path(delete, path = "/api/v1/resources/{id}/files/{file_id}", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id"), ("file_id" = i64, Path, description = "File id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn delete_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, file_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    rules::delete_file(
        &state,
        &caller.principal,
        &caller.actor(),
        file_id,
        Some(id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A learner's stars.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RatingBody {
    /// 1 to 5.
    pub stars: i32,
}

/// The resource's ratings after a new one.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    pub avg_stars: f64,
    pub ratings: i64,
}

/// Rates a published resource (1–5 stars); a second rating replaces the caller's first.
#[utoipa::path(post, path = "/api/v1/resources/{id}/ratings", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body = RatingBody,
    responses((status = 200, body = RatingDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Json<RatingDto>, ApiError> {
    let (avg_stars, ratings) =
        rules::rate_resource(&state, &caller.principal, id, Ok(body.stars)).await?;
    Ok(Json(RatingDto { avg_stars, ratings }))
}

/// A learner's comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentBody {
    /// Up to 2,000 characters.
    pub body: String,
}

/// A comment as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: i64,
    pub resource_id: i64,
    pub body: String,
    /// `pending` until a moderator shows it (when the site moderates first), else `visible`.
    pub status: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<CommentEntry> for CommentDto {
    fn from(c: CommentEntry) -> Self {
        Self {
            id: c.id,
            resource_id: c.resource_id,
            body: c.body,
            status: c.status.code().into(),
            created_at: rfc3339(c.created_at),
        }
    }
}

/// Comments on a published resource; shown once a moderator approves it when the
/// site moderates first.
#[utoipa::path(post, path = "/api/v1/resources/{id}/comments", tag = "library", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Resource id")),
    request_body = CommentBody,
    responses((status = 201, body = CommentDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn comment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CommentBody>,
) -> Result<(StatusCode, Json<CommentDto>), ApiError> {
    let entry = rules::comment_on_resource(&state, &caller.principal, id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(CommentDto::from(entry))))
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
    let change = rules::change_status(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        next,
        body.comment.as_deref(),
    )
    .await?;
    Ok(Json(StatusDto {
        from: change.from.code().into(),
        to: change.to.code().into(),
        current_version: change.current_version,
    }))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource))
        .routes(routes!(change_status))
        .routes(routes!(create_micro_course))
        .routes(routes!(update_micro_course))
        .routes(routes!(get_version))
        .routes(upload_route())
        .routes(routes!(delete_file))
        .routes(routes!(rate))
        .routes(routes!(comment))
}

/// The file upload, with the body limit lifted for it alone: the site's own limit is
/// enforced while the file streams in.
fn upload_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = routes!(upload_file);
    let limit = axum::extract::DefaultBodyLimit::max(crate::ui::library::UPLOAD_ROUTE_LIMIT);
    (schemas, paths, method_router.layer(limit))
}
