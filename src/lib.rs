//! Workspace Console: a DataWorks-style console for workspaces, safe deletion and a 14-day Recycle Bin.
#![recursion_limit = "512"]

pub mod access_keys;
#[cfg(feature = "ssr")]
pub mod api;
pub mod app;
pub mod assets;
pub mod audit;
#[cfg(feature = "ssr")]
pub mod cli;
pub mod codec;
pub mod deletion;
pub mod domain;
pub mod error;
pub mod export;
pub mod identity;
pub mod live;
pub mod notifications;
pub mod operations;
pub mod recycle_bin;
pub mod ui;
pub mod workspaces;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

/// Hydrates the page once the WASM chunks of the routes it shows have arrived (the split build
/// loads each page's code lazily), then marks `<body data-hydrated="true">` for the tests.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // An Err only means the executor is already running.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let body = leptos::prelude::document()
            .body()
            .expect("the page has a body");
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
