use super::{DeletionOutcome, DeletionPreview, delete_workspace, get_deletion_preview};
use crate::assets::ui::CountsTable;
use crate::assets::{AssetCount, AssetKind};
use crate::domain::billing::format_cents;
use crate::domain::retention::RETENTION_DAYS;
use crate::error::AppError;
use crate::live::ui::{Changed, ChangedNote, changed_while_open};
use crate::recycle_bin::ui::RecoveryReportView;
use crate::recycle_bin::undo_delete;
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
                    <p>"Workspace \"" {recovered.name.clone()} "\" was recovered."</p>
                    <RecoveryReportView report=recovered/>
                </div>
            }
            .into_any()
        }
        done => {
            let name = name.clone();
            let tried = done.is_some();
            view! {
                {name} " was moved to the Recycle Bin. "
                {move || (offered.get() && !tried).then(|| view! {
                    <button class="inline" disabled=move || undo.pending().get() on:click=move |_| { undo.dispatch(()); }>"Undo"</button>
                })}
                {done.and_then(Result::err).map(|error| view! {
                    <span class="field-error">{error.to_string()}</span> " "
                })}
                {move || (!offered.get() || tried).then(|| view! {
                    "You can recover it in the " <a href="/recycle-bin">"Recycle Bin"</a> " within " {RETENTION_DAYS} " days."
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
    view! {
        <Modal title="Delete Workspace" on_close wide=true>
            <Suspense fallback=|| view! { <p class="loading">"Checking the workspace…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(preview) => view! { <DeleteForm preview on_close on_deleted changed busy/> }.into_any(),
                        Err(error) => view! {
                            <ErrorNote error/>
                            <div class="dialog-buttons"><button on:click=move |_| on_close.run(())>"Cancel"</button></div>
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
    let pai_summary = AssetKind::ALL
        .into_iter()
        .filter(|k| k.recoverable())
        .map(|k| {
            format!(
                "{} {}",
                count_of(k).map_or(0, |c| c.pai),
                k.label().to_lowercase()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let di = count_of(AssetKind::DiTask).map_or(0, |c| c.dataworks + c.pai);
    let models = count_of(AssetKind::Model).map_or(0, |c| c.dataworks + c.pai);
    let metrics = count_of(AssetKind::Metric).map_or(0, |c| c.dataworks + c.pai);
    let task_count = preview.running_tasks.len() as i64 + preview.frozen_tasks;
    let running = preview.running_tasks.clone();
    let oc_link = format!("/workspaces/{name}/operation-center");
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
                <h3 id="checks-title">"Pre-deletion checks"</h3>
                <div class="check-block">
                    <h4>"PAI"</h4>
                    <p>
                        "DataWorks and PAI share one workspace structure. The associated PAI workspace "
                        <strong>{preview.pai_workspace.clone()}</strong>
                        " is deleted too. It holds " {pai_summary} ". Confirm the deletion with your PAI team before you proceed."
                    </p>
                </div>
                <div class="check-block">
                    <h4>"Billing"</h4>
                    {if running.is_empty() {
                        view! { <p>"No auto triggered task of this workspace is Running."</p> }.into_any()
                    } else {
                        view! {
                            <p class="warning-text">
                                "These auto triggered tasks are still Running. Running tasks continue to bill after the workspace is deleted."
                            </p>
                            <ul class="task-list">
                                {running.into_iter().map(|t| view! {
                                    <li><strong>{t.name}</strong>" — "{t.status}" — cost so far "{format_cents(t.cost_cents)}" ("{t.schedule}")"</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <p>"Review them in the workspace's " <a href=oc_link>"Operation Center"</a> "."</p>
                    <label class="check">
                        <input type="checkbox" checked=move || freeze.get() prop:checked=move || freeze.get() on:change=move |ev| freeze.set(event_target_checked(&ev))/>
                        "Freeze all auto triggered tasks before deleting"
                    </label>
                </div>
                <div class="check-block">
                    <h4>"Downstream dependencies"</h4>
                    {crate::dependencies::ui::downstream_table(preview.downstream_dependencies.clone(), "No other workspace depends on this one.")}
                </div>
            </section>
            <section aria-labelledby="core-title">
                <h3 id="core-title">"Core assets"</h3>
                <CountsTable counts=shown labelledby="core-title"/>
                <p class="not-recoverable">
                    "Not recoverable: scheduling tasks (" {task_count} " auto triggered tasks), data integration tasks (" {di} ")"
                    {modeling.then(|| format!(", models ({models}) and metrics ({metrics})"))} "."
                </p>
            </section>
            <section aria-labelledby="risk-title" class="risk">
                <h3 id="risk-title">"Risk warning"</h3>
                <p>
                    "Deleting this workspace removes all of its development assets, including code. Only data sources, computing resources, nodes and resources can be recovered, from the Recycle Bin, within "
                    {RETENTION_DAYS} " days. Everything else is deleted permanently and cannot be undone."
                </p>
                <p class="copy-first">
                    "To keep a copy of its code and assets outside the console first: "
                    <a class="button" href=format!("/workspaces/{name}/export.zip") download="">"Download a copy"</a>
                </p>
            </section>
            <label for="confirm_name">"Workspace name"</label>
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
            <p class="hint">"Type " <code>{name.clone()}</code> " exactly to confirm."</p>
            {error_of(delete.value())}
            <ChangedNote changed/>
            <div class="dialog-buttons">
                <button type="submit" class="danger" disabled=move || !matches() || delete.pending().get() || gone()>"OK"</button>
                <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
