//! The request's path parameters, query and JSON body, read into a handler's types with refusals
//! in the console's words: a 400 that names the parameter or field ("`page` must be a whole
//! number."), never a type of the server's or the framework's own text (`domain::input`). A JSON
//! body that repeats a key, at any depth, is refused before it is read: a proxy, a log or a
//! reviewer that reads the first of two keys would see another request than the one acted on.
//!
//! Each extractor refuses with an [`AppError`], which answers in the console's JSON error; under
//! the API, `api::render_errors` gives it the API's shape.
use crate::domain::input::{
    NOTHING_CHANGED, WHOLE_NUMBER, WHOLE_NUMBER_IN_RANGE, of_type, refusal,
};
use crate::domain::text::echo;
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};
use serde_json::Value;
use std::cell::RefCell;
use std::fmt;

/// A refusal of a request that could not be read: `sentence`, then "Nothing was changed."
pub fn unreadable(sentence: impl fmt::Display) -> AppError {
    AppError::BadRequest(format!("{sentence} {NOTHING_CHANGED}").into())
}

/// The path's parameters, read by name into `T` (a struct whose fields are the route's
/// parameters, so a refusal names the one that is wrong: "`id` in the path must be a whole
/// number.").
#[derive(Debug)]
pub struct PathOf<T>(pub T);

impl<T, S> FromRequestParts<S> for PathOf<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PathOf(value)),
            Err(rejection) => Err(path_refusal(rejection)),
        }
    }
}

/// The refusal of a path that could not be read, naming the parameter.
pub fn path_refusal(rejection: PathRejection) -> AppError {
    use axum::extract::path::ErrorKind;
    let failed = match rejection {
        PathRejection::FailedToDeserializePathParams(failed) => failed,
        other => {
            // A route whose handler reads parameters it does not have: the server's mistake.
            tracing::error!(rejection = %other, "path parameters missing");
            return AppError::Internal;
        }
    };
    let sentence = match failed.into_kind() {
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => format!(
            "`{}` in the path {}.",
            echo(&key),
            path_words(&value, expected_type)
        ),
        ErrorKind::ParseErrorAtIndex {
            index,
            value,
            expected_type,
        } => format!(
            "Parameter {} of the path {}.",
            index + 1,
            path_words(&value, expected_type)
        ),
        ErrorKind::ParseError {
            value,
            expected_type,
        } => format!("The path {}.", path_words(&value, expected_type)),
        ErrorKind::InvalidUtf8InPathParam { key } => {
            format!("`{}` in the path must be UTF-8 text.", echo(&key))
        }
        ErrorKind::DeserializeError { key, message, .. } => {
            let sentence = refusal(&key, &message);
            format!("{} (in the path).", sentence.trim_end_matches('.'))
        }
        _ => "The path could not be read.".to_owned(),
    };
    unreadable(sentence)
}

/// What a path parameter `value` of `expected_type` had to be: an integer literal too long for its
/// type is out of range, anything else is of the wrong kind.
fn path_words(value: &str, expected_type: &str) -> String {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match of_type(expected_type) {
        Some(words) if integer && words == "must be a whole number" => "is out of range".into(),
        Some(words) => words,
        None => "could not be read".into(),
    }
}

/// The query string, read into `T` (serde_urlencoded, as axum's `Query`); a refusal names the
/// parameter ("`page` must be a whole number.", "The key `page` is repeated.").
#[derive(Debug)]
pub struct QueryOf<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryOf<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        read_query(parts.uri.query().unwrap_or_default()).map(QueryOf)
    }
}

/// `query` (without its `?`) read into `T`.
pub fn read_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        unreadable(refusal(
            &error.path().to_string(),
            &error.inner().to_string(),
        ))
    })
}

/// A JSON object read into `T`. The body must be sent as `application/json`, be JSON whose
/// objects repeat no key, and be an object; a field that cannot be read is named.
#[derive(Debug)]
pub struct JsonOf<T>(pub T);

impl<T, S> FromRequest<S> for JsonOf<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        if !is_json(request.headers()) {
            return Err(unreadable(
                "The body must be JSON, sent with `Content-Type: application/json`.",
            ));
        }
        // The body's size is capped by the router (`DefaultBodyLimit`); past it, 413.
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::TooLarge)?;
        read_json(&bytes).map(JsonOf)
    }
}

/// Whether the request says its body is JSON (`application/json`, or a `+json` type).
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `bytes` as JSON read into `T`: no key repeated in any object, an object at the top, each field
/// of the right kind.
pub fn read_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value = unique_json(bytes)?;
    if !value.is_object() {
        return Err(unreadable(
            "The JSON body must be an object of named fields.",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        unreadable(refusal(
            &error.path().to_string(),
            &error.inner().to_string(),
        ))
    })
}

/// `bytes` as a JSON value, refused when any of its objects repeats a key (named in the refusal)
/// or when it is not JSON.
fn unique_json(bytes: &[u8]) -> Result<Value, AppError> {
    let repeated = RefCell::new(None::<String>);
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let read = Unique(&repeated)
        .deserialize(&mut reader)
        .and_then(|value| reader.end().map(|()| value));
    match read {
        Ok(value) => Ok(value),
        Err(error) => Err(match repeated.into_inner() {
            Some(key) => unreadable(crate::domain::input::repeated(&key)),
            None => unreadable(not_json(&error)),
        }),
    }
}

/// Why `bytes` are not JSON, in words: where it breaks, never the parser's text.
fn not_json(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Eof => "The body is not complete JSON: it ends too soon.".to_owned(),
        Category::Syntax => format!(
            "The body is not valid JSON (line {}, column {}).",
            error.line(),
            error.column()
        ),
        Category::Io | Category::Data => "The body is not valid JSON.".to_owned(),
    }
}

/// Reads any JSON value into a [`Value`], noting in `.0` the first key an object repeats (and
/// stopping there); serde_json's own `Value` keeps the last of two keys without a word.
#[derive(Clone, Copy)]
struct Unique<'a>(&'a RefCell<Option<String>>);

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                *self.0.borrow_mut() = Some(key);
                return Err(de::Error::custom("a key is repeated"));
            }
            let value = map.next_value_seed(self)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// `#[serde(deserialize_with = "crate::server::input::whole_number")]` on an `i64` field of a JSON
/// body: the document calls it an `integer`, and JSON Schema counts a number with a zero fraction
/// (`21209508.0`) as one, so it is read as that integer; a fraction (`1.5`), a string or a number
/// out of range is refused with the field's name.
pub fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(WholeNumber)
}

/// [`whole_number`] for each item of a list of `i64` (`ids`, `node_ids`): refused by the item's
/// place (`` `ids[2]` must be a whole number.``).
pub fn whole_numbers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<i64>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole_number")] i64);
    let items: Vec<Whole> = serde::Deserialize::deserialize(deserializer)?;
    Ok(items.into_iter().map(|Whole(n)| n).collect())
}

struct WholeNumber;

/// 2^63: the first whole number past `i64::MAX`, exactly representable as an `f64`.
const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;

impl Visitor<'_> for WholeNumber {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(WHOLE_NUMBER)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &WHOLE_NUMBER_IN_RANGE))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if !v.is_finite() || v.fract() != 0.0 {
            return Err(E::invalid_value(de::Unexpected::Float(v), &self));
        }
        if (-TWO_TO_63..TWO_TO_63).contains(&v) {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(
                de::Unexpected::Float(v),
                &WHOLE_NUMBER_IN_RANGE,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Upstream {
        #[serde(deserialize_with = "whole_number")]
        upstream_node_id: i64,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Protection {
        enabled: bool,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Listing {
        #[serde(default)]
        query: String,
        #[serde(default)]
        page: i64,
        before: Option<i64>,
        #[serde(default)]
        freeze_tasks: bool,
    }

    fn message<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
        match result {
            Err(AppError::BadRequest(message)) => message.to_string(),
            other => panic!("not a 400: {other:?}"),
        }
    }

    #[test]
    fn a_whole_number_may_have_a_zero_fraction_and_nothing_else() {
        for (body, want) in [
            (r#"{"upstream_node_id": 21209508}"#, 21_209_508),
            (r#"{"upstream_node_id": 21209508.0}"#, 21_209_508),
            (r#"{"upstream_node_id": -3.0}"#, -3),
            (r#"{"upstream_node_id": 2.1e3}"#, 2_100),
            (r#"{"upstream_node_id": 9223372036854775807}"#, i64::MAX),
            (r#"{"upstream_node_id": -9223372036854775808}"#, i64::MIN),
        ] {
            assert_eq!(
                read_json::<Upstream>(body.as_bytes()).unwrap(),
                Upstream {
                    upstream_node_id: want
                },
                "{body}"
            );
        }
        for (body, want) in [
            (
                r#"{"upstream_node_id": 1.5}"#,
                "`upstream_node_id` must be a whole number.",
            ),
            (
                r#"{"upstream_node_id": "16"}"#,
                "`upstream_node_id` must be a whole number.",
            ),
            (
                r#"{"upstream_node_id": true}"#,
                "`upstream_node_id` must be a whole number.",
            ),
            (
                r#"{"upstream_node_id": null}"#,
                "`upstream_node_id` must be a whole number.",
            ),
            (
                r#"{"upstream_node_id": 9223372036854775808}"#,
                "`upstream_node_id` must be a whole number from -9223372036854775808 to 9223372036854775807.",
            ),
            (
                r#"{"upstream_node_id": 1e30}"#,
                "`upstream_node_id` must be a whole number from -9223372036854775808 to 9223372036854775807.",
            ),
            (r#"{}"#, "`upstream_node_id` is required."),
            (
                r#"{"upstream_node_id": 1, "extra": 1}"#,
                "`extra` is not a field of this request.",
            ),
        ] {
            assert_eq!(
                message(read_json::<Upstream>(body.as_bytes())),
                format!("{want} Nothing was changed."),
                "{body}"
            );
        }
    }

    #[test]
    fn a_repeated_key_at_any_depth_is_refused_by_name() {
        for (body, key) in [
            (r#"{"enabled": true, "enabled": false}"#, "enabled"),
            (r#"{"enabled": true, "en\u0061bled": false}"#, "enabled"),
            (
                r#"{"enabled": true, "x": {"a": 1, "b": {"c": 1, "c": 2}}}"#,
                "c",
            ),
            (
                r#"{"enabled": true, "x": [{"a": 1}, {"a": 1, "a": 1}]}"#,
                "a",
            ),
        ] {
            assert_eq!(
                message(read_json::<serde_json::Value>(body.as_bytes())),
                format!("The key `{key}` is repeated. Nothing was changed."),
                "{body}"
            );
        }
        // The same key in two objects is no repeat.
        let value: serde_json::Value =
            read_json(br#"{"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]}"#).unwrap();
        assert_eq!(value["b"]["k"], 2);
        // A repeated key is cut and stripped like every echo.
        let long = format!(r#"{{"{k}": 1, "{k}": 2}}"#, k = "k".repeat(100));
        let refused = message(read_json::<serde_json::Value>(long.as_bytes()));
        assert!(
            refused.starts_with(&format!("The key `{}…`", "k".repeat(64))),
            "{refused}"
        );
    }

    #[test]
    fn bodies_that_are_not_json_objects_are_refused_in_words() {
        for body in [
            r#"{"enabled": tru}"#,
            "{not json",
            r#"{"enabled": true} x"#,
            "{'a': 1}",
        ] {
            let refused = message(read_json::<Protection>(body.as_bytes()));
            assert!(
                refused.starts_with("The body is not valid JSON (line 1, column ")
                    && refused.ends_with("). Nothing was changed."),
                "{body}: {refused}"
            );
        }
        for (body, want) in [
            ("", "The body is not complete JSON: it ends too soon."),
            (
                r#"{"enabled": tr"#,
                "The body is not complete JSON: it ends too soon.",
            ),
            ("[true]", "The JSON body must be an object of named fields."),
            ("null", "The JSON body must be an object of named fields."),
            (r#"{"enabled": "yes"}"#, "`enabled` must be true or false."),
            (r#"{"enabled": 1}"#, "`enabled` must be true or false."),
        ] {
            assert_eq!(
                message(read_json::<Protection>(body.as_bytes())),
                format!("{want} Nothing was changed."),
                "{body}"
            );
        }
        assert_eq!(
            read_json::<Protection>(br#"{"enabled": true}"#).unwrap(),
            Protection { enabled: true }
        );
    }

    #[test]
    fn a_query_parameter_that_cannot_be_read_is_named() {
        for (query, want) in [
            ("page=abc", "`page` must be a whole number."),
            ("page=", "`page` must be a whole number."),
            ("page=1.5", "`page` must be a whole number."),
            ("page=99999999999999999999", "`page` is out of range."),
            ("before=x", "`before` must be a whole number."),
            (
                "freeze_tasks=maybe",
                "`freeze_tasks` must be true or false.",
            ),
            ("page=1&page=2", "The key `page` is repeated."),
        ] {
            assert_eq!(
                message(read_query::<Listing>(query)),
                format!("{want} Nothing was changed."),
                "{query}"
            );
        }
        assert_eq!(
            read_query::<Listing>("query=a%20b&page=-2&before=7&other=1").unwrap(),
            Listing {
                query: "a b".into(),
                page: -2,
                before: Some(7),
                freeze_tasks: false,
            }
        );
    }

    #[test]
    fn a_path_parameter_is_named_in_words() {
        assert_eq!(path_words("abc", "i64"), "must be a whole number");
        assert_eq!(path_words("1.5", "i64"), "must be a whole number");
        assert_eq!(path_words("99999999999999999999", "i64"), "is out of range");
        assert_eq!(
            path_words("-99999999999999999999", "i64"),
            "is out of range"
        );
        assert_eq!(path_words("x", "bool"), "must be true or false");
        assert_eq!(path_words("x", "NodePath"), "could not be read");
    }

    #[test]
    fn only_json_content_types_are_json() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            is_json(&headers)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!is_json(&HeaderMap::new()));
    }
}
