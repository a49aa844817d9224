//! What a `workspace-console ctl` command asks of the API and how its answer is printed. Each
//! feature's commands sit in its `api.rs`, beside the operations they call; `cli` parses the
//! command line, sends the request and prints the answer.
pub use reqwest::Method;
use serde_json::Value;

/// A command's request: method, path under the API's prefix, JSON body, and how to print the answer.
pub type Call = (Method, String, Option<Value>, Table);

pub enum Table {
    /// A list under this key, with these columns.
    Rows(&'static str, &'static [&'static str]),
    /// The answer is the list itself, with these columns.
    List(&'static [&'static str]),
    /// One object: these fields, one per line.
    Fields(&'static [&'static str]),
    /// A bulk action's `results`, a row per entry with these columns; the command fails (exit
    /// status 1) when any row's `status` is not 200.
    Results(&'static [&'static str]),
}

/// `value` percent-encoded for the request's query string or path.
pub fn q(value: &str) -> String {
    crate::domain::text::query_value(value)
}
