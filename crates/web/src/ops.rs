//! Operational endpoints: liveness, readiness, metrics.

use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the database answers, 503 otherwise.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready", "database": "ok" })),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "unavailable", "database": "unreachable" })),
        )
    }
}

/// `GET /metrics`: Prometheus text format, for a scraper on this host or one that
/// presents the `metrics_token` setting as a bearer token; 404 to anyone else, so the
/// endpoint does not tell the outside it exists.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token_ok = match (&state.config.metrics_token, bearer) {
        (Some(expected), Some(given)) => {
            service::secrets::secret_hash(expected) == service::secrets::secret_hash(given)
        }
        _ => false,
    };
    if !peer.ip().is_loopback() && !token_ok {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
