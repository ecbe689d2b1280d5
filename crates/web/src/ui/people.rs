//! People list, person detail and the organisation chart.

use super::{Chrome, Pager, query_string, render};
use crate::api::people::EmployeeQuery;
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::org::{Department, DepartmentHeadcount, Employee, OrgRepository};
use domain::{DomainError, Page, Permission};
use service::access::{apply_contact_mask, scope_or_forbidden};
use store::prelude::*;

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    t: Tr,
    chrome: Chrome,
    items: Vec<Employee>,
    tag: String,
    /// (id, indented name, selected).
    departments: Vec<(i64, String, bool)>,
    q: String,
    /// (code, label, selected).
    statuses: Vec<(&'static str, &'static str, bool)>,
    pager: Pager,
    /// The current filter as a query string, for the export link.
    export_query: String,
    can_import: bool,
}

/// Status label in the UI language.
pub fn status_label(t: Tr, code: &str) -> &'static str {
    t.get(&format!("status.{code}"))
}

fn indented(departments: &[Department], selected: Option<i64>) -> Vec<(i64, String, bool)> {
    departments
        .iter()
        .map(|d| {
            let depth = d.path.matches('/').count().saturating_sub(2);
            (
                d.id,
                format!("{}{}", "\u{3000}".repeat(depth), d.name),
                selected == Some(d.id),
            )
        })
        .collect()
}

/// `GET /people`: searchable, filterable, paged; scope applied in the query.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EmployeeQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let scope =
        scope_or_forbidden(&caller.principal, Permission::ViewPeople).map_err(|e| caller.err(e))?;
    let filter = query.filter().map_err(|e| caller.err(e))?;
    let paged = state
        .store
        .list_employees(&scope, &filter, Page::new(query.page, query.per_page))
        .await
        .map_err(|e| caller.err(e))?;
    let departments = state
        .store
        .list_departments(&scope)
        .await
        .map_err(|e| caller.err(e))?;
    let q = query.q.clone().unwrap_or_default();
    let status = query.status.clone().unwrap_or_default();
    let qs = query_string(&[
        ("q", q.clone()),
        (
            "department_id",
            query
                .department_id
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        ("status", status.clone()),
        ("tag", query.tag.clone().unwrap_or_default()),
    ]);
    let pager = Pager::new(t, &paged, "/people", &qs);
    let export_query = qs.clone();
    let items = paged
        .items
        .into_iter()
        .map(|mut e| {
            apply_contact_mask(&caller.principal, &mut e);
            e
        })
        .collect();
    Ok(render(&PeoplePage {
        t,
        chrome: Chrome::for_caller(&caller),
        items,
        departments: indented(&departments, query.department_id),
        q,
        export_query,
        tag: query.tag.clone().unwrap_or_default(),
        can_import: caller.principal.manages_people_company_wide(),
        statuses: ["active", "on_leave", "left"]
            .into_iter()
            .map(|c| (c, status_label(t, c), status == c))
            .collect(),
        pager,
    }))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    t: Tr,
    chrome: Chrome,
    person: Employee,
    history: Vec<store::KpiHistoryRow>,
    /// (kind, value) person tags.
    tags: Vec<(String, String)>,
    /// Each gap with the decoding chains (as text) through which its skill matters.
    gaps: Vec<(domain::competency::SkillGap, Vec<String>)>,
    /// Server-rendered SVG radar of the gaps (escaped inside).
    radar: Option<String>,
    can_raise: bool,
}

/// `GET /people/{id}`: 404 outside the caller's scope.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "employee" }))?;
    let scope =
        scope_or_forbidden(&caller.principal, Permission::ViewPeople).map_err(|e| caller.err(e))?;
    let mut e = state
        .store
        .get_employee(&scope, id)
        .await
        .map_err(|e| caller.err(e))?;
    apply_contact_mask(&caller.principal, &mut e);
    let gaps = state
        .store
        .employee_gaps(e.id)
        .await
        .map_err(|err| caller.err(err))?;
    let radar = super::charts::skill_radar(
        &gaps,
        Tr(caller.locale).get("gaps.required"),
        Tr(caller.locale).get("gaps.current"),
    );
    let chains = state
        .store
        .skill_chains(e.position_id.as_slice(), None)
        .await
        .map_err(|err| caller.err(err))?;
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
    let can_raise = caller.principal.can(Permission::ManageTrainingNeeds);
    Ok(render(&PersonPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        history: state
            .store
            .employee_kpi_history(e.id, 60)
            .await
            .map_err(|err| caller.err(err))?,
        radar,
        gaps,
        can_raise,
        tags: state
            .store
            .employee_tags(e.id)
            .await
            .map_err(|err| caller.err(err))?,
        person: e,
    }))
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<DepartmentHeadcount>,
    show_counts: bool,
}

/// `GET /org`: the department tree with head counts.
pub async fn org_chart(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let scope =
        scope_or_forbidden(&caller.principal, Permission::ViewPeople).map_err(|e| caller.err(e))?;
    let show_counts = caller.principal.can(Permission::ViewHeadcount);
    let rows = state
        .store
        .headcount_by_department(&scope)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(render(&OrgPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        rows,
        show_counts,
    }))
}

/// Largest export in one file; beyond it the user is asked to narrow the filter.
const EXPORT_LIMIT: i64 = 100_000;

/// `GET /people/export.xlsx`: the filtered list as Excel, limited and masked exactly like
/// the page, and recorded in the audit log (it may carry personal information).
pub async fn export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EmployeeQuery>,
) -> Result<Response, PageError> {
    use domain::audit::AuditRepository;
    let t = Tr(caller.locale);
    let scope =
        scope_or_forbidden(&caller.principal, Permission::ViewPeople).map_err(|e| caller.err(e))?;
    let filter = query.filter().map_err(|e| caller.err(e))?;
    let mut rows: Vec<Employee> = Vec::new();
    let mut page_no = 1;
    loop {
        let page = Page::new(Some(page_no), Some(Page::MAX_PER_PAGE));
        let chunk = state
            .store
            .list_employees(&scope, &filter, page)
            .await
            .map_err(|e| caller.err(e))?;
        if chunk.total > EXPORT_LIMIT {
            return Err(caller.err(DomainError::invalid(
                "filter",
                format!(
                    "{} rows match; narrow the filter to at most {EXPORT_LIMIT}",
                    chunk.total
                ),
            )));
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
        apply_contact_mask(&caller.principal, e);
        if e.phone.as_deref().is_some_and(|p| !p.contains('*')) {
            unmasked += 1;
        }
    }
    let bytes = people_workbook(t, &rows)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    let after = serde_json::json!({
        "rows": rows.len(),
        "contact_details_unmasked": unmasked,
        "filter": { "q": query.q, "department_id": query.department_id, "status": query.status },
    });
    state
        .store
        .append_audit(
            &caller
                .actor()
                .entry("people.export", "employee")
                .change(None, Some(after.to_string())),
        )
        .await
        .map_err(|e| caller.err(e))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"people.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

fn people_workbook(t: Tr, rows: &[Employee]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("people.title"))?;
    let bold = Format::new().set_bold();
    let headers = [
        "field.employee_no",
        "field.name",
        "field.department",
        "field.position",
        "field.manager",
        "field.hire_date",
        "field.status",
        "field.city",
        "field.phone",
        "field.email",
    ];
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, e) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let cells = [
            e.employee_no.clone(),
            e.name.clone(),
            e.department_name.clone(),
            e.position_name.clone().unwrap_or_default(),
            e.manager_name.clone().unwrap_or_default(),
            e.hire_date.map(|d| d.to_string()).unwrap_or_default(),
            status_label(t, e.status.code()).to_string(),
            e.city.clone().unwrap_or_default(),
            e.phone.clone().unwrap_or_default(),
            e.email.clone().unwrap_or_default(),
        ];
        for (col, value) in cells.iter().enumerate() {
            sheet.write_string(r, col as u16, value)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}
