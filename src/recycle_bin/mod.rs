//! The Recycle Bin: deleted workspaces kept for a fixed 14 days, recovered, or purged.
use crate::assets::{AssetCount, NodeSummary};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

pub const PAGE_SIZE: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct BinEntry {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub deleted_by: String,
    pub deleted_at: i64,
    pub purge_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BinPage {
    pub entries: Vec<BinEntry>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// The server's clock when this page was read, so countdowns follow the server's time.
    pub now: i64,
    /// The account's purge protection (SPEC §15a): while on, "Delete Permanently" is refused.
    pub purge_protection: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecoveryReport {
    pub name: String,
    pub restored: Vec<AssetCount>,
    pub not_restored: Vec<String>,
    pub nodes_to_publish: Vec<NodeSummary>,
}

#[server(prefix = "/api", endpoint = "list_recycle_bin", output = crate::codec::Json)]
pub async fn list_recycle_bin(page: i64) -> Result<BinPage, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::list(&s.pool, s.clock.now(), &p, page).await
    })
    .await
}

/// `deleted_at` names the exact deletion being recovered, so a stale page never acts on a later one.
#[server(prefix = "/api", endpoint = "recover_workspace", output = crate::codec::Json)]
pub async fn recover_workspace(entry_id: i64, deleted_at: i64) -> Result<RecoveryReport, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(Capability::Modify, Action::RecoverWorkspace, "", |s, p| async move {
        service::recover(&s.pool, s.clock.now(), &p, entry_id, deleted_at).await
    })
    .await
}

/// The root's "Purge protection" checkbox (SPEC §15a); anyone else is refused with a 403.
#[server(prefix = "/api", endpoint = "set_purge_protection", output = crate::codec::Json)]
pub async fn set_purge_protection(enabled: bool) -> Result<bool, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageAccount,
        Action::purge_protection(enabled),
        "",
        |s, p| async move { service::set_purge_protection(&s.pool, s.clock.now(), &p, enabled).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "purge_workspace", output = crate::codec::Json)]
pub async fn purge_workspace(
    entry_id: i64,
    deleted_at: i64,
    typed_name: String,
) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::PurgeWorkspace,
        "",
        |s, p| async move {
            service::purge(
                &s.pool,
                s.clock.now(),
                &p,
                entry_id,
                deleted_at,
                &typed_name,
            )
            .await
        },
    )
    .await
}
