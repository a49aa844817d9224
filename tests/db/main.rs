//! The services on both engines, one module per feature: each test runs on a fresh SQLite file and
//! on a fresh PostgreSQL database; races of many connections; several server processes on one database.
#![recursion_limit = "512"]

#[macro_use]
mod helpers;

mod assets;
mod audit;
mod deletion;
mod demo;
mod dependencies;
mod identity;
mod instances;
mod notifications;
mod operations;
mod purge;
mod races;
mod recycle_bin;
mod workspaces;
