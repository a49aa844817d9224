//! How answers travel: JSON written by serde_json on the server and read by miniserde in the
//! browser.
//!
//! - Server functions take their arguments as a [`Form`] and answer with [`Json`]
//!   (`#[server(…, input = crate::codec::Form, output = crate::codec::Json)]`), and refuse with an
//!   [`crate::error::AppError`] in [`ErrorJson`].
//! - A page's resources use [`resource`], whose data the server writes into the HTML and the
//!   browser reads back without asking again.
//!
//! The JSON is serde's own: callers of the server functions over HTTP see the same answers as
//! before. Reading it with miniserde instead of serde_json keeps serde_json's deserializer, and the
//! float formatting its error messages bring, out of the WASM the browser downloads: miniserde
//! reads through one small non-generic parser and its errors carry no text. An answer's type
//! derives `miniserde::Deserialize` next to serde's traits.
use crate::error::AppError;
use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use leptos::server_fn::codec::Post;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, `application/json`: written with serde_json, read with miniserde.
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: miniserde::Deserialize> Decodes<T> for JsonText {
    type Error = Unreadable;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        read_bytes(&bytes)
    }
}

/// A server function's answer: `#[server(…, output = crate::codec::Json)]`.
pub type Json = Post<JsonText>;

/// A server function's arguments: a form (`application/x-www-form-urlencoded`), written and read
/// with serde_qs exactly as leptos's own `PostUrl` does, except that an argument that cannot be
/// read is refused in words that name it ("`page` must be a whole number.", "The key `page` is
/// repeated.") instead of the parser's text, which names Rust's types.
pub struct FormText;

impl ContentType for FormText {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl FormatType for FormText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for FormText {
    type Error = serde_qs::Error;

    fn encode(arguments: &T) -> Result<Bytes, Self::Error> {
        serde_qs::to_string(arguments).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for FormText {
    type Error = FormRefused;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        read_form(&bytes)
    }
}

/// A server function's arguments: `#[server(…, input = crate::codec::Form, …)]`.
pub type Form = Post<FormText>;

/// Why a form could not be read, as the refusal says it (ending with
/// [`crate::domain::input::NOTHING_CHANGED`], which is how [`AppError::from_server_fn_error`]
/// knows the words are the console's own).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} {nothing}", nothing = crate::domain::input::NOTHING_CHANGED)]
pub struct FormRefused(String);

/// The form `bytes` read into `T`, as `PostUrl` reads it (serde_qs, at most 5 levels deep, brackets
/// may be percent-encoded); on the server, the argument that fails is named.
fn read_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, FormRefused> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(FormRefused("The form is not UTF-8 text.".into()));
    }
    let config = serde_qs::Config::new(5, false);
    let reader = serde_qs::Deserializer::with_config(&config, bytes)
        .map_err(|_| FormRefused("The form could not be read.".into()))?;
    #[cfg(feature = "ssr")]
    let read = serde_path_to_error::deserialize(reader).map_err(|error| {
        crate::domain::input::refusal(&error.path().to_string(), &error.inner().to_string())
    });
    #[cfg(not(feature = "ssr"))]
    let read = <T as serde::Deserialize>::deserialize(reader)
        .map_err(|error| crate::domain::input::refusal(".", &error.to_string()));
    read.map_err(FormRefused)
}

/// An answer that is not the JSON its type expects (or not UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the answer could not be read")]
pub struct Unreadable;

/// Reads JSON the way the browser does (the live stream's events too).
pub fn read<T: miniserde::Deserialize>(text: &str) -> Result<T, Unreadable> {
    miniserde::json::from_str(text).map_err(|_| Unreadable)
}

fn read_bytes<T: miniserde::Deserialize>(bytes: &[u8]) -> Result<T, Unreadable> {
    read(std::str::from_utf8(bytes).map_err(|_| Unreadable)?)
}

/// A server function's refusal: the [`AppError`]'s `{"kind": …, "message": …}`.
pub struct ErrorJson;

impl ContentType for ErrorJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for ErrorJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encodes<AppError> for ErrorJson {
    type Error = serde_json::Error;

    fn encode(output: &AppError) -> Result<Bytes, Self::Error> {
        JsonText::encode(output)
    }
}

impl Decodes<AppError> for ErrorJson {
    type Error = Unreadable;

    fn decode(bytes: Bytes) -> Result<AppError, Self::Error> {
        read_bytes::<crate::error::WireErrorIn>(&bytes).map(AppError::from)
    }
}

/// A resource's value in the page's HTML: `{"ok": [value]}`, or `{"ok": [], "err": {"kind": …,
/// "message": …}}`. The value sits in a list so that an `Ok(None)` (`[null]`) stays apart from an
/// error, which a plain `{"Ok": null}` would not in miniserde, where a missing key and `null` are
/// both `None`.
pub struct Hydration;

#[derive(Serialize)]
struct OutcomeOut<'a, T> {
    ok: &'a [T],
    err: Option<&'a AppError>,
}

#[derive(miniserde::Deserialize)]
struct Outcome<T> {
    ok: Vec<T>,
    err: Option<crate::error::WireErrorIn>,
}

impl<T: Serialize> Encoder<Result<T, AppError>> for Hydration {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &Result<T, AppError>) -> Result<String, Self::Error> {
        serde_json::to_string(&match value {
            Ok(value) => OutcomeOut {
                ok: std::slice::from_ref(value),
                err: None,
            },
            Err(error) => OutcomeOut {
                ok: &[],
                err: Some(error),
            },
        })
    }
}

impl<T: miniserde::Deserialize> Decoder<Result<T, AppError>> for Hydration {
    type Error = Unreadable;
    type Encoded = str;

    fn decode(text: &str) -> Result<Result<T, AppError>, Self::Error> {
        let Outcome { mut ok, err } = read::<Outcome<T>>(text)?;
        match (ok.pop(), ok.is_empty(), err) {
            (Some(value), true, None) => Ok(Ok(value)),
            (None, _, Some(error)) => Ok(Err(error.into())),
            _ => Err(Unreadable),
        }
    }
}

/// A page's resource (`Resource::new` with this module's encoding): read again whenever `source`
/// changes, its first value rendered by the server and taken from the HTML in the browser.
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<Result<T, AppError>, Hydration>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + miniserde::Deserialize + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// The answers of a page's list, for a list built once with keyed rows (a refresh re-renders only
/// the rows that changed, so focus, an open menu and typed text survive it: SPEC §19).
pub struct Answers<T: Send + Sync + 'static>(
    leptos::prelude::RwSignal<Option<Result<T, AppError>>>,
);

impl<T: Send + Sync + 'static> Clone for Answers<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Answers<T> {}

impl<T: Clone + Send + Sync + 'static> Answers<T> {
    pub fn new() -> Self {
        Self(leptos::prelude::RwSignal::new(None))
    }

    /// Awaited inside the list's `Transition` (and not tracked there, so the list is not built
    /// again): takes the first answer of `resource` (the server's, taken from the HTML in the
    /// browser), then every later one, heard inside that `Transition` too (heard outside, a reload
    /// would show the console frame's fallback instead of the page).
    pub async fn follow(self, resource: Resource<Result<T, AppError>, Hydration>) {
        use leptos::prelude::{Effect, Get, Set};
        use leptos::reactive::computed::ScopedFuture;
        self.0.set(Some(
            ScopedFuture::new_untracked(resource.into_future()).await,
        ));
        Effect::new(move |_| {
            if let Some(answer) = resource.get() {
                self.0.set(Some(answer));
            }
        });
    }

    /// `f` of the last answer, if it was not a refusal (tracked).
    pub fn with_ok<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        use leptos::prelude::With;
        self.0
            .with(|a| a.as_ref().and_then(|a| a.as_ref().ok()).map(f))
    }

    /// The last answer's refusal, if it was one (tracked).
    pub fn error(&self) -> Option<AppError> {
        use leptos::prelude::With;
        self.0
            .with(|a| a.as_ref().and_then(|a| a.as_ref().err().cloned()))
    }
}

impl<T: Clone + Send + Sync + 'static> Default for Answers<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A server function refuses with an [`AppError`], sent as [`ErrorJson`].
impl FromServerFnError for AppError {
    type Encoder = ErrorJson;

    /// On the server, a request whose arguments cannot be read is the caller's mistake (400), in
    /// the words of [`FormText`] (the parser's own text, which names Rust's types, is never
    /// shown); in the browser, every such error means the console could not be reached.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        use crate::domain::input::NOTHING_CHANGED;
        match value {
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail)
                if cfg!(feature = "ssr") =>
            {
                if detail.ends_with(NOTHING_CHANGED) {
                    AppError::BadRequest(detail.into())
                } else if detail.contains("length limit exceeded") {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(
                        format!("The request could not be read. {NOTHING_CHANGED}").into(),
                    )
                }
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, miniserde::Deserialize)]
    struct Row {
        name: String,
        count: i64,
        note: Option<String>,
    }

    #[test]
    fn answers_written_by_serde_read_back_and_bad_bytes_are_refused() {
        let rows = vec![Row {
            name: "ä \"q\" \\ \u{1F600}".into(),
            count: -3,
            note: None,
        }];
        let bytes = <JsonText as Encodes<_>>::encode(&rows).unwrap();
        let back: Vec<Row> = JsonText::decode(bytes).unwrap();
        assert_eq!(back, rows);
        assert_eq!(
            <JsonText as Decodes<Vec<String>>>::decode(Bytes::from_static(b"[\"\xff\"]")),
            Err(Unreadable)
        );
        assert_eq!(
            <JsonText as Decodes<Vec<String>>>::decode(Bytes::from_static(b"{")),
            Err(Unreadable)
        );
        assert_eq!(
            <JsonText as Decodes<i64>>::decode(Bytes::from_static(b"\"7\"")),
            Err(Unreadable)
        );
        // `()` and `None` answers, as serde_json writes them.
        let unit = <JsonText as Encodes<()>>::encode(&()).unwrap();
        assert_eq!(<JsonText as Decodes<()>>::decode(unit), Ok(()));
        let none = <JsonText as Encodes<Option<Row>>>::encode(&None).unwrap();
        assert_eq!(<JsonText as Decodes<Option<Row>>>::decode(none), Ok(None));
    }

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Arguments {
        workspace: String,
        page: i64,
        freeze_tasks: bool,
        user_id: Option<i64>,
    }

    #[test]
    fn arguments_travel_as_a_form_and_a_bad_one_is_named() {
        let arguments = Arguments {
            workspace: "sales dw & co".into(),
            page: 2,
            freeze_tasks: true,
            user_id: None,
        };
        let bytes = <FormText as Encodes<_>>::encode(&arguments).unwrap();
        let back: Arguments = FormText::decode(bytes).unwrap();
        assert_eq!(back, arguments);
        for (form, want) in [
            (
                "workspace=a&page=abc&freeze_tasks=true",
                "`page` must be a whole number.",
            ),
            (
                "workspace=a&page=&freeze_tasks=true",
                "`page` must be a whole number.",
            ),
            (
                "workspace=a&page=99999999999999999999&freeze_tasks=true",
                "`page` is out of range.",
            ),
            (
                "workspace=a&page=1&freeze_tasks=maybe",
                "`freeze_tasks` must be true or false.",
            ),
            (
                "workspace=a&page[x]=1&freeze_tasks=true",
                "`page` must be a whole number.",
            ),
            (
                "workspace=a&page=1&page=2&freeze_tasks=true",
                "The key `page` is repeated.",
            ),
            ("page=1&freeze_tasks=true", "`workspace` is required."),
        ] {
            let refused = <FormText as Decodes<Arguments>>::decode(Bytes::from(form));
            assert_eq!(refused, Err(FormRefused(want.into())), "{form}");
            assert_eq!(
                refused.unwrap_err().to_string(),
                format!("{want} Nothing was changed.")
            );
        }
        assert_eq!(
            <FormText as Decodes<Arguments>>::decode(Bytes::from_static(b"\xff=1")),
            Err(FormRefused("The form is not UTF-8 text.".into()))
        );
    }

    #[test]
    fn a_server_functions_unreadable_arguments_are_a_plain_400() {
        let refused = FormRefused("`page` must be a whole number.".into()).to_string();
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(refused.clone())),
            AppError::BadRequest(refused.into())
        );
        // Anything else the framework says is not repeated.
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
                "invalid utf-8 sequence of 1 bytes from index 0".into()
            )),
            AppError::BadRequest("The request could not be read. Nothing was changed.".into())
        );
        assert_eq!(
            AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(
                "length limit exceeded".into()
            )),
            AppError::TooLarge
        );
    }

    #[test]
    fn refusals_read_back_as_the_same_error() {
        for error in [
            AppError::Conflict("taken".into()),
            AppError::Throttled(30),
            AppError::Unauthenticated,
        ] {
            let bytes = ErrorJson::encode(&error).unwrap();
            assert_eq!(ErrorJson::decode(bytes).unwrap(), error);
        }
        assert_eq!(
            ErrorJson::decode(Bytes::from_static(b"not json")),
            Err(Unreadable)
        );
    }

    #[test]
    fn resource_values_read_back_both_ways() {
        type Viewerish = Result<Option<Vec<i64>>, AppError>;
        let values: [Viewerish; 4] = [
            Ok(Some(vec![1, 2])),
            Ok(None),
            Err(AppError::NotFound("gone".into())),
            Err(AppError::Busy(5)),
        ];
        for value in values {
            let text = Hydration::encode(&value).unwrap();
            assert_eq!(
                <Hydration as Decoder<Viewerish>>::decode(&text).unwrap(),
                value
            );
        }
        for bad in [
            "{}",
            "{\"ok\":[]}",
            "{\"ok\":[[1],[2]]}",
            "{\"ok\":[[1]],\"err\":{\"kind\":\"Internal\",\"message\":\"\"}}",
            "[1]",
        ] {
            assert_eq!(
                <Hydration as Decoder<Viewerish>>::decode(bad),
                Err(Unreadable)
            );
        }
    }
}
