//! Consistent copies of a running SQLite database.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::Path;
use std::str::FromStr;

/// Copies the SQLite database at `url` into `out` with `VACUUM INTO`, which reads one
/// consistent snapshot while other connections keep writing. `out` must not exist.
pub async fn backup_sqlite(url: &str, out: &Path) -> Result<(), String> {
    if !url.starts_with("sqlite:") {
        return Err(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (see README)".into(),
        );
    }
    if out.exists() {
        return Err(format!(
            "{} already exists; choose a new file name",
            out.display()
        ));
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| e.to_string())?
        .create_if_missing(false);
    let mut conn = options
        .connect()
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let target = out.to_str().ok_or("the output path must be valid UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await
        .map_err(|e| format!("backup failed: {e}"))?;
    conn.close().await.map_err(|e| e.to_string())?;
    Ok(())
}
