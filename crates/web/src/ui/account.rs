//! The caller's account: password, API tokens.

use super::{Chrome, local_time, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::DomainError;
use serde::Deserialize;
use service::accounts::issue_token;

/// A token row as shown.
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    t: Tr,
    chrome: Chrome,
    username: String,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    message: Option<String>,
    error: Option<String>,
}

async fn account_page(
    state: &AppState,
    caller: &PageCaller,
    new_token: Option<String>,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let tokens = service::accounts::list_tokens(state, &caller.principal)
        .await?
        .into_iter()
        .map(|tk| TokenRow {
            id: tk.id,
            name: tk.name,
            prefix: tk.prefix,
            created: local_time(state, tk.created_at),
            last_used: tk.last_used_at.map(|t| local_time(state, t)),
            revoked: tk.revoked_at.is_some(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AccountPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        username: caller.principal.username.clone(),
        tokens,
        new_token,
        message,
        error,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /account`.
pub async fn page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    account_page(&state, &caller, None, None, None).await
}

/// The password form's fields.
#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
    /// Checkbox: keep the API tokens (they are revoked otherwise).
    keep_tokens: Option<String>,
}

/// `POST /account/password`: keeps this session, ends the others.
pub async fn change_password(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    if form.new_password != form.confirm_password {
        return account_page(
            &state,
            &caller,
            None,
            None,
            Some(t.get("account.password_mismatch").into()),
        )
        .await;
    }
    let result = service::accounts::change_password(
        &state,
        &caller.principal,
        &form.current_password,
        &form.new_password,
        service::accounts::KeepOnPasswordChange {
            session_hash: Some(&caller.session.token_hash),
            tokens: form.keep_tokens.is_some(),
        },
        &state.config.session_policy(),
        &caller.actor(),
    )
    .await;
    match result {
        Ok(()) => {
            account_page(
                &state,
                &caller,
                None,
                Some(t.get("account.password_changed").into()),
                None,
            )
            .await
        }
        Err(DomainError::Validation { field, message }) => {
            let text = if field == "current_password" {
                t.get("account.wrong_password").to_string()
            } else {
                format!("{field}: {message}")
            };
            account_page(&state, &caller, None, None, Some(text)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The new-token form's fields.
#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

/// `POST /account/tokens`: shows the secret once.
pub async fn create_token(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<TokenForm>,
) -> Result<Response, PageError> {
    match issue_token(
        &state,
        caller.principal.user_id,
        &form.name,
        &caller.actor(),
    )
    .await
    {
        Ok((token, _)) => account_page(&state, &caller, Some(token), None, None).await,
        Err(DomainError::Validation { field, message }) => {
            account_page(
                &state,
                &caller,
                None,
                None,
                Some(format!("{field}: {message}")),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "API token",
        })
    })?;
    service::accounts::revoke_token(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(Redirect::to("/account").into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/account", Page, page)
        .post("/account/password", Page, change_password)
        .post("/account/tokens", Page, create_token)
        .post("/account/tokens/{id}/revoke", Page, revoke_token)
}
