use super::{WorkspaceRow, create_workspace, list_workspaces, set_deletion_protection};

use crate::domain::{Viewer, WorkspaceName};
use crate::error::AppError;
use crate::i18n::{k, use_i18n};
use crate::ui::sentence;
use crate::ui::{
    AnyViewFn, DeleteWorkspaceSlot, ErrorNote, LocalTime, Modal, Pager, RequiresFullAccess,
    lazy_view,
};
use leptos::html;
use leptos::prelude::*;

/// The Workspaces page. Its rows' "Delete Workspace" opens the deletion feature's dialog through
/// [`DeleteWorkspaceSlot`] (deletion builds on workspaces and not the other way round; the app
/// fills the slot). The dialog hands back the status message to show, and says when the list
/// changed again (an Undo).
#[component]
pub fn WorkspacesPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::builds::note_build("WorkspacesPage");
    let viewer = expect_context::<Viewer>();
    let i = use_i18n();
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(1i64);
    let version = RwSignal::new(0u32);
    let live = crate::live::ui::live_version(crate::live::LiveChange::changes_workspace_list);
    let list = crate::codec::resource(
        move || (query.get(), page.get(), version.get(), live.get()),
        |(q, p, _, _)| list_workspaces(q, p),
    );
    // The answer shown: the first one, then each later one (see the table below).
    let shown = crate::codec::Answers::<super::WorkspacePage>::new();
    let rows = move || shown.with_ok(|s| s.rows.clone()).unwrap_or_default();
    let paging = move || shown.with_ok(|s| (s.page, s.pages));
    let creating = RwSignal::new(false);
    let deleting = RwSignal::new(None::<WorkspaceRow>);
    // Which row's "More" menu is open; kept here so a list refresh does not close it.
    let open_menu = RwSignal::new(None::<i64>);
    let status = RwSignal::new(None::<AnyViewFn>);
    let can_modify = viewer.can_modify;
    let protect = Action::new(|(name, enabled): &(String, bool)| {
        let (name, enabled) = (name.clone(), *enabled);
        async move { set_deletion_protection(name, enabled).await }
    });
    Effect::new(move |_| match protect.value().get() {
        Some(Ok(row)) => {
            let key = if row.deletion_protection {
                k::ws_protection_on_for
            } else {
                k::ws_protection_off_for
            };
            let name = row.name.clone();
            status.set(Some(AnyViewFn::new(move || {
                i.fill(key, &[("name", &name)])
            })));
            version.update(|v| *v += 1);
        }
        Some(Err(error)) => status.set(Some(AnyViewFn::new(move || error.in_lang(i.lang())))),
        None => {}
    });

    // Links are plain `<a>`, not the router's `A` (the router takes their clicks all the same):
    // `A` would bring its path-resolving code into the WASM every sign-in downloads.
    view! {
        <div class="page-head">
            <h1>{i.text(k::ws_heading)}</h1>
            <div class="head-actions">
                <a href="/recycle-bin" class="button">{i.text(k::nav_recycle_bin)}</a>
            </div>
        </div>
        <div class="toolbar">
            <input
                type="search"
                class="search"
                aria-label=i.text(k::ws_search_label)
                placeholder=i.text(k::ws_search_placeholder)
                maxlength="64"
                value=move || query.get()
                prop:value=move || query.get()
                on:input=move |ev| {
                    query.set(event_target_value(&ev));
                    page.set(1);
                }
            />
            <button class="primary" disabled=!can_modify on:click=move |_| creating.set(true)>{i.text(k::ws_create_workspace)}</button>
            {(!can_modify).then(|| view! { <RequiresFullAccess/> })}
        </div>
        <div role="status" class="status" class:quiet=move || status.with(Option::is_none)>{move || status.get().map(|f| f.0())}</div>
        <Transition fallback=move || view! { <p class="loading">{i.text(k::ws_loading)}</p> }>
            // Built once, with the first answer (the server's, taken from the HTML in the browser);
            // every later answer updates `shown`, and the rows are keyed, so a refresh (a search, a
            // page, a live update) re-renders only the rows that changed: focus, an open menu and
            // typed text survive it (SPEC §19).
            {Suspend::new(async move {
                shown.follow(list).await;
                view! {
                    {move || shown.error().map(|error| view! { <ErrorNote error/> })}
                    <table class="grid">
                        <thead>
                            <tr>
                                <th scope="col">{i.text(k::ws_workspace_name)}</th>
                                <th scope="col">{i.text(k::ws_display_name)}</th>
                                <th scope="col">{i.text(k::ws_created_at)}</th>
                                <th scope="col">{i.text(k::ws_created_by)}</th>
                                <th scope="col">{i.text(k::ws_actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=rows key=|row| row.clone() let:row>
                                <WorkspaceTableRow
                                    row
                                    can_modify
                                    open_menu
                                    on_delete=move |row| deleting.set(Some(row))
                                    on_protect=move |change| { protect.dispatch(change); }
                                />
                            </For>
                        </tbody>
                    </table>
                    {move || rows().is_empty().then(|| view! { <p class="empty">{i.text(k::ws_none_match)}</p> })}
                    {move || paging().map(|(at, pages)| view! { <Pager page=at pages on_page=move |p| page.set(p)/> })}
                }
            })}
        </Transition>
        <Show when=move || creating.get()>
            {
                let on_close = Callback::new(move |_| creating.set(false));
                let on_created = Callback::new(move |row: WorkspaceRow| {
                    creating.set(false);
                    let name = row.name.clone();
                    status.set(Some(AnyViewFn::new(move || {
                        // The name is a link, wherever the language puts it.
                        let name = name.clone();
                        sentence(k::ws_created, move |_| {
                            view! { <a href=format!("/workspaces/{name}")>{name.clone()}</a> }.into_any()
                        })
                    })));
                    version.update(|v| *v += 1);
                });
                lazy_view(move || create_workspace_dialog(on_close, on_created))
            }
        </Show>
        {move || deleting.get().map(|row| {
            let on_close = Callback::new(move |_| deleting.set(None));
            let on_deleted = Callback::new(move |message: AnyViewFn| {
                deleting.set(None);
                status.set(Some(message));
                version.update(|v| *v += 1);
            });
            let on_changed = Callback::new(move |_| version.update(|v| *v += 1));
            view! { <DeleteWorkspaceSlot workspace=row.name.clone() on_close on_deleted on_changed/> }
        })}
    }
}

// The Create Workspace dialog loads its code when first opened (see `lazy_view`).
#[leptos::wasm_split::wasm_split(create_workspace_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
fn create_workspace_dialog(
    on_close: Callback<()>,
    on_created: Callback<WorkspaceRow>,
) -> Result<AnyView, AppError> {
    Ok(view! { <CreateWorkspaceDialog on_close on_created/> }.into_any())
}

#[component]
fn WorkspaceTableRow(
    row: WorkspaceRow,
    can_modify: bool,
    open_menu: RwSignal<Option<i64>>,
    #[prop(into)] on_delete: Callback<WorkspaceRow>,
    /// Turns the row's deletion protection on (`true`) or off.
    #[prop(into)]
    on_protect: Callback<(String, bool)>,
) -> impl IntoView {
    let id = row.id;
    let i = use_i18n();
    // Plain closures and no `Show`: the server renders ten rows per page, and each memo or
    // derived signal a row sets up is paid on every page view.
    let open = move || open_menu.get() == Some(id);
    let set_open = move |value: bool| open_menu.set(value.then_some(id));
    // The WAI-ARIA menu button: the menu's first item that can be used takes the focus when it
    // opens; arrows, Home and End move among its items; Escape closes it and gives the focus back
    // to "More", and so does choosing an item (the dialog it opens returns the focus there).
    let menu = NodeRef::<html::Div>::new();
    let button = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if open()
            && let Some(menu) = menu.get()
        {
            focus_item(&menu, |_, _| 0);
        }
    });
    let back_to_button = move || {
        set_open(false);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    let on_menu_key = move |ev: web_sys::KeyboardEvent| {
        let Some(menu) = menu.get_untracked() else {
            return;
        };
        let step: fn(Option<usize>, usize) -> usize = match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                return back_to_button();
            }
            "Tab" => return set_open(false),
            "ArrowDown" => |at, n| at.map_or(0, |i| (i + 1) % n),
            "ArrowUp" => |at, n| at.map_or(n - 1, |i| (i + n - 1) % n),
            "Home" => |_, _| 0,
            "End" => |_, n| n - 1,
            _ => return,
        };
        ev.prevent_default();
        focus_item(&menu, step);
    };
    let protected = row.deletion_protection;
    // Why "Delete Workspace" cannot be used, if it cannot.
    let delete_blocked = if !can_modify {
        Some(k::full_access_required)
    } else if protected {
        Some(k::ws_protection_on)
    } else {
        None
    };
    let menu_id = format!("menu-{}", row.id);
    let controls = menu_id.clone();
    let target = row.clone();
    let name = row.name.clone();
    view! {
        <tr>
            <td data-label=i.text(k::ws_workspace_name)>
                <a href=format!("/workspaces/{}", row.name)>{name.clone()}</a>
                {protected.then(|| view! { <span class="badge">{i.text(k::ws_protected)}</span> })}
            </td>
            <td data-label=i.text(k::ws_display_name)>{row.display_name.clone()}</td>
            <td data-label=i.text(k::ws_created_at)><LocalTime ts=row.created_at/></td>
            <td data-label=i.text(k::ws_created_by)>{row.created_by.clone()}</td>
            <td data-label=i.text(k::ws_actions)><div class="actions">
                <a href=format!("/workspaces/{}/datastudio", row.name)>"DataStudio"</a>
                <div class="menu-wrap">
                    <button
                        aria-haspopup="menu"
                        aria-expanded=move || open().to_string()
                        aria-controls=controls
                        node_ref=button
                        on:click=move |_| set_open(!untrack(open))
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "ArrowDown" {
                                ev.prevent_default();
                                set_open(true);
                            }
                        }
                    >
                        {i.text(k::ws_more)}
                    </button>
                    {move || open().then(|| view! {
                        <div class="menu-scrim" on:click=move |_| set_open(false)></div>
                        <div
                            role="menu"
                            class="menu"
                            id=menu_id.clone()
                            node_ref=menu
                            on:keydown=on_menu_key
                        >
                            <button
                                role="menuitem"
                                disabled=delete_blocked.is_some()
                                aria-disabled=delete_blocked.is_some().to_string()
                                title=move || delete_blocked.map(|key| i.t(key))
                                on:click={
                                    let target = target.clone();
                                    move |_| {
                                        back_to_button();
                                        on_delete.run(target.clone());
                                    }
                                }
                            >
                                {i.text(k::ws_delete_workspace)}
                            </button>
                            {(can_modify && protected).then(|| view! { <span class="reason">{i.text(k::ws_protection_on)}</span> })}
                            <button
                                role="menuitem"
                                disabled=!can_modify
                                aria-disabled=(!can_modify).to_string()
                                title=move || (!can_modify).then(|| i.t(k::full_access_required))
                                on:click={
                                    let name = row.name.clone();
                                    move |_| {
                                        back_to_button();
                                        on_protect.run((name.clone(), !protected));
                                    }
                                }
                            >
                                {i.text(if protected { k::ws_disable_protection } else { k::ws_enable_protection })}
                            </button>
                            {(!can_modify).then(|| view! { <RequiresFullAccess/> })}
                        </div>
                    })}
                </div>
            </div></td>
        </tr>
    }
}

/// Moves the focus among the menu's items that can be used: to the one `step(current, count)`
/// names.
fn focus_item(menu: &web_sys::HtmlDivElement, step: fn(Option<usize>, usize) -> usize) {
    use wasm_bindgen::JsCast;
    let Ok(list) = menu.query_selector_all("[role=menuitem]:not([disabled])") else {
        return;
    };
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect();
    if items.is_empty() {
        return;
    }
    let active = document().active_element();
    let at = items
        .iter()
        .position(|item| active.as_ref() == Some(item.unchecked_ref::<web_sys::Element>()));
    let _ = items[step(at, items.len()) % items.len()].focus();
}

#[component]
fn CreateWorkspaceDialog(
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<WorkspaceRow>,
) -> impl IntoView {
    let i = use_i18n();
    let name = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let modeling = RwSignal::new(false);
    let protection = RwSignal::new(false);
    let touched = RwSignal::new(false);
    let create = Action::new(
        |(n, d, desc, m, p): &(String, String, String, bool, bool)| {
            let (n, d, desc, m, p) = (n.clone(), d.clone(), desc.clone(), *m, *p);
            async move { create_workspace(n, d, desc, m, p).await }
        },
    );
    Effect::new(move |_| {
        if let Some(Ok(row)) = create.value().get() {
            on_created.run(row);
        }
    });
    // The naming conventions are checked here before sending; the server checks them again.
    let local_error = move || {
        touched
            .get()
            .then(|| {
                WorkspaceName::parse(&name.get())
                    .err()
                    .map(|e| e.msg().in_lang(i.lang()))
            })
            .flatten()
    };
    let name_error = move || {
        local_error().or_else(|| match create.value().get() {
            Some(Err(AppError::Invalid(m) | AppError::Conflict(m) | AppError::NameReserved(m))) => {
                Some(m.in_lang(i.lang()))
            }
            _ => None,
        })
    };
    let reserved = move || matches!(create.value().get(), Some(Err(AppError::NameReserved(_))));
    let other_error = move || match create.value().get() {
        Some(Err(
            e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NameReserved(_)),
        )) => {
            let _ = e;
            None
        }
        Some(Err(e)) => Some(view! { <ErrorNote error=e/> }),
        _ => None,
    };
    view! {
        <Modal title=i.text(k::ws_create_workspace) on_close>
            <form
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    touched.set(true);
                    if WorkspaceName::parse(&name.get_untracked()).is_ok() {
                        create.dispatch((
                            name.get_untracked(),
                            display_name.get_untracked(),
                            description.get_untracked(),
                            modeling.get_untracked(),
                            protection.get_untracked(),
                        ));
                    }
                }
            >
                <label for="ws_name">{i.text(k::ws_workspace_name)}</label>
                <input
                    id="ws_name"
                    autocomplete="off"
                    aria-describedby="ws_name_rules ws_name_error"
                    aria-invalid=move || name_error().is_some().to_string()
                    value=move || name.get()
                    prop:value=move || name.get()
                    on:input=move |ev| {
                        name.set(event_target_value(&ev));
                        touched.set(true);
                        create.value().set(None);
                    }
                />
                <p class="hint" id="ws_name_rules">{i.text(k::ws_name_rules)}</p>
                <p class="field-error" id="ws_name_error" role="alert">
                    {move || name_error()}
                    {move || reserved().then(|| view! { " " <a href="/recycle-bin">{i.text(k::ws_recover_in_bin)}</a> })}
                </p>
                <label for="ws_display">{i.text(k::ws_display_name)}</label>
                <input id="ws_display" value=move || display_name.get() prop:value=move || display_name.get() on:input=move |ev| display_name.set(event_target_value(&ev))/>
                <label for="ws_description">{i.text(k::field_description)}</label>
                <textarea id="ws_description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))>{description.get_untracked()}</textarea>
                <label class="check">
                    <input type="checkbox" checked=move || modeling.get() prop:checked=move || modeling.get() on:change=move |ev| modeling.set(event_target_checked(&ev))/>
                    {i.text(k::ws_enable_data_modeling)}
                </label>
                <label class="check">
                    <input type="checkbox" checked=move || protection.get() prop:checked=move || protection.get() on:change=move |ev| protection.set(event_target_checked(&ev))/>
                    {i.text(k::ws_enable_deletion_protection)}
                </label>
                {other_error}
                <div class="dialog-buttons">
                    <button type="submit" class="primary" disabled=move || create.pending().get()>{i.text(k::ws_create)}</button>
                    <button type="button" on:click=move |_| on_close.run(())>{i.text(k::ws_cancel)}</button>
                </div>
            </form>
        </Modal>
    }
}
