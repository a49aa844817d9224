use super::{
    Notices, Webhook, count_unread_notifications, get_webhook, list_notifications,
    mark_notifications_read, new_webhook_secret, set_webhook,
};
use crate::error::AppError;
use crate::i18n::{k, use_i18n};
use crate::ui::sentence;
use crate::ui::{LocalTime, error_of, lazy_view};
use leptos::prelude::*;
use std::time::Duration;

/// How often the header asks for new notices while a page is open.
const REFRESH: Duration = Duration::from_secs(60);

/// The header's "Notifications (N)" button and its panel: newest first, each notice linking to
/// what it is about, and "Mark all as read".
#[component]
pub fn NotificationsButton() -> impl IntoView {
    // Reference-counted signals (chosen while the server built the console frame more than once;
    // it is built once now, and they cost nothing more).
    // Read in the browser only, after hydration: the count is not part of the page the server
    // renders (no extra queries on every page view) and is always the latest. Only the count: the
    // notices are read by the panel, whose code loads when it first opens.
    let unread = ArcRwSignal::new(0i64);
    let open = ArcRwSignal::new(false);
    let refetch = {
        let unread = unread.clone();
        // Each reading is numbered, and only the latest one to be asked for is shown.
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        move || {
            use std::sync::atomic::Ordering::Relaxed;
            let (unread, asked) = (unread.clone(), asked.clone());
            let this = asked.fetch_add(1, Relaxed) + 1;
            leptos::task::spawn_local(async move {
                if let Ok(count) = count_unread_notifications().await
                    && asked.load(Relaxed) == this
                {
                    unread.set(count);
                }
            });
        }
    };
    // Effects run in the browser only, once the page has hydrated: the first reading, then one
    // every `REFRESH`.
    Effect::new({
        let refetch = refetch.clone();
        move |_| {
            refetch();
            let refetch = refetch.clone();
            if let Ok(handle) = set_interval_with_handle(refetch, REFRESH) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    let i = use_i18n();
    let label = move || match unread.get() {
        0 => i.t(k::notif_button).to_owned(),
        n => i.fill(k::notif_button_count, &[("n", &n)]),
    };
    let expanded = {
        let open = open.clone();
        move || open.get().to_string()
    };
    let toggle = {
        let (open, refetch) = (open.clone(), refetch.clone());
        move |_| {
            if !open.get_untracked() {
                refetch();
            }
            open.update(|o| *o = !*o);
        }
    };
    let shown = {
        let open = open.clone();
        move || open.get()
    };
    // The panel's code loads when it is first opened (see `lazy_view`); it reads the notices each
    // time it opens, and has the count read again once it has marked them read.
    let panel = move || {
        let open = open.clone();
        let on_marked = Callback::new({
            let refetch = refetch.clone();
            move |_| refetch()
        });
        lazy_view(move || notifications_panel(open.clone(), on_marked))
    };
    view! {
        <div class="notifications">
            <button
                class="link-button"
                aria-expanded=expanded
                aria-controls="notifications-panel"
                on:click=toggle
            >
                {label}
            </button>
            <Show when=shown>{panel.clone()}</Show>
        </div>
    }
}

/// The open notifications panel: newest first, each notice linking to what it is about.
#[leptos::wasm_split::wasm_split(notifications_panel, wasm_split_path = ::leptos::wasm_split, fallible)]
fn notifications_panel(
    open: ArcRwSignal<bool>,
    on_marked: Callback<()>,
) -> Result<AnyView, AppError> {
    let i = use_i18n();
    let notices = LocalResource::new(list_notifications);
    let mark = Action::new(|_: &()| mark_notifications_read());
    Effect::new(move |_| {
        if mark.value().get().is_some() {
            notices.refetch();
            on_marked.run(());
        }
    });
    let close = {
        let open = open.clone();
        move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Escape" {
                open.set(false);
            }
        }
    };
    let unread = move || {
        notices
            .get()
            .and_then(Result::ok)
            .map_or(0, |n: Notices| n.unread)
    };
    let cannot_mark = move || unread() == 0 || mark.pending().get();
    let list = move || {
        let open = open.clone();
        Suspend::new(async move {
            match notices.await {
                Ok(n) if n.notices.is_empty() => view! {
                    <p class="empty">{i.text(k::notif_empty)}</p>
                }.into_any(),
                Ok(n) => view! {
                    <ul class="notice-list">
                        {n.notices.into_iter().map(|notice| {
                            let unread = !notice.read;
                            let open = open.clone();
                            let (link, created_at) = (notice.link(), notice.created_at);
                            let text = move || notice.words(i.lang());
                            view! {
                                <li class:unread=unread>
                                    <a href=link on:click=move |_| open.set(false)>{text}</a>
                                    <span class="notice-time">
                                        {unread.then(|| view! { <span class="badge unread">{i.text(k::notif_unread)}</span> })}
                                        <LocalTime ts=created_at/>
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(error) => view! { <crate::ui::ErrorNote error/> }.into_any(),
            }
        })
    };
    Ok(view! {
        <section
            id="notifications-panel"
            class="notifications-panel"
            aria-label=i.text(k::notif_button)
            on:keydown=close
        >
            <div class="panel-head">
                <h2>{i.text(k::notif_button)}</h2>
                <button disabled=cannot_mark on:click=move |_| { mark.dispatch(()); }>{i.text(k::notif_mark_all_read)}</button>
            </div>
            {error_of(mark.value())}
            <Transition fallback=move || view! { <p class="loading">{i.text(k::loading)}</p> }>{list}</Transition>
        </section>
    }
    .into_any())
}

/// The root's "Notifications" settings: the webhook every notice is also POSTed to, how its
/// deliveries are signed, and what became of the last one.
#[component]
pub fn WebhookSettings() -> impl IntoView {
    let i = use_i18n();
    let current = crate::codec::resource(|| (), |_| get_webhook());
    let url = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = current.get() {
            url.set(saved.url);
        }
    });
    let save = Action::new(|url: &String| set_webhook(url.clone()));
    let make_secret = Action::new(|_: &()| new_webhook_secret());
    // The signing secret is shown once: in the answer that made it.
    let secret = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            if saved.secret.is_some() {
                secret.set(saved.secret);
            }
            current.refetch();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(made)) = make_secret.value().get() {
            secret.set(Some(made));
            current.refetch();
        }
    });
    let status = move || match save.value().get() {
        Some(Ok(saved)) if saved.url.is_empty() => i.t(k::notif_webhook_off).to_owned(),
        Some(Ok(saved)) => i.fill(k::notif_webhook_on, &[("url", &saved.url)]),
        _ => String::new(),
    };
    let signing = move || {
        let signed = matches!(current.get(), Some(Ok(w)) if w.signed);
        view! {
            <p>{i.text(if signed { k::notif_signed } else { k::notif_unsigned })}</p>
        }
    };
    let last = move || {
        current.get().map(|answer| match answer {
            Ok(Webhook {
                last_delivery: Some(last),
                ..
            }) => {
                // The time is a `LocalTime`, set wherever the sentence puts it.
                let line = sentence(k::notif_last_delivery, move |piece| match piece {
                    "time" => view! { <LocalTime ts=last.at/> }.into_any(),
                    _ => last.words(i.lang()).into_any(),
                });
                view! { <p class="last-delivery">{line}</p> }.into_any()
            }
            Ok(_) => view! { <p class="last-delivery">{i.text(k::notif_last_delivery_none)}</p> }
                .into_any(),
            Err(error) => view! { <crate::ui::ErrorNote error/> }.into_any(),
        })
    };
    // The header's name is code, set apart wherever the sentence puts it.
    let signature = sentence(k::notif_signature_text, |_| {
        view! { <code>"X-Console-Signature: sha256=…"</code> }.into_any()
    });
    view! {
        <section class="settings" aria-labelledby="notification-settings">
            <h2 id="notification-settings">{i.text(k::notif_button)}</h2>
            <p class="lead">{i.text(k::notif_settings_lead)}</p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(url.get_untracked());
            }>
                <label for="webhook-url">{i.text(k::notif_webhook_url)}</label>
                <div class="field-row">
                    <input
                        id="webhook-url"
                        type="url"
                        placeholder="https://example.com/hooks/console"
                        value=move || url.get()
                        prop:value=move || url.get()
                        on:input=move |ev| url.set(event_target_value(&ev))
                    />
                    <button type="submit" class="primary" disabled=move || save.pending().get()>{i.text(k::notif_save_webhook)}</button>
                </div>
            </form>
            // A polite live region without the status role: the page above has its own status line.
            <div aria-live="polite" class="status" class:quiet=move || status().is_empty()>{status}</div>
            {error_of(save.value())}
            <Transition fallback=|| ()>{last}</Transition>
            <h3>{i.text(k::notif_signing_secret)}</h3>
            <p>{signature}</p>
            <Transition fallback=|| ()>{signing}</Transition>
            {move || secret.get().map(|secret| view! {
                <p class="secret" aria-live="polite">
                    {i.text(k::notif_new_secret_shown)}<code>{secret}</code>
                </p>
            })}
            <button on:click=move |_| { make_secret.dispatch(()); } disabled=move || make_secret.pending().get()>
                {i.text(k::notif_new_secret)}
            </button>
            {error_of(make_secret.value())}
        </section>
    }
}
