//! What every feature's API operations (`<feature>/api.rs`) share: who is calling ([`Caller`],
//! put in the request by `api`'s authentication), the refusal ([`ApiError`]) and its body, the
//! paths and headers several operations take, the permission check and the audit door as the API
//! goes through them. `crate::api` authenticates, renders refusals, replays idempotent requests and
//! assembles the routes and the OpenAPI document from the features.
use super::AppState;
use super::audit::{Change, Origin, Recorded};
use super::guard::audited;
use crate::domain::audit::{Action, Source};
use crate::domain::{Capability, Principal};
use crate::error::{AppError, AppResult};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::Arc;
use utoipa::{IntoParams, IntoResponses};

/// Who is calling: the AccessKey's user, and the key.
#[derive(Clone, Debug)]
pub struct Caller {
    pub principal: Principal,
    pub key_id: String,
    pub client_ip: String,
}

/// The error body of every refusal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// The kind of refusal: `Unauthenticated`, `Forbidden`, `NotFound`, `MethodNotAllowed`,
    /// `Invalid`, `Conflict`, `NameReserved`, `BadRequest`, `TooLarge`, `Throttled`, `Busy`,
    /// `Internal`.
    pub code: String,
    pub message: String,
    /// The `X-Request-Id` of the request, to quote when reporting it.
    pub request_id: String,
}

/// A refusal; `crate::api` renders its body with the request's id.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = status.into_response();
        if let Some(secs) = self.0.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(self.0);
        response
    }
}

pub type ApiResult<T> = Result<axum::Json<T>, ApiError>;

/// The refusals every operation may answer, each a `$ref` to the one `ApiErrorBody` schema (none
/// written out inline, so a generated client has one error type).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    /// The request could not be read: a missing or mistyped parameter or body field.
    #[response(status = 400)]
    BadRequest(ApiErrorBody),
    /// No valid, enabled AccessKey in `Authorization: Bearer <id>:<secret>`.
    #[response(status = 401)]
    Unauthenticated(ApiErrorBody),
    /// The AccessKey's user lacks the permission (e.g. "Requires AliyunDataWorksFullAccess.").
    #[response(status = 403)]
    Forbidden(ApiErrorBody),
    /// No such object in the caller's account (another account's objects answer the same).
    #[response(status = 404)]
    NotFound(ApiErrorBody),
    /// The object changed meanwhile (already deleted or recovered), the name is taken or reserved,
    /// or the Idempotency-Key is in use by a request still running.
    #[response(status = 409)]
    Conflict(ApiErrorBody),
    /// The body is larger than 1 MiB.
    #[response(status = 413)]
    TooLarge(ApiErrorBody),
    /// A value breaks a rule: a name convention, a confirmation that does not match, an expired
    /// entry, an Idempotency-Key reused for another request.
    #[response(status = 422)]
    Invalid(ApiErrorBody),
    /// Too many attempts; see `Retry-After`.
    #[response(status = 429)]
    Throttled(ApiErrorBody),
    /// Something failed on the server; nothing was changed.
    #[response(status = 500)]
    Internal(ApiErrorBody),
    /// The server is at capacity for key verification; see `Retry-After`.
    #[response(status = 503)]
    Busy(ApiErrorBody),
}

/// A workspace named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkspacePath {
    /// The workspace name, in any letter case: 3 to 64 letters, digits and underscores, starting
    /// with a letter or a digit. A name of no active workspace of the account answers 404.
    #[param(
        min_length = 3,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_]{2,63}$"
    )]
    pub name: String,
}

/// A Recycle Bin entry named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntryPath {
    /// The Recycle Bin entry's id (from `GET /recycle-bin`). An id of no entry of the account
    /// answers 404.
    pub id: i64,
}

/// A task named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TaskPath {
    /// The task's id (from `GET /tasks`). An id of no task of the account answers 404.
    pub id: i64,
}

/// The optional `Idempotency-Key` header of a change.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKey {
    /// 1 to 255 visible ASCII characters. A repeat of one key (by one AccessKey, within 24 hours)
    /// does not act again: it answers the first answer again, as it was then, not the current
    /// state (a repeated delete still answers its 200 after the workspace was recovered), with
    /// the header `Idempotent-Replayed: true`. A key reused for another request answers 422, and
    /// one whose first request is still running 409.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = "^[!-~]{1,255}$"
    )]
    pub idempotency_key: Option<String>,
}

pub fn may(caller: &Caller, capability: Capability) -> Result<(), ApiError> {
    caller.principal.require(capability).map_err(ApiError)
}

pub fn first_page() -> i64 {
    1
}

/// A change through the audit door, as the API.
pub async fn change<T, Fut>(
    state: &AppState,
    caller: &Caller,
    capability: Capability,
    action: Action,
    workspace: &str,
    body: impl FnOnce(AppState, Arc<Change>) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = AppResult<Recorded<T>>>,
{
    let origin = Origin::new(Source::Api, &caller.client_ip);
    audited(
        state,
        caller.principal.clone(),
        origin,
        workspace,
        capability,
        action,
        body,
    )
    .await
    .map_err(ApiError)
}
