//! Keeping the organisation: the department tree (create, change, move with its
//! subtree, merge, close with a successor, head and deputies, every change dated) and
//! positions, and their two imports. Anyone who may see people sees the tree within
//! their scope; only company-wide people managers (HR: system and training admins)
//! change it.

use crate::Context;
use crate::access::scope_or_forbidden;
use crate::imports::{Checked, Count, Gate, Import, Planned};
use domain::audit::Actor;
use domain::org_tree::{
    DepartmentChange, DepartmentNode, DepartmentPatch, NewDepartment, PositionFilter,
    PositionInput, PositionRecord, Retirement,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged, Permission, Principal};
use store::prelude::*;
use store::{DepartmentImportOutcome, RetirementOutcome};
use time::Date;

/// Whether the caller keeps the organisation (sees the forms and may write).
pub fn may_maintain(principal: &Principal) -> bool {
    principal.manages_people_company_wide()
}

/// Fails with `Forbidden` unless the caller keeps the organisation.
pub fn require_maintainer(principal: &Principal) -> DomainResult<()> {
    if may_maintain(principal) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// The departments the caller may see, parents before children (closed ones only
/// when asked), with heads, deputies and head counts.
pub async fn department_tree(
    ctx: &Context,
    principal: &Principal,
    include_closed: bool,
) -> DomainResult<Vec<DepartmentNode>> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    ctx.store.department_tree(&scope, include_closed).await
}

/// A department with its recorded changes.
pub struct DepartmentDetail {
    pub department: DepartmentNode,
    /// Newest first.
    pub history: Vec<DepartmentChange>,
}

/// Department `id` with its history, if within the caller's scope (404 otherwise).
pub async fn department(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<DepartmentDetail> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    let department = ctx.store.department_node(&scope, id).await?;
    let history = ctx.store.department_history(id).await?;
    Ok(DepartmentDetail {
        department,
        history,
    })
}

async fn node(ctx: &Context, id: i64) -> DomainResult<DepartmentNode> {
    ctx.store.department_node(&DataScope::company(), id).await
}

/// Creates a department under its parent (only the first department is created
/// without one), effective on the given date or today.
pub async fn create_department(
    ctx: &Context,
    principal: &Principal,
    input: NewDepartment,
    actor: &Actor,
) -> DomainResult<DepartmentNode> {
    require_maintainer(principal)?;
    let input = input.validated()?;
    let on = input.effective_on.unwrap_or_else(|| ctx.today());
    let id = ctx.store.create_department(&input, on, actor).await?;
    node(ctx, id).await
}

/// Renames a department or changes its cost center, site, head or deputies.
pub async fn update_department(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    patch: DepartmentPatch,
    actor: &Actor,
) -> DomainResult<DepartmentNode> {
    require_maintainer(principal)?;
    let patch = patch.validated()?;
    let on = patch.effective_on.unwrap_or_else(|| ctx.today());
    if !patch.is_empty() {
        ctx.store.update_department(id, &patch, on, actor).await?;
    }
    node(ctx, id).await
}

/// Moves a department with its whole subtree under `parent_id`; moving it under itself
/// or one of its descendants is refused.
pub async fn move_department(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    parent_id: i64,
    effective_on: Option<Date>,
    actor: &Actor,
) -> DomainResult<DepartmentNode> {
    require_maintainer(principal)?;
    let on = effective_on.unwrap_or_else(|| ctx.today());
    ctx.store.move_department(id, parent_id, on, actor).await?;
    node(ctx, id).await
}

/// Merges department `id` into `target_id`: its people and child departments go to
/// the target, and it is closed with the target as its successor.
pub async fn merge_department(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    target_id: i64,
    effective_on: Option<Date>,
    actor: &Actor,
) -> DomainResult<RetirementOutcome> {
    require_maintainer(principal)?;
    let on = effective_on.unwrap_or_else(|| ctx.today());
    ctx.store
        .retire_department(id, Retirement::Merge { target_id }, on, actor)
        .await
}

/// Closes department `id`: its people and child departments go to the successor (one
/// is required unless the department is empty); it is kept, closed.
pub async fn close_department(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    successor_id: Option<i64>,
    effective_on: Option<Date>,
    actor: &Actor,
) -> DomainResult<RetirementOutcome> {
    require_maintainer(principal)?;
    let on = effective_on.unwrap_or_else(|| ctx.today());
    ctx.store
        .retire_department(id, Retirement::Close { successor_id }, on, actor)
        .await
}

/// Positions, searchable and paged, for anyone who may see people.
pub async fn list_positions(
    ctx: &Context,
    principal: &Principal,
    filter: &PositionFilter,
    page: Page,
) -> DomainResult<Paged<PositionRecord>> {
    scope_or_forbidden(principal, Permission::ViewPeople)?;
    ctx.store.list_positions(filter, page).await
}

/// One position.
pub async fn position(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<PositionRecord> {
    scope_or_forbidden(principal, Permission::ViewPeople)?;
    ctx.store.position(id).await
}

/// Creates a position.
pub async fn create_position(
    ctx: &Context,
    principal: &Principal,
    input: PositionInput,
    actor: &Actor,
) -> DomainResult<PositionRecord> {
    require_maintainer(principal)?;
    let input = input.validated()?;
    let id = ctx.store.create_position(&input, actor).await?;
    ctx.store.position(id).await
}

/// Changes a position's code, name, family, grade band or hourly cost.
pub async fn update_position(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: PositionInput,
    actor: &Actor,
) -> DomainResult<PositionRecord> {
    require_maintainer(principal)?;
    let input = input.validated()?;
    ctx.store.update_position(id, &input, actor).await?;
    ctx.store.position(id).await
}

/// Retires a position (kept for history, no longer offered).
pub async fn retire_position(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    effective_on: Option<Date>,
    actor: &Actor,
) -> DomainResult<PositionRecord> {
    require_maintainer(principal)?;
    let on = effective_on.unwrap_or_else(|| ctx.today());
    ctx.store.retire_position(id, on, actor).await?;
    ctx.store.position(id).await
}

fn read_table(bytes: &[u8]) -> DomainResult<import::table::Table> {
    import::table::read_table(bytes).map_err(|e| DomainError::invalid("file", e.0))
}

fn count(label: &'static str, value: usize) -> Count {
    Count { label, value }
}

/// The department import (部门编码, 部门名称, 上级部门编码, 负责人工号, optional 成本中心,
/// 地点): created or updated and moved by code, parents possibly after their children,
/// all rows or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Departments;

impl Import for Departments {
    type Plan = Vec<import::org_tree::DepartmentRecord>;
    type Outcome = DepartmentImportOutcome;

    async fn plan(
        &self,
        ctx: &Context,
        bytes: Vec<u8>,
        _: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        let table = read_table(&bytes)?;
        let refs = ctx.store.department_refs().await?;
        let (records, errors) =
            import::org_tree::plan_departments(&table.headers, &table.rows, &refs);
        Ok(Planned {
            checked: Checked::new(table.rows.len(), records.len(), errors),
            plan: Some(records),
            notes: Vec::new(),
            mapping: None,
        })
    }

    async fn write(
        &self,
        ctx: &Context,
        records: Self::Plan,
        _: &mut Checked,
        _: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        Ok(Some(
            ctx.store
                .import_departments(&records, ctx.today(), source, actor)
                .await?,
        ))
    }

    fn counts(o: &Self::Outcome, _: &Checked) -> Vec<Count> {
        vec![
            count("import.inserted", o.created),
            count("import.updated", o.updated),
            count("org.moved", o.moved),
            count("import.unchanged", o.unchanged),
        ]
    }

    fn describe(o: &Self::Outcome, _: &Checked) -> String {
        format!(
            "{} departments created, {} updated, {} moved, {} unchanged",
            o.created, o.updated, o.moved, o.unchanged
        )
    }
}

/// The position import (编码, 名称, 序列, 职级, 小时成本): created or updated by code,
/// all rows or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Positions;

impl Import for Positions {
    type Plan = Vec<PositionInput>;
    /// (created, updated).
    type Outcome = (usize, usize);

    async fn plan(
        &self,
        _: &Context,
        bytes: Vec<u8>,
        _: &Actor,
    ) -> DomainResult<Planned<Self::Plan>> {
        let table = read_table(&bytes)?;
        let (positions, errors) = import::org_tree::plan_positions(&table.headers, &table.rows);
        Ok(Planned {
            checked: Checked::new(table.rows.len(), positions.len(), errors),
            plan: Some(positions),
            notes: Vec::new(),
            mapping: None,
        })
    }

    async fn write(
        &self,
        ctx: &Context,
        positions: Self::Plan,
        _: &mut Checked,
        _: Gate,
        source: &str,
        actor: &Actor,
    ) -> DomainResult<Option<Self::Outcome>> {
        Ok(Some(
            ctx.store
                .import_positions(&positions, source, actor)
                .await?,
        ))
    }

    fn counts(&(created, updated): &Self::Outcome, checked: &Checked) -> Vec<Count> {
        vec![
            count("import.inserted", created),
            count("import.updated", updated),
            count("import.unchanged", checked.valid - created - updated),
        ]
    }

    fn describe(&(created, updated): &Self::Outcome, checked: &Checked) -> String {
        format!(
            "{created} positions created, {updated} updated, {} unchanged",
            checked.valid - created - updated
        )
    }
}
