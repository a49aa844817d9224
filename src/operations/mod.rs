//! Operation Center: auto triggered tasks, their status and what they cost so far.
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskRow {
    pub id: i64,
    pub name: String,
    pub workspace_name: String,
    /// The workspace was deleted while this task was Running: it bills on until frozen or deleted.
    pub orphaned: bool,
    pub status: String,
    pub schedule: String,
    pub cost_cents: i64,
}

impl TaskRow {
    /// Running, whether it runs or waits for an upstream ("Waiting for upstream" is a Running
    /// task held back): it can be frozen, and it bills unless it waits.
    pub fn is_running(&self) -> bool {
        self.status != "Frozen"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskList {
    pub tasks: Vec<TaskRow>,
    pub now: i64,
}

/// Tasks of one workspace, or (workspace = None) of the whole account, orphans included.
#[server(prefix = "/api", endpoint = "list_tasks", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_tasks(workspace: Option<String>) -> Result<TaskList, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        let now = s.clock.now();
        let workspace_id = match workspace.as_deref() {
            Some(name) => Some(
                crate::workspaces::service::find_active(&s.pool, &p, name)
                    .await?
                    .id,
            ),
            None => None,
        };
        let tasks = service::list(
            &mut *s.pool.acquire().await?,
            p.account_id,
            now,
            workspace_id,
        )
        .await?;
        Ok(TaskList { tasks, now })
    })
    .await
}

#[server(prefix = "/api", endpoint = "freeze_task", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn freeze_task(task_id: i64) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::FreezeTask,
        "",
        |s, change| async move { service::freeze(&s.pool, &change, task_id).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "unfreeze_task", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn unfreeze_task(task_id: i64) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::UnfreezeTask,
        "",
        |s, change| async move { service::unfreeze(&s.pool, &change, task_id).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "delete_task", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn delete_task(task_id: i64) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::DeleteTask,
        "",
        |s, change| async move { service::delete(&s.pool, &change, task_id).await },
    )
    .await
}
