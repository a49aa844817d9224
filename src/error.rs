use serde::{Deserialize, Serialize};

/// Every refusal the console can give. Each maps to one HTTP status and a plain message; on the
/// wire it is `{"kind": "Conflict", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", from = "WireErrorIn")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("Incorrect username or password.")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// A request the server could not read: missing or mistyped fields, a body of the wrong kind.
    #[error("{0}")]
    BadRequest(String),
    #[error("The request is too large. Nothing was changed.")]
    TooLarge,
    /// An address that exists, called with a method it does not answer.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Too many attempts: refused for this many seconds.
    #[error("Too many attempts. Try again in {}.", wait_words(*.0))]
    Throttled(u64),
    /// The server is at capacity for this kind of work; try again in this many seconds.
    #[error("The console is busy. Nothing was changed; please try again in {}.", wait_words(*.0))]
    Busy(u64),
    /// The workspace's deletion protection is on: a 409 like `Conflict`, recorded as `Denied`.
    #[error("{0}")]
    Protected(String),
    /// A name held by a Recycle Bin entry; the UI offers to recover that entry.
    #[error("{0}")]
    NameReserved(String),
    #[error("Something went wrong on our side and nothing was changed. Please try again.")]
    Internal,
    #[error("The console could not be reached ({0}). Nothing was changed; please try again.")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::TooLarge => 413,
            AppError::MethodNotAllowed(_) => 405,
            AppError::Invalid(_) => 422,
            AppError::Throttled(_) => 429,
            AppError::Busy(_) => 503,
            AppError::Conflict(_) | AppError::NameReserved(_) | AppError::Protected(_) => 409,
            AppError::Internal => 500,
            AppError::Transport(_) => 503,
        }
    }

    /// Seconds a client should wait before trying again (`Retry-After`), for refusals that have one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Throttled(secs) | AppError::Busy(secs) => Some(*secs),
            _ => None,
        }
    }

    /// The variant's name (`"Conflict"`, `"NotFound"`, …): the `kind` of the console's wire error
    /// and the `code` of the API's.
    pub fn kind(&self) -> String {
        if let AppError::Protected(_) = self {
            return "Conflict".into();
        }
        let name = format!("{self:?}");
        name.split('(').next().unwrap_or_default().to_owned()
    }

    pub fn full_access_required() -> Self {
        AppError::Forbidden("Requires AliyunDataWorksFullAccess.".into())
    }
}

fn wait_words(secs: u64) -> String {
    match secs {
        0 | 1 => "1 second".into(),
        s if s < 120 => format!("{s} seconds"),
        s => format!("{} minutes", s.div_ceil(60)),
    }
}

#[derive(Serialize)]
struct WireError {
    kind: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
}

impl From<AppError> for WireError {
    fn from(error: AppError) -> Self {
        WireError {
            kind: error.kind(),
            message: error.to_string(),
            retry_after: error.retry_after(),
        }
    }
}

/// The same error as it is read: by serde on the server and in tests, by miniserde in the browser
/// (see [`crate::codec`]). A missing `retry_after` is `None` to both.
#[derive(Deserialize, miniserde::Deserialize)]
pub(crate) struct WireErrorIn {
    kind: String,
    message: String,
    retry_after: Option<u64>,
}

impl From<WireErrorIn> for AppError {
    fn from(wire: WireErrorIn) -> Self {
        let WireErrorIn {
            kind,
            message,
            retry_after,
        } = wire;
        match kind.as_str() {
            "Unauthenticated" => AppError::Unauthenticated,
            "BadCredentials" => AppError::BadCredentials,
            "Forbidden" => AppError::Forbidden(message),
            "NotFound" => AppError::NotFound(message),
            "Invalid" => AppError::Invalid(message),
            "Conflict" => AppError::Conflict(message),
            "NameReserved" => AppError::NameReserved(message),
            "BadRequest" => AppError::BadRequest(message),
            "TooLarge" => AppError::TooLarge,
            "MethodNotAllowed" => AppError::MethodNotAllowed(message),
            "Throttled" => AppError::Throttled(retry_after.unwrap_or(1)),
            "Busy" => AppError::Busy(retry_after.unwrap_or(1)),
            "Internal" => AppError::Internal,
            _ => AppError::Transport(message),
        }
    }
}

/// A part of the console's code (a dialog, a panel) that the browser could not download.
impl From<leptos::wasm_split::SplitLoaderError> for AppError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        AppError::Transport("this part of the page did not download".to_owned())
    }
}

/// The console's JSON error (`{"kind": …, "message": …}`) with the error's status, and
/// `Retry-After` when it has one: the answer to a refusal made outside a server function. The
/// response also carries the error itself, so the API can answer it in its own shape.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, StatusCode, header};
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, axum::Json(&self)).into_response();
        if let Some(secs) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        // PostgreSQL's text cannot hold NUL (SQLSTATE 22021): the caller's input, not our fault.
        if let sqlx::Error::Database(db) = &error
            && db.code().as_deref() == Some("22021")
        {
            return AppError::BadRequest(
                "The request holds a character that cannot be stored (NUL). Nothing was changed."
                    .into(),
            );
        }
        tracing::error!(%error, "database error");
        AppError::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Any error, for start-up and tools (`main`, the benchmarks).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_travel_as_kind_and_message() {
        for error in [
            AppError::BadCredentials,
            AppError::Conflict("taken".into()),
            AppError::NameReserved("in the bin".into()),
            AppError::Internal,
            AppError::BadRequest("missing field".into()),
            AppError::TooLarge,
            AppError::Throttled(90),
            AppError::Busy(1),
        ] {
            let json = serde_json::to_string(&error).unwrap();
            assert!(json.contains(&error.to_string()), "{json}");
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
        }
    }
}

#[cfg(test)]
mod wait_tests {
    use super::*;

    #[test]
    fn throttled_and_busy_say_how_long_to_wait_and_carry_it() {
        assert_eq!(
            AppError::Throttled(90).to_string(),
            "Too many attempts. Try again in 90 seconds."
        );
        assert_eq!(
            AppError::Throttled(900).to_string(),
            "Too many attempts. Try again in 15 minutes."
        );
        assert_eq!(AppError::Throttled(900).status(), 429);
        assert_eq!(AppError::Busy(1).status(), 503);
        assert_eq!(AppError::Busy(2).retry_after(), Some(2));
        assert_eq!(AppError::Conflict("x".into()).retry_after(), None);
    }
}
