//! Helpers shared by the app's benchmark examples: re-creating the bench database,
//! a raw loader connection with bulk writes, and the peak RSS of the process.

// Each example uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, PgConnection, SqliteConnection};

/// VmHWM of this process.
pub fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .map(|v| v.trim().to_string())
        })
        .map(|kb| match kb.trim_end_matches(" kB").parse::<u64>() {
            Ok(kb) => format!("{} MiB", kb / 1024),
            Err(_) => kb,
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Drops and re-creates the PostgreSQL database, or removes the SQLite file.
pub async fn recreate_database(url: &str) -> Result<&'static str> {
    if url.starts_with("sqlite:") {
        let options = SqliteConnectOptions::from_str(url)?;
        let file = options.get_filename();
        if file.as_os_str().is_empty() || file.to_string_lossy().contains(":memory:") {
            bail!("the SQLite bench needs a file: sqlite:///path/file.db");
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut path = file.as_os_str().to_owned();
            path.push(suffix);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("removing {path:?}")),
            }
        }
        Ok("SQLite")
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let options = PgConnectOptions::from_str(url)?;
        let name = options.get_database().unwrap_or_default().to_string();
        if !name.contains("bench") || name.contains('"') {
            bail!("refusing to drop database '{name}': its name must contain 'bench'");
        }
        let mut admin = PgConnection::connect_with(&options.database("postgres")).await?;
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        Ok("PostgreSQL")
    } else {
        bail!("unsupported database URL: use sqlite:///path or postgres://...")
    }
}

/// The loader's own connection.
pub enum Raw {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Raw {
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Off)
                .foreign_keys(false);
            Ok(Raw::Sqlite(SqliteConnection::connect_with(&options).await?))
        } else {
            Ok(Raw::Postgres(PgConnection::connect(url).await?))
        }
    }

    pub async fn exec(&mut self, sql: &str) -> Result<()> {
        match self {
            Raw::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
            Raw::Postgres(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
        }
        .with_context(|| format!("executing {}", &sql[..sql.len().min(120)]))
    }

    pub async fn count(&mut self, table: &str) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        Ok(match self {
            Raw::Sqlite(c) => sqlx::query_scalar(&sql).fetch_one(c).await?,
            Raw::Postgres(c) => sqlx::query_scalar(&sql).fetch_one(c).await?,
        })
    }

    pub async fn analyze(&mut self) -> Result<()> {
        match self {
            Raw::Sqlite(_) => self.exec("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)").await,
            Raw::Postgres(_) => self.exec("VACUUM ANALYZE").await,
        }
    }

    pub async fn close(self) -> Result<()> {
        match self {
            Raw::Sqlite(c) => c.close().await?,
            Raw::Postgres(c) => c.close().await?,
        }
        Ok(())
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Raw::Postgres(_))
    }
}

/// Rows of one table, buffered and written in large multi-row INSERTs (SQLite) or COPYs
/// (PostgreSQL).
pub struct Bulk<'c> {
    raw: &'c mut Raw,
    table: &'static str,
    columns: &'static str,
    buf: String,
    fields: usize,
    rows_in_buf: usize,
}

const FLUSH_BYTES: usize = 4 << 20;

impl<'c> Bulk<'c> {
    pub fn new(raw: &'c mut Raw, table: &'static str, columns: &'static str) -> Self {
        Self {
            raw,
            table,
            columns,
            buf: String::with_capacity(FLUSH_BYTES + 4096),
            fields: 0,
            rows_in_buf: 0,
        }
    }

    fn sep(&mut self) {
        if self.fields > 0 {
            self.buf.push(if self.raw.is_pg() { '\t' } else { ',' });
        } else if !self.raw.is_pg() {
            if self.rows_in_buf > 0 {
                self.buf.push(',');
            }
            self.buf.push('(');
        }
        self.fields += 1;
    }

    pub fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    pub fn real(&mut self, v: f64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    pub fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => {
                self.sep();
                self.buf
                    .push_str(if self.raw.is_pg() { "\\N" } else { "NULL" });
                self
            }
        }
    }

    /// Plain text without quotes, tabs, newlines or backslashes.
    pub fn text(&mut self, v: &str) -> &mut Self {
        debug_assert!(!v.contains(['\'', '\t', '\n', '\\']));
        self.sep();
        if self.raw.is_pg() {
            self.buf.push_str(v);
        } else {
            self.buf.push('\'');
            self.buf.push_str(v);
            self.buf.push('\'');
        }
        self
    }

    pub async fn end(&mut self) -> Result<()> {
        self.buf.push(if self.raw.is_pg() { '\n' } else { ')' });
        self.fields = 0;
        self.rows_in_buf += 1;
        if self.buf.len() >= FLUSH_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self) -> Result<()> {
        if self.rows_in_buf == 0 {
            return Ok(());
        }
        match &mut *self.raw {
            Raw::Sqlite(c) => {
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES {}",
                    self.table, self.columns, self.buf
                );
                sqlx::raw_sql(&sql)
                    .execute(c)
                    .await
                    .with_context(|| format!("inserting into {}", self.table))?;
            }
            Raw::Postgres(c) => {
                let mut copy = c
                    .copy_in_raw(&format!(
                        "COPY {} ({}) FROM STDIN",
                        self.table, self.columns
                    ))
                    .await?;
                copy.send(self.buf.as_bytes()).await?;
                copy.finish()
                    .await
                    .with_context(|| format!("copying into {}", self.table))?;
            }
        }
        self.buf.clear();
        self.rows_in_buf = 0;
        Ok(())
    }
}
