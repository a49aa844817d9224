//! Workspace Console: a DataWorks-style console for workspaces, safe deletion and a 14-day Recycle Bin.
#![recursion_limit = "512"]

pub mod app;
pub mod assets;
pub mod deletion;
pub mod domain;
pub mod error;
pub mod identity;
pub mod operations;
pub mod recycle_bin;
pub mod ui;
pub mod workspaces;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
