//! Test mode's clock offset, kept in the database so that advancing the clock through one instance
//! moves the clock of every instance on that database (SPEC §9). Each request in test mode, and
//! each purge pass, first takes the stored offset.
use super::Clock;
use crate::domain::Timestamp;
use crate::error::{AppError, AppResult};
use crate::store::{Conn, Pool};

/// Takes the stored offset into `clock`.
pub async fn sync(pool: &Pool, clock: &Clock) -> AppResult<()> {
    sync_on(&mut *pool.acquire().await?, clock, "").await
}

async fn sync_on(conn: &mut Conn, clock: &Clock, lock: &str) -> AppResult<()> {
    let stored: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT offset_secs FROM test_clock WHERE id = 1{lock}"
    ))
    .fetch_optional(conn)
    .await?;
    clock.set_offset(stored.unwrap_or(0));
    Ok(())
}

/// Moves the shared clock forward by `secs` and answers the new time; `None` (and no change)
/// when the new time would not fit.
pub async fn advance(pool: &Pool, clock: &Clock, secs: i64) -> AppResult<Option<Timestamp>> {
    let mut tx = crate::store::write_tx(pool).await?;
    // Two advances at once add up: the row exists and is locked before it is read.
    sqlx::query(
        "INSERT INTO test_clock (id, offset_secs) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    )
    .execute(&mut *tx)
    .await?;
    let lock = crate::store::lock_row(&tx);
    sync_on(&mut tx, clock, lock).await?;
    let Some(now) = clock.try_advance(secs) else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO test_clock (id, offset_secs) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET offset_secs = excluded.offset_secs",
    )
    .bind(clock.offset())
    .execute(&mut *tx)
    .await?;
    tx.commit().await.map_err(AppError::from)?;
    Ok(Some(now))
}
