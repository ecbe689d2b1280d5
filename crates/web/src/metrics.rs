//! Request metrics in the Prometheus text format, kept in memory per node.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use service::jobs::JobCounters;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Counters of this node.
#[derive(Debug, Default)]
pub struct Metrics {
    /// (method, route, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_micros: AtomicU64,
    in_flight: AtomicI64,
    /// Jobs run by this node's worker, by outcome (the worker holds the same counters).
    pub jobs: Arc<JobCounters>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((method.to_string(), route.to_string(), status))
                .or_default() += 1;
        }
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP skillbridge_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE skillbridge_http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((method, route, status), count) in map.iter() {
                let _ = writeln!(
                    out,
                    "skillbridge_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                    route.replace('"', "'")
                );
            }
        }
        out.push_str(
            "# HELP skillbridge_http_request_duration_seconds Latency of HTTP requests.\n",
        );
        out.push_str("# TYPE skillbridge_http_request_duration_seconds histogram\n");
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "skillbridge_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "skillbridge_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "skillbridge_http_request_duration_seconds_sum {}",
            self.latency_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(
            out,
            "skillbridge_http_request_duration_seconds_count {count}"
        );
        out.push_str("# HELP skillbridge_http_requests_in_flight Requests being served.\n");
        out.push_str("# TYPE skillbridge_http_requests_in_flight gauge\n");
        let _ = writeln!(
            out,
            "skillbridge_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP skillbridge_jobs_total Background jobs run by this node, by outcome.\n",
        );
        out.push_str("# TYPE skillbridge_jobs_total counter\n");
        let _ = writeln!(
            out,
            "skillbridge_jobs_total{{outcome=\"succeeded\"}} {}",
            self.jobs.succeeded()
        );
        let _ = writeln!(
            out,
            "skillbridge_jobs_total{{outcome=\"failed\"}} {}",
            self.jobs.failed()
        );
        out
    }
}

/// Middleware: counts requests by route template (not raw path, to bound cardinality).
pub async fn record(State(state): State<crate::AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let metrics = state.metrics.clone();
    metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let response = next.run(req).await;
    metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
