//! The storage seam: opening the database and the one kind of transaction every write uses.
//! The engine-specific forms live here, not in the services.
use crate::error::BoxError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Opens (creating if missing) the SQLite file with WAL and foreign keys, and applies migrations.
pub async fn connect(database_url: &str) -> Result<SqlitePool, BoxError> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!().run(&pool).await?;
    Ok(pool)
}

/// A write transaction that serializes with every other write from its first statement: what it
/// reads (is the workspace still active? is the entry still in the bin?) stays true until it
/// commits. On SQLite, `BEGIN IMMEDIATE` takes the database's write lock at once.
pub async fn write_tx(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}
