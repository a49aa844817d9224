use super::{
    RamUser, create_ram_user, delete_ram_user, list_ram_users, set_ram_user_password,
    set_ram_user_policy, sign_in, sign_out, sign_up,
};
use crate::domain::Policy;
use crate::error::AppError;
use crate::i18n::{Key, Msg, k, use_i18n};
use crate::language::ui::LanguageSelect;
use crate::ui::{ErrorNote, LocalTime, Modal, error_of, go_to};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The refusal a form post to server function `path` was sent back with (`?__path=…&__err=…`,
/// put there by the server function for a browser without WASM, or one that has not hydrated
/// yet). The address can be crafted by anyone, so only refusals whose text is the console's own
/// are shown as they are; any other is shown as `otherwise`.
fn refusal_in_address(path: &str, otherwise: Key) -> Option<AppError> {
    let query = use_query_map();
    let (sent_by, err) = query.with_untracked(|q| (q.get("__path"), q.get("__err")));
    if sent_by.as_deref() != Some(path) {
        return None;
    }
    let error = leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&err?);
    Some(match error {
        AppError::BadCredentials
        | AppError::Throttled(_)
        | AppError::Busy(_)
        | AppError::TooLarge
        | AppError::Internal => error,
        _ => AppError::BadRequest(Msg::new(otherwise)),
    })
}

/// What the sign-in and sign-up forms share. Their fields are read when the form is sent, not bound
/// to signals: what a visitor types before the page has hydrated stays (hydration does not write
/// the inputs), and a form sent before then posts to the server function as plain HTML.
type Credentials = (String, String);

fn value_of(input: NodeRef<leptos::html::Input>) -> String {
    input.get_untracked().map(|i| i.value()).unwrap_or_default()
}

/// Sends the credentials to `call`; once it succeeds, the browser goes to Workspaces.
fn submit_then_workspaces<Fut>(
    call: fn(String, String) -> Fut,
) -> Action<Credentials, Result<(), AppError>>
where
    Fut: std::future::Future<Output = Result<(), AppError>> + Send + 'static,
{
    let submit = Action::new(move |(a, b): &Credentials| call(a.clone(), b.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = submit.value().get() {
            go_to("/workspaces");
        }
    });
    submit
}

/// The refusal under the form: the last submission's, else the one the form was sent back with.
fn form_refusal(
    submit: Action<Credentials, Result<(), AppError>>,
    path: &str,
    otherwise: Key,
) -> impl Fn() -> Option<AnyView> + use<> {
    let sent_back = refusal_in_address(path, otherwise);
    move || {
        match submit.value().get() {
            Some(result) => result.err(),
            None => sent_back.clone(),
        }
        .map(|error| view! { <ErrorNote error/> }.into_any())
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // A sign-in form sent back with a refusal keeps its username (`?username=`).
    let sent_username = use_query_map().with_untracked(|q| q.get("username"));
    let username = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    let submit = submit_then_workspaces(sign_in);
    let refusal = form_refusal(submit, "/api/sign_in", k::error_sign_in_failed);
    let i = use_i18n();
    view! {
        <div class="auth-page">
            <LanguageSelect/>
            <form
                class="auth-card"
                method="post"
                action="/api/sign_in"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit.dispatch((value_of(username), value_of(password)));
                }
            >
                <p class="brand">{i.text(k::product_name)}</p>
                <h1>{i.text(k::auth_sign_in_heading)}</h1>
                <label for="username">{i.text(k::auth_username)}</label>
                <input id="username" name="username" autocomplete="username" required value=sent_username node_ref=username/>
                <p class="hint">{i.text(k::auth_username_hint)}</p>
                <label for="password">{i.text(k::auth_password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required node_ref=password/>
                {refusal}
                <button type="submit" class="primary" disabled=move || submit.pending().get()>{i.text(k::auth_sign_in)}</button>
                <p class="alt">{i.text(k::auth_no_account)} <A href="/signup">{i.text(k::auth_create_account)}</A></p>
            </form>
        </div>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let account = NodeRef::<leptos::html::Input>::new();
    let password = NodeRef::<leptos::html::Input>::new();
    let submit = submit_then_workspaces(sign_up);
    let refusal = form_refusal(submit, "/api/sign_up", k::error_sign_up_failed);
    let i = use_i18n();
    view! {
        <div class="auth-page">
            <LanguageSelect/>
            <form
                class="auth-card"
                method="post"
                action="/api/sign_up"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit.dispatch((value_of(account), value_of(password)));
                }
            >
                <p class="brand">{i.text(k::product_name)}</p>
                <h1>{i.text(k::auth_create_account)}</h1>
                <label for="account_name">{i.text(k::auth_account_name)}</label>
                <input id="account_name" name="account_name" autocomplete="username" required node_ref=account/>
                <p class="hint">{i.text(k::auth_account_name_hint)}</p>
                <label for="new_password">{i.text(k::auth_password)}</label>
                <input id="new_password" name="password" type="password" autocomplete="new-password" required node_ref=password/>
                <p class="hint">{i.text(k::auth_password_hint)}</p>
                {refusal}
                <button type="submit" class="primary" disabled=move || submit.pending().get()>{i.text(k::auth_create_account)}</button>
                <p class="alt">{i.text(k::auth_have_account)} <A href="/login">{i.text(k::auth_sign_in)}</A></p>
            </form>
        </div>
    }
}

#[component]
pub fn SignOutButton() -> impl IntoView {
    let out = Action::new(|_: &()| sign_out());
    Effect::new(move |_| {
        if out.value().get().is_some() {
            go_to("/login");
        }
    });
    let i = use_i18n();
    view! { <button class="link-button" on:click=move |_| { out.dispatch(()); }>{i.text(k::auth_sign_out)}</button> }
}

#[component]
pub fn RamUsersPage() -> impl IntoView {
    let is_root = use_context::<crate::domain::Viewer>().is_some_and(|v| v.is_root);
    let version = RwSignal::new(0u32);
    let users = crate::codec::resource(move || version.get(), |_| list_ram_users());
    let creating = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    let reload = move |message: String| {
        status.set(message);
        version.update(|v| *v += 1);
    };
    let i = use_i18n();
    view! {
        <div class="page-head">
            <h1>{i.text(k::nav_ram_users)}</h1>
            <button class="primary" on:click=move |_| creating.set(true)>{i.text(k::users_create)}</button>
        </div>
        <p class="lead">{i.text(k::users_lead)}</p>
        <div role="status" class="status" class:quiet=move || status.with(String::is_empty)>{move || status.get()}</div>
        <Transition fallback=move || view! { <p class="loading">{i.text(k::loading)}</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(users) if users.is_empty() => view! { <p class="empty">{i.text(k::users_empty)}</p> }.into_any(),
                    Ok(users) => view! {
                        <table class="grid">
                            <thead><tr><th>{i.text(k::users_col_user)}</th><th>{i.text(k::users_col_policies)}</th><th>{i.text(k::users_col_created_at)}</th><th>{i.text(k::users_col_actions)}</th></tr></thead>
                            <tbody>
                                {users.into_iter().map(|user| view! { <RamUserRow user on_change=reload/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Transition>
        <Show when=move || creating.get()>
            <CreateRamUserDialog on_close=move || creating.set(false) on_created=move |name: String| {
                creating.set(false);
                reload(i.fill(k::users_created, &[("name", &name)]));
            }/>
        </Show>
        {is_root.then(|| {
            let account = use_context::<crate::domain::Viewer>().map(|v| v.account_name).unwrap_or_default();
            let user_options = move || view! {
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let users: Vec<RamUser> = users.await.unwrap_or_default();
                        users.into_iter().map(|u| view! { <option value=u.id.to_string()>{u.sign_in_name}</option> }).collect_view()
                    })}
                </Suspense>
            };
            view! { <crate::access_keys::ui::AccessKeysSection user_options account on_change=reload/> }
        })}
        {is_root.then(|| view! { <crate::notifications::ui::WebhookSettings/> })}
    }
}

#[component]
fn RamUserRow(user: RamUser, #[prop(into)] on_change: Callback<String>) -> impl IntoView {
    let i = use_i18n();
    let id = user.id;
    let sign_in_name = user.sign_in_name.clone();
    let toggle = Action::new(move |(policy, attached): &(Policy, bool)| {
        let (policy, attached) = (*policy, *attached);
        async move {
            set_ram_user_policy(id, policy.as_str().to_owned(), attached)
                .await
                .map(|_| (policy, attached))
        }
    });
    let remove = Action::new(move |_: &()| delete_ram_user(id));
    let new_password = RwSignal::new(String::new());
    let set_pw = Action::new(move |pw: &String| set_ram_user_password(id, pw.clone()));
    let name = sign_in_name.clone();
    Effect::new(move |_| {
        if let Some(Ok((policy, attached))) = toggle.value().get() {
            let said = if attached {
                k::users_policy_attached
            } else {
                k::users_policy_detached
            };
            on_change.run(i.fill(said, &[("policy", &policy.as_str()), ("name", &name)]))
        }
    });
    let name = sign_in_name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            on_change.run(i.fill(k::users_deleted, &[("name", &name)]));
        }
    });
    let name = sign_in_name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = set_pw.value().get() {
            new_password.set(String::new());
            on_change.run(i.fill(k::users_password_changed, &[("name", &name)]));
        }
    });
    let policies = user.policies.clone();
    let shown_name = user.sign_in_name.clone();
    view! {
        <tr>
            <td>{user.sign_in_name.clone()}</td>
            <td>
                {Policy::ALL.into_iter().map(|policy| {
                    let attached = policies.iter().any(|p| p == policy.as_str());
                    view! {
                        <label class="check">
                            <input type="checkbox" checked=attached on:change=move |_| { toggle.dispatch((policy, !attached)); }/>
                            {policy.as_str()}
                        </label>
                    }
                }).collect_view()}
                {error_of(toggle.value())}
            </td>
            <td><LocalTime ts=user.created_at/></td>
            <td><div class="actions">
                <input type="password" aria-label=move || i.fill(k::users_new_password_for, &[("name", &shown_name)]) placeholder=i.text(k::users_new_password) bind:value=new_password/>
                <button on:click=move |_| { set_pw.dispatch(new_password.get_untracked()); }>{i.text(k::users_set_password)}</button>
                <button class="danger" on:click=move |_| { remove.dispatch(()); }>{i.text(k::users_delete)}</button>
                {error_of(set_pw.value())}
                {error_of(remove.value())}
            </div></td>
        </tr>
    }
}

#[component]
fn CreateRamUserDialog(
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<String>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let policy = RwSignal::new(String::new());
    let create = Action::new(|(n, p, pol): &(String, String, String)| {
        let (n, p, pol) = (n.clone(), p.clone(), pol.clone());
        async move { create_ram_user(n, p, Some(pol)).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(user)) = create.value().get() {
            on_created.run(user.sign_in_name);
        }
    });
    let i = use_i18n();
    view! {
        <Modal title=i.text(k::users_create) on_close>
            <form on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch((name.get_untracked(), password.get_untracked(), policy.get_untracked()));
            }>
                <label for="ram_name">{i.text(k::users_user_name)}</label>
                <input id="ram_name" bind:value=name required/>
                <label for="ram_password">{i.text(k::users_password)}</label>
                <input id="ram_password" type="password" bind:value=password required/>
                <label for="ram_policy">{i.text(k::users_policy)}</label>
                <select id="ram_policy" on:change=move |ev| policy.set(event_target_value(&ev))>
                    <option value="">{i.text(k::users_policy_none)}</option>
                    {Policy::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{p.as_str()}</option> }).collect_view()}
                </select>
                {error_of(create.value())}
                <div class="dialog-buttons">
                    <button type="submit" class="primary" disabled=move || create.pending().get()>{i.text(k::users_create_button)}</button>
                    <button type="button" on:click=move |_| on_close.run(())>{i.text(k::users_cancel)}</button>
                </div>
            </form>
        </Modal>
    }
}
