//! The JSON API under `/api/v1`, described by OpenAPI.

pub mod accounts;
pub mod admin;
pub mod certificates;
pub mod decoding;
pub mod dto;
pub mod effect;
pub mod evaluation;
pub mod exams;
pub mod hr_sync;
pub mod library;
pub mod needs;
pub mod notifications;
pub mod operations;
pub mod org;
pub mod org_tree;
pub mod performance;
pub mod practice;
pub mod scenario_packs;
pub mod scim;
pub mod surveys;
pub mod tags;
pub mod timetables;

use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Skillbridge API",
        description = "Business-driven training operations. Authenticate with a personal API token: `Authorization: Bearer <token>`. Errors are RFC 9457 problem+json documents carrying a request id.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem)),
    tags(
        (name = "account", description = "The caller's own account and tokens"),
        (name = "org", description = "Departments and employees, limited by the caller's data scope"),
        (name = "performance", description = "KPI definitions and performance data"),
        (name = "decoding", description = "Need decoding, competency models and training needs from gaps"),
        (name = "needs", description = "Training needs raised by hand, approval rules and chains, merging approved needs into programs"),
        (name = "library", description = "The resource library: resources, micro-courses, their review, versions, files, ratings and comments; tag vocabularies and scenario packs"),
        (name = "operations", description = "Training operations: venues, instructors, plans, programs, sessions, enrollment and attendance"),
        (name = "scheduler", description = "The scheduler: draft timetables for a plan or program (generate, evaluate, move and pin, re-solve, publish), working calendars and venue rates"),
        (name = "practice", description = "Transfer to work: practice tasks, reports and reviews, cases from reports, behavior-change ratings"),
        (name = "surveys", description = "Reaction surveys and their results, certificates, learning hours and credits"),
        (name = "notifications", description = "One's own inbox and notification preferences; webhooks that forward events as signed JSON (system administrators)"),
        (name = "exams", description = "Exams: question bank per skill, exam papers, attempts, grading, results and learning gain"),
        (name = "evaluation", description = "Value proof: Kirkpatrick levels 1–3 and the funnel per program, the resource efficiency index by instructor, vendor and resource, and alerts, limited to the caller's evaluation scope; level 4, the effect of a program on a business KPI with ROI, for company-wide evaluation rights"),
        (name = "admin", description = "Accounts, roles, audit log and background jobs")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let router = accounts::routes(router);
    let router = org::routes(router);
    let router = org_tree::routes(router);
    let router = performance::routes(router);
    let router = decoding::routes(router);
    let router = needs::routes(router);
    let router = library::routes(router);
    let router = tags::routes(router);
    let router = scenario_packs::routes(router);
    let router = operations::routes(router);
    let router = timetables::routes(router);
    let router = practice::routes(router);
    let router = effect::routes(router);
    let router = notifications::routes(router);
    let router = surveys::routes(router);
    let router = certificates::routes(router);
    let router = exams::routes(router);
    let router = evaluation::routes(router);
    let router = hr_sync::routes(router);
    admin::routes(router).split_for_parts()
}

/// JSON body extractor whose rejections are problem+json naming what is wrong.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    use axum::http::StatusCode;
    let status = rejection.status();
    let kind = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
        StatusCode::PAYLOAD_TOO_LARGE => "payload-too-large",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid-body",
        _ => "malformed-json",
    };
    ApiError::new(status, kind, rejection.body_text())
}

/// Query-string extractor with problem+json rejections.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|r: QueryRejection| ApiError::bad_request(r.body_text()))
    }
}

/// Path-parameter extractor with problem+json rejections.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|r: PathRejection| ApiError::bad_request(r.body_text()))
    }
}
