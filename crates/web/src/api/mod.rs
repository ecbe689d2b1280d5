//! The JSON API under `/api/v1`, described by OpenAPI.

pub mod accounts;
pub mod admin;
pub mod certification;
pub mod decoding;
pub mod dto;
pub mod effect;
pub mod evaluation;
pub mod exams;
pub mod library;
pub mod need_approvals;
pub mod notifications;
pub mod operations;
pub mod people;
pub mod performance;
pub mod practice;
pub mod scenario_packs;
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
use utoipa_axum::routes;

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
        (name = "operations", description = "Training operations: venues, instructors, plans, programs, sessions, enrolment and attendance"),
        (name = "scheduler", description = "The scheduler: draft timetables for a plan or program (generate, evaluate, move and pin, re-solve, publish), working calendars and venue rates"),
        (name = "practice", description = "Transfer to work: practice tasks, reports and reviews, cases from reports, behaviour-change ratings"),
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
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(accounts::list_tokens, accounts::create_token))
        .routes(routes!(accounts::revoke_token))
        .routes(routes!(people::list_employees))
        .routes(routes!(people::get_employee))
        .routes(routes!(people::employee_gaps))
        .routes(routes!(people::list_departments))
        .routes(routes!(people::headcount))
        .routes(routes!(performance::list_kpis))
        .routes(routes!(performance::entry_status))
        .routes(routes!(performance::employee_kpi_values))
        .routes(routes!(performance::list_reconciliation))
        .routes(routes!(performance::decide))
        .routes(routes!(decoding::tree))
        .routes(routes!(decoding::create_strategy))
        .routes(routes!(decoding::create_objective))
        .routes(routes!(decoding::create_target))
        .routes(routes!(decoding::update_target))
        .routes(routes!(decoding::create_task))
        .routes(routes!(
            decoding::set_task_skill,
            decoding::remove_task_skill
        ))
        .routes(routes!(decoding::review))
        .routes(routes!(decoding::position_model))
        .routes(routes!(
            decoding::set_model_requirement,
            decoding::reset_model_requirement
        ))
        .routes(routes!(decoding::list_needs, need_approvals::raise_need))
        .routes(routes!(decoding::get_need))
        .routes(routes!(decoding::raise_from_gaps))
        .routes(routes!(need_approvals::my_needs))
        .routes(routes!(need_approvals::need_approval))
        .routes(routes!(need_approvals::resubmit_need))
        .routes(routes!(need_approvals::decide))
        .routes(routes!(need_approvals::my_approvals))
        .routes(routes!(
            need_approvals::list_rules,
            need_approvals::replace_rules
        ))
        .routes(routes!(need_approvals::similar))
        .routes(routes!(need_approvals::merge))
        .routes(routes!(library::list_resources, library::create_resource))
        .routes(routes!(library::get_resource, library::update_resource))
        .routes(routes!(library::change_status))
        .routes(routes!(library::create_micro_course))
        .routes(routes!(library::update_micro_course))
        .routes(routes!(library::get_version))
        .routes(upload_route())
        .routes(routes!(library::delete_file))
        .routes(routes!(library::rate))
        .routes(routes!(library::comment))
        .routes(routes!(tags::list_tags, tags::create_tag))
        .routes(routes!(tags::update_tag, tags::remove_tag))
        .routes(routes!(
            scenario_packs::list_packs,
            scenario_packs::create_pack
        ))
        .routes(routes!(
            scenario_packs::get_pack,
            scenario_packs::update_pack,
            scenario_packs::delete_pack
        ))
        .routes(routes!(operations::list_venues, operations::create_venue))
        .routes(routes!(
            operations::list_instructors,
            operations::create_instructor
        ))
        .routes(routes!(operations::add_unavailability))
        .routes(routes!(operations::list_plans, operations::create_plan))
        .routes(routes!(
            operations::list_programs,
            operations::create_program
        ))
        .routes(routes!(operations::get_program, operations::update_program))
        .routes(routes!(operations::set_program_status))
        .routes(routes!(operations::create_session))
        .routes(routes!(operations::move_session))
        .routes(routes!(operations::cancel_session))
        .routes(routes!(operations::check_conflicts))
        .routes(routes!(operations::list_enrollments, operations::enroll))
        .routes(routes!(operations::cancel_enrollment))
        .routes(routes!(operations::my_enrollments))
        .routes(routes!(operations::issue_code))
        .routes(routes!(operations::check_in))
        .routes(routes!(operations::attendance))
        .routes(routes!(operations::roll_call))
        .routes(routes!(
            timetables::list_timetables,
            timetables::create_timetable
        ))
        .routes(routes!(timetables::get_timetable))
        .routes(routes!(timetables::change_entry))
        .routes(routes!(timetables::resolve_timetable))
        .routes(routes!(timetables::publish_timetable))
        .routes(routes!(timetables::discard_timetable))
        .routes(routes!(timetables::list_blocks, timetables::create_block))
        .routes(routes!(timetables::delete_block))
        .routes(routes!(timetables::set_venue_scheduling))
        .routes(routes!(practice::list_tasks))
        .routes(routes!(practice::assign))
        .routes(routes!(practice::get_task))
        .routes(routes!(practice::submit_report))
        .routes(routes!(practice::review))
        .routes(routes!(practice::promote))
        .routes(routes!(practice::transfer))
        .routes(routes!(effect::effect))
        .routes(routes!(effect::set_unit_value))
        .routes(routes!(practice::my_ratings))
        .routes(routes!(practice::rate))
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(
            notifications::preferences,
            notifications::set_preferences
        ))
        .routes(routes!(
            notifications::list_webhooks,
            notifications::create_webhook
        ))
        .routes(routes!(
            notifications::get_webhook,
            notifications::update_webhook,
            notifications::delete_webhook
        ))
        .routes(routes!(notifications::list_deliveries))
        .routes(routes!(notifications::send_test))
        .routes(routes!(
            certification::list_templates,
            certification::create_template
        ))
        .routes(routes!(certification::update_template))
        .routes(routes!(
            certification::program_surveys,
            certification::attach_program
        ))
        .routes(routes!(certification::attach_session))
        .routes(routes!(certification::my_surveys))
        .routes(routes!(certification::respond))
        .routes(routes!(certification::program_reaction))
        .routes(routes!(certification::session_reaction))
        .routes(routes!(certification::instructor_reaction))
        .routes(routes!(certification::list_certificates))
        .routes(routes!(certification::my_certificates))
        .routes(routes!(certification::issue_certificate))
        .routes(routes!(certification::revoke_certificate))
        .routes(routes!(certification::credits))
        .routes(routes!(certification::my_credits))
        .routes(routes!(certification::set_requirement))
        .routes(routes!(exams::list_questions, exams::create_question))
        .routes(routes!(exams::get_question, exams::update_question))
        .routes(routes!(exams::set_question_active))
        .routes(routes!(exams::list_exams, exams::create_exam))
        .routes(routes!(exams::get_exam, exams::update_exam))
        .routes(routes!(exams::set_exam_status))
        .routes(routes!(exams::exam_results, exams::start_attempt))
        .routes(routes!(exams::get_attempt))
        .routes(routes!(exams::save_answers))
        .routes(routes!(exams::submit_attempt))
        .routes(routes!(exams::my_exams))
        .routes(routes!(exams::grading_queue))
        .routes(routes!(exams::grade))
        .routes(routes!(exams::learning_gain))
        .routes(routes!(evaluation::list_programs))
        .routes(routes!(evaluation::get_program))
        .routes(routes!(evaluation::funnel))
        .routes(routes!(evaluation::efficiency))
        .routes(routes!(evaluation::alerts))
        .routes(routes!(evaluation::create_coaching))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(admin::disable_user))
        .routes(routes!(admin::enable_user))
        .routes(routes!(admin::add_grant, admin::remove_grant))
        .routes(routes!(admin::list_audit))
        .routes(routes!(admin::list_jobs))
        .routes(routes!(admin::retry_job))
        .split_for_parts()
}

/// The file upload, with the body limit lifted for it alone: the site's own limit is
/// enforced while the file streams in.
fn upload_route() -> utoipa_axum::router::UtoipaMethodRouter<AppState> {
    let (schemas, paths, method_router) = routes!(library::upload_file);
    let limit = axum::extract::DefaultBodyLimit::max(crate::ui::library::UPLOAD_ROUTE_LIMIT);
    (schemas, paths, method_router.layer(limit))
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
