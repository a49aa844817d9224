use super::{TaskRow, delete_task, freeze_task, list_tasks, unfreeze_task};
use crate::domain::Viewer;
use crate::domain::billing::format_cents;
use crate::domain::dependencies::WAITING_FOR_UPSTREAM;
use crate::error::AppError;
use crate::ui::WorkspaceNav;
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
    view! {
        {move || workspace.get().map(|name| view! { <WorkspaceNav name/> })}
        <div class="page-head">
            <h1>"Operation Center"</h1>
        </div>
        <p class="lead">
            {move || match workspace.get() {
                Some(name) => format!("Auto triggered tasks of workspace {name}. A Running task bills for every scheduled run; a Frozen task accrues nothing."),
                None => "Auto triggered tasks of every workspace in your account, including tasks left Running by a deleted workspace: they keep billing until you freeze or delete them.".to_owned(),
            }}
        </p>
        {(!can_modify).then(|| view! { <p><RequiresFullAccess/>" to freeze, unfreeze or delete tasks."</p> })}
        {error_of(act.value())}
        <Transition fallback=|| view! { <p class="loading">"Loading tasks…"</p> }>
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
                        view! { <p class="summary">{format!("{} tasks, {running} Running. Total cost so far: {}.", list.len(), format_cents(total))}</p> }
                    }}
                    <table class="grid">
                        <thead>
                            <tr>
                                <th scope="col">"Task Name"</th>
                                <th scope="col">"Workspace"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Schedule"</th>
                                <th scope="col">"Cost So Far"</th>
                                <th scope="col">"Actions"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=listed key=|task| task.clone() let:task>
                                <TaskTableRow task can_modify act confirm_delete/>
                            </For>
                        </tbody>
                    </table>
                    {move || listed().is_empty().then(|| view! { <p class="empty">"No auto triggered tasks. Publishing a node in DataStudio creates one."</p> })}
                }
            })}
        </Transition>
        {move || confirm_delete.get().map(|task| view! {
            <Modal title="Delete Task" on_close=move || confirm_delete.set(None)>
                <p>"Delete auto triggered task " <strong>{task.name.clone()}</strong> "? It stops running and billing. Its node, if any, must be published again to schedule it."</p>
                <div class="dialog-buttons">
                    <button class="danger" on:click=move |_| { act.dispatch((task.id, TaskAction::Delete)); confirm_delete.set(None); }>"OK"</button>
                    <button on:click=move |_| confirm_delete.set(None)>"Cancel"</button>
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
    view! {
        <tr class:orphan=task.orphaned>
            <td data-label="Task Name">{task.name.clone()}</td>
            <td data-label="Workspace">
                {task.workspace_name.clone()}
                {task.orphaned.then(|| view! { <span class="badge expired">"deleted"</span> })}
            </td>
            <td data-label="Status"><span class=if waiting { "badge waiting" } else if running { "badge running" } else { "badge frozen" }>{task.status.clone()}</span></td>
            <td data-label="Schedule">{task.schedule.clone()}</td>
            <td data-label="Cost So Far" class="num">{format_cents(task.cost_cents)}</td>
            <td data-label="Actions"><div class="actions">
                {if running {
                    view! { <button disabled=!can_modify on:click=move |_| { act.dispatch((id, TaskAction::Freeze)); }>"Freeze"</button> }.into_any()
                } else {
                    view! { <button disabled=!can_modify || task.orphaned on:click=move |_| { act.dispatch((id, TaskAction::Unfreeze)); }>"Unfreeze"</button> }.into_any()
                }}
                <button class="danger-outline" disabled=!can_modify on:click=move |_| confirm_delete.set(Some(doomed.clone()))>"Delete"</button>
            </div></td>
        </tr>
    }
}
