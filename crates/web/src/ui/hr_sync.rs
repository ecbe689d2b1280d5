//! HR sync on the pages: the employee upload's diff and its confirm step (the previewed
//! file travels in the confirm form, so what is applied is what was shown), an
//! administrator's forced password reset, and the public page where a reset link sets
//! a new password.

use super::import::{ReportView, Upload};
use super::{Chrome, Viewer, render};
use crate::auth::{LOGIN_CSRF_COOKIE, PageCaller, cookie, set_cookie};
use crate::error::PageError;
use crate::i18n::{Locale, Tr};
use crate::routes::{
    Registry,
    Surface::{Page, Public},
};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::DomainError;
use serde::Deserialize;
use service::imports::{Employees, ImportReport, ImportRequest};

/// Largest file carried in a confirm form (base64 in the page).
const CONFIRM_LIMIT: usize = 32 * 1024 * 1024;

/// A list of changes of one kind, as the report shows it.
pub struct ChangeList {
    /// Text key of its title.
    pub label: &'static str,
    /// (employee number, name, what changes).
    pub rows: Vec<(String, String, String)>,
    /// Changes of this kind not listed.
    pub more: usize,
}

/// The previewed file and options, to apply them with one more click.
pub struct Confirm {
    pub file_b64: String,
    pub file_name: String,
    pub mapping: String,
    pub pairs: String,
    pub period: String,
    pub create_missing: bool,
    pub force: bool,
}

/// What a full sync (or an import's job changes) does, as the page shows it.
pub struct SyncView {
    pub preview: bool,
    pub lists: Vec<ChangeList>,
    /// Leavers' consequences and logins created (after a write).
    pub consequences: Vec<(&'static str, Vec<String>)>,
    pub confirm: Option<Confirm>,
}

fn list<T>(
    label: &'static str,
    rows: &[T],
    row: impl Fn(&T) -> (String, String, String),
) -> ChangeList {
    const SHOWN: usize = 50;
    ChangeList {
        label,
        rows: rows.iter().take(SHOWN).map(row).collect(),
        more: rows.len().saturating_sub(SHOWN),
    }
}

fn sync_view(report: &ImportReport<Employees>, upload: &UploadEcho) -> Option<SyncView> {
    let o = report.outcome.as_ref()?;
    let d = &o.diff;
    if !d.full && d.is_empty() {
        return None;
    }
    let job =
        |c: &domain::hr_sync::JobChange| (c.employee_no.clone(), c.name.clone(), c.summary.clone());
    let lists = vec![
        list("hr_sync.hires", &d.hires, job),
        list("hr_sync.kind.rehire", &d.rehires, job),
        list("hr_sync.leavers", &d.leavers, job),
        list("hr_sync.transfers", &d.transfers, job),
        list("hr_sync.position_changes", &d.position_changes, job),
        list("hr_sync.field_changes", &d.field_changes, |f| {
            (f.employee_no.clone(), f.name.clone(), f.fields.join(", "))
        }),
    ]
    .into_iter()
    .filter(|l| !l.rows.is_empty())
    .collect();
    let l = &o.leavers;
    let consequences = if o.preview {
        Vec::new()
    } else {
        vec![
            ("hr_sync.accounts_disabled", l.accounts_disabled.clone()),
            (
                "hr_sync.enrollments_cancelled",
                l.enrollments_cancelled
                    .iter()
                    .map(|(no, p)| format!("{no} · {p}"))
                    .collect(),
            ),
            (
                "hr_sync.approvals_reassigned",
                l.approvals_reassigned
                    .iter()
                    .map(|(need, no, to)| format!("#{need} · {no} → {to}"))
                    .collect(),
            ),
            (
                "hr_sync.approvals_cancelled",
                l.approvals_cancelled
                    .iter()
                    .map(|(need, no)| format!("#{need} · {no}"))
                    .collect(),
            ),
            ("hr_sync.logins_created", o.provisioned.created.clone()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect()
    };
    let confirm =
        (o.preview && report.accepted && upload.bytes_len <= CONFIRM_LIMIT).then(|| Confirm {
            file_b64: upload.file_b64.clone(),
            file_name: upload.file_name.clone(),
            mapping: upload.mapping.clone(),
            pairs: upload.pairs.clone(),
            period: upload.period.clone(),
            create_missing: upload.create_missing,
            force: upload.force,
        });
    Some(SyncView {
        preview: o.preview,
        lists,
        consequences,
        confirm,
    })
}

/// What the confirm form sends back.
struct UploadEcho {
    file_b64: String,
    file_name: String,
    bytes_len: usize,
    mapping: String,
    pairs: String,
    period: String,
    create_missing: bool,
    force: bool,
}

/// Runs an employee upload (a full sync when ticked) and its report, with the diff
/// and, after a full-sync preview, the confirm step.
pub(crate) async fn employee_upload(
    state: &AppState,
    caller: &PageCaller,
    upload: Result<Upload, String>,
    kind: impl FnOnce(&Upload) -> Result<Employees, String>,
) -> Result<(ReportView, bool), PageError> {
    let upload = match upload {
        Ok(u) => u,
        Err(message) => return Ok((ReportView::refused(None, message), true)),
    };
    let dry_run = upload.dry_run;
    let kind = match kind(&upload) {
        Ok(k) => k,
        Err(message) => return Ok((ReportView::refused(None, message), dry_run)),
    };
    let echo = UploadEcho {
        file_b64: if kind.full && dry_run && upload.bytes.len() <= CONFIRM_LIMIT {
            base64::engine::general_purpose::STANDARD.encode(&upload.bytes)
        } else {
            String::new()
        },
        bytes_len: upload.bytes.len(),
        file_name: upload.source.clone(),
        mapping: upload.field("mapping").unwrap_or("").to_string(),
        pairs: upload.field("pairs").unwrap_or("").to_string(),
        period: upload.field("period").unwrap_or("").to_string(),
        create_missing: kind.options.create_missing,
        force: kind.force,
    };
    let request = ImportRequest::new(upload.bytes, upload.source, dry_run, kind);
    let view = match service::imports::run(state, Some(&caller.principal), request, &caller.actor())
        .await
    {
        Ok(report) => {
            let sync = sync_view(&report, &echo);
            ReportView {
                sync,
                ..ReportView::new(Tr(caller.locale), None, report)
            }
        }
        Err(DomainError::Validation { field, message }) => {
            ReportView::refused(None, format!("{field}: {message}"))
        }
        Err(e) => return Err(e.into()),
    };
    Ok((view, dry_run))
}

/// The bytes of a confirm form's file (`file_b64`), when there is no uploaded file.
pub(crate) fn confirmed_file(b64: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| "file: the confirmed file is damaged; upload it again".to_string())
}

// ---- Forced password resets ----------------------------------------------------------

#[derive(Template)]
#[template(path = "password_reset_issued.html")]
struct IssuedPage {
    t: Tr,
    chrome: Chrome,
    username: String,
    link: String,
    expires_at: String,
}

/// `POST /admin/users/{id}/password-reset`: forces a reset and shows the one-time link once.
pub async fn force_reset(
    State(state): State<AppState>,
    caller: PageCaller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "user" }))?;
    let reset = service::accounts::force_password_reset(
        &state,
        Some(&caller.principal),
        id,
        &caller.actor(),
    )
    .await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    Ok(render(&IssuedPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        link: format!("{scheme}://{host}{}", reset.path()),
        expires_at: reset.expires_at.date().to_string(),
        username: reset.username,
    }))
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    t: Tr,
    lang: &'static str,
    csrf: String,
    token: String,
    error: Option<String>,
    done: Option<String>,
}

/// The reset link's query.
#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

fn reset_page(
    state: &AppState,
    locale: Locale,
    csrf: String,
    token: String,
    error: Option<String>,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let set = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, state.config.secure_cookies);
    let page = ResetPage {
        t: Tr(locale),
        lang: locale.tag(),
        csrf,
        token,
        error,
        done,
    };
    (status, [(header::SET_COOKIE, set)], render(&page)).into_response()
}

/// `GET /password-reset?token=…`: the form that sets a new password.
pub async fn reset_form(
    viewer: Viewer,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Response {
    let csrf = cookie(&headers, LOGIN_CSRF_COOKIE)
        .map(str::to_string)
        .unwrap_or_else(service::secrets::new_secret);
    reset_page(
        &state,
        viewer.locale,
        csrf,
        q.token.unwrap_or_default(),
        None,
        None,
        StatusCode::OK,
    )
}

/// The reset form's fields.
#[derive(Deserialize)]
pub struct ResetForm {
    token: String,
    password: String,
    repeat: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// `POST /password-reset`: sets the new password (the token works once); 422 with the
/// form again when it cannot.
pub async fn reset_submit(
    viewer: Viewer,
    State(state): State<AppState>,
    Form(form): Form<ResetForm>,
) -> Response {
    match service::accounts::complete_password_reset(
        &state,
        &form.token,
        &form.password,
        &form.repeat,
    )
    .await
    {
        Ok(username) => reset_page(
            &state,
            viewer.locale,
            form.csrf,
            String::new(),
            None,
            Some(username),
            StatusCode::OK,
        ),
        Err(DomainError::Validation { field, message }) => reset_page(
            &state,
            viewer.locale,
            form.csrf,
            form.token,
            Some(format!("{field}: {message}")),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => PageError::new(e, viewer.locale).into_response(),
    }
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    registry
        .post("/admin/users/{id}/password-reset", Page, force_reset)
        .get("/password-reset", Public, reset_form)
        .post("/password-reset", Public, reset_submit)
}
