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

/// Room for the WASM splitter to lay out the read-only data anew.
///
/// `cargo leptos build --split` moves each static (strings, tables) into the module whose code
/// uses it, laying out each module's statics one after another inside the bounds of the original
/// data segment. Padding for alignment can make that layout a few bytes longer than the original
/// (the linker has already dropped every unused static, so there is no slack), and the splitter
/// then keeps *all* statics in the main module: every page's text and templates would be
/// downloaded with the first page (wasm_split_cli_support 0.2.3 warns "Overlong segment … putting
/// it in main module"). These bytes are kept by the linker (`#[used]`) but used by no code, so the
/// splitter leaves them out of every module: they only give it room.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_LAYOUT_ROOM: [u8; 4096] = [0x5a; 4096];
