//! The background jobs of one instance: the purge pass (warnings first, then the purge, then
//! housekeeping) every `--purge-interval` seconds, and the webhook worker every second. Any number
//! of instances run them on one database: each pass claims its rows, so none is done twice.
use crate::error::{AppResult, BoxError};
use crate::server::sessions::Sessions;
use crate::server::{AppState, Clock};
use crate::store::Pool;
use crate::{api, audit, notifications, recycle_bin};
use std::time::Duration;

/// One purge pass at `now`: warnings first, so an entry whose warnings all fell due at once (the
/// server was down, or the clock jumped) still gets its 1-day warning before its purged notice.
/// The job runs it, and so does test mode's clock advance. A failed half is logged and the other
/// still runs; the answer is the first failure.
pub async fn warn_then_purge(pool: &Pool, now: i64) -> AppResult<()> {
    let warned = notifications::service::warn_pass(pool, now).await;
    if let Err(error) = &warned {
        tracing::error!(?error, "notification pass failed; the next pass retries");
    }
    let purged = recycle_bin::service::purge_expired(pool, now).await;
    if let Err(error) = &purged {
        tracing::error!(?error, "purge pass failed; the next pass retries");
    }
    warned.and(purged).map(drop)
}

/// Starts the purge job and the webhook worker on this instance.
pub fn spawn(state: &AppState, purge_every_secs: u64) {
    spawn_purge_job(
        state.pool.clone(),
        state.sessions.clone(),
        state.clock.clone(),
        purge_every_secs,
        state.test_mode,
    );
    spawn_webhook_worker(
        state.pool.clone(),
        state.clock.clone(),
        state.test_mode,
        state.config.webhook_allow_private,
    );
}

fn spawn_purge_job(pool: Pool, sessions: Sessions, clock: Clock, every_secs: u64, test_mode: bool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every_secs.max(1)));
        loop {
            tick.tick().await;
            if test_mode && let Err(error) = crate::server::test_clock::sync(&pool, &clock).await {
                tracing::error!(?error, "reading the test clock");
            }
            // A failed pass is logged and retried by the next one.
            let _ = warn_then_purge(&pool, clock.now()).await;
            if let Err(error) = housekeeping(&pool, &sessions, clock.now()).await {
                tracing::error!(%error, "housekeeping pass failed; the next pass retries");
            }
        }
    });
}

/// Sends due webhook deliveries every second, in the background: nothing else waits for them.
fn spawn_webhook_worker(pool: Pool, clock: Clock, test_mode: bool, allow_private: bool) {
    use notifications::webhook;
    tokio::spawn(async move {
        let sender = webhook::Sender::new(allow_private);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if test_mode && let Err(error) = crate::server::test_clock::sync(&pool, &clock).await {
                tracing::error!(?error, "reading the test clock");
            }
            if let Err(error) = webhook::deliver_due(&pool, &sender, clock.now()).await {
                tracing::error!(?error, "webhook worker pass failed; the next one retries");
            }
        }
    });
}

/// Expired sessions, stale throttle rows, old idempotency keys and audit events past their 180
/// days are deleted.
async fn housekeeping(pool: &Pool, sessions: &Sessions, now: i64) -> Result<(), BoxError> {
    use tower_sessions::session_store::ExpiredDeletion;
    sessions.delete_expired().await?;
    api::idempotency::forget_old(pool, now).await?;
    let forgotten = audit::service::forget_old(pool, now).await?;
    if forgotten > 0 {
        tracing::info!(forgotten, "audit events older than 180 days deleted");
    }
    crate::server::throttle::forget_stale(pool, now, crate::domain::throttle::SIGN_UP_PER_ADDRESS)
        .await?;
    Ok(())
}
