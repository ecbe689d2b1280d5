//! The application layer: every use case of Skillbridge, written once and called by the
//! pages, the JSON API, the command line and the background worker.
//!
//! A use case is one function of a context module. It takes the [`Context`] and, where a
//! person asks, the caller's `Principal`; checks permission and scope ([`access`]);
//! validates; calls the store (one transaction where it writes); and returns a domain
//! result. Callers translate input and output and hold no business rule of their own.
//! This crate knows nothing of HTTP: handlers live in `web`, commands in `app`.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod certificates;
pub mod competency;
pub mod decoding;
pub mod effect;
pub mod evaluation;
pub mod exams;
pub mod home;
pub mod hr_sync;
pub mod imports;
pub mod jobs;
pub mod library;
pub mod needs;
pub mod notifications;
pub mod operations;
pub mod org;
pub mod org_tree;
pub mod performance;
pub mod practice;
pub mod scim;
pub mod secrets;
pub mod sso;
pub mod surveys;
pub mod timetables;

use files::FileStore;
use std::sync::Arc;
use store::Store;
use time::UtcOffset;

/// Settings the use cases read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The company's time zone: "today", due dates and times shown in messages.
    pub timezone: UtcOffset,
    /// Largest library upload, in bytes.
    pub upload_limit_bytes: u64,
    /// Learners' comments wait for a moderator before they are shown.
    pub moderate_comments: bool,
    /// The LDAP directory that checks login-form passwords, when one is configured.
    pub ldap: Option<sso::LdapSettings>,
    /// The OpenID provider people may sign in through, when one is configured.
    pub oidc: Option<sso::OidcSettings>,
    /// A full HR sync that would make more than this share (0..=1) of the people not
    /// `left` leave is refused unless forced.
    pub sync_max_leaver_share: f64,
    /// Username of the logins provisioned from employee records.
    pub login_username: domain::hr_sync::UsernameSource,
    /// Address of the site as people reach it (`https://learn.example.com`), for links
    /// sent out of the site (chat messages, calendar feeds); `None`: site paths only.
    pub public_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            timezone: UtcOffset::from_whole_seconds(8 * 3600).unwrap_or(UtcOffset::UTC),
            upload_limit_bytes: 200 * 1024 * 1024,
            moderate_comments: true,
            ldap: None,
            oidc: None,
            sync_max_leaver_share: 0.10,
            login_username: domain::hr_sync::UsernameSource::EmployeeNo,
            public_url: None,
        }
    }
}

/// What every use case can reach: the store, the library's files and search index, and
/// the settings. Cheap to clone.
#[derive(Clone)]
pub struct Context {
    pub store: Store,
    /// The library's files.
    pub files: FileStore,
    /// The library's full-text index (per node; rebuilt from the database).
    pub search: Arc<search::ResourceIndex>,
    pub settings: Arc<Settings>,
    /// Sends webhook messages at once (test messages); set by the server.
    pub webhook_sender: Option<Arc<dyn notifications::WebhookSender>>,
}

impl Context {
    /// A context over an opened store with an in-memory file store and search index:
    /// for commands that serve no library files.
    pub fn new(store: Store, settings: Settings) -> Self {
        Self::with_files(store, settings, FileStore::memory())
    }

    /// A context over an opened store and file store, with an in-memory search index
    /// (the server swaps in its on-disk index with [`Context::with_search`]).
    #[expect(
        clippy::expect_used,
        reason = "an in-memory index needs no disk; failing to make one is a bug"
    )]
    pub fn with_files(store: Store, settings: Settings, files: FileStore) -> Self {
        Self {
            store,
            files,
            search: Arc::new(search::ResourceIndex::in_memory().expect("an in-memory index opens")),
            settings: Arc::new(settings),
            webhook_sender: None,
        }
    }

    /// The same context over `index`.
    pub fn with_search(mut self, index: Arc<search::ResourceIndex>) -> Self {
        self.search = index;
        self
    }

    /// Today's date in the company's time zone.
    pub fn today(&self) -> time::Date {
        time::OffsetDateTime::now_utc()
            .to_offset(self.settings.timezone)
            .date()
    }
}
