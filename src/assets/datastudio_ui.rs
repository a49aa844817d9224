use super::{
    AssetKind, NodeDetail, add_asset, commit_node, get_node, list_nodes, publish_node, save_node,
};
use crate::domain::Viewer;
use crate::domain::dependencies::task_status_key;
use crate::error::AppError;
use crate::i18n::{Key, k, use_i18n};
use crate::ui::WorkspaceNav;
use crate::ui::{ErrorNote, LocalTime, RequiresFullAccess, error_of};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn status_label(status: &str) -> Key {
    match status {
        "published" => k::ds_status_published,
        "committed" => k::ds_status_committed,
        _ => k::ds_status_draft,
    }
}

/// A node's status as its badge in the list says it ("draft"); another value as it is.
pub(crate) fn badge_label(status: &str) -> Option<Key> {
    match status {
        "published" => Some(k::ds_badge_published),
        "committed" => Some(k::ds_badge_committed),
        "draft" => Some(k::ds_badge_draft),
        _ => None,
    }
}

/// DataStudio: edit a node's code, "Save", "Commit" (records a version), "Publish" (creates or
/// updates its auto triggered task in Operation Center).
#[component]
pub fn DataStudioPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    let i = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let selected = Memo::new(move |_| query.read().get("node").and_then(|n| n.parse::<i64>().ok()));
    let version = RwSignal::new(0u32);
    let status = RwSignal::new(String::new());
    // Nodes others add to this workspace (copied out of a Recycle Bin entry: SPEC §23) appear live.
    let live = crate::live::ui::live_version(move |c: &crate::live::LiveChange| {
        c.changes_nodes() && c.is_about(&name.get_untracked())
    });
    let nodes = crate::codec::resource(
        move || (name.get(), version.get(), live.get()),
        |(n, _, _)| list_nodes(n),
    );
    let detail = crate::codec::resource(
        move || (name.get(), selected.get(), version.get()),
        |(n, id, _)| async move {
            match id {
                Some(id) => get_node(n, id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let navigate = use_navigate();
    let open = Callback::new(move |id: i64| {
        status.set(String::new());
        navigate(
            &format!("/workspaces/{}/datastudio?node={id}", name.get_untracked()),
            Default::default(),
        );
    });
    let changed = Callback::new(move |message: String| {
        status.set(message);
        version.update(|v| *v += 1);
    });
    view! {
        <WorkspaceNav name=name.get_untracked()/>
        <div class="page-head"><h1>{i.text(k::ds_heading)}</h1></div>
        <div role="status" class="status" class:quiet=move || status.with(String::is_empty)>{move || status.get()}</div>
        <div class="studio">
            <aside class="node-list" aria-label=i.text(k::field_kinds_node)>
                <h2>{i.text(k::field_kinds_node)}</h2>
                <Transition fallback=move || view! { <p class="loading">{i.text(k::loading)}</p> }>
                    {move || Suspend::new(async move {
                        match nodes.await {
                            Ok(nodes) => view! {
                                <ul>
                                    {nodes.into_iter().map(|n| {
                                        let id = n.id;
                                        view! {
                                            // The button says the name alone, so what speech users say is
                                            // what they see on it; product, type and status describe it.
                                            <li class="node-item" class:selected=move || selected.get() == Some(id)>
                                                <button
                                                    class="node-button"
                                                    aria-current=move || (selected.get() == Some(id)).then_some("true")
                                                    aria-describedby=format!("node-meta-{id}")
                                                    on:click=move |_| open.run(id)
                                                >
                                                    {n.name.clone()}
                                                </button>
                                                <span class="node-meta" id=format!("node-meta-{id}")>
                                                    {let (product, subtype) = (n.product.clone(), n.subtype.clone());
                                                     move || format!("{} · {} ", product, super::subtype_label(i.lang(), &subtype))}
                                                    <span class=format!("badge {}", n.status)>{
                                                        let status = n.status.clone();
                                                        move || badge_label(&status).map_or_else(|| status.clone(), |key| i.t(key).to_owned())
                                                    }</span>
                                                </span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorNote error/> }.into_any(),
                        }
                    })}
                </Transition>
                {if viewer.can_modify {
                    view! { <NewNodeForm workspace=name.get_untracked() on_created=changed/> }.into_any()
                } else {
                    view! { <p><RequiresFullAccess/></p> }.into_any()
                }}
            </aside>
            <section class="editor">
                <Transition fallback=move || view! { <p class="loading">{i.text(k::loading)}</p> }>
                    {move || Suspend::new(async move {
                        match detail.await {
                            Ok(Some(node)) => view! { <NodeEditor workspace=name.get_untracked() node can_modify=viewer.can_modify on_change=changed/> }.into_any(),
                            Ok(None) => view! { <p class="empty">{i.text(k::ds_choose_node)}</p> }.into_any(),
                            Err(error) => view! { <ErrorNote error/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

#[derive(Clone, Copy)]
enum Step {
    Save,
    Commit,
    Publish,
}

#[component]
fn NodeEditor(
    workspace: String,
    node: NodeDetail,
    can_modify: bool,
    on_change: Callback<String>,
) -> impl IntoView {
    let id = node.node.id;
    let i = use_i18n();
    let code = RwSignal::new(node.code.clone());
    let run = Action::new(move |step: &Step| {
        let (workspace, step, text) = (workspace.clone(), *step, code.get_untracked());
        async move {
            let detail = match step {
                Step::Save => save_node(workspace, id, text).await?,
                Step::Commit => commit_node(workspace, id).await?,
                Step::Publish => publish_node(workspace, id).await?,
            };
            Ok::<_, AppError>((step, detail))
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((step, detail))) = run.value().get() {
            let v = detail.versions.first().map_or(0, |v| v.version);
            let key = match step {
                Step::Save if detail.node.status == "draft" => k::ds_saved_draft,
                Step::Save => k::ds_saved_unchanged,
                Step::Commit => k::ds_committed,
                Step::Publish => k::ds_published,
            };
            // Said once, in the language of the moment (a status announcement).
            let lang = i.lang_untracked();
            on_change.run(lang.fill(key, &[("name", &detail.node.name), ("version", &v)]));
        }
    });
    let has_version = !node.versions.is_empty();
    let status = node.node.status.clone();
    let can_commit = can_modify && status == "draft";
    let can_publish = can_modify && has_version && status != "draft";
    let busy = move || run.pending().get();
    view! {
        <div class="editor-head">
            <h2>{node.node.name.clone()}</h2>
            <span class="node-meta">{
                let (product, subtype) = (node.node.product.clone(), node.node.subtype.clone());
                move || format!("{} · {}", product, super::subtype_label(i.lang(), &subtype))
            }</span>
            <span class=format!("badge {}", status)>{i.text(status_label(&status))}</span>
            {node.task_status.clone().map(|s| view! { <span class="node-meta">{move || {
                let shown = task_status_key(&s).map_or(s.as_str(), |key| i.t(key));
                i.fill(k::ds_auto_task, &[("status", &shown)])
            }}</span> })}
        </div>
        <label for="node_code">{i.text(k::field_code)}</label>
        <textarea
            id="node_code"
            class="code"
            rows="14"
            spellcheck="false"
            readonly=!can_modify
            prop:value=move || code.get()
            on:input=move |ev| code.set(event_target_value(&ev))
        >
            // The server's HTML holds the code too (a property is not rendered there).
            {code.get_untracked()}
        </textarea>
        {error_of(run.value())}
        <div class="editor-buttons">
            <button disabled=!can_modify || busy() on:click=move |_| { run.dispatch(Step::Save); }>{i.text(k::ds_save)}</button>
            <button disabled=move || !can_commit || busy() on:click=move |_| { run.dispatch(Step::Commit); }>{i.text(k::ds_commit)}</button>
            <button class="primary" disabled=move || !can_publish || busy() on:click=move |_| { run.dispatch(Step::Publish); }>{i.text(k::ds_publish)}</button>
            {(!can_modify).then(|| view! { <RequiresFullAccess/> })}
            {(can_modify && !has_version).then(|| view! { <span class="reason">{i.text(k::ds_needs_version)}</span> })}
        </div>
        <crate::dependencies::ui::UpstreamDependencies node_id=id upstream=node.upstream.clone() can_modify/>
        <h3>{i.text(k::ds_versions)}</h3>
        {if node.versions.is_empty() {
            view! { <p class="empty">{i.text(k::ds_no_version)}</p> }.into_any()
        } else {
            view! {
                <ul class="versions">
                    {node.versions.into_iter().map(|v| view! {
                        <li>{move || i.fill(k::ds_version_by, &[("version", &v.version), ("by", &v.committed_by)])}<LocalTime ts=v.committed_at/></li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn NewNodeForm(workspace: String, on_created: Callback<String>) -> impl IntoView {
    let i = use_i18n();
    let node_name = RwSignal::new(String::new());
    let product = RwSignal::new("DataWorks".to_owned());
    let subtype = RwSignal::new(AssetKind::Node.subtypes()[0].to_owned());
    let create = Action::new(move |_: &()| {
        add_asset(
            workspace.clone(),
            AssetKind::Node.as_str().to_owned(),
            product.get_untracked(),
            node_name.get_untracked(),
            subtype.get_untracked(),
            String::new(),
        )
    });
    Effect::new(move |_| {
        if let Some(Ok(asset)) = create.value().get() {
            node_name.set(String::new());
            on_created.run(
                i.lang_untracked()
                    .fill(k::ds_node_created, &[("name", &asset.name)]),
            );
        }
    });
    view! {
        <form class="new-node" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
            <h3>{i.text(k::ds_new_node)}</h3>
            <label for="new_node_name">{i.text(k::ds_node_name)}</label>
            <input id="new_node_name" value=move || node_name.get() prop:value=move || node_name.get() on:input=move |ev| node_name.set(event_target_value(&ev))/>
            <label for="new_node_product">{i.text(k::assets_product)}</label>
            <select id="new_node_product" on:change=move |ev| product.set(event_target_value(&ev))>
                <option value="DataWorks">"DataWorks"</option>
                <option value="PAI">"PAI"</option>
            </select>
            <label for="new_node_type">{i.text(k::ds_node_type)}</label>
            <select id="new_node_type" on:change=move |ev| subtype.set(event_target_value(&ev))>
                {AssetKind::Node.subtypes().iter().map(|s| view! { <option value=*s>{move || super::subtype_label(i.lang(), s)}</option> }).collect_view()}
            </select>
            {error_of(create.value())}
            <button type="submit" disabled=move || create.pending().get()>{i.text(k::ds_create_node)}</button>
        </form>
    }
}
