//! Reaction surveys: templates, attaching them to sessions, answers and results.

use super::{ApiJson, ApiPath};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::surveys::{
    Answer, AttachInput, ReactionSummary, Survey, SurveyTemplate, TemplateInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Ids of the surveys attached.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachedDto {
    pub ids: Vec<i64>,
}

/// A learner's answers, by question position.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResponseBody {
    #[schema(value_type = Vec<Object>)]
    pub answers: Vec<Answer>,
}

// ----- templates and surveys -------------------------------------------------------

/// Survey templates.
#[utoipa::path(get, path = "/api/v1/survey-templates", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, description = "Array of templates", content_type = "application/json"), (status = 403, body = Problem)))]
pub async fn list_templates(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<SurveyTemplate>>, ApiError> {
    Ok(Json(
        service::surveys::list_survey_templates(&state, &caller.principal).await?,
    ))
}

/// Adds a survey template.
#[utoipa::path(post, path = "/api/v1/survey-templates", tag = "surveys", security(("bearer" = [])),
    request_body(content = Object, description = "code, title, questions [{text, kind: rating|choice|text, dimension (rating: content, instructor, organisation, usefulness, other), options (choice)}], active"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TemplateInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id =
        service::surveys::create_survey_template(&state, &caller.principal, &body, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Replaces a survey template (surveys already attached keep their questions).
#[utoipa::path(put, path = "/api/v1/survey-templates/{id}", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Template id")),
    request_body(content = Object, description = "As when adding"),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TemplateInput>,
) -> Result<StatusCode, ApiError> {
    service::surveys::update_survey_template(&state, &caller.principal, id, &body, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The surveys of a program's sessions.
#[utoipa::path(get, path = "/api/v1/programs/{id}/surveys", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, description = "Array of surveys", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn program_surveys(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Survey>>, ApiError> {
    Ok(Json(
        service::surveys::program_surveys(&state, &caller.principal, id).await?,
    ))
}

/// Attaches a survey from a template to every held session of a program without one.
#[utoipa::path(post, path = "/api/v1/programs/{id}/surveys", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body(content = Object, description = "template_code, anonymous, opens_at and closes_at (RFC 3339; default: each session's start and 7 days after its end)"),
    responses((status = 201, body = AttachedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_program(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AttachInput>,
) -> Result<(StatusCode, Json<AttachedDto>), ApiError> {
    let ids = service::surveys::attach_program_surveys(
        &state,
        &caller.principal,
        id,
        None,
        &body,
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AttachedDto { ids })))
}

/// Attaches a survey from a template to one session (409 if it has one).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/survey", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    request_body(content = Object, description = "template_code, anonymous, opens_at, closes_at"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn attach_session(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AttachInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = service::surveys::attach_session_survey(
        &state,
        &caller.principal,
        id,
        &body,
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Open surveys the caller attended the session of and has not answered.
#[utoipa::path(get, path = "/api/v1/me/surveys", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, description = "Array of surveys", content_type = "application/json")))]
pub async fn my_surveys(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<Survey>>, ApiError> {
    Ok(Json(
        service::surveys::surveys_to_answer(&state, &caller.principal).await?,
    ))
}

/// Answers a survey, once, as an attendee of its session while it is open.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Survey id")),
    request_body(content = ResponseBody, description = "answers: [{question (position from 0), rating (1-5) | choice | text}]"),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn respond(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ResponseBody>,
) -> Result<StatusCode, ApiError> {
    service::surveys::answer_survey(
        &state,
        &caller.principal,
        id,
        &body.answers,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reaction results of a program.
#[utoipa::path(get, path = "/api/v1/programs/{id}/reaction", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, description = "Reaction summary", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn program_reaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReactionSummary>, ApiError> {
    Ok(Json(
        service::surveys::program_reaction(&state, &caller.principal, id)
            .await?
            .summary,
    ))
}

/// Reaction results of a session: program staff and its instructors.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/reaction", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, description = "Reaction summary", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn session_reaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReactionSummary>, ApiError> {
    Ok(Json(
        service::surveys::session_reaction(&state, &caller.principal, id)
            .await?
            .summary,
    ))
}

/// Reaction results of an instructor over their sessions: program staff and the
/// instructor.
#[utoipa::path(get, path = "/api/v1/instructors/{id}/reaction", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Instructor id")),
    responses((status = 200, description = "Reaction summary", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn instructor_reaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ReactionSummary>, ApiError> {
    Ok(Json(
        service::surveys::instructor_reaction(&state, &caller.principal, id)
            .await?
            .summary,
    ))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_templates, create_template))
        .routes(routes!(update_template))
        .routes(routes!(program_surveys, attach_program))
        .routes(routes!(attach_session))
        .routes(routes!(my_surveys))
        .routes(routes!(respond))
        .routes(routes!(program_reaction))
        .routes(routes!(session_reaction))
        .routes(routes!(instructor_reaction))
}
