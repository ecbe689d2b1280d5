//! Passwords, secrets, sessions and the extractors that identify a caller.

use crate::error::{ApiError, PageError};
use crate::i18n::Locale;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::{DomainError, Principal};
use service::secrets::secret_hash;
use std::net::SocketAddr;
use store::prelude::*;
use time::OffsetDateTime;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sb_session";
/// Name of the cookie holding the chosen UI language.
pub const LANG_COOKIE: &str = "sb_lang";
/// Name of the pre-login CSRF cookie (double submit on the login form).
pub const LOGIN_CSRF_COOKIE: &str = "sb_login_csrf";

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// The caller's address as a string, from the connection.
pub fn client_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// The session found by the session middleware, stored in request extensions.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
}

/// A caller of the JSON API, authenticated by a bearer token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub principal: Principal,
    pub ip: Option<String>,
}

impl ApiCaller {
    /// The actor recorded in the audit log for this caller's changes.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.principal.user_id),
            name: self.principal.username.clone(),
            ip: self.ip.clone(),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(DomainError::Unauthenticated)?;
        let user_id = state
            .store
            .find_user_by_token(&secret_hash(token), OffsetDateTime::now_utc())
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        let principal = state.store.load_principal(user_id).await?;
        Ok(Self {
            principal,
            ip: client_ip(parts),
        })
    }
}

/// A signed-in user of the HTML UI.
#[derive(Debug, Clone)]
pub struct PageCaller {
    pub principal: Principal,
    pub session: CurrentSession,
    pub locale: Locale,
    pub ip: Option<String>,
    pub path: String,
    /// Unread notifications, for the bell in the page frame.
    pub unread_notifications: i64,
}

impl PageCaller {
    /// The actor recorded in the audit log for this caller's changes.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.principal.user_id),
            name: self.principal.username.clone(),
            ip: self.ip.clone(),
        }
    }

    /// Fails with `Forbidden` unless the caller has `permission`.
    pub fn require(&self, permission: domain::Permission) -> Result<(), PageError> {
        if self.principal.can(permission) {
            Ok(())
        } else {
            Err(PageError::new(DomainError::Forbidden, self.locale))
        }
    }

    /// Fails with `Forbidden` unless the caller manages people data company-wide.
    pub fn require_company_people_manager(&self) -> Result<(), PageError> {
        if self.principal.manages_people_company_wide() {
            Ok(())
        } else {
            Err(self.err(DomainError::Forbidden))
        }
    }

    /// Wraps a domain error for this caller's language.
    pub fn err(&self, error: DomainError) -> PageError {
        PageError::new(error, self.locale)
    }
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let fallback = crate::locale::from_request(&parts.headers, None);
        let session = parts
            .extensions
            .get::<CurrentSession>()
            .cloned()
            .ok_or(PageError::new(DomainError::Unauthenticated, fallback))?;
        let principal = state
            .store
            .load_principal(session.user_id)
            .await
            .map_err(|e| PageError::new(e, fallback))?;
        let locale = crate::locale::from_request(&parts.headers, principal.locale.as_deref());
        crate::error::set_page_locale(locale);
        // One indexed count; a failure only hides the bell's number.
        let unread_notifications = state
            .store
            .unread_notifications(principal.user_id)
            .await
            .unwrap_or(0);
        Ok(Self {
            principal,
            session,
            locale,
            ip: client_ip(parts),
            path: parts.uri.path().to_string(),
            unread_notifications,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; sb_session=xyz; b=2".parse().unwrap());
        assert_eq!(cookie(&headers, "sb_session"), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
