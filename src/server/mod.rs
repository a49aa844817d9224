//! Server-only wiring: state, clock, the guard every server function goes through, routing, jobs.
pub mod audit;
pub mod clock;
pub mod demo;
pub mod gate;
pub mod guard;
pub mod http;
pub mod memo;
pub mod metrics;
pub mod secret;
pub mod state;
pub mod test_clock;

pub use clock::Clock;
pub use guard::{changing, guarded, public, signed_in};
pub use state::{AppState, Shared};
