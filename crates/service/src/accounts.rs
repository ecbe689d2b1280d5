//! Accounts: creating them, passwords, grants and activation.

use crate::Context;
use crate::access::require;
use crate::secrets::{hash_password, verify_password};
use domain::account::{AccountRepository, NewUser, User, validate_password, validate_username};
use domain::audit::Actor;
use domain::org::OrgRepository;
use domain::{DomainError, DomainResult, Permission, Principal, Role, ScopeKind};
/// Turns role/scope codes into a grant, resolving a department code.
pub async fn parse_grant(
    ctx: &Context,
    role: &str,
    scope: &str,
    department_code: Option<&str>,
) -> DomainResult<(Role, ScopeKind)> {
    let role = Role::parse(role.trim()).ok_or_else(|| {
        DomainError::invalid("role", format!("unknown role '{role}'; expected one of employee, manager, training_admin, instructor, reviewer, executive, system_admin"))
    })?;
    let scope = match scope.trim() {
        "self" => ScopeKind::SelfOnly,
        "company" => ScopeKind::Company,
        "department" => {
            let code = department_code
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
    pub grants: Vec<(Role, ScopeKind)>,
}

/// Validates and creates an account (password hashed off the async threads).
pub async fn create_account(
    ctx: &Context,
    input: AccountInput,
    actor: &Actor,
) -> DomainResult<User> {
    let username = input.username.trim().to_string();
    validate_username(&username)?;
    validate_password(&input.password, &username)?;
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
    let password = input.password;
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))??;
    let user = NewUser {
        username,
        display_name: input.display_name,
        password_hash,
        employee_id,
        grants: input.grants,
    };
    ctx.store.create_user(&user, actor).await
}

/// Changes the caller's password after checking the current one; ends their other sessions.
pub async fn change_password(
    ctx: &Context,
    principal: &Principal,
    current: &str,
    new: &str,
    keep_session_hash: Option<&str>,
    actor: &Actor,
) -> DomainResult<()> {
    let credentials = ctx
        .store
        .find_credentials(&principal.username)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let (current, stored) = (current.to_string(), credentials.password_hash);
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))?;
    if !ok {
        return Err(DomainError::invalid("current_password", "is wrong"));
    }
    validate_password(new, &principal.username)?;
    let new = new.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| DomainError::internal_from("a blocking task failed", e))??;
    ctx.store
        .set_password(principal.user_id, &hash, keep_session_hash, actor)
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
