//! Accounts, sessions and API tokens.

use crate::audit::Actor;
use crate::{DomainError, DomainResult, Grant, Page, Paged, Principal, Role, ScopeKind};
use serde::Serialize;
use std::future::Future;
use time::OffsetDateTime;

/// A login account, optionally linked to an employee record.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub employee_id: Option<i64>,
    pub active: bool,
    pub locale: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub grants: Vec<Grant>,
}

/// A user together with the stored password hash, for login only.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: String,
    pub active: bool,
}

/// Input for a new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub employee_id: Option<i64>,
    pub grants: Vec<(Role, ScopeKind)>,
}

/// A personal API token as listed to its owner (the secret is shown once, at creation).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// First characters of the secret, so the owner can tell tokens apart.
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A browser session found by its token.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user_id: i64,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

/// Filters for the account list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// Checks a username: 3-64 characters of letters, digits, `.`, `_`, `-`.
pub fn validate_username(username: &str) -> DomainResult<()> {
    let len = username.chars().count();
    if !(3..=64).contains(&len) {
        return Err(DomainError::invalid(
            "username",
            "must be 3 to 64 characters long",
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(DomainError::invalid(
            "username",
            "may contain only letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// Minimum password length.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Checks a new password against the policy: long enough, not the username.
pub fn validate_password(password: &str, username: &str) -> DomainResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(DomainError::invalid("password", "must not be the username"));
    }
    Ok(())
}

/// Storage of accounts, sessions, tokens and login throttling.
pub trait AccountRepository {
    /// Creates an account with its grants; fails with `Conflict` on a taken username.
    fn create_user(
        &self,
        user: &NewUser,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<User>> + Send;
    /// An account by id.
    fn get_user(&self, id: i64) -> impl Future<Output = DomainResult<User>> + Send;
    /// Accounts, filtered and paged.
    fn list_users(
        &self,
        filter: &UserFilter,
        page: Page,
    ) -> impl Future<Output = DomainResult<Paged<User>>> + Send;
    /// Login data by username.
    fn find_credentials(
        &self,
        username: &str,
    ) -> impl Future<Output = DomainResult<Option<Credentials>>> + Send;
    /// The principal (user + grants) of an active account.
    fn load_principal(&self, user_id: i64) -> impl Future<Output = DomainResult<Principal>> + Send;
    /// Replaces the password hash and ends every other session of the user.
    fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session_hash: Option<&str>,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Enables or disables an account; disabling ends its sessions and revokes its tokens.
    fn set_active(
        &self,
        user_id: i64,
        active: bool,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Sets the preferred UI language.
    fn set_locale(
        &self,
        user_id: i64,
        locale: &str,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Adds a grant (idempotent).
    fn add_grant(
        &self,
        user_id: i64,
        role: Role,
        scope: ScopeKind,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Removes a grant; `NotFound` if it was not held.
    fn remove_grant(
        &self,
        user_id: i64,
        role: Role,
        scope: ScopeKind,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Number of accounts.
    fn count_users(&self) -> impl Future<Output = DomainResult<i64>> + Send;

    /// Stores a new session under the hash of its token.
    fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: OffsetDateTime,
        ip: Option<&str>,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// A live session of an active account.
    fn find_session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<Option<SessionRecord>>> + Send;
    /// Ends one session.
    fn delete_session(&self, token_hash: &str) -> impl Future<Output = DomainResult<()>> + Send;
    /// Removes expired sessions and old login failures; returns the rows removed.
    fn purge_expired(&self, now: OffsetDateTime) -> impl Future<Output = DomainResult<u64>> + Send;

    /// Stores a new API token.
    fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        prefix: &str,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<ApiToken>> + Send;
    /// The user owning a live token of an active account; records its use.
    fn find_user_by_token(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<Option<i64>>> + Send;
    /// The user's tokens, newest first.
    fn list_api_tokens(
        &self,
        user_id: i64,
    ) -> impl Future<Output = DomainResult<Vec<ApiToken>>> + Send;
    /// Revokes one of the user's tokens; `NotFound` if it is not theirs.
    fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;

    /// Records a failed login for a username and an address.
    fn record_login_failure(
        &self,
        username: &str,
        ip: &str,
        at: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Failures since `since` for the username or from the address, whichever is larger.
    fn count_login_failures(
        &self,
        username: &str,
        ip: &str,
        since: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<i64>> + Send;
    /// Forgets the failures of a username after a successful login.
    fn clear_login_failures(&self, username: &str)
    -> impl Future<Output = DomainResult<()>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert!(validate_username("zhang.wei").is_ok());
        assert!(validate_username("ab").is_err());
        assert!(validate_username("张伟").is_err());
    }

    #[test]
    fn password_rules() {
        assert!(validate_password("short", "u").is_err());
        assert!(validate_password("administrator", "Administrator").is_err());
        assert!(validate_password("correct horse battery", "zhang").is_ok());
    }
}
