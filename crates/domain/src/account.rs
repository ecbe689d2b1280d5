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
/// Maximum password length (hashing a megabyte of password is a denial of service).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks a new password against the policy: between the minimum and maximum length,
/// not the username, and not guessable: zxcvbn's estimate (common-password lists,
/// dictionary words, keyboard runs, repeats, dates, the username) must put it beyond
/// 10^10 guesses.
pub fn validate_password(password: &str, username: &str) -> DomainResult<()> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(DomainError::invalid(
            "password",
            format!("must be at most {MAX_PASSWORD_CHARS} characters long"),
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(DomainError::invalid("password", "must not be the username"));
    }
    if zxcvbn::zxcvbn(password, &[username]).score() < zxcvbn::Score::Three {
        return Err(DomainError::invalid(
            "password",
            "is too easy to guess (a common password, a word, a repeat or a keyboard run); use a longer phrase",
        ));
    }
    Ok(())
}

/// Recent failed sign-ins that count towards the throttle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures for this username from this address.
    pub pair: i64,
    /// When the oldest of those happened.
    pub pair_oldest: Option<OffsetDateTime>,
    /// Failures from this address, for any username.
    pub address: i64,
    /// When the oldest of those happened.
    pub address_oldest: Option<OffsetDateTime>,
}

impl LoginFailures {
    /// Seconds until a sign-in may be tried again, or `None` when it may be tried now:
    /// `max_pair` failures of one username from one address, or `max_address` from one
    /// address (an office behind one NAT address shares it), within `window`, refuse
    /// until the oldest of them leaves the window.
    pub fn retry_after(
        &self,
        max_pair: i64,
        max_address: i64,
        window: time::Duration,
        now: OffsetDateTime,
    ) -> Option<u64> {
        let until = |oldest: Option<OffsetDateTime>| {
            let free_at = oldest.unwrap_or(now) + window;
            (free_at - now).whole_seconds().max(1).unsigned_abs()
        };
        let pair = (self.pair >= max_pair).then(|| until(self.pair_oldest));
        let address = (self.address >= max_address).then(|| until(self.address_oldest));
        pair.max(address)
    }
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
    /// Replaces the password hash, ends every other session of the user and, unless
    /// `keep_tokens`, revokes their API tokens.
    fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session_hash: Option<&str>,
        keep_tokens: bool,
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
    /// Failures since `since` for the username from this address, and from the address
    /// for any username, each with the time of the oldest one counted.
    fn count_login_failures(
        &self,
        username: &str,
        ip: &str,
        since: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<LoginFailures>> + Send;
    /// Forgets the failures of a username from an address after a successful login.
    fn clear_login_failures(
        &self,
        username: &str,
        ip: &str,
    ) -> impl Future<Output = DomainResult<()>> + Send;
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

    #[test]
    fn retry_after_counts_from_the_oldest_failure_in_the_window() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let window = time::Duration::minutes(15);
        let failures = LoginFailures {
            pair: 5,
            pair_oldest: Some(now - time::Duration::minutes(10)),
            address: 5,
            address_oldest: Some(now - time::Duration::minutes(10)),
        };
        assert_eq!(failures.retry_after(5, 50, window, now), Some(300));
        assert_eq!(failures.retry_after(6, 50, window, now), None);
        let office = LoginFailures {
            pair: 1,
            pair_oldest: Some(now),
            address: 50,
            address_oldest: Some(now - time::Duration::minutes(14)),
        };
        assert_eq!(office.retry_after(5, 50, window, now), Some(60));
        assert_eq!(office.retry_after(5, 51, window, now), None);
    }

    #[test]
    fn guessable_and_oversized_passwords_are_refused() {
        let spaces = " ".repeat(10);
        let huge = "x".repeat(100_000);
        for weak in [
            "1234567890",
            "aaaaaaaaaa",
            spaces.as_str(),
            "password123",
            "qwertyuiop",
            "zhang.wei2026",
            huge.as_str(),
        ] {
            assert!(
                validate_password(weak, "zhang.wei").is_err(),
                "{:.20} was accepted",
                weak
            );
        }
        // The passwords the tests and the demo use stay acceptable.
        for strong in [
            "long enough password",
            "another password",
            "a brand new password",
            "demo-pass-2026",
            "target password",
        ] {
            assert!(
                validate_password(strong, "zhang.wei").is_ok(),
                "{strong} was refused"
            );
        }
    }
}
