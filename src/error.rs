use crate::i18n::{Key, Lang, Msg, k};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every refusal the console can give. Each maps to one HTTP status and a message, keyed in the
/// translation tables (`crate::i18n`) so the console words it in the reader's language; on the
/// wire it is `{"kind": "Conflict", "message": "…"}` with the English message, and, for the
/// console, the message's `key` and `params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "WireError", from = "WireErrorIn")]
pub enum AppError {
    Unauthenticated,
    BadCredentials,
    Forbidden(Msg),
    NotFound(Msg),
    Invalid(Msg),
    Conflict(Msg),
    /// A request the server could not read: missing or mistyped fields, a body of the wrong kind.
    BadRequest(Msg),
    TooLarge,
    /// An address that exists, called with a method it does not answer.
    MethodNotAllowed(Msg),
    /// Too many attempts: refused for this many seconds.
    Throttled(u64),
    /// The server is at capacity for this kind of work; try again in this many seconds.
    Busy(u64),
    /// The workspace's deletion protection is on: a 409 like `Conflict`, recorded as `Denied`.
    Protected(Msg),
    /// A name held by a Recycle Bin entry; the UI offers to recover that entry.
    NameReserved(Msg),
    Internal,
    /// The console could not be reached; the reason as the browser gave it.
    Transport(String),
}

/// In English: the API's `message`, the logs'.
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_lang(Lang::En))
    }
}

impl std::error::Error for AppError {}

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
        AppError::Forbidden(Msg::new(k::error_full_access_required))
    }

    /// Its message's key and parameters, if it has a keyed one.
    #[cfg(feature = "ssr")]
    pub fn worded(&self) -> Option<crate::i18n::Worded> {
        crate::i18n::Worded::of(&self.as_msg())
    }

    /// Its message: keyed where its words are one text of the tables, else its English.
    #[cfg(feature = "ssr")]
    pub fn as_msg(&self) -> Msg {
        match (self.fixed_key(), self.msg()) {
            (Some(key), _) => Msg::new(key),
            (None, Some(m)) => m.clone(),
            (None, None) => Msg::plain(self.to_string()),
        }
    }

    /// The key of a refusal whose words never vary (no message of its own, no parameter).
    fn fixed_key(&self) -> Option<Key> {
        match self {
            AppError::Unauthenticated => Some(k::error_unauthenticated),
            AppError::BadCredentials => Some(k::error_bad_credentials),
            AppError::TooLarge => Some(k::error_too_large),
            AppError::Internal => Some(k::error_internal),
            _ => None,
        }
    }

    /// The message, if the refusal carries one of its own.
    pub fn msg(&self) -> Option<&Msg> {
        match self {
            AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Invalid(m)
            | AppError::Conflict(m)
            | AppError::BadRequest(m)
            | AppError::MethodNotAllowed(m)
            | AppError::Protected(m)
            | AppError::NameReserved(m) => Some(m),
            _ => None,
        }
    }

    /// The refusal worded in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        if let Some(key) = self.fixed_key() {
            return lang.text(key).to_owned();
        }
        match self {
            AppError::Throttled(secs) => {
                lang.fill(k::error_throttled, &[("wait", &wait_words(lang, *secs))])
            }
            AppError::Busy(secs) => lang.fill(k::error_busy, &[("wait", &wait_words(lang, *secs))]),
            AppError::Transport(reason) => lang.fill(k::error_transport, &[("reason", reason)]),
            other => other.msg().map(|m| m.in_lang(lang)).unwrap_or_default(),
        }
    }
}

fn wait_words(lang: Lang, secs: u64) -> String {
    match secs {
        0 | 1 => lang.text(k::wait_one_second).to_owned(),
        s if s < 120 => lang.fill(k::wait_seconds, &[("n", &s)]),
        s => lang.fill(k::wait_minutes, &[("n", &s.div_ceil(60))]),
    }
}

#[derive(Serialize)]
struct WireError {
    kind: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    /// The message's key in the translation tables, and its parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    params: BTreeMap<String, String>,
    /// Parameters worded by a text of the tables: their keys' names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    texts: BTreeMap<String, &'static str>,
}

impl From<AppError> for WireError {
    fn from(error: AppError) -> Self {
        let keyed = error.msg().and_then(|m| {
            let texts: Option<BTreeMap<String, &'static str>> = m
                .texts()
                .iter()
                .map(|(name, key)| Some((name.clone(), wire_name(*key)?)))
                .collect();
            Some((wire_name(m.key()?)?, m.params(), texts?))
        });
        WireError {
            kind: error.kind(),
            message: error.to_string(),
            retry_after: error.retry_after(),
            key: keyed.as_ref().map(|(name, _, _)| *name),
            params: keyed
                .as_ref()
                .map(|(_, params, _)| params.iter().cloned().collect())
                .unwrap_or_default(),
            texts: keyed.map(|(_, _, texts)| texts).unwrap_or_default(),
        }
    }
}

#[cfg(feature = "ssr")]
fn wire_name(key: Key) -> Option<&'static str> {
    Some(crate::i18n::name_of(key)).filter(|name| !name.is_empty())
}

/// The browser sends no errors of its own.
#[cfg(not(feature = "ssr"))]
fn wire_name(_: Key) -> Option<&'static str> {
    None
}

/// The same error as it is read: by serde on the server and in tests, by miniserde in the browser
/// (see [`crate::codec`]). A missing `retry_after` is `None` to both.
#[derive(Deserialize, miniserde::Deserialize)]
pub(crate) struct WireErrorIn {
    kind: String,
    message: String,
    retry_after: Option<u64>,
    key: Option<String>,
    params: Option<BTreeMap<String, String>>,
    texts: Option<BTreeMap<String, String>>,
}

impl From<WireErrorIn> for AppError {
    fn from(wire: WireErrorIn) -> Self {
        let WireErrorIn {
            kind,
            message,
            retry_after,
            key,
            params,
            texts,
        } = wire;
        let message = Msg::from_wire(
            key.as_deref(),
            params.unwrap_or_default().into_iter().collect(),
            texts.unwrap_or_default().into_iter().collect(),
            message,
        );
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
            _ => AppError::Transport(message.to_string()),
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
            return AppError::BadRequest(Msg::new(k::error_nul_character));
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
