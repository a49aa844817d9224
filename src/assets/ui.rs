use super::{AssetKind, PRODUCTS, add_asset, get_workspace_overview, list_assets, subtype_label};
use crate::domain::Viewer;
use crate::i18n::{k, use_i18n};
use crate::ui::{ErrorNote, LocalTime, RequiresFullAccess, WorkspaceNav, error_of};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

fn use_workspace_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("name").unwrap_or_default())
}

#[component]
pub fn WorkspaceOverviewPage() -> impl IntoView {
    let i = use_i18n();
    let name = use_workspace_param();
    let overview = crate::codec::resource(move || name.get(), get_workspace_overview);
    view! {
        <Transition fallback=move || view! { <p class="loading">{i.text(k::loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => {
                        let ws = o.workspace.clone();
                        let modeling = ws.data_modeling;
                        view! {
                            <WorkspaceNav name=ws.name.clone()/>
                            <div class="page-head">
                                <h1>{ws.name.clone()}</h1>
                                {ws.deletion_protection.then(|| view! { <span class="badge">{i.text(k::ws_protected)}</span> })}
                            </div>
                            <dl class="facts">
                                <dt>{i.text(k::ws_display_name)}</dt><dd>{ws.display_name.clone()}</dd>
                                <dt>{i.text(k::field_description)}</dt><dd>{if ws.description.is_empty() { "—".to_owned() } else { ws.description.clone() }}</dd>
                                <dt>{i.text(k::ws_created_by)}</dt><dd>{ws.created_by.clone()}</dd>
                                <dt>{i.text(k::ws_created_at)}</dt><dd><LocalTime ts=ws.created_at/></dd>
                                <dt>{i.text(k::assets_data_modeling)}</dt><dd>{i.text(if modeling { k::assets_enabled } else { k::assets_not_enabled })}</dd>
                                <dt>{i.text(k::assets_pai_workspace)}</dt><dd>{o.pai_workspace.clone()}</dd>
                                <dt>{i.text(k::assets_auto_tasks)}</dt>
                                <dd>
                                    {move || i.fill(k::assets_task_counts, &[("running", &o.running_tasks), ("frozen", &o.frozen_tasks)])}
                                    <A href=format!("/workspaces/{}/operation-center", ws.name)>{i.text(k::assets_open_oc)}</A>
                                </dd>
                            </dl>
                            <h2>{i.text(k::assets_heading)}</h2>
                            <table class="grid compact">
                                <thead><tr><th scope="col">{i.text(k::assets_asset_type)}</th><th scope="col">"DataWorks"</th><th scope="col">"PAI"</th><th scope="col">{i.text(k::assets_recoverable)}</th></tr></thead>
                                <tbody>
                                    {o.counts.into_iter().filter(|c| modeling || !c.kind.needs_data_modeling()).map(|c| view! {
                                        <tr>
                                            <th scope="row"><A href=format!("/workspaces/{}/assets/{}", ws.name, c.kind.slug())>{i.text(c.kind.label_key())}</A></th>
                                            <td>{c.dataworks}</td>
                                            <td>{c.pai}</td>
                                            <td>{i.text(if c.kind.recoverable() { k::assets_yes } else { k::assets_no })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AssetListPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    let i = use_i18n();
    let name = use_workspace_param();
    let params = use_params_map();
    let kind = Memo::new(move |_| {
        params
            .read()
            .get("kind")
            .and_then(|k| AssetKind::from_slug(&k))
    });
    let version = RwSignal::new(0u32);
    let assets = crate::codec::resource(
        move || (name.get(), kind.get(), version.get()),
        |(name, kind, _)| async move {
            match kind {
                Some(kind) => list_assets(name, kind.as_str().to_owned()).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <WorkspaceNav name=name.get_untracked()/>
        {move || match kind.get() {
            None => view! { <h1>{i.text(k::assets_unknown_type)}</h1> }.into_any(),
            Some(kind) => view! {
                <div class="page-head"><h1>{i.text(kind.label_key())}</h1></div>
                <Transition fallback=move || view! { <p class="loading">{i.text(k::loading)}</p> }>
                    {move || Suspend::new(async move {
                        match assets.await {
                            Ok(Some(list)) => {
                                let empty = list.is_empty();
                                view! {
                                    <table class="grid">
                                        <thead><tr>
                                            <th scope="col">{i.text(k::field_name)}</th><th scope="col">{i.text(k::assets_product)}</th><th scope="col">{i.text(k::assets_type)}</th>
                                            <th scope="col">{i.text(kind.detail_label())}</th><th scope="col">{i.text(k::ws_created_at)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|a| view! {
                                                <tr>
                                                    <td>{a.name}</td><td>{a.product}</td><td>{move || subtype_label(i.lang(), &a.subtype).to_owned()}</td>
                                                    <td>{a.detail}</td><td><LocalTime ts=a.created_at/></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    {empty.then(|| view! { <p class="empty">{move || i.fill(k::assets_none_yet, &[("what", &i.t(kind.label_key()).to_lowercase())])}</p> })}
                                }.into_any()
                            }
                            Ok(None) => ().into_any(),
                            Err(error) => view! { <ErrorNote error/> }.into_any(),
                        }
                    })}
                </Transition>
                {if viewer.can_modify {
                    view! { <AddAssetForm workspace=name.get_untracked() kind on_added=move || version.update(|v| *v += 1)/> }.into_any()
                } else {
                    view! { <p><RequiresFullAccess/>{i.text(k::assets_to_add)}</p> }.into_any()
                }}
            }.into_any(),
        }}
    }
}

#[component]
fn AddAssetForm(
    workspace: String,
    kind: AssetKind,
    #[prop(into)] on_added: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let product = RwSignal::new(PRODUCTS[0].to_owned());
    let asset_name = RwSignal::new(String::new());
    let subtype = RwSignal::new(kind.subtypes()[0].to_owned());
    let detail = RwSignal::new(String::new());
    let add = Action::new(move |_: &()| {
        add_asset(
            workspace.clone(),
            kind.as_str().to_owned(),
            product.get_untracked(),
            asset_name.get_untracked(),
            subtype.get_untracked(),
            detail.get_untracked(),
        )
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            asset_name.set(String::new());
            detail.set(String::new());
            on_added.run(());
        }
    });
    view! {
        <form class="inline-form" on:submit=move |ev| { ev.prevent_default(); add.dispatch(()); }>
            <h2>{move || i.fill(k::assets_add_a, &[("what", &i.t(kind.singular_key()))])}</h2>
            <label for="asset_product">{i.text(k::assets_product)}</label>
            <select id="asset_product" on:change=move |ev| product.set(event_target_value(&ev))>
                {PRODUCTS.into_iter().map(|p| view! { <option value=p>{p}</option> }).collect_view()}
            </select>
            <label for="asset_name">{i.text(k::field_name)}</label>
            <input id="asset_name" value=move || asset_name.get() prop:value=move || asset_name.get() on:input=move |ev| asset_name.set(event_target_value(&ev))/>
            <label for="asset_type">{i.text(k::assets_type)}</label>
            <select id="asset_type" on:change=move |ev| subtype.set(event_target_value(&ev))>
                {kind.subtypes().iter().map(|s| view! { <option value=*s>{move || subtype_label(i.lang(), s)}</option> }).collect_view()}
            </select>
            <label for="asset_detail">{i.text(kind.detail_label())}</label>
            <input id="asset_detail" value=move || detail.get() prop:value=move || detail.get() on:input=move |ev| detail.set(event_target_value(&ev))/>
            {error_of(add.value())}
            <button type="submit" class="primary" disabled=move || add.pending().get()>{i.text(k::assets_add)}</button>
        </form>
    }
}

/// Counts per asset type, DataWorks and PAI: the Delete dialog's and a Recycle Bin entry's "Core
/// assets", the Recovery report's "Restored".
#[component]
pub fn CountsTable(
    counts: Vec<super::AssetCount>,
    /// The id of the heading that names it, if one does.
    #[prop(optional)]
    labelledby: Option<&'static str>,
) -> impl IntoView {
    let i = use_i18n();
    view! {
        <table class="grid compact" aria-labelledby=labelledby>
            <thead><tr><th scope="col">{i.text(k::assets_asset_type)}</th><th scope="col">"DataWorks"</th><th scope="col">"PAI"</th></tr></thead>
            <tbody>
                {counts.into_iter().map(|c| view! {
                    <tr><th scope="row">{i.text(c.kind.label_key())}</th><td>{c.dataworks}</td><td>{c.pai}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
