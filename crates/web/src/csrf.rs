//! Session loading and CSRF protection for the HTML UI.
//!
//! Every state-changing UI request must carry the session's CSRF token, as the
//! `_csrf` form field, the `x-csrf-token` header or the `_csrf` query parameter
//! (multipart uploads). The login form, which has no session yet, uses a
//! double-submit cookie. The JSON API authenticates with bearer tokens, which a
//! browser never sends on its own, so it needs no CSRF token.

use crate::auth::{CurrentSession, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use domain::account::AccountRepository;
use service::secrets::secret_hash;
use time::OffsetDateTime;

/// Largest form body read for the CSRF check.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Whether a path belongs to the token-authenticated APIs.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/xapi") || path.starts_with("/scim/")
}

/// Middleware: finds the session from its cookie and enforces the CSRF token.
pub async fn session_and_csrf(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    if is_api_path(path) || path.starts_with("/assets/") {
        return next.run(req).await;
    }
    let session = match cookie(req.headers(), SESSION_COOKIE) {
        Some(token) => {
            let hash = secret_hash(token);
            match state
                .store
                .find_session(&hash, OffsetDateTime::now_utc())
                .await
            {
                Ok(Some(s)) => Some(CurrentSession {
                    token_hash: hash,
                    user_id: s.user_id,
                    csrf_token: s.csrf_token,
                }),
                _ => None,
            }
        }
        None => None,
    };
    if let Some(s) = &session {
        req.extensions_mut().insert(s.clone());
    }
    if req.method().is_safe() {
        return next.run(req).await;
    }
    let expected = match &session {
        Some(s) => Some(s.csrf_token.clone()),
        None => cookie(req.headers(), LOGIN_CSRF_COOKIE).map(str::to_string),
    };
    let locale = crate::locale::from_request(req.headers(), None);
    let header_token = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let query_token = req
        .uri()
        .query()
        .and_then(|q| form_value(q.as_bytes(), "_csrf"));
    let (parts, body) = req.into_parts();
    let is_form = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (body, form_token) = if is_form {
        match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(bytes) => {
                let token = form_value(&bytes, "_csrf");
                (Body::from(bytes), token)
            }
            Err(_) => {
                return crate::ui::error_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "form too large",
                    locale,
                    "-",
                );
            }
        }
    } else {
        (body, None)
    };
    let provided = header_token.or(form_token).or(query_token);
    let valid = matches!((&expected, &provided), (Some(e), Some(p)) if !e.is_empty() && e == p);
    if !valid {
        let message = crate::i18n::Tr(locale).get("error.csrf");
        return crate::ui::error_page(StatusCode::FORBIDDEN, message, locale, "-");
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The first value of `key` in an urlencoded body or query string.
fn form_value(bytes: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}
