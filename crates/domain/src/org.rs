//! Organisation: departments (a tree), positions and employees.

use crate::{DataScope, DomainError, DomainResult, Page, Paged};
use serde::{Deserialize, Serialize};
use std::future::Future;
use time::Date;

/// A department; `path` is the materialised chain of ids from the root (`/1/4/9/`),
/// so a subtree is every department whose path starts with its path.
#[derive(Debug, Clone, Serialize)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub business_line: Option<String>,
    pub parent_id: Option<i64>,
    pub path: String,
    pub head_employee_id: Option<i64>,
}

/// A position (job) employees hold.
#[derive(Debug, Clone, Serialize)]
pub struct Position {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub job_family: Option<String>,
    pub grade: Option<String>,
}

/// Where an employee stands; people who leave are marked, never deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployeeStatus {
    Active,
    OnLeave,
    Left,
}

impl EmployeeStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            EmployeeStatus::Active => "active",
            EmployeeStatus::OnLeave => "on_leave",
            EmployeeStatus::Left => "left",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> DomainResult<Self> {
        match code {
            "active" => Ok(Self::Active),
            "on_leave" => Ok(Self::OnLeave),
            "left" => Ok(Self::Left),
            other => Err(DomainError::invalid(
                "status",
                format!("unknown status '{other}'"),
            )),
        }
    }
}

/// An employee with the names of their department, position and manager.
#[derive(Debug, Clone, Serialize)]
pub struct Employee {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub department_path: String,
    pub position_id: Option<i64>,
    pub position_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub hire_date: Option<Date>,
    pub status: EmployeeStatus,
    pub city: Option<String>,
    /// Personal information: masked unless the caller may see contact details.
    pub phone: Option<String>,
    /// Personal information: masked unless the caller may see contact details.
    pub email: Option<String>,
}

impl Employee {
    /// Replaces contact fields with masked forms (`138****5678`, `z***@example.com`).
    pub fn mask_contact_details(&mut self) {
        self.phone = self.phone.as_deref().map(mask_phone);
        self.email = self.email.as_deref().map(mask_email);
    }
}

/// Masks all but the first three and last four digits of a phone number.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// Masks the local part of an e-mail address but its first character.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// Filters for the employee list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EmployeeFilter {
    /// Matches employee number or name (substring).
    pub q: Option<String>,
    /// Restricts to a department subtree.
    pub department_id: Option<i64>,
    pub status: Option<EmployeeStatus>,
    /// Only people with this duty or project tag.
    pub tag: Option<String>,
}

/// Head count of one department's subtree.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentHeadcount {
    pub department_id: i64,
    pub code: String,
    pub name: String,
    pub depth: usize,
    pub headcount: i64,
}

/// Reads of the organisation, always limited by the caller's scope.
pub trait OrgRepository {
    /// Employees visible in `scope`, filtered and paged.
    fn list_employees(
        &self,
        scope: &DataScope,
        filter: &EmployeeFilter,
        page: Page,
    ) -> impl Future<Output = DomainResult<Paged<Employee>>> + Send;

    /// One employee, if `scope` covers it.
    fn get_employee(
        &self,
        scope: &DataScope,
        id: i64,
    ) -> impl Future<Output = DomainResult<Employee>> + Send;

    /// Departments visible in `scope`, ordered by path.
    fn list_departments(
        &self,
        scope: &DataScope,
    ) -> impl Future<Output = DomainResult<Vec<Department>>> + Send;

    /// Active head count per visible department, counting its whole subtree.
    fn headcount_by_department(
        &self,
        scope: &DataScope,
    ) -> impl Future<Output = DomainResult<Vec<DepartmentHeadcount>>> + Send;

    /// A department by id, regardless of scope (used to resolve grants).
    fn get_department(&self, id: i64) -> impl Future<Output = DomainResult<Department>> + Send;

    /// A department by code, regardless of scope.
    fn find_department_by_code(
        &self,
        code: &str,
    ) -> impl Future<Output = DomainResult<Option<Department>>> + Send;

    /// An employee id by employee number, regardless of scope.
    fn find_employee_id(
        &self,
        employee_no: &str,
    ) -> impl Future<Output = DomainResult<Option<i64>>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_contact_details() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("12345"), "*****");
        assert_eq!(mask_email("zhang.wei@example.com"), "z***@example.com");
        assert_eq!(mask_email("nonsense"), "***");
    }

    #[test]
    fn status_codes_round_trip() {
        for s in [
            EmployeeStatus::Active,
            EmployeeStatus::OnLeave,
            EmployeeStatus::Left,
        ] {
            assert_eq!(EmployeeStatus::parse(s.code()).unwrap(), s);
        }
        assert!(EmployeeStatus::parse("fired").is_err());
    }
}
