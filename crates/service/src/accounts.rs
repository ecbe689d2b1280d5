//! Accounts: creating them, passwords, grants and activation.

use crate::Context;
use crate::access::require;
use crate::secrets::{hash_password, new_secret, secret_hash, verify_password};
use domain::account::{
    AccountRepository, ApiToken, NewUser, User, UserFilter, validate_password, validate_username,
};
use domain::audit::Actor;
use domain::org::{Employee, OrgRepository};
use domain::{
    DataScope, DomainError, DomainResult, Page, Paged, Permission, Principal, Role, ScopeKind,
};
use time::OffsetDateTime;
/// A role grant as a form or a request names it: codes, and the department of a
/// department scope by code or by id.
#[derive(Debug, Clone, Default)]
pub struct GrantCodes {
    pub role: String,
    pub scope: String,
    pub department_code: Option<String>,
    pub department_id: Option<i64>,
}

impl GrantCodes {
    /// A grant of `role` in `scope` (`self`, `company`; a department needs its code).
    pub fn new(role: &str, scope: &str, department_code: Option<&str>) -> Self {
        Self {
            role: role.to_string(),
            scope: scope.to_string(),
            department_code: department_code.map(str::to_string),
            department_id: None,
        }
    }
}

/// Turns role/scope codes into a grant, resolving the department.
pub async fn parse_grant(ctx: &Context, codes: &GrantCodes) -> DomainResult<(Role, ScopeKind)> {
    let role = Role::parse(codes.role.trim()).ok_or_else(|| {
        DomainError::invalid(
            "role",
            format!(
                "unknown role '{}'; expected one of employee, manager, training_admin, instructor, reviewer, executive, system_admin",
                codes.role
            ),
        )
    })?;
    let scope = match codes.scope.trim() {
        "self" => ScopeKind::SelfOnly,
        "company" => ScopeKind::Company,
        "department" => {
            if let Some(id) = codes.department_id {
                return Ok((role, ScopeKind::Department(id)));
            }
            let code = codes
                .department_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    DomainError::invalid("department_code", "required for a department scope")
                })?;
            let dept = ctx
                .store
                .find_department_by_code(code)
                .await?
                .ok_or_else(|| {
                    DomainError::invalid(
                        "department_code",
                        format!("no department has code '{code}'"),
                    )
                })?;
            ScopeKind::Department(dept.id)
        }
        other => {
            return Err(DomainError::invalid(
                "scope",
                format!("unknown scope '{other}'; expected self, department or company"),
            ));
        }
    };
    Ok((role, scope))
}

/// Input for a new account.
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub employee_no: Option<String>,
    pub grants: Vec<GrantCodes>,
}

/// Validates and creates an account (password hashed off the async threads). With a
/// caller (a page or the API) it needs `ManageAccounts`; the CLI passes none. An account
/// linked to an employee always holds the employee role for itself, whatever else it is
/// granted, so its owner sees their own learning.
pub async fn create_account(
    ctx: &Context,
    caller: Option<&Principal>,
    input: AccountInput,
    actor: &Actor,
) -> DomainResult<User> {
    if let Some(p) = caller {
        require(p, Permission::ManageAccounts)?;
    }
    let username = input.username.trim().to_string();
    validate_username(&username)?;
    validate_password(&input.password, &username)?;
    let mut grants = Vec::with_capacity(input.grants.len() + 1);
    for codes in &input.grants {
        grants.push(parse_grant(ctx, codes).await?);
    }
    let employee_id = match input
        .employee_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(no) => Some(ctx.store.find_employee_id(no).await?.ok_or_else(|| {
            DomainError::invalid("employee_no", format!("no employee has number '{no}'"))
        })?),
        None => None,
    };
    let own = (Role::Employee, ScopeKind::SelfOnly);
    if employee_id.is_some() && !grants.contains(&own) {
        grants.push(own);
    }
    let password = input.password;
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))??;
    let user = NewUser {
        username,
        display_name: input.display_name,
        password_hash,
        employee_id,
        grants,
    };
    ctx.store.create_user(&user, actor).await
}

/// Accounts matching `filter` (`role` as a code; an unknown code is a validation error).
pub async fn list_users(
    ctx: &Context,
    caller: &Principal,
    q: Option<String>,
    role: Option<&str>,
    active: Option<bool>,
    page: Page,
) -> DomainResult<Paged<User>> {
    require(caller, Permission::ManageAccounts)?;
    let role = match role.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(
            Role::parse(r)
                .ok_or_else(|| DomainError::invalid("role", format!("unknown role '{r}'")))?,
        ),
        None => None,
    };
    let filter = UserFilter { q, role, active };
    ctx.store.list_users(&filter, page).await
}

/// One account.
pub async fn get_user(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<User> {
    require(caller, Permission::ManageAccounts)?;
    ctx.store.get_user(id).await
}

/// Grants a role in a scope to account `id`; returns the account as it now is.
pub async fn add_grant(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    codes: &GrantCodes,
    actor: &Actor,
) -> DomainResult<User> {
    require(caller, Permission::ManageAccounts)?;
    ctx.store.get_user(id).await?;
    let (role, scope) = parse_grant(ctx, codes).await?;
    ctx.store.add_grant(id, role, scope, actor).await?;
    ctx.store.get_user(id).await
}

/// Revokes a role grant of account `id`; returns the account as it now is.
pub async fn remove_grant(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    codes: &GrantCodes,
    actor: &Actor,
) -> DomainResult<User> {
    require(caller, Permission::ManageAccounts)?;
    let (role, scope) = parse_grant(ctx, codes).await?;
    ctx.store.remove_grant(id, role, scope, actor).await?;
    ctx.store.get_user(id).await
}

/// The departments a grant may name (for the grant form), as (code, "code name").
pub async fn grant_departments(
    ctx: &Context,
    caller: &Principal,
) -> DomainResult<Vec<(String, String)>> {
    require(caller, Permission::ManageAccounts)?;
    Ok(ctx
        .store
        .list_departments(&DataScope::company())
        .await?
        .into_iter()
        .map(|d| (d.code.clone(), format!("{} {}", d.code, d.name)))
        .collect())
}

/// The principal of account `user_id`: its roles, scopes and preferences.
pub async fn principal(ctx: &Context, user_id: i64) -> DomainResult<Principal> {
    ctx.store.load_principal(user_id).await
}

/// The caller's own employee record, when the account is linked to one.
pub async fn own_employee(ctx: &Context, caller: &Principal) -> DomainResult<Option<Employee>> {
    let Some(id) = caller.employee_id else {
        return Ok(None);
    };
    let own = DataScope {
        own_employee_id: Some(id),
        ..DataScope::default()
    };
    Ok(Some(ctx.store.get_employee(&own, id).await?))
}

/// The caller's API tokens, newest first.
pub async fn list_tokens(ctx: &Context, caller: &Principal) -> DomainResult<Vec<ApiToken>> {
    ctx.store.list_api_tokens(caller.user_id).await
}

/// Revokes one of the caller's own API tokens.
pub async fn revoke_token(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<()> {
    ctx.store.revoke_api_token(caller.user_id, id, actor).await
}

/// What survives a password change besides the new password.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepOnPasswordChange<'a> {
    /// The session the change was made from (a page), which stays signed in.
    pub session_hash: Option<&'a str>,
    /// Keep the person's API tokens (they are revoked otherwise).
    pub tokens: bool,
}

/// Changes the caller's password after checking the current one; ends their other
/// sessions and, unless kept, revokes their API tokens. Wrong current passwords count
/// towards the same throttle as sign-ins (keyed on the account and the address).
pub async fn change_password(
    ctx: &Context,
    principal: &Principal,
    current: &str,
    new: &str,
    keep: KeepOnPasswordChange<'_>,
    policy: &SessionPolicy,
    actor: &Actor,
) -> DomainResult<()> {
    let ip = actor.ip.as_deref().unwrap_or("");
    check_throttle(ctx, &principal.username, ip, policy).await?;
    let credentials = ctx
        .store
        .find_credentials(&principal.username)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if !password_matches(current, credentials.password_hash).await? {
        failed_sign_in(ctx, &principal.username, ip).await?;
        return Err(DomainError::invalid("current_password", "is wrong"));
    }
    validate_password(new, &principal.username)?;
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))??;
    ctx.store
        .set_password(
            principal.user_id,
            &hash,
            keep.session_hash,
            keep.tokens,
            actor,
        )
        .await
}

/// Disables or enables an account; one cannot disable oneself.
pub async fn set_account_active(
    ctx: &Context,
    principal: &Principal,
    user_id: i64,
    active: bool,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManageAccounts)?;
    if !active && user_id == principal.user_id {
        return Err(DomainError::invalid(
            "user",
            "you cannot disable your own account",
        ));
    }
    ctx.store.get_user(user_id).await?;
    ctx.store.set_active(user_id, active, actor).await
}

/// Creates a token for `user_id`; returns the secret and the stored record.
pub async fn issue_token(
    ctx: &Context,
    user_id: i64,
    name: &str,
    actor: &domain::audit::Actor,
) -> domain::DomainResult<(String, domain::account::ApiToken)> {
    let token = format!("sb_{}", crate::secrets::new_secret());
    let info = ctx
        .store
        .create_api_token(
            user_id,
            name,
            &crate::secrets::secret_hash(&token),
            &token[..10],
            actor,
        )
        .await?;
    Ok((token, info))
}

/// A hash to verify against when the username is unknown, so both paths take as long.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that never matches").unwrap_or_default())
}

/// Outcome of a password login.
pub enum LoginOutcome {
    /// The account and its new session token (to put in the cookie).
    Success { user_id: i64, session_token: String },
    /// Wrong username or password (never says which).
    Invalid,
    /// The directory that checks the password could not be reached.
    Unavailable,
}

/// Checks credentials with rate limiting and, on success, opens a session.
pub async fn sign_in(
    ctx: &Context,
    username: &str,
    password: &str,
    ip: &str,
    policy: &SessionPolicy,
) -> DomainResult<LoginOutcome> {
    check_throttle(ctx, username, ip, policy).await?;
    let credentials = ctx.store.find_credentials(username).await?;
    let (hash, user) = match &credentials {
        Some(c) => (c.password_hash.clone(), Some((c.user_id, c.active))),
        None => (decoy_hash().to_string(), None),
    };
    let matches = password_matches(password, hash).await?;
    // An account with a pending forced reset signs in only after setting a new password.
    let must_change = match user {
        Some((user_id, true)) if matches => {
            use store::prelude::HrSyncRepository;
            ctx.store.must_change_password(user_id).await?
        }
        _ => false,
    };
    match user {
        Some((user_id, true)) if matches && !must_change => {
            open_session(ctx, user_id, username, ip, policy).await
        }
        _ => failed_sign_in(ctx, username, ip).await,
    }
}

/// The throttle's key of a username: usernames are case-insensitive.
fn throttle_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Refuses with `RateLimited` when the username failed too often lately from this
/// address, or the address did for any username.
pub(crate) async fn check_throttle(
    ctx: &Context,
    username: &str,
    ip: &str,
    policy: &SessionPolicy,
) -> DomainResult<()> {
    let now = OffsetDateTime::now_utc();
    let window = time::Duration::minutes(policy.login_window_minutes);
    let failures = ctx
        .store
        .count_login_failures(&throttle_key(username), ip, now - window)
        .await?;
    if let Some(retry_after_secs) = failures.retry_after(
        policy.login_max_failures,
        policy.login_max_failures_per_address,
        window,
        now,
    ) {
        return Err(DomainError::RateLimited { retry_after_secs });
    }
    Ok(())
}

/// Whether `password` matches the stored `hash` (checked off the async threads).
pub(crate) async fn password_matches(password: &str, hash: String) -> DomainResult<bool> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))
}

/// Opens a session for an account that has just proven who it is.
pub(crate) async fn open_session(
    ctx: &Context,
    user_id: i64,
    username: &str,
    ip: &str,
    policy: &SessionPolicy,
) -> DomainResult<LoginOutcome> {
    ctx.store
        .clear_login_failures(&throttle_key(username), ip)
        .await?;
    let token = new_secret();
    let expires = OffsetDateTime::now_utc() + time::Duration::hours(policy.session_hours);
    ctx.store
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

/// Counts a failed sign-in of `username` from `ip` towards the throttle.
pub(crate) async fn failed_sign_in(
    ctx: &Context,
    username: &str,
    ip: &str,
) -> DomainResult<LoginOutcome> {
    ctx.store
        .record_login_failure(&throttle_key(username), ip, OffsetDateTime::now_utc())
        .await?;
    Ok(LoginOutcome::Invalid)
}

/// How long sessions last and how sign-in failures are throttled.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub session_hours: i64,
    /// Failed sign-ins of one username from one address within the window before refusing.
    pub login_max_failures: i64,
    /// Failed sign-ins from one address, for any username, within the window before refusing.
    pub login_max_failures_per_address: i64,
    pub login_window_minutes: i64,
}

/// Ends the session whose token hashes to `token_hash`.
pub async fn sign_out(ctx: &Context, token_hash: &str) -> DomainResult<()> {
    ctx.store.delete_session(token_hash).await
}

/// Deletes expired sessions and login failures too old to count (the nightly job);
/// returns how many rows went.
pub async fn purge_expired_sessions(ctx: &Context) -> DomainResult<u64> {
    ctx.store.purge_expired(OffsetDateTime::now_utc()).await
}

/// Remembers the caller's UI language on their account.
pub async fn set_locale(ctx: &Context, caller: &Principal, tag: &str) -> DomainResult<()> {
    ctx.store.set_locale(caller.user_id, tag).await
}

// ---- Logins from employee records, and forced password resets -----------------------

/// Creates the login of employee `employee_id` if they have none and are not `left`:
/// username from the setting `login_username` (employee number or e-mail), role
/// `employee` for themselves and `manager` over the department they head, no usable
/// local password (they sign in through the directory, or after a password reset). For
/// trusted callers: the directory logins (LDAP, OIDC, SCIM) and the employee import.
/// Returns what was done; `created` is empty when the person already has a login, and
/// `skipped` says why when none could be made.
pub async fn provision_for_employee(
    ctx: &Context,
    employee_id: i64,
    actor: &Actor,
) -> DomainResult<domain::hr_sync::ProvisionReport> {
    use store::prelude::HrSyncRepository;
    ctx.store
        .provision_logins(Some(&[employee_id]), ctx.settings.login_username, actor)
        .await
}

/// Creates the logins of every person who is not `left` and has none (as
/// [`provision_for_employee`]); the employee import does this after every write.
pub async fn provision_logins(
    ctx: &Context,
    caller: Option<&Principal>,
    actor: &Actor,
) -> DomainResult<domain::hr_sync::ProvisionReport> {
    use store::prelude::HrSyncRepository;
    if let Some(p) = caller {
        require(p, Permission::ManageAccounts)?;
    }
    ctx.store
        .provision_logins(None, ctx.settings.login_username, actor)
        .await
}

/// How long a password-reset link works.
pub const PASSWORD_RESET_HOURS: i64 = 72;

/// A forced password reset: the one-time token, shown once.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub user_id: i64,
    pub username: String,
    /// The secret; only its hash is stored.
    pub token: String,
    pub expires_at: OffsetDateTime,
}

impl PasswordReset {
    /// The path of the page where the token sets a new password.
    pub fn path(&self) -> String {
        format!("/password-reset?token={}", self.token)
    }
}

/// Forces a password reset of account `user_id` (an administrator: `ManageAccounts`;
/// the CLI passes no caller): the current password stops working, every session ends,
/// and the returned one-time token sets a new password within
/// [`PASSWORD_RESET_HOURS`]. Audited.
pub async fn force_password_reset(
    ctx: &Context,
    caller: Option<&Principal>,
    user_id: i64,
    actor: &Actor,
) -> DomainResult<PasswordReset> {
    use store::prelude::HrSyncRepository;
    if let Some(p) = caller {
        require(p, Permission::ManageAccounts)?;
    }
    let token = new_secret();
    let expires_at = OffsetDateTime::now_utc() + time::Duration::hours(PASSWORD_RESET_HOURS);
    let username = ctx
        .store
        .start_password_reset(user_id, &secret_hash(&token), expires_at, actor)
        .await?;
    Ok(PasswordReset {
        user_id,
        username,
        token,
        expires_at,
    })
}

/// Forces a password reset of the account called `username` (see [`force_password_reset`]).
pub async fn force_password_reset_by_username(
    ctx: &Context,
    caller: Option<&Principal>,
    username: &str,
    actor: &Actor,
) -> DomainResult<PasswordReset> {
    let username = username.trim();
    let credentials = ctx.store.find_credentials(username).await?.ok_or_else(|| {
        DomainError::invalid("username", format!("no account is called '{username}'"))
    })?;
    force_password_reset(ctx, caller, credentials.user_id, actor).await
}

/// Sets a new password through a reset token (no caller: the token is the proof);
/// returns the username. The token works once.
pub async fn complete_password_reset(
    ctx: &Context,
    token: &str,
    new_password: &str,
    repeat: &str,
) -> DomainResult<String> {
    use store::prelude::HrSyncRepository;
    if new_password != repeat {
        return Err(DomainError::invalid("repeat", "the passwords do not match"));
    }
    validate_password(new_password, "")?;
    let password = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))??;
    ctx.store
        .complete_password_reset(&secret_hash(token.trim()), &hash)
        .await
}
