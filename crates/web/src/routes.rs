//! The router: every route is registered through one [`Registry`] with its surface, so
//! the route list (used by the authorization matrix test) cannot drift from what is
//! served. Each page module registers its own routes (`ui::<module>::routes`), the API
//! modules theirs (`api::<module>::routes`); the public routes are here.

use crate::error::{ApiError, PAGE_LOCALE, REQUEST_ID};
use crate::state::AppState;
use crate::{api, assets, csrf, metrics, ops, ui};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
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

pub(crate) struct Registry {
    router: Router<AppState>,
    routes: Vec<RouteInfo>,
}

impl Registry {
    pub(crate) fn get<H: Handler<T, AppState>, T: 'static>(
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
    pub(crate) fn post_upload<H: Handler<T, AppState>, T: 'static>(
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

    /// A PUT route (SCIM).
    pub(crate) fn put<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        surface: Surface,
        handler: H,
    ) -> Self {
        self.method("PUT", path, surface, axum::routing::put(handler))
    }

    /// A PATCH route (SCIM).
    pub(crate) fn patch<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        surface: Surface,
        handler: H,
    ) -> Self {
        self.method("PATCH", path, surface, axum::routing::patch(handler))
    }

    /// A DELETE route (SCIM).
    pub(crate) fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        surface: Surface,
        handler: H,
    ) -> Self {
        self.method("DELETE", path, surface, axum::routing::delete(handler))
    }

    fn method(
        mut self,
        method: &'static str,
        path: &'static str,
        surface: Surface,
        route: axum::routing::MethodRouter<AppState>,
    ) -> Self {
        self.routes.push(RouteInfo {
            method,
            path: path.into(),
            surface,
        });
        self.router = self.router.route(path, route);
        self
    }

    pub(crate) fn post<H: Handler<T, AppState>, T: 'static>(
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
    use Surface::Public;
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
    let openapi_json = serde_json::to_string_pretty(&openapi).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the OpenAPI document does not serialise");
        "{}".to_string()
    });
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
    });
    let registry = ui::routes(registry);
    let registry = api::scim::routes(registry);
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

/// Makes the request id, and the language a page's errors are shown in, available to
/// error bodies for the duration of the request.
async fn scope_request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let locale = std::cell::Cell::new(crate::locale::from_request(req.headers(), None));
    REQUEST_ID
        .scope(id, PAGE_LOCALE.scope(locale, next.run(req)))
        .await
}

/// What the browser may load on our pages: our own scripts only (no inline script),
/// styles from our stylesheet and `style` attributes (bar widths), images from us or
/// inline; no plugins, no framing, no `<base>`.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
     base-uri 'none'; frame-ancestors 'none'";

/// Headers every response carries unless its handler set them: the content security
/// policy; `Cache-Control: no-store` on everything but the static assets (pages and API
/// answers may hold personal data, and a shared computer's back button must not show
/// them after sign-out); HSTS when the site is served over HTTPS (`secure_cookies`).
async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let asset = req.uri().path().starts_with("/assets/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if !asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    if state.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
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
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
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
