//! Training operations: venues, instructors, plans, programs with their sessions,
//! enrollment with waitlists, check-in and roll call.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::api::dto::rfc3339;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::operations::{
    AttendanceLine, AttendanceStatus, CompletionOutcome, Conflict, EnrollOutcome, Instructor,
    InstructorInput, Plan, PlanInput, ProgramDetail, ProgramFilter, ProgramInput, ProgramStatus,
    ProgramSummary, SessionInput, Unavailability, Venue, VenueInput,
};
use domain::{DomainError, Page};
use serde::{Deserialize, Serialize};
use service::operations::{Enrollees, Learner, SavedSession, SessionRefusal};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

// ----- shared translations ----------------------------------------------------------

/// The 409 of a session that clashes, with the clashes as a `conflicts` array.
fn clash_problem(conflicts: &[Conflict]) -> ApiError {
    let list: Vec<String> = conflicts
        .iter()
        .map(|c| format!("{}: {}", c.kind.code(), c.detail))
        .collect();
    ApiError::new(
        StatusCode::CONFLICT,
        "session-conflict",
        format!(
            "the session clashes ({}); resend with allow_conflicts to keep it anyway",
            list.join("; ")
        ),
    )
    .with_extension(
        "conflicts",
        serde_json::to_value(conflicts).unwrap_or_default(),
    )
}

/// A saved session as the API answers it, or its refusal as a problem.
fn session_answer(saved: Result<SavedSession, SessionRefusal>) -> Result<SessionSaved, ApiError> {
    match saved {
        Ok(saved) => Ok(SessionSaved {
            id: saved.id,
            conflicts: saved.conflicts.iter().map(ConflictDto::from).collect(),
        }),
        Err(SessionRefusal::Clashes(conflicts)) => Err(clash_problem(&conflicts)),
        Err(SessionRefusal::Error(e)) => Err(e.into()),
    }
}

// ----- DTOs -----------------------------------------------------------------------

/// One clash of a session's time, venue or people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictDto {
    /// venue_booked, instructor_booked, instructor_unavailable, learner_booked,
    /// venue_too_small or venue_inactive.
    pub kind: String,
    /// Venue code, instructor code or employee number.
    pub subject: String,
    pub other_session_id: Option<i64>,
    pub detail: String,
}

impl From<&Conflict> for ConflictDto {
    fn from(c: &Conflict) -> Self {
        ConflictDto {
            kind: c.kind.code().into(),
            subject: c.subject.clone(),
            other_session_id: c.other_session_id,
            detail: c.detail.clone(),
        }
    }
}

/// A saved session and the clashes it was saved with (allowed ones).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionSaved {
    pub id: i64,
    pub conflicts: Vec<ConflictDto>,
}

/// A page of programs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ProgramSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Filters and paging of the program list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramsQuery {
    /// Substring of the code or title.
    pub q: Option<String>,
    /// draft, open, running, closed or historical.
    pub status: Option<String>,
    /// Plan code.
    pub plan: Option<String>,
    /// Only programs taking sign-ups now.
    pub open_only: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A status move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProgramStatusBody {
    /// draft, open, running or closed.
    pub status: String,
}

/// The program's status after a move, and on closing what completion settled.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramStatusDto {
    pub status: String,
    /// Set when the move closed the program.
    pub completion: Option<CompletionDto>,
}

/// Learners who completed and who did not when a program closed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionDto {
    pub completed: usize,
    pub incomplete: usize,
}

impl From<CompletionOutcome> for CompletionDto {
    fn from(o: CompletionOutcome) -> Self {
        CompletionDto {
            completed: o.completed,
            incomplete: o.incomplete,
        }
    }
}

/// A conflict check: a session as it would be saved, and the session it moves.
#[derive(Debug, Deserialize)]
pub struct ConflictCheck {
    #[serde(flatten)]
    pub input: SessionInput,
    /// The session being moved, so it does not clash with itself.
    #[serde(default)]
    pub session_id: Option<i64>,
}

/// Who to enrol: exactly one of the three.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EnrollBody {
    /// The caller signs up (open programs only).
    #[serde(default, rename = "self")]
    pub self_: bool,
    /// Employee numbers to assign, within the caller's EnrollPeople scope.
    #[serde(default)]
    pub employees: Option<Vec<String>>,
    /// Push the program to everyone its audience rule matches (programme staff).
    #[serde(default)]
    pub audience: bool,
}

/// What an enrollment request did.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollOutcomeDto {
    pub enrolled: usize,
    pub waitlisted: usize,
    /// Already in the program.
    pub already: usize,
}

impl From<EnrollOutcome> for EnrollOutcomeDto {
    fn from(o: EnrollOutcome) -> Self {
        EnrollOutcomeDto {
            enrolled: o.enrolled,
            waitlisted: o.waitlisted,
            already: o.already,
        }
    }
}

/// A page of enrollments.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<domain::operations::Enrollment>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The enrollments a cancellation moved off the waiting list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CancelledDto {
    /// Enrollment ids now enrolled.
    pub promoted: Vec<i64>,
}

/// How long a check-in code stays valid.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeBody {
    /// 1 to 240.
    pub minutes: i64,
}

/// A live check-in code.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeDto {
    pub code: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// A code shown in the room.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckInBody {
    pub code: String,
}

/// The recorded check-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInDto {
    pub session_id: i64,
    /// present or late.
    pub status: String,
}

/// One learner's mark.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MarkBody {
    pub employee_number: String,
    /// present, late or absent.
    pub status: String,
}

/// A roll call.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RollCallBody {
    pub marks: Vec<MarkBody>,
}

/// How many marks were recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedDto {
    pub recorded: usize,
}

// ----- venues, instructors, plans -------------------------------------------------

/// Venues, by site and code.
#[utoipa::path(get, path = "/api/v1/venues", tag = "operations", security(("bearer" = [])),
    responses((status = 200, description = "Array of venues", content_type = "application/json"), (status = 403, body = Problem)))]
pub async fn list_venues(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<Venue>>, ApiError> {
    Ok(Json(
        service::operations::list_venues(&state, &caller.principal).await?,
    ))
}

/// Adds a venue.
#[utoipa::path(post, path = "/api/v1/venues", tag = "operations", security(("bearer" = [])),
    request_body(content = Object, description = "code, name, site, capacity (1-5000), kind (classroom, workshop, lab, hall, online), equipment"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_venue(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<VenueInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id =
        service::operations::create_venue(&state, &caller.principal, &body, None, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Instructors, internal and external, with their skills and costs.
#[utoipa::path(get, path = "/api/v1/instructors", tag = "operations", security(("bearer" = [])),
    responses((status = 200, description = "Array of instructors", content_type = "application/json"), (status = 403, body = Problem)))]
pub async fn list_instructors(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<Instructor>>, ApiError> {
    Ok(Json(
        service::operations::list_instructors(&state, &caller.principal).await?,
    ))
}

/// Adds an instructor: an employee (employee_number) or an external trainer (vendor).
#[utoipa::path(post, path = "/api/v1/instructors", tag = "operations", security(("bearer" = [])),
    request_body(content = Object, description = "code, name, employee_number or vendor, hourly_cost, skills (codes)"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_instructor(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<InstructorInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id =
        service::operations::create_instructor(&state, &caller.principal, &body, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Records a period an instructor cannot teach; programme staff for anyone, an
/// instructor for themself.
#[utoipa::path(post, path = "/api/v1/instructors/{id}/unavailability", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Instructor id")),
    request_body(content = Object, description = "starts_at, ends_at (RFC 3339), reason"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_unavailability(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Unavailability>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let created = service::operations::add_unavailability(
        &state,
        &caller.principal,
        id,
        &body,
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: created })))
}

/// Training plans, newest period first, with their program counts.
#[utoipa::path(get, path = "/api/v1/plans", tag = "operations", security(("bearer" = [])),
    responses((status = 200, description = "Array of plans", content_type = "application/json"), (status = 403, body = Problem)))]
pub async fn list_plans(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<Plan>>, ApiError> {
    Ok(Json(
        service::operations::list_plans(&state, &caller.principal).await?,
    ))
}

/// Adds a yearly (2026) or quarterly (2026Q3) plan.
#[utoipa::path(post, path = "/api/v1/plans", tag = "operations", security(("bearer" = [])),
    request_body(content = Object, description = "code, name, period (2026 or 2026Q3)"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<PlanInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id =
        service::operations::create_plan(&state, &caller.principal, &body, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

// ----- programs -------------------------------------------------------------------

/// Programs, open ones first; every signed-in employee may browse them.
#[utoipa::path(get, path = "/api/v1/programs", tag = "operations", security(("bearer" = [])),
    params(ProgramsQuery),
    responses((status = 200, body = ProgramPage), (status = 422, body = Problem)))]
pub async fn list_programs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ProgramsQuery>,
) -> Result<Json<ProgramPage>, ApiError> {
    let status = match query.status.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(ProgramStatus::parse(s)?),
        _ => None,
    };
    let filter = ProgramFilter {
        q: query.q,
        status,
        plan_code: query.plan,
        open_only: query.open_only.unwrap_or(false),
        hide_drafts: true,
    };
    let page = service::operations::list_programs(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(ProgramPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Adds a program as a draft.
#[utoipa::path(post, path = "/api/v1/programs", tag = "operations", security(("bearer" = [])),
    request_body(content = Object, description = "code, title, plan_code, objectives, audience {departments, positions, tags, employees}, capacity, hours, credits, skills [{code, level}], resources, instructors, costs [{kind, amount, note}], transfer {kpi_code, change_pct, months}, min_attendance_pct (default 80), cancel_deadline_hours (default 24)"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_program(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ProgramInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = service::operations::create_program(
        &state,
        &caller.principal,
        &body,
        None,
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// A program with its audience, costs, transfer goal and sessions.
#[utoipa::path(get, path = "/api/v1/programs/{id}", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, description = "The program in full", content_type = "application/json"), (status = 404, body = Problem)))]
pub async fn get_program(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProgramDetail>, ApiError> {
    Ok(Json(
        service::operations::get_program(&state, &caller.principal, id).await?,
    ))
}

/// Replaces a program's fields; sessions and enrollments stay, and a larger capacity
/// moves people off the waiting list.
#[utoipa::path(put, path = "/api/v1/programs/{id}", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body(content = Object, description = "As for creating a program"),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_program(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProgramInput>,
) -> Result<StatusCode, ApiError> {
    service::operations::update_program(
        &state,
        &caller.principal,
        id,
        &body,
        None,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves a program to draft, open, running or closed; closing settles completion by
/// the program's minimum attendance.
#[utoipa::path(post, path = "/api/v1/programs/{id}/status", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body = ProgramStatusBody,
    responses((status = 200, body = ProgramStatusDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_program_status(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProgramStatusBody>,
) -> Result<Json<ProgramStatusDto>, ApiError> {
    let status = ProgramStatus::parse(&body.status)?;
    let completion = service::operations::set_program_status(
        &state,
        &caller.principal,
        id,
        status,
        &caller.actor(),
    )
    .await?;
    Ok(Json(ProgramStatusDto {
        status: status.code().into(),
        completion: completion.map(CompletionDto::from),
    }))
}

// ----- sessions -------------------------------------------------------------------

/// Adds a session to a program. Clashes of venue, instructors or learners refuse it
/// with 409 and a `conflicts` array, unless allow_conflicts is set.
#[utoipa::path(post, path = "/api/v1/programs/{id}/sessions", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body(content = Object, description = "title, starts_at, ends_at (RFC 3339), mode (classroom, online, blended), venue_code, capacity, join_url, instructors (codes), allow_conflicts"),
    responses((status = 201, body = SessionSaved), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, description = "Problem with a `conflicts` array of {kind, subject, other_session_id, detail}", body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_session(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(program_id): ApiPath<i64>,
    ApiJson(body): ApiJson<SessionInput>,
) -> Result<(StatusCode, Json<SessionSaved>), ApiError> {
    let saved = session_answer(
        service::operations::add_session(
            &state,
            &caller.principal,
            program_id,
            &body,
            &caller.actor(),
        )
        .await,
    )?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Moves or changes a session, checked for clashes as when adding one.
#[utoipa::path(put, path = "/api/v1/sessions/{id}", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    request_body(content = Object, description = "As for adding a session"),
    responses((status = 200, body = SessionSaved), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, description = "Problem with a `conflicts` array", body = Problem), (status = 422, body = Problem)))]
pub async fn move_session(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SessionInput>,
) -> Result<Json<SessionSaved>, ApiError> {
    let saved = session_answer(
        service::operations::move_session(&state, &caller.principal, id, &body, &caller.actor())
            .await,
    )?;
    Ok(Json(saved))
}

/// Cancels a session: it leaves calendars and no longer counts for attendance.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/cancel", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cancel_session(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::operations::cancel_session(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Checks a session against the calendars without saving it.
#[utoipa::path(post, path = "/api/v1/programs/{id}/conflicts", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body(content = Object, description = "A session as for adding one, plus session_id when checking a move"),
    responses((status = 200, body = Vec<ConflictDto>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn check_conflicts(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(program_id): ApiPath<i64>,
    ApiJson(body): ApiJson<ConflictCheck>,
) -> Result<Json<Vec<ConflictDto>>, ApiError> {
    let conflicts = service::operations::check_conflicts(
        &state,
        &caller.principal,
        program_id,
        &body.input,
        body.session_id,
    )
    .await?;
    Ok(Json(conflicts.iter().map(ConflictDto::from).collect()))
}

// ----- enrollment ------------------------------------------------------------------

/// Enrols into a program: the caller (`self`), named people (`employees`, within the
/// caller's scope) or the program's audience (`audience`, programme staff). Seats go
/// first come first served; the rest wait.
#[utoipa::path(post, path = "/api/v1/programs/{id}/enrollments", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    request_body = EnrollBody,
    responses((status = 200, body = EnrollOutcomeDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn enroll(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(program_id): ApiPath<i64>,
    ApiJson(body): ApiJson<EnrollBody>,
) -> Result<Json<EnrollOutcomeDto>, ApiError> {
    let chosen = [body.self_, body.employees.is_some(), body.audience]
        .iter()
        .filter(|b| **b)
        .count();
    if chosen != 1 {
        return Err(DomainError::invalid(
            "self",
            "send exactly one of self: true, employees: [...] or audience: true",
        )
        .into());
    }
    let who = match body.employees {
        _ if body.self_ => Enrollees::Myself,
        Some(numbers) => Enrollees::People(numbers),
        None => Enrollees::Audience,
    };
    let outcome =
        service::operations::enroll(&state, &caller.principal, program_id, who, &caller.actor())
            .await?;
    Ok(Json(outcome.into()))
}

/// A program's enrollments of the people in the caller's scope, waiting list in order.
#[utoipa::path(get, path = "/api/v1/programs/{id}/enrollments", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id"), PageQuery),
    responses((status = 200, body = EnrollmentPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_enrollments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(program_id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<EnrollmentPage>, ApiError> {
    let page = service::operations::list_enrollments(
        &state,
        &caller.principal,
        program_id,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(EnrollmentPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Cancels an enrollment and gives the seat to the first person waiting. Learners
/// cancelling their own are held to the program's deadline; staff are not.
#[utoipa::path(post, path = "/api/v1/enrollments/{id}/cancel", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Enrollment id")),
    responses((status = 200, body = CancelledDto), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel_enrollment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CancelledDto>, ApiError> {
    let cancelled =
        service::operations::cancel_enrollment(&state, &caller.principal, id, &caller.actor())
            .await?;
    Ok(Json(CancelledDto {
        promoted: cancelled.promoted,
    }))
}

/// The caller's own enrollments, newest first.
#[utoipa::path(get, path = "/api/v1/me/enrollments", tag = "operations", security(("bearer" = [])),
    responses((status = 200, description = "Array of enrollments", content_type = "application/json")))]
pub async fn my_enrollments(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<domain::operations::Enrollment>>, ApiError> {
    Ok(Json(
        service::operations::my_enrollments(&state, &caller.principal).await?,
    ))
}

// ----- attendance -----------------------------------------------------------------

/// Issues a fresh check-in code for a session the caller teaches (or any, for
/// programme staff); the previous code stops working.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/checkin-code", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    request_body = CodeBody,
    responses((status = 200, body = CodeDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_code(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Json<CodeDto>, ApiError> {
    let (code, expires) = service::operations::issue_checkin_code(
        &state,
        &caller.principal,
        id,
        body.minutes,
        &caller.actor(),
    )
    .await?;
    Ok(Json(CodeDto {
        code,
        expires_at: rfc3339(expires),
    }))
}

/// Checks the caller in with the code shown in the room; late after ten minutes.
#[utoipa::path(post, path = "/api/v1/checkin", tag = "operations", security(("bearer" = [])),
    request_body = CheckInBody,
    responses((status = 200, body = CheckInDto), (status = 422, body = Problem)))]
pub async fn check_in(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CheckInBody>,
) -> Result<Json<CheckInDto>, ApiError> {
    let (session_id, status) =
        service::operations::check_in(&state, &caller.principal, &body.code, &caller.actor())
            .await?;
    Ok(Json(CheckInDto {
        session_id,
        status: status.code().into(),
    }))
}

/// A session's attendance sheet: every enrolled learner and what is recorded.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/attendance", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, description = "Array of {employee_id, employee_number, employee_name, status, method}", content_type = "application/json"),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn attendance(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<AttendanceLine>>, ApiError> {
    Ok(Json(
        service::operations::attendance_sheet(&state, &caller.principal, id).await?,
    ))
}

/// Records a roll call; every learner named must be enrolled, or nothing is written.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/roll-call", tag = "operations", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    request_body = RollCallBody,
    responses((status = 200, body = RecordedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn roll_call(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RollCallBody>,
) -> Result<Json<RecordedDto>, ApiError> {
    let mut marks = Vec::with_capacity(body.marks.len());
    for (i, mark) in body.marks.into_iter().enumerate() {
        let status = AttendanceStatus::parse(&mark.status).map_err(|e| match e {
            DomainError::Validation { message, .. } => {
                DomainError::invalid(format!("marks[{i}].status"), message)
            }
            other => other,
        })?;
        marks.push((Learner::Number(mark.employee_number), status));
    }
    let recorded =
        service::operations::roll_call(&state, &caller.principal, id, &marks, &caller.actor())
            .await?;
    Ok(Json(RecordedDto { recorded }))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_venues, create_venue))
        .routes(routes!(list_instructors, create_instructor))
        .routes(routes!(add_unavailability))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(list_programs, create_program))
        .routes(routes!(get_program, update_program))
        .routes(routes!(set_program_status))
        .routes(routes!(create_session))
        .routes(routes!(move_session))
        .routes(routes!(cancel_session))
        .routes(routes!(check_conflicts))
        .routes(routes!(list_enrollments, enroll))
        .routes(routes!(cancel_enrollment))
        .routes(routes!(my_enrollments))
        .routes(routes!(issue_code))
        .routes(routes!(check_in))
        .routes(routes!(attendance))
        .routes(routes!(roll_call))
}
