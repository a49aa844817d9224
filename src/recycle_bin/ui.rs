use super::{
    BinEntry, RecoveryReport, list_recycle_bin, purge_workspace, recover_workspace,
    set_purge_protection,
};
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
    // "Recycle Bin settings" for the root; for anyone else the line "Purge protection is on", or
    // nothing (SPEC §15a).
    let settings = move || {
        Suspend::new(async move {
            let on = list.await.is_ok_and(|data| data.purge_protection);
            if viewer.is_root {
                view! {
                    <section class="settings" aria-labelledby="bin-settings">
                        <h2 id="bin-settings">"Recycle Bin settings"</h2>
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked=on
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
            } else if on {
                view! { <p class="note">"Purge protection is on"</p> }.into_any()
            } else {
                ().into_any()
            }
        })
    };

    // One timer for the whole page: the server's time, estimated from the last list read.
    let offset = RwSignal::new(None::<f64>);
    let now = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        if let Some(Ok(data)) = list.get() {
            let o = data.now as f64 - browser_now();
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

    view! {
        <div class="page-head">
            <h1>"Recycle Bin"</h1>
            <A href="/workspaces" attr:class="button">"Back to Workspaces"</A>
        </div>
        <p class="lead">
            "Deleted workspaces are kept here for " {RETENTION_DAYS} " days with their data sources, computing resources, nodes and resources. "
            "The " {RETENTION_DAYS} " days are fixed and cannot be extended: when they end, the workspace is permanently deleted and its name is released."
        </p>
        <Transition fallback=|| ()>{settings}</Transition>
        <div role="status" class="status" class:quiet=move || status.with(String::is_empty)>{move || status.get()}</div>
        {move || report.get().map(|r| view! { <RecoveryReportView report=r on_dismiss=move || report.set(None)/> })}
        <Transition fallback=|| view! { <p class="loading">"Loading the Recycle Bin…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(data) => {
                        let server_now = data.now;
                        let empty = data.entries.is_empty();
                        let purge_protected = data.purge_protection;
                        view! {
                            {purge_protected.then(|| view! { <p id="purge-protection-reason" class="reason">{PURGE_PROTECTION_ON}</p> })}
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
                                    {data.entries.into_iter().map(|entry| {
                                        let purge_at = entry.purge_at;
                                        let t = move || now.get().unwrap_or(server_now);
                                        let expired = move || is_expired(purge_at, t());
                                        let recover_entry = entry.clone();
                                        let purge_entry = entry.clone();
                                        view! {
                                            <tr class:urgent=move || is_urgent(purge_at, t())>
                                                <td>{entry.name.clone()}</td>
                                                <td>{entry.deleted_by.clone()}</td>
                                                <td><LocalTime ts=entry.deleted_at/></td>
                                                <td class="countdown">
                                                    {move || if expired() {
                                                        view! { <span class="badge expired">"Expired"</span> }.into_any()
                                                    } else {
                                                        view! {
                                                            <span class="clock">{format_countdown(remaining_secs(purge_at, t()))}</span>
                                                            {is_urgent(purge_at, t()).then(|| view! { <span class="badge urgent">"Expiring soon"</span> })}
                                                        }.into_any()
                                                    }}
                                                </td>
                                                <td><div class="actions">
                                                    <button
                                                        disabled=move || !can_modify || expired()
                                                        on:click=move |_| pending.set(Some(Pending::Recover(recover_entry.clone())))
                                                    >"Recover"</button>
                                                    <button
                                                        class="danger-outline"
                                                        disabled=move || !can_modify || expired() || purge_protected
                                                        title=purge_protected.then_some(PURGE_PROTECTION_ON)
                                                        aria-describedby=purge_protected.then_some("purge-protection-reason")
                                                        on:click=move |_| pending.set(Some(Pending::Purge(purge_entry.clone())))
                                                    >"Delete Permanently"</button>
                                                    {move || (!expired()).then(|| view! {
                                                        <a class="button" href=format!("/recycle-bin/{}/export.zip", entry.id) download="">"Download a copy"</a>
                                                    })}
                                                </div></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {empty.then(|| view! { <p class="empty">"The Recycle Bin is empty."</p> })}
                            {(!can_modify).then(|| view! { <p><RequiresFullAccess/>" to recover or permanently delete a workspace."</p> })}
                            <Pager page=data.page pages=data.pages on_page=move |p| page.set(p)/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
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

// The two dialogs load their code when first opened (see `lazy_view`).
#[leptos::wasm_split::wasm_split(recover_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
fn recover_dialog(
    entry: BinEntry,
    on_close: Callback<()>,
    on_recovered: Callback<RecoveryReport>,
) -> Result<AnyView, AppError> {
    Ok(view! { <RecoverDialog entry on_close on_recovered/> }.into_any())
}

#[leptos::wasm_split::wasm_split(purge_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
fn purge_dialog(
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
                <input id="purge_name" type="text" autocomplete="off" prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
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

#[component]
fn RecoveryReportView(
    report: RecoveryReport,
    #[prop(into)] on_dismiss: Callback<()>,
) -> impl IntoView {
    let name = report.name.clone();
    view! {
        <section class="report" role="region" aria-label="Recovery report">
            <h2>"Recovery report: " {report.name.clone()}</h2>
            <div class="report-cols">
                <div>
                    <h3>"Restored"</h3>
                    <table class="grid compact">
                        <thead><tr><th scope="col">"Asset type"</th><th scope="col">"DataWorks"</th><th scope="col">"PAI"</th></tr></thead>
                        <tbody>
                            {report.restored.into_iter().map(|c| view! {
                                <tr><th scope="row">{c.kind.label()}</th><td>{c.dataworks}</td><td>{c.pai}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
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
            <button on:click=move |_| on_dismiss.run(())>"Dismiss"</button>
        </section>
    }
}
