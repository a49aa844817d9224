use super::{
    BinEntry, RecoveryReport, list_recycle_bin, purge_workspace, recover_workspace,
    set_purge_protection,
};
use crate::assets::ui::CountsTable;
use crate::domain::Viewer;
use crate::domain::lifecycle::PURGE_PROTECTION_ON;
use crate::domain::retention::{
    RETENTION_DAYS, format_countdown, is_expired, is_urgent, remaining_secs,
};
use crate::error::AppError;
use crate::live::ui::{ChangedNote, changed_while_open};
use crate::ui::{
    ErrorNote, LocalTime, Modal, Pager, RequiresFullAccess, browser_now, error_of, lazy_view,
};
use leptos::prelude::*;
use leptos_router::components::A;
use std::time::Duration;

#[derive(Clone)]
enum Pending {
    Recover(BinEntry),
    Purge(BinEntry),
}

#[component]
pub fn RecycleBinPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    let can_modify = viewer.can_modify;
    let page = RwSignal::new(1i64);
    let version = RwSignal::new(0u32);
    let live = crate::live::ui::live_version(crate::live::LiveChange::changes_recycle_bin);
    let list = crate::codec::resource(
        move || (page.get(), version.get(), live.get()),
        |(p, _, _)| list_recycle_bin(p),
    );
    let pending = RwSignal::new(None::<Pending>);
    let report = RwSignal::new(None::<RecoveryReport>);
    let status = RwSignal::new(String::new());
    let protect = Action::new(|enabled: &bool| set_purge_protection(*enabled));
    Effect::new(move |_| {
        match protect.value().get() {
            Some(Ok(on)) => status.set(if on {
                "Purge protection is on.".into()
            } else {
                "Purge protection is off.".into()
            }),
            // The checkbox shows the setting as it is again.
            Some(Err(_)) => {}
            None => return,
        }
        version.update(|v| *v += 1);
    });
    // The answer shown: the first one, then each later one. The page is built once, with the
    // first answer (the server's, taken from the HTML in the browser); rows are keyed, so a refresh
    // re-renders only the rows that changed: focus, an open dialog and typed text survive a live
    // update (SPEC §19).
    let shown = crate::codec::Answers::<super::BinPage>::new();
    let purge_protected =
        Signal::derive(move || shown.with_ok(|d| d.purge_protection).unwrap_or(false));
    let server_now = Signal::derive(move || shown.with_ok(|d| d.now));
    // "Recycle Bin settings" for the root; for anyone else the line "Purge protection is on", or
    // nothing (SPEC §15a).
    let settings = move || {
        if viewer.is_root {
            view! {
                <section class="settings" aria-labelledby="bin-settings">
                    <h2 id="bin-settings">"Recycle Bin settings"</h2>
                    <label class="check">
                        <input
                            type="checkbox"
                            checked=purge_protected
                            prop:checked=purge_protected
                            disabled=move || protect.pending().get()
                            on:change=move |ev| { protect.dispatch(event_target_checked(&ev)); }
                        />
                        "Purge protection"
                    </label>
                    <p class="hint">
                        "While it is on, nobody (you included) can delete an entry permanently: entries leave the Recycle Bin by Recover or after "
                        {RETENTION_DAYS} " days. Turning it off notifies every user with AliyunDataWorksFullAccess."
                    </p>
                    {error_of(protect.value())}
                </section>
            }
            .into_any()
        } else {
            (move || {
                purge_protected
                    .get()
                    .then(|| view! { <p class="note">"Purge protection is on"</p> })
            })
            .into_any()
        }
    };

    let now = server_clock(server_now);

    view! {
        <div class="page-head">
            <h1>"Recycle Bin"</h1>
            <A href="/workspaces" attr:class="button">"Back to Workspaces"</A>
        </div>
        <p class="lead">
            "Deleted workspaces are kept here for " {RETENTION_DAYS} " days with their data sources, computing resources, nodes and resources. "
            "The " {RETENTION_DAYS} " days are fixed and cannot be extended: when they end, the workspace is permanently deleted and its name is released."
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading the Recycle Bin…"</p> }>
            {Suspend::new(async move {
                shown.follow(list).await;
                view! {
                    {settings}
                    <div role="status" class="status" class:quiet=move || status.with(String::is_empty)>{move || status.get()}</div>
                    {move || report.get().map(|r| view! { <RecoveryReportView report=r on_dismiss=move || report.set(None)/> })}
                    {move || shown.error().map(|error| view! { <ErrorNote error/> })}
                    {move || purge_protected.get().then(|| view! { <p id="purge-protection-reason" class="reason">{PURGE_PROTECTION_ON}</p> })}
                    <table class="grid">
                        <thead>
                            <tr>
                                <th scope="col">"Workspace Name"</th>
                                <th scope="col">"Deleted By"</th>
                                <th scope="col">"Deletion Time"</th>
                                <th scope="col">"Physical Deletion Countdown"</th>
                                <th scope="col">"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || shown.with_ok(|d| d.entries.clone()).unwrap_or_default() key=|entry| entry.clone() let:entry>
                                <BinRow entry now server_now can_modify purge_protected pending/>
                            </For>
                        </tbody>
                    </table>
                    {move || shown.with_ok(|d| d.entries.is_empty()).unwrap_or(false).then(|| view! { <p class="empty">"The Recycle Bin is empty."</p> })}
                    {(!can_modify).then(|| view! { <p><RequiresFullAccess/>" to recover or permanently delete a workspace."</p> })}
                    {move || shown.with_ok(|d| (d.page, d.pages)).map(|(at, pages)| view! { <Pager page=at pages on_page=move |p| page.set(p)/> })}
                }
            })}
        </Transition>
        {move || pending.get().map(|p| match p {
            Pending::Recover(entry) => {
                let on_close = Callback::new(move |_| pending.set(None));
                let on_recovered = Callback::new(move |r: RecoveryReport| {
                    pending.set(None);
                    status.set(format!("Workspace \"{}\" was recovered.", r.name));
                    report.set(Some(r));
                    version.update(|v| *v += 1);
                });
                lazy_view(move || recover_dialog(entry.clone(), on_close, on_recovered)).into_any()
            }
            Pending::Purge(entry) => {
                let on_close = Callback::new(move |_| pending.set(None));
                let on_purged = Callback::new(move |name: String| {
                    pending.set(None);
                    report.set(None);
                    status.set(format!("Workspace \"{name}\" was permanently deleted. Its name is free to use again."));
                    version.update(|v| *v += 1);
                });
                lazy_view(move || purge_dialog(entry.clone(), on_close, on_purged)).into_any()
            }
        })}
    }
}

/// One timer for a whole page: the server's time, estimated from its last answer (`read`, the
/// server's clock then), ticking every quarter second.
pub(super) fn server_clock(read: Signal<Option<i64>>) -> RwSignal<Option<i64>> {
    let offset = RwSignal::new(None::<f64>);
    let now = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        if let Some(server_now) = read.get() {
            let o = server_now as f64 - browser_now();
            offset.set(Some(o));
            now.set(Some((browser_now() + o) as i64));
        }
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if let Some(o) = offset.get_untracked() {
                    now.set(Some((browser_now() + o) as i64));
                }
            },
            Duration::from_millis(250),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    now
}

/// The "Physical Deletion Countdown" of an entry purged at `purge_at`, at `now`.
pub(super) fn countdown(purge_at: i64, now: i64) -> AnyView {
    if is_expired(purge_at, now) {
        view! { <span class="badge expired">"Expired"</span> }.into_any()
    } else {
        view! {
            <span class="clock">{format_countdown(remaining_secs(purge_at, now))}</span>
            {is_urgent(purge_at, now).then(|| view! { <span class="badge urgent">"Expiring soon"</span> })}
        }
        .into_any()
    }
}

/// One entry's row; `now` is the page's clock, `server_now` the last answer's time.
#[component]
fn BinRow(
    entry: BinEntry,
    now: RwSignal<Option<i64>>,
    server_now: Signal<Option<i64>>,
    can_modify: bool,
    purge_protected: Signal<bool>,
    pending: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let purge_at = entry.purge_at;
    let t = move || now.get().or_else(|| server_now.get()).unwrap_or(purge_at);
    let expired = move || is_expired(purge_at, t());
    let recover_entry = entry.clone();
    let purge_entry = entry.clone();
    view! {
        <tr class:urgent=move || is_urgent(purge_at, t())>
            <td data-label="Workspace Name"><a href=format!("/recycle-bin/{}", entry.id)>{entry.name.clone()}</a></td>
            <td data-label="Deleted By">{entry.deleted_by.clone()}</td>
            <td data-label="Deletion Time"><LocalTime ts=entry.deleted_at/></td>
            <td data-label="Physical Deletion Countdown" class="countdown">{move || countdown(purge_at, t())}</td>
            <td data-label="Actions"><div class="actions">
                <button
                    disabled=move || !can_modify || expired()
                    on:click=move |_| pending.set(Some(Pending::Recover(recover_entry.clone())))
                >"Recover"</button>
                <button
                    class="danger-outline"
                    disabled=move || !can_modify || expired() || purge_protected.get()
                    title=move || purge_protected.get().then_some(PURGE_PROTECTION_ON)
                    aria-describedby=move || purge_protected.get().then_some("purge-protection-reason")
                    on:click=move |_| pending.set(Some(Pending::Purge(purge_entry.clone())))
                >"Delete Permanently"</button>
                {move || (!expired()).then(|| view! {
                    <a class="button" href=format!("/recycle-bin/{}/export.zip", entry.id) download="">"Download a copy"</a>
                })}
            </div></td>
        </tr>
    }
}

// The two dialogs load their code when first opened (see `lazy_view`).
#[leptos::wasm_split::wasm_split(recover_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
pub(super) fn recover_dialog(
    entry: BinEntry,
    on_close: Callback<()>,
    on_recovered: Callback<RecoveryReport>,
) -> Result<AnyView, AppError> {
    Ok(view! { <RecoverDialog entry on_close on_recovered/> }.into_any())
}

#[leptos::wasm_split::wasm_split(purge_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
pub(super) fn purge_dialog(
    entry: BinEntry,
    on_close: Callback<()>,
    on_purged: Callback<String>,
) -> Result<AnyView, AppError> {
    Ok(view! { <PurgeDialog entry on_close on_purged/> }.into_any())
}

#[component]
fn RecoverDialog(
    entry: BinEntry,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_recovered: Callback<RecoveryReport>,
) -> impl IntoView {
    let (id, deleted_at) = (entry.id, entry.deleted_at);
    let recover = Action::new(move |_: &()| recover_workspace(id, deleted_at));
    let changed = changed_while_open(entry.name.clone(), recover.pending().into());
    let gone = move || changed.gone();
    Effect::new(move |_| {
        if let Some(Ok(report)) = recover.value().get() {
            on_recovered.run(report);
        }
    });
    view! {
        <Modal title="Recover Workspace".into() on_close>
            <p>"Recover workspace " <strong>{entry.name.clone()}</strong> " under its name?"</p>
            <p>"Comes back, in DataWorks and its PAI workspace: data sources, computing resources, nodes (with their code and versions) and resources."</p>
            <p>
                "Does not come back: scheduling tasks (auto triggered tasks), data integration tasks, models and metrics. "
                "Recovered nodes are unpublished: publish them again in DataStudio to re-create their auto triggered tasks."
            </p>
            {error_of(recover.value())}
            <ChangedNote changed/>
            <div class="dialog-buttons">
                <button class="primary" disabled=move || recover.pending().get() || gone() on:click=move |_| { recover.dispatch(()); }>"OK"</button>
                <button on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </Modal>
    }
}

#[component]
fn PurgeDialog(
    entry: BinEntry,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_purged: Callback<String>,
) -> impl IntoView {
    let (id, deleted_at) = (entry.id, entry.deleted_at);
    let name = entry.name.clone();
    let typed = RwSignal::new(String::new());
    let purge = Action::new(move |typed: &String| purge_workspace(id, deleted_at, typed.clone()));
    let changed = changed_while_open(entry.name.clone(), purge.pending().into());
    let gone = move || changed.gone();
    let purged_name = name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = purge.value().get() {
            on_purged.run(purged_name.clone());
        }
    });
    let matches = {
        let name = name.clone();
        move || typed.get() == name
    };
    let ok_enabled = matches.clone();
    view! {
        <Modal title="Delete Permanently".into() on_close>
            <form on:submit=move |ev| {
                ev.prevent_default();
                if matches() && !gone() {
                    purge.dispatch(typed.get_untracked());
                }
            }>
                <p class="risk">
                    "Workspace " <strong>{name.clone()}</strong>
                    " and all its assets in the Recycle Bin are deleted at once and can never be recovered. Its name is released."
                </p>
                <label for="purge_name">"Workspace name"</label>
                <input id="purge_name" type="text" autocomplete="off" value=move || typed.get() prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                <p class="hint">"Type " <code>{name.clone()}</code> " exactly to confirm."</p>
                {error_of(purge.value())}
                <ChangedNote changed/>
                <div class="dialog-buttons">
                    <button type="submit" class="danger" disabled=move || !ok_enabled() || purge.pending().get() || gone()>"OK"</button>
                    <button type="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </Modal>
    }
}

/// What a Recover (or an Undo) brought back and what it did not; "Dismiss" when `on_dismiss`.
#[component]
pub fn RecoveryReportView(
    report: RecoveryReport,
    #[prop(optional, into)] on_dismiss: Option<Callback<()>>,
) -> impl IntoView {
    let name = report.name.clone();
    view! {
        <section class="report" role="region" aria-label="Recovery report">
            <h2>"Recovery report: " {report.name.clone()}</h2>
            <div class="report-cols">
                <div>
                    <h3>"Restored"</h3>
                    <CountsTable counts=report.restored/>
                </div>
                <div>
                    <h3>"Not restored"</h3>
                    <ul>{report.not_restored.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
                </div>
                <div>
                    <h3>"Nodes to publish again"</h3>
                    {if report.nodes_to_publish.is_empty() {
                        view! { <p>"None: no node was published when the workspace was deleted."</p> }.into_any()
                    } else {
                        view! {
                            <p>"These nodes were published before the deletion. Publish them in DataStudio to re-create their auto triggered tasks:"</p>
                            <ul>
                                {report.nodes_to_publish.into_iter().map(|n| view! {
                                    <li><A href=format!("/workspaces/{}/datastudio?node={}", name, n.id)>{n.name}</A>" ("{n.product}", "{n.subtype}")"</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            </div>
            {on_dismiss.map(|on_dismiss| view! { <button on:click=move |_| on_dismiss.run(())>"Dismiss"</button> })}
        </section>
    }
}
