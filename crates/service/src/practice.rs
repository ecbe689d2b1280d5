//! Transfer to work: how a caller stands to a practice task and a behaviour rating.

use crate::Context;
use crate::access::scope_or_forbidden;
use domain::{DataScope, DomainError, DomainResult, Permission, Principal};
use store::prelude::*;
/// How the caller stands to a practice task; decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PracticeRole {
    /// The learner: writes reports.
    Learner,
    /// The mentor: reviews and scores reports.
    Mentor,
    /// Program staff: see everything, may review as the mentor's delegate.
    Staff,
    /// A manager whose scope covers the learner: reads.
    Viewer,
}

impl PracticeRole {
    pub fn may_review(self) -> bool {
        matches!(self, PracticeRole::Mentor | PracticeRole::Staff)
    }
}

/// The caller's role on `task`; `NotFound` when they have none, so a task outside
/// one's reach reads the same as a missing one.
pub async fn practice_role(
    ctx: &Context,
    principal: &Principal,
    task: &domain::practice::PracticeTask,
) -> DomainResult<PracticeRole> {
    if principal.employee_id == Some(task.employee_id) {
        return Ok(PracticeRole::Learner);
    }
    if principal.employee_id == Some(task.mentor_id) {
        return Ok(PracticeRole::Mentor);
    }
    if principal.can(Permission::ManagePrograms) {
        return Ok(PracticeRole::Staff);
    }
    let scope = principal.scope_for(Permission::EnrollPeople);
    if !scope.is_empty() && ctx.store.practice_task_in_scope(task.id, &scope).await? {
        return Ok(PracticeRole::Viewer);
    }
    Err(DomainError::NotFound {
        entity: "practice task",
    })
}

/// The scope in which the caller assigns practice and lists everybody's tasks:
/// program staff company-wide, managers their EnrollPeople scope.
pub fn practice_oversight_scope(principal: &Principal) -> DomainResult<DataScope> {
    if principal.can(Permission::ManagePrograms) {
        Ok(DataScope::company())
    } else {
        scope_or_forbidden(principal, Permission::EnrollPeople)
    }
}

/// A behaviour rating the caller owes (only the rater may see and give it).
pub async fn own_behaviour_rating(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<domain::practice::BehaviourRating> {
    let rating = ctx.store.behaviour_rating(id).await?;
    if principal.employee_id != Some(rating.rater_id) {
        return Err(DomainError::NotFound {
            entity: "behaviour rating",
        });
    }
    Ok(rating)
}
