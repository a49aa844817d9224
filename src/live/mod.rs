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

/// Whether the caller is still signed in: asked by a tab whose stream the server closed, which
/// stops trying again (and says so) once the session is over.
#[leptos::server(prefix = "/api", endpoint = "live_session", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn live_session() -> Result<(), crate::error::AppError> {
    crate::server::signed_in(|_, _| async { Ok(()) }).await
}
