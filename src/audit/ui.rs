use super::{AuditFilter, Cursor, list_audit_events};
use crate::domain::audit::Action;
use crate::domain::text::query_value;
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
    view! {
        <div class="page-head">
            <h1>"Audit Log"</h1>
            <a class="button" href=move || address("/audit-log/export.csv", &filter.get(), None) download="audit-log.csv">"Download CSV"</a>
        </div>
        <p class="lead">
            "Every change to this account's workspaces, tasks, nodes and users, and every refused attempt, in the console or through the API, newest first. Events are kept for 180 days."
        </p>
        <Form method="GET" action="/audit-log" attr:class="filters" attr:aria-label="Filter events">
            <label>
                "Action"
                <select name="action">
                    <option value="" selected=move || filter.get().action.is_empty()>"All actions"</option>
                    {Action::ALL.iter().map(|a| {
                        let name = a.as_str();
                        view! { <option value=name selected=move || filter.get().action == name>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "User"
                <input name="user" type="text" placeholder="e.g. alice@acme" value=move || filter.get().user prop:value=move || filter.get().user/>
            </label>
            <label>
                "Workspace"
                <input name="workspace" type="text" placeholder="e.g. sales_dw" value=move || filter.get().workspace prop:value=move || filter.get().workspace/>
            </label>
            <button type="submit" class="primary">"Filter"</button>
            <A href="/audit-log" attr:class="button">"Clear Filters"</A>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading the Audit Log…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) => {
                        let f = filter.get_untracked();
                        let newer = page.newer.map(|id| address("/audit-log", &f, Some(("after", id))));
                        let older = page.older.map(|id| address("/audit-log", &f, Some(("before", id))));
                        let empty = page.events.is_empty();
                        view! {
                            <table class="grid">
                                <thead>
                                    <tr>
                                        <th scope="col">"Time"</th>
                                        <th scope="col">"User"</th>
                                        <th scope="col">"Action"</th>
                                        <th scope="col">"Workspace"</th>
                                        <th scope="col">"Source"</th>
                                        <th scope="col">"Result"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {page.events.into_iter().map(|e| {
                                        let result_class = format!("badge result-{}", e.result.to_lowercase());
                                        view! {
                                            <tr>
                                                <td data-label="Time"><LocalTime ts=e.at/></td>
                                                <td data-label="User">{e.user_name}</td>
                                                <td data-label="Action">{e.action}</td>
                                                <td data-label="Workspace">{e.workspace}</td>
                                                <td data-label="Source">{e.source}<span class="muted">{(!e.client_ip.is_empty()).then(|| format!(" · {}", e.client_ip))}</span></td>
                                                <td data-label="Result">
                                                    <span class=result_class>{e.result}</span>
                                                    {(!e.message.is_empty()).then(|| view! { <span class="event-message">{e.message}</span> })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {empty.then(|| view! { <p class="empty">"No events match these filters."</p> })}
                            <nav class="pager" aria-label="Pagination">
                                {match newer {
                                    Some(href) => view! { <A href=href attr:class="button">"Previous page"</A> }.into_any(),
                                    None => view! { <button disabled=true>"Previous page"</button> }.into_any(),
                                }}
                                {match older {
                                    Some(href) => view! { <A href=href attr:class="button">"Next page"</A> }.into_any(),
                                    None => view! { <button disabled=true>"Next page"</button> }.into_any(),
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
