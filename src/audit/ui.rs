use super::{AuditFilter, Cursor, list_audit_events};
use crate::domain::audit::Action;
use crate::domain::text::query_value;
use crate::i18n::{Key, Worded, k, use_i18n};
use crate::ui::{ErrorNote, LocalTime};
use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

/// The address of the Audit Log showing `filter` from `cursor` (`path` is the page or the CSV).
fn address(path: &str, filter: &AuditFilter, cursor: Option<(&str, i64)>) -> String {
    let mut parts = Vec::new();
    for (key, value) in [
        ("action", &filter.action),
        ("user", &filter.user),
        ("workspace", &filter.workspace),
    ] {
        if !value.is_empty() {
            parts.push(format!("{key}={}", query_value(value)));
        }
    }
    if let Some((key, id)) = cursor {
        parts.push(format!("{key}={id}"));
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// An event's source ("Console", "API") or outcome ("Success", …) as the page words it: the
/// stored English when the tables have no word for it.
fn words(lang: crate::i18n::Lang, stored: &str, key: fn(&str) -> Option<Key>) -> String {
    key(stored).map_or_else(|| stored.to_owned(), |key| lang.text(key).to_owned())
}

/// "API" is the same in every language.
fn source_key(source: &str) -> Option<Key> {
    (source == "Console").then_some(k::audit_source_console)
}

fn outcome_key(outcome: &str) -> Option<Key> {
    match outcome {
        "Success" => Some(k::audit_outcome_success),
        "Denied" => Some(k::audit_outcome_denied),
        "Failed" => Some(k::audit_outcome_failed),
        _ => None,
    }
}

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| AuditFilter {
            action: q.get("action").unwrap_or_default(),
            user: q.get("user").unwrap_or_default(),
            workspace: q.get("workspace").unwrap_or_default(),
        })
    });
    let cursor = Memo::new(move |_| {
        query.with(|q| {
            let id = |key: &str| q.get(key).and_then(|v| v.parse::<i64>().ok());
            match (id("before"), id("after")) {
                (Some(before), _) => Cursor::Before(before),
                (None, Some(after)) => Cursor::After(after),
                _ => Cursor::Newest,
            }
        })
    });
    let events = crate::codec::resource(
        move || (filter.get(), cursor.get()),
        |(filter, cursor)| list_audit_events(filter, cursor),
    );
    let i = use_i18n();
    view! {
        <div class="page-head">
            <h1>{i.text(k::nav_audit_log)}</h1>
            <a class="button" href=move || address("/audit-log/export.csv", &filter.get(), None) download="audit-log.csv">{i.text(k::audit_download_csv)}</a>
        </div>
        <p class="lead">{i.text(k::audit_lead)}</p>
        <Form method="GET" action="/audit-log" attr:class="filters" attr:aria-label=i.text(k::audit_filter_label)>
            <label>
                {i.text(k::audit_action)}
                <select name="action">
                    <option value="" selected=move || filter.get().action.is_empty()>{i.text(k::audit_all_actions)}</option>
                    {Action::ALL.iter().map(|a| {
                        let name = a.as_str();
                        view! { <option value=name selected=move || filter.get().action == name>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                {i.text(k::audit_user)}
                <input name="user" type="text" placeholder=i.text(k::audit_user_placeholder) value=move || filter.get().user prop:value=move || filter.get().user/>
            </label>
            <label>
                {i.text(k::audit_workspace)}
                <input name="workspace" type="text" placeholder=i.text(k::audit_workspace_placeholder) value=move || filter.get().workspace prop:value=move || filter.get().workspace/>
            </label>
            <button type="submit" class="primary">{i.text(k::audit_filter)}</button>
            <A href="/audit-log" attr:class="button">{i.text(k::audit_clear_filters)}</A>
        </Form>
        <Transition fallback=move || view! { <p class="loading">{i.text(k::audit_loading)}</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(super::AuditAnswer { page, worded }) => {
                        let f = filter.get_untracked();
                        let newer = page.newer.map(|id| address("/audit-log", &f, Some(("after", id))));
                        let older = page.older.map(|id| address("/audit-log", &f, Some(("before", id))));
                        let empty = page.events.is_empty();
                        view! {
                            <table class="grid">
                                <thead>
                                    <tr>
                                        <th scope="col">{i.text(k::audit_time)}</th>
                                        <th scope="col">{i.text(k::audit_user)}</th>
                                        <th scope="col">{i.text(k::audit_action)}</th>
                                        <th scope="col">{i.text(k::audit_workspace)}</th>
                                        <th scope="col">{i.text(k::audit_source)}</th>
                                        <th scope="col">{i.text(k::audit_result)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.events.into_iter().zip(worded.into_iter().chain(std::iter::repeat(None))).map(|(e, worded)| {
                                        let result_class = format!("badge result-{}", e.result.to_lowercase());
                                        let (source, result) = (e.source.clone(), e.result.clone());
                                        let source = move || words(i.lang(), &source, source_key);
                                        let result = move || words(i.lang(), &result, outcome_key);
                                        view! {
                                            <tr>
                                                <td data-label=i.text(k::audit_time)><LocalTime ts=e.at/></td>
                                                <td data-label=i.text(k::audit_user)>{e.user_name}</td>
                                                <td data-label=i.text(k::audit_action)>{e.action}</td>
                                                <td data-label=i.text(k::audit_workspace)>{e.workspace}</td>
                                                <td data-label=i.text(k::audit_source)>{source}<span class="muted">{(!e.client_ip.is_empty()).then(|| format!(" · {}", e.client_ip))}</span></td>
                                                <td data-label=i.text(k::audit_result)>
                                                    <span class=result_class>{result}</span>
                                                    // The event's message in the reader's language; one recorded before the
                                                    // console spoke two languages is in English, marked so for screen readers.
                                                    {(!e.message.is_empty()).then(|| {
                                                        let lang = worded.is_none().then_some("en");
                                                        let message = Worded::msg(worded.as_ref(), &e.message);
                                                        view! { <span class="event-message" lang=lang>{move || i.msg(&message)}</span> }
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {empty.then(|| view! { <p class="empty">{i.text(k::audit_empty)}</p> })}
                            <nav class="pager" aria-label=i.text(k::pager_label)>
                                {match newer {
                                    Some(href) => view! { <A href=href attr:class="button">{i.text(k::pager_previous)}</A> }.into_any(),
                                    None => view! { <button disabled=true>{i.text(k::pager_previous)}</button> }.into_any(),
                                }}
                                {match older {
                                    Some(href) => view! { <A href=href attr:class="button">{i.text(k::pager_next)}</A> }.into_any(),
                                    None => view! { <button disabled=true>{i.text(k::pager_next)}</button> }.into_any(),
                                }}
                            </nav>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorNote error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
