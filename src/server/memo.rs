//! Reads answered once per page render: the principal, read by the guard of every server function
//! a page calls while it renders (the viewer, then the page's own reads), is read once. A server
//! function called over HTTP has no memo and reads every time.
//!
//! The page itself is built once per request (`app::ConsoleLayout` hands the frame to `Suspense`
//! inside an `Unsuspend`); in test mode [`note_build`] names each build in a response header, so
//! the tests see it stay that way.
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Slot = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// Provided to every page render (see `startup::router`); lives as long as that one request.
#[derive(Clone, Default)]
pub struct RenderMemo {
    slots: Arc<Mutex<HashMap<String, Slot>>>,
    /// What [`note_build`] heard, in order.
    builds: Arc<Mutex<Vec<&'static str>>>,
}

impl RenderMemo {
    /// The value under `key`, loading it on first use; callers asking at once wait for one load.
    pub async fn get_or_load<T, F, Fut>(&self, key: String, load: F) -> T
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let slot = self
            .slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(key)
            .or_default()
            .clone();
        let value = slot
            .get_or_init(|| async { Arc::new(load().await) as Arc<dyn Any + Send + Sync> })
            .await;
        match value.downcast_ref::<T>() {
            Some(value) => value.clone(),
            None => unreachable!("one key, one type"),
        }
    }
}

/// `load()` once per page render while a page renders; on every call otherwise.
pub async fn once_per_render<T, F, Fut>(key: impl FnOnce() -> String, load: F) -> T
where
    T: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = T>,
{
    match leptos::prelude::use_context::<RenderMemo>() {
        Some(memo) => memo.get_or_load(key(), load).await,
        None => load().await,
    }
}

/// The header that lists, in test mode, what was built while the page rendered.
pub const BUILDS_HEADER: &str = "x-page-builds";

/// Notes that `what` (the console's frame, a page) was built for this render. In test mode the
/// response names every build in [`BUILDS_HEADER`], e.g. `ConsoleFrame WorkspacesPage`.
pub fn note_build(what: &'static str) {
    use leptos::prelude::use_context;
    let (Some(memo), Some(state), Some(response)) = (
        use_context::<RenderMemo>(),
        use_context::<super::state::AppState>(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if !state.test_mode {
        return;
    }
    let mut builds = memo
        .builds
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    builds.push(what);
    if let Ok(value) = axum::http::HeaderValue::from_str(&builds.join(" ")) {
        response.insert_header(axum::http::HeaderName::from_static(BUILDS_HEADER), value);
    }
}

#[cfg(test)]
mod tests {
    use super::RenderMemo;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn one_load_per_key_even_when_asked_at_once() {
        let memo = RenderMemo::default();
        let loads = AtomicUsize::new(0);
        let load = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            41 + 1
        };
        let (a, b) = tokio::join!(
            memo.get_or_load("k".into(), load),
            memo.get_or_load("k".into(), load)
        );
        assert_eq!((a, b), (42, 42));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        assert_eq!(memo.get_or_load("other".into(), load).await, 42);
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }
}
