//! Need decoding: strategies → objectives → department KPI targets → position tasks →
//! required skills. Everyone with the head-count view reads the tree; company-wide
//! people managers change it (each change audited, the level below marked for review).

use crate::Context;
use crate::access::require;
use crate::imports::require_company_people_manager;
use domain::audit::Actor;
use domain::competency::Tier;
use domain::decoding::{
    ObjectiveInput, ReviewItem, StrategyInput, StrategyNode, TargetInput, TaskInput,
};
use domain::org::OrgRepository;
use domain::{DataScope, DomainResult, Permission, Principal};
use store::prelude::*;

/// Whether the caller may change the decoding tree (and sees its forms).
pub fn may_edit(principal: &Principal) -> bool {
    principal.manages_people_company_wide()
}

fn editor(principal: &Principal) -> DomainResult<()> {
    require_company_people_manager(Some(principal))
}

/// The whole decoding chain; with `skill`, only the chains ending in that skill (and
/// the strategies that still have objectives).
pub async fn decoding_tree(
    ctx: &Context,
    principal: &Principal,
    skill: Option<&str>,
) -> DomainResult<Vec<StrategyNode>> {
    require(principal, Permission::ViewHeadcount)?;
    let mut strategies = ctx.store.decoding_tree().await?;
    if let Some(skill) = skill.map(str::trim).filter(|s| !s.is_empty()) {
        strategies.iter_mut().for_each(|s| s.retain_skill(skill));
        strategies.retain(|s| !s.objectives.is_empty());
    }
    Ok(strategies)
}

/// The decoding tree with the pickers its editors need.
pub struct DecodingView {
    pub strategies: Vec<StrategyNode>,
    pub can_edit: bool,
    /// (code, name) pickers, filled only for editors.
    pub departments: Vec<(String, String)>,
    pub kpis: Vec<(String, String)>,
    pub positions: Vec<(String, String)>,
    pub skills: Vec<(String, String)>,
}

/// The decoding tree (filtered to `skill`) and, for editors, the pickers of its forms.
pub async fn decoding_view(
    ctx: &Context,
    principal: &Principal,
    skill: Option<&str>,
) -> DomainResult<DecodingView> {
    let strategies = decoding_tree(ctx, principal, skill).await?;
    let can_edit = may_edit(principal);
    let mut view = DecodingView {
        strategies,
        can_edit,
        departments: Vec::new(),
        kpis: Vec::new(),
        positions: Vec::new(),
        skills: Vec::new(),
    };
    if can_edit {
        let store = &ctx.store;
        view.departments = store
            .list_departments(&DataScope::company())
            .await?
            .into_iter()
            .map(|d| (d.code, d.name))
            .collect();
        view.kpis = store
            .list_kpis()
            .await?
            .into_iter()
            .map(|k| (k.code, k.name))
            .collect();
        view.positions = store
            .position_options()
            .await?
            .into_iter()
            .map(|p| (p.1, p.2))
            .collect();
        view.skills = store
            .skill_options()
            .await?
            .into_iter()
            .map(|s| (s.0, s.1))
            .collect();
    }
    Ok(view)
}

/// Adds a strategy; returns its id.
pub async fn create_strategy(
    ctx: &Context,
    principal: &Principal,
    input: &StrategyInput,
    actor: &Actor,
) -> DomainResult<i64> {
    editor(principal)?;
    ctx.store.create_strategy(input, actor).await
}

/// Changes strategy `id`; its objectives are marked for review (how many is returned).
pub async fn update_strategy(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: &StrategyInput,
    actor: &Actor,
) -> DomainResult<usize> {
    editor(principal)?;
    ctx.store.update_strategy(id, input, actor).await
}

/// Adds an objective to a strategy; returns its id.
pub async fn create_objective(
    ctx: &Context,
    principal: &Principal,
    input: &ObjectiveInput,
    actor: &Actor,
) -> DomainResult<i64> {
    editor(principal)?;
    ctx.store.create_objective(input, actor).await
}

/// Changes objective `id`; its targets are marked for review.
pub async fn update_objective(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: &ObjectiveInput,
    actor: &Actor,
) -> DomainResult<usize> {
    editor(principal)?;
    ctx.store.update_objective(id, input, actor).await
}

/// Adds a department KPI target to an objective; returns its id.
pub async fn create_kpi_target(
    ctx: &Context,
    principal: &Principal,
    input: &TargetInput,
    actor: &Actor,
) -> DomainResult<i64> {
    editor(principal)?;
    ctx.store.create_kpi_target(input, actor).await
}

/// Changes target `id` (comparator `<=` or `>=`, value); the tasks serving it are
/// marked for review (how many is returned).
pub async fn update_kpi_target(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    comparator: &str,
    target_value: f64,
    actor: &Actor,
) -> DomainResult<usize> {
    editor(principal)?;
    ctx.store
        .update_kpi_target(id, comparator.trim(), target_value, actor)
        .await
}

/// Adds a task to a position; returns its id.
pub async fn create_task(
    ctx: &Context,
    principal: &Principal,
    input: &TaskInput,
    actor: &Actor,
) -> DomainResult<i64> {
    editor(principal)?;
    ctx.store.create_task(input, actor).await
}

/// What may change of a task (its position and code stay).
pub struct TaskChange {
    pub kpi_target_id: Option<i64>,
    pub name: String,
    pub process_step: i32,
}

/// Changes task `id`'s name, process step or target.
pub async fn update_task(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    change: TaskChange,
    actor: &Actor,
) -> DomainResult<()> {
    editor(principal)?;
    let input = TaskInput {
        // Position and code do not change; fill them so validation passes.
        position_code: "-".into(),
        kpi_target_id: change.kpi_target_id,
        code: "-".into(),
        name: change.name,
        process_step: change.process_step,
    };
    ctx.store.update_task(id, &input, actor).await
}

/// Sets (level and tier) or removes (None) a skill task `id` requires; the position's
/// competency model is derived again.
pub async fn set_task_skill(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    skill: &str,
    requirement: Option<(i32, Tier)>,
    actor: &Actor,
) -> DomainResult<()> {
    editor(principal)?;
    ctx.store
        .set_task_skill(id, skill, requirement, actor)
        .await
}

/// Clears the review mark a change above left on an item.
pub async fn mark_reviewed(
    ctx: &Context,
    principal: &Principal,
    item: ReviewItem,
    id: i64,
    actor: &Actor,
) -> DomainResult<()> {
    editor(principal)?;
    ctx.store.mark_reviewed(item, id, actor).await
}

/// Recomputes how far every KPI target is from being met (the KPI pressure that
/// weights skill gaps; the nightly job). Returns how many targets were refreshed.
pub async fn refresh_target_progress(ctx: &Context) -> DomainResult<usize> {
    ctx.store.refresh_target_progress(None).await
}
