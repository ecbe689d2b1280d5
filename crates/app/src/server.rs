//! Opening the database and running the HTTP server with its worker.

use crate::settings::Settings;
use crate::worker::Worker;
use anyhow::Context;
use files::FileStore;
use std::net::SocketAddr;
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
        timezone: UtcOffset::from_hms(settings.timezone_offset_hours, 0, 0)
            .unwrap_or(UtcOffset::UTC),
        upload_limit_bytes: settings.upload_limit_mb * 1024 * 1024,
        moderate_comments: settings.moderate_comments,
        ..WebConfig::default()
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

/// Serves the app on `listener`; runs the worker when `worker` is given.
pub async fn start(
    store: Store,
    config: WebConfig,
    files: FileStore,
    listener: TcpListener,
    worker: Option<Worker>,
) -> anyhow::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let state = AppState::with_files(store, config, files);
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
    let worker = worker.map(|w| tokio::spawn(w.run(rx)));
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
