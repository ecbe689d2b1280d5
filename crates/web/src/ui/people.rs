//! People list, person detail and the organisation chart.

use super::{query_string, render, Chrome, Pager};
use crate::api::people::EmployeeQuery;
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::service::{apply_contact_mask, scope_or_forbidden};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::org::{Department, DepartmentHeadcount, Employee, OrgRepository};
use domain::{DomainError, Page, Permission};

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    t: Tr,
    chrome: Chrome,
    items: Vec<Employee>,
    /// (id, indented name, selected).
    departments: Vec<(i64, String, bool)>,
    q: String,
    /// (code, label, selected).
    statuses: Vec<(&'static str, &'static str, bool)>,
    pager: Pager,
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
            (d.id, format!("{}{}", "\u{3000}".repeat(depth), d.name), selected == Some(d.id))
        })
        .collect()
}

/// `GET /people`: searchable, filterable, paged; scope applied in the query.
pub async fn list(State(state): State<AppState>, caller: PageCaller, Query(query): Query<EmployeeQuery>) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewPeople).map_err(|e| caller.err(e))?;
    let filter = query.filter().map_err(|e| caller.err(e))?;
    let paged = state.store.list_employees(&scope, &filter, Page::new(query.page, query.per_page)).await.map_err(|e| caller.err(e))?;
    let departments = state.store.list_departments(&scope).await.map_err(|e| caller.err(e))?;
    let q = query.q.clone().unwrap_or_default();
    let status = query.status.clone().unwrap_or_default();
    let qs = query_string(&[
        ("q", q.clone()),
        ("department_id", query.department_id.map(|d| d.to_string()).unwrap_or_default()),
        ("status", status.clone()),
    ]);
    let pager = Pager::new(t, &paged, "/people", &qs);
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
        statuses: ["active", "on_leave", "left"].into_iter().map(|c| (c, status_label(t, c), status == c)).collect(),
        pager,
    }))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    t: Tr,
    chrome: Chrome,
    person: Employee,
}

/// `GET /people/{id}`: 404 outside the caller's scope.
pub async fn detail(State(state): State<AppState>, caller: PageCaller, Path(id): Path<String>) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| caller.err(DomainError::NotFound { entity: "employee" }))?;
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewPeople).map_err(|e| caller.err(e))?;
    let mut e = state.store.get_employee(&scope, id).await.map_err(|e| caller.err(e))?;
    apply_contact_mask(&caller.principal, &mut e);
    Ok(render(&PersonPage { t: Tr(caller.locale), chrome: Chrome::for_caller(&caller), person: e }))
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
pub async fn org_chart(State(state): State<AppState>, caller: PageCaller) -> Result<Response, PageError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewPeople).map_err(|e| caller.err(e))?;
    let show_counts = caller.principal.can(Permission::ViewHeadcount);
    let rows = state.store.headcount_by_department(&scope).await.map_err(|e| caller.err(e))?;
    Ok(render(&OrgPage { t: Tr(caller.locale), chrome: Chrome::for_caller(&caller), rows, show_counts }))
}
