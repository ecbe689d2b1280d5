//! Shared state of the HTTP layer.

use crate::metrics::Metrics;
use service::Context;
use std::sync::Arc;

/// Settings the HTTP layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// How long a browser session lasts.
    pub session_hours: i64,
    /// Failed logins of one username from one address within the window before 429.
    pub login_max_failures: i64,
    /// Failed logins from one address (any username) within the window before 429.
    pub login_max_failures_per_address: i64,
    /// Window of the login rate limit, in minutes.
    pub login_window_minutes: i64,
    /// Bearer token that lets other hosts read `/metrics` (loopback always may).
    pub metrics_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_hours: 12,
            login_max_failures: 5,
            login_max_failures_per_address: 50,
            login_window_minutes: 15,
            metrics_token: None,
        }
    }
}

impl WebConfig {
    /// The session and sign-in throttling rules the use cases apply.
    pub fn session_policy(&self) -> service::accounts::SessionPolicy {
        service::accounts::SessionPolicy {
            session_hours: self.session_hours,
            login_max_failures: self.login_max_failures,
            login_max_failures_per_address: self.login_max_failures_per_address,
            login_window_minutes: self.login_window_minutes,
        }
    }
}

/// What every handler can reach: the application layer's [`Context`] (store, files,
/// search index, settings; reached through `Deref`), the web settings and the metrics.
/// Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub context: Context,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
}

impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.context
    }
}

impl AppState {
    /// State over a use-case context.
    pub fn new(context: Context, config: WebConfig) -> Self {
        Self {
            context,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        }
    }
}
