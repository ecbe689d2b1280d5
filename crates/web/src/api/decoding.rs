//! Need decoding, competency models and training needs raised from gaps.

use super::{ApiJson, ApiPath};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::competency::Tier;
use domain::decoding::{ObjectiveInput, ReviewItem, StrategyInput, TargetInput, TaskInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The id of a created record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: i64,
}

/// How many items below a change were marked for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedDto {
    pub marked_for_review: usize,
}

/// The whole decoding chain: strategies → objectives → KPI targets (with actual value and
/// shortfall) → position tasks → required skills.
#[utoipa::path(get, path = "/api/v1/decoding", tag = "decoding", security(("bearer" = [])),
    responses((status = 200, description = "Array of strategies, each with objectives, targets, tasks and skills", content_type = "application/json"),
              (status = 403, body = Problem)))]
pub async fn tree(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<domain::decoding::StrategyNode>>, ApiError> {
    Ok(Json(
        service::decoding::decoding_tree(&state, &caller.principal, None).await?,
    ))
}

/// A strategy.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StrategyBody {
    pub code: String,
    pub name: String,
    /// E.g. 2025-2027.
    pub horizon: Option<String>,
}

/// Adds a strategy.
#[utoipa::path(post, path = "/api/v1/strategies", tag = "decoding", security(("bearer" = [])),
    request_body = StrategyBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_strategy(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<StrategyBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let input = StrategyInput {
        code: body.code,
        name: body.name,
        horizon: body.horizon,
    };
    let id = service::decoding::create_strategy(&state, &caller.principal, &input, &caller.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// An objective: a balanced-scorecard perspective, or none and key results (OKR).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ObjectiveBody {
    pub strategy_id: i64,
    pub code: String,
    pub name: String,
    /// financial, customer, internal_process or learning_growth; omit for OKR.
    pub perspective: Option<String>,
    #[serde(default)]
    pub key_results: Vec<String>,
}

/// Adds an objective to a strategy.
#[utoipa::path(post, path = "/api/v1/objectives", tag = "decoding", security(("bearer" = [])),
    request_body = ObjectiveBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_objective(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ObjectiveBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let input = ObjectiveInput {
        strategy_id: body.strategy_id,
        code: body.code,
        name: body.name,
        perspective: body.perspective,
        key_results: body.key_results,
    };
    let id =
        service::decoding::create_objective(&state, &caller.principal, &input, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A department's KPI target for a period.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TargetBody {
    pub objective_id: i64,
    pub department_code: String,
    pub kpi_code: String,
    /// 2025, 2025Q3 or 2025-07.
    pub period: String,
    /// <= or >=.
    pub comparator: String,
    pub target_value: f64,
}

/// Adds a department KPI target to an objective.
#[utoipa::path(post, path = "/api/v1/kpi-targets", tag = "decoding", security(("bearer" = [])),
    request_body = TargetBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_target(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TargetBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let input = TargetInput {
        objective_id: body.objective_id,
        department_code: body.department_code,
        kpi_code: body.kpi_code,
        period: body.period,
        comparator: body.comparator,
        target_value: body.target_value,
    };
    let id =
        service::decoding::create_kpi_target(&state, &caller.principal, &input, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A target change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TargetChange {
    /// <= or >=.
    pub comparator: String,
    pub target_value: f64,
}

/// Changes a target; the tasks serving it are marked for review.
#[utoipa::path(put, path = "/api/v1/kpi-targets/{id}", tag = "decoding", security(("bearer" = [])),
    params(("id" = i64, Path, description = "KPI target id")), request_body = TargetChange,
    responses((status = 200, body = MarkedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_target(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TargetChange>,
) -> Result<Json<MarkedDto>, ApiError> {
    let marked = service::decoding::update_kpi_target(
        &state,
        &caller.principal,
        id,
        &body.comparator,
        body.target_value,
        &caller.actor(),
    )
    .await?;
    Ok(Json(MarkedDto {
        marked_for_review: marked,
    }))
}

/// A position's task.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskBody {
    pub position_code: String,
    pub kpi_target_id: Option<i64>,
    pub code: String,
    pub name: String,
    /// Step of the business process, from 1.
    pub process_step: i32,
}

/// Adds a task to a position.
#[utoipa::path(post, path = "/api/v1/position-tasks", tag = "decoding", security(("bearer" = [])),
    request_body = TaskBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_task(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TaskBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let input = TaskInput {
        position_code: body.position_code,
        kpi_target_id: body.kpi_target_id,
        code: body.code,
        name: body.name,
        process_step: body.process_step,
    };
    let id =
        service::decoding::create_task(&state, &caller.principal, &input, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A required skill level and tier.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequirementBody {
    pub required_level: i32,
    /// core, support or reserve.
    pub tier: String,
}

/// Sets a skill a task requires; the position's competency model is derived again.
#[utoipa::path(put, path = "/api/v1/position-tasks/{id}/skills/{skill}", tag = "decoding", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id"), ("skill" = String, Path, description = "Skill code")),
    request_body = RequirementBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_task_skill(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, skill)): ApiPath<(i64, String)>,
    ApiJson(body): ApiJson<RequirementBody>,
) -> Result<StatusCode, ApiError> {
    let tier = Tier::parse(&body.tier)?;
    service::decoding::set_task_skill(
        &state,
        &caller.principal,
        id,
        &skill,
        Some((body.required_level, tier)),
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a skill from a task; the position's competency model is derived again.
#[utoipa::path(delete, path = "/api/v1/position-tasks/{id}/skills/{skill}", tag = "decoding", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id"), ("skill" = String, Path, description = "Skill code")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_task_skill(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, skill)): ApiPath<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    service::decoding::set_task_skill(&state, &caller.principal, id, &skill, None, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which item was reviewed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// objective, target or task.
    pub kind: String,
    pub id: i64,
}

/// Clears a review mark left by a change above the item.
#[utoipa::path(post, path = "/api/v1/decoding/review", tag = "decoding", security(("bearer" = [])),
    request_body = ReviewBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn review(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<StatusCode, ApiError> {
    let item = ReviewItem::parse(&body.kind)?;
    service::decoding::mark_reviewed(&state, &caller.principal, item, body.id, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One requirement of a position's competency model.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelRequirementDto {
    pub skill_code: String,
    pub skill_name: String,
    pub area: String,
    /// Levels the skill has.
    pub levels: i32,
    pub required_level: i32,
    /// core, support or reserve.
    pub tier: String,
    /// tasks (derived from the position's tasks) or manual (set directly; wins).
    pub source: String,
}

/// A position's competency model.
#[utoipa::path(get, path = "/api/v1/positions/{id}/competency-model", tag = "decoding", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Position id")),
    responses((status = 200, body = Vec<ModelRequirementDto>), (status = 403, body = Problem)))]
pub async fn position_model(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ModelRequirementDto>>, ApiError> {
    let rows = service::competency::position_model(&state, &caller.principal, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ModelRequirementDto {
                skill_code: r.skill_code,
                skill_name: r.skill_name,
                area: r.area,
                levels: r.levels,
                required_level: r.required_level,
                tier: r.tier,
                source: r.source,
            })
            .collect(),
    ))
}

/// Sets a requirement of a position's model directly (it wins over the tasks').
#[utoipa::path(put, path = "/api/v1/positions/{id}/competency-model/{skill}", tag = "decoding", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Position id"), ("skill" = String, Path, description = "Skill code")),
    request_body = RequirementBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_model_requirement(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, skill)): ApiPath<(i64, String)>,
    ApiJson(body): ApiJson<RequirementBody>,
) -> Result<StatusCode, ApiError> {
    let tier = Tier::parse(&body.tier)?;
    service::competency::set_model_requirement(
        &state,
        &caller.principal,
        id,
        &skill,
        Some((body.required_level, tier)),
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Drops a directly set requirement; the tasks' requirement (if any) applies again.
#[utoipa::path(delete, path = "/api/v1/positions/{id}/competency-model/{skill}", tag = "decoding", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Position id"), ("skill" = String, Path, description = "Skill code")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset_model_requirement(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, skill)): ApiPath<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    service::competency::set_model_requirement(
        &state,
        &caller.principal,
        id,
        &skill,
        None,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(tree))
        .routes(routes!(create_strategy))
        .routes(routes!(create_objective))
        .routes(routes!(create_target))
        .routes(routes!(update_target))
        .routes(routes!(create_task))
        .routes(routes!(set_task_skill, remove_task_skill))
        .routes(routes!(review))
        .routes(routes!(position_model))
        .routes(routes!(set_model_requirement, reset_model_requirement))
}
