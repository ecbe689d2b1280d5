//! Training needs: raised from gaps or by hand, listed within the caller's scope,
//! approved step by step, and merged into programs; the approval rules.

use crate::Context;
use crate::access::scope_or_forbidden;
use domain::audit::{Actor, AuditEntry};
use domain::need_approvals::{
    ApprovalRule, Decider, Decision, MergeRequest, NeedApproval, NeedInput, NeedOrigin, NeedStatus,
    NeedViewer, Requester, StepKind, WaitingApproval,
};
use domain::needs::{Audience, GapNeedRequest, NeedDetail, NeedFilter, NeedSummary, Urgency};
use domain::operations::{ProgramFilter, ProgramStatus, ProgramSummary};
use domain::org::OrgRepository;
use domain::{DomainError, DomainResult, Page, Paged, Permission, Principal, Role};
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

/// Whether the caller may turn gaps into needs (and see the buttons that do).
pub fn may_raise_from_gaps(principal: &Principal) -> bool {
    principal.can(Permission::ManageTrainingNeeds)
}

/// Whether the caller keeps the approval rules and merges needs (and sees the links).
pub fn may_manage_rules(principal: &Principal) -> bool {
    may_administer(principal).is_ok()
}

/// Training needs covering people in the caller's scope, newest first.
pub async fn list_needs(
    ctx: &Context,
    principal: &Principal,
    filter: &NeedFilter,
    page: Page,
) -> DomainResult<Paged<NeedSummary>> {
    scope_or_forbidden(principal, Permission::ManageTrainingNeeds)?;
    ctx.store
        .list_needs_for(&viewer(principal), filter, page)
        .await
}

/// The needs the caller raised, newest first.
pub async fn my_needs(
    ctx: &Context,
    principal: &Principal,
    page: Page,
) -> DomainResult<Paged<NeedSummary>> {
    let filter = NeedFilter {
        raised_by: Some(principal.user_id),
        ..NeedFilter::default()
    };
    ctx.store
        .list_needs_for(&viewer(principal), &filter, page)
        .await
}

/// Gaps in one skill to turn into a need, as typed.
pub struct GapNeedInput {
    /// Skill code.
    pub skill: String,
    /// person, team or position.
    pub audience: String,
    /// Employee, department or position id.
    pub audience_id: i64,
    /// low, normal (default) or high.
    pub urgency: String,
    pub note: Option<String>,
}

/// Turns the open gaps in one skill of a person, a team or a position (within the
/// caller's needs scope) into a training need carrying the decoding chain; returns its
/// id.
pub async fn raise_need_from_gaps(
    ctx: &Context,
    principal: &Principal,
    input: GapNeedInput,
    actor: &Actor,
) -> DomainResult<i64> {
    let scope = scope_or_forbidden(principal, Permission::ManageTrainingNeeds)?;
    let request = GapNeedRequest {
        skill_code: input.skill,
        audience: Audience::parse(&input.audience, input.audience_id)?,
        urgency: Urgency::parse(&input.urgency)?,
        note: input.note,
    };
    let (id, _) = ctx
        .store
        .raise_need_from_gaps(&request, &scope, actor)
        .await?;
    Ok(id)
}

/// Raises a need by hand and submits it for approval; returns its id. `input` builds
/// the need from what was typed, once the caller is known to be allowed to raise needs
/// (so a refused caller hears 403 whatever they typed).
pub async fn raise_need(
    ctx: &Context,
    principal: &Principal,
    input: impl FnOnce() -> DomainResult<NeedInput>,
    actor: &Actor,
) -> DomainResult<i64> {
    may_raise(principal)?;
    let input = input()?;
    ctx.store
        .raise_need(&input, &requester(principal), actor)
        .await
}

/// What the need form offers: the skills, and the teams the caller may raise needs for
/// (none when they raise only for themself).
pub struct NeedFormOptions {
    /// The caller may raise needs for others.
    pub for_others: bool,
    /// (code, name, levels).
    pub skills: Vec<(String, String, i32)>,
    /// (department code, name) within the caller's needs scope.
    pub teams: Vec<(String, String)>,
}

/// The need form's options for the caller.
pub async fn need_form_options(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<NeedFormOptions> {
    let scope = principal.scope_for(Permission::ManageTrainingNeeds);
    let for_others = !scope.is_empty();
    let skills = ctx.store.skill_options().await?;
    let teams = if for_others {
        ctx.store
            .list_departments(&scope)
            .await?
            .into_iter()
            .filter(|d| scope.covers(&d.path, None))
            .map(|d| (d.code, d.name))
            .collect()
    } else {
        Vec::new()
    };
    Ok(NeedFormOptions {
        for_others,
        skills,
        teams,
    })
}

/// The form for a new need: refused to accounts that may not raise needs.
pub async fn new_need_form(ctx: &Context, principal: &Principal) -> DomainResult<NeedFormOptions> {
    may_raise(principal)?;
    need_form_options(ctx, principal).await
}

/// A need sent back, as its requester edits it before resubmitting.
pub struct Resubmission {
    pub need: NeedDetail,
    pub approval: NeedApproval,
    /// People and skill are fixed (a need raised from gaps).
    pub people_fixed: bool,
    pub options: NeedFormOptions,
}

/// Need `id` for its requester to edit: only the requester, and only once it was sent
/// back (409 otherwise).
pub async fn need_for_resubmission(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<Resubmission> {
    let need = visible_need(ctx, principal, id).await?;
    let approval = ctx.store.need_approval(id).await?;
    if approval.raised_by_user_id != Some(principal.user_id) {
        return Err(DomainError::Forbidden);
    }
    if approval.status != "sent_back" {
        return Err(DomainError::Conflict(
            "only a need that was sent back can be edited".into(),
        ));
    }
    let people_fixed = need.summary.origin == NeedOrigin::Gap.code();
    let options = need_form_options(ctx, principal).await?;
    Ok(Resubmission {
        need,
        approval,
        people_fixed,
        options,
    })
}

/// The requester resubmits need `id` after it was sent back; the approval steps start
/// over. `input` builds the changed need from what was typed, told whether people and
/// skill are fixed (a need raised from gaps keeps its people).
pub async fn resubmit_need(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: impl FnOnce(bool) -> DomainResult<NeedInput>,
    actor: &Actor,
) -> DomainResult<()> {
    let need = visible_need(ctx, principal, id).await?;
    let people_fixed = need.summary.origin == NeedOrigin::Gap.code();
    let input = input(people_fixed)?;
    ctx.store
        .resubmit_need(id, &input, &requester(principal), actor)
        .await
}

/// Need `id` with its approval steps of every round, as the caller may see it.
pub async fn need_approval(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<(NeedDetail, NeedApproval)> {
    let need = visible_need(ctx, principal, id).await?;
    let approval = ctx.store.need_approval(id).await?;
    Ok((need, approval))
}

/// Everything the need's page shows: the need and its approval, the step the caller
/// may decide, what else they may do, and the history.
pub struct NeedOverview {
    pub need: NeedDetail,
    pub approval: NeedApproval,
    /// The current step the caller may decide, and whether as a delegate.
    pub decide: Option<(i64, bool)>,
    /// The requester may edit and resubmit (the need was sent back).
    pub can_edit: bool,
    /// Training administration may merge the approved need into a program.
    pub can_merge: bool,
    /// Approved needs like this one (when it can be merged).
    pub similar: Vec<NeedSummary>,
    /// Draft, open and running programs to merge into (when it can be merged).
    pub programs: Vec<ProgramSummary>,
    pub audit: Vec<AuditEntry>,
}

/// The step of `approval` the caller may decide now, and whether as a delegate.
pub fn step_to_decide(principal: &Principal, approval: &NeedApproval) -> Option<(i64, bool)> {
    let me = decider(principal);
    approval.current_step().and_then(|s| {
        let own = s.approver_user_id == Some(me.user_id)
            || (s.kind == StepKind::TrainingAdmin.code() && me.training_admin);
        if own {
            Some((s.id, false))
        } else if me.delegate {
            Some((s.id, true))
        } else {
            None
        }
    })
}

/// Need `id` with everything its page shows the caller.
pub async fn need_overview(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<NeedOverview> {
    let (need, approval) = need_approval(ctx, principal, id).await?;
    let decide = step_to_decide(principal, &approval);
    let can_edit =
        approval.status == "sent_back" && approval.raised_by_user_id == Some(principal.user_id);
    let can_merge = approval.status == "approved" && may_administer(principal).is_ok();
    let (similar, programs) = if can_merge {
        let similar = ctx.store.similar_needs(id).await?;
        let mut programs = Vec::new();
        for status in [
            ProgramStatus::Draft,
            ProgramStatus::Open,
            ProgramStatus::Running,
        ] {
            let filter = ProgramFilter {
                status: Some(status),
                ..ProgramFilter::default()
            };
            programs.extend(
                ctx.store
                    .list_programs(&filter, Page::new(Some(1), Some(100)))
                    .await?
                    .items,
            );
        }
        (similar, programs)
    } else {
        (Vec::new(), Vec::new())
    };
    let audit = ctx.store.need_audit(id).await?;
    Ok(NeedOverview {
        need,
        approval,
        decide,
        can_edit,
        can_merge,
        similar,
        programs,
        audit,
    })
}

/// The need approval step `step` belongs to, if the caller may see that need.
pub async fn need_of_step(ctx: &Context, principal: &Principal, step: i64) -> DomainResult<i64> {
    let need = ctx.store.need_of_step(step).await?;
    // Who may not even see the need learns nothing more about the step.
    visible_need(ctx, principal, need).await?;
    Ok(need)
}

/// Approves, rejects or sends back (a reason required for both) approval step `step`.
/// Only who may see the need learns anything about the step (404 or 403 before any
/// other answer); then only its approver decides, or a training or system administrator
/// as delegate. Returns the need and its status after the decision.
pub async fn decide_step(
    ctx: &Context,
    principal: &Principal,
    step: i64,
    decision: &str,
    reason: &str,
    actor: &Actor,
) -> DomainResult<(i64, NeedStatus)> {
    need_of_step(ctx, principal, step).await?;
    let decision = Decision::parse(decision)?;
    ctx.store
        .decide_step(step, decision, reason, &decider(principal), actor)
        .await
}

/// Approval steps waiting for the caller, soonest deadline first.
pub async fn waiting_approvals(
    ctx: &Context,
    principal: &Principal,
    page: Page,
) -> DomainResult<Paged<WaitingApproval>> {
    ctx.store
        .waiting_approvals(&decider(principal), time::OffsetDateTime::now_utc(), page)
        .await
}

/// The approval rules in order (training administration).
pub async fn approval_rules(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<Vec<ApprovalRule>> {
    may_administer(principal)?;
    ctx.store.approval_rules().await
}

/// Adds a rule at `position` (`id` None) or changes rule `id`.
pub async fn save_approval_rule(
    ctx: &Context,
    principal: &Principal,
    id: Option<i64>,
    position: usize,
    rule: &ApprovalRule,
    actor: &Actor,
) -> DomainResult<()> {
    may_administer(principal)?;
    ctx.store
        .save_approval_rule(id, position, rule, actor)
        .await
}

/// Deletes approval rule `id`.
pub async fn delete_approval_rule(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<()> {
    may_administer(principal)?;
    ctx.store.delete_approval_rule(id, actor).await
}

/// Replaces the ordered approval rules; returns them as stored. Running approvals keep
/// the chain they were given.
pub async fn replace_approval_rules(
    ctx: &Context,
    principal: &Principal,
    rules: &[ApprovalRule],
    actor: &Actor,
) -> DomainResult<Vec<ApprovalRule>> {
    may_administer(principal)?;
    ctx.store.replace_approval_rules(rules, actor).await?;
    ctx.store.approval_rules().await
}

/// Approved needs similar to need `id`, to merge into one program.
pub async fn similar_needs(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<Vec<NeedSummary>> {
    may_administer(principal)?;
    ctx.store.similar_needs(id).await
}

/// Puts approved needs into a new draft program or an existing one; returns the
/// program's id.
pub async fn merge_needs(
    ctx: &Context,
    principal: &Principal,
    request: &MergeRequest,
    actor: &Actor,
) -> DomainResult<i64> {
    may_administer(principal)?;
    ctx.store.merge_needs(request, actor).await
}
