//! Opening the database and running the HTTP server with its worker.

use crate::settings::Settings;
use crate::worker::Worker;
use anyhow::Context;
use files::FileStore;
use std::net::SocketAddr;
use std::sync::Arc;
use store::Store;
use time::UtcOffset;
use tokio::net::TcpListener;
use tokio::sync::watch;
use web::{AppState, WebConfig};

/// Opens the configured database (creating the data folder for SQLite) and migrates it.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.effective_database_url();
    if url.starts_with("sqlite:") && settings.database_url.is_none() {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create the data folder {}",
                settings.data_dir.display()
            )
        })?;
    }
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("opening {}", crate::settings::redact_url(&url)))?;
    let applied = store.migrate().await?;
    if applied > 0 {
        tracing::info!(applied, "database migrated");
    }
    Ok(store)
}

/// Opens the configured file store (a folder, by default `<data_dir>/files`, or S3).
pub fn open_files(settings: &Settings) -> anyhow::Result<FileStore> {
    let files = FileStore::open(&settings.file_settings()?, &settings.data_dir)
        .context("opening the library's file store")?;
    tracing::info!(files = files.description(), "file store opened");
    Ok(files)
}

/// The web settings derived from the binary's settings.
pub fn web_config(settings: &Settings) -> WebConfig {
    WebConfig {
        secure_cookies: settings.secure_cookies,
        session_hours: settings.session_hours,
        metrics_token: settings.metrics_token.clone(),
        ..WebConfig::default()
    }
}

/// The use cases' settings derived from the binary's settings.
pub fn service_settings(settings: &Settings) -> service::Settings {
    service::Settings {
        timezone: UtcOffset::from_hms(settings.timezone_offset_hours, 0, 0)
            .unwrap_or(UtcOffset::UTC),
        upload_limit_bytes: settings.upload_limit_mb * 1024 * 1024,
        moderate_comments: settings.moderate_comments,
        // Checked when the settings were loaded.
        ldap: settings.ldap_settings().ok().flatten(),
        oidc: settings.oidc_settings().ok().flatten(),
        sync_max_leaver_share: settings.sync_max_leaver_percent / 100.0,
        login_username: if settings.login_username == "email" {
            domain::hr_sync::UsernameSource::Email
        } else {
            domain::hr_sync::UsernameSource::EmployeeNo
        },
        public_url: settings.public_url.clone(),
    }
}

/// A server running in the background of this process.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    http: tokio::task::JoinHandle<()>,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Stops accepting, finishes requests in flight, stops the worker.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.http.await;
        if let Some(w) = self.worker {
            let _ = w.await;
        }
    }

    /// Waits until the server stops (after a shutdown signal).
    pub async fn wait(self) {
        let _ = self.http.await;
        let _ = self.shutdown.send(true);
        if let Some(w) = self.worker {
            let _ = w.await;
        }
    }
}

/// Opens the node's search index in `<data dir>/index`; an index written by another
/// version of the analyser is deleted, since it is rebuilt from the database anyway.
pub fn open_index(
    settings: &crate::settings::Settings,
) -> anyhow::Result<Arc<search::ResourceIndex>> {
    let dir = settings.data_dir.join("index");
    match search::ResourceIndex::open_or_create(&dir) {
        Err(search::SearchError::SchemaMismatch { .. }) => {
            tracing::warn!(dir = %dir.display(), "search index of another version; rebuilding it");
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot remove {}", dir.display()))?;
            Ok(Arc::new(search::ResourceIndex::open_or_create(&dir)?))
        }
        other => Ok(Arc::new(other.with_context(|| {
            format!("cannot open the search index in {}", dir.display())
        })?)),
    }
}

/// How often a node picks up library changes made through other nodes.
const INDEX_CATCH_UP: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves the app over `context` on `listener`; runs the worker when `worker` is given.
/// The context's search index is rebuilt from the database first, then kept current.
pub async fn start(
    context: service::Context,
    config: WebConfig,
    listener: TcpListener,
    worker: Option<Worker>,
) -> anyhow::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let (store, index) = (context.store.clone(), context.search.clone());
    let started = std::time::Instant::now();
    let indexed = service::library::rebuild_index(&store, index.clone()).await?;
    tracing::info!(
        resources = indexed,
        seconds = started.elapsed().as_secs_f64(),
        "search index rebuilt"
    );
    let mut since = time::OffsetDateTime::now_utc() - time::Duration::seconds(5);
    let mut context = context;
    if context.webhook_sender.is_none() {
        context.webhook_sender = Some(Arc::new(crate::notify::HttpWebhookSender {
            public_url: context.settings.public_url.clone(),
        }));
    }
    let state = AppState::new(context, config);
    let router = web::build_router(state.clone());
    let (shutdown, rx) = watch::channel(false);
    let mut http_rx = rx.clone();
    let http = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = http_rx.wait_for(|stop| *stop).await;
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "server stopped with an error");
        }
    });
    let mut catch_up_rx = rx.clone();
    let catch_up_state = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = catch_up_rx.wait_for(|stop| *stop) => break,
                _ = tokio::time::sleep(INDEX_CATCH_UP) => {}
            }
            let (store, index) = (&catch_up_state.store, catch_up_state.search.clone());
            match service::library::catch_up_index(store, index, since).await {
                Ok(newest) => since = newest,
                Err(e) => tracing::warn!(error = %e, "search index catch-up failed"),
            }
        }
    });
    // The worker counts its jobs in the server's counters, which /metrics reports.
    let counters = state.metrics.jobs.clone();
    let worker = worker.map(|w| tokio::spawn(w.with_counters(counters).run(rx)));
    Ok(RunningServer {
        addr,
        state,
        shutdown,
        http,
        worker,
    })
}

/// Stops `server` on Ctrl-C or SIGTERM.
pub async fn stop_on_signal(server: RunningServer) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
    server.stop().await;
}
