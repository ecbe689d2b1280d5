//! Roles, data scopes and permissions.
//!
//! Every role a user holds is granted with a scope: the user's own records, a
//! department subtree, or the whole company. What a caller may see for a given
//! permission is the union of the scopes of the grants whose role carries it;
//! the store applies that [`DataScope`] in the query itself.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A role a person can hold (several at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Employee,
    Manager,
    TrainingAdmin,
    Instructor,
    Reviewer,
    Executive,
    SystemAdmin,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 7] = [
        Role::Employee,
        Role::Manager,
        Role::TrainingAdmin,
        Role::Instructor,
        Role::Reviewer,
        Role::Executive,
        Role::SystemAdmin,
    ];

    /// The code used in the database, the API and the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::Manager => "manager",
            Role::TrainingAdmin => "training_admin",
            Role::Instructor => "instructor",
            Role::Reviewer => "reviewer",
            Role::Executive => "executive",
            Role::SystemAdmin => "system_admin",
        }
    }

    /// Parses a role code.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The permissions this role carries (within the scope of its grant).
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Employee => &[ViewPeople],
            Role::Manager => &[
                ViewPeople,
                ViewContactDetails,
                ViewHeadcount,
                ManageTrainingNeeds,
                EnrollPeople,
                ViewEvaluation,
            ],
            Role::TrainingAdmin => &[
                ViewPeople,
                ViewContactDetails,
                ViewHeadcount,
                ManagePeople,
                ManageTrainingNeeds,
                AuthorResources,
                ReviewResources,
                ManageLibrary,
                ManagePrograms,
                EnrollPeople,
                TeachSessions,
                ViewEvaluation,
            ],
            Role::Instructor => &[AuthorResources, TeachSessions],
            Role::Reviewer => &[ReviewResources],
            Role::Executive => &[ViewPeople, ViewHeadcount, ViewEvaluation],
            Role::SystemAdmin => &[
                ViewPeople,
                ViewContactDetails,
                ViewHeadcount,
                ManagePeople,
                ManageAccounts,
                ViewAudit,
                ManageJobs,
                ManageTrainingNeeds,
                AuthorResources,
                ReviewResources,
                ManageLibrary,
                ManagePrograms,
                EnrollPeople,
                TeachSessions,
                ManageWebhooks,
                ViewEvaluation,
            ],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a grant's scope covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "department_id", rename_all = "snake_case")]
pub enum ScopeKind {
    /// Only the holder's own records.
    #[serde(rename = "self")]
    SelfOnly,
    /// A department and everything below it.
    Department(i64),
    /// The whole company.
    Company,
}

impl ScopeKind {
    /// The code stored in the database.
    pub fn code(&self) -> &'static str {
        match self {
            ScopeKind::SelfOnly => "self",
            ScopeKind::Department(_) => "department",
            ScopeKind::Company => "company",
        }
    }
}

/// One role held with one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: ScopeKind,
    /// Materialised path of the scope's department (`/1/4/`), when it has one.
    pub department_path: Option<String>,
    /// Name of the scope's department, for display.
    pub department_name: Option<String>,
}

/// Something a role allows, limited by the grant's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See people, departments and positions (not contact details).
    ViewPeople,
    /// See phone numbers and e-mail addresses unmasked.
    ViewContactDetails,
    /// See head counts and department summaries.
    ViewHeadcount,
    /// Create and change people data.
    ManagePeople,
    /// Create accounts, grant roles, disable accounts.
    ManageAccounts,
    /// Read the audit log.
    ViewAudit,
    /// See and retry background jobs.
    ManageJobs,
    /// Raise and see training needs for the people in scope.
    ManageTrainingNeeds,
    /// Write library resources and micro-courses (and see one's own drafts).
    AuthorResources,
    /// Publish, send back and retire library resources; see drafts under review.
    ReviewResources,
    /// Moderate comments, keep tag vocabularies and scenario packs, read library reports.
    ManageLibrary,
    /// Keep plans, programs, sessions, venues and instructors; enrol whole audiences;
    /// import training records.
    ManagePrograms,
    /// Enrol the people in scope into programs and cancel their enrollments.
    EnrollPeople,
    /// Run the sessions one teaches: check-in codes and roll call.
    TeachSessions,
    /// Register the webhooks that forward events to other systems (their secrets and
    /// company-wide event stream make it an administrator's task).
    ManageWebhooks,
    /// See evaluation (value proof): Kirkpatrick levels, effects on KPIs, ROI,
    /// efficiency and alerts, for the programs and people in scope.
    ViewEvaluation,
}

/// The records a caller may touch for one permission, applied in SQL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataScope {
    /// The whole company.
    pub company: bool,
    /// Department subtrees by materialised path prefix.
    pub department_paths: Vec<String>,
    /// The caller's own employee record.
    pub own_employee_id: Option<i64>,
}

impl DataScope {
    /// A scope that covers everything (system tasks, CLI).
    pub fn company() -> Self {
        Self {
            company: true,
            ..Self::default()
        }
    }

    /// True when the scope covers no record at all.
    pub fn is_empty(&self) -> bool {
        !self.company && self.department_paths.is_empty() && self.own_employee_id.is_none()
    }

    /// Whether a record in the department with `department_path`, belonging to
    /// `employee_id`, is visible.
    pub fn covers(&self, department_path: &str, employee_id: Option<i64>) -> bool {
        self.company
            || self
                .department_paths
                .iter()
                .any(|p| department_path.starts_with(p.as_str()))
            || (employee_id.is_some() && employee_id == self.own_employee_id)
    }
}

/// The authenticated caller of a request or command.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub employee_id: Option<i64>,
    pub grants: Vec<Grant>,
    pub locale: Option<String>,
}

impl Principal {
    /// Whether the caller holds `role` in any scope.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Whether any of the caller's grants carries `permission`.
    pub fn can(&self, permission: Permission) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.permissions().contains(&permission))
    }

    /// The union of the scopes of the grants that carry `permission`.
    pub fn scope_for(&self, permission: Permission) -> DataScope {
        let mut scope = DataScope::default();
        for grant in self
            .grants
            .iter()
            .filter(|g| g.role.permissions().contains(&permission))
        {
            match grant.scope {
                ScopeKind::Company => scope.company = true,
                ScopeKind::Department(_) => {
                    if let Some(path) = &grant.department_path
                        && !scope.department_paths.contains(path)
                    {
                        scope.department_paths.push(path.clone());
                    }
                }
                ScopeKind::SelfOnly => scope.own_employee_id = self.employee_id,
            }
        }
        if scope.company {
            scope.department_paths.clear();
        }
        scope
    }

    /// Whether the caller manages people data company-wide (imports, reconciliation, decoding).
    pub fn manages_people_company_wide(&self) -> bool {
        self.scope_for(Permission::ManagePeople).company
    }

    /// Roles held, without duplicates, in display order.
    pub fn roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        roles.sort();
        roles.dedup();
        roles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(grants: Vec<Grant>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            employee_id: Some(42),
            grants,
            locale: None,
        }
    }

    fn grant(role: Role, scope: ScopeKind, path: Option<&str>) -> Grant {
        Grant {
            role,
            scope,
            department_path: path.map(String::from),
            department_name: None,
        }
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn scope_is_the_union_of_grants_carrying_the_permission() {
        let p = principal(vec![
            grant(Role::Employee, ScopeKind::SelfOnly, None),
            grant(Role::Manager, ScopeKind::Department(3), Some("/1/3/")),
            grant(Role::Instructor, ScopeKind::Company, None),
        ]);
        let people = p.scope_for(Permission::ViewPeople);
        assert!(
            !people.company,
            "instructor's company grant carries no people permission"
        );
        assert_eq!(people.department_paths, vec!["/1/3/".to_string()]);
        assert_eq!(people.own_employee_id, Some(42));
        assert!(people.covers("/1/3/7/", None));
        assert!(!people.covers("/1/4/", None));
        assert!(people.covers("/1/4/", Some(42)));
        assert!(p.scope_for(Permission::ViewAudit).is_empty());
    }

    #[test]
    fn company_grant_swallows_department_paths() {
        let p = principal(vec![
            grant(Role::Manager, ScopeKind::Department(3), Some("/1/3/")),
            grant(Role::TrainingAdmin, ScopeKind::Company, None),
        ]);
        let scope = p.scope_for(Permission::ViewPeople);
        assert!(scope.company && scope.department_paths.is_empty());
    }
}
