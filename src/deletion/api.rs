//! The API's deletion operations: a workspace with what deleting it would do, and the delete.
use super::{DeletionOutcome, DeletionPreview};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::server::AppState;
use crate::server::api::{ApiResult, Caller, IdempotencyKey, Refusals, WorkspacePath, change, may};
use crate::server::ctl::{Call, Method, Table, q};
use crate::server::input::{PathOf, QueryOf};
use axum::extract::{Extension, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};

/// A workspace with what deleting it would do: its PAI workspace, asset counts, Running tasks.
#[utoipa::path(get, path = "/workspaces/{name}", tag = "Workspaces",
    params(WorkspacePath),
    responses((status = 200, description = "The workspace and its pre-deletion data", body = DeletionPreview), Refusals))]
pub async fn get_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(WorkspacePath { name }): PathOf<WorkspacePath>,
) -> ApiResult<DeletionPreview> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::deletion::service::preview(&s.pool, s.clock.now(), &caller.principal, &name).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteWorkspace {
    /// The workspace name again, exactly, in its letter case (the typed confirmation): one that
    /// does not match answers 422.
    #[param(min_length = 1)]
    pub confirm_name: String,
    /// Freeze its Running tasks first (then they are deleted with it); otherwise they stay
    /// Running as orphans and keep billing.
    #[serde(default)]
    pub freeze_tasks: bool,
}

/// Delete a workspace: it moves to the Recycle Bin for 14 days.
#[utoipa::path(delete, path = "/workspaces/{name}", tag = "Workspaces",
    params(WorkspacePath, DeleteWorkspace,
        IdempotencyKey),
    responses((status = 200, description = "The Recycle Bin entry and when it will be permanently deleted", body = DeletionOutcome), Refusals))]
pub async fn delete_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(WorkspacePath { name }): PathOf<WorkspacePath>,
    QueryOf(q): QueryOf<DeleteWorkspace>,
) -> ApiResult<DeletionOutcome> {
    let named = name.clone();
    let outcome = change(
        &s,
        &caller,
        Capability::Modify,
        Action::DeleteWorkspace,
        &named,
        |s, change| async move {
            crate::deletion::service::delete(
                &s.pool,
                &change,
                &name,
                &q.confirm_name,
                q.freeze_tasks,
            )
            .await
        },
    )
    .await?;
    Ok(Json(outcome))
}

/// Its routes under the API's prefix.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/workspaces/{name}",
        get(get_workspace).delete(delete_workspace),
    )
}

/// Its part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(get_workspace, delete_workspace))]
pub struct Doc;

// `ctl workspaces get` and `delete`, beside the workspace feature's commands (`display_order`
// keeps the help's order).
#[derive(clap::Subcommand, Debug)]
pub enum Ctl {
    /// Show a workspace and what deleting it would do.
    #[command(display_order = 2)]
    Get { name: String },
    /// Move a workspace to the Recycle Bin (14 days).
    #[command(display_order = 3)]
    Delete {
        name: String,
        /// The name again, exactly.
        #[arg(long)]
        confirm: String,
        /// Freeze its Running tasks first (they are then deleted with it).
        #[arg(long)]
        freeze_tasks: bool,
    },
}

impl Ctl {
    /// The request the command makes, and how its answer is printed.
    pub fn call(&self) -> Call {
        match self {
            Ctl::Get { name } => (
                Method::GET,
                format!("/workspaces/{}", q(name)),
                None,
                Table::Fields(&[
                    "workspace",
                    "pai_workspace",
                    "counts",
                    "running_tasks",
                    "frozen_tasks",
                ]),
            ),
            Ctl::Delete {
                name,
                confirm,
                freeze_tasks,
            } => (
                Method::DELETE,
                format!(
                    "/workspaces/{}?confirm_name={}&freeze_tasks={freeze_tasks}",
                    q(name),
                    q(confirm)
                ),
                None,
                Table::Fields(&[
                    "name",
                    "entry_id",
                    "purge_at",
                    "tasks_frozen",
                    "tasks_deleted",
                    "tasks_orphaned",
                ]),
            ),
        }
    }
}
