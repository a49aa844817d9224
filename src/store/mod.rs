//! The storage seam: one binary, two engines. `DATABASE_URL` picks SQLite (`sqlite://…`, the
//! default, embedded) or PostgreSQL (`postgres://…`) at start-up.
//!
//! The services run on sqlx's `Any` driver and write each statement once, in the SQL both engines
//! accept (`$1` parameters, `RETURNING`, `ON CONFLICT`, `FILTER`, `string_agg`). Where the engines
//! differ, the difference lives here or in the two migration folders, and nowhere else:
//! - case-insensitive names: SQLite's `COLLATE NOCASE` / PostgreSQL's `nocase` ICU collation,
//!   declared on the columns, so `name = $1`, `UNIQUE` and `ORDER BY name` ignore case on both;
//! - write serialization: [`write_tx`] and [`LOCK_ROW`] / [`CLAIM_ROWS`] (below);
//! - long writes: [`pause_between_batches`] and [`after_bulk_delete`].
use crate::error::BoxError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyTypeInfo, AnyValueRef};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Any, AnyConnection, Connection, Decode, Executor, Type};
use std::str::FromStr;
use std::time::Duration;

pub type Pool = sqlx::AnyPool;
pub type Conn = sqlx::AnyConnection;
pub type Tx = sqlx::Transaction<'static, Any>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> Result<Engine, BoxError> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(format!(
                "DATABASE_URL must start with sqlite: or postgres://, not {:?}",
                url.split(':').next().unwrap_or("")
            )
            .into())
        }
    }

    pub fn of(conn: &AnyConnection) -> Engine {
        if conn.backend_name() == "PostgreSQL" {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }

    pub fn of_pool(pool: &Pool) -> Engine {
        match pool.connect_options().database_url.scheme() {
            "postgres" | "postgresql" => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

/// Opens the database (creating a missing SQLite file, in WAL mode) and applies the engine's
/// migrations. Instances starting at once on one PostgreSQL database are safe: sqlx takes an
/// advisory lock around the migrations.
pub async fn connect(database_url: &str) -> Result<Pool, BoxError> {
    connect_with(database_url, 8).await
}

pub async fn connect_with(database_url: &str, max_connections: u32) -> Result<Pool, BoxError> {
    sqlx::any::install_default_drivers();
    match Engine::of_url(database_url)? {
        Engine::Sqlite => {
            // The file is created and switched to WAL (a lasting property of the file) once.
            let native = SqliteConnectOptions::from_str(database_url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true);
            let mut conn = sqlx::SqliteConnection::connect_with(&native).await?;
            sqlx::migrate!("migrations/sqlite").run(&mut conn).await?;
            conn.close().await?;
            let options = AnyConnectOptions::from_str(database_url)?;
            let pool = AnyPoolOptions::new()
                .max_connections(max_connections)
                // A connection to a local file does not go stale, and sqlx's check before each
                // acquire is a round trip to the connection's worker thread: two thread switches
                // per query (the check alone was 6% of the CPU in a profile under load).
                .test_before_acquire(false)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        for pragma in [
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA foreign_keys = ON",
                            // SQLite's advice for long-lived connections: statistics for the
                            // planner, gathered when missing or stale, reading at most 400 rows
                            // of each index (a few milliseconds, once per connection).
                            "PRAGMA analysis_limit = 400",
                            "PRAGMA optimize = 0x10002",
                        ] {
                            conn.execute(pragma).await?;
                        }
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?;
            Ok(pool)
        }
        Engine::Postgres => {
            let pool = AnyPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect(database_url)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Ok(pool)
        }
    }
}

/// A write transaction. What it reads under [`LOCK_ROW`] (is the workspace still active? is the
/// entry still in the bin?) stays true until it commits, so of two racing writes exactly one
/// wins and the other sees the outcome.
/// - SQLite: `BEGIN IMMEDIATE` takes the database's write lock at once (row locks do not exist).
/// - PostgreSQL: `BEGIN` (read committed); the row locks come from `FOR UPDATE` on the reads.
pub async fn write_tx(pool: &Pool) -> Result<Tx, sqlx::Error> {
    match Engine::of_pool(pool) {
        Engine::Sqlite => {
            let _waiting = Waiting::new();
            pool.begin_with("BEGIN IMMEDIATE").await
        }
        Engine::Postgres => pool.begin().await,
    }
}

/// How many of this instance's writers wait for SQLite's write lock right now.
static SQLITE_WRITERS_WAITING: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// Counts a writer as waiting for as long as it lives (a dropped wait is counted out too).
struct Waiting;

impl Waiting {
    fn new() -> Self {
        SQLITE_WRITERS_WAITING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Waiting
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        SQLITE_WRITERS_WAITING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Between two transactions of a series that writes one after the other (a bulk Recover or Delete
/// Permanently). SQLite has one writer at a time and its busy handler sleeps between tries, so a
/// series of short transactions could keep another writer out for the whole series: while one of
/// this instance's writers waits, the series waits (at most 50 ms) until it got the lock. Nobody
/// waiting, nothing is paused; PostgreSQL locks rows, so there is never a pause.
pub async fn let_waiting_writers_in(pool: &Pool) {
    if Engine::of_pool(pool) != Engine::Sqlite {
        return;
    }
    let started = std::time::Instant::now();
    while SQLITE_WRITERS_WAITING.load(std::sync::atomic::Ordering::SeqCst) > 0
        && started.elapsed() < Duration::from_millis(50)
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Appended to a `SELECT` inside [`write_tx`] that reads the row the write depends on.
pub fn lock_row(conn: &AnyConnection) -> &'static str {
    match Engine::of(conn) {
        Engine::Sqlite => "",
        Engine::Postgres => " FOR UPDATE",
    }
}

/// [`lock_row`] when `lock`, else nothing: for a read used both inside a write and on its own.
pub fn lock_row_if(conn: &AnyConnection, lock: bool) -> &'static str {
    if lock { lock_row(conn) } else { "" }
}

/// Appended to the `SELECT` that claims a batch of jobs: each instance takes rows no other one
/// holds. (SQLite has one writer at a time, so the claim is exclusive already.)
pub fn claim_rows(conn: &AnyConnection) -> &'static str {
    match Engine::of(conn) {
        Engine::Sqlite => "",
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
    }
}

/// Between two batches of a long write (a purge), given how long the last batch took. SQLite has
/// one writer at a time: the write lock is left free for at least as long as the batch held it and
/// longer than SQLite's busy handler sleeps between two tries (at most 25 ms in its first 100 ms),
/// so a writer waiting for it cannot miss the gap. PostgreSQL locks rows, not the database: other
/// writers never waited, so there is no pause.
pub async fn pause_between_batches(pool: &Pool, batch_took: Duration) {
    if Engine::of_pool(pool) == Engine::Sqlite {
        tokio::time::sleep(batch_took.max(Duration::from_millis(30))).await;
    }
}

/// After many rows were deleted: SQLite folds its write-ahead log back into the file so it does
/// not stay large; PostgreSQL's autovacuum does the same work by itself.
pub async fn after_bulk_delete(pool: &Pool) {
    if Engine::of_pool(pool) == Engine::Sqlite
        && let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await
    {
        tracing::warn!(%error, "checkpointing the write-ahead log failed");
    }
}

/// Whether the error is a unique-constraint violation, on either engine.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// A yes/no column: SQLite stores 0/1 integers, PostgreSQL booleans. Decode it through this type
/// (`#[sqlx(try_from = "crate::store::Flag")]`); bind a plain `bool`, which both engines take.
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        <bool as Type<Any>>::compatible(ty) || <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <bool as Decode<Any>>::decode(value.clone()) {
            Ok(b) => Ok(Flag(b)),
            Err(_) => Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Engine;

    #[test]
    fn the_url_scheme_picks_the_engine_and_anything_else_is_refused() {
        assert_eq!(
            Engine::of_url("sqlite://data/console.db").unwrap(),
            Engine::Sqlite
        );
        assert_eq!(Engine::of_url("sqlite::memory:").unwrap(), Engine::Sqlite);
        assert_eq!(
            Engine::of_url("postgres://u@h/db").unwrap(),
            Engine::Postgres
        );
        assert_eq!(
            Engine::of_url("postgresql://u@h/db").unwrap(),
            Engine::Postgres
        );
        let refused = Engine::of_url("mysql://u@h/db").unwrap_err().to_string();
        assert!(refused.contains("sqlite: or postgres://"), "{refused}");
        assert!(
            !refused.contains("u@h"),
            "the URL's credentials are never echoed: {refused}"
        );
    }
}
