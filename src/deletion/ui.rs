use super::{DeletionOutcome, DeletionPreview, delete_workspace, get_deletion_preview};
use crate::assets::ui::CountsTable;
use crate::assets::{AssetCount, AssetKind};
use crate::domain::billing::format_cents;
use crate::domain::dependencies::task_status_key;
use crate::domain::retention::RETENTION_DAYS;
use crate::error::AppError;
use crate::i18n::{k, use_i18n};
use crate::live::ui::{Changed, ChangedNote, changed_while_open};
use crate::recycle_bin::ui::RecoveryReportView;
use crate::recycle_bin::undo_delete;
use crate::ui::sentence;
use crate::ui::{AnyViewFn, ErrorNote, Modal, error_of, lazy_view};
use leptos::html;
use leptos::prelude::*;

/// The Delete Workspace dialog for `workspace`, its code loaded when first opened (see
/// `lazy_view`): what the Workspaces page opens from a row's "More" menu (the app puts it in
/// [`crate::ui::DeleteWorkspaceSlot`]). Once it has deleted, it
/// hands the page the status message to show (with "Undo", SPEC §17); `on_changed` tells the
/// page its list changed (by the Undo).
pub fn delete_dialog(
    workspace: String,
    on_close: Callback<()>,
    on_deleted: Callback<AnyViewFn>,
    on_changed: Callback<()>,
) -> AnyView {
    lazy_view(move || delete_workspace_dialog(workspace.clone(), on_close, on_deleted, on_changed))
}

#[leptos::wasm_split::wasm_split(delete_workspace_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
fn delete_workspace_dialog(
    workspace: String,
    on_close: Callback<()>,
    on_deleted: Callback<AnyViewFn>,
    on_changed: Callback<()>,
) -> Result<AnyView, AppError> {
    // Built here, so the status message's code comes with the dialog's.
    let on_deleted = Callback::new(move |outcome: DeletionOutcome| {
        on_deleted.run(AnyViewFn::new(move || {
            view! { <DeletedStatus outcome=outcome.clone() on_changed/> }
        }))
    });
    Ok(view! { <DeleteWorkspaceDialog workspace on_close on_deleted/> }.into_any())
}

/// "<name> was moved to the Recycle Bin." with "Undo" for as long as the server allows it (SPEC
/// §17); the Undo recovers the entry as "Recover" does and shows the same "Recovery report".
#[component]
fn DeletedStatus(outcome: DeletionOutcome, on_changed: Callback<()>) -> impl IntoView {
    let DeletionOutcome {
        name,
        entry_id,
        deleted_at,
        undo_until,
        ..
    } = outcome;
    let i = use_i18n();
    // The button goes when the server's 30 seconds end, counted from when the page heard of the
    // delete (its answer is read at the delete's time).
    let offered = RwSignal::new(true);
    Effect::new(move |_| {
        let wait = std::time::Duration::from_secs((undo_until - deleted_at).max(0) as u64);
        if let Ok(timer) = set_timeout_with_handle(move || offered.set(false), wait) {
            on_cleanup(move || timer.clear());
        }
    });
    let undo = Action::new(move |_: &()| undo_delete(entry_id, deleted_at));
    Effect::new(move |_| {
        if let Some(Ok(_)) = undo.value().get() {
            on_changed.run(());
        }
    });
    move || match undo.value().get() {
        Some(Ok(recovered)) => {
            // The button is gone: the focus goes to what it did.
            let here = NodeRef::<html::Div>::new();
            Effect::new(move |_| {
                if let Some(here) = here.get() {
                    let _ = here.focus();
                }
            });
            view! {
                <div class="undone" tabindex="-1" node_ref=here>
                    <p>{
                        let name = recovered.name.clone();
                        move || i.fill(k::del_recovered, &[("name", &name)])
                    }</p>
                    <RecoveryReportView report=recovered/>
                </div>
            }
            .into_any()
        }
        done => {
            let name = name.clone();
            let tried = done.is_some();
            view! {
                {move || i.fill(k::del_moved, &[("name", &name)])} " "
                {move || (offered.get() && !tried).then(|| view! {
                    <button class="inline" disabled=move || undo.pending().get() on:click=move |_| { undo.dispatch(()); }>{i.text(k::ws_undo)}</button>
                })}
                {done.and_then(Result::err).map(|error| view! {
                    <span class="field-error">{move || error.in_lang(i.lang())}</span> " "
                })}
                {move || (!offered.get() || tried).then(|| {
                    // The link is where the language puts it.
                    sentence(k::del_recover_within, move |piece| match piece {
                        "link" => view! { <a href="/recycle-bin">{i.text(k::nav_recycle_bin)}</a> }.into_any(),
                        _ => RETENTION_DAYS.to_string().into_any(),
                    })
                })}
            }
            .into_any()
        }
    }
}

/// "More" → "Delete Workspace": pre-deletion checks, core assets, risk warning, typed confirmation.
#[component]
pub fn DeleteWorkspaceDialog(
    workspace: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_deleted: Callback<DeletionOutcome>,
) -> impl IntoView {
    let name = workspace.clone();
    let preview = crate::codec::resource(move || name.clone(), get_deletion_preview);
    // Set while this dialog's own deletion is on its way (its change is not news to it).
    let busy = RwSignal::new(false);
    let changed = changed_while_open(workspace.clone(), busy.into());
    let i = use_i18n();
    view! {
        <Modal title=i.text(k::ws_delete_workspace) on_close wide=true>
            <Suspense fallback=move || view! { <p class="loading">{i.text(k::del_checking)}</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(preview) => view! { <DeleteForm preview on_close on_deleted changed busy/> }.into_any(),
                        Err(error) => view! {
                            <ErrorNote error/>
                            <div class="dialog-buttons"><button on:click=move |_| on_close.run(())>{i.text(k::ws_cancel)}</button></div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Modal>
    }
}

#[component]
fn DeleteForm(
    preview: DeletionPreview,
    on_close: Callback<()>,
    on_deleted: Callback<DeletionOutcome>,
    changed: Changed,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let gone = move || changed.gone();
    let i = use_i18n();
    let name = preview.workspace.name.clone();
    let modeling = preview.workspace.data_modeling;
    let typed = RwSignal::new(String::new());
    let freeze = RwSignal::new(true);
    // The name field takes the focus once the checks have arrived (the form is built before its
    // Suspense puts it in the document, and a detached element takes no focus: then a frame later).
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            if input.is_connected() {
                let _ = input.focus();
            } else {
                request_animation_frame(move || drop(input.focus()));
            }
        }
    });
    let delete = Action::new({
        let name = name.clone();
        move |(typed, freeze): &(String, bool)| {
            delete_workspace(name.clone(), typed.clone(), *freeze)
        }
    });
    Effect::new(move |_| busy.set(delete.pending().get()));
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = delete.value().get() {
            on_deleted.run(outcome);
        }
    });
    let matches = {
        let name = name.clone();
        move || typed.get() == name
    };
    let count_of = |kind: AssetKind| preview.counts.iter().find(|c| c.kind == kind).cloned();
    let shown: Vec<AssetCount> = AssetKind::ALL
        .into_iter()
        .filter(|k| k.recoverable() || (modeling && k.needs_data_modeling()))
        .map(|kind| {
            count_of(kind).unwrap_or(AssetCount {
                kind,
                dataworks: 0,
                pai: 0,
            })
        })
        .collect();
    // "3 data sources, 0 computing resources, …" in the reader's language.
    let pai_counts: Vec<(i64, AssetKind)> = AssetKind::ALL
        .into_iter()
        .filter(|k| k.recoverable())
        .map(|k| (count_of(k).map_or(0, |c| c.pai), k))
        .collect();
    let pai_summary = move || {
        pai_counts
            .iter()
            .map(|(n, kind)| {
                i.fill(
                    k::assets_count_of,
                    &[("n", n), ("what", &i.t(kind.label_key()).to_lowercase())],
                )
            })
            .collect::<Vec<_>>()
            .join(i.t(k::assets_list_sep))
    };
    let pai_workspace = preview.pai_workspace.clone();
    let pai_text = sentence(k::del_pai_text, move |piece| match piece {
        "workspace" => view! { <strong>{pai_workspace.clone()}</strong> }.into_any(),
        _ => pai_summary().into_any(),
    });
    let di = count_of(AssetKind::DiTask).map_or(0, |c| c.dataworks + c.pai);
    let models = count_of(AssetKind::Model).map_or(0, |c| c.dataworks + c.pai);
    let metrics = count_of(AssetKind::Metric).map_or(0, |c| c.dataworks + c.pai);
    let task_count = preview.running_tasks.len() as i64 + preview.frozen_tasks;
    let running = preview.running_tasks.clone();
    let oc_link = format!("/workspaces/{name}/operation-center");
    let review = sentence(k::del_review, move |_| {
        view! { <a href=oc_link.clone()>{i.text(k::nav_operation_center)}</a> }.into_any()
    });
    let confirm_hint = {
        let name = name.clone();
        sentence(k::del_type_to_confirm, move |_| {
            view! { <code>{name.clone()}</code> }.into_any()
        })
    };
    let submit = {
        let matches = matches.clone();
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            if matches() && !gone() {
                delete.dispatch((typed.get_untracked(), freeze.get_untracked()));
            }
        }
    };
    view! {
        <form class="delete-form" on:submit=submit>
            <section aria-labelledby="checks-title">
                <h3 id="checks-title">{i.text(k::del_checks_title)}</h3>
                <div class="check-block">
                    <h4>"PAI"</h4>
                    <p>{pai_text}</p>
                </div>
                <div class="check-block">
                    <h4>{i.text(k::del_billing)}</h4>
                    {if running.is_empty() {
                        view! { <p>{i.text(k::del_no_running)}</p> }.into_any()
                    } else {
                        view! {
                            <p class="warning-text">{i.text(k::del_running_warning)}</p>
                            <ul class="task-list">
                                {running.into_iter().map(|t| {
                                    let cost = format_cents(t.cost_cents);
                                    let line = move || {
                                        let status = task_status_key(&t.status).map_or(t.status.as_str(), |key| i.t(key));
                                        i.fill(k::del_task_line, &[("status", &status), ("cost", &cost), ("schedule", &crate::operations::ui::schedule_words(i.lang(), &t.schedule))])
                                    };
                                    view! { <li><strong>{t.name.clone()}</strong>{line}</li> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <p>{review}</p>
                    <label class="check">
                        <input type="checkbox" checked=move || freeze.get() prop:checked=move || freeze.get() on:change=move |ev| freeze.set(event_target_checked(&ev))/>
                        {i.text(k::del_freeze)}
                    </label>
                </div>
                <div class="check-block">
                    <h4>{i.text(k::del_downstream)}</h4>
                    {crate::dependencies::ui::downstream_table(preview.downstream_dependencies.clone(), i.text(k::del_no_downstream))}
                </div>
            </section>
            <section aria-labelledby="core-title">
                <h3 id="core-title">{i.text(k::del_core_assets)}</h3>
                <CountsTable counts=shown labelledby="core-title"/>
                <p class="not-recoverable">
                    {move || i.fill(k::del_not_recoverable, &[("tasks", &task_count), ("di", &di)])}
                    {move || modeling.then(|| i.fill(k::del_not_recoverable_modeling, &[("models", &models), ("metrics", &metrics)]))}
                    {i.text(k::del_full_stop)}
                </p>
            </section>
            <section aria-labelledby="risk-title" class="risk">
                <h3 id="risk-title">{i.text(k::del_risk)}</h3>
                <p>{move || i.fill(k::del_risk_text, &[("days", &RETENTION_DAYS)])}</p>
                <p class="copy-first">
                    {i.text(k::del_copy_first)}
                    <a class="button" href=format!("/workspaces/{name}/export.zip") download="">{i.text(k::del_download_copy)}</a>
                </p>
            </section>
            <label for="confirm_name">{i.text(k::del_confirm_label)}</label>
            <input
                id="confirm_name"
                type="text"
                autocomplete="off"
                node_ref=input
                placeholder=name.clone()
                value=move || typed.get()
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev))
            />
            <p class="hint">{confirm_hint}</p>
            {error_of(delete.value())}
            <ChangedNote changed/>
            <div class="dialog-buttons">
                <button type="submit" class="danger" disabled=move || !matches() || delete.pending().get() || gone()>{i.text(k::ws_ok)}</button>
                <button type="button" on:click=move |_| on_close.run(())>{i.text(k::ws_cancel)}</button>
            </div>
        </form>
    }
}
