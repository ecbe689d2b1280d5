//! KPI definitions with their data, and uploads of definitions and values.

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
use domain::DomainError;
use service::imports::{KpiDefinitions, KpiValues};
use service::performance::ReconciliationView;
use store::KpiSummary;

#[derive(Template)]
#[template(path = "performance.html")]
struct PerformancePage {
    t: Tr,
    chrome: Chrome,
    kpis: Vec<KpiSummary>,
    can_import: bool,
    upload: Option<ReportView>,
}

async fn page(
    state: &AppState,
    caller: &PageCaller,
    upload: Option<ReportView>,
) -> Result<Response, PageError> {
    let kpis = service::performance::list_kpis(state, &caller.principal).await?;
    let can_import = service::performance::may_import(&caller.principal);
    let status = upload.as_ref().map_or(StatusCode::OK, ReportView::status);
    Ok((
        status,
        render(&PerformancePage {
            t: Tr(caller.locale),
            chrome: Chrome::for_caller(caller),
            kpis,
            can_import,
            upload,
        }),
    )
        .into_response())
}

/// `GET /performance`.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    page(&state, &caller, None).await
}

/// `POST /performance/import` (multipart: kind = definitions | values, file, valid_only, dry_run).
pub async fn upload(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    // Refused before the upload is read.
    service::performance::require_importer(&caller.principal)?;
    let t = Tr(caller.locale);
    let upload = read_upload(t, multipart).await;
    let kind = upload
        .as_ref()
        .ok()
        .and_then(|u| u.field("kind"))
        .unwrap_or("");
    let (view, _) = match kind {
        "definitions" => {
            let title = Some(t.get("performance.kind_definitions"));
            import_upload(&state, &caller, upload, title, |_| Ok(KpiDefinitions)).await?
        }
        "values" => {
            let title = Some(t.get("performance.kind_values"));
            import_upload(&state, &caller, upload, title, |u| {
                Ok(KpiValues {
                    valid_only: u.checked("valid_only"),
                })
            })
            .await?
        }
        _ => match upload {
            Err(message) => (ReportView::refused(None, message), true),
            Ok(_) => (
                ReportView::refused(None, "kind: choose definitions or values".into()),
                true,
            ),
        },
    };
    page(&state, &caller, Some(view)).await
}

#[derive(Template)]
#[template(path = "reconciliation.html")]
struct ReconciliationPageView {
    t: Tr,
    chrome: Chrome,
    summary: Vec<domain::performance::ReconciliationSummary>,
    items: Vec<domain::performance::ReconciliationItem>,
    period: String,
    /// (code, label, selected).
    statuses: Vec<(&'static str, &'static str, bool)>,
    pager: super::Pager,
    message: Option<String>,
    can_run: bool,
}

async fn reconciliation_page(
    state: &AppState,
    caller: &PageCaller,
    query: &crate::api::performance::ReconciliationQuery,
    message: Option<String>,
) -> Result<Response, PageError> {
    use domain::performance::ReconciliationStatus;
    let t = Tr(caller.locale);
    // Which status the filter shows selected (none when it does not parse).
    let selected = query.filter().parse().ok().and_then(|(_, status)| status);
    let ReconciliationView {
        items: paged,
        summary,
        can_run,
    } = service::performance::reconciliation_view(
        state,
        &caller.principal,
        query.filter(),
        domain::Page::new(query.page, Some(50)),
    )
    .await?;
    let qs = super::query_string(&[
        ("period", query.period.clone().unwrap_or_default()),
        ("status", query.status.clone().unwrap_or_default()),
    ]);
    let pager = super::Pager::new(t, &paged, "/performance/reconciliation", &qs);
    Ok(render(&ReconciliationPageView {
        t,
        chrome: Chrome::for_caller(caller),
        summary,
        items: paged.items,
        period: query.period.clone().unwrap_or_default(),
        statuses: ReconciliationStatus::ALL
            .into_iter()
            .map(|s| {
                (
                    s.code(),
                    t.get(&format!("reconciliation.status.{}", s.code())),
                    Some(s) == selected,
                )
            })
            .collect(),
        pager,
        message,
        can_run,
    }))
}

/// `GET /performance/reconciliation`: the queue, filtered, with a summary per department and month.
pub async fn reconciliation(
    State(state): State<AppState>,
    caller: PageCaller,
    axum::extract::Query(query): axum::extract::Query<crate::api::performance::ReconciliationQuery>,
) -> Result<Response, PageError> {
    reconciliation_page(&state, &caller, &query, None).await
}

/// The decision form's fields.
#[derive(serde::Deserialize)]
pub struct DecisionForm {
    decision: String,
    note: Option<String>,
}

/// `POST /performance/reconciliation/{id}/decision`.
pub async fn decide(
    State(state): State<AppState>,
    caller: PageCaller,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "reconciliation item",
        })
    })?;
    service::performance::decide_reconciliation(
        &state,
        &caller.principal,
        id,
        &form.decision,
        form.note.as_deref(),
        &caller.actor(),
    )
    .await?;
    Ok(axum::response::Redirect::to("/performance/reconciliation").into_response())
}

/// The run form's field.
#[derive(serde::Deserialize)]
pub struct RunForm {
    period: String,
}

/// `POST /performance/reconciliation/run`: reconciles a month now (company-wide managers only).
pub async fn run(
    State(state): State<AppState>,
    caller: PageCaller,
    axum::Form(form): axum::Form<RunForm>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let (period, result) = service::performance::reconcile(
        &state,
        Some(&caller.principal),
        &form.period,
        &caller.actor(),
    )
    .await?;
    let message = t
        .get("reconciliation.ran")
        .replace("{period}", &period.to_string())
        .replace("{queued}", &result.queued.to_string())
        .replace("{open}", &result.open.to_string());
    let query = crate::api::performance::ReconciliationQuery {
        period: Some(period.to_string()),
        status: None,
        page: None,
        per_page: None,
    };
    reconciliation_page(&state, &caller, &query, Some(message)).await
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage {
    t: Tr,
    chrome: Chrome,
    period: String,
    rows: Vec<domain::performance::EntryStatus>,
}

/// Period filter of the entry page.
#[derive(serde::Deserialize)]
pub struct EntryQuery {
    period: Option<String>,
}

/// `GET /performance/entry`: per KPI, who should have reported, who did, who is missing or late.
pub async fn entry(
    State(state): State<AppState>,
    caller: PageCaller,
    axum::extract::Query(query): axum::extract::Query<EntryQuery>,
) -> Result<Response, PageError> {
    let period = query.period.as_deref().filter(|p| !p.trim().is_empty());
    let (period, rows) =
        service::performance::entry_status(&state, &caller.principal, period).await?;
    Ok(render(&EntryPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        period: period.to_string(),
        rows,
    }))
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/performance", Page, list)
        .get("/performance/entry", Page, entry)
        .get("/performance/reconciliation", Page, reconciliation)
        .post("/performance/reconciliation/run", Page, run)
        .post("/performance/reconciliation/{id}/decision", Page, decide)
        .post_upload(
            "/performance/import",
            Page,
            upload,
            super::import::UPLOAD_LIMIT,
        )
}
