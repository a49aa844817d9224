//! `Idempotency-Key` on a POST or DELETE: the first request with a key (per AccessKey) runs and its
//! answer is stored in the database; a repeat within 24 hours gets that answer again without
//! acting twice, on any instance. A repeat while the first still runs gets 409; the same key for a
//! different request gets 422. An answer of 500 or more is not kept, so a retry can act.
use super::{ApiError, Caller};
use crate::error::AppError;
use crate::server::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// A key is kept this long.
pub const KEPT_SECS: i64 = 24 * 3600;
/// A claim with no answer after this long was abandoned (the client left and the request was
/// dropped, or the instance stopped): a repeat takes it over instead of waiting a day.
pub const ABANDONED_SECS: i64 = 120;
const MAX_KEY_LEN: usize = 255;
/// Answers larger than this are not kept (the API's answers are far smaller).
const MAX_KEPT_BODY: usize = 1024 * 1024;

pub async fn replay(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::POST | Method::DELETE) {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get("idempotency-key") else {
        return next.run(request).await;
    };
    let key = match key.to_str() {
        Ok(k)
            if !k.is_empty()
                && k.len() <= MAX_KEY_LEN
                && k.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            k.to_owned()
        }
        _ => {
            return ApiError(AppError::BadRequest(
                format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters.")
                    .into(),
            ))
            .into_response();
        }
    };
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return next.run(request).await;
    };
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::server::http::MAX_BODY_BYTES).await else {
        return ApiError(AppError::TooLarge).into_response();
    };
    let fingerprint = {
        let mut h = Sha256::new();
        h.update(parts.method.as_str());
        h.update(b" ");
        h.update(parts.uri.to_string());
        h.update(b"\n");
        h.update(&bytes);
        format!("{:x}", h.finalize())
    };
    let now = state.clock.now();
    match claim(&state, &caller, &key, &fingerprint, now).await {
        Ok(Claim::Run) => {}
        Ok(Claim::Replay(status, body)) => {
            // A kept refusal names this request's id, as every refusal does.
            let body = match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(mut json) if status >= 400 => {
                    json["request_id"] = serde_json::Value::from(request_id);
                    json.to_string()
                }
                _ => body,
            };
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            let headers = response.headers_mut();
            headers.insert(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
            return response;
        }
        Err(error) => return ApiError(error).into_response(),
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    // A refusal's JSON is rendered by an outer layer; keep what it will say.
    let error = parts.extensions.get::<AppError>().cloned();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_BODY).await else {
        forget(&state, &caller, &key).await;
        return ApiError(AppError::Internal).into_response();
    };
    let status = parts.status.as_u16();
    if status >= 500 {
        forget(&state, &caller, &key).await;
    } else {
        let kept = match &error {
            Some(error) => {
                serde_json::to_string(&super::error_body(error, String::new())).unwrap_or_default()
            }
            None => String::from_utf8_lossy(&bytes).into_owned(),
        };
        keep(&state, &caller, &key, status, &kept).await;
    }
    Response::from_parts(parts, Body::from(bytes))
}

enum Claim {
    Run,
    Replay(u16, String),
}

async fn claim(
    state: &AppState,
    caller: &Caller,
    key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<Claim, AppError> {
    let mut tx = crate::store::write_tx(&state.pool).await?;
    // A key older than a day is free again, and so is a claim abandoned without an answer.
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE access_key = $1 AND key = $2
         AND (created_at <= $3 OR (status IS NULL AND created_at <= $4))",
    )
    .bind(&caller.key_id)
    .bind(key)
    .bind(now - KEPT_SECS)
    .bind(now - ABANDONED_SECS)
    .execute(&mut *tx)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (access_key, key, fingerprint, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (access_key, key) DO NOTHING",
    )
    .bind(&caller.key_id)
    .bind(key)
    .bind(fingerprint)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        tx.commit().await?;
        return Ok(Claim::Run);
    }
    let (kept_fingerprint, status, body): (String, Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT fingerprint, status, body FROM idempotency_keys WHERE access_key = $1 AND key = $2",
    )
    .bind(&caller.key_id)
    .bind(key)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    match (status, body) {
        (Some(_), Some(_)) if kept_fingerprint != fingerprint => Err(AppError::Invalid(
            "This Idempotency-Key was used for a different request. Use a new key for a new request.".into(),
        )),
        (Some(status), Some(body)) => Ok(Claim::Replay(status as u16, body)),
        _ => Err(AppError::Conflict(
            "A request with this Idempotency-Key is still running. Try again in a moment.".into(),
        )),
    }
}

async fn keep(state: &AppState, caller: &Caller, key: &str, status: u16, body: &str) {
    let kept = sqlx::query(
        "UPDATE idempotency_keys SET status = $1, body = $2 WHERE access_key = $3 AND key = $4",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(&caller.key_id)
    .bind(key)
    .execute(&state.pool)
    .await;
    if let Err(error) = kept {
        tracing::error!(%error, "keeping an idempotent answer");
    }
}

async fn forget(state: &AppState, caller: &Caller, key: &str) {
    let forgotten = sqlx::query("DELETE FROM idempotency_keys WHERE access_key = $1 AND key = $2")
        .bind(&caller.key_id)
        .bind(key)
        .execute(&state.pool)
        .await;
    if let Err(error) = forgotten {
        tracing::error!(%error, "forgetting an idempotency key");
    }
}

/// Deletes keys older than a day (the purge job's housekeeping).
pub async fn forget_old(pool: &crate::store::Pool, now: i64) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at <= $1")
            .bind(now - KEPT_SECS)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
