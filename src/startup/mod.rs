//! The top floor: what puts the console together. `router` (every route behind the per-request
//! layers, and the serve loop), `jobs` (the purge pass and the webhook worker), `demo` (SPEC §8's
//! data for `--demo`).
pub mod demo;
pub mod jobs;
pub mod router;
