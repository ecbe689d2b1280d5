//! The employee upload page: preview (dry run) or import, with a full report.

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
use service::imports::{EmployeeImportReport, EmployeeImportRequest};

/// Largest upload accepted (a 100,000-person export is about 15 MB as CSV).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;
/// Errors listed on the page; the rest are counted.
const ERRORS_SHOWN: usize = 500;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    t: Tr,
    chrome: Chrome,
    mappings: Vec<String>,
    report: Option<EmployeeImportReport>,
    dry_run: bool,
    error: Option<String>,
    more_errors: usize,
}

fn page(
    t: Tr,
    caller: &PageCaller,
    mappings: Vec<String>,
    report: Option<EmployeeImportReport>,
    dry_run: bool,
    error: Option<String>,
) -> Response {
    let more_errors = report
        .as_ref()
        .map(|r| r.errors.len().saturating_sub(ERRORS_SHOWN))
        .unwrap_or(0);
    let report = report.map(|mut r| {
        r.errors.truncate(ERRORS_SHOWN);
        r
    });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(&ImportPage {
            t,
            chrome: Chrome::for_caller(caller),
            mappings,
            report,
            dry_run,
            error,
            more_errors,
        }),
    )
        .into_response()
}

/// `GET /people/import`.
pub async fn form(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let mappings = service::imports::employee_mappings(&state, &caller.principal)
        .await
        .map_err(|e| caller.err(e))?;
    Ok(page(Tr(caller.locale), &caller, mappings, None, true, None))
}

/// `POST /people/import` (multipart: file, mapping, pairs, save_mapping, create_missing, valid_only, dry_run).
pub async fn submit(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let mappings = service::imports::employee_mappings(&state, &caller.principal)
        .await
        .map_err(|e| caller.err(e))?;
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return Ok(page(
                t,
                &caller,
                mappings,
                None,
                true,
                Some(format!("file: {}", e.body_text())),
            ));
        }
    };
    let mut request = EmployeeImportRequest {
        bytes: Vec::new(),
        source: String::new(),
        mapping_name: None,
        pairs: Vec::new(),
        save_mapping_as: None,
        options: Default::default(),
        dry_run: false,
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Ok(page(
                    t,
                    &caller,
                    mappings,
                    None,
                    true,
                    Some(format!("file: {}", e.body_text())),
                ));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            request.source = field.file_name().unwrap_or("upload").to_string();
            match field.bytes().await {
                Ok(b) => request.bytes = b.to_vec(),
                Err(e) => {
                    return Ok(page(
                        t,
                        &caller,
                        mappings,
                        None,
                        true,
                        Some(format!("file: {}", e.body_text())),
                    ));
                }
            }
            continue;
        }
        let value = field.text().await.unwrap_or_default();
        match name.as_str() {
            "mapping" => request.mapping_name = Some(value),
            "pairs" => request.pairs = value.lines().map(str::to_string).collect(),
            "save_mapping" => request.save_mapping_as = Some(value),
            "create_missing" => request.options.create_missing = value == "on",
            "valid_only" => request.options.valid_only = value == "on",
            "dry_run" => request.dry_run = value == "on",
            "period" if !value.trim().is_empty() => {
                match domain::performance::Period::parse(&value) {
                    Ok(p) => request.options.period = Some(p),
                    Err(e) => {
                        return Ok(page(t, &caller, mappings, None, true, Some(e.to_string())));
                    }
                }
            }
            _ => {}
        }
    }
    if request.bytes.is_empty() {
        return Ok(page(
            t,
            &caller,
            mappings,
            None,
            true,
            Some(t.get("import.no_file").to_string()),
        ));
    }
    let dry_run = request.dry_run;
    match service::imports::import_employees(
        &state,
        Some(&caller.principal),
        request,
        &caller.actor(),
    )
    .await
    {
        Ok(report) => {
            let mappings = service::imports::employee_mappings(&state, &caller.principal)
                .await
                .map_err(|e| caller.err(e))?;
            Ok(page(t, &caller, mappings, Some(report), dry_run, None))
        }
        Err(DomainError::Validation { field, message }) => Ok(page(
            t,
            &caller,
            mappings,
            None,
            dry_run,
            Some(format!("{field}: {message}")),
        )),
        Err(e) => Err(caller.err(e)),
    }
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
