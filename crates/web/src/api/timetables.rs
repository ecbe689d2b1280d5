//! The scheduler: draft timetables for a plan or a program (generate, evaluate, move
//! and pin by hand, re-solve, publish) and the working calendars they respect.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::timetables::{
    CalendarBlock, CalendarBlockInput, TimetableFilter, TimetableRequest, TimetableStatus,
    TimetableSummary,
};
use domain::{DomainError, Page};
use serde::{Deserialize, Serialize};
use service::operations::VenueScheduling;
use service::timetables::{DraftView, EntryChange, Published};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Filters and paging of the timetable list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimetablesQuery {
    /// draft, published or discarded.
    pub status: Option<String>,
    /// Plan code: the plan's timetables and those of its programs.
    pub plan: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of timetables.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimetablePage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<TimetableSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A move or pin of one entry; every field optional.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryBody {
    /// New start (RFC 3339), on the hour of a working day of the window, 09:00–16:00.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// Venue code; an empty string: no venue (online sessions).
    #[serde(default)]
    pub venue_code: Option<String>,
    /// Instructor code; an empty string: no instructor.
    #[serde(default)]
    pub instructor_code: Option<String>,
    #[serde(default)]
    pub pinned: Option<bool>,
}

/// Publishing; `anyway` keeps hard conflicts (recorded in the audit log).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PublishBody {
    #[serde(default)]
    pub anyway: bool,
}

/// Paging of the calendar blocks.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BlocksQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of calendar blocks.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<CalendarBlock>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A venue's hourly rate and owner, as the scheduler uses them.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VenueSchedulingBody {
    /// ¥ per hour, at least 0.
    #[serde(default)]
    pub hourly_rate: f64,
    /// Employee number of the person told about the venue's changed bookings; none: nobody.
    #[serde(default)]
    pub owner_employee_number: Option<String>,
}

/// Draft and published timetables, newest first.
#[utoipa::path(get, path = "/api/v1/timetables", tag = "scheduler", security(("bearer" = [])),
    params(TimetablesQuery),
    responses((status = 200, body = TimetablePage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_timetables(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<TimetablesQuery>,
) -> Result<Json<TimetablePage>, ApiError> {
    let filter = TimetableFilter {
        status: match query.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(TimetableStatus::parse(s)?),
        },
        plan_code: query.plan,
    };
    let paged = service::timetables::list_timetables(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(TimetablePage {
        items: paged.items,
        total: paged.total,
        page: paged.page,
        per_page: paged.per_page,
    }))
}

/// Generates a draft timetable for a plan (its draft, open and running programs) or a
/// program over a window: `fresh` solves from scratch, `repair` moves as few sessions
/// as possible. The solver runs for time_limit_secs (1–60, default 5) with the seed.
#[utoipa::path(post, path = "/api/v1/timetables", tag = "scheduler", security(("bearer" = [])),
    request_body(content = Object, description = "plan_code or program_code, from, to (YYYY-MM-DD), mode (fresh or repair), time_limit_secs, seed"),
    responses((status = 201, body = DraftView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_timetable(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<TimetableRequest>,
) -> Result<(StatusCode, Json<DraftView>), ApiError> {
    let view =
        service::timetables::generate_timetable(&state, &caller.principal, &body, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// A timetable: its entries, the cost broken down by constraint, the conflicts it
/// could not avoid and the diff against the current timetable.
#[utoipa::path(get, path = "/api/v1/timetables/{id}", tag = "scheduler", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Timetable id")),
    responses((status = 200, body = DraftView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_timetable(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DraftView>, ApiError> {
    Ok(Json(
        service::timetables::get_timetable(&state, &caller.principal, id).await?,
    ))
}

/// Moves (start, venue, instructor) or pins one entry of a draft and returns the
/// re-evaluated draft: a move into conflicts is kept and flagged in the entry's
/// `conflicts`.
#[utoipa::path(post, path = "/api/v1/timetables/{id}/entries/{session_id}", tag = "scheduler", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Timetable id"), ("session_id" = i64, Path, description = "Session id")),
    request_body = EntryBody,
    responses((status = 200, body = DraftView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_entry(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, session_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<EntryBody>,
) -> Result<Json<DraftView>, ApiError> {
    let starts_at = match body.starts_at.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            DomainError::invalid(
                "starts_at",
                "must be an RFC 3339 time such as 2026-03-02T09:00:00+08:00",
            )
        })?),
    };
    let change = EntryChange {
        starts_at,
        venue_code: body.venue_code,
        instructor_code: body.instructor_code,
        pinned: body.pinned,
    };
    Ok(Json(
        service::timetables::change_timetable_entry(
            &state,
            &caller.principal,
            id,
            session_id,
            &change,
            &caller.actor(),
        )
        .await?,
    ))
}

/// Runs the solver again on a draft, keeping its pinned entries.
#[utoipa::path(post, path = "/api/v1/timetables/{id}/resolve", tag = "scheduler", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Timetable id")),
    responses((status = 200, body = DraftView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn resolve_timetable(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DraftView>, ApiError> {
    Ok(Json(
        service::timetables::resolve_timetable(&state, &caller.principal, id, &caller.actor())
            .await?,
    ))
}

/// Publishes a draft: the sessions move in one transaction, each change is audited and
/// the learners, instructors and venue owners concerned are notified. 409 when the
/// draft is not a draft, a session changed since it was made, or hard conflicts remain
/// without `anyway`.
#[utoipa::path(post, path = "/api/v1/timetables/{id}/publish", tag = "scheduler", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Timetable id")),
    request_body = PublishBody,
    responses((status = 200, body = Published), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn publish_timetable(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PublishBody>,
) -> Result<Json<Published>, ApiError> {
    Ok(Json(
        service::timetables::publish_timetable(
            &state,
            &caller.principal,
            id,
            body.anyway,
            &caller.actor(),
        )
        .await?,
    ))
}

/// Discards a draft.
#[utoipa::path(post, path = "/api/v1/timetables/{id}/discard", tag = "scheduler", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Timetable id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn discard_timetable(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::timetables::discard_timetable(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Working-calendar blocks (holidays, production peaks, shifts), latest first.
#[utoipa::path(get, path = "/api/v1/calendar-blocks", tag = "scheduler", security(("bearer" = [])),
    params(BlocksQuery),
    responses((status = 200, body = BlockPage), (status = 403, body = Problem)))]
pub async fn list_blocks(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<BlocksQuery>,
) -> Result<Json<BlockPage>, ApiError> {
    let paged = service::timetables::list_calendar_blocks(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(BlockPage {
        items: paged.items,
        total: paged.total,
        page: paged.page,
        per_page: paged.per_page,
    }))
}

/// Adds a block: days on which a department's people (its whole subtree) or everyone
/// cannot attend training; with daily_from/daily_to only that part of each day.
#[utoipa::path(post, path = "/api/v1/calendar-blocks", tag = "scheduler", security(("bearer" = [])),
    request_body(content = Object, description = "starts_on, ends_on (YYYY-MM-DD), department_code (none: company-wide), kind (holiday, production_peak, shift, other), note, daily_from, daily_to (HH:MM)"),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_block(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<CalendarBlockInput>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = service::timetables::create_calendar_block(
        &state,
        &caller.principal,
        &body,
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Removes a block.
#[utoipa::path(delete, path = "/api/v1/calendar-blocks/{id}", tag = "scheduler", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Block id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_block(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::timetables::delete_calendar_block(&state, &caller.principal, id, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a venue's hourly rate and owner.
#[utoipa::path(post, path = "/api/v1/venues/{id}/scheduling", tag = "scheduler", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Venue id")),
    request_body = VenueSchedulingBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_venue_scheduling(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<VenueSchedulingBody>,
) -> Result<StatusCode, ApiError> {
    let scheduling = VenueScheduling {
        hourly_rate: body.hourly_rate,
        owner_employee_number: body.owner_employee_number,
    };
    service::operations::set_venue_scheduling(
        &state,
        &caller.principal,
        id,
        &scheduling,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_timetables, create_timetable))
        .routes(routes!(get_timetable))
        .routes(routes!(change_entry))
        .routes(routes!(resolve_timetable))
        .routes(routes!(publish_timetable))
        .routes(routes!(discard_timetable))
        .routes(routes!(list_blocks, create_block))
        .routes(routes!(delete_block))
        .routes(routes!(set_venue_scheduling))
}
