//! Shared UI pieces: the accessible dialog, the workspace pages' links, local times, errors,
//! pagination, the no-permission page.
use crate::domain::time::{to_rfc3339, utc_fields};
use crate::error::AppError;
use crate::i18n::{Key, Lang, k, pieces, use_i18n};
use leptos::html;
use leptos::prelude::*;

mod slots;
pub use slots::{AnyViewFn, DeleteWorkspaceDialog, DeleteWorkspaceSlot};

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex='-1'])";

fn focusables(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let Ok(list) = root.query_selector_all(FOCUSABLE) else {
        return vec![];
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// A modal dialog: role dialog labelled by its title; focus moves in and stays in; Escape closes it;
/// focus returns to where it was when it closes.
#[component]
pub fn Modal(
    #[prop(into)] title: TextProp,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
    #[prop(optional)] wide: bool,
) -> impl IntoView {
    let panel = NodeRef::<html::Div>::new();
    let title_id = format!("dialog-{}", title.get().to_lowercase().replace(' ', "-"));
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let previous = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element());
            let focus_first = move |panel: &web_sys::HtmlDivElement| {
                let items = focusables(panel);
                let is_text = |e: &web_sys::HtmlElement| {
                    e.tag_name() == "INPUT"
                        && e.get_attribute("type")
                            .is_none_or(|t| t == "text" || t == "password")
                };
                match items.iter().find(|e| is_text(e)).or(items.first()) {
                    Some(el) => drop(el.focus()),
                    None => drop(panel.focus()),
                }
            };
            // A dialog whose code was loaded lazily (`lazy_view`) is built before its Suspense
            // puts it in the document, and a detached element takes no focus: wait a frame.
            if panel.is_connected() {
                focus_first(&panel);
            } else {
                request_animation_frame(move || focus_first(&panel));
            }
            on_cleanup(move || {
                use wasm_bindgen::JsCast;
                if let Some(el) = previous.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            });
        }
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            on_close.run(());
        }
        "Tab" => {
            let Some(panel) = panel.get() else { return };
            let items = focusables(&panel);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                return;
            };
            let active = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element());
            let at = |e: &web_sys::HtmlElement| {
                active
                    .as_ref()
                    .is_some_and(|a| a == e.as_ref() as &web_sys::Element)
            };
            let inside = items.iter().any(&at);
            if ev.shift_key() && (at(first) || !inside) {
                ev.prevent_default();
                let _ = last.focus();
            } else if !ev.shift_key() && (at(last) || !inside) {
                ev.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    };
    view! {
        <div class="backdrop">
            <div
                class=if wide { "dialog wide" } else { "dialog" }
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id.clone()
                tabindex="-1"
                node_ref=panel
                on:keydown=on_keydown
            >
                <h2 id=title_id.clone() class="dialog-title">{move || title.get()}</h2>
                {children()}
            </div>
        </div>
    }
}

/// Whether a navigation link to `href` is the current page at `path`: the same path, or a page
/// below it, as `leptos_router`'s `A` decides it.
pub fn is_current(path: &str, href: &str) -> bool {
    let path = path.trim_end_matches('/');
    let href = href.trim_end_matches('/');
    path == href
        || path
            .strip_prefix(href)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A link in the main navigation, marked `aria-current="page"` on its page and those below it.
/// A plain `<a>` (the router intercepts its clicks all the same) with one reactive attribute; it
/// costs far less to render than the router's `A`, which sets up memos for path resolution.
#[component]
pub fn NavLink(href: &'static str, children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move || is_current(&location.pathname.get(), href).then_some("page");
    view! { <a href=href aria-current=current>{children()}</a> }
}

/// The links every workspace page carries.
#[component]
pub fn WorkspaceNav(name: String) -> impl IntoView {
    let i = use_i18n();
    view! {
        <nav class="subnav" aria-label=i.text(k::nav_workspace)>
            <leptos_router::components::A href="/workspaces">{i.text(k::nav_workspaces)}</leptos_router::components::A>
            <span class="sep">"/"</span>
            <strong>{name.clone()}</strong>
            <leptos_router::components::A href=format!("/workspaces/{name}") exact=true>{i.text(k::nav_overview)}</leptos_router::components::A>
            <leptos_router::components::A href=format!("/workspaces/{name}/datastudio")>"DataStudio"</leptos_router::components::A>
            <leptos_router::components::A href=format!("/workspaces/{name}/operation-center")>{i.text(k::nav_operation_center)}</leptos_router::components::A>
        </nav>
    }
}

/// A time shown in the viewer's local time zone and language (UTC until the browser takes over).
#[component]
pub fn LocalTime(ts: i64) -> impl IntoView {
    let i = use_i18n();
    let local = RwSignal::new(false);
    Effect::new(move |_| local.set(true));
    let shown = move || {
        if local.get() {
            format_local(i.lang(), ts)
        } else {
            format_utc(i.lang(), ts)
        }
    };
    view! { <time datetime=to_rfc3339(ts)>{shown}</time> }
}

/// "2026-11-28 13:30:12 UTC", "2026年11月28日 13:30:12（UTC）".
pub fn format_utc(lang: Lang, ts: i64) -> String {
    let (y, mo, d, h, mi, s) = utc_fields(ts);
    lang.fill(
        k::time_utc,
        &[("time", &lang.date_time(y, mo, d, h, mi, s))],
    )
}

/// The time in the browser's time zone, with its offset from UTC.
pub fn format_local(lang: Lang, ts: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts as f64 * 1000.0));
    let offset = -(date.get_timezone_offset() as i64);
    let sign = if offset < 0 { '-' } else { '+' };
    let time = lang.date_time(
        date.get_full_year() as i32,
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds(),
    );
    let offset = format!("{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60);
    lang.fill(k::time_local, &[("time", &time), ("offset", &offset)])
}

/// The browser's clock in Unix seconds.
pub fn browser_now() -> f64 {
    js_sys::Date::now() / 1000.0
}

#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let i = use_i18n();
    view! { <p class="error" role="alert">{move || error.in_lang(i.lang())}</p> }
}

/// Shows an error of the last attempt, if it failed.
pub fn error_of<T, S>(value: S) -> impl Fn() -> Option<AnyView>
where
    S: Get<Value = Option<Result<T, AppError>>>,
{
    move || {
        value
            .get()
            .and_then(|r| r.err())
            .map(|error| view! { <ErrorNote error/> }.into_any())
    }
}

#[component]
pub fn Pager(
    page: i64,
    pages: i64,
    #[prop(into)] on_page: Callback<i64>,
    /// Its name, when a page has more than one ("Pagination" otherwise).
    #[prop(optional, into)]
    label: Option<TextProp>,
) -> impl IntoView {
    let i = use_i18n();
    let label = move || match &label {
        Some(label) => label.get().to_string(),
        None => i.t(k::pager_label).to_owned(),
    };
    view! {
        <nav class="pager" aria-label=label>
            <button disabled={page <= 1} on:click=move |_| on_page.run(page - 1)>{i.text(k::pager_previous)}</button>
            <span>{move || i.fill(k::pager_page_of, &[("page", &page), ("pages", &pages)])}</span>
            <button disabled={page >= pages} on:click=move |_| on_page.run(page + 1)>{i.text(k::pager_next)}</button>
        </nav>
    }
}

/// The text `key` as a sentence that sets its `{name}`s apart (a link, code, a name), wherever the
/// language puts them: `part(name)` renders each. Follows the page's language.
pub fn sentence(key: Key, part: impl Fn(&str) -> AnyView + Send + Sync + 'static) -> impl IntoView {
    sentence_of(key, std::sync::Arc::new(part))
}

// Not generic: one copy of the code for every sentence of the console.
fn sentence_of(
    key: Key,
    part: std::sync::Arc<dyn Fn(&str) -> AnyView + Send + Sync>,
) -> impl IntoView {
    let i = use_i18n();
    move || {
        pieces(i.t(key))
            .into_iter()
            .map(|(is_param, piece)| {
                if is_param {
                    part(piece)
                } else {
                    piece.into_any()
                }
            })
            .collect_view()
    }
}

#[component]
pub fn NoPermission() -> impl IntoView {
    let i = use_i18n();
    // The policies' names are code, set apart inside the sentence wherever it puts them.
    let text = sentence(k::no_permission_text, |piece| {
        let policy = match piece {
            "read" => "AliyunDataWorksReadOnlyAccess",
            _ => "AliyunDataWorksFullAccess",
        };
        view! { <code>{policy}</code> }.into_any()
    });
    view! {
        <section class="no-permission">
            <h1>{i.text(k::no_permission_heading)}</h1>
            <p>{text}</p>
        </section>
    }
}

/// The reason a control is disabled, shown next to it.
#[component]
pub fn RequiresFullAccess() -> impl IntoView {
    let i = use_i18n();
    view! { <span class="reason">{i.text(k::full_access_required)}</span> }
}

/// A view whose code the browser fetches the first time it is shown. `load` calls a function
/// marked `#[leptos::wasm_split::wasm_split(its_chunk, wasm_split_path = ::leptos::wasm_split,
/// fallible)]`, which `cargo leptos build --split` moves out of the page's WASM into a chunk of its
/// own, so a page's first load does not download its dialogs. This is leptos's `#[lazy]`, except
/// that a chunk the browser could not download is an `Err` (an [`AppError`], through `From`)
/// instead of a panic, which would stop the whole WASM. Until the chunk has arrived (a few
/// milliseconds; it is cached after that, like every `/pkg` file) an empty dialog says "Loading…";
/// one that does not arrive is said so, with a button that fetches it again.
pub fn lazy_view<F, Fut>(load: F) -> AnyView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<AnyView, AppError>> + 'static,
{
    // One copy of the view's code for every dialog: only this boxing is per dialog.
    lazy_view_of(std::sync::Arc::new(move || Box::pin(load()) as LazyLoad))
}

type LazyLoad = std::pin::Pin<Box<dyn std::future::Future<Output = Result<AnyView, AppError>>>>;

fn lazy_view_of(load: std::sync::Arc<dyn Fn() -> LazyLoad + Send + Sync>) -> AnyView {
    let attempt = RwSignal::new(0u32);
    (move || {
        attempt.track();
        let load = send_wrapper::SendWrapper::new(load());
        let shown = async move {
            match load.await {
                Ok(view) => view,
                Err(error) => view! {
                    <div class="load-failed">
                        <ErrorNote error/>
                        <button on:click=move |_| attempt.update(|n| *n += 1)>{use_i18n().text(k::try_again)}</button>
                    </div>
                }
                .into_any(),
            }
        };
        // While the code downloads, the dialog is already open, saying so: a click is never lost.
        let opening = || {
            let i = use_i18n();
            view! {
                <div class="backdrop">
                    <div class="dialog" role="dialog" aria-modal="true" aria-label=i.text(k::loading_label) aria-busy="true">
                        <p class="loading">{i.text(k::loading)}</p>
                    </div>
                </div>
            }
        };
        view! { <Suspense fallback=opening>{Suspend::new(shown)}</Suspense> }
    })
    .into_any()
}

/// A full page load (used after sign-in and sign-out so no state of the previous principal survives).
pub fn go_to(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_nav_link_is_current_on_its_page_and_the_pages_below_it() {
        assert!(is_current("/workspaces", "/workspaces"));
        assert!(is_current("/workspaces/", "/workspaces"));
        assert!(is_current("/workspaces/sales_dw/datastudio", "/workspaces"));
        assert!(!is_current("/workspaces-old", "/workspaces"));
        assert!(!is_current("/recycle-bin", "/workspaces"));
        assert!(!is_current("/", "/workspaces"));
    }
}
