//! The throttle table: attempts per key ("user:acme", "ip:10.0.0.1", "signup:10.0.0.1" for the
//! console's sign-in and sign-up; "key:LTAI…", "keyip:10.0.0.1" for AccessKeys), so every
//! instance on one database sees the same counts, and tests move time with the injectable clock.
use crate::domain::Timestamp;
use crate::domain::throttle::{Attempts, Limit};
use crate::error::{AppError, AppResult};
use crate::store::{Conn, Pool};

/// A key's attempts; `lock` is `store::lock_row` inside a write transaction.
async fn load(conn: &mut Conn, key: &str, lock: &str) -> AppResult<Attempts> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT count, window_start, blocked_until FROM throttle WHERE key = $1{lock}"
    ))
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
pub async fn check(pool: &Pool, now: Timestamp, keys: &[&str]) -> AppResult<()> {
    let mut conn = pool.acquire().await?;
    for key in keys {
        if let Some(secs) = load(&mut conn, key, "").await?.retry_after(now) {
            tracing::warn!(key, retry_after = secs, "throttled attempt refused");
            return Err(AppError::Throttled(secs));
        }
    }
    Ok(())
}

/// Counts one attempt against each key (in one transaction, so concurrent attempts all count).
pub async fn record(pool: &Pool, now: Timestamp, keys: &[(&str, Limit)]) -> AppResult<()> {
    let mut tx = crate::store::write_tx(pool).await?;
    let lock = crate::store::lock_row(&tx);
    for (key, limit) in keys {
        // The row exists before it is read and locked, so two first failures cannot both start
        // from nothing.
        sqlx::query(
            "INSERT INTO throttle (key, count, window_start, blocked_until) VALUES ($1, 0, 0, 0)
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .execute(&mut *tx)
        .await?;
        let after = load(&mut tx, key, lock).await?.record(now, *limit);
        sqlx::query(
            "INSERT INTO throttle (key, count, window_start, blocked_until) VALUES ($1, $2, $3, $4)
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
pub async fn clear(pool: &Pool, key: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM throttle WHERE key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops rows whose window is over and that block nothing (run by the purge job's pass).
pub async fn forget_stale(pool: &Pool, now: Timestamp, longest: Limit) -> AppResult<u64> {
    Ok(
        sqlx::query("DELETE FROM throttle WHERE blocked_until <= $1 AND window_start <= $2")
            .bind(now)
            .bind(now.saturating_sub(longest.window))
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
