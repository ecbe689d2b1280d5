//! Transfer to work: practice tasks, reports and reviews, promotion into the case
//! library, behavior-change ratings and a program's transfer summary.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Page;
use domain::practice::{
    AssignmentOutcome, BehaviorRating, PracticeAssignment, PracticeReport, PracticeStatus,
    PracticeTask, RatingInput, ReportReview, TransferSummary,
};
use serde::{Deserialize, Serialize};
use service::practice::{PracticeCriteria, PracticeRole, PracticeView};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Which practice tasks to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PracticeQuery {
    /// mine (the default: the caller's own tasks; all for accounts without an employee), mentoring (tasks the caller mentors) or
    /// all (program staff company-wide, managers their team).
    pub view: Option<String>,
    /// Program id.
    pub program: Option<i64>,
    /// assigned, submitted, returned or reviewed.
    pub status: Option<String>,
    /// Substring of the task title, learner name or employee number.
    pub q: Option<String>,
    /// Only tasks past their due date without a report.
    pub overdue: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of practice tasks.
#[derive(Debug, Serialize, ToSchema)]
pub struct PracticePage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<PracticeTask>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Practice tasks: the caller's own, the ones they mentor, or everybody's in reach.
#[utoipa::path(get, path = "/api/v1/practice-tasks", tag = "practice", security(("bearer" = [])),
    params(PracticeQuery),
    responses((status = 200, body = PracticePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiQuery(query): ApiQuery<PracticeQuery>,
) -> Result<Json<PracticePage>, ApiError> {
    let criteria = PracticeCriteria {
        program_id: query.program,
        status: match query.status.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Some(PracticeStatus::parse(s)?),
            _ => None,
        },
        q: query.q,
        overdue: query.overdue.unwrap_or(false),
    };
    let view = match query.view.as_deref() {
        Some(v) => PracticeView::parse(v)?,
        None => PracticeView::default_for(&caller.principal),
    };
    let page = service::practice::list_practice_tasks(
        &state,
        &caller.principal,
        view,
        &criteria,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(PracticePage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Assigns a practice task to the learners who completed the program (all, or the
/// named ones), with each one's manager or a named colleague as mentor, and schedules
/// behavior ratings at +30 and +90 days after completion.
#[utoipa::path(post, path = "/api/v1/programs/{id}/practice-tasks", tag = "practice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body(content = Object, description = "title, description, due_on (YYYY-MM-DD), mentor {kind: manager} or {kind: colleague, employee_number}, employee_numbers (optional)"),
    responses((status = 201, body = Object, description = "assigned, already_assigned, without_mentor"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PracticeAssignment>,
) -> Result<(StatusCode, Json<AssignmentOutcome>), ApiError> {
    let outcome =
        service::practice::assign_practice(&state, &caller.principal, id, &body, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

/// A task with its reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    #[schema(value_type = Object)]
    pub task: PracticeTask,
    #[schema(value_type = Vec<Object>)]
    pub reports: Vec<PracticeReport>,
    /// learner, mentor, staff or viewer: what the caller may do with it.
    pub role: String,
}

/// One practice task and its reports, for its learner, mentor, program staff and the
/// learner's managers.
#[utoipa::path(get, path = "/api/v1/practice-tasks/{id}", tag = "practice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Practice task id")),
    responses((status = 200, body = TaskDto), (status = 404, body = Problem)))]
pub async fn get_task(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TaskDto>, ApiError> {
    let view = service::practice::practice_task(&state, &caller.principal, id).await?;
    Ok(Json(TaskDto {
        reports: view.reports,
        task: view.task,
        role: match view.role {
            PracticeRole::Learner => "learner",
            PracticeRole::Mentor => "mentor",
            PracticeRole::Staff => "staff",
            PracticeRole::Viewer => "viewer",
        }
        .into(),
    }))
}

/// A practice report.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReportBody {
    /// What the learner did and what came of it.
    pub body: String,
}

/// The learner hands in a report (while the task is assigned or returned).
#[utoipa::path(post, path = "/api/v1/practice-tasks/{id}/report", tag = "practice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Practice task id")),
    request_body = ReportBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_report(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let report = service::practice::submit_practice_report(
        &state,
        &caller.principal,
        id,
        &body.body,
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: report })))
}

/// The mentor (or program staff for them) accepts the latest report with a score, or
/// returns it with a comment.
#[utoipa::path(post, path = "/api/v1/practice-tasks/{id}/review", tag = "practice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Practice task id")),
    request_body(content = Object, description = "decision (accepted or returned), score (0–100, required to accept), comment (required to return)"),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn review(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReportReview>,
) -> Result<StatusCode, ApiError> {
    service::practice::review_practice_report(
        &state,
        &caller.principal,
        id,
        &body,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns an accepted, well-scored report into a draft case in the library.
#[utoipa::path(post, path = "/api/v1/practice-tasks/{id}/promote", tag = "practice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Practice task id")),
    responses((status = 201, body = CreatedDto, description = "The new library resource"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn promote(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let resource =
        service::practice::promote_practice_report(&state, &caller.principal, id, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: resource })))
}

/// A program's transfer to work: tasks by state, mean score, promoted cases and the
/// behavior-change ratings at +30 and +90 days (Kirkpatrick level 3).
#[utoipa::path(get, path = "/api/v1/programs/{id}/transfer", tag = "practice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn transfer(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TransferSummary>, ApiError> {
    Ok(Json(
        service::practice::transfer_summary(&state, &caller.principal, id).await?,
    ))
}

/// Behavior ratings the caller owes or gave, the unrated first.
#[utoipa::path(get, path = "/api/v1/me/behavior-ratings", tag = "practice", security(("bearer" = [])),
    responses((status = 200, body = Object, description = "Array of ratings")))]
pub async fn my_ratings(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
) -> Result<Json<Vec<BehaviorRating>>, ApiError> {
    Ok(Json(
        service::practice::my_behavior_ratings(&state, &caller.principal, false).await?,
    ))
}

/// The rater records the behavior change they observed (1 none … 5 teaches others);
/// open from the due date, once.
#[utoipa::path(post, path = "/api/v1/behavior-ratings/{id}", tag = "practice", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Behavior rating id")),
    request_body(content = Object, description = "rating (1–5), observation"),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: crate::auth::ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RatingInput>,
) -> Result<StatusCode, ApiError> {
    service::practice::rate_behavior(&state, &caller.principal, id, &body, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_tasks))
        .routes(routes!(assign))
        .routes(routes!(get_task))
        .routes(routes!(submit_report))
        .routes(routes!(review))
        .routes(routes!(promote))
        .routes(routes!(transfer))
        .routes(routes!(my_ratings))
        .routes(routes!(rate))
}
