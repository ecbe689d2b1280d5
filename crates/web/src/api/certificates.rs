//! Certificates, learning hours and credits.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Page;
use domain::certificates::{Certificate, CertificateFilter, CreditLine};
use serde::{Deserialize, Serialize};
use service::certificates::CreditQuery;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A certificate with its standing today and verification address path.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateDto {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub certificate: Certificate,
    /// valid, expired or revoked.
    pub standing: String,
    pub verify_path: String,
    pub pdf_path: String,
}

impl CertificateDto {
    fn new(certificate: Certificate, today: time::Date) -> Self {
        CertificateDto {
            standing: certificate.standing(today).code().into(),
            verify_path: format!("/certificates/verify/{}", certificate.token),
            pdf_path: format!("/certificates/{}/pdf", certificate.id),
            certificate,
        }
    }
}

/// A page of certificates.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificatePage {
    pub items: Vec<CertificateDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Filters of the certificate list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertificatesQuery {
    /// Number, employee number or name, program code or title.
    pub q: Option<String>,
    pub program_id: Option<i64>,
    pub employee_id: Option<i64>,
    /// Only valid certificates expiring within this many days.
    pub expiring_within_days: Option<i64>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A revocation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevokeBody {
    pub reason: String,
}

/// Filters of the credits report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreditsQuery {
    /// Calendar year; default: this year.
    pub year: Option<i32>,
    pub q: Option<String>,
    pub department_id: Option<i64>,
    /// Only people below their position's requirement.
    pub below_requirement: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of the credits report.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<CreditLine>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// The year of a person's credits.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// A position's yearly credit requirement; null clears it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RequirementBody {
    pub annual_credits: Option<f64>,
}

// ----- certificates ----------------------------------------------------------------

/// Certificates (program staff); `expiring_within_days` lists those due for renewal.
#[utoipa::path(get, path = "/api/v1/certificates", tag = "surveys", security(("bearer" = [])),
    params(CertificatesQuery),
    responses((status = 200, body = CertificatePage), (status = 403, body = Problem)))]
pub async fn list_certificates(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<CertificatesQuery>,
) -> Result<Json<CertificatePage>, ApiError> {
    let filter = CertificateFilter {
        q: query.q,
        program_id: query.program_id,
        employee_id: query.employee_id,
        expiring_within_days: query.expiring_within_days,
    };
    let paged = service::certificates::list_certificates(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let today = state.today();
    Ok(Json(CertificatePage {
        items: paged
            .items
            .into_iter()
            .map(|c| CertificateDto::new(c, today))
            .collect(),
        total: paged.total,
        page: paged.page,
        per_page: paged.per_page,
    }))
}

/// The caller's own certificates.
#[utoipa::path(get, path = "/api/v1/me/certificates", tag = "surveys", security(("bearer" = [])),
    responses((status = 200, description = "Array of certificates", content_type = "application/json")))]
pub async fn my_certificates(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<CertificateDto>>, ApiError> {
    let today = state.today();
    Ok(Json(
        service::certificates::my_certificates(&state, &caller.principal)
            .await?
            .into_iter()
            .map(|c| CertificateDto::new(c, today))
            .collect(),
    ))
}

/// Issues a certificate for a completed enrollment that has no valid one.
#[utoipa::path(post, path = "/api/v1/enrollments/{id}/certificate", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Enrollment id")),
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_certificate(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let certificate =
        service::certificates::issue_certificate(&state, &caller.principal, id, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id: certificate.id })))
}

/// Revokes a certificate.
#[utoipa::path(post, path = "/api/v1/certificates/{id}/revoke", tag = "surveys", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Certificate id")),
    request_body(content = RevokeBody),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn revoke_certificate(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<StatusCode, ApiError> {
    service::certificates::revoke_certificate(
        &state,
        &caller.principal,
        id,
        &body.reason,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ----- credits -----------------------------------------------------------------------

/// Hours and credits per person for a year, within the caller's training-needs scope.
#[utoipa::path(get, path = "/api/v1/credits", tag = "surveys", security(("bearer" = [])),
    params(CreditsQuery),
    responses((status = 200, body = CreditPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn credits(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<CreditsQuery>,
) -> Result<Json<CreditPage>, ApiError> {
    let asked = CreditQuery {
        year: query.year,
        q: query.q,
        department_id: query.department_id,
        below_requirement: query.below_requirement.unwrap_or(false),
    };
    let (_, paged) = service::certificates::credit_report(
        &state,
        &caller.principal,
        &asked,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(CreditPage {
        items: paged.items,
        total: paged.total,
        page: paged.page,
        per_page: paged.per_page,
    }))
}

/// The caller's own hours and credits for a year.
#[utoipa::path(get, path = "/api/v1/me/credits", tag = "surveys", security(("bearer" = [])),
    params(YearQuery),
    responses((status = 200, description = "Hours, credits and requirement", content_type = "application/json"), (status = 404, body = Problem)))]
pub async fn my_credits(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<YearQuery>,
) -> Result<Json<CreditLine>, ApiError> {
    Ok(Json(
        service::certificates::my_credits(&state, &caller.principal, query.year).await?,
    ))
}

/// Sets a position's yearly credit requirement (null clears it).
#[utoipa::path(put, path = "/api/v1/positions/{code}/credit-requirement", tag = "surveys", security(("bearer" = [])),
    params(("code" = String, Path, description = "Position code")),
    request_body(content = RequirementBody),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_requirement(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<RequirementBody>,
) -> Result<StatusCode, ApiError> {
    service::certificates::set_credit_requirement(
        &state,
        &caller.principal,
        &code,
        body.annual_credits,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_certificates))
        .routes(routes!(my_certificates))
        .routes(routes!(issue_certificate))
        .routes(routes!(revoke_certificate))
        .routes(routes!(credits))
        .routes(routes!(my_credits))
        .routes(routes!(set_requirement))
}
