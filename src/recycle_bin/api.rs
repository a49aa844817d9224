//! The API's Recycle Bin operations: list, look into an entry, recover, purge, purge protection.
use super::{
    BinAssets, BinEntryDetail, BinFilter, BinPage, BinSort, BulkReport, CopyReport, RecoveryReport,
};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::domain::audit::Source;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::api::{
    ApiError, ApiResult, Caller, EntryPath, IdempotencyKey, Refusals, change, first_page, may,
};
use crate::server::audit::Origin;
use crate::server::ctl::{Call, Method, Table, q};
use crate::server::input::{JsonOf, PathOf, QueryOf};
use axum::extract::{Extension, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// The sorts of the Recycle Bin, as the `sort` parameter spells them.
pub struct SortKey;

impl utoipa::PartialSchema for SortKey {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "`name`, `-name`, `deleted_at` or `-deleted_at` (newest deletion first, the default); equal values follow the entry id.",
            ))
            .enum_values(Some(BinSort::ALL.iter().map(|s| s.as_str())))
            .into()
    }
}

impl ToSchema for SortKey {
    fn name() -> std::borrow::Cow<'static, str> {
        "BinSortKey".into()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Any part of the workspace name, ignoring letter case (at most 64 characters).
    #[serde(default)]
    #[param(max_length = 64)]
    pub query: String,
    /// Only the entries deleted by this user, by sign-in name (`alice@acme`).
    #[serde(default)]
    pub deleted_by: String,
    /// The order (anything else answers 400).
    #[serde(default)]
    #[param(inline, value_type = SortKey)]
    pub sort: String,
    /// The page of 20, from 1: a page below 1 reads page 1, a page past the last reads the last.
    #[serde(default = "first_page")]
    pub page: i64,
}

/// List the Recycle Bin: search by name, filter by who deleted, sort; 20 a page with the total.
#[utoipa::path(get, path = "/recycle-bin", tag = "Recycle Bin", params(ListQuery),
    responses((status = 200, description = "One page of Recycle Bin entries", body = BinPage), Refusals))]
pub async fn list_recycle_bin(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryOf(q): QueryOf<ListQuery>,
) -> ApiResult<BinPage> {
    may(&caller, Capability::View)?;
    let sort = BinSort::parse(&q.sort).ok_or_else(|| BinSort::unknown(&q.sort))?;
    let filter = BinFilter {
        query: q.query,
        deleted_by: q.deleted_by,
        sort,
        page: q.page,
    };
    Ok(Json(
        crate::recycle_bin::service::list(&s.pool, s.clock.now(), &caller.principal, &filter)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverMany {
    /// The entries' ids, 1 to 100 (a repeated id counts once).
    #[schema(min_items = 1, max_items = 100)]
    #[serde(deserialize_with = "crate::server::input::whole_numbers")]
    pub ids: Vec<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurgeMany {
    /// The entries' ids, 1 to 100 (a repeated id counts once).
    #[schema(min_items = 1, max_items = 100)]
    #[serde(deserialize_with = "crate::server::input::whole_numbers")]
    pub ids: Vec<i64>,
    /// The number of entries, typed as the confirmation: anything else answers 422.
    #[serde(deserialize_with = "crate::server::input::whole_number")]
    pub confirm_count: i64,
}

/// Recover many entries at once: each exactly as a single Recover (its own transaction, rules
/// and audit event); one refusal never blocks another. A result per entry, in the order named.
#[utoipa::path(post, path = "/recycle-bin/recover", tag = "Recycle Bin",
    params(IdempotencyKey), request_body = RecoverMany,
    responses((status = 200, description = "A result per entry (status 200, 403, 404, 409…)", body = BulkReport), Refusals))]
pub async fn recover_many(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonOf(input): JsonOf<RecoverMany>,
) -> ApiResult<BulkReport> {
    let origin = Origin::new(Source::Api, &caller.client_ip);
    let targets = input.ids.iter().map(|id| (*id, None)).collect();
    Ok(Json(
        super::service::recover_many(&s, caller.principal.clone(), origin, targets)
            .await
            .map_err(ApiError)?,
    ))
}

/// Delete many entries permanently at once, confirmed by their number: each exactly as a single
/// Delete Permanently; purge protection refuses each. A result per entry, in the order named.
#[utoipa::path(post, path = "/recycle-bin/purge", tag = "Recycle Bin",
    params(IdempotencyKey), request_body = PurgeMany,
    responses((status = 200, description = "A result per entry (status 200, 403, 404, 409…)", body = BulkReport), Refusals))]
pub async fn purge_many(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonOf(input): JsonOf<PurgeMany>,
) -> ApiResult<BulkReport> {
    let origin = Origin::new(Source::Api, &caller.client_ip);
    let targets = input.ids.iter().map(|id| (*id, None)).collect();
    Ok(Json(
        super::service::purge_many(
            &s,
            caller.principal.clone(),
            origin,
            targets,
            input.confirm_count,
        )
        .await
        .map_err(ApiError)?,
    ))
}

/// Look into one Recycle Bin entry (read-only): its deletion, counts, what Recover brings back, its
/// tasks still billing, its downstream dependencies and the first page of each list of assets.
#[utoipa::path(get, path = "/recycle-bin/{id}", tag = "Recycle Bin", params(EntryPath),
    responses((status = 200, description = "The entry, read-only", body = BinEntryDetail), Refusals))]
pub async fn get_bin_entry(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
) -> ApiResult<BinEntryDetail> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::recycle_bin::service::detail(&s.pool, s.clock.now(), &caller.principal, id).await?,
    ))
}

/// The asset types of a Recycle Bin entry's lists, in both spellings: the filter's
/// (`data_source`) and the answers' (`DataSource`).
pub struct EntryAssetKind;

impl utoipa::PartialSchema for EntryAssetKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let kinds = crate::recycle_bin::ENTRY_LISTS;
        let names = kinds
            .iter()
            .map(|k| k.as_str())
            .chain(kinds.iter().map(|k| k.answer_name()));
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An asset type of a Recycle Bin entry, in either spelling: `data_source`, `compute`, `resource`, `node`, or as answers spell it, `DataSource`, `Compute`, `Resource`, `Node`.",
            ))
            .enum_values(Some(names))
            .into()
    }
}

impl ToSchema for EntryAssetKind {
    fn name() -> std::borrow::Cow<'static, str> {
        "EntryAssetKind".into()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryAssetsQuery {
    /// The asset type, in either spelling: `data_source`, `compute`, `resource` or `node`, or as
    /// the answer's `kind` spells it, `DataSource`, `Compute`, `Resource` or `Node` (anything
    /// else answers 422).
    #[param(inline, value_type = EntryAssetKind)]
    pub kind: String,
    /// The page of 20, from 1: a page below 1 reads page 1, a page past the last reads the last.
    #[serde(default = "first_page")]
    pub page: i64,
}

/// One page of one asset type of a Recycle Bin entry, in the order they were created.
#[utoipa::path(get, path = "/recycle-bin/{id}/assets", tag = "Recycle Bin", params(EntryPath, EntryAssetsQuery),
    responses((status = 200, description = "One page of the entry's assets of that type", body = BinAssets), Refusals))]
pub async fn list_bin_assets(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
    QueryOf(q): QueryOf<EntryAssetsQuery>,
) -> ApiResult<BinAssets> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::recycle_bin::service::assets_page(&s.pool, &caller.principal, id, &q.kind, q.page)
            .await?,
    ))
}

/// Recover a workspace from the Recycle Bin.
#[utoipa::path(post, path = "/recycle-bin/{id}/recover", tag = "Recycle Bin",
    params(EntryPath,
        IdempotencyKey),
    responses((status = 200, description = "What was restored, what was not, and the nodes to publish again", body = RecoveryReport), Refusals))]
pub async fn recover_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
) -> ApiResult<RecoveryReport> {
    let at = if caller.principal.can(Capability::Modify) {
        // The API names no deletion: the entry's current one (0 when it is not in the bin).
        super::service::current_deletion(&s.pool, &caller.principal, id).await?
    } else {
        0
    };
    let report =
        change(
            &s,
            &caller,
            Capability::Modify,
            Action::RecoverWorkspace,
            "",
            |s, change| async move {
                crate::recycle_bin::service::recover(&s.pool, &change, id, at).await
            },
        )
        .await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurgeProtection {
    /// On: no Recycle Bin entry is permanently deleted before its 14 days are over (an early
    /// purge answers 409); the 14-day purge goes on as always.
    pub enabled: bool,
}

/// Whether the account's purge protection is on (anyone who may view the Recycle Bin).
#[utoipa::path(get, path = "/account/purge-protection", tag = "Recycle Bin",
    responses((status = 200, description = "The setting", body = PurgeProtection), Refusals))]
pub async fn get_purge_protection(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<PurgeProtection> {
    may(&caller, Capability::View)?;
    let mut conn = s.pool.acquire().await.map_err(AppError::from)?;
    let enabled = crate::recycle_bin::service::purge_protection(
        &mut conn,
        caller.principal.account_id,
        false,
    )
    .await?;
    Ok(Json(PurgeProtection { enabled }))
}

/// Turn the account's purge protection on or off (the account's root only; anyone else 403).
#[utoipa::path(put, path = "/account/purge-protection", tag = "Recycle Bin",
    request_body = PurgeProtection,
    responses((status = 200, description = "The setting as it now is", body = PurgeProtection), Refusals))]
pub async fn set_purge_protection(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonOf(input): JsonOf<PurgeProtection>,
) -> ApiResult<PurgeProtection> {
    let enabled = change(
        &s,
        &caller,
        Capability::ManageAccount,
        Action::purge_protection(input.enabled),
        "",
        |s, change| async move {
            crate::recycle_bin::service::set_purge_protection(&s.pool, &change, input.enabled).await
        },
    )
    .await?;
    Ok(Json(PurgeProtection { enabled }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConfirmName {
    /// The entry's workspace name, exactly, in its letter case (the typed confirmation): one
    /// that does not match answers 422.
    #[param(min_length = 1)]
    pub confirm_name: String,
}

/// The answer of a permanent deletion.
#[derive(Debug, Serialize, ToSchema)]
pub struct Purged {
    pub purged: bool,
}

/// Delete a Recycle Bin entry permanently (its name is free again).
#[utoipa::path(delete, path = "/recycle-bin/{id}", tag = "Recycle Bin",
    params(EntryPath, ConfirmName,
        IdempotencyKey),
    responses((status = 200, description = "Permanently deleted", body = Purged), Refusals))]
pub async fn purge_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
    QueryOf(q): QueryOf<ConfirmName>,
) -> ApiResult<Purged> {
    let at = if caller.principal.can(Capability::Modify) {
        // The API names no deletion: the entry's current one (0 when it is not in the bin).
        super::service::current_deletion(&s.pool, &caller.principal, id).await?
    } else {
        0
    };
    change(
        &s,
        &caller,
        Capability::Modify,
        Action::PurgeWorkspace,
        "",
        |s, change| async move {
            crate::recycle_bin::service::purge(&s.pool, &change, id, at, &q.confirm_name).await
        },
    )
    .await?;
    Ok(Json(Purged { purged: true }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyNodes {
    /// The active workspace of this account to copy into, by name.
    #[schema(min_length = 1)]
    pub target_workspace: String,
    /// The nodes of the entry to copy, 1 to 100 (a repeated id counts once).
    #[schema(min_items = 1, max_items = 100)]
    #[serde(deserialize_with = "crate::server::input::whole_numbers")]
    pub node_ids: Vec<i64>,
}

/// Copy nodes out of a Recycle Bin entry into an active workspace (SPEC §23): each a new node of
/// the same name, product, type and code with its committed versions, unpublished, without
/// dependencies; a name taken in the target refuses that node alone. The entry stays as it was.
#[utoipa::path(post, path = "/recycle-bin/{id}/copy-nodes", tag = "Recycle Bin",
    params(EntryPath, IdempotencyKey), request_body = CopyNodes,
    responses((status = 200, description = "A result per node (status 200, 404, 409)", body = CopyReport), Refusals))]
pub async fn copy_nodes(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
    JsonOf(input): JsonOf<CopyNodes>,
) -> ApiResult<CopyReport> {
    let target = input.target_workspace.clone();
    let report = change(
        &s,
        &caller,
        Capability::Modify,
        Action::CopyNodesFromRecycleBin,
        &target,
        |s, change| async move {
            super::service::copy_nodes(
                &s.pool,
                &change,
                id,
                &input.target_workspace,
                &input.node_ids,
            )
            .await
        },
    )
    .await?;
    Ok(Json(report))
}

/// Its routes under the API's prefix.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/recycle-bin", get(list_recycle_bin))
        .route(
            "/account/purge-protection",
            get(get_purge_protection).put(set_purge_protection),
        )
        .route("/recycle-bin/{id}/recover", post(recover_workspace))
        .route("/recycle-bin/recover", post(recover_many))
        .route("/recycle-bin/purge", post(purge_many))
        .route(
            "/recycle-bin/{id}",
            get(get_bin_entry).delete(purge_workspace),
        )
        .route("/recycle-bin/{id}/assets", get(list_bin_assets))
        .route("/recycle-bin/{id}/copy-nodes", post(copy_nodes))
}

/// Its part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    list_recycle_bin,
    get_bin_entry,
    list_bin_assets,
    recover_workspace,
    purge_workspace,
    recover_many,
    purge_many,
    copy_nodes,
    get_purge_protection,
    set_purge_protection,
))]
pub struct Doc;

// `ctl recycle-bin …`.
#[derive(clap::Subcommand, Debug)]
pub enum Ctl {
    /// List Recycle Bin entries, newest deletion first, 20 a page.
    List {
        /// Any part of the workspace name, ignoring letter case.
        #[arg(long)]
        search: Option<String>,
        /// Only the entries deleted by this user (`alice@acme`).
        #[arg(long)]
        deleted_by: Option<String>,
        /// name, -name, deleted_at or -deleted_at (the default).
        #[arg(long, allow_hyphen_values = true)]
        sort: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Look into an entry (read-only): its deletion, counts, what Recover brings back, tasks still
    /// billing, downstream dependencies.
    Show { id: i64 },
    /// List one type of an entry's assets, 20 a page.
    Assets {
        id: i64,
        /// data_source, compute, resource or node (or as answers spell them: DataSource, Compute,
        /// Resource, Node).
        #[arg(long)]
        kind: String,
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Recover entries: one prints what was restored; several print a row per entry (the exit
    /// status is 1 when any was refused).
    Recover {
        #[arg(required = true, num_args = 1..=100)]
        ids: Vec<i64>,
    },
    /// Copy nodes of an entry into an active workspace (unpublished, with their committed
    /// versions), a row per node; the exit status is 1 when any was refused.
    #[command(name = "copy-nodes")]
    CopyNodes {
        id: i64,
        /// The workspace to copy into.
        #[arg(long)]
        to: String,
        #[arg(required = true, num_args = 1..=100)]
        node_ids: Vec<i64>,
    },
    /// Delete entries permanently: one confirmed by its name (`--confirm`), or many by their
    /// number (`--confirm-count`), a row per entry (the exit status is 1 when any was refused).
    Purge {
        #[arg(required = true, num_args = 1..=100)]
        ids: Vec<i64>,
        /// The workspace name, exactly (one entry).
        #[arg(
            long,
            conflicts_with = "confirm_count",
            required_unless_present = "confirm_count"
        )]
        confirm: Option<String>,
        /// The number of entries named.
        #[arg(long)]
        confirm_count: Option<i64>,
    },
}

/// The columns of a bulk action's rows.
const RESULT_COLUMNS: &[&str] = &["id", "name", "status", "code", "message"];

impl Ctl {
    /// Why the command cannot be sent as written, if it cannot.
    pub fn usage_error(&self) -> Option<String> {
        match self {
            Ctl::Purge {
                ids,
                confirm: Some(_),
                ..
            } if ids.len() > 1 => Some(
                "--confirm names one workspace: to delete several entries permanently, give --confirm-count with their number".into(),
            ),
            _ => None,
        }
    }

    /// The request the command makes, and how its answer is printed.
    pub fn call(&self) -> Call {
        match self {
            Ctl::List {
                search,
                deleted_by,
                sort,
                page,
            } => (
                Method::GET,
                format!(
                    "/recycle-bin?page={page}{}{}{}",
                    search
                        .as_deref()
                        .map(|v| format!("&query={}", q(v)))
                        .unwrap_or_default(),
                    deleted_by
                        .as_deref()
                        .map(|v| format!("&deleted_by={}", q(v)))
                        .unwrap_or_default(),
                    sort.as_deref()
                        .map(|v| format!("&sort={}", q(v)))
                        .unwrap_or_default(),
                ),
                None,
                Table::Rows(
                    "entries",
                    &["id", "name", "deleted_by", "deleted_at", "purge_at"],
                ),
            ),
            Ctl::Show { id } => (
                Method::GET,
                format!("/recycle-bin/{id}"),
                None,
                Table::Fields(&[
                    "entry",
                    "purge_protection",
                    "counts",
                    "deleted_with_it",
                    "still_billing",
                    "downstream_dependencies",
                ]),
            ),
            Ctl::Assets { id, kind, page } => (
                Method::GET,
                format!("/recycle-bin/{id}/assets?kind={}&page={page}", q(kind)),
                None,
                Table::Rows(
                    "assets",
                    &["id", "name", "product", "subtype", "detail", "node_status"],
                ),
            ),
            Ctl::CopyNodes { id, to, node_ids } => (
                Method::POST,
                format!("/recycle-bin/{id}/copy-nodes"),
                Some(serde_json::json!({ "target_workspace": to, "node_ids": node_ids })),
                Table::Results(&[
                    "node_id",
                    "name",
                    "status",
                    "code",
                    "message",
                    "copied_node_id",
                ]),
            ),
            Ctl::Recover { ids } if ids.len() == 1 => (
                Method::POST,
                format!("/recycle-bin/{}/recover", ids[0]),
                None,
                Table::Fields(&["name", "restored", "not_restored", "nodes_to_publish"]),
            ),
            Ctl::Recover { ids } => (
                Method::POST,
                "/recycle-bin/recover".into(),
                Some(serde_json::json!({ "ids": ids })),
                Table::Results(RESULT_COLUMNS),
            ),
            Ctl::Purge {
                ids,
                confirm: Some(confirm),
                ..
            } => (
                Method::DELETE,
                format!("/recycle-bin/{}?confirm_name={}", ids[0], q(confirm)),
                None,
                Table::Fields(&["purged"]),
            ),
            Ctl::Purge {
                ids, confirm_count, ..
            } => (
                Method::POST,
                "/recycle-bin/purge".into(),
                Some(
                    serde_json::json!({ "ids": ids, "confirm_count": confirm_count.unwrap_or(0) }),
                ),
                Table::Results(RESULT_COLUMNS),
            ),
        }
    }
}

// `ctl account …`: the account's settings.
#[derive(clap::Subcommand, Debug)]
pub enum AccountCtl {
    /// Purge protection (the root only may change it): while on, no Recycle Bin entry is
    /// permanently deleted before its 14 days are over.
    #[command(name = "purge-protection")]
    PurgeProtection {
        #[arg(value_enum)]
        setting: Setting,
    },
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, PartialEq, Eq)]
pub enum Setting {
    On,
    Off,
    Show,
}

impl AccountCtl {
    /// The request the command makes, and how its answer is printed.
    pub fn call(&self) -> Call {
        match self {
            AccountCtl::PurgeProtection { setting } => (
                if *setting == Setting::Show {
                    Method::GET
                } else {
                    Method::PUT
                },
                "/account/purge-protection".into(),
                (*setting != Setting::Show)
                    .then(|| serde_json::json!({ "enabled": *setting == Setting::On })),
                Table::Fields(&["enabled"]),
            ),
        }
    }
}
