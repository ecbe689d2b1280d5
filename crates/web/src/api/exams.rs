//! Exams: the question bank, exam papers, taking an exam (start, answer, submit),
//! grading of short answers, results and the learning gain of a program.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::exams::{
    Attempt, AttemptDetail, AttemptFilter, AttemptStatus, Exam, ExamFilter, ExamInput, ExamStats,
    ExamStatus, GradingTask, LearningGain, MyExam, Question, QuestionFilter, QuestionInput,
    QuestionKind, parse_difficulty,
};
use domain::{DomainResult, Page};
use serde::{Deserialize, Serialize};
use service::exams::{self as exams, visible_attempt};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

// ----- DTOs -----------------------------------------------------------------------

/// Filters and paging of the question bank.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuestionsQuery {
    /// Skill code.
    pub skill: Option<String>,
    /// single_choice, multiple_choice, true_false, fill_in or short_answer.
    pub kind: Option<String>,
    /// 1-3 or easy, medium, hard.
    pub difficulty: Option<String>,
    /// Substring of the stem.
    pub q: Option<String>,
    /// Include deactivated questions.
    pub include_inactive: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Question>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Whether a question may be drawn.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActiveBody {
    pub active: bool,
}

/// Filters and paging of the exam list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExamsQuery {
    /// Substring of the code or title.
    pub q: Option<String>,
    /// Program id.
    pub program: Option<i64>,
    /// Skill code.
    pub skill: Option<String>,
    /// draft, published or closed.
    pub status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of exams.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExamPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Exam>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// An exam's status move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExamStatusBody {
    /// draft, published or closed.
    pub status: String,
}

/// Filters and paging of an exam's attempts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttemptsQuery {
    /// in_progress, grading or graded.
    pub status: Option<String>,
    pub passed: Option<bool>,
    /// Substring of the employee's number or name.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// An exam's results: figures and a page of attempts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsDto {
    #[schema(value_type = Object)]
    pub stats: ExamStats,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Attempt>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// One response: option letters, `true`/`false`, or the text typed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResponseBody {
    /// The question's position on the paper (1-based).
    pub position: i32,
    pub response: Vec<String>,
}

/// Responses to save.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswersBody {
    pub answers: Vec<ResponseBody>,
}

/// A submission, with last responses to save first.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitBody {
    #[serde(default)]
    pub answers: Vec<ResponseBody>,
}

/// How many responses were saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedDto {
    pub saved: usize,
}

/// A short answer's score.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GradeBody {
    /// The question's position on the paper.
    pub position: i32,
    /// 0 to the question's points.
    pub points: f64,
}

/// The attempt's status after grading.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradedDto {
    /// grading while other answers wait, graded when the result is final.
    pub status: String,
}

/// A page of short answers waiting for a grader.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradingPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<GradingTask>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GradingQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

fn responses_of(answers: &[ResponseBody]) -> Vec<(i32, Vec<String>)> {
    answers
        .iter()
        .map(|a| (a.position, a.response.clone()))
        .collect()
}

// ----- question bank ----------------------------------------------------------------

/// The question bank, by skill, kind, difficulty and stem text (programme staff).
#[utoipa::path(get, path = "/api/v1/exam-questions", tag = "exams", security(("bearer" = [])),
    params(QuestionsQuery),
    responses((status = 200, body = QuestionPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_questions(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<QuestionsQuery>,
) -> Result<Json<QuestionPage>, ApiError> {
    let filter = (|| -> DomainResult<QuestionFilter> {
        Ok(QuestionFilter {
            skill_code: query.skill,
            kind: query
                .kind
                .as_deref()
                .filter(|k| !k.trim().is_empty())
                .map(QuestionKind::parse)
                .transpose()?,
            difficulty: query
                .difficulty
                .as_deref()
                .filter(|d| !d.trim().is_empty())
                .map(parse_difficulty)
                .transpose()?,
            q: query.q,
            include_inactive: query.include_inactive.unwrap_or(false),
        })
    })();
    let page = exams::list_questions(
        &state,
        &caller.principal,
        filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(QuestionPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Adds a question to a skill's bank.
#[utoipa::path(post, path = "/api/v1/exam-questions", tag = "exams", security(("bearer" = [])),
    request_body(content = Object, description = "skill_code, kind (single_choice, multiple_choice, true_false, fill_in, short_answer), difficulty (1-3), stem, options (choice kinds), answers (option letters, true/false, accepted texts or a reference answer), points, explanation"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_question(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<QuestionInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = exams::create_question(&state, &caller.principal, &caller.actor(), Ok(body)).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// One question with its key.
#[utoipa::path(get, path = "/api/v1/exam-questions/{id}", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Question id")),
    responses((status = 200, description = "The question", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_question(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Question>, ApiError> {
    Ok(Json(exams::question(&state, &caller.principal, id).await?))
}

/// Changes a question; papers already drawn keep it as it was.
#[utoipa::path(put, path = "/api/v1/exam-questions/{id}", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Question id")),
    request_body(content = Object, description = "As for adding a question"),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_question(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<QuestionInput>,
) -> Result<StatusCode, ApiError> {
    exams::update_question(&state, &caller.principal, &caller.actor(), id, Ok(body)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deactivates or reactivates a question.
#[utoipa::path(post, path = "/api/v1/exam-questions/{id}/active", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Question id")),
    request_body = ActiveBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn set_question_active(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ActiveBody>,
) -> Result<StatusCode, ApiError> {
    exams::set_question_active(&state, &caller.principal, &caller.actor(), id, body.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----- exams --------------------------------------------------------------------------

/// Exams, by code (programme staff).
#[utoipa::path(get, path = "/api/v1/exams", tag = "exams", security(("bearer" = [])),
    params(ExamsQuery),
    responses((status = 200, body = ExamPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_exams(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ExamsQuery>,
) -> Result<Json<ExamPage>, ApiError> {
    let filter = (|| -> DomainResult<ExamFilter> {
        Ok(ExamFilter {
            q: query.q,
            program_id: query.program,
            skill_code: query.skill,
            status: query
                .status
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(ExamStatus::parse)
                .transpose()?,
        })
    })();
    let page = exams::list_exams(
        &state,
        &caller.principal,
        filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(ExamPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Adds an exam (as a draft).
#[utoipa::path(post, path = "/api/v1/exams", tag = "exams", security(("bearer" = [])),
    request_body(content = Object, description = "code, title, program_code (none: standalone), purpose (pre_test, post_test, final), skill_code, draw_easy, draw_medium, draw_hard, time_limit_minutes, pass_mark_pct, max_attempts, retake_wait_hours"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_exam(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ExamInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = exams::create_exam(&state, &caller.principal, &caller.actor(), Ok(body)).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// One exam with its rules.
#[utoipa::path(get, path = "/api/v1/exams/{id}", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Exam id")),
    responses((status = 200, description = "The exam", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_exam(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Exam>, ApiError> {
    Ok(Json(exams::exam(&state, &caller.principal, id).await?))
}

/// Changes an exam's rules; attempts already taken keep their papers.
#[utoipa::path(put, path = "/api/v1/exams/{id}", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Exam id")),
    request_body(content = Object, description = "As for adding an exam"),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_exam(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ExamInput>,
) -> Result<StatusCode, ApiError> {
    exams::update_exam(&state, &caller.principal, &caller.actor(), id, Ok(body)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes (the bank must hold enough questions), closes or returns an exam to draft.
#[utoipa::path(post, path = "/api/v1/exams/{id}/status", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Exam id")),
    request_body = ExamStatusBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_exam_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ExamStatusBody>,
) -> Result<StatusCode, ApiError> {
    exams::set_exam_status(&state, &caller.principal, &caller.actor(), id, &body.status).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An exam's results: pass rate, mean, score distribution and the attempts of the
/// people in the caller's reach (programme staff, the program's instructors).
#[utoipa::path(get, path = "/api/v1/exams/{id}/attempts", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Exam id"), AttemptsQuery),
    responses((status = 200, body = ResultsDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn exam_results(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<AttemptsQuery>,
) -> Result<Json<ResultsDto>, ApiError> {
    let filter = (|| -> DomainResult<AttemptFilter> {
        Ok(AttemptFilter {
            status: query
                .status
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(AttemptStatus::parse)
                .transpose()?,
            passed: query.passed,
            q: query.q,
        })
    })();
    let results = exams::exam_results(
        &state,
        &caller.principal,
        id,
        filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let page = results.attempts;
    Ok(Json(ResultsDto {
        stats: results.stats,
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

// ----- taking an exam ---------------------------------------------------------------

/// Starts an attempt (or returns the one running): draws the paper and starts the
/// clock. Learners of the exam's program, anyone for a standalone exam.
#[utoipa::path(post, path = "/api/v1/exams/{id}/attempts", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Exam id")),
    responses((status = 201, description = "The attempt with its questions, without the key", content_type = "application/json"),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn start_attempt(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<AttemptDetail>), ApiError> {
    let detail = exams::start_attempt(&state, &caller.principal, &caller.actor(), id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// An attempt: the learner's own (the key and correctness only after submission),
/// or one a grader or programme staff may see.
#[utoipa::path(get, path = "/api/v1/attempts/{id}", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Attempt id")),
    responses((status = 200, description = "The attempt with its questions", content_type = "application/json"), (status = 404, body = Problem)))]
pub async fn get_attempt(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AttemptDetail>, ApiError> {
    Ok(Json(visible_attempt(&state, &caller.principal, id).await?))
}

/// Saves responses of one's running attempt; refused once the time is up (the
/// attempt is then submitted with what was saved).
#[utoipa::path(put, path = "/api/v1/attempts/{id}/answers", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Attempt id")),
    request_body = AnswersBody,
    responses((status = 200, body = SavedDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn save_answers(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AnswersBody>,
) -> Result<Json<SavedDto>, ApiError> {
    let saved = exams::save_answers(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        &responses_of(&body.answers),
    )
    .await?;
    Ok(Json(SavedDto { saved }))
}

/// Submits one's attempt and grades it; short answers wait for a grader.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/submit", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Attempt id")),
    request_body = SubmitBody,
    responses((status = 200, description = "The attempt with its questions, key and correctness", content_type = "application/json"),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn submit_attempt(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SubmitBody>,
) -> Result<Json<AttemptDetail>, ApiError> {
    let detail = exams::submit_attempt(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        &responses_of(&body.answers),
    )
    .await?;
    Ok(Json(detail))
}

/// The caller's exams: standalone ones and those of their programs, with attempts
/// and whether a new attempt may start.
#[utoipa::path(get, path = "/api/v1/me/exams", tag = "exams", security(("bearer" = [])),
    responses((status = 200, description = "Array of exams with the caller's attempts", content_type = "application/json")))]
pub async fn my_exams(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<MyExam>>, ApiError> {
    Ok(Json(exams::my_exams(&state, &caller.principal).await?))
}

// ----- grading ------------------------------------------------------------------------

/// Short answers waiting for the caller: every exam for programme staff, the exams
/// of the programs an instructor teaches.
#[utoipa::path(get, path = "/api/v1/grading", tag = "exams", security(("bearer" = [])),
    params(GradingQuery),
    responses((status = 200, body = GradingPage), (status = 403, body = Problem)))]
pub async fn grading_queue(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<GradingQuery>,
) -> Result<Json<GradingPage>, ApiError> {
    let page = exams::grading_queue(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(GradingPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Scores a short answer; the attempt's result is final once nothing else waits.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/grades", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Attempt id")),
    request_body = GradeBody,
    responses((status = 200, body = GradedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn grade(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<GradeBody>,
) -> Result<Json<GradedDto>, ApiError> {
    let status = exams::grade_answer(
        &state,
        &caller.principal,
        &caller.actor(),
        id,
        Ok((body.position, body.points)),
    )
    .await?;
    Ok(Json(GradedDto {
        status: status.code().into(),
    }))
}

// ----- learning gain --------------------------------------------------------------------

/// A program's learning gain (Kirkpatrick level 2): per learner post-test − pre-test
/// on the same skill, the means, the number paired and the normalised gain.
#[utoipa::path(get, path = "/api/v1/programs/{id}/learning-gain", tag = "exams", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, description = "The learning gain", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn learning_gain(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<LearningGain>, ApiError> {
    // The figures are the program's; names only for company-wide programme staff.
    Ok(Json(
        exams::learning_gain(&state, &caller.principal, id).await?,
    ))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_questions, create_question))
        .routes(routes!(get_question, update_question))
        .routes(routes!(set_question_active))
        .routes(routes!(list_exams, create_exam))
        .routes(routes!(get_exam, update_exam))
        .routes(routes!(set_exam_status))
        .routes(routes!(exam_results, start_attempt))
        .routes(routes!(get_attempt))
        .routes(routes!(save_answers))
        .routes(routes!(submit_attempt))
        .routes(routes!(my_exams))
        .routes(routes!(grading_queue))
        .routes(routes!(grade))
        .routes(routes!(learning_gain))
}
