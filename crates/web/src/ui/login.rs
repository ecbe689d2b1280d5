//! Sign-in, sign-out and the language switch.

use super::{Viewer, render};
use crate::auth::{
    CurrentSession, LANG_COOKIE, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie,
};
use crate::i18n::{Locale, Tr};
use crate::routes::{
    Registry,
    Surface::{Page, Public},
};
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use domain::DomainError;
use serde::Deserialize;
use service::accounts::LoginOutcome;
use service::secrets::new_secret;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    t: Tr,
    lang: &'static str,
    other_lang: &'static str,
    csrf: String,
    username: String,
    error: Option<&'static str>,
    /// The OpenID provider's name for the "Sign in with" button, when one is configured.
    sso_provider: Option<String>,
}

pub(crate) fn login_page(
    state: &AppState,
    locale: Locale,
    csrf: String,
    username: String,
    error: Option<&'static str>,
) -> LoginPage {
    LoginPage {
        sso_provider: state
            .settings
            .oidc
            .as_ref()
            .map(|o| o.provider_name.clone()),
        t: Tr(locale),
        lang: locale.tag(),
        other_lang: if locale == Locale::ZhCn {
            "en"
        } else {
            "zh-CN"
        },
        csrf,
        username,
        error,
    }
}

/// `GET /login`.
pub async fn form(viewer: Viewer, State(state): State<AppState>, headers: HeaderMap) -> Response {
    if viewer.caller.is_some() {
        return Redirect::to("/").into_response();
    }
    // Reuse the pre-login token if the browser has one, so two open tabs both work.
    let csrf = cookie(&headers, LOGIN_CSRF_COOKIE)
        .map(str::to_string)
        .unwrap_or_else(new_secret);
    let page = login_page(&state, viewer.locale, csrf.clone(), String::new(), None);
    let set = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.config.secure_cookies);
    ([(header::SET_COOKIE, set)], render(&page)).into_response()
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// `POST /login`: 303 to `/` on success; 401 or 429 with the form again otherwise.
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let locale = crate::locale::from_request(&headers, None);
    let t = Tr(locale);
    let username = form.username.trim().to_string();
    let again = |status: StatusCode, key: &'static str| {
        (
            status,
            render(&login_page(
                &state,
                locale,
                form.csrf.clone(),
                username.clone(),
                Some(t.get(key)),
            )),
        )
            .into_response()
    };
    let policy = state.config.session_policy();
    let ip = addr.ip().to_string();
    match service::sso::sign_in(&state, &username, &form.password, &ip, &policy).await {
        Ok(LoginOutcome::Success { session_token, .. }) => {
            let max_age = state.config.session_hours * 3600;
            let set = set_cookie(
                SESSION_COOKIE,
                &session_token,
                max_age,
                state.config.secure_cookies,
            );
            ([(header::SET_COOKIE, set)], Redirect::to("/")).into_response()
        }
        Ok(LoginOutcome::Invalid) => again(StatusCode::UNAUTHORIZED, "login.invalid"),
        Ok(LoginOutcome::Unavailable) => {
            again(StatusCode::SERVICE_UNAVAILABLE, "login.unavailable")
        }
        Err(DomainError::RateLimited { retry_after_secs }) => {
            let mut response = again(StatusCode::TOO_MANY_REQUESTS, "login.rate_limited");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        Err(e) => crate::error::PageError::new(e, locale).into_response(),
    }
}

/// `POST /logout`: ends the session.
pub async fn logout(
    State(state): State<AppState>,
    session: Option<Extension<CurrentSession>>,
) -> Response {
    if let Some(Extension(s)) = session
        && let Err(e) = service::accounts::sign_out(&state, &s.token_hash).await
    {
        tracing::warn!(error = %e, "could not delete session");
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

/// The language switch's fields.
#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    back: Option<String>,
}

/// `POST /lang`: remembers the language (on the account too when signed in).
pub async fn set_language(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<LanguageForm>,
) -> Response {
    let locale = Locale::parse(&form.lang).unwrap_or_default();
    if let Some(caller) = &viewer.caller
        && let Err(e) = service::accounts::set_locale(&state, &caller.principal, locale.tag()).await
    {
        return crate::error::PageError::new(e, locale).into_response();
    }
    let back = form
        .back
        .filter(|b| is_same_site_path(b))
        .unwrap_or_else(|| "/".into());
    let set = set_cookie(
        LANG_COOKIE,
        locale.tag(),
        365 * 24 * 3600,
        state.config.secure_cookies,
    );
    ([(header::SET_COOKIE, set)], Redirect::to(&back)).into_response()
}

/// Whether `back` is a path on this site: it starts with one `/` and holds no backslash
/// (browsers read `/\\host` as `//host`), no scheme and no control character.
fn is_same_site_path(back: &str) -> bool {
    back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control)
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    registry
        .get("/login", Public, form)
        .post("/login", Public, submit)
        .post("/logout", Page, logout)
        .post("/lang", Public, set_language)
}

#[cfg(test)]
mod tests {
    use super::is_same_site_path;

    #[test]
    fn back_must_stay_on_this_site() {
        assert!(is_same_site_path("/needs?page=2"));
        for evil in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil",
            "/\t/evil.example",
            "",
        ] {
            assert!(!is_same_site_path(evil), "{evil:?} was accepted");
        }
    }
}
