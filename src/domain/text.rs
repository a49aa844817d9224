//! What a typed text may hold. Control characters and the characters that change the direction of
//! text (which can make a name read as something else in a table or the Audit Log) are refused:
//! everywhere in a single-line field, and everywhere but line breaks and tabs in a multi-line one.
//! What the caller sent is stripped of them wherever it is shown back: in the Audit Log
//! ([`shown`]) and in error messages ([`echo`]).

use crate::i18n::{Key, Msg, k};

/// The characters that reorder text when shown: the bidirectional embeddings, overrides, isolates
/// and marks.
pub fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A line or paragraph separator: a line break that a single-line field may not hold.
fn is_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Whether `c` can be shown inside a line as it is: not a control character, a line or paragraph
/// separator, or a character that changes the direction of text.
pub fn is_shown(c: char) -> bool {
    !c.is_control() && !is_separator(c) && !is_direction_mark(c)
}

/// `text` without the characters [`is_shown`] refuses, at most `max` characters of it.
pub fn shown(text: &str, max: usize) -> String {
    text.chars().filter(|c| is_shown(*c)).take(max).collect()
}

/// How many characters of a name an error message repeats.
pub const ECHO_CHARS: usize = 64;

/// What the caller sent (a name, a key, a value) as an error message repeats it: without control
/// characters, line breaks or direction marks, and cut to [`ECHO_CHARS`] characters with "…".
pub fn echo(text: &str) -> String {
    let mut kept = text.chars().filter(|c| is_shown(*c));
    let mut echoed: String = kept.by_ref().take(ECHO_CHARS).collect();
    if kept.next().is_some() {
        echoed.push('…');
    }
    echoed
}

/// `text` for the single-line field `what` ("Display name"): no control characters, line
/// breaks or direction marks.
pub fn single_line(what: Key, text: &str) -> Result<(), Msg> {
    if text.chars().any(|c| c.is_control() || is_separator(c)) {
        return Err(Msg::new(k::error_one_line).with_text("what", what));
    }
    if text.chars().any(is_direction_mark) {
        return Err(direction_refused(what));
    }
    Ok(())
}

/// `text` for the multi-line field `what` ("Description", "Code"): line breaks (LF or CR LF) and
/// tabs, but no other control characters and no direction marks.
pub fn multi_line(what: Key, text: &str) -> Result<(), Msg> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !c.is_control(),
        };
        if !allowed {
            return Err(Msg::new(k::error_control_characters).with_text("what", what));
        }
        if is_direction_mark(c) {
            return Err(direction_refused(what));
        }
    }
    Ok(())
}

fn direction_refused(what: Key) -> Msg {
    Msg::new(k::error_direction_marks).with_text("what", what)
}

/// The characters a single-line field refuses, as a JSON Schema (ECMA-262) pattern.
pub const SINGLE_LINE_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$";

/// The same for a multi-line field: line breaks (LF, CR LF) and tabs are allowed.
pub const MULTI_LINE_PATTERN: &str = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]|\\r\\n)*$";

/// The longest search text a list takes (a workspace name is at most 64 characters).
pub const MAX_SEARCH_CHARS: usize = 64;

/// The search text as a LIKE pattern over `search_name` (the lower-case name): case is ignored
/// the same way on both engines, and `%`, `_` and `\` match themselves.
pub fn like_pattern(query: &str) -> String {
    let escaped: String = query
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// `text` percent-encoded for a query string (the same on the server and in the browser).
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_in_any_script_is_allowed() {
        for text in [
            "Sales DW",
            "销售数据仓库",
            "Données – été",
            "مرحبا",
            "",
            "emoji 🚀",
        ] {
            assert_eq!(single_line(k::field_name, text), Ok(()), "{text}");
            assert_eq!(multi_line(k::field_description, text), Ok(()), "{text}");
        }
    }

    #[test]
    fn a_single_line_refuses_control_characters_and_line_breaks() {
        for text in [
            "a\0b",
            "a\nb",
            "a\tb",
            "a\rb",
            "a\u{7f}",
            "a\u{85}",
            "a\u{1b}[31m",
            "a\u{2028}b",
        ] {
            assert_eq!(
                single_line(k::field_name, text),
                Err("Name must be one line without control characters.".into()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn every_field_refuses_the_characters_that_change_the_direction_of_text() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}',
        ] {
            let text = format!("invoice{c}fdp.exe");
            let single = single_line(k::field_name, &text).unwrap_err();
            assert!(
                single
                    .to_string()
                    .starts_with("Name may not contain characters that change the direction")
            );
            let multi = multi_line(k::field_code, &text).unwrap_err();
            assert!(
                multi
                    .to_string()
                    .starts_with("Code may not contain characters that change the direction")
            );
        }
    }

    #[test]
    fn an_echo_is_stripped_and_cut_to_64_characters() {
        assert_eq!(echo("sales_dw"), "sales_dw");
        assert_eq!(echo(""), "");
        let long = "n".repeat(20_000);
        assert_eq!(echo(&long), format!("{}…", "n".repeat(64)));
        assert_eq!(echo(&"n".repeat(64)), "n".repeat(64), "64 is not cut");
        assert_eq!(
            echo("evil\u{202E}txt.exe\r\nSet-Cookie: x\u{0}\u{2066}\u{2028}"),
            "eviltxt.exeSet-Cookie: x"
        );
        // Stripped first, then cut: 64 shown characters.
        let spoofed: String = "ab\u{202E}".repeat(40);
        let echoed = echo(&spoofed);
        assert_eq!(echoed.chars().count(), 65);
        assert!(echoed.ends_with('…') && !echoed.contains('\u{202E}'));
        // Any script counts characters, not bytes.
        assert_eq!(echo(&"销".repeat(70)), format!("{}…", "销".repeat(64)));
    }

    #[test]
    fn what_the_audit_log_keeps_is_stripped_and_capped_without_a_mark() {
        assert_eq!(shown("a\u{7}b\u{200F}c\nd", 3), "abc");
        assert_eq!(shown("a\u{2028}b", 10), "ab");
    }

    #[test]
    fn a_multi_line_field_allows_line_breaks_and_tabs_only() {
        assert_eq!(
            multi_line(k::field_code, "SELECT 1;\n\tFROM t;\r\n"),
            Ok(())
        );
        for text in ["a\0b", "a\rb", "a\u{1b}b", "a\u{7}b", "a\u{9f}"] {
            assert_eq!(
                multi_line(k::field_code, text),
                Err(
                    "Code may not contain control characters other than line breaks and tabs."
                        .into()
                ),
                "{text:?}"
            );
        }
    }
}
