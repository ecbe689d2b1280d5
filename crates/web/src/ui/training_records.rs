//! The upload of training history from an old system (preview or import, with a
//! report of every bad row or of what was created and updated).

use super::competency_import::{ReportView, failed, not_written, read_upload, with_errors};
use super::{Chrome, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use domain::training_records::TrainingRecordOutcome;

#[derive(Template)]
#[template(path = "training_records_import.html")]
struct ImportPage {
    t: Tr,
    chrome: Chrome,
    report: Option<ReportView>,
    /// Whether the preview box starts ticked (the last choice, preview at first).
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

fn allowed(caller: &PageCaller) -> Result<(), PageError> {
    service::imports::require_company_program_manager(Some(&caller.principal))
        .map_err(|e| caller.err(e))
}

/// `GET /programs/import`.
pub async fn form(caller: PageCaller) -> Result<Response, PageError> {
    allowed(&caller)?;
    Ok(page(&caller, None, true))
}

/// The counts of an import, in the page's language.
fn counts(t: Tr, o: &TrainingRecordOutcome) -> String {
    let mut parts = vec![
        format!(
            "{} {}",
            t.get("training_records.programs_created"),
            o.programs_created
        ),
        format!(
            "{} {}",
            t.get("training_records.enrollments_created"),
            o.enrollments_created
        ),
        format!("{} {}", t.get("import.updated"), o.enrollments_updated),
        format!("{} {}", t.get("import.unchanged"), o.enrollments_unchanged),
    ];
    if o.programs_updated > 0 {
        parts.push(format!(
            "{} {}",
            t.get("training_records.programs_updated"),
            o.programs_updated
        ));
    }
    parts.join(" · ")
}

/// `POST /programs/import` (multipart: file, dry_run).
pub async fn submit(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    allowed(&caller)?;
    let t = Tr(caller.locale);
    let title = t.get("training_records.title");
    let upload = match read_upload(t, multipart).await {
        Ok(u) => u,
        Err(message) => return Ok(page(&caller, Some(failed(title, message)), true)),
    };
    let report = match service::imports::import_training_records(
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
    let (ok, summary) = match (&report.outcome, report.written) {
        (Some(o), true) => (true, format!("{}: {}", t.get("import.done"), counts(t, o))),
        (Some(o), false) => (
            true,
            format!(
                "{} {}",
                t.get("import.preview_only"),
                t.get("training_records.would")
                    .replace("{counts}", &counts(t, o))
            ),
        ),
        (None, _) => not_written(t, upload.dry_run, report.error_count),
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

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry.get("/programs/import", Page, form).post_upload(
        "/programs/import",
        Page,
        submit,
        super::import::UPLOAD_LIMIT,
    )
}
