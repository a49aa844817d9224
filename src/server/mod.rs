//! Server-only infrastructure every feature uses: state, clock, sessions, the guard every server
//! function goes through, audit recording, the per-request layers, the live hub.
pub mod api;
pub mod audit;
pub mod builds;
pub mod clock;
pub mod ctl;
pub mod gate;
pub mod guard;
pub mod http;
pub mod hub;
pub mod input;
pub mod metrics;
pub mod password;
pub mod secret;
pub mod sessions;
pub mod state;
pub mod test_clock;
pub mod throttle;
pub mod verified_keys;

pub use clock::Clock;
pub use guard::{changing, changing_each, guarded, public, signed_in};
pub use state::{AppState, Shared};
