//! SCIM 2.0 provisioning (RFC 7643/7644): a directory creates, updates and deactivates
//! accounts, and says who holds which role. SCIM groups are Skillbridge's roles: the
//! group `manager` is everyone granted the manager role. A member added to `employee`
//! holds it for themselves, to `manager` for their employee's department, to any other
//! role company-wide. Every call needs `ManageAccounts` (an administrator's API token).

use crate::Context;
use crate::access::require;
use crate::accounts::{self, AccountInput, GrantCodes};
use crate::secrets::new_secret;
use domain::account::{AccountRepository, User};
use domain::audit::Actor;
use domain::org::OrgRepository;
use domain::{DataScope, DomainError, DomainResult, Permission, Principal, Role, ScopeKind};
use store::ScimProfile;
use store::prelude::SsoRepository;

/// An account as SCIM shows it.
#[derive(Debug, Clone)]
pub struct ScimUser {
    pub user: User,
    pub profile: ScimProfile,
    /// The linked employee's number.
    pub employee_no: Option<String>,
}

/// A new account from a directory.
#[derive(Debug, Clone, Default)]
pub struct NewScimUser {
    pub user_name: String,
    pub display_name: Option<String>,
    pub external_id: Option<String>,
    pub email: Option<String>,
    /// The employee to link (the enterprise extension's `employeeNumber`); without
    /// one, the employee with the e-mail address, if exactly one has it.
    pub employee_no: Option<String>,
    pub active: bool,
}

/// Changes to an account; `None` leaves a value as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ScimChange {
    pub display_name: Option<String>,
    pub external_id: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub active: Option<bool>,
}

async fn scim_user(ctx: &Context, user: User) -> DomainResult<ScimUser> {
    let profile = ctx.store.scim_profile(user.id).await?;
    let employee_no = match user.employee_id {
        Some(id) => Some(
            ctx.store
                .get_employee(&DataScope::company(), id)
                .await?
                .employee_no,
        ),
        None => None,
    };
    Ok(ScimUser {
        user,
        profile,
        employee_no,
    })
}

/// Accounts by username: the one named `user_name`, or a page of all from
/// `start_index` (1-based) with at most `count`; with the total.
pub async fn list_users(
    ctx: &Context,
    caller: &Principal,
    user_name: Option<&str>,
    start_index: i64,
    count: i64,
) -> DomainResult<(i64, Vec<ScimUser>)> {
    require(caller, Permission::ManageAccounts)?;
    if let Some(name) = user_name {
        let Some(found) = ctx.store.find_credentials(name).await? else {
            return Ok((0, Vec::new()));
        };
        let user = ctx.store.get_user(found.user_id).await?;
        return Ok((1, vec![scim_user(ctx, user).await?]));
    }
    let (ids, total) = ctx
        .store
        .account_id_page(start_index.max(1) - 1, count.clamp(0, 200))
        .await?;
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        users.push(scim_user(ctx, ctx.store.get_user(id).await?).await?);
    }
    Ok((total, users))
}

/// One account.
pub async fn get_user(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<ScimUser> {
    require(caller, Permission::ManageAccounts)?;
    let user = ctx.store.get_user(id).await?;
    scim_user(ctx, user).await
}

fn clean(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Creates an account (with a password nobody knows: its owner signs in through the
/// directory), links its employee and keeps the directory's attributes.
pub async fn create_user(
    ctx: &Context,
    caller: &Principal,
    input: NewScimUser,
    actor: &Actor,
) -> DomainResult<ScimUser> {
    require(caller, Permission::ManageAccounts)?;
    let email = clean(input.email);
    let mut employee_no = clean(input.employee_no);
    if employee_no.is_none()
        && let Some(mail) = &email
        && let Some(id) = ctx.store.employee_by_email(mail).await?
    {
        employee_no = Some(
            ctx.store
                .get_employee(&DataScope::company(), id)
                .await?
                .employee_no,
        );
    }
    let user_name = input.user_name.trim().to_string();
    let display_name = clean(input.display_name).unwrap_or_else(|| user_name.clone());
    let user = accounts::create_account(
        ctx,
        Some(caller),
        AccountInput {
            username: user_name,
            display_name,
            password: new_secret(),
            employee_no,
            grants: Vec::new(),
        },
        actor,
    )
    .await?;
    let profile = ScimProfile {
        external_id: clean(input.external_id),
        email,
    };
    ctx.store
        .update_scim_account(user.id, None, &profile, actor)
        .await?;
    if !input.active {
        ctx.store.set_active(user.id, false, actor).await?;
    }
    get_user(ctx, caller, user.id).await
}

/// Applies a directory's changes; deactivating ends the account's sessions and revokes
/// its tokens. One cannot deactivate oneself.
pub async fn update_user(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    change: ScimChange,
    actor: &Actor,
) -> DomainResult<ScimUser> {
    require(caller, Permission::ManageAccounts)?;
    let before = get_user(ctx, caller, id).await?;
    let display_name = clean(change.display_name);
    if display_name.is_some() || change.external_id.is_some() || change.email.is_some() {
        let profile = ScimProfile {
            external_id: match change.external_id {
                Some(v) => clean(v),
                None => before.profile.external_id.clone(),
            },
            email: match change.email {
                Some(v) => clean(v),
                None => before.profile.email.clone(),
            },
        };
        if display_name.as_deref() != Some(before.user.display_name.as_str())
            || profile != before.profile
        {
            ctx.store
                .update_scim_account(id, display_name.as_deref(), &profile, actor)
                .await?;
        }
    }
    if let Some(active) = change.active
        && active != before.user.active
    {
        accounts::set_account_active(ctx, caller, id, active, actor).await?;
    }
    get_user(ctx, caller, id).await
}

/// A role as a SCIM group, with its members as (account id, username).
#[derive(Debug, Clone)]
pub struct ScimGroup {
    pub role: Role,
    pub members: Vec<(i64, String)>,
}

/// The roles as groups; only `display_name` when given (a role's code).
pub async fn list_groups(
    ctx: &Context,
    caller: &Principal,
    display_name: Option<&str>,
) -> DomainResult<Vec<ScimGroup>> {
    require(caller, Permission::ManageAccounts)?;
    let mut groups = Vec::new();
    for role in Role::ALL {
        if display_name.is_some_and(|n| n != role.code()) {
            continue;
        }
        groups.push(ScimGroup {
            role,
            members: ctx.store.role_members(role.code()).await?,
        });
    }
    Ok(groups)
}

fn role_of(code: &str) -> DomainResult<Role> {
    Role::parse(code).ok_or(DomainError::NotFound { entity: "group" })
}

/// One role as a group.
pub async fn get_group(ctx: &Context, caller: &Principal, code: &str) -> DomainResult<ScimGroup> {
    require(caller, Permission::ManageAccounts)?;
    let role = role_of(code)?;
    Ok(ScimGroup {
        role,
        members: ctx.store.role_members(role.code()).await?,
    })
}

/// Adds and removes members of a role (see the module's note on scopes); removing takes
/// every grant of the role the account holds.
pub async fn change_group_members(
    ctx: &Context,
    caller: &Principal,
    code: &str,
    add: &[i64],
    remove: &[i64],
    actor: &Actor,
) -> DomainResult<ScimGroup> {
    require(caller, Permission::ManageAccounts)?;
    let role = role_of(code)?;
    for &id in add {
        let user = ctx.store.get_user(id).await?;
        let codes = match role {
            Role::Employee => GrantCodes::new(role.code(), "self", None),
            Role::Manager => {
                let employee_id = user.employee_id.ok_or_else(|| {
                    DomainError::invalid(
                        "members",
                        format!("{} is no employee, so manages no department", user.username),
                    )
                })?;
                let department = ctx
                    .store
                    .get_employee(&DataScope::company(), employee_id)
                    .await?
                    .department_id;
                GrantCodes {
                    department_id: Some(department),
                    ..GrantCodes::new(role.code(), "department", None)
                }
            }
            _ => GrantCodes::new(role.code(), "company", None),
        };
        if !user.grants.iter().any(|g| g.role == role) {
            accounts::add_grant(ctx, caller, id, &codes, actor).await?;
        }
    }
    for &id in remove {
        let user = ctx.store.get_user(id).await?;
        for grant in user.grants.iter().filter(|g| g.role == role) {
            let codes = match grant.scope {
                ScopeKind::SelfOnly => GrantCodes::new(role.code(), "self", None),
                ScopeKind::Company => GrantCodes::new(role.code(), "company", None),
                ScopeKind::Department(d) => GrantCodes {
                    department_id: Some(d),
                    ..GrantCodes::new(role.code(), "department", None)
                },
            };
            accounts::remove_grant(ctx, caller, id, &codes, actor).await?;
        }
    }
    get_group(ctx, caller, code).await
}
