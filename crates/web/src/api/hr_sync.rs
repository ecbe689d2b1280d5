//! HR sync: a person's job history, and an administrator's forced password reset.

use super::ApiPath;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One move of a person: hire, rehire, transfer, position_change or leave.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobHistoryDto {
    pub id: i64,
    /// hire, rehire, transfer, position_change, leave
    pub kind: String,
    pub from_department: Option<String>,
    pub to_department: Option<String>,
    pub from_position: Option<String>,
    pub to_position: Option<String>,
    /// YYYY-MM-DD
    pub effective_on: String,
    /// The import's file name (or `demo`).
    pub source: String,
    /// Who ran the import.
    pub actor: String,
}

impl From<domain::hr_sync::JobHistoryEntry> for JobHistoryDto {
    fn from(e: domain::hr_sync::JobHistoryEntry) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            from_department: e.from_department,
            to_department: e.to_department,
            from_position: e.from_position,
            to_position: e.to_position,
            effective_on: e.effective_on.to_string(),
            source: e.source,
            actor: e.actor,
        }
    }
}

/// A person's job history, oldest first (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/employees/{id}/job-history", tag = "org", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Employee id")),
    responses((status = 200, body = Vec<JobHistoryDto>), (status = 404, body = Problem)))]
pub async fn job_history(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<JobHistoryDto>>, ApiError> {
    let rows = service::hr_sync::job_history(&state, &caller.principal, id).await?;
    Ok(Json(rows.into_iter().map(JobHistoryDto::from).collect()))
}

/// A forced password reset: the one-time token, returned only in this response.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetDto {
    pub username: String,
    /// The secret; open `path` (or post it to `/password-reset`) to set a new password.
    pub token: String,
    /// The page that sets the new password, with the token.
    pub path: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// Forces a password reset of an account: its password stops working, its sessions
/// end, and the one-time token returned (only here) sets a new one.
#[utoipa::path(post, path = "/api/v1/users/{id}/password-reset", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses((status = 200, body = PasswordResetDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn password_reset(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PasswordResetDto>, ApiError> {
    let reset = service::accounts::force_password_reset(
        &state,
        Some(&caller.principal),
        id,
        &caller.actor(),
    )
    .await?;
    Ok(Json(PasswordResetDto {
        path: reset.path(),
        expires_at: reset
            .expires_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        username: reset.username,
        token: reset.token,
    }))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(job_history))
        .routes(routes!(password_reset))
}
