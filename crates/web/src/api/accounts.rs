//! The caller's own account: profile, password, API tokens.

use super::dto::{
    CreatedTokenDto, EmployeeDto, GrantDto, MeDto, NewTokenInput, PasswordChangeInput, TokenDto,
};
use super::{ApiJson, ApiPath};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The caller, their roles and their own employee record.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = MeDto), (status = 401, body = Problem)))]
pub async fn me(State(state): State<AppState>, caller: ApiCaller) -> Result<Json<MeDto>, ApiError> {
    let p = &caller.principal;
    let employee = service::accounts::own_employee(&state, p)
        .await?
        .map(EmployeeDto::from);
    Ok(Json(MeDto {
        user_id: p.user_id,
        username: p.username.clone(),
        display_name: p.display_name.clone(),
        grants: p.grants.iter().map(GrantDto::from).collect(),
        employee,
    }))
}

/// Changes the caller's password; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", security(("bearer" = [])),
    request_body = PasswordChangeInput,
    responses((status = 204), (status = 422, body = Problem), (status = 401, body = Problem)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<PasswordChangeInput>,
) -> Result<StatusCode, ApiError> {
    service::accounts::change_password(
        &state,
        &caller.principal,
        &input.current_password,
        &input.new_password,
        service::accounts::KeepOnPasswordChange {
            session_hash: None,
            tokens: input.keep_tokens,
        },
        &state.config.session_policy(),
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's API tokens, newest first.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenDto>), (status = 401, body = Problem)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    let tokens = service::accounts::list_tokens(&state, &caller.principal).await?;
    Ok(Json(tokens.into_iter().map(TokenDto::from).collect()))
}

/// Creates an API token; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "account", security(("bearer" = [])),
    request_body = NewTokenInput,
    responses((status = 201, body = CreatedTokenDto), (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<NewTokenInput>,
) -> Result<(StatusCode, Json<CreatedTokenDto>), ApiError> {
    let (token, info) = service::accounts::issue_token(
        &state,
        caller.principal.user_id,
        &input.name,
        &caller.actor(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenDto {
            token,
            info: info.into(),
        }),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "account", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::accounts::revoke_token(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}
