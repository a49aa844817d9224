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

/// Entries per page of the Recycle Bin (SPEC §21).
pub const PAGE_SIZE: i64 = 20;
/// At most this many entries in one bulk Recover or Delete Permanently (SPEC §22).
pub const BULK_MAX: usize = 100;
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

/// The order of the Recycle Bin's entries (SPEC §21): by name or by deletion time, either way;
/// equal values fall back to the entry id, so pages are stable. Newest deletion first by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BinSort {
    Name,
    NameDesc,
    DeletedAt,
    #[default]
    DeletedAtDesc,
}

impl BinSort {
    pub const ALL: [BinSort; 4] = [
        BinSort::Name,
        BinSort::NameDesc,
        BinSort::DeletedAt,
        BinSort::DeletedAtDesc,
    ];

    /// As the address and the API spell it: `name`, `-name`, `deleted_at`, `-deleted_at`.
    pub fn as_str(self) -> &'static str {
        match self {
            BinSort::Name => "name",
            BinSort::NameDesc => "-name",
            BinSort::DeletedAt => "deleted_at",
            BinSort::DeletedAtDesc => "-deleted_at",
        }
    }

    /// The sort a spelling names; the empty text is the default.
    pub fn parse(text: &str) -> Option<BinSort> {
        if text.is_empty() {
            return Some(BinSort::default());
        }
        BinSort::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The refusal of a spelling that names no sort.
    pub fn unknown(text: &str) -> AppError {
        AppError::BadRequest(
            crate::i18n::Msg::new(crate::i18n::k::error_bin_unknown_sort)
                .with("sort", crate::domain::text::echo(text)),
        )
    }

    /// Whether it sorts by name (else by deletion time), and whether descending.
    pub fn by_name(self) -> bool {
        matches!(self, BinSort::Name | BinSort::NameDesc)
    }

    pub fn descending(self) -> bool {
        matches!(self, BinSort::NameDesc | BinSort::DeletedAtDesc)
    }

    /// What a click on a column's sort button asks for: that column ascending, or descending
    /// when it is already sorted ascending by it (deletion time starts newest first).
    pub fn toggled(self, by_name: bool) -> BinSort {
        match (by_name, self) {
            (true, BinSort::Name) => BinSort::NameDesc,
            (true, _) => BinSort::Name,
            (false, BinSort::DeletedAtDesc) => BinSort::DeletedAt,
            (false, _) => BinSort::DeletedAtDesc,
        }
    }
}

/// What the Recycle Bin shows (SPEC §21): its address's `q`, `deleted_by`, `sort` and `page`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BinFilter {
    pub query: String,
    pub deleted_by: String,
    pub sort: BinSort,
    pub page: i64,
}

impl BinFilter {
    /// Its address: `/recycle-bin`, with only the parameters that differ from the default.
    pub fn address(&self) -> String {
        use crate::domain::text::query_value;
        let mut parts = Vec::new();
        if !self.query.is_empty() {
            parts.push(format!("q={}", query_value(&self.query)));
        }
        if !self.deleted_by.is_empty() {
            parts.push(format!("deleted_by={}", query_value(&self.deleted_by)));
        }
        if self.sort != BinSort::default() {
            parts.push(format!("sort={}", query_value(self.sort.as_str())));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/recycle-bin".into()
        } else {
            format!("/recycle-bin?{}", parts.join("&"))
        }
    }

    /// Whether a search or a filter narrows the list.
    pub fn narrowed(&self) -> bool {
        !self.query.trim().is_empty() || !self.deleted_by.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BinPage {
    pub entries: Vec<BinEntry>,
    /// How many entries match the search and filter (all pages).
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// Everyone who deleted an entry now in this account's Recycle Bin, by sign-in name: the
    /// "Deleted by" filter's choices.
    pub deleted_by_choices: Vec<String>,
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

/// One entry of a bulk action as the console saw it: the deletion it acts on (a stale page never
/// acts on a later deletion of the same workspace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct BinTarget {
    pub id: i64,
    pub deleted_at: i64,
}

/// One entry's result in a bulk Recover or Delete Permanently (SPEC §22): `status` as the single
/// action would answer (200, 403, 404, 409…), `code` the refusal's kind (`Recovered` or `Purged`
/// when it was done) and `message` in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub id: i64,
    /// The entry's workspace name ("" for an id that is not this account's).
    pub name: String,
    pub status: u16,
    pub code: String,
    pub message: String,
    /// For a recovered entry: its nodes that were published and must be published again.
    pub nodes_to_publish: Vec<NodeSummary>,
}

/// A bulk action's report as the console's own door answers it: the API's report, and for each
/// row (in its order) a refusal's message as the console words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct BulkAnswer {
    pub report: BulkReport,
    pub worded: Vec<Option<Worded>>,
}

/// "Copy to Workspace"'s report as the console's own door answers it (see [`BulkAnswer`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct CopyAnswer {
    pub report: CopyReport,
    pub worded: Vec<Option<Worded>>,
}

/// A refused row's message as the console words it in the reader's language (only the console's
/// server functions send it; the API's answers are as they were).
pub use crate::i18n::Worded;

impl BulkResult {
    pub fn done(&self) -> bool {
        self.status == 200
    }
}

/// The result of each entry of a bulk action, in the order they were named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkReport {
    pub results: Vec<BulkResult>,
}

/// At most this many nodes copied out of a Recycle Bin entry in one request (SPEC §23).
pub const COPY_MAX: usize = 100;

/// One node's result of "Copy to Workspace" (SPEC §23): `status` 200 with the copy's id
/// (`copied_node_id`), or the refusal of that node alone (404 not a node of the entry, 409 its name
/// taken in the target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CopyResult {
    pub node_id: i64,
    /// The node's name ("" for an id that is no node of the entry).
    pub name: String,
    pub status: u16,
    /// `Copied`, or the refusal's kind (`NotFound`, `Conflict`).
    pub code: String,
    pub message: String,
    /// The new node in the target workspace, when it was copied.
    pub copied_node_id: Option<i64>,
}

/// The "Copy report": the target and each node's result, in the order named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CopyReport {
    pub target_workspace: String,
    pub results: Vec<CopyResult>,
}

/// "Copy to Workspace" (SPEC §23): copies nodes of Recycle Bin entry `entry_id` into the active
/// workspace `target_workspace`, unpublished, with their committed versions; the entry stays as
/// it was.
#[server(prefix = "/api", endpoint = "copy_bin_nodes", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn copy_bin_nodes(
    entry_id: i64,
    target_workspace: String,
    node_ids: Vec<i64>,
) -> Result<CopyAnswer, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    let target = target_workspace.clone();
    changing(
        Capability::Modify,
        Action::CopyNodesFromRecycleBin,
        &target,
        |s, change| async move {
            service::copy_nodes_worded(&s.pool, &change, entry_id, &target_workspace, &node_ids)
                .await
        },
    )
    .await
}

/// One page of the Recycle Bin (SPEC §21): `query` any part of the name, ignoring case;
/// `deleted_by` a sign-in name ("" for anyone); `sort` `name`, `-name`, `deleted_at` or
/// `-deleted_at` ("" for newest deletion first); 20 a page.
#[server(prefix = "/api", endpoint = "list_recycle_bin", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_recycle_bin(
    query: String,
    deleted_by: String,
    sort: String,
    page: i64,
) -> Result<BinPage, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    let sort = BinSort::parse(&sort).ok_or_else(|| BinSort::unknown(&sort))?;
    let filter = BinFilter {
        query,
        deleted_by,
        sort,
        page,
    };
    guarded(Capability::View, |s, p| async move {
        service::list(&s.pool, s.clock.now(), &p, &filter).await
    })
    .await
}

/// Which of `targets` are still in the Recycle Bin, as the console saw them (a selection keeps
/// only those: SPEC §22).
#[server(prefix = "/api", endpoint = "bin_entries_present", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn bin_entries_present(targets: Vec<BinTarget>) -> Result<Vec<i64>, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::present(&s.pool, &p, &targets).await
    })
    .await
}

/// "Recover selected" (SPEC §22): each entry recovered exactly as "Recover" does, in its own
/// transaction; a refusal of one never blocks another.
#[server(prefix = "/api", endpoint = "recover_entries", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn recover_entries(targets: Vec<BinTarget>) -> Result<BulkAnswer, AppError> {
    crate::server::changing_each(|s, p, origin| async move {
        let targets = targets.iter().map(|t| (t.id, Some(t.deleted_at))).collect();
        service::recover_many_worded(&s, p, origin, targets).await
    })
    .await
}

/// "Delete Permanently selected" (SPEC §22): `confirm_count` must be the number of entries;
/// each is purged exactly as "Delete Permanently" does.
#[server(prefix = "/api", endpoint = "purge_entries", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn purge_entries(
    targets: Vec<BinTarget>,
    confirm_count: i64,
) -> Result<BulkAnswer, AppError> {
    crate::server::changing_each(|s, p, origin| async move {
        let targets = targets.iter().map(|t| (t.id, Some(t.deleted_at))).collect();
        service::purge_many_worded(&s, p, origin, targets, confirm_count).await
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
