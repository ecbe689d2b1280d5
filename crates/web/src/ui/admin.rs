//! Administration pages: accounts and roles, audit log, background jobs.

use super::{Chrome, Pager, local_time, query_string, render, role_label};
use crate::api::admin::AuditQuery;
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::audit::AuditEntry;
use domain::jobs::JobStatus;
use domain::{DomainError, Page, Paged, Role, ScopeKind};
use serde::Deserialize;
use service::accounts::{AccountInput, GrantCodes};

/// A grant as shown, with what the revoke form needs.
pub struct GrantView {
    pub label: String,
    pub role: &'static str,
    pub scope: &'static str,
    pub department_id: String,
}

/// An account row.
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub active: bool,
    pub created: String,
    pub grants: Vec<GrantView>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    t: Tr,
    chrome: Chrome,
    users: Vec<UserView>,
    roles: Vec<(&'static str, &'static str)>,
    departments: Vec<(String, String)>,
    q: String,
    role: String,
    pager: Pager,
    message: Option<String>,
    error: Option<String>,
}

/// Filters of the account list.
#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    role: Option<String>,
    page: Option<u32>,
}

async fn users_page(
    state: &AppState,
    caller: &PageCaller,
    query: UsersQuery,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let role = query.role.as_deref().and_then(Role::parse);
    let paged = service::accounts::list_users(
        state,
        &caller.principal,
        query.q.clone(),
        role.map(Role::code),
        None,
        Page::new(query.page, Some(25)),
    )
    .await?;
    let q = query.q.unwrap_or_default();
    let role_code = role.map(|r| r.code().to_string()).unwrap_or_default();
    let pager = Pager::new(
        t,
        &paged,
        "/admin/users",
        &query_string(&[("q", q.clone()), ("role", role_code.clone())]),
    );
    let users = paged
        .items
        .into_iter()
        .map(|u| UserView {
            id: u.id,
            created: local_time(state, u.created_at),
            grants: u
                .grants
                .iter()
                .map(|g| GrantView {
                    label: match &g.department_name {
                        Some(d) => format!("{} · {d}", role_label(t, g.role)),
                        None => format!(
                            "{} · {}",
                            role_label(t, g.role),
                            t.get(&format!("scope.{}", g.scope.code()))
                        ),
                    },
                    role: g.role.code(),
                    scope: g.scope.code(),
                    department_id: match g.scope {
                        ScopeKind::Department(id) => id.to_string(),
                        _ => String::new(),
                    },
                })
                .collect(),
            username: u.username,
            display_name: u.display_name,
            active: u.active,
        })
        .collect();
    let departments = service::accounts::grant_departments(state, &caller.principal).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UsersPage {
        t,
        chrome: Chrome::for_caller(caller),
        users,
        roles: Role::ALL
            .iter()
            .map(|r| (r.code(), role_label(t, *r)))
            .collect(),
        departments,
        q,
        role: role_code,
        pager,
        message,
        error,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /admin/users`.
pub async fn users(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<UsersQuery>,
) -> Result<Response, PageError> {
    users_page(&state, &caller, query, None, None).await
}

/// The new-account form's fields.
#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    employee_no: Option<String>,
    role: String,
    scope: String,
    department_code: Option<String>,
}

/// Shows a user's mistake on the list page; other errors become error pages.
async fn outcome(
    state: &AppState,
    caller: &PageCaller,
    result: Result<String, DomainError>,
) -> Result<Response, PageError> {
    match result {
        Ok(message) => users_page(state, caller, UsersQuery::default(), Some(message), None).await,
        Err(DomainError::Validation { field, message }) => {
            users_page(
                state,
                caller,
                UsersQuery::default(),
                None,
                Some(format!("{field}: {message}")),
            )
            .await
        }
        Err(DomainError::Conflict(m)) => {
            users_page(state, caller, UsersQuery::default(), None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/users`.
pub async fn create_user(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<NewUserForm>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let input = AccountInput {
        username: form.username,
        display_name: form.display_name,
        password: form.password,
        employee_no: form.employee_no,
        grants: vec![GrantCodes::new(
            &form.role,
            &form.scope,
            form.department_code.as_deref(),
        )],
    };
    let result =
        service::accounts::create_account(&state, Some(&caller.principal), input, &caller.actor())
            .await
            .map(|_| t.get("users.created").to_string());
    outcome(&state, &caller, result).await
}

/// The enable/disable form's field.
#[derive(Deserialize)]
pub struct ActiveForm {
    active: bool,
}

/// `POST /admin/users/{id}/active`.
pub async fn set_active(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "user" }))?;
    let result = service::accounts::set_account_active(
        &state,
        &caller.principal,
        id,
        form.active,
        &caller.actor(),
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e) => outcome(&state, &caller, Err(e)).await,
    }
}

/// The grant form's fields.
#[derive(Deserialize)]
pub struct GrantForm {
    role: String,
    scope: String,
    department_code: Option<String>,
    department_id: Option<String>,
}

/// `POST /admin/users/{id}/grants`.
pub async fn add_grant(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "user" }))?;
    let codes = GrantCodes::new(&form.role, &form.scope, form.department_code.as_deref());
    let result =
        service::accounts::add_grant(&state, &caller.principal, id, &codes, &caller.actor())
            .await
            .map(|_| ());
    match result {
        Ok(()) => Ok(Redirect::to("/admin/users").into_response()),
        Err(e) => outcome(&state, &caller, Err(e)).await,
    }
}

/// `POST /admin/users/{id}/grants/revoke`.
pub async fn remove_grant(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "user" }))?;
    let codes = GrantCodes {
        department_id: form.department_id.as_deref().and_then(|d| d.parse().ok()),
        ..GrantCodes::new(&form.role, &form.scope, None)
    };
    service::accounts::remove_grant(&state, &caller.principal, id, &codes, &caller.actor()).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// An audit row as shown.
pub struct AuditView {
    pub at: String,
    /// The action in the UI language (the code when it has no translation).
    pub action: String,
    /// The kind of record in the UI language.
    pub entity: String,
    pub entry: AuditEntry,
}

/// A translated label for `prefix.code`, or the code itself.
fn label_or_code(t: Tr, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}.{code}");
    if Tr::has(&key) {
        t.get(&key).to_string()
    } else {
        code.to_string()
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPageView {
    t: Tr,
    chrome: Chrome,
    rows: Vec<AuditView>,
    actor: String,
    action: String,
    entity_kind: String,
    from: String,
    to: String,
    pager: Pager,
}

/// `GET /admin/audit`.
pub async fn audit(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = query.filter()?;
    let paged: Paged<AuditEntry> = service::audit::list_audit(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, Some(50)),
    )
    .await?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let qs = query_string(&[
        ("actor", s(&query.actor)),
        ("action", s(&query.action)),
        ("entity_kind", s(&query.entity_kind)),
        ("from", s(&query.from)),
        ("to", s(&query.to)),
    ]);
    let pager = Pager::new(t, &paged, "/admin/audit", &qs);
    let rows = paged
        .items
        .into_iter()
        .map(|entry| AuditView {
            at: local_time(&state, entry.at),
            action: label_or_code(t, "audit.action", &entry.action),
            entity: label_or_code(t, "audit.entity", &entry.entity_kind),
            entry,
        })
        .collect();
    Ok(render(&AuditPageView {
        t,
        chrome: Chrome::for_caller(&caller),
        rows,
        actor: s(&query.actor),
        action: s(&query.action),
        entity_kind: s(&query.entity_kind),
        from: s(&query.from),
        to: s(&query.to),
        pager,
    }))
}

/// A job row as shown.
pub struct JobView {
    pub id: i64,
    pub kind: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub attempts: String,
    pub run_at: String,
    pub last_error: String,
    pub failed: bool,
}

/// A schedule row as shown.
pub struct ScheduleView {
    pub name: String,
    pub kind: String,
    pub recurrence: String,
    pub next_run: String,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    t: Tr,
    chrome: Chrome,
    jobs: Vec<JobView>,
    schedules: Vec<ScheduleView>,
    /// (code, label, selected).
    statuses: Vec<(&'static str, &'static str, bool)>,
}

/// Filter of the jobs page.
#[derive(Debug, Deserialize)]
pub struct JobsQuery {
    status: Option<String>,
}

/// `GET /admin/jobs`.
pub async fn jobs(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<JobsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let status = query.status.as_deref().and_then(JobStatus::parse);
    let jobs =
        service::jobs::list_jobs(&state, &caller.principal, status.map(JobStatus::code), 100)
            .await?
            .into_iter()
            .map(|j| JobView {
                id: j.id,
                status: j.status.code(),
                status_label: t.get(&format!("job.{}", j.status.code())),
                attempts: format!("{}/{}", j.attempts, j.max_attempts),
                run_at: local_time(&state, j.run_at),
                last_error: j.last_error.unwrap_or_default(),
                failed: j.status == JobStatus::Failed,
                kind: j.kind,
            })
            .collect();
    let schedules = service::jobs::list_schedules(&state, &caller.principal)
        .await?
        .into_iter()
        .map(|s| ScheduleView {
            next_run: local_time(&state, s.next_run_at),
            name: s.name,
            kind: s.kind,
            recurrence: s.recurrence,
        })
        .collect();
    Ok(render(&JobsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        jobs,
        schedules,
        statuses: [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Succeeded,
            JobStatus::Failed,
        ]
        .into_iter()
        .map(|s| {
            (
                s.code(),
                t.get(&format!("job.{}", s.code())),
                Some(s) == status,
            )
        })
        .collect(),
    }))
}

/// `POST /admin/jobs/{id}/retry`.
pub async fn retry_job(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "job" }))?;
    service::jobs::retry_job(&state, &caller.principal, id).await?;
    Ok(Redirect::to("/admin/jobs").into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/admin/users", Page, users)
        .post("/admin/users", Page, create_user)
        .post("/admin/users/{id}/active", Page, set_active)
        .post("/admin/users/{id}/grants", Page, add_grant)
        .post("/admin/users/{id}/grants/revoke", Page, remove_grant)
        .get("/admin/audit", Page, audit)
        .get("/admin/jobs", Page, jobs)
        .post("/admin/jobs/{id}/retry", Page, retry_job)
}
