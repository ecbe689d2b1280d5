//! The employee upload page: preview (dry run) or import, with a full report; and what
//! every upload page shares: reading the form, running the import workflow and the
//! report as shown (`import_report.html`).

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
use service::imports::{Count, Employees, Import, ImportReport, ImportRequest};
use std::collections::HashMap;

/// Largest upload accepted (a 100,000-person export is about 15 MB as CSV).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;
/// Errors listed on the page; the rest are counted.
const ERRORS_SHOWN: usize = 500;

/// An uploaded file with the form's other fields.
pub(crate) struct Upload {
    pub bytes: Vec<u8>,
    pub source: String,
    pub dry_run: bool,
    /// The other fields, by name.
    fields: HashMap<String, String>,
}

impl Upload {
    /// A text field, if the form sent it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Whether a checkbox is ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.field(name) == Some("on")
    }
}

/// Reads a multipart upload form (file, dry_run and any other fields); a message for
/// the page when it cannot.
pub(crate) async fn read_upload(
    t: Tr,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload, String> {
    let mut multipart = multipart.map_err(|e| format!("file: {}", e.body_text()))?;
    let mut upload = Upload {
        bytes: Vec::new(),
        source: String::new(),
        dry_run: false,
        fields: HashMap::new(),
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| format!("file: {}", e.body_text()))?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            upload.source = field.file_name().unwrap_or("upload").to_string();
            upload.bytes = field
                .bytes()
                .await
                .map_err(|e| format!("file: {}", e.body_text()))?
                .to_vec();
        } else {
            let value = field.text().await.unwrap_or_default();
            upload.fields.insert(name, value);
        }
    }
    upload.dry_run = upload.checked("dry_run");
    // The confirm step of a previewed full sync sends the previewed file back.
    if upload.bytes.is_empty()
        && let Some(b64) = upload.fields.get("file_b64").filter(|b| !b.is_empty())
    {
        upload.bytes = super::hr_sync::confirmed_file(b64)?;
        upload.source = upload
            .fields
            .get("file_name")
            .cloned()
            .unwrap_or_else(|| "upload".into());
    }
    if upload.bytes.is_empty() {
        return Err(t.get("import.no_file").into());
    }
    Ok(upload)
}

/// What an upload found and did, as `import_report.html` shows it.
pub struct ReportView {
    /// Which import, on a page with several.
    pub title: Option<&'static str>,
    /// Whether the upload was read and checked (false: refused, see `summary`).
    pub read: bool,
    pub ok: bool,
    pub summary: String,
    pub rows: usize,
    pub valid: usize,
    pub error_count: usize,
    /// The problems listed (up to [`ERRORS_SHOWN`]).
    pub errors: Vec<import::RowError>,
    /// Problems found but not listed.
    pub more: usize,
    pub notes: Vec<String>,
    /// The column mapping used (imports that map columns).
    pub mapping: Option<String>,
    /// The employee import's diff, consequences and confirm step (`hr_sync`).
    pub sync: Option<super::hr_sync::SyncView>,
}

impl ReportView {
    /// An upload that could not be read or was refused before its rows were checked.
    pub(crate) fn refused(title: Option<&'static str>, summary: String) -> Self {
        Self {
            title,
            read: false,
            ok: false,
            summary,
            rows: 0,
            valid: 0,
            error_count: 0,
            errors: Vec::new(),
            more: 0,
            notes: Vec::new(),
            mapping: None,
            sync: None,
        }
    }

    /// An import's report in the page's language.
    pub(crate) fn new<K: Import>(t: Tr, title: Option<&'static str>, r: ImportReport<K>) -> Self {
        let counts = |counts: Vec<Count>| {
            counts
                .iter()
                .map(|c| format!("{} {}", t.get(c.label), c.value))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        let (ok, summary) = if r.written {
            (
                true,
                format!("{}: {}", t.get("import.done"), counts(r.counts())),
            )
        } else if r.dry_run && r.accepted {
            let preview = t.get("import.preview_only");
            match r.outcome {
                // A rehearsed import: what it would do.
                Some(_) => (
                    true,
                    format!(
                        "{preview} {}",
                        t.get("import.would")
                            .replace("{counts}", &counts(r.counts()))
                    ),
                ),
                None => (true, preview.into()),
            }
        } else if r.dry_run {
            (false, t.get("import.preview_errors").into())
        } else if K::OFFERS_VALID_ONLY {
            (false, t.get("import.nothing_written").into())
        } else {
            (false, t.get("import.nothing_written_fix").into())
        };
        let mut errors = r.errors;
        errors.truncate(ERRORS_SHOWN);
        Self {
            title,
            read: true,
            ok,
            summary,
            rows: r.rows,
            valid: r.valid,
            error_count: r.error_count,
            more: r.error_count - errors.len(),
            errors,
            notes: r.notes,
            mapping: r.mapping,
            sync: None,
        }
    }

    /// 200 when the upload did what was asked, 422 when it did not.
    pub(crate) fn status(&self) -> StatusCode {
        if self.ok {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// Handles an upload the same way on every page: the form becomes an import request,
/// the import workflow runs it, and its report (or why the upload was refused) is shown.
/// Returns the report and whether the preview box stays ticked.
pub(crate) async fn import_upload<K: Import>(
    state: &AppState,
    caller: &PageCaller,
    upload: Result<Upload, String>,
    title: Option<&'static str>,
    kind: impl FnOnce(&Upload) -> Result<K, String>,
) -> Result<(ReportView, bool), PageError> {
    let upload = match upload {
        Ok(u) => u,
        Err(message) => return Ok((ReportView::refused(title, message), true)),
    };
    let dry_run = upload.dry_run;
    let kind = match kind(&upload) {
        Ok(k) => k,
        Err(message) => return Ok((ReportView::refused(title, message), dry_run)),
    };
    let request = ImportRequest::new(upload.bytes, upload.source, dry_run, kind);
    let view = match service::imports::run(state, Some(&caller.principal), request, &caller.actor())
        .await
    {
        Ok(report) => ReportView::new(Tr(caller.locale), title, report),
        Err(DomainError::Validation { field, message }) => {
            ReportView::refused(title, format!("{field}: {message}"))
        }
        Err(e) => return Err(e.into()),
    };
    Ok((view, dry_run))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    t: Tr,
    chrome: Chrome,
    mappings: Vec<String>,
    report: Option<ReportView>,
    dry_run: bool,
}

fn page(
    caller: &PageCaller,
    mappings: Vec<String>,
    report: Option<ReportView>,
    dry_run: bool,
) -> Response {
    // A checked file is shown with 200 even when it was rejected; only an upload that
    // could not be read or was refused answers 422.
    let status = match &report {
        Some(r) if !r.read => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    (
        status,
        render(&ImportPage {
            t: Tr(caller.locale),
            chrome: Chrome::for_caller(caller),
            mappings,
            report,
            dry_run,
        }),
    )
        .into_response()
}

/// `GET /people/import`.
pub async fn form(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let mappings = service::imports::employee_mappings(&state, &caller.principal).await?;
    Ok(page(&caller, mappings, None, true))
}

/// The employee import the form asks for.
fn employees(upload: &Upload) -> Result<Employees, String> {
    let period = match upload.field("period").filter(|p| !p.trim().is_empty()) {
        Some(p) => Some(domain::performance::Period::parse(p).map_err(|e| e.to_string())?),
        None => None,
    };
    Ok(Employees {
        mapping_name: upload.field("mapping").map(str::to_string),
        pairs: upload
            .field("pairs")
            .unwrap_or("")
            .lines()
            .map(str::to_string)
            .collect(),
        save_mapping_as: upload.field("save_mapping").map(str::to_string),
        options: import::employees::Options {
            create_missing: upload.checked("create_missing"),
            valid_only: upload.checked("valid_only"),
            period,
        },
        full: upload.checked("full"),
        force: upload.checked("force"),
    })
}

/// `POST /people/import` (multipart: file, mapping, pairs, save_mapping, create_missing, valid_only, dry_run).
pub async fn submit(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    service::imports::employee_mappings(&state, &caller.principal).await?;
    let upload = read_upload(Tr(caller.locale), multipart).await;
    let (report, dry_run) =
        super::hr_sync::employee_upload(&state, &caller, upload, employees).await?;
    // Read after the import: it may have saved a mapping.
    let mappings = service::imports::employee_mappings(&state, &caller.principal).await?;
    Ok(page(&caller, mappings, Some(report), dry_run))
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry.get("/people/import", Page, form).post_upload(
        "/people/import",
        Page,
        submit,
        UPLOAD_LIMIT,
    )
}
