//! The API's task operations: list, freeze, unfreeze.
use super::TaskList;
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::api::{ApiResult, Caller, IdempotencyKey, Refusals, TaskPath, change, may};
use crate::server::ctl::{Call, Method, Table, q};
use crate::server::input::{PathOf, QueryOf};
use axum::extract::{Extension, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TasksOf {
    /// Only this active workspace's tasks (a name of none answers 404); empty or absent: every
    /// task of the account, orphans included.
    #[param(max_length = 64, pattern = "^(?:[A-Za-z0-9][A-Za-z0-9_]{2,63})?$")]
    pub workspace: Option<String>,
}

/// List auto triggered tasks with their status and cost so far.
#[utoipa::path(get, path = "/tasks", tag = "Tasks", params(TasksOf),
    responses((status = 200, description = "The tasks", body = TaskList), Refusals))]
pub async fn list_tasks(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryOf(q): QueryOf<TasksOf>,
) -> ApiResult<TaskList> {
    may(&caller, Capability::View)?;
    let p = &caller.principal;
    let now = s.clock.now();
    let workspace_id = match q.workspace.as_deref().filter(|w| !w.is_empty()) {
        Some(name) => Some(
            crate::workspaces::service::find_active(&s.pool, p, name)
                .await?
                .id,
        ),
        None => None,
    };
    let mut conn = s.pool.acquire().await.map_err(AppError::from)?;
    let tasks =
        crate::operations::service::list(&mut conn, p.account_id, now, workspace_id).await?;
    Ok(Json(TaskList { tasks, now }))
}

/// The answer of a task action.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskStatus {
    pub id: i64,
    /// `Running` or `Frozen`.
    pub status: String,
}

/// Freeze a Running task (it stops billing).
#[utoipa::path(post, path = "/tasks/{id}/freeze", tag = "Tasks",
    params(TaskPath,
        IdempotencyKey),
    responses((status = 200, description = "The task is Frozen", body = TaskStatus), Refusals))]
pub async fn freeze_task(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(TaskPath { id }): PathOf<TaskPath>,
) -> ApiResult<TaskStatus> {
    change(
        &s,
        &caller,
        Capability::Modify,
        Action::FreezeTask,
        "",
        |s, change| async move { crate::operations::service::freeze(&s.pool, &change, id).await },
    )
    .await?;
    Ok(Json(TaskStatus {
        id,
        status: "Frozen".into(),
    }))
}

/// Unfreeze a Frozen task (it runs and bills again).
#[utoipa::path(post, path = "/tasks/{id}/unfreeze", tag = "Tasks",
    params(TaskPath,
        IdempotencyKey),
    responses((status = 200, description = "The task is Running", body = TaskStatus), Refusals))]
pub async fn unfreeze_task(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(TaskPath { id }): PathOf<TaskPath>,
) -> ApiResult<TaskStatus> {
    change(
        &s,
        &caller,
        Capability::Modify,
        Action::UnfreezeTask,
        "",
        |s, change| async move { crate::operations::service::unfreeze(&s.pool, &change, id).await },
    )
    .await?;
    Ok(Json(TaskStatus {
        id,
        status: "Running".into(),
    }))
}

/// Its routes under the API's prefix.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list_tasks))
        .route("/tasks/{id}/freeze", post(freeze_task))
        .route("/tasks/{id}/unfreeze", post(unfreeze_task))
}

/// Its part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_tasks, freeze_task, unfreeze_task))]
pub struct Doc;

// `ctl tasks …`.
#[derive(clap::Subcommand, Debug)]
pub enum Ctl {
    /// List tasks (of one workspace, or of the account).
    List {
        #[arg(long)]
        workspace: Option<String>,
    },
    /// Freeze a Running task.
    Freeze { id: i64 },
    /// Unfreeze a Frozen task.
    Unfreeze { id: i64 },
}

impl Ctl {
    /// The request the command makes, and how its answer is printed.
    pub fn call(&self) -> Call {
        match self {
            Ctl::List { workspace } => (
                Method::GET,
                match workspace {
                    Some(w) => format!("/tasks?workspace={}", q(w)),
                    None => "/tasks".into(),
                },
                None,
                Table::Rows(
                    "tasks",
                    &[
                        "id",
                        "name",
                        "workspace_name",
                        "status",
                        "schedule",
                        "cost_cents",
                    ],
                ),
            ),
            Ctl::Freeze { id } => (
                Method::POST,
                format!("/tasks/{id}/freeze"),
                None,
                Table::Fields(&["id", "status"]),
            ),
            Ctl::Unfreeze { id } => (
                Method::POST,
                format!("/tasks/{id}/unfreeze"),
                None,
                Table::Fields(&["id", "status"]),
            ),
        }
    }
}
