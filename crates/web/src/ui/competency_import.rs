//! Uploads of assessments and competency models (preview or import, with a report of
//! every bad row), and the competency models as an Excel download.

use super::{Chrome, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;

/// Errors listed on the page; the rest are counted.
const ERRORS_SHOWN: usize = 500;

/// What an upload found and did, as shown.
pub struct ReportView {
    /// Which import: the assessments or the models form's title.
    pub title: &'static str,
    pub ok: bool,
    pub summary: String,
    pub rows: usize,
    pub error_count: usize,
    pub errors: Vec<import::RowError>,
    /// Problems found but not listed.
    pub more: usize,
}

#[derive(Template)]
#[template(path = "competency_import.html")]
struct ImportPage {
    t: Tr,
    chrome: Chrome,
    report: Option<ReportView>,
    /// Whether the forms' preview boxes start ticked (the last choice, preview at first).
    dry_run: bool,
}

fn page(caller: &PageCaller, report: Option<ReportView>, dry_run: bool) -> Response {
    let status = match &report {
        Some(r) if !r.ok => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
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

/// `GET /competency/import`.
pub async fn form(caller: PageCaller) -> Result<Response, PageError> {
    service::competency::require_importer(&caller.principal).map_err(|e| caller.err(e))?;
    Ok(page(&caller, None, true))
}

/// An uploaded file with its options.
pub(crate) struct Upload {
    pub bytes: Vec<u8>,
    pub source: String,
    pub dry_run: bool,
}

/// Reads the multipart form (file, dry_run); a message for the page when it cannot.
pub(crate) async fn read_upload(
    t: Tr,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload, String> {
    let mut multipart = multipart.map_err(|e| format!("file: {}", e.body_text()))?;
    let mut upload = Upload {
        bytes: Vec::new(),
        source: String::new(),
        dry_run: false,
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| format!("file: {}", e.body_text()))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                upload.source = field.file_name().unwrap_or("upload").to_string();
                upload.bytes = field
                    .bytes()
                    .await
                    .map_err(|e| format!("file: {}", e.body_text()))?
                    .to_vec();
            }
            "dry_run" => upload.dry_run = field.text().await.unwrap_or_default() == "on",
            _ => {}
        }
    }
    if upload.bytes.is_empty() {
        return Err(t.get("import.no_file").into());
    }
    Ok(upload)
}

/// A report for an upload that could not be read or validated at all.
pub(crate) fn failed(title: &'static str, summary: String) -> ReportView {
    ReportView {
        title,
        ok: false,
        summary,
        rows: 0,
        error_count: 0,
        errors: Vec::new(),
        more: 0,
    }
}

/// The summary line of a report that wrote nothing.
pub(crate) fn not_written(t: Tr, dry_run: bool, error_count: usize) -> (bool, String) {
    match (dry_run, error_count) {
        (true, 0) => (true, t.get("import.preview_only").into()),
        (true, _) => (false, t.get("competency_import.preview_errors").into()),
        (false, _) => (false, t.get("competency_import.nothing_written").into()),
    }
}

pub(crate) fn with_errors(mut view: ReportView, mut errors: Vec<import::RowError>) -> ReportView {
    view.more = view
        .error_count
        .saturating_sub(ERRORS_SHOWN.min(errors.len()));
    errors.truncate(ERRORS_SHOWN);
    view.errors = errors;
    view
}

/// `POST /competency/import/assessments` (multipart: file, dry_run).
pub async fn assessments(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    service::competency::require_importer(&caller.principal).map_err(|e| caller.err(e))?;
    let t = Tr(caller.locale);
    let title = t.get("competency_import.assessments");
    let upload = match read_upload(t, multipart).await {
        Ok(u) => u,
        Err(message) => return Ok(page(&caller, Some(failed(title, message)), true)),
    };
    let report = match service::imports::import_assessments(
        &state,
        Some(&caller.principal),
        &upload.bytes,
        &upload.source,
        upload.dry_run,
        &caller.actor(),
    )
    .await
    {
        Ok(r) => r,
        Err(DomainError::Validation { field, message }) => {
            let view = failed(title, format!("{field}: {message}"));
            return Ok(page(&caller, Some(view), upload.dry_run));
        }
        Err(e) => return Err(caller.err(e)),
    };
    let (ok, summary) = match report.inserted {
        Some(inserted) => (
            true,
            format!(
                "{}: {} {inserted} · {} {}",
                t.get("import.done"),
                t.get("import.inserted"),
                t.get("competency_import.already_stored"),
                report.valid - inserted
            ),
        ),
        None => not_written(t, upload.dry_run, report.error_count),
    };
    let view = ReportView {
        title,
        ok,
        summary,
        rows: report.rows,
        error_count: report.error_count,
        errors: Vec::new(),
        more: 0,
    };
    Ok(page(
        &caller,
        Some(with_errors(view, report.errors)),
        upload.dry_run,
    ))
}

/// `POST /competency/import/models` (multipart: file, dry_run).
pub async fn models(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    service::competency::require_importer(&caller.principal).map_err(|e| caller.err(e))?;
    let t = Tr(caller.locale);
    let title = t.get("competency_import.models");
    let upload = match read_upload(t, multipart).await {
        Ok(u) => u,
        Err(message) => return Ok(page(&caller, Some(failed(title, message)), true)),
    };
    let report = match service::imports::import_competency_models(
        &state,
        Some(&caller.principal),
        &upload.bytes,
        &upload.source,
        upload.dry_run,
        &caller.actor(),
    )
    .await
    {
        Ok(r) => r,
        Err(DomainError::Validation { field, message }) => {
            let view = failed(title, format!("{field}: {message}"));
            return Ok(page(&caller, Some(view), upload.dry_run));
        }
        Err(e) => return Err(caller.err(e)),
    };
    let (ok, summary) = match report.written {
        Some((positions, rows)) => (
            true,
            format!(
                "{}: {} {positions} · {} {rows}",
                t.get("import.done"),
                t.get("competency_import.positions"),
                t.get("competency_import.requirements"),
            ),
        ),
        None => not_written(t, upload.dry_run, report.error_count),
    };
    let view = ReportView {
        title,
        ok,
        summary,
        rows: report.rows,
        error_count: report.error_count,
        errors: Vec::new(),
        more: 0,
    };
    Ok(page(
        &caller,
        Some(with_errors(view, report.errors)),
        upload.dry_run,
    ))
}

/// `GET /competency/models/export.xlsx`: every competency model as Excel, recorded in
/// the audit log.
pub async fn export(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let (bytes, _) = service::imports::export_competency_models(
        &state,
        Some(&caller.principal),
        caller.locale,
        &caller.actor(),
    )
    .await
    .map_err(|e| caller.err(e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"competency-models.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/competency/import", Page, form)
        .post_upload(
            "/competency/import/assessments",
            Page,
            assessments,
            super::import::UPLOAD_LIMIT,
        )
        .post_upload(
            "/competency/import/models",
            Page,
            models,
            super::import::UPLOAD_LIMIT,
        )
        .get("/competency/models/export.xlsx", Page, export)
}
