//! The throttle table: attempts per key ("user:acme", "ip:10.0.0.1", "signup:10.0.0.1"), so every
//! instance on one database sees the same counts, and tests move time with the injectable clock.
use crate::domain::Timestamp;
use crate::domain::throttle::{Attempts, Limit};
use crate::error::{AppError, AppResult};
use sqlx::{SqliteConnection, SqlitePool};

async fn load(conn: &mut SqliteConnection, key: &str) -> AppResult<Attempts> {
    let row: Option<(i64, i64, i64)> =
        sqlx::query_as("SELECT count, window_start, blocked_until FROM throttle WHERE key = ?")
            .bind(key)
            .fetch_optional(conn)
            .await?;
    Ok(
        row.map_or_else(Attempts::default, |(count, window_start, blocked_until)| {
            Attempts {
                count,
                window_start,
                blocked_until,
            }
        }),
    )
}

/// Refuses with 429 while any of the keys is blocked.
pub async fn check(pool: &SqlitePool, now: Timestamp, keys: &[&str]) -> AppResult<()> {
    let mut conn = pool.acquire().await?;
    for key in keys {
        if let Some(secs) = load(&mut conn, key).await?.retry_after(now) {
            tracing::warn!(key, retry_after = secs, "throttled attempt refused");
            return Err(AppError::Throttled(secs));
        }
    }
    Ok(())
}

/// Counts one attempt against each key (in one transaction, so concurrent attempts all count).
pub async fn record(pool: &SqlitePool, now: Timestamp, keys: &[(&str, Limit)]) -> AppResult<()> {
    let mut tx = crate::store::write_tx(pool).await?;
    for (key, limit) in keys {
        let after = load(&mut tx, key).await?.record(now, *limit);
        sqlx::query(
            "INSERT INTO throttle (key, count, window_start, blocked_until) VALUES (?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET count = excluded.count,
                 window_start = excluded.window_start, blocked_until = excluded.blocked_until",
        )
        .bind(key)
        .bind(after.count)
        .bind(after.window_start)
        .bind(after.blocked_until)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Forgets a key's failures (a successful sign-in of that user).
pub async fn clear(pool: &SqlitePool, key: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM throttle WHERE key = ?")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops rows whose window is over and that block nothing (run by the purge job's pass).
pub async fn forget_stale(pool: &SqlitePool, now: Timestamp, longest: Limit) -> AppResult<u64> {
    Ok(
        sqlx::query("DELETE FROM throttle WHERE blocked_until <= ? AND window_start <= ?")
            .bind(now)
            .bind(now.saturating_sub(longest.window))
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
