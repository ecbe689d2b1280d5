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
    /// Failed logins (per username or address) within the window before 429.
    pub login_max_failures: i64,
    /// Window of the login rate limit, in minutes.
    pub login_window_minutes: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
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
