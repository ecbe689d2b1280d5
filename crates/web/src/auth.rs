//! Passwords, secrets, sessions and the extractors that identify a caller.

use crate::error::{ApiError, PageError};
use crate::i18n::Locale;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::{DomainError, DomainResult, Principal};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use time::OffsetDateTime;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sb_session";
/// Name of the cookie holding the chosen UI language.
pub const LANG_COOKIE: &str = "sb_lang";
/// Name of the pre-login CSRF cookie (double submit on the login form).
pub const LOGIN_CSRF_COOKIE: &str = "sb_login_csrf";

/// Hashes a password with Argon2id and a random salt (CPU-heavy: call off the async threads).
pub fn hash_password(password: &str) -> DomainResult<String> {
    let salt = SaltString::encode_b64(&random_bytes::<16>())
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the username is unknown, so both paths take as long.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that never matches").unwrap_or_default())
}

/// `N` bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random generator is available");
    buf
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh secret for a session, CSRF token or API token.
pub fn new_secret() -> String {
    hex(&random_bytes::<20>())
}

/// What is stored instead of a secret: its SHA-256, so a leaked table reveals no token.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

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

/// Outcome of a password login.
pub enum LoginOutcome {
    /// The account and its new session token (to put in the cookie).
    Success { user_id: i64, session_token: String },
    /// Wrong username or password (never says which).
    Invalid,
}

/// Checks credentials with rate limiting and, on success, opens a session.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
    ip: &str,
) -> DomainResult<LoginOutcome> {
    let store = &state.store;
    let now = OffsetDateTime::now_utc();
    let window = time::Duration::minutes(state.config.login_window_minutes);
    let failures = store
        .count_login_failures(username, ip, now - window)
        .await?;
    if failures >= state.config.login_max_failures {
        return Err(DomainError::RateLimited {
            retry_after_secs: window.whole_seconds().unsigned_abs(),
        });
    }
    let credentials = store.find_credentials(username).await?;
    let (hash, user) = match &credentials {
        Some(c) => (c.password_hash.clone(), Some((c.user_id, c.active))),
        None => (decoy_hash().to_string(), None),
    };
    let pw = password.to_string();
    let matches = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| DomainError::Internal(e.to_string()))?;
    match user {
        Some((user_id, true)) if matches => {
            store.clear_login_failures(username).await?;
            let token = new_secret();
            let expires = now + time::Duration::hours(state.config.session_hours);
            store
                .create_session(
                    &secret_hash(&token),
                    user_id,
                    &new_secret(),
                    expires,
                    Some(ip),
                )
                .await?;
            Ok(LoginOutcome::Success {
                user_id,
                session_token: token,
            })
        }
        _ => {
            store.record_login_failure(username, ip, now).await?;
            Ok(LoginOutcome::Invalid)
        }
    }
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
        let fallback = Locale::from_request(&parts.headers, None);
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
        let locale = Locale::from_request(&parts.headers, principal.locale.as_deref());
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
    fn password_round_trip() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 40);
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
    }

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; sb_session=xyz; b=2".parse().unwrap());
        assert_eq!(cookie(&headers, "sb_session"), Some("xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }
}
