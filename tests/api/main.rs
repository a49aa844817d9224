//! Black-box tests over HTTP and processes, one module per feature: the real router on a random
//! port over a fresh database with the demo data (or the server binary itself), on both engines.
#![recursion_limit = "512"]

#[macro_use]
mod helpers;
mod app;

mod access_keys;
mod api_input;
mod audit;
mod cli;
mod deletion;
mod errors;
mod export;
mod hardening;
mod idempotency;
mod identity;
mod language;
mod live;
mod notifications;
mod openapi;
mod origins;
mod permissions;
mod recycle_bin;
mod serving;
mod test_clock;
mod workspaces;
