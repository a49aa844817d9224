//! `/recycle-bin/<id>`: one Recycle Bin entry looked into, read-only (SPEC §18), with the three
//! actions of its row in the Recycle Bin under the same rules.
use super::ui::{
    RecoveryReportView, countdown, purge_dialog, purge_reason, recover_dialog, server_clock,
};
use super::{
    BinAssets, BinEntry, BinEntryDetail, CopyAnswer, NodeDetail, RecoveryReport, copy_bin_nodes,
    get_bin_entry, get_bin_node, list_bin_assets,
};
use crate::assets::ui::CountsTable;
use crate::assets::{AssetCount, AssetKind};
use crate::domain::Viewer;
use crate::domain::billing::format_cents;
use crate::domain::retention::is_expired;
use crate::error::AppError;
use crate::i18n::{Key, Lang, Msg, k, use_i18n};
use crate::ui::sentence;
use crate::ui::{ErrorNote, LocalTime, Modal, Pager, RequiresFullAccess, error_of, lazy_view};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// What became of the entry through this page's own actions.
#[derive(Clone)]
enum Done {
    Recovered(RecoveryReport),
    Purged(String),
}

#[derive(Clone, Copy, PartialEq)]
enum Pending {
    Recover,
    Purge,
    Copy,
}

/// An asset type's name in the page's language: "Data sources", "数据源".
fn kind_label(kind: AssetKind) -> Key {
    match kind {
        AssetKind::DataSource => k::entry_kind_data_sources,
        AssetKind::Compute => k::entry_kind_compute,
        AssetKind::Node => k::entry_kind_nodes,
        AssetKind::Resource => k::entry_kind_resources,
        AssetKind::DiTask => k::entry_kind_di_tasks,
        AssetKind::Model => k::entry_kind_models,
        AssetKind::Metric => k::entry_kind_metrics,
    }
}

/// An asset type's name inside a sentence ("data sources"; Chinese has no letter case).
fn kind_in_sentence(lang: Lang, kind: AssetKind) -> String {
    lang.text(kind_label(kind)).to_lowercase()
}

/// The nodes chosen for "Copy to Workspace" (SPEC §23), across the nodes list's pages: id and name.
type Chosen = RwSignal<Vec<(i64, String)>>;

/// What the viewer is doing on the entry's page. The page keeps it, not the entry's view: the
/// view is drawn anew whenever the entry is read again (a change to the bin heard on the live
/// stream, or the stream's first connection right after the page loads), and the viewer's
/// selection, open dialog, copy report and open node must outlive that. (A list turned past its
/// first page shows its first page again.)
#[derive(Clone, Copy)]
struct EntryState {
    /// The dialog open, with the entry as it was when it opened.
    pending: RwSignal<Option<(Pending, BinEntry)>>,
    chosen: Chosen,
    copy_report: RwSignal<Option<CopyAnswer>>,
    /// Opens a node of the nodes list: its code and versions.
    open: Action<i64, Result<NodeDetail, AppError>>,
}

impl EntryState {
    /// For the entry `id`; all of it is forgotten when the page moves to another entry.
    fn new(id: Memo<Option<i64>>) -> Self {
        let state = Self {
            pending: RwSignal::new(None),
            chosen: RwSignal::new(Vec::new()),
            copy_report: RwSignal::new(None),
            open: Action::new(move |node_id: &i64| {
                get_bin_node(id.get_untracked().unwrap_or_default(), *node_id)
            }),
        };
        Effect::new(move |was: Option<Option<i64>>| {
            let now = id.get();
            if was.is_some_and(|was| was != now) {
                state.pending.set(None);
                state.chosen.set(Vec::new());
                state.copy_report.set(None);
                state.open.value().set(None);
            }
            now
        });
        state
    }
}

#[component]
pub fn BinEntryPage() -> impl IntoView {
    let i = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let live = crate::live::ui::live_version(crate::live::LiveChange::changes_recycle_bin);
    let detail = crate::codec::resource(
        move || (id.get(), live.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_bin_entry(id).await,
                // Not an id: answered as a missing entry, a 404 (the server function sets it for
                // an id of no entry).
                None => {
                    #[cfg(feature = "ssr")]
                    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                        response.set_status(axum::http::StatusCode::NOT_FOUND);
                    }
                    Err(AppError::NotFound(Msg::new(k::error_bin_no_such_entry)))
                }
            }
        },
    );
    let done = RwSignal::new(None::<Done>);
    let state = EntryState::new(id);
    let EntryState {
        pending,
        chosen,
        copy_report,
        ..
    } = state;
    view! {
        {move || match done.get() {
            Some(Done::Recovered(report)) => {
                let name = report.name.clone();
                view! {
                    <div class="page-head"><h1>{
                        let name = name.clone();
                        move || i.fill(k::entry_heading_recovered, &[("name", &name)])
                    }</h1></div>
                    <p role="status" class="status">
                        {
                            let name = name.clone();
                            move || i.fill(k::bin_recovered_status, &[("name", &name)])
                        }
                        " "
                        <a href=format!("/workspaces/{}", report.name)>{i.text(k::entry_open_workspace)}</a>
                    </p>
                    <RecoveryReportView report/>
                }.into_any()
            }
            Some(Done::Purged(name)) => view! {
                <div class="page-head"><h1>{
                    let name = name.clone();
                    move || i.fill(k::entry_heading_purged, &[("name", &name)])
                }</h1></div>
                <p role="status" class="status">
                    {
                        let name = name.clone();
                        move || i.fill(k::bin_purged_status, &[("name", &name)])
                    }
                    " "
                    <a href="/recycle-bin">{i.text(k::entry_back_to_bin)}</a>
                </p>
            }.into_any(),
            None => view! {
                <Transition fallback=move || view! { <p class="loading">{i.text(k::entry_loading)}</p> }>
                    {move || Suspend::new(async move {
                        match detail.await {
                            Ok(detail) => view! { <EntryView detail state/> }.into_any(),
                            Err(error) => view! {
                                <div class="page-head"><h1>{i.text(k::entry_heading)}</h1></div>
                                <ErrorNote error/>
                                <p><a href="/recycle-bin">{i.text(k::entry_back_to_bin)}</a></p>
                            }.into_any(),
                        }
                    })}
                </Transition>
            }.into_any(),
        }}
        {move || pending.get().map(|(which, entry)| {
            let on_close = Callback::new(move |_| pending.set(None));
            match which {
                Pending::Recover => {
                    let on_recovered = Callback::new(move |report: RecoveryReport| {
                        pending.set(None);
                        done.set(Some(Done::Recovered(report)));
                    });
                    lazy_view(move || recover_dialog(entry.clone(), on_close, on_recovered))
                }
                Pending::Purge => {
                    let on_purged = Callback::new(move |name: String| {
                        pending.set(None);
                        done.set(Some(Done::Purged(name)));
                    });
                    lazy_view(move || purge_dialog(entry.clone(), on_close, on_purged))
                }
                Pending::Copy => {
                    let on_copied = Callback::new(move |report: CopyAnswer| {
                        pending.set(None);
                        let copied: Vec<i64> = report.report.results.iter().filter(|r| r.copied_node_id.is_some()).map(|r| r.node_id).collect();
                        chosen.update(|c| c.retain(|(id, _)| !copied.contains(id)));
                        copy_report.set(Some(report));
                    });
                    let nodes = chosen.get_untracked();
                    let entry_id = entry.id;
                    lazy_view(move || copy_dialog(entry_id, nodes.clone(), on_close, on_copied))
                }
            }
        })}
    }
}

#[component]
fn EntryView(detail: BinEntryDetail, state: EntryState) -> impl IntoView {
    let i = use_i18n();
    let viewer = expect_context::<Viewer>();
    let can_modify = viewer.can_modify;
    let BinEntryDetail {
        entry,
        description,
        data_modeling,
        now: read_at,
        purge_protection,
        counts,
        deleted_with_it,
        still_billing,
        downstream_dependencies,
        lists,
    } = detail;
    let now = server_clock(Signal::stored(Some(read_at)));
    let purge_at = entry.purge_at;
    let t = move || now.get().unwrap_or(read_at);
    let expired = move || is_expired(purge_at, t());
    let EntryState {
        pending,
        chosen,
        copy_report,
        open,
    } = state;
    let name = entry.name.clone();
    // Opens a dialog about the entry as this view shows it.
    let ask = {
        let entry = StoredValue::new(entry.clone());
        move |which: Pending| pending.set(Some((which, entry.get_value())))
    };
    let count_of = |kind: AssetKind, of: &[AssetCount]| {
        of.iter()
            .find(|c| c.kind == kind)
            .map_or((0, 0), |c| (c.dataworks, c.pai))
    };
    let deleted_rows: Option<Vec<(AssetKind, (i64, i64))>> = deleted_with_it.map(|all| {
        [AssetKind::DiTask, AssetKind::Model, AssetKind::Metric]
            .into_iter()
            .filter(|k| data_modeling || !k.needs_data_modeling())
            .map(|k| (k, count_of(k, &all)))
            .collect()
    });
    // "12 data sources (10 DataWorks, 2 PAI), …", in the page's language.
    let comes_back = {
        let counts = counts.clone();
        move || {
            let lang = i.lang();
            let list = counts
                .iter()
                .map(|c| {
                    lang.fill(
                        k::entry_count_split,
                        &[
                            ("n", &(c.dataworks + c.pai)),
                            ("kind", &kind_in_sentence(lang, c.kind)),
                            ("dataworks", &c.dataworks),
                            ("pai", &c.pai),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join(lang.text(k::entry_list_separator));
            lang.fill(k::entry_comes_back, &[("list", &list)])
        }
    };
    let not_back = move || {
        let lang = i.lang();
        match &deleted_rows {
            Some(rows) => {
                let list = rows
                    .iter()
                    .map(|(kind, (dw, pai))| {
                        lang.fill(
                            k::entry_count,
                            &[("n", &(dw + pai)), ("kind", &kind_in_sentence(lang, *kind))],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(lang.text(k::entry_list_separator));
                lang.fill(k::entry_not_back_counted, &[("list", &list)])
            }
            None => lang.text(k::entry_not_back_plain).to_owned(),
        }
    };
    view! {
        <div class="page-head">
            <h1>{move || i.fill(k::entry_heading_in_bin, &[("name", &name)])}</h1>
            <a href="/recycle-bin" class="button">{i.text(k::entry_back_to_bin)}</a>
        </div>
        <p class="lead">{i.text(k::entry_lead)}</p>
        <dl class="facts">
            <dt>{i.text(k::entry_display_name)}</dt><dd>{entry.display_name.clone()}</dd>
            {(!description.is_empty()).then(|| view! { <dt>{i.text(k::entry_description)}</dt><dd>{description.clone()}</dd> })}
            <dt>{i.text(k::bin_col_deleted_by)}</dt><dd>{entry.deleted_by.clone()}</dd>
            <dt>{i.text(k::bin_col_deletion_time)}</dt><dd><LocalTime ts=entry.deleted_at/></dd>
            <dt>{i.text(k::entry_permanent_deletion_time)}</dt><dd><LocalTime ts=entry.purge_at/></dd>
            <dt>{i.text(k::bin_col_countdown)}</dt><dd class="countdown">{move || countdown(i.lang(), purge_at, t())}</dd>
        </dl>
        {purge_protection.then(|| view! { <p id="purge-protection-reason" class="reason">{move || purge_reason(i.lang())}</p> })}
        <div class="actions entry-actions">
            <button
                disabled=move || !can_modify || expired()
                on:click=move |_| ask(Pending::Recover)
            >{i.text(k::bin_recover)}</button>
            <button
                class="danger-outline"
                disabled=move || !can_modify || expired() || purge_protection
                title=move || purge_protection.then(|| purge_reason(i.lang()))
                aria-describedby=purge_protection.then_some("purge-protection-reason")
                on:click=move |_| ask(Pending::Purge)
            >{i.text(k::bin_delete_permanently)}</button>
            {move || (!expired()).then(|| view! {
                <a class="button" href=format!("/recycle-bin/{}/export.zip", entry.id) download="">{i.text(k::bin_download_copy)}</a>
            })}
            {(!can_modify).then(|| view! { <RequiresFullAccess/> })}
        </div>

        <section aria-labelledby="core-assets">
            <h2 id="core-assets">{i.text(k::entry_core_assets)}</h2>
            <CountsTable counts=counts.clone() labelledby="core-assets"/>
        </section>

        <section aria-labelledby="brings-back">
            <h2 id="brings-back">{i.text(k::entry_brings_back)}</h2>
            <p>{comes_back}</p>
            <p>{not_back}</p>
            <p>{i.text(k::entry_unpublished)}</p>
        </section>

        <section aria-labelledby="still-billing">
            <h2 id="still-billing">{i.text(k::entry_still_billing)}</h2>
            {if still_billing.is_empty() {
                view! { <p>{i.text(k::entry_no_running_task)}</p> }.into_any()
            } else {
                view! {
                    <p class="warning-text">{i.text(k::entry_still_billing_warning)}</p>
                    <table class="grid" aria-labelledby="still-billing">
                        <thead><tr>
                            <th scope="col">{i.text(k::entry_col_task_name)}</th>
                            <th scope="col">{i.text(k::entry_col_status)}</th>
                            <th scope="col">{i.text(k::entry_col_schedule)}</th>
                            <th scope="col">{i.text(k::entry_col_cost)}</th>
                        </tr></thead>
                        <tbody>
                            {still_billing.into_iter().map(|task| view! {
                                <tr>
                                    <td data-label=i.text(k::entry_col_task_name)>{task.name}</td>
                                    <td data-label=i.text(k::entry_col_status)>{
                                        let status = task.status.clone();
                                        move || crate::operations::ui::status_words(i.lang(), &status)
                                    }</td>
                                    <td data-label=i.text(k::entry_col_schedule)>{
                                        let schedule = task.schedule.clone();
                                        move || crate::operations::ui::schedule_words(i.lang(), &schedule)
                                    }</td>
                                    <td data-label=i.text(k::entry_col_cost)>{format_cents(task.cost_cents)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <p>{sentence(k::entry_freeze_in, move |_| view! { <a href="/operation-center">{i.text(k::nav_operation_center)}</a> }.into_any())}</p>
        </section>

        <section aria-labelledby="downstream">
            <h2 id="downstream">{i.text(k::entry_downstream)}</h2>
            {move || crate::dependencies::ui::downstream_table(downstream_dependencies.clone(), i.t(k::entry_no_downstream))}
        </section>

        {lists.into_iter().map(|first| {
            let is_node = first.kind == AssetKind::Node;
            view! {
                <AssetList entry_id=entry.id first open chosen=(is_node && can_modify).then_some(chosen)>
                    {is_node.then(|| view! {
                        <div class="copy-nodes">
                            <button
                                disabled=move || !can_modify || expired() || chosen.with(Vec::is_empty)
                                aria-describedby=(!can_modify).then_some("copy-reason")
                                on:click=move |_| ask(Pending::Copy)
                            >{i.text(k::copy_button)}</button>
                            {move || if !can_modify {
                                view! { <span id="copy-reason" class="reason">{i.text(k::full_access_required)}</span> }.into_any()
                            } else if chosen.with(Vec::is_empty) {
                                view! { <span class="hint">{i.text(k::entry_select_nodes_hint)}</span> }.into_any()
                            } else {
                                view! { <span class="count" role="status">{move || i.fill(k::bin_selected_count, &[("n", &chosen.with(Vec::len))])}</span> }.into_any()
                            }}
                        </div>
                        {move || copy_report.get().map(|report| view! { <CopyReportView report on_dismiss=move || copy_report.set(None)/> })}
                    })}
                </AssetList>
            }
        }).collect_view()}
    }
}

/// One list of the entry's assets, a page at a time; a node opens its code and versions.
#[component]
fn AssetList(
    entry_id: i64,
    first: BinAssets,
    /// Opens a node: the page's, so the node stays open when the entry is read again.
    open: Action<i64, Result<NodeDetail, AppError>>,
    /// For the nodes list of a user who may copy: a checkbox per node.
    #[prop(optional_no_strip)]
    chosen: Option<Chosen>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i = use_i18n();
    let kind = first.kind;
    let heading = format!("list-{}", kind.as_str());
    let shown = RwSignal::new(first);
    let turn =
        Action::new(move |page: &i64| list_bin_assets(entry_id, kind.as_str().to_owned(), *page));
    Effect::new(move |_| {
        if let Some(Ok(next)) = turn.value().get() {
            shown.set(next);
        }
    });
    let is_node = kind == AssetKind::Node;
    let last_column = if is_node {
        k::entry_col_status
    } else {
        kind.detail_label()
    };
    let labelled = heading.clone();
    let section_label = heading.clone();
    view! {
        <section aria-labelledby=section_label>
            <h2 id=heading>{move || i.fill(k::entry_list_heading, &[("kind", &i.t(kind_label(kind))), ("n", &shown.with(|s| s.total))])}</h2>
            {move || {
                let page = shown.get();
                if page.assets.is_empty() {
                    return view! { <p class="empty">{move || i.fill(k::entry_list_empty, &[("kind", &kind_in_sentence(i.lang(), kind))])}</p> }.into_any();
                }
                view! {
                    <table class="grid" aria-labelledby=labelled.clone()>
                        <thead><tr>
                            {chosen.map(|_| view! { <th scope="col" class="select"><span class="visually-hidden">{i.text(k::bin_select)}</span></th> })}
                            <th scope="col">{i.text(k::entry_col_name)}</th>
                            <th scope="col">{i.text(k::entry_col_product)}</th>
                            <th scope="col">{i.text(k::entry_col_type)}</th>
                            <th scope="col">{i.text(last_column)}</th>
                        </tr></thead>
                        <tbody>
                            {page.assets.into_iter().map(|asset| {
                                let id = asset.id;
                                let node_name = asset.name.clone();
                                view! {
                                    <tr>
                                        {chosen.map(|chosen| {
                                            let is_chosen = move || chosen.with(|c| c.iter().any(|(n, _)| *n == id));
                                            let name = asset.name.clone();
                                            let label = move || i.fill(k::bin_select_name, &[("name", &name)]);
                                            view! {
                                                <td class="select" data-label=i.text(k::bin_select)>
                                                    <input type="checkbox" aria-label=label checked=is_chosen prop:checked=is_chosen on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        let name = node_name.clone();
                                                        chosen.update(|c| {
                                                            c.retain(|(n, _)| *n != id);
                                                            if on {
                                                                c.push((id, name));
                                                            }
                                                        });
                                                    }/>
                                                </td>
                                            }
                                        })}
                                        <td data-label=i.text(k::entry_col_name)>{if is_node {
                                            view! { <button class="text-button" on:click=move |_| { open.dispatch(id); }>{asset.name.clone()}</button> }.into_any()
                                        } else {
                                            asset.name.clone().into_any()
                                        }}</td>
                                        <td data-label=i.text(k::entry_col_product)>{asset.product}</td>
                                        <td data-label=i.text(k::entry_col_type)>{asset.subtype}</td>
                                        <td data-label=i.text(last_column)>{if is_node {
                                            // Its status as DataStudio's list words it.
                                            let status = asset.node_status.unwrap_or_default();
                                            (move || crate::assets::datastudio_ui::badge_label(&status)
                                                .map_or_else(|| status.clone(), |key| i.t(key).to_owned()))
                                            .into_any()
                                        } else {
                                            asset.detail.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(page.pages > 1).then(|| view! {
                        <Pager page=page.page pages=page.pages label=move || i.fill(k::entry_pages_of, &[("kind", &kind_in_sentence(i.lang(), kind))]) on_page=move |p| { turn.dispatch(p); }/>
                    })}
                }.into_any()
            }}
            {error_of(turn.value())}
            {children.map(|c| c())}
            {is_node.then(|| view! {
                {error_of(open.value())}
                {move || open.value().get().and_then(Result::ok).map(|node| {
                    let name = node.node.name.clone();
                    let (n1, n2, n3) = (name.clone(), name.clone(), name);
                    view! {
                        <section class="node-code" aria-label=move || i.fill(k::entry_node_read_only_label, &[("name", &n1)])>
                            <h3>{move || i.fill(k::entry_read_only, &[("name", &n2)])}</h3>
                            <pre class="code" tabindex="0" aria-label=move || i.fill(k::entry_code_of, &[("name", &n3)])>{node.code}</pre>
                            <h4>{i.text(k::entry_committed_versions)}</h4>
                            {if node.versions.is_empty() {
                                view! { <p>{i.text(k::entry_never_committed)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul>{node.versions.into_iter().map(|v| {
                                        let (version, by) = (v.version, v.committed_by.clone());
                                        view! {
                                            <li>{move || i.fill(k::entry_version_by, &[("version", &version), ("user", &by)])}<LocalTime ts=v.committed_at/></li>
                                        }
                                    }).collect_view()}</ul>
                                }.into_any()
                            }}
                        </section>
                    }
                })}
            })}
        </section>
    }
}

#[leptos::wasm_split::wasm_split(copy_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
fn copy_dialog(
    entry_id: i64,
    nodes: Vec<(i64, String)>,
    on_close: Callback<()>,
    on_copied: Callback<CopyAnswer>,
) -> Result<AnyView, AppError> {
    Ok(view! { <CopyDialog entry_id nodes on_close on_copied/> }.into_any())
}

/// "Copy Nodes to Workspace" (SPEC §23): the target among the account's active workspaces, the
/// chosen nodes' names, "OK" / "Cancel".
#[component]
fn CopyDialog(
    entry_id: i64,
    nodes: Vec<(i64, String)>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_copied: Callback<CopyAnswer>,
) -> impl IntoView {
    let i = use_i18n();
    // Read into a plain signal, not a resource: a resource read while the dialog is drawn would hold
    // the dialog's Suspense (`lazy_view`) until it answers, and the dialog would take the focus
    // before it is in the page.
    let workspaces = RwSignal::new(None::<Result<Vec<String>, AppError>>);
    leptos::task::spawn_local(async move {
        let answer = crate::dependencies::list_workspace_names().await;
        let _ = workspaces.try_set(Some(answer));
    });
    let target = RwSignal::new(String::new());
    let ids: Vec<i64> = nodes.iter().map(|(id, _)| *id).collect();
    let copy =
        Action::new(move |target: &String| copy_bin_nodes(entry_id, target.clone(), ids.clone()));
    Effect::new(move |_| {
        if let Some(Ok(report)) = copy.value().get() {
            on_copied.run(report);
        }
    });
    // The first workspace is the target until another is chosen.
    Effect::new(move |_| {
        if let Some(Ok(names)) = workspaces.get()
            && target.with_untracked(String::is_empty)
            && let Some(first) = names.first()
        {
            target.set(first.clone());
        }
    });
    view! {
        <Modal title=i.text(k::copy_title) on_close>
            <form on:submit=move |ev| {
                ev.prevent_default();
                let to = target.get_untracked();
                if !to.is_empty() && !copy.pending().get_untracked() {
                    copy.dispatch(to);
                }
            }>
                <p>{i.text(k::copy_explanation)}</p>
                <ul class="bulk-names" aria-label=i.text(k::copy_nodes_label)>
                    {nodes.iter().map(|(_, name)| view! { <li><strong>{name.clone()}</strong></li> }).collect_view()}
                </ul>
                <label for="copy_target">{i.text(k::copy_target)}</label>
                <select id="copy_target" prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))>
                    {move || workspaces.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|n| {
                        let is = n.clone();
                        view! { <option value=n.clone() selected=move || target.with(|t| *t == is)>{n.clone()}</option> }
                    }).collect_view()}
                </select>
                {move || workspaces.get().and_then(Result::err).map(|error| view! { <ErrorNote error/> })}
                {error_of(copy.value())}
                <div class="dialog-buttons">
                    <button type="submit" class="primary" disabled=move || target.with(String::is_empty) || copy.pending().get()>{i.text(k::bin_ok)}</button>
                    <button type="button" on:click=move |_| on_close.run(())>{i.text(k::bin_cancel)}</button>
                </div>
            </form>
        </Modal>
    }
}

/// The "Copy report" (SPEC §23): each node's result, with a link to the copy in DataStudio.
#[component]
fn CopyReportView(report: CopyAnswer, #[prop(into)] on_dismiss: Callback<()>) -> impl IntoView {
    let i = use_i18n();
    let target = report.report.target_workspace.clone();
    let heading = target.clone();
    view! {
        <section class="report" role="region" aria-label=i.text(k::copy_report)>
            <h3>{move || i.fill(k::copy_report_into, &[("target", &heading)])}</h3>
            <ul>
                {report.report.results.into_iter().zip(report.worded.into_iter().chain(std::iter::repeat(None))).map(|(r, worded)| {
                    let (node_id, node_name) = (r.node_id, r.name.clone());
                    let name = move || if node_name.is_empty() { i.fill(k::copy_node_id, &[("id", &node_id)]) } else { node_name.clone() };
                    match r.copied_node_id {
                        Some(copied) => view! {
                            <li>
                                <a href=format!("/workspaces/{}/datastudio?node={copied}", target)>{name}</a>
                                " "<span class="badge result-success">{i.text(k::copy_copied)}</span>{i.text(k::copy_copied_detail)}
                            </li>
                        }.into_any(),
                        None => view! {
                            <li>{name}" "<span class="badge result-denied">{i.text(k::bin_refused)}</span>" "<span class="event-message">{
                                let message = super::Worded::msg(worded.as_ref(), &r.message);
                                move || i.msg(&message)
                            }</span></li>
                        }.into_any(),
                    }
                }).collect_view()}
            </ul>
            <button on:click=move |_| on_dismiss.run(())>{i.text(k::bin_dismiss)}</button>
        </section>
    }
}
