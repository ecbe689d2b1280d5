//! Training operations: programs, sessions and enrolment.

use crate::Context;
use crate::access::{require, scope_or_forbidden};
use domain::audit::Actor;
use domain::operations::{EnrollOutcome, EnrollmentSource};
use domain::{DataScope, DomainError, DomainResult, Permission, Principal};
use store::prelude::*;

/// Who is being enrolled into a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrollees {
    /// The caller's own employee record (self-service).
    Myself,
    /// Named people by employee number, within the caller's enrolment scope.
    People(Vec<String>),
    /// Everyone the program's audience rule matches (program staff only).
    Audience,
}

/// Enrols people into program `program_id`: seats go first come first served, the rest
/// wait. The same rules answer the page and the API: an empty list of people, or an
/// audience rule that is missing or matches no active employee, is a validation error
/// on that field, never a silent success.
pub async fn enroll(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    who: Enrollees,
    actor: &Actor,
) -> DomainResult<EnrollOutcome> {
    let (people, source) = match who {
        Enrollees::Myself => {
            let me = principal.employee_id.ok_or_else(|| {
                DomainError::invalid("self", "your account is not linked to an employee record")
            })?;
            ctx.store.program_detail(program_id).await?;
            (vec![me], EnrollmentSource::SelfService)
        }
        Enrollees::People(numbers) => {
            let scope = scope_or_forbidden(principal, Permission::EnrollPeople)?;
            ctx.store.program_detail(program_id).await?;
            let numbers: Vec<String> = numbers
                .iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect();
            if numbers.is_empty() {
                return Err(DomainError::invalid(
                    "employees",
                    "list at least one employee number",
                ));
            }
            let ids = ctx.store.employees_in_scope(&numbers, &scope).await?;
            (ids, EnrollmentSource::Assigned)
        }
        Enrollees::Audience => {
            require(principal, Permission::ManagePrograms)?;
            let detail = ctx.store.program_detail(program_id).await?;
            if detail.audience.is_empty() {
                return Err(DomainError::invalid(
                    "audience",
                    "the program has no audience rule",
                ));
            }
            let members = ctx
                .store
                .audience_members(&detail.audience, &DataScope::company())
                .await?;
            if members.is_empty() {
                return Err(DomainError::invalid(
                    "audience",
                    "the program's audience rule matches no active employee",
                ));
            }
            (members, EnrollmentSource::Pushed)
        }
    };
    ctx.store.enroll(program_id, &people, source, actor).await
}
