//! Competency: the skill taxonomy, positions' competency models, and the gaps between
//! what positions require and what people were assessed at (per person, per team).

use crate::Context;
use crate::access::{require, scope_or_forbidden};
use crate::imports::require_company_people_manager;
use domain::audit::Actor;
use domain::competency::Tier;
use domain::{DomainResult, Permission, Principal};
use store::prelude::*;
use store::{HeatCell, ModelRequirement, SkillEntry};

/// How many of the biggest weighted gaps the heat map lists.
const TOP_GAPS: usize = 10;

/// Whether the caller may change skills and competency models, import assessments and
/// models and export them (and sees the forms and links that do).
pub fn may_edit(principal: &Principal) -> bool {
    principal.manages_people_company_wide()
}

/// Fails with `Forbidden` unless the caller may import assessments and models (checked
/// before an upload is read).
pub fn require_importer(principal: &Principal) -> DomainResult<()> {
    require_company_people_manager(Some(principal))
}

/// The team heat map: department × skill cells within the caller's head-count scope, and
/// the biggest weighted gaps among them.
pub struct Heatmap {
    /// Cells grouped by department.
    pub cells: Vec<HeatCell>,
    /// The biggest weighted gaps, largest first.
    pub top: Vec<HeatCell>,
}

/// The heat map of the departments in the caller's head-count scope.
pub async fn gap_heatmap(ctx: &Context, principal: &Principal) -> DomainResult<Heatmap> {
    let scope = scope_or_forbidden(principal, Permission::ViewHeadcount)?;
    let cells = ctx.store.gap_heatmap(&scope).await?;
    let mut top: Vec<HeatCell> = cells
        .iter()
        .filter(|c| c.weighted.unwrap_or(0.0) > 0.0)
        .cloned()
        .collect();
    top.sort_by(|a, b| {
        b.weighted
            .unwrap_or(0.0)
            .total_cmp(&a.weighted.unwrap_or(0.0))
    });
    top.truncate(TOP_GAPS);
    Ok(Heatmap { cells, top })
}

/// The competency models: every position, the one shown and its requirements.
pub struct ModelsView {
    /// (id, code, name, requirement count).
    pub positions: Vec<(i64, String, String, i64)>,
    /// The position shown: the one asked for if it exists, else the first with a model.
    pub position: Option<i64>,
    pub requirements: Vec<ModelRequirement>,
    /// (code, name, levels).
    pub skills: Vec<(String, String, i32)>,
}

/// Position `position`'s competency model (or the first position that has one).
pub async fn competency_models(
    ctx: &Context,
    principal: &Principal,
    position: Option<i64>,
) -> DomainResult<ModelsView> {
    require(principal, Permission::ViewHeadcount)?;
    let positions = ctx.store.position_options().await?;
    let position = position
        .filter(|p| positions.iter().any(|o| o.0 == *p))
        .or_else(|| positions.iter().find(|p| p.3 > 0).map(|p| p.0));
    let requirements = match position {
        Some(p) => ctx.store.position_model(p).await?,
        None => Vec::new(),
    };
    let skills = ctx.store.skill_options().await?;
    Ok(ModelsView {
        positions,
        position,
        requirements,
        skills,
    })
}

/// Position `id`'s competency model.
pub async fn position_model(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<Vec<ModelRequirement>> {
    require(principal, Permission::ViewHeadcount)?;
    ctx.store.position_model(id).await
}

/// Sets a requirement of position `id`'s model directly (it wins over the tasks'), or
/// with None drops the direct setting so the tasks' requirement applies again.
pub async fn set_model_requirement(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    skill: &str,
    requirement: Option<(i32, Tier)>,
    actor: &Actor,
) -> DomainResult<()> {
    require_company_people_manager(Some(principal))?;
    ctx.store
        .set_model_requirement(id, skill, requirement, actor)
        .await
}

/// The skill taxonomy with each level's behavioral description.
pub async fn list_skills(ctx: &Context, principal: &Principal) -> DomainResult<Vec<SkillEntry>> {
    require(principal, Permission::ViewHeadcount)?;
    ctx.store.list_skills().await
}

/// Renames skill `code` and sets one behavioral description per level.
pub async fn update_skill(
    ctx: &Context,
    principal: &Principal,
    code: &str,
    name: &str,
    descriptors: &[String],
    actor: &Actor,
) -> DomainResult<()> {
    require_company_people_manager(Some(principal))?;
    ctx.store.update_skill(code, name, descriptors, actor).await
}
