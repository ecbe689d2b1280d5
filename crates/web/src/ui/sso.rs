//! Sign-in through an OpenID provider: the redirect there and the callback back.

use super::render;
use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::i18n::Tr;
use crate::routes::{Registry, Surface::Public};
use crate::state::AppState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::DomainError;
use serde::Deserialize;
use service::accounts::LoginOutcome;
use service::secrets::new_secret;
use service::sso::OidcCallback;
use std::net::SocketAddr;

/// The cookie holding the state of the browser's OpenID sign-in in flight.
const OIDC_STATE_COOKIE: &str = "sb_oidc_state";

/// `GET /login/oidc`: 303 to the provider (404 when none is configured).
pub async fn start(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let locale = crate::locale::from_request(&headers, None);
    match service::sso::oidc_start(&state).await {
        Ok(Some(start)) => {
            let set = set_cookie(
                OIDC_STATE_COOKIE,
                &start.state,
                600,
                state.config.secure_cookies,
            );
            ([(header::SET_COOKIE, set)], Redirect::to(&start.url)).into_response()
        }
        Ok(None) => again(
            &state,
            &headers,
            StatusCode::SERVICE_UNAVAILABLE,
            "login.unavailable",
        ),
        Err(e) => crate::error::PageError::new(e, locale).into_response(),
    }
}

/// The callback's query: a code and the state, or the provider's error.
#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /login/oidc/callback`: 303 to `/` with a session, or the login page with why not.
pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let locale = crate::locale::from_request(&headers, None);
    let policy = state.config.session_policy();
    let call = OidcCallback {
        code: query.code.as_deref(),
        state: query.state.as_deref(),
        error: query.error.as_deref(),
        cookie_state: cookie(&headers, OIDC_STATE_COOKIE),
    };
    let ip = addr.ip().to_string();
    let clear_state = set_cookie(OIDC_STATE_COOKIE, "", 0, state.config.secure_cookies);
    let mut response = match service::sso::oidc_finish(&state, call, &ip, &policy).await {
        Ok(LoginOutcome::Success { session_token, .. }) => {
            let set = set_cookie(
                SESSION_COOKIE,
                &session_token,
                state.config.session_hours * 3600,
                state.config.secure_cookies,
            );
            ([(header::SET_COOKIE, set)], Redirect::to("/")).into_response()
        }
        Ok(LoginOutcome::Invalid) => again(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            "login.sso_failed",
        ),
        Ok(LoginOutcome::Unavailable) => again(
            &state,
            &headers,
            StatusCode::SERVICE_UNAVAILABLE,
            "login.unavailable",
        ),
        Err(DomainError::RateLimited { .. }) => again(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            "login.rate_limited",
        ),
        Err(e) => crate::error::PageError::new(e, locale).into_response(),
    };
    if let Ok(value) = clear_state.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// The login page with an error, keeping (or making) its pre-login CSRF cookie.
fn again(state: &AppState, headers: &HeaderMap, status: StatusCode, key: &'static str) -> Response {
    let locale = crate::locale::from_request(headers, None);
    let csrf = cookie(headers, LOGIN_CSRF_COOKIE)
        .map(str::to_string)
        .unwrap_or_else(new_secret);
    let page = super::login::login_page(
        state,
        locale,
        csrf.clone(),
        String::new(),
        Some(Tr(locale).get(key)),
    );
    let set = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.config.secure_cookies);
    (status, [(header::SET_COOKIE, set)], render(&page)).into_response()
}

/// The routes of the OpenID sign-in.
pub(crate) fn routes(registry: Registry) -> Registry {
    registry
        .get("/login/oidc", Public, start)
        .get("/login/oidc/callback", Public, callback)
}
