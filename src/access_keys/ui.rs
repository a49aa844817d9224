use super::{
    AccessKey, CreatedAccessKey, create_access_key, delete_access_key, list_access_keys,
    set_access_key_enabled,
};
use crate::ui::{LocalTime, Modal, error_of};
use leptos::prelude::*;

/// The RAM Users page's "AccessKeys" section: every key of the account, "Create AccessKey" for the
/// root or a RAM user, Disable / Enable and Delete.
#[component]
pub fn AccessKeysSection(
    /// The "User" select's `<option>`s after the root's: the account's RAM users, as the page
    /// lists them (read inside a Suspense, so the server and the hydrating browser agree).
    #[prop(into)]
    user_options: ViewFn,
    account: String,
    #[prop(into)] on_change: Callback<String>,
) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let keys = crate::codec::resource(move || version.get(), |_| list_access_keys());
    // The "User" select itself holds the choice (its value is the user's id, empty for the root):
    // the key is made for what it shows when the form is sent, whatever happened before the page
    // hydrated (a copy of its value in a signal could say otherwise).
    let picker = NodeRef::<leptos::html::Select>::new();
    let create = Action::new(|user_id: &Option<i64>| create_access_key(*user_id));
    let created = RwSignal::new(None::<CreatedAccessKey>);
    Effect::new(move |_| {
        if let Some(Ok(key)) = create.value().get() {
            created.set(Some(key));
            version.update(|v| *v += 1);
        }
    });
    let reload = move |message: String| {
        on_change.run(message);
        version.update(|v| *v += 1);
    };
    let root_name = account.clone();
    view! {
        <section class="settings" aria-labelledby="access-keys">
            <h2 id="access-keys">"AccessKeys"</h2>
            <p class="lead">
                "An AccessKey lets a script use the API (" <code>"/openapi/v1"</code> ") and " <code>"workspace-console ctl"</code>
                " with exactly the permissions of its user. Each user may have 2. The secret is shown once, when the key is created."
            </p>
            <form class="field-row" on:submit=move |ev| {
                ev.prevent_default();
                let chosen = picker.get_untracked().map(|select| select.value()).unwrap_or_default();
                create.dispatch(chosen.parse::<i64>().ok());
            }>
                <label for="access-key-user">"User"</label>
                <select id="access-key-user" node_ref=picker>
                    <option value="">{root_name.clone()}</option>
                    {user_options.run()}
                </select>
                <button type="submit" class="primary" disabled=move || create.pending().get()>"Create AccessKey"</button>
            </form>
            {error_of(create.value())}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) if keys.is_empty() => view! { <p class="empty">"No AccessKeys yet."</p> }.into_any(),
                        Ok(keys) => view! {
                            <table class="grid">
                                <thead><tr>
                                    <th scope="col">"AccessKey ID"</th>
                                    <th scope="col">"User"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Created At"</th>
                                    <th scope="col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {keys.into_iter().map(|key| view! { <AccessKeyRow key on_change=reload/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <crate::ui::ErrorNote error/> }.into_any(),
                    }
                })}
            </Transition>
            {move || created.get().map(|key| view! { <CreatedDialog key on_close=move || created.set(None)/> })}
        </section>
    }
}

#[component]
fn AccessKeyRow(key: AccessKey, #[prop(into)] on_change: Callback<String>) -> impl IntoView {
    let id = key.id.clone();
    let toggle = Action::new({
        let id = id.clone();
        move |enabled: &bool| {
            let (id, enabled) = (id.clone(), *enabled);
            async move { set_access_key_enabled(id, enabled).await.map(|_| enabled) }
        }
    });
    let remove = Action::new({
        let id = id.clone();
        move |_: &()| delete_access_key(id.clone())
    });
    let name = id.clone();
    Effect::new(move |_| {
        if let Some(Ok(enabled)) = toggle.value().get() {
            on_change.run(format!(
                "AccessKey {name} {}.",
                if enabled { "enabled" } else { "disabled" }
            ));
        }
    });
    let name = id.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            on_change.run(format!("AccessKey {name} deleted."));
        }
    });
    let enabled = key.enabled;
    view! {
        <tr>
            <td><code>{key.id.clone()}</code></td>
            <td>{key.user.clone()}</td>
            <td>{if enabled { "Enabled" } else { "Disabled" }}</td>
            <td><LocalTime ts=key.created_at/></td>
            <td><div class="actions">
                <button aria-label=format!("{} {}", if enabled { "Disable" } else { "Enable" }, key.id)
                    on:click=move |_| { toggle.dispatch(!enabled); }>{if enabled { "Disable" } else { "Enable" }}</button>
                <button class="danger" aria-label=format!("Delete {}", key.id) on:click=move |_| { remove.dispatch(()); }>"Delete"</button>
                {error_of(toggle.value())}
                {error_of(remove.value())}
            </div></td>
        </tr>
    }
}

/// "AccessKey Created": the id and the secret, read-only, shown this once.
#[component]
fn CreatedDialog(key: CreatedAccessKey, #[prop(into)] on_close: Callback<()>) -> impl IntoView {
    view! {
        <Modal title="AccessKey Created" on_close>
            <p>{format!("A new AccessKey for {}. Copy the secret now: it is shown only this once and cannot be read again.", key.user)}</p>
            <label for="created-key-id">"AccessKey ID"</label>
            <input id="created-key-id" readonly value=key.id.clone()/>
            <label for="created-key-secret">"AccessKey Secret"</label>
            <input id="created-key-secret" readonly value=key.secret.clone()/>
            <div class="dialog-buttons">
                <button type="button" class="primary" on:click=move |_| on_close.run(())>"Close"</button>
            </div>
        </Modal>
    }
}
