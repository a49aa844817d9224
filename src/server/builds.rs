//! What the server built while it rendered one page. The console's frame and its page are built
//! once per request (`app::ConsoleLayout` hands the frame to its `Suspense` inside an `Unsuspend`,
//! which the `Suspense`'s walks for resources skip); in test mode [`note_build`] names each build
//! in a response header, so the tests see it stay that way.
use std::sync::{Arc, Mutex};

/// Provided to every page render (see `startup::router`); lives as long as that one request.
#[derive(Clone, Default)]
pub struct PageBuilds(Arc<Mutex<Vec<&'static str>>>);

/// The header that lists, in test mode, what was built while the page rendered.
pub const BUILDS_HEADER: &str = "x-page-builds";

/// Notes that `what` (the console's frame, a page) was built for this render. In test mode the
/// response names every build in [`BUILDS_HEADER`], e.g. `ConsoleFrame WorkspacesPage`.
pub fn note_build(what: &'static str) {
    use leptos::prelude::use_context;
    let (Some(PageBuilds(builds)), Some(state), Some(response)) = (
        use_context::<PageBuilds>(),
        use_context::<super::state::AppState>(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if !state.test_mode {
        return;
    }
    let mut builds = builds
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    builds.push(what);
    if let Ok(value) = axum::http::HeaderValue::from_str(&builds.join(" ")) {
        response.insert_header(axum::http::HeaderName::from_static(BUILDS_HEADER), value);
    }
}
