use super::{
    BinEntry, BinFilter, BinSort, BinTarget, BulkAnswer, RecoveryReport, bin_entries_present,
    list_recycle_bin, purge_entries, purge_workspace, recover_entries, recover_workspace,
    set_purge_protection,
};
use crate::assets::ui::CountsTable;
use crate::domain::Viewer;
use crate::domain::retention::{RETENTION_DAYS, is_expired, is_urgent, remaining_secs};
use crate::error::AppError;
use crate::i18n::{Key, Lang, Msg, k, use_i18n};
use crate::live::ui::{ChangedNote, changed_while_open};
use crate::ui::sentence;
use crate::ui::{
    ErrorNote, LocalTime, Modal, Pager, RequiresFullAccess, browser_now, error_of, lazy_view,
};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::time::Duration;

#[derive(Clone)]
enum Pending {
    Recover(BinEntry),
    Purge(BinEntry),
    /// "Recover selected" (false) or "Delete Permanently selected" (true), of these entries.
    Bulk(bool, Vec<BinEntry>),
}

/// The filter the page's address holds (SPEC §21): `q`, `deleted_by`, `sort`, `page`; what the
/// address cannot mean reads as the default.
fn filter_of(query: &leptos_router::params::ParamsMap) -> BinFilter {
    BinFilter {
        query: query.get("q").unwrap_or_default(),
        deleted_by: query.get("deleted_by").unwrap_or_default(),
        sort: query
            .get("sort")
            .and_then(|s| BinSort::parse(&s))
            .unwrap_or_default(),
        page: query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
    }
}

/// "12 entries", "1 entry".
fn entries_count(lang: Lang, n: i64) -> String {
    if n == 1 {
        lang.text(k::bin_entries_one).to_owned()
    } else {
        lang.fill(k::bin_entries, &[("n", &n)])
    }
}

/// "Recover 2 Workspaces", "Delete 1 Workspace Permanently" (SPEC §22).
pub(super) fn bulk_title(lang: Lang, purge: bool, n: usize) -> String {
    let key = match (purge, n == 1) {
        (true, true) => k::bin_bulk_purge_one,
        (true, false) => k::bin_bulk_purge_many,
        (false, true) => k::bin_bulk_recover_one,
        (false, false) => k::bin_bulk_recover_many,
    };
    lang.fill(key, &[("n", &n)])
}

/// Why nobody can "Delete Permanently" while purge protection is on (SPEC §15a): the reason
/// shown beside the disabled buttons.
pub(super) fn purge_reason(lang: Lang) -> String {
    lang.fill(k::bin_purge_protection_reason, &[("days", &RETENTION_DAYS)])
}

/// The text `key` with its `{parameter}` (a name typed by a user) set apart in `<strong>` (or
/// `<code>` when `code`), following the language.
pub(super) fn with_name(key: Key, name: String, code: bool) -> impl IntoView {
    sentence(key, move |_| {
        if code {
            view! { <code>{name.clone()}</code> }.into_any()
        } else {
            view! { <strong>{name.clone()}</strong> }.into_any()
        }
    })
}

#[component]
pub fn RecycleBinPage() -> impl IntoView {
    let i = use_i18n();
    let viewer = expect_context::<Viewer>();
    let can_modify = viewer.can_modify;
    let address = use_query_map();
    let filter = Memo::new(move |_| address.with(filter_of));
    let navigate = use_navigate();
    // Every change of filter, sort or page is a new address (Back and Forward move through them);
    // a search typed in one go replaces its own address instead of adding one per key.
    let searching = StoredValue::new(false);
    let go = Callback::new(move |(to, typing): (BinFilter, bool)| {
        let replace = typing && searching.get_value();
        searching.set_value(typing);
        navigate(
            &to.address(),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let version = RwSignal::new(0u32);
    let live = crate::live::ui::live_version(crate::live::LiveChange::changes_recycle_bin);
    let list = crate::codec::resource(
        move || (filter.get(), version.get(), live.get()),
        |(f, _, _)| list_recycle_bin(f.query, f.deleted_by, f.sort.as_str().into(), f.page),
    );
    let pending = RwSignal::new(None::<Pending>);
    let report = RwSignal::new(None::<RecoveryReport>);
    let bulk_report = RwSignal::new(None::<(bool, BulkAnswer)>);
    let status = RwSignal::new(None::<Msg>);
    // The selection (SPEC §22): entries as they were seen, in the order chosen; it survives paging
    // and filtering, and an entry that leaves the Recycle Bin meanwhile leaves it (`left` names it).
    let selected = RwSignal::new(Vec::<BinEntry>::new());
    let left = RwSignal::new(Vec::<String>::new());
    let acting = RwSignal::new(false);
    let unselect = move |ids: &[i64]| selected.update(|s| s.retain(|e| !ids.contains(&e.id)));
    let prune = move || {
        let targets: Vec<BinTarget> = selected.with_untracked(|s| {
            s.iter()
                .map(|e| BinTarget {
                    id: e.id,
                    deleted_at: e.deleted_at,
                })
                .collect()
        });
        if targets.is_empty() || acting.get_untracked() {
            return;
        }
        leptos::task::spawn_local(async move {
            let Ok(present) = bin_entries_present(targets.clone()).await else {
                return;
            };
            if acting.get_untracked() {
                return;
            }
            let gone: Vec<i64> = targets
                .iter()
                .map(|t| t.id)
                .filter(|id| !present.contains(id))
                .collect();
            if gone.is_empty() {
                return;
            }
            let names: Vec<String> = selected.with_untracked(|s| {
                s.iter()
                    .filter(|e| gone.contains(&e.id))
                    .map(|e| e.name.clone())
                    .collect()
            });
            unselect(&gone);
            left.update(|l| l.extend(names));
        });
    };
    // After every change heard that the Recycle Bin shows, the selection is checked again.
    Effect::new(move |seen: Option<u64>| {
        let now = live.get();
        if seen.is_some_and(|seen| now > seen) {
            prune();
        }
        now
    });
    let protect = Action::new(|enabled: &bool| set_purge_protection(*enabled));
    Effect::new(move |_| {
        match protect.value().get() {
            Some(Ok(on)) => status.set(Some(Msg::new(if on {
                k::bin_protection_turned_on
            } else {
                k::bin_protection_turned_off
            }))),
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
                    <h2 id="bin-settings">{i.text(k::bin_settings_heading)}</h2>
                    <label class="check">
                        <input
                            type="checkbox"
                            checked=purge_protected
                            prop:checked=purge_protected
                            disabled=move || protect.pending().get()
                            on:change=move |ev| { protect.dispatch(event_target_checked(&ev)); }
                        />
                        {i.text(k::bin_purge_protection)}
                    </label>
                    <p class="hint">
                        {move || i.fill(k::bin_purge_protection_hint, &[("days", &RETENTION_DAYS)])}
                    </p>
                    {error_of(protect.value())}
                </section>
            }
            .into_any()
        } else {
            (move || {
                purge_protected
                    .get()
                    .then(|| view! { <p class="note">{i.text(k::bin_purge_protection_is_on)}</p> })
            })
            .into_any()
        }
    };

    let now = server_clock(server_now);
    let page_entries = move || shown.with_ok(|d| d.entries.clone()).unwrap_or_default();
    let all_on_page = move || {
        let ids: Vec<i64> = shown
            .with_ok(|d| d.entries.iter().map(|e| e.id).collect())
            .unwrap_or_default();
        !ids.is_empty() && selected.with(|s| ids.iter().all(|id| s.iter().any(|e| e.id == *id)))
    };
    let some_on_page = move || {
        shown
            .with_ok(|d| {
                selected.with(|s| d.entries.iter().any(|e| s.iter().any(|x| x.id == e.id)))
            })
            .unwrap_or(false)
    };
    let select_page = move |on: bool| {
        let entries = page_entries();
        selected.update(|s| {
            if on {
                for e in entries {
                    if !s.iter().any(|x| x.id == e.id) {
                        s.push(e);
                    }
                }
            } else {
                s.retain(|x| !entries.iter().any(|e| e.id == x.id));
            }
        });
    };
    let sort_header = move |label: Key, by_name: bool| {
        let sorted = move || {
            let sort = filter.get().sort;
            (sort.by_name() == by_name).then(|| {
                if sort.descending() {
                    "descending"
                } else {
                    "ascending"
                }
            })
        };
        view! {
            <th scope="col" class="sortable" aria-sort=move || sorted().unwrap_or("none")>
                <button class="sort" on:click=move |_| {
                    let mut to = filter.get_untracked();
                    to.sort = to.sort.toggled(by_name);
                    to.page = 1;
                    go.run((to, false));
                }>
                    {i.text(label)}
                    <span class="sort-mark" aria-hidden="true">{move || match sorted() {
                        Some("ascending") => " ▲",
                        Some(_) => " ▼",
                        None => "",
                    }}</span>
                </button>
            </th>
        }
    };
    // The search box keeps what was typed; the address follows it a moment later (and a new
    // address from Back or Forward, or "Clear filters", is shown in it).
    let typed = RwSignal::new(filter.get_untracked().query);
    let typed_sent = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let q = filter.get().query;
        if typed_sent.get_value().as_deref() == Some(q.as_str()) {
            typed_sent.set_value(None);
        } else if typed.get_untracked() != q {
            typed.set(q);
        }
    });
    let search_tick = StoredValue::new(0u32);
    let search = move |text: String| {
        typed.set(text);
        let tick = search_tick.get_value() + 1;
        search_tick.set_value(tick);
        set_timeout(
            move || {
                if search_tick.get_value() != tick {
                    return;
                }
                let mut to = filter.get_untracked();
                let q = typed.get_untracked();
                if to.query == q {
                    return;
                }
                to.query = q.clone();
                to.page = 1;
                typed_sent.set_value(Some(q));
                go.run((to, true));
            },
            Duration::from_millis(300),
        );
    };

    view! {
        <div class="page-head">
            <h1>{i.text(k::nav_recycle_bin)}</h1>
            <A href="/workspaces" attr:class="button">{i.text(k::bin_back_to_workspaces)}</A>
        </div>
        <p class="lead">
            {move || i.fill(k::bin_lead, &[("days", &RETENTION_DAYS)])}
        </p>
        <Transition fallback=move || view! { <p class="loading">{i.text(k::bin_loading)}</p> }>
            {Suspend::new(async move {
                shown.follow(list).await;
                view! {
                    {settings}
                    <div role="status" class="status" class:quiet=move || status.with(Option::is_none)>{move || status.get().map(|m| i.msg(&m))}</div>
                    {move || report.get().map(|r| view! { <RecoveryReportView report=r on_dismiss=move || report.set(None)/> })}
                    {move || bulk_report.get().map(|(purge, r)| view! { <BulkReportView purge report=r on_dismiss=move || bulk_report.set(None)/> })}
                    {move || shown.error().map(|error| view! { <ErrorNote error/> })}
                    {move || purge_protected.get().then(|| view! { <p id="purge-protection-reason" class="reason">{move || purge_reason(i.lang())}</p> })}
                    <form class="filters bin-filters" method="get" action="/recycle-bin" aria-label=i.text(k::bin_find_entries) on:submit=move |ev| {
                        ev.prevent_default();
                        let mut to = filter.get_untracked();
                        to.query = typed.get_untracked();
                        to.page = 1;
                        typed_sent.set_value(Some(to.query.clone()));
                        go.run((to, false));
                    }>
                        <label>
                            {i.text(k::bin_search_label)}
                            <input
                                type="search"
                                name="q"
                                autocomplete="off"
                                maxlength="64"
                                value=move || typed.get()
                                prop:value=move || typed.get()
                                on:input=move |ev| search(event_target_value(&ev))
                            />
                        </label>
                        <label>
                            {i.text(k::bin_deleted_by_filter)}
                            <select name="deleted_by" on:change=move |ev| {
                                let mut to = filter.get_untracked();
                                to.deleted_by = event_target_value(&ev);
                                to.page = 1;
                                go.run((to, false));
                            }>
                                <option value="" selected=move || filter.get().deleted_by.is_empty()>{i.text(k::bin_anyone)}</option>
                                {move || {
                                    let mut choices = shown.with_ok(|d| d.deleted_by_choices.clone()).unwrap_or_default();
                                    let current = filter.get().deleted_by;
                                    if !current.is_empty() && !choices.contains(&current) {
                                        choices.push(current);
                                    }
                                    choices.into_iter().map(|user| {
                                        let value = user.clone();
                                        let is = user.clone();
                                        view! { <option value=value selected=move || filter.get().deleted_by == is prop:selected=move || filter.get().deleted_by == user>{user.clone()}</option> }
                                    }).collect_view()
                                }}
                            </select>
                        </label>
                        {move || (filter.get().sort != BinSort::default()).then(|| view! { <input type="hidden" name="sort" value=move || filter.get().sort.as_str()/> })}
                        <button type="submit">{i.text(k::bin_apply)}</button>
                    </form>
                    {move || (can_modify && !selected.with(Vec::is_empty)).then(|| view! {
                        <div class="selection-bar" role="group" aria-label=i.text(k::bin_selection)>
                            <span class="count" role="status">{move || i.fill(k::bin_selected_count, &[("n", &selected.with(Vec::len))])}</span>
                            <button class="primary" on:click=move |_| pending.set(Some(Pending::Bulk(false, selected.get_untracked())))>{i.text(k::bin_recover_selected)}</button>
                            <button
                                class="danger-outline"
                                disabled=purge_protected
                                title=move || purge_protected.get().then(|| purge_reason(i.lang()))
                                aria-describedby=move || purge_protected.get().then_some("purge-protection-reason")
                                on:click=move |_| pending.set(Some(Pending::Bulk(true, selected.get_untracked())))
                            >{i.text(k::bin_purge_selected)}</button>
                            <button on:click=move |_| { selected.set(Vec::new()); left.set(Vec::new()); }>{i.text(k::bin_clear_selection)}</button>
                        </div>
                    })}
                    {move || (!left.with(Vec::is_empty)).then(|| view! {
                        <p class="note selection-left" role="status">
                            {move || i.fill(k::bin_selection_left, &[("names", &left.get().join(", "))])}
                            " "
                            <button class="link" on:click=move |_| left.set(Vec::new())>{i.text(k::bin_dismiss)}</button>
                        </p>
                    })}
                    <p class="total">{move || shown.with_ok(|d| entries_count(i.lang(), d.total))}</p>
                    <table class="grid bin">
                        <thead>
                            <tr>
                                {can_modify.then(|| view! {
                                    <th scope="col" class="select">
                                        <input
                                            type="checkbox"
                                            aria-label=i.text(k::bin_select_all_on_page)
                                            checked=all_on_page
                                            prop:checked=all_on_page
                                            prop:indeterminate=move || some_on_page() && !all_on_page()
                                            disabled=move || shown.with_ok(|d| d.entries.is_empty()).unwrap_or(true)
                                            on:change=move |ev| select_page(event_target_checked(&ev))
                                        />
                                    </th>
                                })}
                                {sort_header(k::bin_col_workspace_name, true)}
                                <th scope="col">{i.text(k::bin_col_deleted_by)}</th>
                                {sort_header(k::bin_col_deletion_time, false)}
                                <th scope="col">{i.text(k::bin_col_countdown)}</th>
                                <th scope="col">{i.text(k::bin_col_actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=page_entries key=|entry| entry.clone() let:entry>
                                <BinRow entry now server_now can_modify purge_protected pending selected/>
                            </For>
                        </tbody>
                    </table>
                    {move || shown.with_ok(|d| d.total == 0).unwrap_or(false).then(|| if filter.get().narrowed() {
                        view! {
                            <div class="empty">
                                <p>{i.text(k::bin_no_entry_matches)}</p>
                                <button on:click=move |_| {
                                    typed.set(String::new());
                                    let to = BinFilter { sort: filter.get_untracked().sort, ..Default::default() };
                                    go.run((to, false));
                                }>{i.text(k::bin_clear_filters)}</button>
                            </div>
                        }.into_any()
                    } else {
                        view! { <p class="empty">{i.text(k::bin_empty)}</p> }.into_any()
                    })}
                    {(!can_modify).then(|| view! { <p>{sentence(k::bin_full_access_to_act, |_| view! { <RequiresFullAccess/> }.into_any())}</p> })}
                    {move || shown.with_ok(|d| (d.page, d.pages)).map(|(at, pages)| view! { <Pager page=at pages on_page=move |p| {
                        let mut to = filter.get_untracked();
                        to.page = p;
                        go.run((to, false));
                    }/> })}
                }
            })}
        </Transition>
        {move || pending.get().map(|p| match p {
            Pending::Recover(entry) => {
                let on_close = Callback::new(move |_| pending.set(None));
                let id = entry.id;
                let on_recovered = Callback::new(move |r: RecoveryReport| {
                    pending.set(None);
                    unselect(&[id]);
                    status.set(Some(Msg::new(k::bin_recovered_status).with("name", &r.name)));
                    bulk_report.set(None);
                    report.set(Some(r));
                    version.update(|v| *v += 1);
                });
                lazy_view(move || recover_dialog(entry.clone(), on_close, on_recovered)).into_any()
            }
            Pending::Purge(entry) => {
                let on_close = Callback::new(move |_| pending.set(None));
                let id = entry.id;
                let on_purged = Callback::new(move |name: String| {
                    pending.set(None);
                    unselect(&[id]);
                    report.set(None);
                    bulk_report.set(None);
                    status.set(Some(Msg::new(k::bin_purged_status).with("name", name)));
                    version.update(|v| *v += 1);
                });
                lazy_view(move || purge_dialog(entry.clone(), on_close, on_purged)).into_any()
            }
            Pending::Bulk(purge, entries) => {
                let on_close = Callback::new(move |_| pending.set(None));
                let on_busy = Callback::new(move |busy: bool| acting.set(busy));
                let on_done = Callback::new(move |r: BulkAnswer| {
                    pending.set(None);
                    acting.set(false);
                    let done: Vec<i64> = r.report.results.iter().filter(|r| r.done()).map(|r| r.id).collect();
                    unselect(&done);
                    let n = r.report.results.len();
                    let d = done.len();
                    let key = match (purge, d) {
                        (false, 1) if n == 1 => k::bin_bulk_recovered_one,
                        (true, 1) if n == 1 => k::bin_bulk_purged_one,
                        (false, d) if d == n => k::bin_bulk_recovered_all,
                        (true, d) if d == n => k::bin_bulk_purged_all,
                        (false, _) => k::bin_bulk_recovered_some,
                        (true, _) => k::bin_bulk_purged_some,
                    };
                    status.set(Some(Msg::new(key).with("done", d).with("n", n).with("failed", n - d)));
                    report.set(None);
                    bulk_report.set(Some((purge, r)));
                    version.update(|v| *v += 1);
                    prune();
                });
                lazy_view(move || bulk_dialog(purge, entries.clone(), on_close, on_busy, on_done)).into_any()
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
pub(super) fn countdown(lang: Lang, purge_at: i64, now: i64) -> AnyView {
    if is_expired(purge_at, now) {
        view! { <span class="badge expired">{lang.text(k::bin_expired)}</span> }.into_any()
    } else {
        view! {
            <span class="clock">{lang.countdown(remaining_secs(purge_at, now))}</span>
            {is_urgent(purge_at, now).then(|| view! { <span class="badge urgent">{lang.text(k::bin_expiring_soon)}</span> })}
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
    selected: RwSignal<Vec<BinEntry>>,
) -> impl IntoView {
    let i = use_i18n();
    let purge_at = entry.purge_at;
    let id = entry.id;
    let is_selected = move || selected.with(|s| s.iter().any(|e| e.id == id));
    let select_entry = entry.clone();
    let t = move || now.get().or_else(|| server_now.get()).unwrap_or(purge_at);
    let expired = move || is_expired(purge_at, t());
    let recover_entry = entry.clone();
    let purge_entry = entry.clone();
    view! {
        <tr class:urgent=move || is_urgent(purge_at, t()) class:selected=is_selected>
            {can_modify.then(|| view! {
                <td class="select" data-label=i.text(k::bin_select)>
                    <input
                        type="checkbox"
                        aria-label={
                            let name = entry.name.clone();
                            move || i.fill(k::bin_select_name, &[("name", &name)])
                        }
                        checked=is_selected
                        prop:checked=is_selected
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let e = select_entry.clone();
                            selected.update(|s| {
                                s.retain(|x| x.id != e.id);
                                if on {
                                    s.push(e);
                                }
                            });
                        }
                    />
                </td>
            })}
            <td data-label=i.text(k::bin_col_workspace_name)><a href=format!("/recycle-bin/{}", entry.id)>{entry.name.clone()}</a></td>
            <td data-label=i.text(k::bin_col_deleted_by)>{entry.deleted_by.clone()}</td>
            <td data-label=i.text(k::bin_col_deletion_time)><LocalTime ts=entry.deleted_at/></td>
            <td data-label=i.text(k::bin_col_countdown) class="countdown">{move || countdown(i.lang(), purge_at, t())}</td>
            <td data-label=i.text(k::bin_col_actions)><div class="actions">
                <button
                    disabled=move || !can_modify || expired()
                    on:click=move |_| pending.set(Some(Pending::Recover(recover_entry.clone())))
                >{i.text(k::bin_recover)}</button>
                <button
                    class="danger-outline"
                    disabled=move || !can_modify || expired() || purge_protected.get()
                    title=move || purge_protected.get().then(|| purge_reason(i.lang()))
                    aria-describedby=move || purge_protected.get().then_some("purge-protection-reason")
                    on:click=move |_| pending.set(Some(Pending::Purge(purge_entry.clone())))
                >{i.text(k::bin_delete_permanently)}</button>
                {move || (!expired()).then(|| view! {
                    <a class="button" href=format!("/recycle-bin/{}/export.zip", entry.id) download="">{i.text(k::bin_download_copy)}</a>
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

#[leptos::wasm_split::wasm_split(bulk_dialog, wasm_split_path = ::leptos::wasm_split, fallible)]
pub(super) fn bulk_dialog(
    purge: bool,
    entries: Vec<BinEntry>,
    on_close: Callback<()>,
    on_busy: Callback<bool>,
    on_done: Callback<BulkAnswer>,
) -> Result<AnyView, AppError> {
    Ok(view! { <BulkDialog purge entries on_close on_busy on_done/> }.into_any())
}

/// "Recover <N> Workspaces" or "Delete <N> Workspaces Permanently" (SPEC §22): the names, and for
/// a purge the text box "Number of workspaces", whose OK waits for exactly N.
#[component]
fn BulkDialog(
    purge: bool,
    entries: Vec<BinEntry>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_busy: Callback<bool>,
    #[prop(into)] on_done: Callback<BulkAnswer>,
) -> impl IntoView {
    let i = use_i18n();
    let n = entries.len();
    let targets: Vec<BinTarget> = entries
        .iter()
        .map(|e| BinTarget {
            id: e.id,
            deleted_at: e.deleted_at,
        })
        .collect();
    let act = Action::new(move |_: &()| {
        let targets = targets.clone();
        async move {
            if purge {
                purge_entries(targets, n as i64).await
            } else {
                recover_entries(targets).await
            }
        }
    });
    let typed = RwSignal::new(String::new());
    let counted = move || !purge || typed.with(|t| t.trim() == n.to_string());
    Effect::new(move |_| on_busy.run(act.pending().get()));
    Effect::new(move |_| {
        if let Some(Ok(report)) = act.value().get() {
            on_done.run(report);
        }
    });
    view! {
        <Modal title=move || bulk_title(i.lang(), purge, n) on_close>
            <form on:submit=move |ev| {
                ev.prevent_default();
                if counted() && !act.pending().get_untracked() {
                    act.dispatch(());
                }
            }>
                {if purge {
                    view! {
                        <p class="risk">{i.text(k::bin_bulk_purge_risk)}</p>
                    }.into_any()
                } else {
                    view! {
                        <p>{i.text(k::bin_bulk_comes_back)}</p>
                        <p>{i.text(k::bin_not_back)}</p>
                    }.into_any()
                }}
                <ul class="bulk-names" aria-label=i.text(k::nav_workspaces)>
                    {entries.iter().map(|e| view! { <li><strong>{e.name.clone()}</strong></li> }).collect_view()}
                </ul>
                {purge.then(|| view! {
                    <label for="bulk_count">{i.text(k::bin_number_of_workspaces)}</label>
                    <input id="bulk_count" type="text" inputmode="numeric" autocomplete="off" value=move || typed.get() prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                    <p class="hint">{with_name(k::bin_type_count, n.to_string(), true)}</p>
                })}
                {error_of(act.value())}
                <div class="dialog-buttons">
                    <button type="submit" class=if purge { "danger" } else { "primary" } disabled=move || !counted() || act.pending().get()>{i.text(k::bin_ok)}</button>
                    <button type="button" on:click=move |_| on_close.run(())>{i.text(k::bin_cancel)}</button>
                </div>
            </form>
        </Modal>
    }
}

/// The "Bulk recovery report" or "Bulk deletion report" (SPEC §22): a row per entry with its
/// result, or the reason it was refused.
#[component]
fn BulkReportView(
    purge: bool,
    report: BulkAnswer,
    #[prop(into)] on_dismiss: Callback<()>,
) -> impl IntoView {
    let i = use_i18n();
    let title = i.text(if purge {
        k::bin_bulk_deletion_report
    } else {
        k::bin_bulk_recovery_report
    });
    // The dialog that asked for it has closed and its opener may be gone with the selection: the
    // keyboard continues from the report.
    let region = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if let Some(region) = region.get() {
            let _ = region.focus();
        }
    });
    view! {
        <section class="report" role="region" aria-label=title tabindex="-1" node_ref=region>
            <h2>{title}</h2>
            <table class="grid">
                <thead>
                    <tr>
                        <th scope="col">{i.text(k::bin_col_workspace_name)}</th>
                        <th scope="col">{i.text(k::bin_col_result)}</th>
                    </tr>
                </thead>
                <tbody>
                    {report.report.results.into_iter().zip(report.worded.into_iter().chain(std::iter::repeat(None))).map(|(r, worded)| {
                        let id = r.id;
                        let name = r.name.clone();
                        let name = move || if name.is_empty() { i.fill(k::bin_entry_id, &[("id", &id)]) } else { name.clone() };
                        let result = if r.done() {
                            let nodes = r.nodes_to_publish.clone();
                            let ws = r.name.clone();
                            view! {
                                <span class="badge result-success">{i.text(if purge { k::bin_result_purged } else { k::bin_result_recovered })}</span>
                                {(!nodes.is_empty()).then(|| view! {
                                    <span class="publish-again">
                                        " "{i.text(k::bin_publish_again)}" "
                                        {nodes.into_iter().map(|n| view! {
                                            <A href=format!("/workspaces/{}/datastudio?node={}", ws, n.id)>{n.name}</A>" "
                                        }).collect_view()}
                                    </span>
                                })}
                            }.into_any()
                        } else {
                            view! { <span class="badge result-denied">{i.text(k::bin_refused)}</span>" "<span class="event-message">{
                                let message = super::Worded::msg(worded.as_ref(), &r.message);
                                move || i.msg(&message)
                            }</span> }.into_any()
                        };
                        view! {
                            <tr>
                                <td data-label=i.text(k::bin_col_workspace_name)>{name}</td>
                                <td data-label=i.text(k::bin_col_result)>{result}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <button on:click=move |_| on_dismiss.run(())>{i.text(k::bin_dismiss)}</button>
        </section>
    }
}

#[component]
fn RecoverDialog(
    entry: BinEntry,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_recovered: Callback<RecoveryReport>,
) -> impl IntoView {
    let i = use_i18n();
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
        <Modal title=i.text(k::bin_recover_title) on_close>
            <p>{
                with_name(k::bin_recover_question, entry.name.clone(), false)
            }</p>
            <p>{i.text(k::bin_recover_comes_back)}</p>
            <p>{i.text(k::bin_not_back)}</p>
            {error_of(recover.value())}
            <ChangedNote changed/>
            <div class="dialog-buttons">
                <button class="primary" disabled=move || recover.pending().get() || gone() on:click=move |_| { recover.dispatch(()); }>{i.text(k::bin_ok)}</button>
                <button on:click=move |_| on_close.run(())>{i.text(k::bin_cancel)}</button>
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
    let i = use_i18n();
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
        <Modal title=i.text(k::bin_delete_permanently) on_close>
            <form on:submit=move |ev| {
                ev.prevent_default();
                if matches() && !gone() {
                    purge.dispatch(typed.get_untracked());
                }
            }>
                <p class="risk">{
                    with_name(k::bin_purge_risk, name.clone(), false)
                }</p>
                <label for="purge_name">{i.text(k::bin_confirm_name_label)}</label>
                <input id="purge_name" type="text" autocomplete="off" value=move || typed.get() prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev))/>
                <p class="hint">{
                    with_name(k::bin_type_name, name.clone(), true)
                }</p>
                {error_of(purge.value())}
                <ChangedNote changed/>
                <div class="dialog-buttons">
                    <button type="submit" class="danger" disabled=move || !ok_enabled() || purge.pending().get() || gone()>{i.text(k::bin_ok)}</button>
                    <button type="button" on:click=move |_| on_close.run(())>{i.text(k::bin_cancel)}</button>
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
    let i = use_i18n();
    let name = report.name.clone();
    let heading = report.name.clone();
    view! {
        <section class="report" role="region" aria-label=i.text(k::bin_recovery_report)>
            <h2>{move || i.fill(k::bin_recovery_report_of, &[("name", &heading)])}</h2>
            <div class="report-cols">
                <div>
                    <h3>{i.text(k::bin_restored)}</h3>
                    <CountsTable counts=report.restored/>
                </div>
                <div>
                    <h3>{i.text(k::bin_not_restored)}</h3>
                    <ul>{report.not_restored.into_iter().map(|s| {
                        // The report's own words (the API's), worded in the page's language.
                        let key = match s.as_str() {
                            "Scheduling tasks (auto triggered tasks)" => Some(k::bin_not_restored_tasks),
                            "Data integration tasks" => Some(k::bin_not_restored_di_tasks),
                            "Models and metrics" => Some(k::bin_not_restored_models),
                            _ => None,
                        };
                        view! { <li>{move || key.map_or_else(|| s.clone(), |key| i.t(key).to_owned())}</li> }
                    }).collect_view()}</ul>
                </div>
                <div>
                    <h3>{i.text(k::bin_nodes_to_publish)}</h3>
                    {if report.nodes_to_publish.is_empty() {
                        view! { <p>{i.text(k::bin_no_nodes_to_publish)}</p> }.into_any()
                    } else {
                        view! {
                            <p>{i.text(k::bin_publish_these)}</p>
                            <ul>
                                {report.nodes_to_publish.into_iter().map(|n| view! {
                                    <li><A href=format!("/workspaces/{}/datastudio?node={}", name, n.id)>{n.name}</A>" ("{n.product}", "{n.subtype}")"</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            </div>
            {on_dismiss.map(|on_dismiss| view! { <button on:click=move |_| on_dismiss.run(())>{i.text(k::bin_dismiss)}</button> })}
        </section>
    }
}
