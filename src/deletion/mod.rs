//! Deleting a workspace: pre-deletion checks, then one transaction that moves it to the Recycle Bin.
use crate::assets::AssetCount;
use crate::dependencies::DownstreamDependencies;
use crate::error::AppError;
use crate::operations::TaskRow;
use crate::workspaces::WorkspaceRow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

/// Everything the "Delete Workspace" dialog shows, read with the same queries the deletion uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeletionPreview {
    pub workspace: WorkspaceRow,
    pub pai_workspace: String,
    pub counts: Vec<AssetCount>,
    pub running_tasks: Vec<TaskRow>,
    pub frozen_tasks: i64,
    /// Nodes of other workspaces that depend on nodes of this one (SPEC §16).
    pub downstream_dependencies: DownstreamDependencies,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeletionOutcome {
    pub name: String,
    pub entry_id: i64,
    /// When it was deleted, by the server's clock: what "Undo" and "Recover" name the entry by.
    pub deleted_at: i64,
    pub purge_at: i64,
    /// Until when "Undo" recovers it (SPEC §17); the server refuses an Undo after this.
    pub undo_until: i64,
    pub moved: Vec<AssetCount>,
    pub tasks_frozen: u64,
    pub tasks_deleted: u64,
    pub tasks_orphaned: u64,
}

#[server(prefix = "/api", endpoint = "get_deletion_preview", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn get_deletion_preview(workspace: String) -> Result<DeletionPreview, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::Modify, |s, p| async move {
        service::preview(&s.pool, s.clock.now(), &p, &workspace).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "delete_workspace", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn delete_workspace(
    workspace: String,
    typed_name: String,
    freeze_tasks: bool,
) -> Result<DeletionOutcome, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::DeleteWorkspace,
        &workspace.clone(),
        |s, change| async move {
            service::delete(&s.pool, &change, &workspace, &typed_name, freeze_tasks).await
        },
    )
    .await
}
