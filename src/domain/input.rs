//! Why a value of a request could not be read, in plain words. serde and the parsers under it
//! explain a refusal in their own terms ("invalid digit found in string", "invalid type: string
//! \"16\", expected i64", "Expected: \"i64\", got a Map"), which name Rust's types; every door of
//! the console turns them into a sentence that names the field or parameter instead ("`page` must
//! be a whole number."), and never repeats the parser's text.
use super::text::echo;

/// Ends every refusal of a request that could not be read.
pub const NOTHING_CHANGED: &str = "Nothing was changed.";

/// What a JSON field that the document calls an `integer` must be (the `expecting` of the
/// console's own integer reader, so a refusal of it reads like any other).
pub const WHOLE_NUMBER: &str = "a whole number";

/// The same, for a whole number out of the range the console stores.
pub const WHOLE_NUMBER_IN_RANGE: &str =
    "a whole number from -9223372036854775808 to 9223372036854775807";

/// The sentence for a field that could not be read: `field` is where it is (serde_path_to_error's
/// path: `page`, `filter.user`, or `.` for the whole request) and `message` the deserializer's own
/// text, which is read but never repeated.
pub fn refusal(field: &str, message: &str) -> String {
    if let Some(name) = between(message, "missing field `", "`") {
        return format!("`{}` is required.", echo(name));
    }
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest
            .rsplit_once("`, expected ")
            .or_else(|| rest.rsplit_once("`, there are no fields"))
            .map_or(rest, |(name, _)| name);
        return format!("`{}` is not a field of this request.", echo(name));
    }
    if let Some(name) = between(message, "duplicate field `", "`") {
        return repeated(name);
    }
    let named = !field.is_empty() && field != ".";
    // serde_qs's words for a form key sent twice (also inside its other messages).
    if message.contains("Multiple values for one key") && named {
        return repeated(field);
    }
    let what = if named {
        format!("`{}`", echo(field))
    } else {
        "The request".to_owned()
    };
    match expectation(message) {
        Some(words) => format!("{what} {words}."),
        None => format!("{what} could not be read."),
    }
}

/// The sentence for a key that a form or a JSON object repeats.
pub fn repeated(key: &str) -> String {
    format!("The key `{}` is repeated.", echo(key))
}

/// What the value had to be ("must be a whole number"), read from a deserializer's message; `None`
/// when the message does not say.
pub fn expectation(message: &str) -> Option<String> {
    // Rust's own parsers, under serde_urlencoded and serde_qs.
    match message {
        "invalid digit found in string" | "cannot parse integer from empty string" => {
            return Some(format!("must be {WHOLE_NUMBER}"));
        }
        "number too large to fit in target type" | "number too small to fit in target type" => {
            return Some("is out of range".to_owned());
        }
        "provided string was not `true` or `false`" => return Some("must be true or false".into()),
        "invalid float literal" | "cannot parse float from empty string" => {
            return Some("must be a number".into());
        }
        _ => {}
    }
    // serde: "invalid type: …, expected X", "invalid value: …, expected X", "unknown variant `…`,
    // expected one of `A`, `B`". What comes before the last ", expected " may be the caller's own
    // text; only what follows it is read.
    if let Some((_, expected)) = message.rsplit_once(", expected ") {
        return of_expected(expected);
    }
    // serde_qs: Expected: "i64", got a Map
    if let Some(rest) = message.strip_prefix("Expected: \"") {
        return rest.split('"').next().and_then(of_type);
    }
    None
}

/// What a value of a Rust type (as a parser names it: `i64`, `bool`) must be, in words.
pub fn of_type(name: &str) -> Option<String> {
    let words = match name {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
        | "usize" => "must be a whole number",
        "f32" | "f64" => "must be a number",
        "bool" => "must be true or false",
        "char" => "must be one character",
        "String" | "str" | "&str" => "must be text",
        _ => return None,
    };
    Some(words.to_owned())
}

/// What serde's "expected …" says a value must be, in words; `None` for anything that would name
/// a type of the server's (`struct NewWorkspace`, `enum Cursor`).
fn of_expected(expected: &str) -> Option<String> {
    let words = match expected {
        "a boolean" => "must be true or false",
        "a string" | "a borrowed string" => "must be a string",
        "a character" => "must be one character",
        "a sequence" | "a tuple" => "must be a list",
        "a map" => "must be an object",
        "a unit value" => "must be null",
        "option" => "could not be read",
        e if e.starts_with("struct ") => "must be an object",
        // The console's own integer reader, and the variants of an enum: plain words already.
        e if e.starts_with(WHOLE_NUMBER) => return Some(format!("must be {e}")),
        e if e.starts_with("one of `") || (e.starts_with('`') && e.ends_with('`')) => {
            return Some(format!("must be {e}"));
        }
        e => return of_type(e),
    };
    Some(words.to_owned())
}

/// The text of `message` between `start` (at its beginning) and `end` (at its end).
fn between<'a>(message: &'a str, start: &str, end: &str) -> Option<&'a str> {
    message.strip_prefix(start)?.strip_suffix(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words no refusal may show: Rust's types and the parsers' own texts.
    const LEAKS: [&str; 14] = [
        "i64",
        "u64",
        "i32",
        "u32",
        "f64",
        "bool",
        "invalid type",
        "invalid value",
        "invalid digit",
        "expected",
        "Expected",
        "struct",
        "enum ",
        "Cursor",
    ];

    fn plain(sentence: &str) {
        for leak in LEAKS {
            assert!(!sentence.contains(leak), "{sentence:?} shows {leak:?}");
        }
    }

    #[test]
    fn every_parser_text_becomes_a_sentence_naming_the_field() {
        for (field, message, want) in [
            (
                "page",
                "invalid digit found in string",
                "`page` must be a whole number.",
            ),
            (
                "page",
                "cannot parse integer from empty string",
                "`page` must be a whole number.",
            ),
            (
                "page",
                "number too large to fit in target type",
                "`page` is out of range.",
            ),
            (
                "page",
                "number too small to fit in target type",
                "`page` is out of range.",
            ),
            (
                "freeze_tasks",
                "provided string was not `true` or `false`",
                "`freeze_tasks` must be true or false.",
            ),
            (
                "upstream_node_id",
                "invalid type: string \"16\", expected i64",
                "`upstream_node_id` must be a whole number.",
            ),
            (
                "upstream_node_id",
                "invalid type: string \"16\", expected a whole number",
                "`upstream_node_id` must be a whole number.",
            ),
            (
                "upstream_node_id",
                "invalid value: floating point `1.5`, expected a whole number",
                "`upstream_node_id` must be a whole number.",
            ),
            (
                "upstream_node_id",
                "invalid value: integer `9223372036854775808`, expected a whole number from -9223372036854775808 to 9223372036854775807",
                "`upstream_node_id` must be a whole number from -9223372036854775808 to 9223372036854775807.",
            ),
            (
                "enabled",
                "invalid type: string \"yes\", expected a boolean",
                "`enabled` must be true or false.",
            ),
            (
                "name",
                "invalid type: integer `5`, expected a string",
                "`name` must be a string.",
            ),
            (
                "page",
                "Expected: \"i64\", got a Map",
                "`page` must be a whole number.",
            ),
            (
                "cursor",
                "unknown variant `Soon`, expected one of `Newest`, `Before`, `After`, `Page`",
                "`cursor` must be one of `Newest`, `Before`, `After`, `Page`.",
            ),
            (
                "filter",
                "invalid type: string \"x\", expected struct AuditFilter",
                "`filter` must be an object.",
            ),
            (
                "cursor",
                "invalid type: map, expected enum Cursor",
                "`cursor` could not be read.",
            ),
            (".", "missing field `name`", "`name` is required."),
            (
                ".",
                "duplicate field `enabled`",
                "The key `enabled` is repeated.",
            ),
            (
                "page",
                "Multiple values for one key: \"page\"",
                "The key `page` is repeated.",
            ),
            (
                ".",
                "unknown field `nom`, expected one of `name`, `display_name`",
                "`nom` is not a field of this request.",
            ),
            (
                ".",
                "unknown field `extra`, expected `enabled`",
                "`extra` is not a field of this request.",
            ),
            ("x", "something else entirely", "`x` could not be read."),
            (
                ".",
                "something else entirely",
                "The request could not be read.",
            ),
        ] {
            let sentence = refusal(field, message);
            assert_eq!(sentence, want, "{field} {message}");
            plain(&sentence);
        }
    }

    #[test]
    fn the_callers_own_text_in_a_message_is_never_read_as_the_expectation() {
        // A value that itself says ", expected i64": only the last ", expected " counts.
        let sentence = refusal(
            "name",
            "invalid type: string \"a, expected i64\", expected a string",
        );
        assert_eq!(sentence, "`name` must be a string.");
        // A name the caller chose is echoed stripped and cut.
        let long = format!(
            "unknown field `{}\u{202E}`, expected `enabled`",
            "k".repeat(100)
        );
        let sentence = refusal(".", &long);
        assert!(
            sentence.starts_with(&format!("`{}…`", "k".repeat(64))),
            "{sentence}"
        );
        assert!(!sentence.contains('\u{202E}'));
        assert_eq!(
            refusal("a\u{0}b", "Multiple values for one key: \"a\u{0}b\""),
            "The key `ab` is repeated."
        );
    }

    #[test]
    fn a_type_name_becomes_words_or_nothing() {
        assert_eq!(of_type("i64").as_deref(), Some("must be a whole number"));
        assert_eq!(of_type("u32").as_deref(), Some("must be a whole number"));
        assert_eq!(of_type("bool").as_deref(), Some("must be true or false"));
        assert_eq!(of_type("NodePath"), None);
        assert_eq!(expectation("anything"), None);
    }
}
