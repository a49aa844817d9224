//! The browser's side of the live console: one stream per open console (in the frame), the
//! polite live region that says what changed, and what pages and dialogs read from it.
use super::LiveChange;
use leptos::prelude::*;

/// What the console frame shares with its pages (reference-counted signals: the frame is walked
/// twice while the server renders it).
#[derive(Clone)]
pub struct Live {
    /// The newest change heard.
    pub last: ArcRwSignal<Option<LiveChange>>,
    /// Moves on every change heard and whenever the page must re-read (the stream reconnected).
    pub version: ArcRwSignal<u64>,
}

impl Live {
    pub fn new() -> Self {
        Self {
            last: ArcRwSignal::new(None),
            version: ArcRwSignal::new(0),
        }
    }
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

/// For a page's resource: read inside its source, the list is read again after every change
/// (0 on the server and outside the console frame).
pub fn live_version() -> Signal<u64> {
    let live = use_context::<Live>();
    Signal::derive(move || live.as_ref().map_or(0, |l| l.version.get()))
}

/// A dialog about the workspace `name`: says so once someone changes that workspace while the
/// dialog is open (the note stays, whatever comes after it). `Some(true)` in the pair when the
/// change was to the workspace itself (deleted, recovered, purged), so the dialog's OK must go.
pub fn changed_while_open(name: String) -> Signal<Option<(String, bool)>> {
    let note = RwSignal::new(None::<(String, bool)>);
    if let Some(live) = use_context::<Live>() {
        let since = live.last.get_untracked().map_or(0, |c| c.id);
        Effect::new(move |_| {
            if let Some(change) = live.last.get()
                && change.id > since
                && change.is_about(&name)
                && note.with_untracked(|n| n.as_ref().is_none_or(|(_, gone)| !gone))
            {
                let gone = change.changes_workspace();
                let text = if gone {
                    format!(
                        "{} while this dialog was open. This action is no longer available; close the dialog to see the current list.",
                        change.announcement()
                    )
                } else {
                    format!(
                        "{} while this dialog was open; what it shows may be out of date.",
                        change.announcement()
                    )
                };
                note.set(Some((text, gone)));
            }
        });
    }
    note.into()
}

/// The note a dialog shows when its subject changed under it.
#[component]
pub fn ChangedNote(note: Signal<Option<(String, bool)>>) -> impl IntoView {
    move || {
        note.get()
            .map(|(text, _)| view! { <p class="error changed-note" role="alert">{text}</p> })
    }
}

/// The frame's stream and its polite live region.
#[component]
pub fn LiveUpdates() -> impl IntoView {
    let live = expect_context::<Live>();
    let said = ArcRwSignal::new(String::new());
    Effect::new({
        let (live, said) = (live.clone(), said.clone());
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let on_change = {
                    let (live, said) = (live.clone(), said.clone());
                    move |change: LiveChange| {
                        said.set(change.announcement());
                        live.last.set(Some(change));
                        live.version.update(|v| *v += 1);
                    }
                };
                let on_reread = {
                    let live = live.clone();
                    move || live.version.update(|v| *v += 1)
                };
                let stream = browser::Stream::open(on_change, on_reread);
                let stream = send_wrapper::SendWrapper::new(stream);
                on_cleanup(move || stream.take().close());
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&live, &said);
        }
    });
    view! { <p class="live-note" aria-live="polite" aria-atomic="true">{move || said.get()}</p> }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::LiveChange;
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;
    use web_sys::{EventSource, MessageEvent};

    type Handler = Closure<dyn FnMut(web_sys::Event)>;

    /// One `EventSource` on [`super::super::PATH`], opened again after the browser gives up on it
    /// (an answer that was not a stream: a restart in progress, a refusal), 1 s, 2 s, 4 s … up to
    /// 30 s later. Every (re)opening makes the page re-read: changes may have happened meanwhile.
    pub struct Stream(Rc<RefCell<Inner>>);

    struct Inner {
        source: Option<EventSource>,
        handlers: Vec<Handler>,
        stopped: bool,
        backoff_ms: i32,
        on_change: Rc<dyn Fn(LiveChange)>,
        on_reread: Rc<dyn Fn()>,
    }

    impl Stream {
        pub fn open(
            on_change: impl Fn(LiveChange) + 'static,
            on_reread: impl Fn() + 'static,
        ) -> Self {
            let inner = Rc::new(RefCell::new(Inner {
                source: None,
                handlers: Vec::new(),
                stopped: false,
                backoff_ms: 1000,
                on_change: Rc::new(on_change),
                on_reread: Rc::new(on_reread),
            }));
            connect(&inner);
            Stream(inner)
        }

        pub fn close(self) {
            let mut inner = self.0.borrow_mut();
            inner.stopped = true;
            if let Some(source) = inner.source.take() {
                source.close();
            }
            inner.handlers.clear();
        }
    }

    fn connect(inner: &Rc<RefCell<Inner>>) {
        if inner.borrow().stopped {
            return;
        }
        let Ok(source) = EventSource::new(super::super::PATH) else {
            return;
        };
        let on_open: Handler = {
            let inner = inner.clone();
            Closure::new(move |_: web_sys::Event| {
                let reread = {
                    let mut i = inner.borrow_mut();
                    i.backoff_ms = 1000;
                    i.on_reread.clone()
                };
                reread();
            })
        };
        let on_change: Handler = {
            let inner = inner.clone();
            Closure::new(move |event: web_sys::Event| {
                let Some(data) = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| m.data().as_string())
                else {
                    return;
                };
                let change = serde_json::from_str::<LiveChange>(&data);
                let handler = inner.borrow().on_change.clone();
                match change {
                    Ok(change) => handler(change),
                    Err(_) => (inner.borrow().on_reread.clone())(),
                }
            })
        };
        let on_resync: Handler = {
            let inner = inner.clone();
            Closure::new(move |_: web_sys::Event| {
                let reread = inner.borrow().on_reread.clone();
                reread();
            })
        };
        let on_error: Handler = {
            let inner = inner.clone();
            Closure::new(move |_: web_sys::Event| {
                let closed = inner
                    .borrow()
                    .source
                    .as_ref()
                    .is_none_or(|s| s.ready_state() == EventSource::CLOSED);
                if closed {
                    retry_later(&inner);
                }
            })
        };
        for (name, handler) in [
            ("open", &on_open),
            ("change", &on_change),
            ("resync", &on_resync),
            ("error", &on_error),
        ] {
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        }
        let mut i = inner.borrow_mut();
        if let Some(old) = i.source.replace(source) {
            old.close();
        }
        i.handlers = vec![on_open, on_change, on_resync, on_error];
    }

    fn retry_later(inner: &Rc<RefCell<Inner>>) {
        let delay = {
            let mut i = inner.borrow_mut();
            if i.stopped {
                return;
            }
            if let Some(source) = i.source.take() {
                source.close();
            }
            let delay = i.backoff_ms;
            i.backoff_ms = (delay * 2).min(30_000);
            delay
        };
        let inner = inner.clone();
        let again = Closure::once_into_js(move || connect(&inner));
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                again.unchecked_ref(),
                delay,
            );
        }
    }
}
