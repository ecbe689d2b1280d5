//! Who may do what: the permission and scope rules every use case checks.

use crate::Context;
use domain::org::Employee;
use domain::{DataScope, DomainError, DomainResult, Permission, Principal};
use store::prelude::*;

/// Whether the caller may run a session (check-in codes, attendance sheet, roll
/// call): program staff any session, an instructor only the scheduled sessions they
/// teach.
pub async fn may_run_session(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
) -> DomainResult<bool> {
    if principal.can(Permission::ManagePrograms) {
        return Ok(true);
    }
    match principal.employee_id {
        Some(employee) if principal.can(Permission::TeachSessions) => {
            ctx.store.teaches(employee, session_id).await
        }
        _ => Ok(false),
    }
}

/// The caller's scope for `permission`; `Forbidden` when it covers nothing.
pub fn scope_or_forbidden(
    principal: &Principal,
    permission: Permission,
) -> DomainResult<DataScope> {
    let scope = principal.scope_for(permission);
    if scope.is_empty() {
        Err(DomainError::Forbidden)
    } else {
        Ok(scope)
    }
}

/// Fails with `Forbidden` unless the caller has `permission` somewhere.
pub fn require(principal: &Principal, permission: Permission) -> DomainResult<()> {
    if principal.can(permission) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Masks contact details the caller may not see (their own are always visible).
pub fn apply_contact_mask(principal: &Principal, employee: &mut Employee) {
    let own = principal.employee_id == Some(employee.id);
    if !own
        && !principal
            .scope_for(Permission::ViewContactDetails)
            .covers(&employee.department_path, Some(employee.id))
    {
        employee.mask_contact_details();
    }
}

/// Fails unless the caller may run `session_id` (codes, sheet, roll call) through the
/// API: `Forbidden` without the teaching permission, `NotFound` for a missing session
/// (before `Forbidden`, so a missing session reads the same for every teacher).
pub async fn require_session_runner(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
) -> DomainResult<()> {
    require(principal, Permission::TeachSessions)?;
    // 404 before 403, so a missing session reads the same for every teacher.
    ctx.store.session(session_id).await?;
    if may_run_session(ctx, principal, session_id).await? {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Program staff see every session's results; an instructor those of the sessions
/// they teach (also after the session, so not only while it is scheduled).
pub async fn may_see_session_results(
    ctx: &Context,
    principal: &domain::Principal,
    session_id: i64,
) -> DomainResult<bool> {
    if principal.can(Permission::ManagePrograms) {
        return Ok(true);
    }
    let Some(employee) = principal.employee_id else {
        return Ok(false);
    };
    if !principal.can(Permission::TeachSessions) {
        return Ok(false);
    }
    let Some(instructor) = ctx.store.instructor_of_employee(employee).await? else {
        return Ok(false);
    };
    Ok(ctx
        .store
        .instructor_surveys(instructor)
        .await?
        .iter()
        .any(|s| s.session_id == session_id)
        || ctx.store.teaches(employee, session_id).await?)
}

/// Program staff see every instructor's results; an instructor their own.
pub async fn may_see_instructor_results(
    ctx: &Context,
    principal: &domain::Principal,
    instructor_id: i64,
) -> DomainResult<bool> {
    if principal.can(Permission::ManagePrograms) {
        return Ok(true);
    }
    match principal.employee_id {
        Some(employee) if principal.can(Permission::TeachSessions) => {
            Ok(ctx.store.instructor_of_employee(employee).await? == Some(instructor_id))
        }
        _ => Ok(false),
    }
}

/// A place in the product a person may go to (the pages' navigation shows these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Home,
    People,
    Org,
    Performance,
    Entry,
    Competency,
    Decoding,
    Needs,
    MyNeeds,
    MyApprovals,
    Credits,
    Certificates,
    Library,
    Programs,
    MyLearning,
    Practice,
    MyExams,
    Timetables,
    Exams,
    Grading,
    Reconciliation,
    Evaluation,
    Users,
    Audit,
    Jobs,
    Webhooks,
    Inbox,
    Account,
    Api,
}

/// The destinations open to `p`, in the navigation's order: each follows from the
/// permissions its pages check.
pub fn destinations(p: &Principal) -> Vec<Destination> {
    let mut items = vec![Destination::Home];
    if p.can(Permission::ViewPeople) {
        items.push(Destination::People);
        items.push(Destination::Org);
    }
    if p.can(Permission::ViewPeople) {
        items.push(Destination::Performance);
    }
    if p.can(Permission::ViewHeadcount) {
        items.push(Destination::Entry);
        items.push(Destination::Competency);
        items.push(Destination::Decoding);
    }
    if p.can(Permission::ManageTrainingNeeds) {
        items.push(Destination::Needs);
    }
    // Every employee may raise needs; anyone may be asked to approve one.
    if p.employee_id.is_some() || p.can(Permission::ManageTrainingNeeds) {
        items.push(Destination::MyNeeds);
    }
    items.push(Destination::MyApprovals);
    if p.can(Permission::ManageTrainingNeeds) {
        items.push(Destination::Credits);
    }
    if p.can(Permission::ManagePrograms) {
        items.push(Destination::Certificates);
    }
    // The library, programs and one's own learning are for everyone signed in.
    items.push(Destination::Library);
    items.push(Destination::Programs);
    items.push(Destination::MyLearning);
    items.push(Destination::Practice);
    items.push(Destination::MyExams);
    if p.can(Permission::ManagePrograms) {
        items.push(Destination::Timetables);
    }
    if p.can(Permission::ManagePrograms) {
        items.push(Destination::Exams);
    } else if p.can(Permission::TeachSessions) {
        items.push(Destination::Grading);
    }
    if p.can(Permission::ManagePeople) {
        items.push(Destination::Reconciliation);
    }
    if p.can(Permission::ViewEvaluation) {
        items.push(Destination::Evaluation);
    }
    if p.can(Permission::ManageAccounts) {
        items.push(Destination::Users);
    }
    if p.can(Permission::ViewAudit) {
        items.push(Destination::Audit);
    }
    if p.can(Permission::ManageJobs) {
        items.push(Destination::Jobs);
    }
    if p.can(Permission::ManageWebhooks) {
        items.push(Destination::Webhooks);
    }
    items.push(Destination::Inbox);
    items.push(Destination::Account);
    items.push(Destination::Api);
    items
}
