use super::{
    AssetKind, NodeDetail, add_asset, commit_node, get_node, list_nodes, publish_node, save_node,
};
use crate::domain::Viewer;
use crate::error::AppError;
use crate::ui::WorkspaceNav;
use crate::ui::{ErrorNote, LocalTime, RequiresFullAccess, error_of};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn status_label(status: &str) -> &'static str {
    match status {
        "published" => "Published",
        "committed" => "Committed",
        _ => "Draft",
    }
}

/// DataStudio: edit a node's code, "Save", "Commit" (records a version), "Publish" (creates or
/// updates its auto triggered task in Operation Center).
#[component]
pub fn DataStudioPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
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
        <div class="page-head"><h1>"DataStudio"</h1></div>
        <div role="status" class="status" class:quiet=move || status.with(String::is_empty)>{move || status.get()}</div>
        <div class="studio">
            <aside class="node-list" aria-label="Nodes">
                <h2>"Nodes"</h2>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
                                                    {format!("{} · {} ", n.product, n.subtype)}
                                                    <span class=format!("badge {}", n.status)>{n.status.clone()}</span>
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
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match detail.await {
                            Ok(Some(node)) => view! { <NodeEditor workspace=name.get_untracked() node can_modify=viewer.can_modify on_change=changed/> }.into_any(),
                            Ok(None) => view! { <p class="empty">"Choose a node to edit its code."</p> }.into_any(),
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
            on_change.run(match step {
                Step::Save if detail.node.status == "draft" => {
                    format!(
                        "Saved \"{}\". Commit it to record a version.",
                        detail.node.name
                    )
                }
                Step::Save => format!(
                    "Saved \"{}\"; nothing changed since version {v}.",
                    detail.node.name
                ),
                Step::Commit => format!("Committed \"{}\" as version {v}.", detail.node.name),
                Step::Publish => format!(
                    "Published version {v} of \"{}\": synced to Operation Center.",
                    detail.node.name
                ),
            });
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
            <span class="node-meta">{format!("{} · {}", node.node.product, node.node.subtype)}</span>
            <span class=format!("badge {}", status)>{status_label(&status)}</span>
            {node.task_status.clone().map(|s| view! { <span class="node-meta">{format!("Auto triggered task: {s}")}</span> })}
        </div>
        <label for="node_code">"Code"</label>
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
            <button disabled=!can_modify || busy() on:click=move |_| { run.dispatch(Step::Save); }>"Save"</button>
            <button disabled=move || !can_commit || busy() on:click=move |_| { run.dispatch(Step::Commit); }>"Commit"</button>
            <button class="primary" disabled=move || !can_publish || busy() on:click=move |_| { run.dispatch(Step::Publish); }>"Publish"</button>
            {(!can_modify).then(|| view! { <RequiresFullAccess/> })}
            {(can_modify && !has_version).then(|| view! { <span class="reason">"Publishing needs a committed version."</span> })}
        </div>
        <crate::dependencies::ui::UpstreamDependencies node_id=id upstream=node.upstream.clone() can_modify/>
        <h3>"Versions"</h3>
        {if node.versions.is_empty() {
            view! { <p class="empty">"No committed version yet."</p> }.into_any()
        } else {
            view! {
                <ul class="versions">
                    {node.versions.into_iter().map(|v| view! {
                        <li>{format!("Version {} by {} at ", v.version, v.committed_by)}<LocalTime ts=v.committed_at/></li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn NewNodeForm(workspace: String, on_created: Callback<String>) -> impl IntoView {
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
            on_created.run(format!("Node \"{}\" created as a draft.", asset.name));
        }
    });
    view! {
        <form class="new-node" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
            <h3>"New node"</h3>
            <label for="new_node_name">"Node name"</label>
            <input id="new_node_name" value=move || node_name.get() prop:value=move || node_name.get() on:input=move |ev| node_name.set(event_target_value(&ev))/>
            <label for="new_node_product">"Product"</label>
            <select id="new_node_product" on:change=move |ev| product.set(event_target_value(&ev))>
                <option value="DataWorks">"DataWorks"</option>
                <option value="PAI">"PAI"</option>
            </select>
            <label for="new_node_type">"Node type"</label>
            <select id="new_node_type" on:change=move |ev| subtype.set(event_target_value(&ev))>
                {AssetKind::Node.subtypes().iter().map(|s| view! { <option value=*s>{*s}</option> }).collect_view()}
            </select>
            {error_of(create.value())}
            <button type="submit" disabled=move || create.pending().get()>"Create Node"</button>
        </form>
    }
}
