//! Keeping the organisation: the department tree (create, change, move, merge, close)
//! and positions. Everyone who may see people reads within their scope; only
//! company-wide people managers (system and training admins) write.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Page;
use domain::org_tree::{
    DepartmentChange, DepartmentNode, DepartmentPatch, NewDepartment, PersonRef, PositionFilter,
    PositionInput, PositionRecord, parse_effective_on,
};
use serde::{Deserialize, Serialize};
use service::org_tree::DepartmentDetail;
use store::RetirementOutcome;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A person leading a department.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaderDto {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
}

impl From<PersonRef> for LeaderDto {
    fn from(p: PersonRef) -> Self {
        Self {
            employee_id: p.id,
            employee_no: p.employee_no,
            name: p.name,
        }
    }
}

/// A department of the tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentNodeDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    /// Depth below the top department (0).
    pub depth: usize,
    /// Materialised chain of ids from the top (`/1/4/9/`).
    pub path: String,
    pub cost_center: Option<String>,
    pub site: Option<String>,
    /// active or closed.
    pub status: String,
    /// YYYY-MM-DD the department was closed or merged.
    pub closed_on: Option<String>,
    /// The department that took over a closed one.
    pub successor_id: Option<i64>,
    pub head: Option<LeaderDto>,
    /// In order of precedence.
    pub deputies: Vec<LeaderDto>,
    /// People (not left) placed directly in the department.
    pub people: i64,
    /// People (not left) in the whole subtree.
    pub subtree_people: i64,
}

impl From<DepartmentNode> for DepartmentNodeDto {
    fn from(d: DepartmentNode) -> Self {
        Self {
            depth: d.depth(),
            id: d.id,
            code: d.code,
            name: d.name,
            parent_id: d.parent_id,
            path: d.path,
            cost_center: d.cost_center,
            site: d.site,
            status: d.status.code().into(),
            closed_on: d.closed_on.map(|d| d.to_string()),
            successor_id: d.successor_id,
            head: d.head.map(LeaderDto::from),
            deputies: d.deputies.into_iter().map(LeaderDto::from).collect(),
            people: d.people,
            subtree_people: d.subtree_people,
        }
    }
}

/// A recorded change of a department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentChangeDto {
    pub id: i64,
    /// created, updated, moved, leadership, merged or closed.
    pub kind: String,
    /// YYYY-MM-DD the change takes effect.
    pub effective_on: String,
    /// What changed, as JSON.
    pub detail: serde_json::Value,
    pub actor: String,
}

impl From<DepartmentChange> for DepartmentChangeDto {
    fn from(c: DepartmentChange) -> Self {
        Self {
            id: c.id,
            kind: c.kind.code().into(),
            effective_on: c.effective_on.to_string(),
            detail: serde_json::from_str(&c.detail).unwrap_or(serde_json::Value::Null),
            actor: c.actor,
        }
    }
}

/// A department with its change history.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentDetailDto {
    pub department: DepartmentNodeDto,
    /// Newest first.
    pub history: Vec<DepartmentChangeDto>,
}

/// Whether to list closed departments too.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeQuery {
    /// Include closed departments (default false).
    pub include_closed: Option<bool>,
}

/// The department tree the caller may see, parents before children.
#[utoipa::path(get, path = "/api/v1/departments/tree", tag = "org", security(("bearer" = [])),
    params(TreeQuery),
    responses((status = 200, body = Vec<DepartmentNodeDto>), (status = 403, body = Problem)))]
pub async fn tree(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<TreeQuery>,
) -> Result<Json<Vec<DepartmentNodeDto>>, ApiError> {
    let nodes = service::org_tree::department_tree(
        &state,
        &caller.principal,
        query.include_closed.unwrap_or(false),
    )
    .await?;
    Ok(Json(nodes.into_iter().map(Into::into).collect()))
}

/// One department with its history (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Department id")),
    responses((status = 200, body = DepartmentDetailDto), (status = 404, body = Problem)))]
pub async fn get_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DepartmentDetailDto>, ApiError> {
    let DepartmentDetail {
        department,
        history,
    } = service::org_tree::department(&state, &caller.principal, id).await?;
    Ok(Json(DepartmentDetailDto {
        department: department.into(),
        history: history.into_iter().map(Into::into).collect(),
    }))
}

/// A new department.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDepartmentInput {
    pub code: String,
    pub name: String,
    /// Required unless this is the first department.
    pub parent_id: Option<i64>,
    pub cost_center: Option<String>,
    pub site: Option<String>,
    /// Employee number of the head.
    pub head: Option<String>,
    /// YYYY-MM-DD the department exists from (default today).
    pub effective_on: Option<String>,
}

/// Creates a department (system and training admins).
#[utoipa::path(post, path = "/api/v1/departments", tag = "org", security(("bearer" = [])),
    request_body = NewDepartmentInput,
    responses((status = 201, body = DepartmentNodeDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<NewDepartmentInput>,
) -> Result<(StatusCode, Json<DepartmentNodeDto>), ApiError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let input = NewDepartment {
        effective_on: parse_effective_on(input.effective_on.as_deref())?,
        code: input.code,
        name: input.name,
        parent_id: input.parent_id,
        cost_center: input.cost_center,
        site: input.site,
        head: input.head,
    };
    let node =
        service::org_tree::create_department(&state, &caller.principal, input, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(node.into())))
}

/// Changes to a department; absent fields stay as they are, an empty text clears.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DepartmentPatchInput {
    pub name: Option<String>,
    pub cost_center: Option<String>,
    pub site: Option<String>,
    /// Employee number of the head; "" removes the head.
    pub head: Option<String>,
    /// Employee numbers of the deputies in order of precedence; [] removes them.
    pub deputies: Option<Vec<String>>,
    /// YYYY-MM-DD the change takes effect (default today).
    pub effective_on: Option<String>,
}

/// Renames a department or changes its cost center, site, head or deputies (system
/// and training admins).
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Department id")),
    request_body = DepartmentPatchInput,
    responses((status = 200, body = DepartmentNodeDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn patch_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DepartmentPatchInput>,
) -> Result<Json<DepartmentNodeDto>, ApiError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let patch = DepartmentPatch {
        effective_on: parse_effective_on(input.effective_on.as_deref())?,
        name: input.name,
        cost_center: input.cost_center,
        site: input.site,
        head: input.head,
        deputies: input.deputies,
    };
    let node =
        service::org_tree::update_department(&state, &caller.principal, id, patch, &caller.actor())
            .await?;
    Ok(Json(node.into()))
}

/// Where a department moves.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveInput {
    pub parent_id: i64,
    /// YYYY-MM-DD the move takes effect (default today).
    pub effective_on: Option<String>,
}

/// Moves a department with its whole subtree under another; under itself or its own
/// descendant is refused (system and training admins).
#[utoipa::path(post, path = "/api/v1/departments/{id}/move", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Department id")),
    request_body = MoveInput,
    responses((status = 200, body = DepartmentNodeDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn move_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Json<DepartmentNodeDto>, ApiError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let on = parse_effective_on(input.effective_on.as_deref())?;
    let node = service::org_tree::move_department(
        &state,
        &caller.principal,
        id,
        input.parent_id,
        on,
        &caller.actor(),
    )
    .await?;
    Ok(Json(node.into()))
}

/// What a merge or close moved to the successor.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetirementDto {
    pub people_moved: u64,
    pub departments_moved: usize,
    /// The closed department as it is now.
    pub department: DepartmentNodeDto,
}

/// The department a merged one goes into.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeInput {
    pub target_id: i64,
    /// YYYY-MM-DD the merge takes effect (default today).
    pub effective_on: Option<String>,
}

async fn retirement(
    state: &AppState,
    caller: &ApiCaller,
    id: i64,
    outcome: RetirementOutcome,
) -> Result<Json<RetirementDto>, ApiError> {
    let DepartmentDetail { department, .. } =
        service::org_tree::department(state, &caller.principal, id).await?;
    Ok(Json(RetirementDto {
        people_moved: outcome.people_moved,
        departments_moved: outcome.departments_moved,
        department: department.into(),
    }))
}

/// Merges a department into another: its people and child departments go to the
/// target and it is closed with the target as successor (system and training admins).
#[utoipa::path(post, path = "/api/v1/departments/{id}/merge", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Department id")),
    request_body = MergeInput,
    responses((status = 200, body = RetirementDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn merge_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MergeInput>,
) -> Result<Json<RetirementDto>, ApiError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let on = parse_effective_on(input.effective_on.as_deref())?;
    let outcome = service::org_tree::merge_department(
        &state,
        &caller.principal,
        id,
        input.target_id,
        on,
        &caller.actor(),
    )
    .await?;
    retirement(&state, &caller, id, outcome).await
}

/// The department that takes over a closed one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseInput {
    /// Required unless the department has no people and no child departments.
    pub successor_id: Option<i64>,
    /// YYYY-MM-DD the closure takes effect (default today).
    pub effective_on: Option<String>,
}

/// Closes a department: its people and child departments go to the successor; it is
/// kept, closed (system and training admins).
#[utoipa::path(post, path = "/api/v1/departments/{id}/close", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Department id")),
    request_body = CloseInput,
    responses((status = 200, body = RetirementDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn close_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CloseInput>,
) -> Result<Json<RetirementDto>, ApiError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let on = parse_effective_on(input.effective_on.as_deref())?;
    let outcome = service::org_tree::close_department(
        &state,
        &caller.principal,
        id,
        input.successor_id,
        on,
        &caller.actor(),
    )
    .await?;
    retirement(&state, &caller, id, outcome).await
}

/// A position.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Job family (sequence).
    pub job_family: Option<String>,
    /// Grade band.
    pub grade: Option<String>,
    pub hourly_cost: Option<f64>,
    /// active or retired.
    pub status: String,
    /// YYYY-MM-DD the position was retired.
    pub retired_on: Option<String>,
    /// People (not left) holding it.
    pub people: i64,
}

impl From<PositionRecord> for PositionDto {
    fn from(p: PositionRecord) -> Self {
        Self {
            id: p.id,
            code: p.code,
            name: p.name,
            job_family: p.job_family,
            grade: p.grade,
            hourly_cost: p.hourly_cost,
            status: p.status.code().into(),
            retired_on: p.retired_on.map(|d| d.to_string()),
            people: p.people,
        }
    }
}

/// One page of positions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PositionPage {
    pub items: Vec<PositionDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Search and paging of positions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PositionQuery {
    /// Substring of code, name, family or grade band.
    pub q: Option<String>,
    /// Include retired positions (default false).
    pub include_retired: Option<bool>,
    pub page: Option<u32>,
    /// Rows per page (1-200, default 50).
    pub per_page: Option<u32>,
}

/// Positions, searchable and paged.
#[utoipa::path(get, path = "/api/v1/positions", tag = "org", security(("bearer" = [])),
    params(PositionQuery),
    responses((status = 200, body = PositionPage), (status = 403, body = Problem)))]
pub async fn list_positions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PositionQuery>,
) -> Result<Json<PositionPage>, ApiError> {
    let filter = PositionFilter {
        q: query.q,
        include_retired: query.include_retired.unwrap_or(false),
    };
    let page = service::org_tree::list_positions(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(PositionPage {
        items: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// A position as created or changed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PositionBody {
    pub code: String,
    pub name: String,
    /// Job family (sequence).
    pub job_family: Option<String>,
    /// Grade band.
    pub grade: Option<String>,
    /// Cost of an hour of the position's time (≥ 0).
    pub hourly_cost: Option<f64>,
}

impl From<PositionBody> for PositionInput {
    fn from(b: PositionBody) -> Self {
        Self {
            code: b.code,
            name: b.name,
            job_family: b.job_family,
            grade: b.grade,
            hourly_cost: b.hourly_cost,
        }
    }
}

/// Creates a position (system and training admins).
#[utoipa::path(post, path = "/api/v1/positions", tag = "org", security(("bearer" = [])),
    request_body = PositionBody,
    responses((status = 201, body = PositionDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_position(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PositionBody>,
) -> Result<(StatusCode, Json<PositionDto>), ApiError> {
    let p =
        service::org_tree::create_position(&state, &caller.principal, body.into(), &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// Changes to a position; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PositionPatchInput {
    pub code: Option<String>,
    pub name: Option<String>,
    /// "" clears.
    pub job_family: Option<String>,
    /// "" clears.
    pub grade: Option<String>,
    pub hourly_cost: Option<f64>,
}

/// Changes a position's code, name, family, grade band or hourly cost (system and
/// training admins).
#[utoipa::path(patch, path = "/api/v1/positions/{id}", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Position id")),
    request_body = PositionPatchInput,
    responses((status = 200, body = PositionDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn patch_position(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PositionPatchInput>,
) -> Result<Json<PositionDto>, ApiError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let current = service::org_tree::position(&state, &caller.principal, id).await?;
    let input = PositionInput {
        code: body.code.unwrap_or(current.code),
        name: body.name.unwrap_or(current.name),
        job_family: body.job_family.or(current.job_family),
        grade: body.grade.or(current.grade),
        hourly_cost: body.hourly_cost.or(current.hourly_cost),
    };
    let p =
        service::org_tree::update_position(&state, &caller.principal, id, input, &caller.actor())
            .await?;
    Ok(Json(p.into()))
}

/// When a position is retired.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RetireInput {
    /// YYYY-MM-DD (default today).
    pub effective_on: Option<String>,
}

/// Retires a position: kept for history, no longer offered (system and training admins).
#[utoipa::path(post, path = "/api/v1/positions/{id}/retire", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Position id")),
    request_body = RetireInput,
    responses((status = 200, body = PositionDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn retire_position(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RetireInput>,
) -> Result<Json<PositionDto>, ApiError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let on = parse_effective_on(body.effective_on.as_deref())?;
    let p = service::org_tree::retire_position(&state, &caller.principal, id, on, &caller.actor())
        .await?;
    Ok(Json(p.into()))
}

/// The routes of this module's endpoints (the department list itself is in `org`).
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(tree))
        .routes(routes!(create_department))
        .routes(routes!(get_department, patch_department))
        .routes(routes!(move_department))
        .routes(routes!(merge_department))
        .routes(routes!(close_department))
        .routes(routes!(list_positions, create_position))
        .routes(routes!(patch_position))
        .routes(routes!(retire_position))
}
