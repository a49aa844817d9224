//! The live console (SPEC §13): every open Workspaces, Recycle Bin and Operation Center page of an
//! account follows the account's changes without a reload. The server streams the account's
//! successful changes (`GET /live/events`, Server-Sent Events) as they are written to the Audit
//! Log; the page re-reads its list and a polite live region says what happened.
pub use crate::domain::live::{ACCESS_ACTIONS, LIVE_ACTIONS, LiveChange};

#[cfg(feature = "ssr")]
pub mod sse;
pub mod ui;

/// The address of the stream.
pub const PATH: &str = "/live/events";
