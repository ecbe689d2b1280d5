//! The organisation: employees, departments, positions and person tags, always within
//! the caller's data scope, with contact details masked where the caller may not see
//! them.

use crate::Context;
use crate::access::{apply_contact_mask, scope_or_forbidden};
use domain::audit::{Actor, AuditRepository};
use domain::competency::SkillGap;
use domain::org::{Department, DepartmentHeadcount, Employee, EmployeeFilter, OrgRepository};
use domain::{DomainError, DomainResult, Page, Paged, Permission, Principal};
use store::KpiHistoryRow;
use store::prelude::*;

/// Largest people export in one file; beyond it the caller is asked to narrow the filter.
pub const EXPORT_LIMIT: i64 = 100_000;

/// Months of KPI history a person's profile shows.
const PROFILE_KPI_MONTHS: i64 = 60;

/// Whether the caller may import employees (and sees the link to the import).
pub fn may_import(principal: &Principal) -> bool {
    principal.manages_people_company_wide()
}

/// Whether the caller sees head counts on the organisation chart.
pub fn may_see_headcount(principal: &Principal) -> bool {
    principal.can(Permission::ViewHeadcount)
}

/// Employees the caller may see, contact details masked as they may see them.
pub async fn list_employees(
    ctx: &Context,
    principal: &Principal,
    filter: &EmployeeFilter,
    page: Page,
) -> DomainResult<Paged<Employee>> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    let mut result = ctx.store.list_employees(&scope, filter, page).await?;
    for e in &mut result.items {
        apply_contact_mask(principal, e);
    }
    Ok(result)
}

/// The people directory: a page of employees and the departments to filter by.
pub struct Directory {
    pub employees: Paged<Employee>,
    /// Departments the caller may see, parents before children.
    pub departments: Vec<Department>,
}

/// A page of the people directory, with the departments the caller may filter by.
pub async fn people_directory(
    ctx: &Context,
    principal: &Principal,
    filter: &EmployeeFilter,
    page: Page,
) -> DomainResult<Directory> {
    let employees = list_employees(ctx, principal, filter, page).await?;
    let departments = list_departments(ctx, principal).await?;
    Ok(Directory {
        employees,
        departments,
    })
}

/// Employee `id`, if within the caller's scope (404 otherwise, so existence is not
/// revealed), contact details masked as the caller may see them.
pub async fn employee(ctx: &Context, principal: &Principal, id: i64) -> DomainResult<Employee> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    let mut employee = ctx.store.get_employee(&scope, id).await?;
    apply_contact_mask(principal, &mut employee);
    Ok(employee)
}

/// Departments the caller may see, parents before children.
pub async fn list_departments(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<Vec<Department>> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    ctx.store.list_departments(&scope).await
}

/// Head count of every department subtree in the caller's head-count scope.
pub async fn headcount(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<Vec<DepartmentHeadcount>> {
    let scope = scope_or_forbidden(principal, Permission::ViewHeadcount)?;
    ctx.store.headcount_by_department(&scope).await
}

/// The organisation chart: the departments the caller may see with their head counts
/// (shown only to who may see head counts).
pub struct OrgChart {
    pub rows: Vec<DepartmentHeadcount>,
    pub show_counts: bool,
}

/// The department tree the caller may see.
pub async fn org_chart(ctx: &Context, principal: &Principal) -> DomainResult<OrgChart> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    let show_counts = may_see_headcount(principal);
    let rows = ctx.store.headcount_by_department(&scope).await?;
    Ok(OrgChart { rows, show_counts })
}

/// Employee `id`'s skill gaps against their position's competency model (404 outside
/// the caller's scope).
pub async fn employee_gaps(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<Vec<SkillGap>> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    ctx.store.get_employee(&scope, id).await?;
    ctx.store.employee_gaps(id).await
}

/// A person as their profile page shows them.
pub struct PersonProfile {
    pub person: Employee,
    /// Each gap with the decoding chains (as text) through which its skill matters.
    pub gaps: Vec<(SkillGap, Vec<String>)>,
    pub history: Vec<KpiHistoryRow>,
    /// (kind, value) person tags.
    pub tags: Vec<(String, String)>,
}

/// Employee `id`'s profile: details, gaps with their reasons, KPI history and tags.
pub async fn person_profile(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<PersonProfile> {
    let person = employee(ctx, principal, id).await?;
    let gaps = ctx.store.employee_gaps(person.id).await?;
    let chains = ctx
        .store
        .skill_chains(person.position_id.as_slice(), None)
        .await?;
    let gaps = gaps
        .into_iter()
        .map(|g| {
            let why = chains
                .iter()
                .filter(|c| c.skill_code == g.skill_code)
                .map(|c| c.text())
                .collect();
            (g, why)
        })
        .collect();
    let history = ctx
        .store
        .employee_kpi_history(person.id, PROFILE_KPI_MONTHS)
        .await?;
    let tags = ctx.store.employee_tags(person.id).await?;
    Ok(PersonProfile {
        person,
        gaps,
        history,
        tags,
    })
}

/// Exports the employees matching `filter` within the caller's scope, masked exactly
/// like the list, as the file `build` makes of them; refused beyond [`EXPORT_LIMIT`]
/// rows. The export is recorded in the audit log (it may carry personal information).
pub async fn export_people<E>(
    ctx: &Context,
    principal: &Principal,
    filter: &EmployeeFilter,
    build: impl FnOnce(&[Employee]) -> Result<Vec<u8>, E>,
    actor: &Actor,
) -> DomainResult<Vec<u8>>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    let mut rows: Vec<Employee> = Vec::new();
    let mut page_no = 1;
    loop {
        let page = Page::new(Some(page_no), Some(Page::MAX_PER_PAGE));
        let chunk = ctx.store.list_employees(&scope, filter, page).await?;
        if chunk.total > EXPORT_LIMIT {
            return Err(DomainError::invalid(
                "filter",
                format!(
                    "{} rows match; narrow the filter to at most {EXPORT_LIMIT}",
                    chunk.total
                ),
            ));
        }
        let done = chunk.items.len() < Page::MAX_PER_PAGE as usize;
        rows.extend(chunk.items);
        if done {
            break;
        }
        page_no += 1;
    }
    let mut unmasked = 0usize;
    for e in &mut rows {
        apply_contact_mask(principal, e);
        if e.phone.as_deref().is_some_and(|p| !p.contains('*')) {
            unmasked += 1;
        }
    }
    let bytes =
        build(&rows).map_err(|e| DomainError::internal_from("cannot build the workbook", e))?;
    let after = serde_json::json!({
        "rows": rows.len(),
        "contact_details_unmasked": unmasked,
        "filter": {
            "q": filter.q,
            "department_id": filter.department_id,
            "status": filter.status.map(|s| s.code()),
        },
    });
    ctx.store
        .append_audit(
            &actor
                .entry("people.export", "employee")
                .change(None, Some(after.to_string())),
        )
        .await?;
    Ok(bytes)
}
