//! The router: every route is registered here with its surface, so the route list
//! (used by the authorization matrix test) cannot drift from what is served.

use crate::error::{ApiError, REQUEST_ID};
use crate::state::AppState;
use crate::{api, assets, csrf, metrics, ops, ui};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::handler::Handler;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (uploads of later capabilities raise it per route).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Who may call a route at all, before role checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// JSON API; bearer token.
    Api,
    /// HTML page; session cookie.
    Page,
    /// No authentication (login, health, assets, API description).
    Public,
}

/// One served route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: String,
    pub surface: Surface,
}

struct Registry {
    router: Router<AppState>,
    routes: Vec<RouteInfo>,
}

impl Registry {
    fn get<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        surface: Surface,
        handler: H,
    ) -> Self {
        self.routes.push(RouteInfo {
            method: "GET",
            path: path.into(),
            surface,
        });
        self.router = self.router.route(path, get(handler));
        self
    }

    /// A POST route that accepts bodies up to `limit` bytes (file uploads).
    fn post_upload<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        surface: Surface,
        handler: H,
        limit: usize,
    ) -> Self {
        self.routes.push(RouteInfo {
            method: "POST",
            path: path.into(),
            surface,
        });
        self.router = self
            .router
            .route(path, post(handler).layer(DefaultBodyLimit::max(limit)));
        self
    }

    fn post<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        surface: Surface,
        handler: H,
    ) -> Self {
        self.routes.push(RouteInfo {
            method: "POST",
            path: path.into(),
            surface,
        });
        self.router = self.router.route(path, post(handler));
        self
    }
}

fn assemble() -> (Router<AppState>, Vec<RouteInfo>) {
    use Surface::{Page, Public};
    let (api_router, openapi) = api::router();
    let mut routes: Vec<RouteInfo> = Vec::new();
    for (path, item) in &openapi.paths.paths {
        for (method, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ] {
            if op.is_some() {
                routes.push(RouteInfo {
                    method,
                    path: path.clone(),
                    surface: Surface::Api,
                });
            }
        }
    }
    let openapi_json = serde_json::to_string_pretty(&openapi).expect("OpenAPI serialises");
    let docs = std::sync::Arc::new(openapi);
    let registry = Registry {
        router: Router::new(),
        routes,
    }
    .get("/healthz", Public, ops::healthz)
    .get("/readyz", Public, ops::readyz)
    .get("/metrics", Public, ops::metrics)
    .get("/assets/{name}", Public, assets::serve)
    .get("/api/openapi.json", Public, move || {
        let body = openapi_json.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    })
    .get("/api/docs", Public, move |viewer: ui::Viewer| {
        ui::api_docs::page(docs.clone(), viewer)
    })
    .get("/login", Public, ui::login::form)
    .post("/login", Public, ui::login::submit)
    .post("/logout", Page, ui::login::logout)
    .post("/lang", Public, ui::login::set_language)
    .get("/", Page, ui::home::page)
    .get("/people", Page, ui::people::list)
    .get("/people/export.xlsx", Page, ui::people::export)
    .get("/people/import", Page, ui::import::form)
    .post_upload(
        "/people/import",
        Page,
        ui::import::submit,
        ui::import::UPLOAD_LIMIT,
    )
    .get("/people/{id}", Page, ui::people::detail)
    .get("/org", Page, ui::people::org_chart)
    .get("/performance", Page, ui::performance::list)
    .get("/competency", Page, ui::competency::heatmap)
    .get("/competency/import", Page, ui::competency_import::form)
    .post_upload(
        "/competency/import/assessments",
        Page,
        ui::competency_import::assessments,
        ui::import::UPLOAD_LIMIT,
    )
    .post_upload(
        "/competency/import/models",
        Page,
        ui::competency_import::models,
        ui::import::UPLOAD_LIMIT,
    )
    .get(
        "/competency/models/export.xlsx",
        Page,
        ui::competency_import::export,
    )
    .get("/decoding", Page, ui::decoding::tree)
    .post("/decoding/strategies", Page, ui::decoding::create_strategy)
    .post(
        "/decoding/strategies/{id}",
        Page,
        ui::decoding::update_strategy,
    )
    .post("/decoding/objectives", Page, ui::decoding::create_objective)
    .post(
        "/decoding/objectives/{id}",
        Page,
        ui::decoding::update_objective,
    )
    .post("/decoding/targets", Page, ui::decoding::create_target)
    .post("/decoding/targets/{id}", Page, ui::decoding::update_target)
    .post("/decoding/tasks", Page, ui::decoding::create_task)
    .post("/decoding/tasks/{id}", Page, ui::decoding::update_task)
    .post(
        "/decoding/tasks/{id}/skills",
        Page,
        ui::decoding::set_task_skill,
    )
    .post("/decoding/review", Page, ui::decoding::reviewed)
    .get("/competency/models", Page, ui::competency::models)
    .get("/competency/skills", Page, ui::competency::skills)
    .post(
        "/competency/skills/{code}",
        Page,
        ui::competency::update_skill,
    )
    .post(
        "/competency/models/{id}",
        Page,
        ui::competency::set_requirement,
    )
    .get("/needs", Page, ui::needs::list)
    .post("/needs", Page, ui::need_approvals::create)
    .get("/needs/new", Page, ui::need_approvals::new_form)
    .post("/needs/from-gaps", Page, ui::needs::raise_from_gaps)
    .get("/needs/rules", Page, ui::need_approvals::rules)
    .post("/needs/rules", Page, ui::need_approvals::create_rule)
    .post("/needs/rules/{id}", Page, ui::need_approvals::update_rule)
    .post(
        "/needs/rules/{id}/delete",
        Page,
        ui::need_approvals::delete_rule,
    )
    .post("/needs/merge", Page, ui::need_approvals::merge)
    .get("/needs/{id}", Page, ui::needs::detail)
    .get("/needs/{id}/edit", Page, ui::need_approvals::edit_form)
    .post("/needs/{id}/resubmit", Page, ui::need_approvals::resubmit)
    .post("/approvals/{id}/decide", Page, ui::need_approvals::decide)
    .get("/my/approvals", Page, ui::need_approvals::my_approvals)
    .get("/my/needs", Page, ui::need_approvals::my_needs)
    .get("/library", Page, ui::library::list)
    .post("/library", Page, ui::library::create)
    .get("/library/new", Page, ui::library::new_form)
    .get("/library/micro/new", Page, ui::library::micro_form)
    .post("/library/micro", Page, ui::library::create_micro)
    .get("/library/moderation", Page, ui::library::moderation)
    .post(
        "/library/comments/{id}/moderate",
        Page,
        ui::library::moderate,
    )
    .get("/library/reports", Page, ui::library::reports)
    .get("/library/mine", Page, ui::library::mine)
    .get("/library/files/{id}", Page, ui::library::download)
    .post("/library/files/{id}/delete", Page, ui::library::delete_file)
    .get("/library/tags", Page, ui::library_tags::list)
    .post("/library/tags", Page, ui::library_tags::create)
    .post("/library/tags/{id}", Page, ui::library_tags::update)
    .post("/library/tags/{id}/delete", Page, ui::library_tags::remove)
    .get("/library/packs", Page, ui::library_packs::list)
    .post("/library/packs", Page, ui::library_packs::create)
    .get("/library/packs/new", Page, ui::library_packs::new_form)
    .get("/library/packs/{id}", Page, ui::library_packs::detail)
    .get(
        "/library/packs/{id}/edit",
        Page,
        ui::library_packs::edit_form,
    )
    .post("/library/packs/{id}/edit", Page, ui::library_packs::update)
    .post(
        "/library/packs/{id}/delete",
        Page,
        ui::library_packs::delete,
    )
    .get("/library/{id}", Page, ui::library::detail)
    .get(
        "/library/{id}/versions/{version}",
        Page,
        ui::library::version,
    )
    .get("/library/{id}/edit", Page, ui::library::edit_form)
    .post("/library/{id}/edit", Page, ui::library::update)
    .post("/library/{id}/status", Page, ui::library::set_status)
    .post_upload(
        "/library/{id}/files",
        Page,
        ui::library::upload,
        ui::library::UPLOAD_ROUTE_LIMIT,
    )
    .post("/library/{id}/rate", Page, ui::library::rate)
    .post("/library/{id}/comments", Page, ui::library::comment)
    .post("/library/{id}/complete", Page, ui::library::complete)
    .get("/programs", Page, ui::operations::list)
    .post("/programs", Page, ui::operations::create)
    .get("/programs/new", Page, ui::operations::new_form)
    .get("/programs/setup", Page, ui::operations::setup)
    .post("/programs/setup/plans", Page, ui::operations::create_plan)
    .post("/programs/setup/venues", Page, ui::operations::create_venue)
    .post(
        "/programs/setup/instructors",
        Page,
        ui::operations::create_instructor,
    )
    .get("/programs/{id}", Page, ui::operations::detail)
    .get("/timetables", Page, ui::timetables::list)
    .post("/timetables", Page, ui::timetables::create)
    .get("/timetables/new", Page, ui::timetables::new_form)
    .get("/timetables/{id}", Page, ui::timetables::detail)
    .post(
        "/timetables/{id}/entries/{session_id}",
        Page,
        ui::timetables::change_entry,
    )
    .post("/timetables/{id}/resolve", Page, ui::timetables::resolve)
    .post("/timetables/{id}/publish", Page, ui::timetables::publish)
    .post("/timetables/{id}/discard", Page, ui::timetables::discard)
    .get("/calendar-blocks", Page, ui::timetables::blocks)
    .post("/calendar-blocks", Page, ui::timetables::create_block)
    .post(
        "/calendar-blocks/{id}/delete",
        Page,
        ui::timetables::delete_block,
    )
    .get("/programs/{id}/edit", Page, ui::operations::edit_form)
    .post("/programs/{id}/edit", Page, ui::operations::update)
    .post("/programs/{id}/status", Page, ui::operations::set_status)
    .post("/programs/{id}/sessions", Page, ui::operations::add_session)
    .post("/programs/{id}/enroll", Page, ui::operations::enroll)
    .post(
        "/enrollments/{id}/cancel",
        Page,
        ui::operations::cancel_enrollment,
    )
    .get("/sessions/{id}", Page, ui::operations::session)
    .post("/sessions/{id}/code", Page, ui::operations::issue_code)
    .post("/sessions/{id}/roll-call", Page, ui::operations::roll_call)
    .post(
        "/sessions/{id}/cancel",
        Page,
        ui::operations::cancel_session,
    )
    .get("/surveys/templates", Page, ui::certification::templates)
    .post(
        "/surveys/templates",
        Page,
        ui::certification::create_template,
    )
    .post(
        "/surveys/templates/{id}",
        Page,
        ui::certification::update_template,
    )
    .post("/programs/{id}/surveys", Page, ui::certification::attach)
    .get(
        "/programs/{id}/reaction",
        Page,
        ui::certification::program_reaction,
    )
    .get(
        "/programs/{id}/reaction.xlsx",
        Page,
        ui::certification::program_reaction_export,
    )
    .get(
        "/sessions/{id}/reaction",
        Page,
        ui::certification::session_reaction,
    )
    .get(
        "/instructors/{id}/reaction",
        Page,
        ui::certification::instructor_reaction,
    )
    .get("/surveys/{id}", Page, ui::certification::answer_form)
    .post("/surveys/{id}", Page, ui::certification::submit)
    .get("/certificates", Page, ui::certification::certificates)
    .get(
        "/certificates/export.xlsx",
        Page,
        ui::certification::certificates_export,
    )
    .post(
        "/enrollments/{id}/certificate",
        Page,
        ui::certification::issue,
    )
    .post("/certificates/{id}/revoke", Page, ui::certification::revoke)
    .get("/certificates/{id}/pdf", Page, ui::certification::pdf)
    .get(
        "/certificates/verify/{token}",
        Public,
        ui::certification::verify,
    )
    .get("/credits", Page, ui::certification::credits)
    .get(
        "/credits/export.xlsx",
        Page,
        ui::certification::credits_export,
    )
    .post(
        "/credits/requirements",
        Page,
        ui::certification::set_requirement,
    )
    .get("/my/learning", Page, ui::operations::my_learning)
    .get("/practice", Page, ui::practice::list)
    .get("/practice/export.xlsx", Page, ui::practice::export)
    .get("/practice/{id}", Page, ui::practice::detail)
    .post("/practice/{id}/report", Page, ui::practice::submit_report)
    .post("/practice/{id}/review", Page, ui::practice::review)
    .post("/practice/{id}/promote", Page, ui::practice::promote)
    .post("/ratings/{id}", Page, ui::practice::rate)
    .get(
        "/programs/{id}/practice",
        Page,
        ui::practice::program_practice,
    )
    .post("/programs/{id}/practice", Page, ui::practice::assign)
    .get("/evaluation/programs/{id}/effect", Page, ui::effect::page)
    .get(
        "/evaluation/programs/{id}/effect.xlsx",
        Page,
        ui::effect::export,
    )
    .get("/evaluation/programs/{id}/report", Page, ui::effect::report)
    .post("/checkin", Page, ui::operations::check_in)
    .get("/calendar/me.ics", Page, ui::operations::my_calendar)
    .get(
        "/calendar/instructors/{file}",
        Page,
        ui::operations::instructor_calendar,
    )
    .get(
        "/calendar/venues/{file}",
        Page,
        ui::operations::venue_calendar,
    )
    .get("/exams", Page, ui::exams::list)
    .post("/exams", Page, ui::exams::create)
    .get("/exams/new", Page, ui::exams::new_form)
    .get("/exams/questions", Page, ui::exams::questions)
    .post("/exams/questions", Page, ui::exams::create_question)
    .get("/exams/questions/new", Page, ui::exams::new_question)
    .get("/exams/questions/{id}/edit", Page, ui::exams::edit_question)
    .post(
        "/exams/questions/{id}/edit",
        Page,
        ui::exams::update_question,
    )
    .post(
        "/exams/questions/{id}/active",
        Page,
        ui::exams::set_question_active,
    )
    .get("/exams/grading", Page, ui::exams::grading)
    .get("/exams/{id}", Page, ui::exams::detail)
    .get("/exams/{id}/edit", Page, ui::exams::edit_form)
    .post("/exams/{id}/edit", Page, ui::exams::update)
    .post("/exams/{id}/status", Page, ui::exams::set_status)
    .get("/exams/{id}/results.xlsx", Page, ui::exams::export)
    .post("/exams/{id}/start", Page, ui::exams::start)
    .get("/my/exams", Page, ui::exams::my_exams)
    .get("/attempts/{id}", Page, ui::exams::attempt)
    .post("/attempts/{id}/save", Page, ui::exams::save)
    .post("/attempts/{id}/submit", Page, ui::exams::submit)
    .post("/attempts/{id}/grade", Page, ui::exams::grade)
    .get("/performance/entry", Page, ui::performance::entry)
    .get(
        "/performance/reconciliation",
        Page,
        ui::performance::reconciliation,
    )
    .post(
        "/performance/reconciliation/run",
        Page,
        ui::performance::run,
    )
    .post(
        "/performance/reconciliation/{id}/decision",
        Page,
        ui::performance::decide,
    )
    .post_upload(
        "/performance/import",
        Page,
        ui::performance::upload,
        ui::import::UPLOAD_LIMIT,
    )
    .get("/programs/import", Page, ui::training_records::form)
    .post_upload(
        "/programs/import",
        Page,
        ui::training_records::submit,
        ui::import::UPLOAD_LIMIT,
    )
    .get("/account", Page, ui::account::page)
    .post("/account/password", Page, ui::account::change_password)
    .post("/account/tokens", Page, ui::account::create_token)
    .post(
        "/account/tokens/{id}/revoke",
        Page,
        ui::account::revoke_token,
    )
    .get("/inbox", Page, ui::notifications::inbox)
    .post("/inbox/read-all", Page, ui::notifications::mark_all_read)
    .get("/inbox/settings", Page, ui::notifications::settings)
    .post("/inbox/settings", Page, ui::notifications::save_settings)
    .get("/inbox/{id}", Page, ui::notifications::open)
    .post("/inbox/{id}/read", Page, ui::notifications::mark_read)
    .get("/admin/webhooks", Page, ui::notifications::webhooks)
    .post("/admin/webhooks", Page, ui::notifications::create_webhook)
    .get("/admin/webhooks/{id}", Page, ui::notifications::webhook)
    .post(
        "/admin/webhooks/{id}",
        Page,
        ui::notifications::update_webhook,
    )
    .post(
        "/admin/webhooks/{id}/test",
        Page,
        ui::notifications::send_test,
    )
    .post(
        "/admin/webhooks/{id}/delete",
        Page,
        ui::notifications::delete_webhook,
    )
    .get("/evaluation", Page, ui::evaluation::dashboard)
    .get("/evaluation/programs", Page, ui::evaluation::programs)
    .get(
        "/evaluation/programs/export.xlsx",
        Page,
        ui::evaluation::programs_export,
    )
    .get("/evaluation/programs/{id}", Page, ui::evaluation::program)
    .get("/evaluation/instructors", Page, ui::evaluation::instructors)
    .get(
        "/evaluation/instructors/export.xlsx",
        Page,
        ui::evaluation::instructors_export,
    )
    .get("/evaluation/vendors", Page, ui::evaluation::vendors)
    .get(
        "/evaluation/vendors/export.xlsx",
        Page,
        ui::evaluation::vendors_export,
    )
    .get("/evaluation/resources", Page, ui::evaluation::resources)
    .get(
        "/evaluation/resources/export.xlsx",
        Page,
        ui::evaluation::resources_export,
    )
    .get("/evaluation/alerts", Page, ui::evaluation::alerts)
    .post(
        "/evaluation/alerts/coaching",
        Page,
        ui::evaluation::create_coaching,
    )
    .get("/admin/users", Page, ui::admin::users)
    .post("/admin/users", Page, ui::admin::create_user)
    .post("/admin/users/{id}/active", Page, ui::admin::set_active)
    .post("/admin/users/{id}/grants", Page, ui::admin::add_grant)
    .post(
        "/admin/users/{id}/grants/revoke",
        Page,
        ui::admin::remove_grant,
    )
    .get("/admin/audit", Page, ui::admin::audit)
    .get("/admin/jobs", Page, ui::admin::jobs)
    .post("/admin/jobs/{id}/retry", Page, ui::admin::retry_job);
    (registry.router.merge(api_router), registry.routes)
}

/// Every route served, for tests and documentation.
pub fn route_table() -> Vec<RouteInfo> {
    assemble().1
}

/// Request ids: 16 random bytes in hex.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&service::secrets::hex(
            &service::secrets::random_bytes::<16>(),
        ))
        .ok()
        .map(RequestId::new)
    }
}

/// Makes the request id available to error bodies for the duration of the request.
async fn scope_request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    REQUEST_ID.scope(id, next.run(req)).await
}

/// Unknown routes: problem+json under the APIs, an HTML page elsewhere.
async fn not_found(req: Request) -> Response {
    let path = req.uri().path().to_string();
    if csrf::is_api_path(&path) {
        ApiError::not_found(format!("no route for {} {path}", req.method())).into_response()
    } else {
        let locale = crate::locale::from_request(req.headers(), None);
        let text = crate::i18n::Tr(locale).get("error.not_found");
        let id = REQUEST_ID.try_with(|id| id.clone()).unwrap_or_default();
        ui::error_page(axum::http::StatusCode::NOT_FOUND, text, locale, &id)
    }
}

/// The whole application router over `state`.
pub fn build_router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let (router, _) = assemble();
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::session_and_csrf))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::record))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(middleware::from_fn(scope_request_id))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
        .with_state(state)
}
