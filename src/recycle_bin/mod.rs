//! The Recycle Bin: deleted workspaces kept for a fixed 14 days, recovered, or purged.
use crate::assets::{Asset, AssetCount, AssetKind, NodeDetail, NodeSummary};
use crate::dependencies::DownstreamDependencies;
use crate::error::AppError;
use crate::operations::TaskRow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod api;
pub mod entry_ui;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

pub const PAGE_SIZE: i64 = 10;
/// Rows per page of a bin entry's lists of assets (SPEC §18).
pub const ASSETS_PAGE_SIZE: i64 = 20;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, miniserde::Deserialize)]
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

/// One Recycle Bin entry looked into (SPEC §18), read-only: what `/recycle-bin/<id>` shows first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BinEntryDetail {
    pub entry: BinEntry,
    pub description: String,
    pub data_modeling: bool,
    /// The server's clock when this was read, so the countdown follows the server's time.
    pub now: i64,
    /// The account's purge protection (SPEC §15a): while on, "Delete Permanently" is refused.
    pub purge_protection: bool,
    /// The core assets it holds, DataWorks and PAI: what Recover brings back.
    pub counts: Vec<AssetCount>,
    /// What was deleted with it and does not come back (data integration tasks, models,
    /// metrics); none for an entry deleted before the console kept these counts.
    pub deleted_with_it: Option<Vec<AssetCount>>,
    /// Its orphaned auto triggered tasks that are still Running, with their cost so far.
    pub still_billing: Vec<TaskRow>,
    /// Nodes of other workspaces that depend on its nodes (SPEC §16).
    pub downstream_dependencies: DownstreamDependencies,
    /// The first page of each list: data sources, computing resources, resources, nodes.
    pub lists: Vec<BinAssets>,
}

/// One page of one asset type of a bin entry, in the order they were created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BinAssets {
    pub kind: AssetKind,
    pub assets: Vec<Asset>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

/// The lists of a bin entry's page, in the order it shows them.
pub const ENTRY_LISTS: [AssetKind; 4] = [
    AssetKind::DataSource,
    AssetKind::Compute,
    AssetKind::Resource,
    AssetKind::Node,
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecoveryReport {
    pub name: String,
    pub restored: Vec<AssetCount>,
    pub not_restored: Vec<String>,
    pub nodes_to_publish: Vec<NodeSummary>,
}

#[server(prefix = "/api", endpoint = "list_recycle_bin", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_recycle_bin(page: i64) -> Result<BinPage, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::list(&s.pool, s.clock.now(), &p, page).await
    })
    .await
}

/// One Recycle Bin entry, read-only (SPEC §18); another account's id answers as a missing one.
#[server(prefix = "/api", endpoint = "get_bin_entry", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn get_bin_entry(entry_id: i64) -> Result<BinEntryDetail, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::detail(&s.pool, s.clock.now(), &p, entry_id).await
    })
    .await
}

/// Another page of one of a bin entry's lists (`kind`: data_source, compute, resource or node).
#[server(prefix = "/api", endpoint = "list_bin_assets", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_bin_assets(
    entry_id: i64,
    kind: String,
    page: i64,
) -> Result<BinAssets, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::assets_page(&s.pool, &p, entry_id, &kind, page).await
    })
    .await
}

/// A node of a bin entry with its code and committed versions, read-only.
#[server(prefix = "/api", endpoint = "get_bin_node", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn get_bin_node(entry_id: i64, node_id: i64) -> Result<NodeDetail, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::node(&s.pool, &p, entry_id, node_id).await
    })
    .await
}

/// `deleted_at` names the exact deletion being recovered, so a stale page never acts on a later one.
#[server(prefix = "/api", endpoint = "recover_workspace", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn recover_workspace(entry_id: i64, deleted_at: i64) -> Result<RecoveryReport, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::RecoverWorkspace,
        "",
        |s, change| async move { service::recover(&s.pool, &change, entry_id, deleted_at).await },
    )
    .await
}

/// "Undo" in the status message right after a delete (SPEC §17): a Recover of the entry just made,
/// refused with a 409 once 30 seconds have passed by the server's clock.
#[server(prefix = "/api", endpoint = "undo_delete", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn undo_delete(entry_id: i64, deleted_at: i64) -> Result<RecoveryReport, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::RecoverWorkspace,
        "",
        |s, change| async move { service::undo(&s.pool, &change, entry_id, deleted_at).await },
    )
    .await
}

/// The root's "Purge protection" checkbox (SPEC §15a); anyone else is refused with a 403.
#[server(prefix = "/api", endpoint = "set_purge_protection", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn set_purge_protection(enabled: bool) -> Result<bool, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageAccount,
        Action::purge_protection(enabled),
        "",
        |s, change| async move { service::set_purge_protection(&s.pool, &change, enabled).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "purge_workspace", input = crate::codec::Form, output = crate::codec::Json)]
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
        |s, change| async move {
            service::purge(&s.pool, &change, entry_id, deleted_at, &typed_name).await
        },
    )
    .await
}
