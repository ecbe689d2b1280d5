//! Rules of the exams part shared by the pages and the API: who keeps the bank and
//! the exams, who sees results, who grades, and what a learner sees of an attempt.

use crate::Context;
use domain::exams::{AttemptDetail, AttemptStatus, Exam};
use domain::org::OrgRepository;
use domain::{DataScope, DomainError, DomainResult, Permission, Principal};
use store::Grader;
use store::prelude::*;

/// Programme staff keep the question bank and the exams.
pub fn require_exam_staff(principal: &Principal) -> DomainResult<()> {
    crate::access::require(principal, Permission::ManagePrograms)
}

/// Who grades short answers: programme staff every exam, an instructor the exams
/// of the programs they teach; anyone else is refused.
pub fn grader_of(principal: &Principal) -> DomainResult<Grader> {
    if principal.can(Permission::ManagePrograms) {
        return Ok(Grader::Everyone);
    }
    match principal.employee_id {
        Some(employee) if principal.can(Permission::TeachSessions) => {
            Ok(Grader::Instructor(employee))
        }
        _ => Err(DomainError::Forbidden),
    }
}

/// Whether the caller may grade (and see the results of) `exam_id`.
pub async fn may_grade(ctx: &Context, principal: &Principal, exam_id: i64) -> DomainResult<bool> {
    Ok(match grader_of(principal) {
        Ok(Grader::Everyone) => true,
        Ok(Grader::Instructor(employee)) => ctx.store.teaches_exam(employee, exam_id).await?,
        Err(_) => false,
    })
}

/// The people whose attempts at `exam` the caller sees: programme staff within
/// their ManagePrograms scope, the program's instructors all of its learners.
pub async fn results_scope(
    ctx: &Context,
    principal: &Principal,
    exam: &Exam,
) -> DomainResult<DataScope> {
    if principal.can(Permission::ManagePrograms) {
        return Ok(principal.scope_for(Permission::ManagePrograms));
    }
    if may_grade(ctx, principal, exam.id).await? {
        Ok(DataScope::company())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// An attempt as the caller may see it: the learner their own (the key only once
/// submitted), graders and programme staff those in their reach; 404 otherwise.
pub async fn visible_attempt(
    ctx: &Context,
    principal: &Principal,
    attempt_id: i64,
) -> DomainResult<AttemptDetail> {
    let mut detail = ctx.store.attempt(attempt_id).await?;
    let own = principal.employee_id == Some(detail.attempt.employee_id);
    if !own {
        let exam = ctx.store.exam(detail.attempt.exam_id).await?;
        let scope = results_scope(ctx, principal, &exam)
            .await
            .map_err(|_| DomainError::NotFound { entity: "attempt" })?;
        if !scope.company {
            // Outside the caller's departments reads the same as missing.
            ctx.store
                .get_employee(&scope, detail.attempt.employee_id)
                .await?;
        }
    }
    if detail.attempt.status == AttemptStatus::InProgress {
        for item in &mut detail.items {
            item.answers = None;
        }
    }
    Ok(detail)
}

/// The employee record a learner takes exams as.
pub fn learner(principal: &Principal) -> DomainResult<i64> {
    principal.employee_id.ok_or(DomainError::Forbidden)
}
