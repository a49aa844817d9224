//! Webhook delivery from the outbox. Every instance runs a worker that claims due deliveries
//! (each claim pushes the row's next attempt out by a lease, so no two instances send it at once),
//! POSTs them with a short timeout, and then marks them delivered (2xx) or sets the next attempt
//! with exponential backoff, until 24 hours after the notice, when it gives up. Requests and the
//! purge job only ever insert rows: a slow or dead receiver delays nothing but its own deliveries.
use crate::error::AppResult;
use crate::store::Pool;
use std::time::Duration;

/// Deliveries one worker claims at a time.
pub const CLAIM: i64 = 20;
/// A claimed delivery whose worker died is tried again after this long.
pub const LEASE_SECS: i64 = 60;
/// Deliveries are retried until this long after the notice was created.
pub const GIVE_UP_AFTER_SECS: i64 = 24 * 3600;
/// How long one POST may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Seconds to wait after the `attempts`-th failed try: 10 s, 20 s, 40 s, … at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 20) - 1;
    (10_i64 << exponent).min(3600)
}

/// The HTTP client of the worker: no redirects followed (a receiver answers for itself).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("WorkspaceConsole-Webhook/1")
        .build()
        .unwrap_or_default()
}

/// Claims and sends every delivery due at `now`; answers how many were accepted.
pub async fn deliver_due(pool: &Pool, client: &reqwest::Client, now: i64) -> AppResult<u64> {
    // Most ticks find nothing due: a plain read, so an idle worker never takes the write lock.
    let any: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM webhook_outbox WHERE done_at IS NULL AND next_attempt_at <= $1 LIMIT 1",
    )
    .bind(now)
    .fetch_optional(pool)
    .await?;
    if any.is_none() {
        return Ok(0);
    }
    let mut tx = crate::store::write_tx(pool).await?;
    // A delivery whose 24 hours passed while no worker ran (every instance was down) is given up,
    // not sent days late.
    sqlx::query(
        "UPDATE webhook_outbox SET done_at = $1, outcome = 'GaveUp', last_error = 'not delivered within 24 hours'
         WHERE done_at IS NULL AND created_at <= $2",
    )
    .bind(now)
    .bind(now.saturating_sub(GIVE_UP_AFTER_SECS))
    .execute(&mut *tx)
    .await?;
    let claim = crate::store::claim_rows(&tx);
    let due: Vec<(i64, String, String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT id, url, body, attempts, created_at FROM webhook_outbox
         WHERE done_at IS NULL AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2{claim}"
    ))
    .bind(now)
    .bind(CLAIM)
    .fetch_all(&mut *tx)
    .await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let list = due
        .iter()
        .map(|d| d.0.to_string())
        .collect::<Vec<_>>()
        .join(",");
    sqlx::query(&format!(
        "UPDATE webhook_outbox SET next_attempt_at = $1 WHERE id IN ({list})"
    ))
    .bind(now.saturating_add(LEASE_SECS))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    let sends = due
        .into_iter()
        .map(|(id, url, body, attempts, created_at)| async move {
            let answer = client
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("X-Console-Notice-Id", notice_id_of(&body))
                .body(body)
                .send()
                .await;
            let failure = match answer {
                Ok(response) if response.status().is_success() => None,
                Ok(response) => Some(format!("answered {}", response.status())),
                Err(error) => Some(describe(&error)),
            };
            (id, attempts + 1, created_at, failure)
        });
    let results = futures::future::join_all(sends).await;
    let mut accepted = 0;
    for (id, attempts, created_at, failure) in results {
        match failure {
            None => {
                accepted += 1;
                sqlx::query(
                    "UPDATE webhook_outbox SET attempts = $1, done_at = $2, outcome = 'Delivered', last_error = '' WHERE id = $3",
                )
                .bind(attempts)
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
            }
            Some(error) => {
                let next = now.saturating_add(backoff_secs(attempts));
                let give_up = next > created_at.saturating_add(GIVE_UP_AFTER_SECS);
                tracing::warn!(id, attempts, error, give_up, "webhook delivery failed");
                sqlx::query(
                    "UPDATE webhook_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3,
                         done_at = CASE WHEN $4 THEN $5 ELSE NULL END,
                         outcome = CASE WHEN $4 THEN 'GaveUp' ELSE NULL END
                     WHERE id = $6",
                )
                .bind(attempts)
                .bind(error)
                .bind(next)
                .bind(give_up)
                .bind(now)
                .bind(id)
                .execute(pool)
                .await?;
            }
        }
    }
    Ok(accepted)
}

fn notice_id_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_ten_seconds_up_to_an_hour() {
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(2), 20);
        assert_eq!(backoff_secs(3), 40);
        assert_eq!(backoff_secs(10), 3600);
        assert_eq!(backoff_secs(1000), 3600);
    }
}
