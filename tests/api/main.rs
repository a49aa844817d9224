//! Black-box tests over HTTP and processes, one module per feature: the real router on a random
//! port over a fresh database with the demo data (or the server binary itself), on both engines.
#![recursion_limit = "512"]

#[macro_use]
mod helpers;
mod app;

mod access_keys;
mod audit;
mod cli;
mod errors;
mod export;
mod hardening;
mod identity;
mod live;
mod notifications;
mod openapi;
mod permissions;
mod serving;
mod workspaces;
