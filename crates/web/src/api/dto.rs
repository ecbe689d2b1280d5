//! Request and response bodies of the API (the domain types stay free of HTTP traits).

use domain::account::{ApiToken, User};
use domain::audit::AuditEntry;
use domain::jobs::Job;
use domain::org::{Department, DepartmentHeadcount, Employee};
use domain::{Grant, ScopeKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

/// RFC 3339 text of a timestamp.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// A role held with its data scope.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantDto {
    /// employee, manager, training_admin, instructor, reviewer, executive or system_admin.
    pub role: String,
    /// self, department or company.
    pub scope: String,
    /// Department of a `department` scope.
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
}

impl From<&Grant> for GrantDto {
    fn from(g: &Grant) -> Self {
        GrantDto {
            role: g.role.code().into(),
            scope: g.scope.code().into(),
            department_id: match g.scope {
                ScopeKind::Department(id) => Some(id),
                _ => None,
            },
            department_name: g.department_name.clone(),
        }
    }
}

/// An employee; contact fields are masked outside the caller's contact-details scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeeDto {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub position_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    /// YYYY-MM-DD.
    pub hire_date: Option<String>,
    /// active, on_leave or left.
    pub status: String,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl From<Employee> for EmployeeDto {
    fn from(e: Employee) -> Self {
        EmployeeDto {
            id: e.id,
            employee_no: e.employee_no,
            name: e.name,
            department_id: e.department_id,
            department_name: e.department_name,
            position_name: e.position_name,
            manager_id: e.manager_id,
            manager_name: e.manager_name,
            hire_date: e.hire_date.map(|d| d.to_string()),
            status: e.status.code().into(),
            city: e.city,
            phone: e.phone,
            email: e.email,
        }
    }
}

/// One page of employees.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeePage {
    pub items: Vec<EmployeeDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeDto {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<GrantDto>,
    /// The caller's own employee record, when the account is linked to one.
    pub employee: Option<EmployeeDto>,
}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub business_line: Option<String>,
    pub parent_id: Option<i64>,
    pub head_employee_id: Option<i64>,
}

impl From<Department> for DepartmentDto {
    fn from(d: Department) -> Self {
        DepartmentDto {
            id: d.id,
            code: d.code,
            name: d.name,
            business_line: d.business_line,
            parent_id: d.parent_id,
            head_employee_id: d.head_employee_id,
        }
    }
}

/// Active and on-leave head count of a department's subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeadcountDto {
    pub department_id: i64,
    pub code: String,
    pub name: String,
    /// Depth below the root (0 = the company).
    pub depth: usize,
    pub headcount: i64,
}

impl From<DepartmentHeadcount> for HeadcountDto {
    fn from(h: DepartmentHeadcount) -> Self {
        HeadcountDto {
            department_id: h.department_id,
            code: h.code,
            name: h.name,
            depth: h.depth,
            headcount: h.headcount,
        }
    }
}

/// A login account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub employee_id: Option<i64>,
    pub active: bool,
    pub created_at: String,
    pub grants: Vec<GrantDto>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        UserDto {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            employee_id: u.employee_id,
            active: u.active,
            created_at: rfc3339(u.created_at),
            grants: u.grants.iter().map(GrantDto::from).collect(),
        }
    }
}

/// One page of accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A role to grant or revoke.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantInput {
    /// Role code.
    pub role: String,
    /// self, department or company.
    pub scope: String,
    /// Required for a department scope.
    pub department_code: Option<String>,
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    /// At least 10 characters.
    pub password: String,
    /// Links the account to an employee record.
    pub employee_no: Option<String>,
    #[serde(default)]
    pub grants: Vec<GrantInput>,
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChangeInput {
    pub current_password: String,
    pub new_password: String,
    /// Keep the account's API tokens (including the one making this call); by default
    /// a password change revokes them.
    #[serde(default)]
    pub keep_tokens: bool,
}

/// A new personal API token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenInput {
    pub name: String,
}

/// A personal API token as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl From<ApiToken> for TokenDto {
    fn from(t: ApiToken) -> Self {
        TokenDto {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created_at: rfc3339(t.created_at),
            last_used_at: t.last_used_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
        }
    }
}

/// A new token with its secret, shown only in this response.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenDto {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenDto,
}

/// An audit-log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditDto {
    pub id: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<String>,
    /// JSON text of the record before the change.
    pub before: Option<String>,
    /// JSON text of the record after the change.
    pub after: Option<String>,
}

impl From<AuditEntry> for AuditDto {
    fn from(a: AuditEntry) -> Self {
        AuditDto {
            id: a.id,
            at: rfc3339(a.at),
            actor_user_id: a.actor_user_id,
            actor: a.actor,
            ip: a.ip,
            action: a.action,
            entity_kind: a.entity_kind,
            entity_id: a.entity_id,
            before: a.before,
            after: a.after,
        }
    }
}

/// One page of audit entries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    pub id: i64,
    pub kind: String,
    /// queued, running, succeeded or failed.
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl From<Job> for JobDto {
    fn from(j: Job) -> Self {
        JobDto {
            id: j.id,
            kind: j.kind,
            status: j.status.code().into(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: rfc3339(j.run_at),
            last_error: j.last_error,
            created_at: rfc3339(j.created_at),
            finished_at: j.finished_at.map(rfc3339),
        }
    }
}
