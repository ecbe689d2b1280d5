//! Shared state of the HTTP layer.

use crate::metrics::Metrics;
use files::FileStore;
use std::sync::Arc;
use store::Store;
use time::UtcOffset;

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
    /// The company's time zone, for showing times.
    pub timezone: UtcOffset,
    /// Largest library upload, in bytes.
    pub upload_limit_bytes: u64,
    /// Learners' comments wait for a moderator before they are shown.
    pub moderate_comments: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
            timezone: UtcOffset::from_hms(8, 0, 0).expect("valid offset"),
            upload_limit_bytes: 200 * 1024 * 1024,
            moderate_comments: true,
        }
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    /// The library's files.
    pub files: FileStore,
    /// The library's full-text index (per node; rebuilt from the database).
    pub search: Arc<search::ResourceIndex>,
}

impl AppState {
    /// Today's date in the company's time zone.
    pub fn today(&self) -> time::Date {
        time::OffsetDateTime::now_utc()
            .to_offset(self.config.timezone)
            .date()
    }

    /// State over an opened store, with an in-memory file store: for commands that
    /// serve no library files. The server uses [`AppState::with_files`].
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self::with_files(store, config, FileStore::memory())
    }

    /// State over an opened store and file store, with an in-memory search index (the
    /// server swaps in its on-disk index with [`AppState::with_search`]).
    pub fn with_files(store: Store, config: WebConfig, files: FileStore) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
            files,
            search: Arc::new(search::ResourceIndex::in_memory().expect("an in-memory index opens")),
        }
    }

    /// The same state over `index`.
    pub fn with_search(mut self, index: Arc<search::ResourceIndex>) -> Self {
        self.search = index;
        self
    }
}
