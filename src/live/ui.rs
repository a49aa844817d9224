//! The browser's side of the live console: one stream per visible console tab (in the frame), the
//! polite live region that says what others changed, and what pages and dialogs read from it.
use super::LiveChange;
use crate::domain::Viewer;
use crate::i18n::{k, use_i18n};
use crate::ui::sentence;
use leptos::prelude::*;

/// A change as this tab heard it: `seq` counts the changes heard here (ids from PostgreSQL are
/// not in commit order, so a tab compares its own count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heard {
    pub seq: u64,
    pub change: LiveChange,
}

/// What the console frame shares with its pages (reference-counted signals: the frame is walked
/// twice while the server renders it).
#[derive(Clone)]
pub struct Live {
    /// The newest change heard.
    pub last: ArcRwSignal<Option<Heard>>,
    /// Moves whenever the page must re-read everything (the stream (re)connected, or was told to).
    pub rereads: ArcRwSignal<u64>,
    /// The session ended (signed out here or elsewhere, expired, password reset): the stream
    /// stopped for good.
    pub signed_out: ArcRwSignal<bool>,
}

impl Live {
    pub fn new() -> Self {
        Self {
            last: ArcRwSignal::new(None),
            rereads: ArcRwSignal::new(0),
            signed_out: ArcRwSignal::new(false),
        }
    }
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

/// For a page's resource: read inside its source, the list is read again after each change that
/// `shows` says the page shows, and after every reconnection (0 on the server and outside the
/// console frame; changes heard before the page opened do not count).
pub fn live_version(shows: impl Fn(&LiveChange) -> bool + Send + Sync + 'static) -> Signal<u64> {
    let bumps = RwSignal::new(0u64);
    if let Some(live) = use_context::<Live>() {
        let Live { last, rereads, .. } = live;
        Effect::new(move |seen: Option<u64>| {
            let heard = last.with(|h| h.as_ref().map(|h| (h.seq, shows(&h.change))));
            let seq = heard.map_or(0, |(seq, _)| seq);
            if seen.is_some_and(|seen| seq > seen) && heard.is_some_and(|(_, shown)| shown) {
                bumps.update(|b| *b += 1);
            }
            seq
        });
        Effect::new(move |seen: Option<u64>| {
            let now = rereads.get();
            if seen.is_some_and(|seen| now > seen) {
                bumps.update(|b| *b += 1);
            }
            now
        });
    }
    bumps.into()
}

/// What a dialog about one workspace knows of changes made to it while it is open.
#[derive(Clone, Copy)]
pub struct Changed {
    /// The change to note, and whether it was to the workspace itself (deleted, recovered,
    /// purged), so the dialog's OK must go.
    pub note: Signal<Option<(LiveChange, bool)>>,
}

impl Changed {
    /// The workspace itself changed: the dialog's action is no longer available.
    pub fn gone(&self) -> bool {
        self.note
            .with(|n| n.as_ref().is_some_and(|(_, gone)| *gone))
    }
}

/// For a dialog about the workspace `name`: says so once someone else changes that workspace
/// while the dialog is open (the note stays, whatever comes after it). The viewer's own changes
/// (in another tab, or this dialog's own action while `busy`) are not noted: what the viewer does
/// twice is answered by the server's clear refusal.
pub fn changed_while_open(name: String, busy: Signal<bool>) -> Changed {
    let note = RwSignal::new(None::<(LiveChange, bool)>);
    let me = use_context::<Viewer>()
        .map(|v| v.sign_in_name)
        .unwrap_or_default();
    if let Some(live) = use_context::<Live>() {
        let since = live.last.get_untracked().map_or(0, |h| h.seq);
        Effect::new(move |_| {
            let Some(Heard { seq, change }) = live.last.get() else {
                return;
            };
            if seq <= since
                || change.user == me
                || !change.is_about(&name)
                || busy.get_untracked()
                || note.with_untracked(|n| n.as_ref().is_some_and(|(_, gone)| *gone))
            {
                return;
            }
            let gone = change.changes_workspace();
            note.set(Some((change, gone)));
        });
    }
    Changed { note: note.into() }
}

/// The note a dialog shows when its subject changed under it.
#[component]
pub fn ChangedNote(changed: Changed) -> impl IntoView {
    let i = use_i18n();
    move || {
        changed.note.get().map(|(change, gone)| {
            let text = move || {
                let lang = i.lang();
                let key = if gone {
                    k::live_changed_gone
                } else {
                    k::live_changed_stale
                };
                lang.fill(key, &[("change", &change.announcement(lang))])
            };
            view! { <p class="error changed-note" role="alert">{text}</p> }
        })
    }
}

/// Puts `text` in the live region. The same words said again are a change the region would not
/// show, so no screen reader would say them: the region is emptied first and gets them a moment
/// later (unless something newer was said meanwhile).
#[cfg(feature = "hydrate")]
fn say(said: &ArcRwSignal<(u64, String)>, text: String) {
    let again = said.with_untracked(|(_, last)| *last == text);
    let n = said.with_untracked(|(n, _)| n + 1);
    if !again {
        return said.set((n, text));
    }
    said.set((n, String::new()));
    let said = said.clone();
    set_timeout(
        move || {
            if said.with_untracked(|(latest, _)| *latest == n) {
                said.set((n, text));
            }
        },
        std::time::Duration::from_millis(150),
    );
}

/// The frame's stream and its polite live region, which announces what others changed (a
/// viewer's own changes are told by the page they made them on).
#[component]
pub fn LiveUpdates() -> impl IntoView {
    let i = use_i18n();
    let live = expect_context::<Live>();
    let me = use_context::<Viewer>()
        .map(|v| v.sign_in_name)
        .unwrap_or_default();
    // What was said last, and how many times something was said.
    let said = ArcRwSignal::new((0u64, String::new()));
    Effect::new({
        let (live, said) = (live.clone(), said.clone());
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let on_change = {
                    let (live, said, me) = (live.clone(), said.clone(), me.clone());
                    move |change: LiveChange| {
                        if change.user != me {
                            // Said in the language of the moment it is heard.
                            say(&said, change.announcement(i.lang_untracked()));
                        }
                        let seq = live
                            .last
                            .with_untracked(|h| h.as_ref().map_or(0, |h| h.seq))
                            + 1;
                        live.last.set(Some(Heard { seq, change }));
                    }
                };
                let on_reread = {
                    let live = live.clone();
                    move || live.rereads.update(|r| *r += 1)
                };
                let on_signed_out = {
                    let live = live.clone();
                    move || live.signed_out.set(true)
                };
                let stream = browser::Stream::open(on_change, on_reread, on_signed_out);
                let stream = send_wrapper::SendWrapper::new(stream);
                on_cleanup(move || stream.take().close());
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&live, &said, &me, i);
        }
    });
    let quiet = {
        let said = said.clone();
        move || said.with(|(_, text)| text.is_empty())
    };
    let signed_out = live.signed_out.clone();
    view! {
        <p class="live-note" class:quiet=quiet aria-live="polite" aria-atomic="true">{move || said.with(|(_, text)| text.clone())}</p>
        {move || signed_out.get().then(|| view! {
            <p class="error signed-out" role="alert">
                {sentence(k::live_signed_out, move |_| view! { <a href="/login">{i.text(k::live_sign_in)}</a> }.into_any())}
            </p>
        })}
    }
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

    /// One `EventSource` on [`super::super::PATH`] while the tab is visible (a hidden tab holds no
    /// connection: browsers allow only a few per site), opened again after the browser gives up
    /// on it (an answer that was not a stream: a restart in progress, a refusal), 1 s, 2 s, 4 s …
    /// up to 30 s later, unless the session is over (asked of `live_session` first): then it
    /// stops for good and says so. Every (re)opening makes the page re-read: changes may have
    /// happened meanwhile.
    pub struct Stream(Rc<RefCell<Inner>>);

    struct Inner {
        source: Option<EventSource>,
        handlers: Vec<Handler>,
        on_visibility: Option<Handler>,
        stopped: bool,
        backoff_ms: i32,
        on_change: Rc<dyn Fn(LiveChange)>,
        on_reread: Rc<dyn Fn()>,
        on_signed_out: Rc<dyn Fn()>,
    }

    fn hidden() -> bool {
        web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden())
    }

    impl Stream {
        pub fn open(
            on_change: impl Fn(LiveChange) + 'static,
            on_reread: impl Fn() + 'static,
            on_signed_out: impl Fn() + 'static,
        ) -> Self {
            let inner = Rc::new(RefCell::new(Inner {
                source: None,
                handlers: Vec::new(),
                on_visibility: None,
                stopped: false,
                backoff_ms: 1000,
                on_change: Rc::new(on_change),
                on_reread: Rc::new(on_reread),
                on_signed_out: Rc::new(on_signed_out),
            }));
            let on_visibility: Handler = {
                let inner = inner.clone();
                Closure::new(move |_: web_sys::Event| {
                    if hidden() {
                        pause(&inner);
                    } else if inner.borrow().source.is_none() {
                        connect(&inner);
                    }
                })
            };
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                let _ = document.add_event_listener_with_callback(
                    "visibilitychange",
                    on_visibility.as_ref().unchecked_ref(),
                );
            }
            inner.borrow_mut().on_visibility = Some(on_visibility);
            connect(&inner);
            Stream(inner)
        }

        pub fn close(self) {
            let mut inner = self.0.borrow_mut();
            inner.stopped = true;
            if let Some(source) = inner.source.take() {
                source.close();
            }
            if let (Some(handler), Some(document)) = (
                inner.on_visibility.take(),
                web_sys::window().and_then(|w| w.document()),
            ) {
                let _ = document.remove_event_listener_with_callback(
                    "visibilitychange",
                    handler.as_ref().unchecked_ref(),
                );
            }
            inner.handlers.clear();
        }
    }

    fn pause(inner: &Rc<RefCell<Inner>>) {
        if let Some(source) = inner.borrow_mut().source.take() {
            source.close();
        }
    }

    fn connect(inner: &Rc<RefCell<Inner>>) {
        if inner.borrow().stopped || hidden() {
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
                let change = crate::codec::read::<LiveChange>(&data);
                let (on_change, on_reread) = {
                    let i = inner.borrow();
                    (i.on_change.clone(), i.on_reread.clone())
                };
                match change {
                    Ok(change) => on_change(change),
                    Err(_) => on_reread(),
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
                    .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
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
        leptos::task::spawn_local(async move {
            // A stream the server refused or ended may mean the session is over: then trying
            // again is pointless (every try is refused) and the page says so instead.
            if let Err(crate::error::AppError::Unauthenticated) = super::super::live_session().await
            {
                let signed_out = {
                    let mut i = inner.borrow_mut();
                    i.stopped = true;
                    i.on_signed_out.clone()
                };
                signed_out();
                return;
            }
            let again = Closure::once_into_js(move || {
                if inner.borrow().source.is_none() {
                    connect(&inner);
                }
            });
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    again.unchecked_ref(),
                    delay,
                );
            }
        });
    }
}
