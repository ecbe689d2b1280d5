//! The organisation pages: the department tree (nested, collapsible, fit for a phone),
//! a department with its history and the forms that change it (rename, cost center,
//! site, head and deputies, move, merge, close; merge and close confirmed), positions
//! (search, pages, create, edit, retire) and the upload page of both imports.

use super::import::{ReportView, import_upload, read_upload};
use super::{Chrome, PageId, Pager, query_string, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::org_tree::{
    DepartmentChange, DepartmentNode, DepartmentPatch, DepartmentStatus, NewDepartment,
    PositionFilter, PositionInput, PositionRecord, PositionStatus, parse_effective_on, within,
};
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::imports::Import;
use service::org_tree::{DepartmentDetail, Departments, Positions};

/// A node of the tree as the page nests it.
pub struct TreeRow {
    pub node: DepartmentNode,
    /// Whether the next rows are its children (it opens a nested list).
    pub opens: bool,
    /// How many open lists end after it.
    pub closes: usize,
}

/// Nests departments ordered by path: each row says whether it opens a list of
/// children and how many lists close after it.
pub fn nest(nodes: Vec<DepartmentNode>) -> Vec<TreeRow> {
    let paths: Vec<String> = nodes.iter().map(|n| n.path.clone()).collect();
    let mut open: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(nodes.len());
    for (i, node) in nodes.into_iter().enumerate() {
        let next = paths.get(i + 1);
        let opens = next.is_some_and(|p| within(p, &node.path));
        let mut closes = 0;
        if opens {
            open.push(node.path.clone());
        } else {
            while let Some(top) = open.last() {
                if next.is_some_and(|p| within(p, top)) {
                    break;
                }
                open.pop();
                closes += 1;
            }
        }
        rows.push(TreeRow {
            node,
            opens,
            closes,
        });
    }
    rows
}

/// `(id, indented name)` of departments to pick from.
fn options(nodes: &[DepartmentNode]) -> Vec<(i64, String)> {
    nodes
        .iter()
        .map(|d| {
            (
                d.id,
                format!("{}{} ({})", "\u{3000}".repeat(d.depth()), d.name, d.code),
            )
        })
        .collect()
}

/// A form's problem in the page's language: the field and the reason.
fn problem(t: Tr, e: &DomainError) -> String {
    match e {
        DomainError::Validation { field, message } => {
            format!("{} ({field}): {message}", t.get("org.problem"))
        }
        other => other.to_string(),
    }
}

fn optional_id(field: &str, text: &str) -> DomainResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| DomainError::invalid(field, format!("'{text}' is not a department")))
}

fn required_id(field: &str, text: &str) -> DomainResult<i64> {
    optional_id(field, text)?.ok_or_else(|| DomainError::invalid(field, "missing"))
}

fn confirmed(confirm: &str) -> DomainResult<()> {
    if confirm == "on" {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "confirm",
            "tick the box to confirm this change",
        ))
    }
}

// ---- The tree ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "org_tree.html")]
struct TreePage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<TreeRow>,
    include_closed: bool,
    can_maintain: bool,
    /// (id, indented name) of parents for the create form.
    parents: Vec<(i64, String)>,
    error: String,
    form: CreateForm,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TreeQuery {
    closed: String,
}

async fn tree_page(
    state: &AppState,
    caller: &PageCaller,
    include_closed: bool,
    error: String,
    form: CreateForm,
) -> Result<Response, PageError> {
    let nodes =
        service::org_tree::department_tree(state, &caller.principal, include_closed).await?;
    let can_maintain = service::org_tree::may_maintain(&caller.principal);
    let parents = options(
        &nodes
            .iter()
            .filter(|n| n.status == DepartmentStatus::Active)
            .cloned()
            .collect::<Vec<_>>(),
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(&TreePage {
            t: Tr(caller.locale),
            chrome: Chrome::for_caller(caller),
            rows: nest(nodes),
            include_closed,
            can_maintain,
            parents,
            error,
            form,
        }),
    )
        .into_response())
}

/// `GET /org`: the department tree with heads and head counts (`?closed=1` also shows
/// closed departments).
pub async fn tree(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<TreeQuery>,
) -> Result<Response, PageError> {
    let include_closed = !query.closed.is_empty();
    tree_page(
        &state,
        &caller,
        include_closed,
        String::new(),
        CreateForm::default(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    code: String,
    name: String,
    parent_id: String,
    cost_center: String,
    site: String,
    head: String,
    effective_on: String,
}

/// `POST /org/departments`: creates a department.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let input = || -> DomainResult<NewDepartment> {
        Ok(NewDepartment {
            code: form.code.clone(),
            name: form.name.clone(),
            parent_id: optional_id("parent_id", &form.parent_id)?,
            cost_center: Some(form.cost_center.clone()),
            site: Some(form.site.clone()),
            head: Some(form.head.clone()),
            effective_on: parse_effective_on(Some(&form.effective_on))?,
        })
    };
    let result = match input() {
        Ok(input) => {
            service::org_tree::create_department(&state, &caller.principal, input, &caller.actor())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(node) => Ok(Redirect::to(&format!("/org/departments/{}", node.id)).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            let message = problem(Tr(caller.locale), &e);
            tree_page(&state, &caller, false, message, form).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- One department --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "org_department.html")]
struct DepartmentPage {
    t: Tr,
    chrome: Chrome,
    d: DepartmentNode,
    history: Vec<DepartmentChange>,
    parent_name: String,
    successor_name: String,
    can_maintain: bool,
    /// Departments it may move under (outside its own subtree).
    parents: Vec<(i64, String)>,
    /// Departments that may take it over (outside its own subtree).
    successors: Vec<(i64, String)>,
    deputies: String,
    status_label: &'static str,
    /// The parent's id as text, to preselect it.
    parent_str: String,
    error: String,
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

async fn department_page(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    error: String,
    done: String,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let DepartmentDetail {
        department: d,
        history,
    } = service::org_tree::department(state, &caller.principal, id).await?;
    let all = service::org_tree::department_tree(state, &caller.principal, true).await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|id| all.iter().find(|n| n.id == id))
            .map(|n| format!("{} ({})", n.name, n.code))
            .unwrap_or_default()
    };
    let outside: Vec<DepartmentNode> = all
        .iter()
        .filter(|n| n.status == DepartmentStatus::Active && !within(&n.path, &d.path))
        .cloned()
        .collect();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let done = match done.as_str() {
        "saved" | "moved" | "created" | "merged" | "closed" => t.get(&format!("org.done.{done}")),
        _ => "",
    }
    .to_string();
    Ok((
        status,
        render(&DepartmentPage {
            t,
            chrome: Chrome::for_caller(caller),
            parent_name: name_of(d.parent_id),
            status_label: t.get(&format!("org.status.{}", d.status.code())),
            parent_str: d.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            successor_name: name_of(d.successor_id),
            can_maintain: service::org_tree::may_maintain(&caller.principal)
                && d.status == DepartmentStatus::Active,
            parents: options(&outside),
            successors: options(&outside),
            deputies: d
                .deputies
                .iter()
                .map(|p| p.employee_no.clone())
                .collect::<Vec<_>>()
                .join(", "),
            d,
            history,
            error,
            done,
        }),
    )
        .into_response())
}

/// `GET /org/departments/{id}`: details, history and (for HR) the forms.
pub async fn department(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    department_page(&state, &caller, id, String::new(), query.done).await
}

/// After a change: back to the department, or its page with the problem.
async fn after<T>(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    result: DomainResult<T>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/org/departments/{id}?done={done}")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            let message = problem(Tr(caller.locale), &e);
            department_page(state, caller, id, message, String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UpdateForm {
    name: String,
    cost_center: String,
    site: String,
    head: String,
    /// Employee numbers separated by commas, spaces or new lines.
    deputies: String,
    effective_on: String,
}

/// `POST /org/departments/{id}`: name, cost center, site, head and deputies.
pub async fn update(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<UpdateForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let result = match parse_effective_on(Some(&form.effective_on)) {
        Ok(on) => {
            let patch = DepartmentPatch {
                name: Some(form.name),
                cost_center: Some(form.cost_center),
                site: Some(form.site),
                head: Some(form.head),
                deputies: Some(
                    form.deputies
                        .split([',', '，', ' ', '\n', '\r', ';'])
                        .map(str::to_string)
                        .collect(),
                ),
                effective_on: on,
            };
            service::org_tree::update_department(
                &state,
                &caller.principal,
                id,
                patch,
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &caller, id, result, "saved").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    parent_id: String,
    effective_on: String,
}

/// `POST /org/departments/{id}/move`: under another parent, with its subtree.
pub async fn move_department(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let result = async {
        let parent = required_id("parent_id", &form.parent_id)?;
        let on = parse_effective_on(Some(&form.effective_on))?;
        service::org_tree::move_department(
            &state,
            &caller.principal,
            id,
            parent,
            on,
            &caller.actor(),
        )
        .await
    }
    .await;
    after(&state, &caller, id, result, "moved").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetireForm {
    target_id: String,
    successor_id: String,
    effective_on: String,
    confirm: String,
}

/// `POST /org/departments/{id}/merge` (confirmed): into the target.
pub async fn merge(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<RetireForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let result = async {
        let target = required_id("target_id", &form.target_id)?;
        let on = parse_effective_on(Some(&form.effective_on))?;
        confirmed(&form.confirm)?;
        service::org_tree::merge_department(
            &state,
            &caller.principal,
            id,
            target,
            on,
            &caller.actor(),
        )
        .await
    }
    .await;
    after(&state, &caller, id, result, "merged").await
}

/// `POST /org/departments/{id}/close` (confirmed): people and children to the successor.
pub async fn close(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<RetireForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let result = async {
        let successor = optional_id("successor_id", &form.successor_id)?;
        let on = parse_effective_on(Some(&form.effective_on))?;
        confirmed(&form.confirm)?;
        service::org_tree::close_department(
            &state,
            &caller.principal,
            id,
            successor,
            on,
            &caller.actor(),
        )
        .await
    }
    .await;
    after(&state, &caller, id, result, "closed").await
}

// ---- Positions -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "org_positions.html")]
struct PositionsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<PositionRecord>,
    q: String,
    include_retired: bool,
    pager: Pager,
    can_maintain: bool,
    error: String,
    form: PositionForm,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PositionsQuery {
    q: String,
    retired: String,
    page: Option<u32>,
}

async fn positions_page(
    state: &AppState,
    caller: &PageCaller,
    query: PositionsQuery,
    error: String,
    form: PositionForm,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = PositionFilter {
        q: Some(query.q.clone()),
        include_retired: !query.retired.is_empty(),
    };
    let paged = service::org_tree::list_positions(
        state,
        &caller.principal,
        &filter,
        Page::new(query.page, Some(50)),
    )
    .await?;
    let qs = query_string(&[("q", query.q.clone()), ("retired", query.retired.clone())]);
    let pager = Pager::new(t, &paged, "/org/positions", &qs);
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        render(&PositionsPage {
            t,
            chrome: Chrome::for_caller(caller),
            items: paged.items,
            q: query.q,
            include_retired: !query.retired.is_empty(),
            pager,
            can_maintain: service::org_tree::may_maintain(&caller.principal),
            error,
            form,
        }),
    )
        .into_response())
}

/// `GET /org/positions`: searchable, paged.
pub async fn positions(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<PositionsQuery>,
) -> Result<Response, PageError> {
    positions_page(
        &state,
        &caller,
        query,
        String::new(),
        PositionForm::default(),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PositionForm {
    code: String,
    name: String,
    job_family: String,
    grade: String,
    hourly_cost: String,
}

impl PositionForm {
    fn input(&self) -> DomainResult<PositionInput> {
        let cost = self.hourly_cost.trim();
        let hourly_cost = if cost.is_empty() {
            None
        } else {
            Some(cost.parse::<f64>().map_err(|_| {
                DomainError::invalid(
                    "hourly_cost",
                    format!("'{cost}' is not an hourly cost (a number ≥ 0)"),
                )
            })?)
        };
        Ok(PositionInput {
            code: self.code.clone(),
            name: self.name.clone(),
            job_family: Some(self.job_family.clone()),
            grade: Some(self.grade.clone()),
            hourly_cost,
        })
    }

    fn of(p: &PositionRecord) -> Self {
        Self {
            code: p.code.clone(),
            name: p.name.clone(),
            job_family: p.job_family.clone().unwrap_or_default(),
            grade: p.grade.clone().unwrap_or_default(),
            hourly_cost: p.hourly_cost.map(|c| c.to_string()).unwrap_or_default(),
        }
    }
}

/// `POST /org/positions`: creates a position.
pub async fn create_position(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<PositionForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let result = match form.input() {
        Ok(input) => {
            service::org_tree::create_position(&state, &caller.principal, input, &caller.actor())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/org/positions/{}?done=created", p.id)).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            let message = problem(Tr(caller.locale), &e);
            positions_page(&state, &caller, PositionsQuery::default(), message, form).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "org_position.html")]
struct PositionPage {
    t: Tr,
    chrome: Chrome,
    p: PositionRecord,
    form: PositionForm,
    can_maintain: bool,
    status_label: &'static str,
    error: String,
    done: String,
}

async fn position_page(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    form: Option<PositionForm>,
    error: String,
    done: String,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let p = service::org_tree::position(state, &caller.principal, id).await?;
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let done = match done.as_str() {
        "saved" | "created" | "retired" => t.get(&format!("org.done.{done}")),
        _ => "",
    }
    .to_string();
    Ok((
        status,
        render(&PositionPage {
            t,
            chrome: Chrome::for_caller(caller),
            form: form.unwrap_or_else(|| PositionForm::of(&p)),
            status_label: t.get(&format!("org.position_status.{}", p.status.code())),
            can_maintain: service::org_tree::may_maintain(&caller.principal)
                && p.status == PositionStatus::Active,
            p,
            error,
            done,
        }),
    )
        .into_response())
}

/// `GET /org/positions/{id}`.
pub async fn position(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    position_page(&state, &caller, id, None, String::new(), query.done).await
}

/// `POST /org/positions/{id}`: changes a position.
pub async fn update_position(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<PositionForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let result = match form.input() {
        Ok(input) => {
            service::org_tree::update_position(
                &state,
                &caller.principal,
                id,
                input,
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/org/positions/{id}?done=saved")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            let message = problem(Tr(caller.locale), &e);
            position_page(&state, &caller, id, Some(form), message, String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetirePositionForm {
    effective_on: String,
    confirm: String,
}

/// `POST /org/positions/{id}/retire` (confirmed).
pub async fn retire_position(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<RetirePositionForm>,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let result = async {
        let on = parse_effective_on(Some(&form.effective_on))?;
        confirmed(&form.confirm)?;
        service::org_tree::retire_position(&state, &caller.principal, id, on, &caller.actor()).await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/org/positions/{id}?done=retired")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            let message = problem(Tr(caller.locale), &e);
            position_page(&state, &caller, id, None, message, String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- Imports ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "org_import.html")]
struct ImportPage {
    t: Tr,
    chrome: Chrome,
    report: Option<ReportView>,
    dry_run: bool,
}

fn import_page(caller: &PageCaller, report: Option<ReportView>, dry_run: bool) -> Response {
    let status = report.as_ref().map_or(StatusCode::OK, ReportView::status);
    (
        status,
        render(&ImportPage {
            t: Tr(caller.locale),
            chrome: Chrome::for_caller(caller),
            report,
            dry_run,
        }),
    )
        .into_response()
}

/// `GET /org/import`.
pub async fn import_form(caller: PageCaller) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    Ok(import_page(&caller, None, true))
}

async fn upload<K: Import + Default>(
    state: &AppState,
    caller: &PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
    title: &str,
) -> Result<Response, PageError> {
    service::org_tree::require_maintainer(&caller.principal)?;
    let t = Tr(caller.locale);
    let upload = read_upload(t, multipart).await;
    let (report, dry_run) = import_upload(state, caller, upload, Some(t.get(title)), |_| {
        Ok(K::default())
    })
    .await?;
    Ok(import_page(caller, Some(report), dry_run))
}

/// `POST /org/import/departments` (multipart: file, dry_run).
pub async fn import_departments(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    upload::<Departments>(&state, &caller, multipart, "org.import_departments").await
}

/// `POST /org/import/positions` (multipart: file, dry_run).
pub async fn import_positions(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    upload::<Positions>(&state, &caller, multipart, "org.import_positions").await
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use super::import::UPLOAD_LIMIT;
    use crate::routes::Surface::Page;
    registry
        .get("/org", Page, tree)
        .post("/org/departments", Page, create)
        .get("/org/departments/{id}", Page, department)
        .post("/org/departments/{id}", Page, update)
        .post("/org/departments/{id}/move", Page, move_department)
        .post("/org/departments/{id}/merge", Page, merge)
        .post("/org/departments/{id}/close", Page, close)
        .get("/org/positions", Page, positions)
        .post("/org/positions", Page, create_position)
        .get("/org/positions/{id}", Page, position)
        .post("/org/positions/{id}", Page, update_position)
        .post("/org/positions/{id}/retire", Page, retire_position)
        .get("/org/import", Page, import_form)
        .post_upload(
            "/org/import/departments",
            Page,
            import_departments,
            UPLOAD_LIMIT,
        )
        .post_upload(
            "/org/import/positions",
            Page,
            import_positions,
            UPLOAD_LIMIT,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(path: &str) -> DepartmentNode {
        DepartmentNode {
            id: 0,
            code: path.into(),
            name: path.into(),
            parent_id: None,
            path: path.into(),
            cost_center: None,
            site: None,
            status: DepartmentStatus::Active,
            closed_on: None,
            successor_id: None,
            head: None,
            deputies: Vec::new(),
            people: 0,
            subtree_people: 0,
        }
    }

    #[test]
    fn nesting_opens_and_closes_every_list() {
        let rows = nest(
            [
                "/1/",
                "/1/2/",
                "/1/2/5/",
                "/1/3/",
                "/1/3/6/",
                "/1/3/6/7/",
                "/1/4/",
            ]
            .iter()
            .map(|p| node(p))
            .collect(),
        );
        let shape: Vec<(bool, usize)> = rows.iter().map(|r| (r.opens, r.closes)).collect();
        assert_eq!(
            shape,
            vec![
                (true, 0),
                (true, 0),
                (false, 1),
                (true, 0),
                (true, 0),
                (false, 2),
                (false, 1)
            ]
        );
        let opened = shape.iter().filter(|s| s.0).count();
        let closed: usize = shape.iter().map(|s| s.1).sum();
        assert_eq!(opened, closed);
    }
}
