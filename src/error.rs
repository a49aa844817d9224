use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Every refusal the console can give. Each maps to one HTTP status and a plain message; on the
/// wire it is `{"kind": "Conflict", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", from = "WireError")]
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
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) | AppError::NameReserved(_) => 409,
            AppError::Internal => 500,
            AppError::Transport(_) => 503,
        }
    }

    pub fn full_access_required() -> Self {
        AppError::Forbidden("Requires AliyunDataWorksFullAccess.".into())
    }
}

#[derive(Serialize, Deserialize)]
struct WireError {
    kind: String,
    message: String,
}

impl From<AppError> for WireError {
    fn from(error: AppError) -> Self {
        let kind = format!("{error:?}");
        let kind = kind.split('(').next().unwrap_or_default().to_owned();
        WireError {
            kind,
            message: error.to_string(),
        }
    }
}

impl From<WireError> for AppError {
    fn from(wire: WireError) -> Self {
        let WireError { kind, message } = wire;
        match kind.as_str() {
            "Unauthenticated" => AppError::Unauthenticated,
            "BadCredentials" => AppError::BadCredentials,
            "Forbidden" => AppError::Forbidden(message),
            "NotFound" => AppError::NotFound(message),
            "Invalid" => AppError::Invalid(message),
            "Conflict" => AppError::Conflict(message),
            "NameReserved" => AppError::NameReserved(message),
            "Internal" => AppError::Internal,
            _ => AppError::Transport(message),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        AppError::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;

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
        ] {
            let json = serde_json::to_string(&error).unwrap();
            assert!(json.contains(&error.to_string()), "{json}");
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
        }
    }
}
