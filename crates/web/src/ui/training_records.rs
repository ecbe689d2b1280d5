//! The upload of training history from an old system (preview or import, with a
//! report of every bad row or of what was created and updated).

use super::import::{ReportView, import_upload, read_upload};
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
use service::imports::TrainingRecords;

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

fn allowed(caller: &PageCaller) -> Result<(), PageError> {
    service::imports::require_company_program_manager(Some(&caller.principal))
        .map_err(|e| caller.err(e))
}

/// `GET /programs/import`.
pub async fn form(caller: PageCaller) -> Result<Response, PageError> {
    allowed(&caller)?;
    Ok(page(&caller, None, true))
}

/// `POST /programs/import` (multipart: file, dry_run).
pub async fn submit(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    allowed(&caller)?;
    let t = Tr(caller.locale);
    let upload = read_upload(t, multipart).await;
    let title = Some(t.get("training_records.title"));
    let (report, dry_run) =
        import_upload(&state, &caller, upload, title, |_| Ok(TrainingRecords)).await?;
    Ok(page(&caller, Some(report), dry_run))
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
