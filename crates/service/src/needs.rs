//! Rules about training needs and their approvals shared by the pages and the API.

use crate::Context;
use domain::need_approvals::{Decider, NeedViewer, Requester};
use domain::needs::NeedDetail;
use domain::{DomainError, DomainResult, Permission, Principal, Role};
use store::prelude::*;

/// What the caller may see of needs: their ManageTrainingNeeds scope, plus the needs
/// they raised and those they are asked to approve.
pub fn viewer(principal: &Principal) -> NeedViewer {
    NeedViewer {
        scope: principal.scope_for(Permission::ManageTrainingNeeds),
        user_id: Some(principal.user_id),
    }
}

/// The caller as the requester of a need.
pub fn requester(principal: &Principal) -> Requester {
    Requester {
        user_id: Some(principal.user_id),
        employee_id: principal.employee_id,
        scope: principal.scope_for(Permission::ManageTrainingNeeds),
    }
}

/// The caller as a decider of approval steps.
pub fn decider(principal: &Principal) -> Decider {
    let training_admin = principal.has_role(Role::TrainingAdmin);
    Decider {
        user_id: principal.user_id,
        training_admin,
        delegate: training_admin || principal.has_role(Role::SystemAdmin),
    }
}

/// Every employee may raise a need for themself; managers and training staff for
/// the people in their scope. Accounts with neither may not raise needs.
pub fn may_raise(principal: &Principal) -> DomainResult<()> {
    if principal.employee_id.is_some() || principal.can(Permission::ManageTrainingNeeds) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Approval rules and merging are training administration.
pub fn may_administer(principal: &Principal) -> DomainResult<()> {
    crate::access::require(principal, Permission::ManagePrograms)
}

/// Need `id` as the caller may see it. A caller who neither manages needs nor is
/// involved in this one is refused (403, as before approvals existed); a manager
/// looking outside their scope finds nothing (404).
pub async fn visible_need(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<NeedDetail> {
    match ctx.store.need_detail_for(id, &viewer(principal)).await {
        Err(DomainError::NotFound { .. }) if !principal.can(Permission::ManageTrainingNeeds) => {
            Err(DomainError::Forbidden)
        }
        other => other,
    }
}
