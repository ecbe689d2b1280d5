//! Uploads of assessments and competency models (preview or import, with a report of
//! every bad row), and the competency models as an Excel download.

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
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use service::imports::{Assessments, CompetencyModels, Import};

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

/// `GET /competency/import`.
pub async fn form(caller: PageCaller) -> Result<Response, PageError> {
    service::competency::require_importer(&caller.principal)?;
    Ok(page(&caller, None, true))
}

/// Runs an upload of one of the page's two imports and shows its report.
async fn upload<K: Import + Default>(
    state: &AppState,
    caller: &PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
    title: &str,
) -> Result<Response, PageError> {
    service::competency::require_importer(&caller.principal)?;
    let t = Tr(caller.locale);
    let upload = read_upload(t, multipart).await;
    let (report, dry_run) = import_upload(state, caller, upload, Some(t.get(title)), |_| {
        Ok(K::default())
    })
    .await?;
    Ok(page(caller, Some(report), dry_run))
}

/// `POST /competency/import/assessments` (multipart: file, dry_run).
pub async fn assessments(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    upload::<Assessments>(&state, &caller, multipart, "competency_import.assessments").await
}

/// `POST /competency/import/models` (multipart: file, dry_run).
pub async fn models(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    upload::<CompetencyModels>(&state, &caller, multipart, "competency_import.models").await
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
    .await?;
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
