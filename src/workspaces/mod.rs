//! The Workspaces page: list, search, paginate, create.
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;

pub const PAGE_SIZE: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct WorkspaceRow {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub description: String,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::store::Flag"))]
    pub data_modeling: bool,
    /// While on, the workspace cannot be deleted (SPEC §15).
    #[cfg_attr(feature = "ssr", sqlx(try_from = "crate::store::Flag"))]
    pub deletion_protection: bool,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspacePage {
    pub rows: Vec<WorkspaceRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

#[server(prefix = "/api", endpoint = "list_workspaces", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_workspaces(query: String, page: i64) -> Result<WorkspacePage, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::list(&s.pool, &p, &query, page).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "create_workspace", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn create_workspace(
    name: String,
    display_name: String,
    description: String,
    data_modeling: bool,
    #[server(default)] deletion_protection: bool,
) -> Result<WorkspaceRow, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::CreateWorkspace,
        &name.clone(),
        |s, change| async move {
            let input = service::NewWorkspace {
                name,
                display_name,
                description,
                data_modeling,
                deletion_protection,
            };
            service::create(&s.pool, &change, input).await
        },
    )
    .await
}

/// "Enable Deletion Protection" / "Disable Deletion Protection" (root and FullAccess).
#[server(prefix = "/api", endpoint = "set_deletion_protection", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn set_deletion_protection(
    workspace: String,
    enabled: bool,
) -> Result<WorkspaceRow, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::deletion_protection(enabled),
        &workspace.clone(),
        |s, change| async move {
            service::set_deletion_protection(&s.pool, &change, &workspace, enabled).await
        },
    )
    .await
}
