//! All SQL of Skillbridge, for SQLite and PostgreSQL.
//!
//! One [`Store`] implements every repository trait of the domain crate. Each
//! method is written once in the SQL both engines share and stamped out for
//! each pool by [`on_pool!`]; the cross-backend test suite checks both.

mod accounts;
mod audit;
mod backup;
mod certificates;
mod competency;
mod competency_import;
mod decoding;
mod effect;
mod evaluation;
mod exams;
mod hr_sync;
mod imports;
mod jobs;
mod library;
mod need_approvals;
mod needs;
mod notifications;
mod operations;
mod org;
mod org_tree;
mod performance;
mod practice;
mod query;
mod reconciliation;
mod sso;
mod surveys;
mod time_column;
mod timetables;
mod training_records;

pub use backup::backup_sqlite;
pub use competency::{AssessmentInput, HeatCell, ModelRequirement, SkillCatalog, SkillEntry};
pub use competency_import::ModelExportRow;
pub use decoding::DecodingSpec;
pub use effect::EffectPanel;
pub use exams::{Grader, RecordedAttempt};
pub use imports::EmployeeImportOutcome;
pub use notifications::{DISPATCH_JOB, WEBHOOK_ATTEMPTS, WEBHOOK_JOB};
pub use operations::CalendarOwner;
pub use org::OrgLoad;
pub use org_tree::{DepartmentImportOutcome, RetirementOutcome};
pub use performance::{KpiHistoryRow, KpiSummary, ValueImportOutcome};
pub use reconciliation::ReconciliationRun;
pub use sso::{PendingSignIn, ScimProfile};
pub use time_column::DbTime;
pub use timetables::VenueScheduling;

use domain::DomainError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

/// Migrations of the embedded SQLite database.
pub static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// Migrations of PostgreSQL; the version list equals SQLite's.
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database behind every repository trait. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Whether notification e-mail is sent (SMTP configured), so events queue their
    /// dispatch job only when some channel beyond the inbox can use it.
    email_notifications: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

/// Runs the same body against whichever pool the store holds; `$pool` is bound
/// to `&SqlitePool` or `&PgPool`, so the body is compiled once per engine.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($pool) => {
                #[allow(unused_imports)]
                use $crate::WriteTransactions as _;
                $body
            }
            $crate::Pool::Postgres($pool) => {
                #[allow(unused_imports)]
                use $crate::WriteTransactions as _;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

/// Transactions that write. On SQLite `BEGIN IMMEDIATE` takes the write lock when the
/// transaction starts, so one that reads before it writes waits (busy timeout) for
/// another writer instead of failing with SQLITE_BUSY when it upgrades from reading to
/// writing; PostgreSQL's row locks need nothing beyond `BEGIN`.
pub(crate) trait WriteTransactions {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
    + Send;
}

impl WriteTransactions for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
    + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl WriteTransactions for sqlx::PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
    + Send {
        self.begin()
    }
}

/// Errors opening or migrating a database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Domain(#[from] DomainError),
}

impl Store {
    /// Opens a database by URL: `sqlite://path/file.db` (created if missing; WAL, foreign
    /// keys, busy timeout) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(StoreError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            Ok(Self {
                pool: Pool::Sqlite(pool),
                email_notifications: Default::default(),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(StoreError::Connect)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(StoreError::Connect)?;
            Ok(Self {
                pool: Pool::Postgres(pool),
                email_notifications: Default::default(),
            })
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// The engine in use.
    pub fn backend(&self) -> BackendKind {
        match self.pool {
            Pool::Sqlite(_) => BackendKind::Sqlite,
            Pool::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let before = self.applied_migrations().await;
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATOR.run(pool).await?,
            Pool::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await?,
        }
        Ok(self.applied_migrations().await.saturating_sub(before))
    }

    /// Migrations applied so far (0 before the first run, when the table is missing).
    async fn applied_migrations(&self) -> usize {
        let count: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await
                .ok()
        });
        count.and_then(|c| usize::try_from(c).ok()).unwrap_or(0)
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        on_pool!(self, |pool| sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(pool)
            .await
            .is_ok())
    }

    /// Closes the pool, waiting for connections to return.
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }
}

/// Maps a database error to the domain error a caller can act on; other faults become
/// `Internal` carrying the driver's error as their source (logged where they are answered).
pub(crate) fn db_error(error: sqlx::Error) -> DomainError {
    match &error {
        sqlx::Error::RowNotFound => DomainError::NotFound { entity: "record" },
        sqlx::Error::Database(db) if db.is_unique_violation() => DomainError::Conflict(format!(
            "duplicate value ({})",
            db.constraint().unwrap_or("unique key")
        )),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => DomainError::Conflict(
            "the record refers to something that does not exist, or is still referred to".into(),
        ),
        _ => DomainError::internal_from("database error", error),
    }
}

/// As [`db_error`], but a conflict (a duplicate, or a key that refers to nothing) becomes
/// `conflict()`, for the caller to say what clashed.
pub(crate) fn db_error_or<F>(conflict: F) -> impl Fn(sqlx::Error) -> DomainError + Copy
where
    F: Fn() -> DomainError + Copy,
{
    move |error| match db_error(error) {
        DomainError::Conflict(_) => conflict(),
        other => other,
    }
}

/// A duplicate code as invalid input on `code`: "{a_thing} with the code '{code}' exists".
pub(crate) fn code_exists<'a>(
    a_thing: &'a str,
    code: &'a str,
) -> impl Fn(sqlx::Error) -> DomainError + Copy + 'a {
    db_error_or(move || {
        DomainError::invalid("code", format!("{a_thing} with the code '{code}' exists"))
    })
}

/// The [`contains_pattern`] of a search text, or `None` when the text is blank.
pub(crate) fn search_pattern(q: Option<&str>) -> Option<String> {
    q.map(str::trim)
        .filter(|q| !q.is_empty())
        .map(contains_pattern)
}

/// `LIKE` pattern for a case-insensitive substring search (`%`, `_` and `\` escaped).
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn migration_folders_hold_the_same_versions() {
        let versions = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|x| (x.version, x.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            versions(&super::SQLITE_MIGRATOR),
            versions(&super::POSTGRES_MIGRATOR)
        );
        assert!(super::SQLITE_MIGRATOR.iter().next().is_some());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::contains_pattern(" A_b% "), "%a\\_b\\%%");
    }
}

/// Every repository trait of the store, for callers to bring into scope at once.
pub mod prelude {
    pub use crate::certificates::CertificateRepository;
    pub use crate::competency::CompetencyRepository;
    pub use crate::competency_import::CompetencyImportRepository;
    pub use crate::decoding::DecodingRepository;
    pub use crate::effect::EffectRepository;
    pub use crate::evaluation::EvaluationRepository;
    pub use crate::exams::ExamRepository;
    pub use crate::hr_sync::HrSyncRepository;
    pub use crate::imports::ImportRepository;
    pub use crate::library::LibraryRepository;
    pub use crate::need_approvals::NeedApprovalRepository;
    pub use crate::needs::NeedRepository;
    pub use crate::notifications::NotificationRepository;
    pub use crate::operations::OperationsRepository;
    pub use crate::org::OrgMaintenanceRepository;
    pub use crate::org_tree::OrgTreeRepository;
    pub use crate::performance::PerformanceRepository;
    pub use crate::practice::PracticeRepository;
    pub use crate::reconciliation::ReconciliationRepository;
    pub use crate::sso::SsoRepository;
    pub use crate::surveys::SurveyRepository;
    pub use crate::timetables::TimetableRepository;
    pub use crate::training_records::TrainingRecordRepository;
    pub use domain::account::AccountRepository;
    pub use domain::audit::AuditRepository;
    pub use domain::jobs::JobRepository;
    pub use domain::org::OrgRepository;
}
