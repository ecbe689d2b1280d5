//! Pages of certificates (list, issue, revoke, PDF, public verification), learning hours
//! and credits, and the learner's panel of surveys, certificates and credits.

use super::PageId;
use super::{Chrome, Pager, Viewer, query_string, render, xlsx_response};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::certificates::{
    Certificate, CertificateFilter, CertificateStanding, CreditLine, PositionRequirement,
    masked_name,
};
use domain::org::Department;
use domain::surveys::Survey;
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::certificates::CreditQuery;
use time::Date;

// ----- certificates ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "certificates.html")]
struct CertificatesPage {
    t: Tr,
    chrome: Chrome,
    /// (certificate, standing code).
    items: Vec<(Certificate, &'static str)>,
    q: String,
    within: String,
    program: String,
    notice: String,
    export: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct CertificatesQuery {
    q: Option<String>,
    /// Days: only certificates expiring within them.
    within: Option<String>,
    program: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    #[serde(default)]
    done: String,
}

impl CertificatesQuery {
    fn filter(&self) -> DomainResult<CertificateFilter> {
        let number = |field: &str, v: &Option<String>| -> DomainResult<Option<i64>> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s.parse().map(Some).map_err(|_| {
                    DomainError::invalid(field, format!("'{s}' is not a whole number"))
                }),
            }
        };
        Ok(CertificateFilter {
            q: self.q.clone(),
            program_id: number("program", &self.program)?,
            employee_id: None,
            expiring_within_days: number("within", &self.within)?,
        })
    }

    fn query_string(&self) -> String {
        query_string(&[
            ("q", self.q.clone().unwrap_or_default()),
            ("within", self.within.clone().unwrap_or_default()),
            ("program", self.program.clone().unwrap_or_default()),
        ])
    }
}

/// `GET /certificates`: program staff; filter by text, program, expiry window.
pub async fn certificates(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CertificatesQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = query.filter()?;
    let paged = service::certificates::list_certificates(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let today = state.today();
    let qs = query.query_string();
    let pager = Pager::new(t, &paged, "/certificates", &qs);
    let notice = match query.done.as_str() {
        "" => String::new(),
        other => t.get(&format!("cert.done.{other}")).to_string(),
    };
    Ok(render(&CertificatesPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged
            .items
            .into_iter()
            .map(|c| {
                let standing = c.standing(today).code();
                (c, standing)
            })
            .collect(),
        q: query.q.clone().unwrap_or_default(),
        within: query.within.clone().unwrap_or_default(),
        program: query.program.clone().unwrap_or_default(),
        notice,
        export: format!("/certificates/export.xlsx?{qs}"),
        pager,
    }))
}

/// `GET /certificates/export.xlsx`: the filtered list (recorded in the audit log).
pub async fn certificates_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CertificatesQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = query.filter()?;
    let rows = service::certificates::export_certificates(
        &state,
        &caller.principal,
        &filter,
        &caller.actor(),
    )
    .await?;
    let bytes = certificates_workbook(t, &rows, state.today())
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(bytes, "certificates.xlsx"))
}

fn certificates_workbook(
    t: Tr,
    rows: &[Certificate],
    today: Date,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("cert.title"))?;
    let bold = Format::new().set_bold();
    let headers = [
        "cert.number",
        "field.employee_no",
        "field.name",
        "field.department",
        "programs.program",
        "programs.hours",
        "cert.issued_on",
        "cert.expires_on",
        "cert.standing",
    ];
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, c) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &c.number)?;
        sheet.write_string(r, 1, &c.employee_number)?;
        sheet.write_string(r, 2, &c.employee_name)?;
        sheet.write_string(r, 3, &c.department)?;
        sheet.write_string(r, 4, format!("{} {}", c.program_code, c.program_title))?;
        sheet.write_number(r, 5, c.hours)?;
        sheet.write_string(r, 6, c.issued_on.to_string())?;
        sheet.write_string(
            r,
            7,
            c.expires_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| t.get("cert.never_expires").to_string()),
        )?;
        sheet.write_string(
            r,
            8,
            t.get(&format!("cert.standing.{}", c.standing(today).code())),
        )?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

/// `POST /enrollments/{id}/certificate`: issue by hand (a completed enrollment).
pub async fn issue(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let c =
        service::certificates::issue_certificate(&state, &caller.principal, id, &caller.actor())
            .await?;
    Ok(Redirect::to(&format!("/certificates?done=issued&q={}", c.number)).into_response())
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

/// `POST /certificates/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<RevokeForm>,
) -> Result<Response, PageError> {
    service::certificates::revoke_certificate(
        &state,
        &caller.principal,
        id,
        &form.reason,
        &caller.actor(),
    )
    .await?;
    Ok(Redirect::to("/certificates?done=revoked").into_response())
}

/// The public verification address of a certificate, on the server the request reached.
pub fn verify_url(headers: &HeaderMap, token: &str) -> String {
    format!(
        "{}/certificates/verify/{token}",
        super::operations::origin(headers)
    )
}

/// `GET /certificates/{id}/pdf`: for the holder and program staff (404 for others).
pub async fn pdf(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let c = service::certificates::holder_certificate(&state, &caller.principal, id).await?;
    let url = verify_url(&headers, &c.token);
    let bytes = crate::certificate_pdf::render(
        Tr(caller.locale),
        &crate::certificate_pdf::CertificateDoc {
            certificate: &c,
            standing: c.standing(state.today()),
            verify_url: &url,
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", c.number),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "certificate_verify.html")]
struct VerifyPage {
    t: Tr,
    lang: &'static str,
    found: bool,
    standing: &'static str,
    number: String,
    holder: String,
    program: String,
    issued_on: String,
    expires_on: String,
}

/// `GET /certificates/verify/{token}`: public; states whether the certificate is
/// valid, expired or revoked, with the holder's name masked.
pub async fn verify(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Response {
    let t = Tr(viewer.locale);
    let found = service::certificates::verify_certificate(&state, &token).await;
    let page = match &found {
        Ok(c) => VerifyPage {
            t,
            lang: viewer.locale.tag(),
            found: true,
            standing: c.standing(state.today()).code(),
            number: c.number.clone(),
            holder: masked_name(&c.employee_name),
            program: c.program_title.clone(),
            issued_on: c.issued_on.to_string(),
            expires_on: c
                .expires_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| t.get("cert.never_expires").to_string()),
        },
        Err(_) => VerifyPage {
            t,
            lang: viewer.locale.tag(),
            found: false,
            standing: "",
            number: String::new(),
            holder: String::new(),
            program: String::new(),
            issued_on: String::new(),
            expires_on: String::new(),
        },
    };
    let status = if found.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    (status, render(&page)).into_response()
}

// ----- learning hours and credits --------------------------------------------------------

#[derive(Template)]
#[template(path = "credits.html")]
struct CreditsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<CreditLine>,
    year: i32,
    q: String,
    department: String,
    below: bool,
    departments: Vec<Department>,
    /// Positions and their requirement, for program staff to edit.
    requirements: Vec<PositionRequirement>,
    can_set: bool,
    notice: String,
    export: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct CreditsQuery {
    year: Option<String>,
    q: Option<String>,
    department: Option<String>,
    below: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    #[serde(default)]
    done: String,
}

impl CreditsQuery {
    fn filter(&self) -> DomainResult<CreditQuery> {
        let year = match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .map_err(|_| DomainError::invalid("year", format!("'{y}' is not a year")))?,
            ),
        };
        let department_id = match self
            .department
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(d) => Some(d.parse::<i64>().map_err(|_| {
                DomainError::invalid("department", format!("'{d}' is not a department"))
            })?),
        };
        Ok(CreditQuery {
            year,
            q: self.q.clone(),
            department_id,
            below_requirement: self.below.as_deref().is_some_and(|b| !b.is_empty()),
        })
    }
}

/// `GET /credits`: hours and credits per person for a year, within the caller's
/// training-needs scope (a manager sees their subtree).
pub async fn credits(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CreditsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let asked = query.filter()?;
    let overview = service::certificates::credits_overview(
        &state,
        &caller.principal,
        &asked,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let filter = overview.filter;
    let paged = overview.lines;
    let qs = query_string(&[
        ("year", filter.year.to_string()),
        ("q", query.q.clone().unwrap_or_default()),
        ("department", query.department.clone().unwrap_or_default()),
        (
            "below",
            if filter.below_requirement {
                "1".into()
            } else {
                String::new()
            },
        ),
    ]);
    let pager = Pager::new(t, &paged, "/credits", &qs);
    let can_set = overview.requirements.is_some();
    let notice = match query.done.as_str() {
        "" => String::new(),
        _ => t.get("credits.requirement_saved").to_string(),
    };
    Ok(render(&CreditsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged.items,
        year: filter.year,
        q: query.q.clone().unwrap_or_default(),
        department: query.department.clone().unwrap_or_default(),
        below: filter.below_requirement,
        departments: overview.departments,
        requirements: overview.requirements.unwrap_or_default(),
        can_set,
        notice,
        export: format!("/credits/export.xlsx?{qs}"),
        pager,
    }))
}

/// `GET /credits/export.xlsx`: the filtered report (recorded in the audit log).
pub async fn credits_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CreditsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let asked = query.filter()?;
    let (filter, rows) =
        service::certificates::export_credits(&state, &caller.principal, &asked, &caller.actor())
            .await?;
    let bytes = credits_workbook(t, &rows)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(
        bytes,
        &format!("credits-{}.xlsx", filter.year),
    ))
}

fn credits_workbook(t: Tr, rows: &[CreditLine]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("credits.title"))?;
    let bold = Format::new().set_bold();
    let headers = [
        "field.employee_no",
        "field.name",
        "field.department",
        "field.position",
        "credits.programs",
        "credits.hours",
        "credits.credits",
        "credits.required",
        "credits.shortfall",
    ];
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, c) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &c.employee_number)?;
        sheet.write_string(r, 1, &c.employee_name)?;
        sheet.write_string(r, 2, &c.department)?;
        sheet.write_string(r, 3, c.position.as_deref().unwrap_or(""))?;
        sheet.write_number(r, 4, c.programs as f64)?;
        sheet.write_number(r, 5, c.hours)?;
        sheet.write_number(r, 6, c.credits)?;
        if let Some(req) = c.required {
            sheet.write_number(r, 7, req)?;
        }
        sheet.write_number(r, 8, c.shortfall())?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

#[derive(Deserialize)]
pub struct RequirementForm {
    #[serde(default)]
    position_code: String,
    #[serde(default)]
    annual_credits: String,
}

/// `POST /credits/requirements`: a position's yearly credits (empty clears it).
pub async fn set_requirement(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<RequirementForm>,
) -> Result<Response, PageError> {
    let credits = match form.annual_credits.trim() {
        "" => None,
        text => Some(text.parse::<f64>().map_err(|_| {
            caller.err(DomainError::invalid(
                "annual_credits",
                format!("'{text}' is not a number"),
            ))
        })?),
    };
    service::certificates::set_credit_requirement(
        &state,
        &caller.principal,
        &form.position_code,
        credits,
        &caller.actor(),
    )
    .await?;
    Ok(Redirect::to("/credits?done=requirement").into_response())
}

// ----- the learner's panel on /my/learning -------------------------------------------------

/// Surveys to answer, certificates and this year's credits, for `/my/learning`.
pub struct MyPanel {
    pub surveys: Vec<Survey>,
    /// (certificate, standing code).
    pub certificates: Vec<(Certificate, &'static str)>,
    pub credits: Option<CreditLine>,
    pub year: i32,
    /// The caller's instructor record, for the link to their results.
    pub instructor: Option<i64>,
}

impl MyPanel {
    pub async fn load(state: &AppState, caller: &PageCaller) -> Result<Self, PageError> {
        let today = state.today();
        let panel = service::certificates::learner_panel(state, &caller.principal).await?;
        Ok(MyPanel {
            surveys: panel.surveys,
            certificates: panel
                .certificates
                .into_iter()
                .map(|c| {
                    let standing = c.standing(today).code();
                    (c, standing)
                })
                .collect(),
            credits: panel.credits,
            year: panel.year,
            instructor: panel.instructor,
        })
    }

    /// Whether a certificate is still worth showing as valid.
    pub fn is_valid(standing: &str) -> bool {
        standing == CertificateStanding::Valid.code()
    }
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::{Page, Public};
    registry
        .get("/certificates", Page, certificates)
        .get("/certificates/export.xlsx", Page, certificates_export)
        .post("/enrollments/{id}/certificate", Page, issue)
        .post("/certificates/{id}/revoke", Page, revoke)
        .get("/certificates/{id}/pdf", Page, pdf)
        .get("/certificates/verify/{token}", Public, verify)
        .get("/credits", Page, credits)
        .get("/credits/export.xlsx", Page, credits_export)
        .post("/credits/requirements", Page, set_requirement)
}
