//! Reads answered once per page render. While a page renders on the server, Leptos's `Suspense`
//! walks its children again to find resources created while it waited, and each walk builds the
//! page, and so its resources, anew: the workspace list was read two or three times for one page
//! view. The principal and the page reads go through here, so each runs once per render. A server
//! function called over HTTP has no memo and reads every time.
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Slot = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// Provided to every page render (see `startup::router`); lives as long as that one request.
#[derive(Clone, Default)]
pub struct RenderMemo(Arc<Mutex<HashMap<String, Slot>>>);

impl RenderMemo {
    /// The value under `key`, loading it on first use; callers asking at once wait for one load.
    pub async fn get_or_load<T, F, Fut>(&self, key: String, load: F) -> T
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let slot = self
            .0
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
