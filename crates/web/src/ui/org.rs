//! People list and person detail (the organisation chart is `org_tree`).

use super::{Chrome, Pager, query_string, render};
use crate::api::org::EmployeeQuery;
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::org::{Department, Employee};
use domain::{DomainError, Page};
use service::org::{Directory, PersonProfile};

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
    let filter = query.filter()?;
    let Directory {
        employees: paged,
        departments,
    } = service::org::people_directory(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
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
    Ok(render(&PeoplePage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged.items,
        departments: indented(&departments, query.department_id),
        q,
        export_query,
        tag: query.tag.clone().unwrap_or_default(),
        can_import: service::org::may_import(&caller.principal),
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
    /// Job history (hire, transfers, position changes, leave), oldest first.
    jobs: Vec<domain::hr_sync::JobHistoryEntry>,
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
    let PersonProfile {
        person,
        gaps,
        history,
        tags,
    } = service::org::person_profile(&state, &caller.principal, id).await?;
    let jobs = service::hr_sync::job_history(&state, &caller.principal, id).await?;
    let plain: Vec<_> = gaps.iter().map(|(g, _)| g.clone()).collect();
    let radar = super::charts::skill_radar(
        &plain,
        Tr(caller.locale).get("gaps.required"),
        Tr(caller.locale).get("gaps.current"),
    );
    Ok(render(&PersonPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        history,
        radar,
        gaps,
        can_raise: service::needs::may_raise_from_gaps(&caller.principal),
        tags,
        person,
        jobs,
    }))
}

/// `GET /people/export.xlsx`: the filtered list as Excel, limited and masked exactly like
/// the page, and recorded in the audit log (it may carry personal information).
pub async fn export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EmployeeQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = query.filter()?;
    let bytes = service::org::export_people(
        &state,
        &caller.principal,
        &filter,
        |rows| people_workbook(t, rows),
        &caller.actor(),
    )
    .await?;
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

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/people", Page, list)
        .get("/people/export.xlsx", Page, export)
        .get("/people/{id}", Page, detail)
}
