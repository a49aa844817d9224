use super::{Notices, get_webhook, list_notifications, mark_notifications_read, set_webhook};
use crate::ui::{LocalTime, error_of};
use leptos::prelude::*;
use std::time::Duration;

/// How often the header asks for new notices while a page is open.
const REFRESH: Duration = Duration::from_secs(60);

/// The header's "Notifications (N)" button and its panel: newest first, each notice linking to
/// what it is about, and "Mark all as read".
#[component]
pub fn NotificationsButton() -> impl IntoView {
    let version = RwSignal::new(0u32);
    // Read in the browser only, after hydration: the count is not part of the page the server
    // renders (no extra queries on every page view) and is always the latest.
    let notices = LocalResource::new(move || {
        version.track();
        list_notifications()
    });
    let open = RwSignal::new(false);
    let mark = Action::new(|_: &()| mark_notifications_read());
    Effect::new(move |_| {
        if mark.value().get().is_some() {
            version.update(|v| *v += 1);
        }
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || version.update(|v| *v += 1), REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    let unread = move || {
        notices
            .get()
            .and_then(Result::ok)
            .map_or(0, |n: Notices| n.unread)
    };
    let label = move || match unread() {
        0 => "Notifications".to_owned(),
        n => format!("Notifications ({n})"),
    };
    view! {
        <div class="notifications">
            <button
                class="link-button"
                aria-expanded=move || open.get().to_string()
                aria-controls="notifications-panel"
                on:click=move |_| {
                    if !open.get_untracked() {
                        version.update(|v| *v += 1);
                    }
                    open.update(|o| *o = !*o);
                }
            >
                {label}
            </button>
            <Show when=move || open.get()>
                <section
                    id="notifications-panel"
                    class="notifications-panel"
                    aria-label="Notifications"
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        if ev.key() == "Escape" {
                            open.set(false);
                        }
                    }
                >
                    <div class="panel-head">
                        <h2>"Notifications"</h2>
                        <button
                            disabled=move || unread() == 0 || mark.pending().get()
                            on:click=move |_| { mark.dispatch(()); }
                        >"Mark all as read"</button>
                    </div>
                    {error_of(mark.value())}
                    <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match notices.await {
                                Ok(n) if n.notices.is_empty() => view! {
                                    <p class="empty">"No notifications."</p>
                                }.into_any(),
                                Ok(n) => view! {
                                    <ul class="notice-list">
                                        {n.notices.into_iter().map(|notice| {
                                            let unread = !notice.read;
                                            view! {
                                                <li class:unread=unread>
                                                    <a href=notice.link() on:click=move |_| open.set(false)>{notice.text()}</a>
                                                    <span class="notice-time">
                                                        {unread.then(|| view! { <span class="badge unread">"Unread"</span> })}
                                                        <LocalTime ts=notice.created_at/>
                                                    </span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                                Err(error) => view! { <crate::ui::ErrorNote error/> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </Show>
        </div>
    }
}

/// The root's "Notifications" settings: the webhook every notice is also POSTed to.
#[component]
pub fn WebhookSettings() -> impl IntoView {
    let current = Resource::new(|| (), |_| get_webhook());
    let url = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = current.get() {
            url.set(saved);
        }
    });
    let save = Action::new(|url: &String| set_webhook(url.clone()));
    let status = move || match save.value().get() {
        Some(Ok(saved)) if saved.is_empty() => "The webhook is off.".to_owned(),
        Some(Ok(saved)) => format!("Notices will be POSTed to {saved}."),
        _ => String::new(),
    };
    view! {
        <section class="settings" aria-labelledby="notification-settings">
            <h2 id="notification-settings">"Notifications"</h2>
            <p class="lead">
                "The account root and the user who deleted a workspace are notified 7 days and 1 day before it is permanently deleted, and once it is. "
                "Every notice can also be POSTed as JSON to a webhook, retried with backoff until it is accepted or 24 hours pass."
            </p>
            <form on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(url.get_untracked());
            }>
                <label for="webhook-url">"Webhook URL"</label>
                <div class="field-row">
                    <input
                        id="webhook-url"
                        type="url"
                        placeholder="https://example.com/hooks/console"
                        prop:value=move || url.get()
                        on:input=move |ev| url.set(event_target_value(&ev))
                    />
                    <button type="submit" class="primary" disabled=move || save.pending().get()>"Save Webhook"</button>
                </div>
            </form>
            // A polite live region without the status role: the page above has its own status line.
            <div aria-live="polite" class="status" class:quiet=move || status().is_empty()>{status}</div>
            {error_of(save.value())}
        </section>
    }
}
