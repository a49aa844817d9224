//! The encoding of every server function's answer and error: JSON, as server_fn's own `Json`,
//! but read from text. The browser reads each page's resources from the HTML as text
//! (`serde_json::from_str`), and server_fn's `Json` reads answers from bytes
//! (`serde_json::from_slice`): each answer type would be deserialized by two copies of its code in
//! the WASM. Reading both as text leaves one.
use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, `application/json`, read as UTF-8 text.
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

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        // Invalid UTF-8 is refused with serde_json's own error, as `from_slice` would.
        match std::str::from_utf8(&bytes) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => Err(<serde_json::Error as serde::de::Error>::custom(
                "invalid UTF-8",
            )),
        }
    }
}

/// A server function's answer: `#[server(…, output = crate::codec::Json)]`.
pub type Json = Post<JsonText>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_back_and_bad_bytes_are_refused() {
        let bytes =
            <JsonText as Encodes<_>>::encode(&vec!["ä".to_owned(), "\"".to_owned()]).unwrap();
        let back: Vec<String> = JsonText::decode(bytes).unwrap();
        assert_eq!(back, ["ä", "\""]);
        assert!(
            <JsonText as Decodes<Vec<String>>>::decode(Bytes::from_static(b"[\"\xff\"]")).is_err()
        );
        assert!(<JsonText as Decodes<Vec<String>>>::decode(Bytes::from_static(b"{")).is_err());
    }
}
