//! Administration: accounts and roles, the audit log, background jobs.

use super::dto::{AuditDto, AuditPage, GrantInput, JobDto, NewUserInput, UserDto, UserPage};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::audit::AuditFilter;
use domain::{DomainError, Page};
use serde::Deserialize;
use service::accounts::{AccountInput, GrantCodes};
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Filters and paging of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Substring of username or display name.
    pub q: Option<String>,
    /// Only holders of this role.
    pub role: Option<String>,
    pub active: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Accounts (system admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", security(("bearer" = [])),
    params(UserQuery), responses((status = 200, body = UserPage), (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> Result<Json<UserPage>, ApiError> {
    let page = service::accounts::list_users(
        &state,
        &caller.principal,
        query.q,
        query.role.as_deref(),
        query.active,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(UserPage {
        items: page.items.into_iter().map(UserDto::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Creates an account with its roles (system admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", security(("bearer" = [])),
    request_body = NewUserInput,
    responses((status = 201, body = UserDto), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<NewUserInput>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    let account = AccountInput {
        username: input.username,
        display_name: input.display_name,
        password: input.password,
        employee_no: input.employee_no,
        grants: input
            .grants
            .iter()
            .map(|g| GrantCodes::new(&g.role, &g.scope, g.department_code.as_deref()))
            .collect(),
    };
    let user = service::accounts::create_account(
        &state,
        Some(&caller.principal),
        account,
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Disables an account: its sessions end and its tokens are revoked.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::accounts::set_account_active(&state, &caller.principal, id, false, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables an account again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn enable_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::accounts::set_account_active(&state, &caller.principal, id, true, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Grants a role with a scope.
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")), request_body = GrantInput,
    responses((status = 200, body = UserDto), (status = 422, body = Problem)))]
pub async fn add_grant(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<GrantInput>,
) -> Result<Json<UserDto>, ApiError> {
    let codes = GrantCodes::new(&input.role, &input.scope, input.department_code.as_deref());
    let user = service::accounts::add_grant(&state, &caller.principal, id, &codes, &caller.actor())
        .await?;
    Ok(Json(user.into()))
}

/// Revokes a role grant.
#[utoipa::path(delete, path = "/api/v1/users/{id}/grants", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id"), GrantInput),
    responses((status = 200, body = UserDto), (status = 404, body = Problem)))]
pub async fn remove_grant(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(input): ApiQuery<GrantInput>,
) -> Result<Json<UserDto>, ApiError> {
    let codes = GrantCodes::new(&input.role, &input.scope, input.department_code.as_deref());
    let user =
        service::accounts::remove_grant(&state, &caller.principal, id, &codes, &caller.actor())
            .await?;
    Ok(Json(user.into()))
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Username of the actor (exact).
    pub actor: Option<String>,
    /// Action prefix, e.g. `account.`.
    pub action: Option<String>,
    pub entity_kind: Option<String>,
    /// Start (RFC 3339 or YYYY-MM-DD, inclusive).
    pub from: Option<String>,
    /// End (RFC 3339 or YYYY-MM-DD, exclusive).
    pub to: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Parses an RFC 3339 instant or a date (midnight UTC+8, the company's zone).
pub fn parse_instant(
    field: &str,
    text: Option<&str>,
) -> Result<Option<OffsetDateTime>, DomainError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Ok(Some(t));
    }
    let date = time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        DomainError::invalid(
            field,
            format!("'{text}' is not a date (YYYY-MM-DD) or an RFC 3339 time"),
        )
    })?;
    Ok(Some(
        date.midnight().assume_offset(time::macros::offset!(+8)),
    ))
}

impl AuditQuery {
    /// The domain filter.
    pub fn filter(&self) -> Result<AuditFilter, DomainError> {
        Ok(AuditFilter {
            actor: self.actor.clone(),
            action: self.action.clone(),
            entity_kind: self.entity_kind.clone(),
            from: parse_instant("from", self.from.as_deref())?,
            to: parse_instant("to", self.to.as_deref())?,
        })
    }
}

/// The audit log, newest first (system admins).
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", security(("bearer" = [])),
    params(AuditQuery), responses((status = 200, body = AuditPage), (status = 403, body = Problem)))]
pub async fn list_audit(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let page = service::audit::list_audit(
        &state,
        &caller.principal,
        &query.filter()?,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(AuditPage {
        items: page.items.into_iter().map(AuditDto::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Filter of the job list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// queued, running, succeeded or failed.
    pub status: Option<String>,
}

/// Recent background jobs (system admins).
#[utoipa::path(get, path = "/api/v1/jobs", tag = "admin", security(("bearer" = [])),
    params(JobQuery), responses((status = 200, body = Vec<JobDto>), (status = 403, body = Problem)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> Result<Json<Vec<JobDto>>, ApiError> {
    let jobs =
        service::jobs::list_jobs(&state, &caller.principal, query.status.as_deref(), 200).await?;
    Ok(Json(jobs.into_iter().map(JobDto::from).collect()))
}

/// Puts a failed job back in the queue.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn retry_job(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::jobs::retry_job(&state, &caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_users, create_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(add_grant, remove_grant))
        .routes(routes!(list_audit))
        .routes(routes!(list_jobs))
        .routes(routes!(retry_job))
}
