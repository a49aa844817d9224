use super::{TaskRow, delete_task, freeze_task, list_tasks, unfreeze_task};
use crate::domain::Viewer;
use crate::domain::billing::format_cents;
use crate::domain::dependencies::WAITING_FOR_UPSTREAM;
use crate::error::AppError;
use crate::i18n::{Key, Lang, k, use_i18n};
use crate::ui::WorkspaceNav;
use crate::ui::sentence;
use crate::ui::{ErrorNote, Modal, RequiresFullAccess, error_of};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[derive(Clone, Copy, PartialEq)]
enum TaskAction {
    Freeze,
    Unfreeze,
    Delete,
}

/// The account-wide Operation Center (/operation-center) or one workspace's (/workspaces/<name>/operation-center).
#[component]
pub fn OperationCenterPage() -> impl IntoView {
    let viewer = expect_context::<Viewer>();
    let can_modify = viewer.can_modify;
    let params = use_params_map();
    let workspace = Memo::new(move |_| params.read().get("name"));
    let version = RwSignal::new(0u32);
    let live = crate::live::ui::live_version(crate::live::LiveChange::changes_tasks);
    let tasks = crate::codec::resource(
        move || (workspace.get(), version.get(), live.get()),
        |(w, _, _)| list_tasks(w),
    );
    let act = Action::new(|(id, action): &(i64, TaskAction)| {
        let (id, action) = (*id, *action);
        async move {
            match action {
                TaskAction::Freeze => freeze_task(id).await,
                TaskAction::Unfreeze => unfreeze_task(id).await,
                TaskAction::Delete => delete_task(id).await,
            }
        }
    });
    let confirm_delete = RwSignal::new(None::<TaskRow>);
    let shown = crate::codec::Answers::<super::TaskList>::new();
    let listed = move || shown.with_ok(|s| s.tasks.clone()).unwrap_or_default();
    Effect::new(move |_| {
        if act.value().get().is_some() {
            version.update(|v| *v += 1);
        }
    });
    let i = use_i18n();
    view! {
        {move || workspace.get().map(|name| view! { <WorkspaceNav name/> })}
        <div class="page-head">
            <h1>{i.text(k::nav_operation_center)}</h1>
        </div>
        <p class="lead">
            {move || match workspace.get() {
                Some(name) => i.fill(k::ops_lead_workspace, &[("name", &name)]),
                None => i.t(k::ops_lead_all).to_owned(),
            }}
        </p>
        {(!can_modify).then(|| view! { <p><RequiresFullAccess/>{i.text(k::ops_requires_full_access_to)}</p> })}
        {error_of(act.value())}
        <Transition fallback=move || view! { <p class="loading">{i.text(k::ops_loading)}</p> }>
            // Built once; the rows are keyed, so a live update re-renders only the tasks that
            // changed (see `codec::follow`).
            {Suspend::new(async move {
                shown.follow(tasks).await;
                view! {
                    {move || shown.error().map(|error| view! { <ErrorNote error/> })}
                    {move || {
                        let list = listed();
                        let running = list.iter().filter(|t| t.is_running()).count();
                        let total: i64 = list.iter().map(|t| t.cost_cents).sum();
                        view! { <p class="summary">{i.fill(k::ops_summary, &[("count", &list.len()), ("running", &running), ("total", &format_cents(total))])}</p> }
                    }}
                    <table class="grid">
                        <thead>
                            <tr>
                                <th scope="col">{i.text(k::ops_col_task_name)}</th>
                                <th scope="col">{i.text(k::ops_col_workspace)}</th>
                                <th scope="col">{i.text(k::ops_col_status)}</th>
                                <th scope="col">{i.text(k::ops_col_schedule)}</th>
                                <th scope="col">{i.text(k::ops_col_cost)}</th>
                                <th scope="col">{i.text(k::ops_col_actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=listed key=|task| task.clone() let:task>
                                <TaskTableRow task can_modify act confirm_delete/>
                            </For>
                        </tbody>
                    </table>
                    {move || listed().is_empty().then(|| view! { <p class="empty">{i.text(k::ops_empty)}</p> })}
                }
            })}
        </Transition>
        {move || confirm_delete.get().map(|task| view! {
            <Modal title=i.text(k::ops_delete_title) on_close=move || confirm_delete.set(None)>
                <p>{
                    let name = task.name.clone();
                    sentence(k::ops_delete_text, move |_| view! { <strong>{name.clone()}</strong> }.into_any())
                }</p>
                <div class="dialog-buttons">
                    <button class="danger" on:click=move |_| { act.dispatch((task.id, TaskAction::Delete)); confirm_delete.set(None); }>{i.text(k::ops_ok)}</button>
                    <button on:click=move |_| confirm_delete.set(None)>{i.text(k::ops_cancel)}</button>
                </div>
            </Modal>
        })}
    }
}

#[component]
fn TaskTableRow(
    task: TaskRow,
    can_modify: bool,
    act: Action<(i64, TaskAction), Result<(), AppError>>,
    confirm_delete: RwSignal<Option<TaskRow>>,
) -> impl IntoView {
    let id = task.id;
    let running = task.is_running();
    let waiting = task.status == WAITING_FOR_UPSTREAM;
    let doomed = task.clone();
    let i = use_i18n();
    let (status, schedule) = (task.status.clone(), task.schedule.clone());
    let status = move || status_words(i.lang(), &status);
    let schedule = move || schedule_words(i.lang(), &schedule);
    view! {
        <tr class:orphan=task.orphaned>
            <td data-label=i.text(k::ops_col_task_name)>{task.name.clone()}</td>
            <td data-label=i.text(k::ops_col_workspace)>
                {task.workspace_name.clone()}
                {task.orphaned.then(|| view! { <span class="badge expired">{i.text(k::ops_deleted_badge)}</span> })}
            </td>
            <td data-label=i.text(k::ops_col_status)><span class=if waiting { "badge waiting" } else if running { "badge running" } else { "badge frozen" }>{status}</span></td>
            <td data-label=i.text(k::ops_col_schedule)>{schedule}</td>
            <td data-label=i.text(k::ops_col_cost) class="num">{format_cents(task.cost_cents)}</td>
            <td data-label=i.text(k::ops_col_actions)><div class="actions">
                {if running {
                    view! { <button disabled=!can_modify on:click=move |_| { act.dispatch((id, TaskAction::Freeze)); }>{i.text(k::ops_freeze)}</button> }.into_any()
                } else {
                    view! { <button disabled=!can_modify || task.orphaned on:click=move |_| { act.dispatch((id, TaskAction::Unfreeze)); }>{i.text(k::ops_unfreeze)}</button> }.into_any()
                }}
                <button class="danger-outline" disabled=!can_modify on:click=move |_| confirm_delete.set(Some(doomed.clone()))>{i.text(k::ops_delete)}</button>
            </div></td>
        </tr>
    }
}

/// A task's status as the page words it; the API's English when the tables have no word for it.
pub(crate) fn status_words(lang: Lang, status: &str) -> String {
    let key = match status {
        "Running" => k::ops_status_running,
        "Frozen" => k::ops_status_frozen,
        WAITING_FOR_UPSTREAM => k::ops_status_waiting,
        other => return other.to_owned(),
    };
    lang.text(key).to_owned()
}

/// A task's schedule ("Hourly, $0.50 per run", as `billing::describe_schedule` words it for the
/// API) in `lang`; as it is when it is not in that shape.
pub(crate) fn schedule_words(lang: Lang, schedule: &str) -> String {
    let words = || {
        let (every, price) = schedule.strip_suffix(" per run")?.split_once(", ")?;
        let every = match every {
            "Hourly" => lang.text(k::ops_hourly).to_owned(),
            "Daily" => lang.text(k::ops_daily).to_owned(),
            other => {
                let (n, key): (&str, Key) = if let Some(rest) = other.strip_prefix("Every ") {
                    if let Some(n) = rest.strip_suffix(" hours") {
                        (n, k::ops_every_hours)
                    } else {
                        (rest.strip_suffix(" minutes")?, k::ops_every_minutes)
                    }
                } else {
                    return None;
                };
                lang.fill(key, &[("n", &n.parse::<i64>().ok()?)])
            }
        };
        Some(lang.fill(k::ops_schedule, &[("every", &every), ("price", &price)]))
    };
    words().unwrap_or_else(|| schedule.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::billing::describe_schedule;

    #[test]
    fn schedules_and_statuses_read_in_each_language() {
        for (interval, price) in [(3_600, 50), (86_400, 1_250), (7_200, 5), (900, 0)] {
            let english = describe_schedule(interval, price);
            assert_eq!(schedule_words(Lang::En, &english), english);
        }
        assert_eq!(
            schedule_words(Lang::ZhCn, &describe_schedule(3_600, 50)),
            "每小时，每次运行 $0.50"
        );
        assert_eq!(
            schedule_words(Lang::ZhCn, &describe_schedule(900, 50)),
            "每 15 分钟，每次运行 $0.50"
        );
        assert_eq!(schedule_words(Lang::ZhCn, "odd"), "odd");
        assert_eq!(status_words(Lang::ZhCn, WAITING_FOR_UPSTREAM), "等待上游");
        assert_eq!(status_words(Lang::En, "Frozen"), "Frozen");
    }
}
