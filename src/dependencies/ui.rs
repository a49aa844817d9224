use super::{Upstream, add_upstream, list_workspace_names, list_workspace_nodes, remove_upstream};
use crate::domain::dependencies::{UpstreamState, task_status_key};
use crate::i18n::{k, use_i18n};
use crate::ui::{RequiresFullAccess, error_of};
use leptos::prelude::*;

/// DataStudio's "Upstream Dependencies" of one node: `<workspace>.<node>` per line with "Remove",
/// and "Add Upstream" (a workspace of the account, then one of its nodes).
#[component]
pub fn UpstreamDependencies(
    node_id: i64,
    upstream: Vec<Upstream>,
    can_modify: bool,
) -> impl IntoView {
    let i = use_i18n();
    // The list comes with the node (rendered by the server), then from each change's answer: no
    // resource of its own inside the node editor's Suspend.
    let ups = RwSignal::new(upstream);
    let said = RwSignal::new(String::new());
    let remove = Action::new(move |up: &Upstream| {
        let up = up.clone();
        async move {
            let left = remove_upstream(node_id, up.upstream_node_id).await?;
            Ok::<_, crate::error::AppError>((up, left))
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((up, left))) = remove.value().get() {
            // Said once, in the language of the moment (the effect does not follow the language).
            let lang = i.lang_untracked();
            said.set(lang.fill(k::deps_removed, &[("upstream", &up.label())]));
            ups.set(left);
        }
    });
    let adding = RwSignal::new(false);
    let on_added = Callback::new(move |(label, list): (String, Vec<Upstream>)| {
        adding.set(false);
        said.set(
            i.lang_untracked()
                .fill(k::deps_added, &[("upstream", &label)]),
        );
        ups.set(list);
    });
    let rows = move || {
        let list = ups.get();
        if list.is_empty() {
            return view! {
                <p class="empty">{i.text(k::deps_none)}</p>
            }
            .into_any();
        }
        view! {
            <ul class="dependencies">
                {list.into_iter().map(|up| {
                    let label_id = format!("upstream-{}", up.upstream_node_id);
                    let target = up.clone();
                    view! {
                        <li>
                            <code id=label_id.clone()>{up.label()}</code>
                            {(!up.state.is_empty()).then(|| {
                                let state = up.state.clone();
                                let shown = move || UpstreamState::label_key(&state).map_or_else(|| state.clone(), |key| i.t(key).to_owned());
                                view! { <span class="badge expired">{shown}</span> }
                            })}
                            <button
                                aria-describedby=label_id
                                disabled=move || !can_modify || remove.pending().get()
                                on:click=move |_| { remove.dispatch(target.clone()); }
                            >{i.text(k::deps_remove)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="upstream" aria-labelledby="upstream-title">
            <h3 id="upstream-title">{i.text(k::deps_heading)}</h3>
            <p class="hint">{i.text(k::deps_hint)}</p>
            {rows}
            {error_of(remove.value())}
            <div aria-live="polite" class="status" class:quiet=move || said.with(String::is_empty)>{move || said.get()}</div>
            {move || if adding.get() {
                view! { <AddUpstreamForm node_id on_added on_cancel=Callback::new(move |_| adding.set(false))/> }.into_any()
            } else {
                view! {
                    <button disabled=!can_modify on:click=move |_| adding.set(true)>{i.text(k::deps_add_upstream)}</button>
                    {(!can_modify).then(|| view! { <RequiresFullAccess/> })}
                }
                .into_any()
            }}
        </section>
    }
}

/// "Add Upstream": pick a workspace of the account, then one of its nodes.
#[component]
fn AddUpstreamForm(
    node_id: i64,
    on_added: Callback<(String, Vec<Upstream>)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let workspaces = LocalResource::new(list_workspace_names);
    let workspace = RwSignal::new(String::new());
    let nodes = LocalResource::new(move || {
        let w = workspace.get();
        async move {
            if w.is_empty() {
                Ok(Vec::new())
            } else {
                list_workspace_nodes(w).await
            }
        }
    });
    let picked = RwSignal::new(None::<i64>);
    let add = Action::new(move |up: &i64| add_upstream(node_id, *up));
    Effect::new(move |_| {
        if let Some(Ok(ups)) = add.value().get()
            && let Some(added) = ups
                .iter()
                .find(|u| Some(u.upstream_node_id) == picked.get_untracked())
        {
            on_added.run((added.label(), ups.clone()));
        }
    });
    view! {
        <form class="add-upstream" on:submit=move |ev| {
            ev.prevent_default();
            if let Some(up) = picked.get_untracked() {
                add.dispatch(up);
            }
        }>
            <label for="upstream-workspace">{i.text(k::deps_workspace)}</label>
            <select id="upstream-workspace" on:change=move |ev| {
                picked.set(None);
                workspace.set(event_target_value(&ev));
            }>
                <option value="" selected=true>{i.text(k::deps_choose_workspace)}</option>
                {move || workspaces.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|w| view! {
                    <option value=w.clone()>{w.clone()}</option>
                }).collect_view()}
            </select>
            <label for="upstream-node">{i.text(k::deps_node)}</label>
            <select
                id="upstream-node"
                disabled=move || workspace.with(String::is_empty)
                on:change=move |ev| picked.set(event_target_value(&ev).parse().ok())
            >
                <option value="" selected=move || picked.get().is_none()>{i.text(k::deps_choose_node)}</option>
                {move || nodes.get().and_then(Result::ok).unwrap_or_default().into_iter().filter(|n| n.id != node_id).map(|n| view! {
                    <option value=n.id.to_string()>{format!("{} ({}, {})", n.name, n.product, n.node_type)}</option>
                }).collect_view()}
            </select>
            {error_of(add.value())}
            <div class="dialog-buttons">
                <button type="submit" class="primary" disabled=move || picked.get().is_none() || add.pending().get()>{i.text(k::assets_add)}</button>
                <button type="button" on:click=move |_| on_cancel.run(())>{i.text(k::ws_cancel)}</button>
            </div>
        </form>
    }
}

/// "and N more …" below the first `shown` downstream nodes.
fn more_nodes(i: crate::i18n::I18n, more: i64, shown: usize) -> String {
    let key = if more == 1 {
        k::deps_more_one
    } else {
        k::deps_more_many
    };
    i.fill(key, &[("more", &more), ("shown", &shown)])
}

/// The nodes of other workspaces that run after nodes of one workspace (SPEC §16): the third
/// pre-deletion check, and a Recycle Bin entry's section; `none` when there are none (a text,
/// or `i.text(k::del_no_downstream)` to follow the language).
pub fn downstream_table(deps: super::DownstreamDependencies, none: impl Into<TextProp>) -> AnyView {
    let none: TextProp = none.into();
    if deps.count == 0 {
        return view! { <p>{move || none.get()}</p> }.into_any();
    }
    let i = use_i18n();
    // The rows are downstream nodes, as `count` counts them.
    let shown = deps.first.len();
    let more = deps.unlisted();
    let count = deps.count;
    let nodes = move || {
        if count == 1 {
            i.t(k::deps_depend_one).to_owned()
        } else {
            i.fill(k::deps_depend_many, &[("n", &count)])
        }
    };
    view! {
        <p class="warning-text">{nodes}</p>
        <table class="grid compact text">
            <thead><tr>
                <th scope="col">{i.text(k::deps_workspace)}</th>
                <th scope="col">{i.text(k::deps_node)}</th>
                <th scope="col">{i.text(k::deps_depends_on)}</th>
                <th scope="col">{i.text(k::deps_task_status)}</th>
            </tr></thead>
            <tbody>
                {deps.first.into_iter().map(|d| {
                    let status = move || match &d.task_status {
                        Some(s) => task_status_key(s).map_or_else(|| s.clone(), |key| i.t(key).to_owned()),
                        None => i.t(k::deps_not_published).to_owned(),
                    };
                    view! {
                        <tr>
                            <td>{d.workspace}</td>
                            <td>{d.node}</td>
                            <td>{d.upstream_nodes.join(", ")}</td>
                            <td>{status}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {(more > 0).then(|| view! { <p>{move || more_nodes(i, more, shown)}</p> })}
    }
    .into_any()
}
