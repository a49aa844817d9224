use super::{
    ASSETS_PAGE_SIZE, BULK_MAX, BinAssets, BinEntry, BinEntryDetail, BinFilter, BinPage, BinTarget,
    BulkAnswer, BulkReport, BulkResult, COPY_MAX, CopyAnswer, CopyReport, CopyResult, ENTRY_LISTS,
    PAGE_SIZE, RecoveryReport,
};
use crate::assets::NodeSummary;
use crate::assets::service::counts;
use crate::assets::{Asset, AssetCount, AssetKind, NodeDetail};
use crate::dependencies::service::{self as dependencies, Scope};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::domain::dependencies::WAITING_FOR_UPSTREAM;
use crate::domain::lifecycle::Stage;
use crate::domain::text::{MAX_SEARCH_CHARS, like_pattern};
use crate::domain::time::format_utc;
use crate::domain::{Confirmation, Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::notifications::service as notices;
use crate::server::AppState;
use crate::server::audit::Origin;
use crate::server::audit::{self, Change, Recorded};
use crate::server::guard::audited;
use crate::store::{Conn, Pool};
use crate::workspaces::store::{self as row, in_bin};

/// How many assets (with their node versions) one purge transaction removes, so a purge never
/// holds the write lock for long: other writers get in between two batches.
pub const PURGE_ROWS: i64 = 5_000;
/// How many expired entries one pass claims at a time.
pub const PURGE_ENTRIES: i64 = 20;
/// A claimed purge is renewed after every batch; one not renewed for this long belongs to an
/// instance that died, and the next pass of any instance takes it over and finishes it.
pub const PURGE_LEASE_SECS: i64 = 120;

/// One page of the caller's Recycle Bin (SPEC §21): its entries matching the search and the
/// "Deleted by" filter, in the asked order (equal values by id), 20 a page. Every statement reads
/// only the account's entries, through `workspaces_bin_by_account`.
pub async fn list(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    filter: &BinFilter,
) -> AppResult<BinPage> {
    let query = filter.query.trim();
    if query.chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::Invalid(
            Msg::new(k::error_bin_search_too_long).with("max", MAX_SEARCH_CHARS),
        ));
    }
    let pattern = if query.is_empty() {
        String::new()
    } else {
        like_pattern(query)
    };
    let matching = format!(
        "account_id = $1 AND {} AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\') AND ($3 = '' OR deleted_by = $3)",
        in_bin("")
    );
    let mut conn = pool.acquire().await?;
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT count(*) FROM workspaces WHERE {matching}"))
            .bind(p.account_id)
            .bind(&pattern)
            .bind(&filter.deleted_by)
            .fetch_one(&mut *conn)
            .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = filter.page.clamp(1, pages);
    // By name is by the lower-case name, compared byte by byte on both engines (the name's own
    // collations, SQLite's NOCASE and PostgreSQL's ICU `nocase`, disagree on `_` and digits).
    let (column, direction) = (
        if filter.sort.by_name() {
            "search_name"
        } else {
            "deleted_at"
        },
        if filter.sort.descending() {
            "DESC"
        } else {
            "ASC"
        },
    );
    let entries = sqlx::query_as::<_, BinEntry>(&format!(
        "SELECT id, name, display_name, deleted_by, deleted_at, purge_at FROM workspaces
         WHERE {matching}
         ORDER BY {column} {direction}, id {direction} LIMIT $4 OFFSET $5"
    ))
    .bind(p.account_id)
    .bind(&pattern)
    .bind(&filter.deleted_by)
    .bind(PAGE_SIZE)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(&mut *conn)
    .await?;
    let deleted_by_choices = sqlx::query_scalar(&format!(
        "SELECT DISTINCT deleted_by FROM workspaces WHERE account_id = $1 AND {}
         ORDER BY deleted_by",
        in_bin("")
    ))
    .bind(p.account_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(BinPage {
        entries,
        total,
        page,
        pages,
        deleted_by_choices,
        now,
        purge_protection: purge_protection(&mut conn, p.account_id, false).await?,
    })
}

/// Which of `targets` (entry id, the deletion the console saw) are still in the caller's
/// Recycle Bin.
pub async fn present(pool: &Pool, p: &Principal, targets: &[BinTarget]) -> AppResult<Vec<i64>> {
    if targets.len() > BULK_MAX * 10 {
        return Err(too_many(targets.len(), BULK_MAX * 10));
    }
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = targets.iter().map(|t| t.id).collect();
    let found: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT id, deleted_at FROM workspaces WHERE account_id = $1 AND id IN ({}) AND {}",
        row::id_list(&ids),
        in_bin("")
    ))
    .bind(p.account_id)
    .fetch_all(pool)
    .await?;
    Ok(targets
        .iter()
        .filter(|t| found.contains(&(t.id, t.deleted_at)))
        .map(|t| t.id)
        .collect())
}

fn too_many(named: usize, max: usize) -> AppError {
    AppError::Invalid(
        Msg::new(k::error_bin_too_many)
            .with("max", max)
            .with("named", named),
    )
}

/// The entries a bulk action names, each once, in the order named: at least one, at most
/// [`BULK_MAX`].
fn bulk_targets(targets: Vec<(i64, Option<i64>)>) -> AppResult<Vec<(i64, Option<i64>)>> {
    let mut seen = std::collections::HashSet::new();
    let targets: Vec<_> = targets
        .into_iter()
        .filter(|(id, _)| seen.insert(*id))
        .collect();
    if targets.is_empty() {
        return Err(AppError::Invalid(Msg::new(k::error_bin_none_named)));
    }
    if targets.len() > BULK_MAX {
        return Err(too_many(targets.len(), BULK_MAX));
    }
    Ok(targets)
}

/// Recovers each of `targets` (entry id, and the deletion the console saw, or none for the
/// current one) exactly as "Recover" does: its own transaction, the same rules, the same audit
/// event (a refusal recorded as one), the same live announcement. One refusal never blocks
/// another. A caller who may not recover is refused as a whole (403, recorded once).
pub async fn recover_many(
    state: &AppState,
    p: Principal,
    origin: Origin,
    targets: Vec<(i64, Option<i64>)>,
) -> AppResult<BulkReport> {
    recover_many_worded(state, p, origin, targets)
        .await
        .map(|answer| answer.report)
}

/// [`recover_many`] for the console: each refusal also carries its message's key and parameters.
pub async fn recover_many_worded(
    state: &AppState,
    p: Principal,
    origin: Origin,
    targets: Vec<(i64, Option<i64>)>,
) -> AppResult<BulkAnswer> {
    each(
        state,
        p,
        origin,
        targets,
        Action::RecoverWorkspace,
        |s, change, id, at| {
            Box::pin(async move {
                let report = recover(&s.pool, &change, id, at).await?;
                Ok(report.map(|r| r.nodes_to_publish))
            })
        },
    )
    .await
}

/// Purges each of `targets` exactly as "Delete Permanently" does, once `confirm_count` is
/// their number (the typed confirmation of many); purge protection refuses each.
pub async fn purge_many(
    state: &AppState,
    p: Principal,
    origin: Origin,
    targets: Vec<(i64, Option<i64>)>,
    confirm_count: i64,
) -> AppResult<BulkReport> {
    purge_many_worded(state, p, origin, targets, confirm_count)
        .await
        .map(|answer| answer.report)
}

/// [`purge_many`] for the console: each refusal also carries its message's key and parameters.
pub async fn purge_many_worded(
    state: &AppState,
    p: Principal,
    origin: Origin,
    targets: Vec<(i64, Option<i64>)>,
    confirm_count: i64,
) -> AppResult<BulkAnswer> {
    let counted = bulk_targets(targets.clone())
        .map(|t| t.len())
        .unwrap_or(targets.len());
    if p.can(Capability::Modify) && confirm_count != counted as i64 {
        return Err(AppError::Invalid(
            Msg::new(k::error_bin_confirm_count).with("count", counted),
        ));
    }
    each(
        state,
        p,
        origin,
        targets,
        Action::PurgeWorkspace,
        |s, change, id, at| {
            Box::pin(async move {
                let purged = purge_confirmed(&s.pool, &change, id, at, Confirm::Counted).await?;
                Ok(purged.map(|()| Vec::new()))
            })
        },
    )
    .await
}

type EachFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = AppResult<Recorded<Vec<NodeSummary>>>> + Send>,
>;

/// Runs `one` for each target through the audited door, one after the other.
async fn each(
    state: &AppState,
    p: Principal,
    origin: Origin,
    targets: Vec<(i64, Option<i64>)>,
    action: Action,
    one: fn(AppState, std::sync::Arc<Change>, i64, Timestamp) -> EachFuture,
) -> AppResult<BulkAnswer> {
    if !p.can(Capability::Modify) {
        // Refused as a whole, and recorded once, as the single action would be.
        return audited(
            state,
            p,
            origin,
            "",
            Capability::Modify,
            action,
            |_, _| async { Err::<Recorded<()>, _>(AppError::Internal) },
        )
        .await
        .map(|()| BulkAnswer {
            report: BulkReport { results: vec![] },
            worded: vec![],
        });
    }
    let targets = bulk_targets(targets)?;
    let ids: Vec<i64> = targets.iter().map(|(id, _)| *id).collect();
    let names: std::collections::HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>(&format!(
            "SELECT id, name FROM workspaces WHERE account_id = $1 AND id IN ({})",
            row::id_list(&ids)
        ))
        .bind(p.account_id)
        .fetch_all(&state.pool)
        .await?
        .into_iter()
        .collect();
    let mut results = Vec::with_capacity(targets.len());
    let mut worded = Vec::with_capacity(targets.len());
    for (n, (id, seen)) in targets.into_iter().enumerate() {
        if n > 0 {
            crate::store::let_waiting_writers_in(&state.pool).await;
        }
        let at = match seen {
            Some(at) => at,
            None => current_deletion(&state.pool, &p, id).await?,
        };
        let outcome = audited(
            state,
            p.clone(),
            origin.clone(),
            "",
            Capability::Modify,
            action,
            |s, change| one(s, change, id, at),
        )
        .await;
        let name = names.get(&id).cloned().unwrap_or_default();
        worded.push(outcome.as_ref().err().and_then(AppError::worded));
        results.push(match outcome {
            Ok(nodes_to_publish) => BulkResult {
                id,
                message: match action {
                    Action::PurgeWorkspace => "Deleted permanently.".into(),
                    _ => "Recovered.".into(),
                },
                code: match action {
                    Action::PurgeWorkspace => "Purged".into(),
                    _ => "Recovered".into(),
                },
                name,
                status: 200,
                nodes_to_publish,
            },
            Err(error) => BulkResult {
                id,
                name,
                status: error.status(),
                code: error.kind(),
                message: error.to_string(),
                nodes_to_publish: Vec::new(),
            },
        });
    }
    Ok(BulkAnswer {
        report: BulkReport { results },
        worded,
    })
}

/// The counts kept with an entry when it was deleted (every asset type since the bin entry page,
/// only the recoverable ones before); none for an entry that has none.
fn binned_counts(json: Option<String>) -> Option<Vec<AssetCount>> {
    json.and_then(|json| serde_json::from_str(&json).ok())
}

/// The counts of entry `id`: those kept with it (`kept`, from its `binned_counts`), else counted.
async fn entry_counts(
    conn: &mut Conn,
    id: i64,
    kept: Option<Vec<AssetCount>>,
) -> AppResult<Vec<AssetCount>> {
    match kept {
        Some(kept) => Ok(kept),
        None => counts(conn, id).await,
    }
}

/// Recycle Bin entry `id` of the caller's account, as the bin's list shows it, with its
/// description, data modeling and kept counts; another account's entry is missing.
async fn binned(
    conn: &mut Conn,
    p: &Principal,
    id: i64,
) -> AppResult<(BinEntry, String, bool, Option<String>)> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        entry: BinEntry,
        description: String,
        data_modeling: crate::store::Flag,
        binned_counts: Option<String>,
    }
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT id, name, display_name, deleted_by, deleted_at, purge_at, description, data_modeling, binned_counts
         FROM workspaces
         WHERE id = $1 AND account_id = $2 AND {}",
        in_bin("")
    ))
    .bind(id)
    .bind(p.account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let row = row.ok_or_else(not_in_bin)?;
    Ok((
        row.entry,
        row.description,
        row.data_modeling.into(),
        row.binned_counts,
    ))
}

/// An entry that is not (or no longer) in the caller's Recycle Bin.
fn not_in_bin() -> AppError {
    AppError::NotFound(Msg::new(k::error_bin_not_in_bin))
}

/// What `/recycle-bin/<id>` shows first (SPEC §18): the entry, its counts, what Recover brings
/// back and what not, its orphaned tasks still billing, its downstream dependencies and the first
/// page of each list. Each list is one query, whatever the entry's size.
pub async fn detail(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    id: i64,
) -> AppResult<BinEntryDetail> {
    let mut conn = pool.acquire().await?;
    let (entry, description, data_modeling, kept) = binned(&mut conn, p, id).await?;
    let kept = binned_counts(kept);
    // Entries deleted before every count was kept have only the recoverable ones.
    let deleted_with_it = kept
        .as_ref()
        .filter(|all| all.iter().any(|c| !c.kind.recoverable()))
        .map(|all| {
            all.iter()
                .filter(|c| !c.kind.recoverable())
                .cloned()
                .collect()
        });
    let counts: Vec<AssetCount> = entry_counts(&mut conn, id, kept)
        .await?
        .into_iter()
        .filter(|c| c.kind.recoverable())
        .collect();
    let still_billing = crate::operations::service::list(&mut conn, p.account_id, now, None)
        .await?
        .into_iter()
        .filter(|t| t.orphaned && t.is_running() && t.workspace_name == entry.name)
        .collect();
    let mut downstream_dependencies = dependencies::downstream_of(
        &mut conn,
        p.account_id,
        id,
        AssetCount::total(&counts, AssetKind::Node),
    )
    .await?;
    // Their tasks wait while this workspace is in the Recycle Bin.
    for d in &mut downstream_dependencies.first {
        if d.task_status.as_deref() == Some("Running") {
            d.task_status = Some(WAITING_FOR_UPSTREAM.into());
        }
    }
    let mut lists = Vec::with_capacity(ENTRY_LISTS.len());
    for kind in ENTRY_LISTS {
        lists.push(page_of(&mut conn, id, kind, &counts, 1).await?);
    }
    Ok(BinEntryDetail {
        entry,
        description,
        data_modeling,
        now,
        purge_protection: purge_protection(&mut conn, p.account_id, false).await?,
        counts,
        deleted_with_it,
        still_billing,
        downstream_dependencies,
        lists,
    })
}

/// Page `page` of the assets of type `kind` (a core asset type, `node` or as answers spell it
/// `Node`) of entry `id`.
pub async fn assets_page(
    pool: &Pool,
    p: &Principal,
    id: i64,
    kind: &str,
    page: i64,
) -> AppResult<BinAssets> {
    let kind = AssetKind::parse_either(kind)
        .filter(|k| k.recoverable())
        .ok_or_else(|| {
            AppError::Invalid(
                Msg::new(k::error_bin_unknown_asset_type)
                    .with("kind", crate::domain::text::echo(kind)),
            )
        })?;
    let mut conn = pool.acquire().await?;
    let (_, _, _, kept) = binned(&mut conn, p, id).await?;
    let counts = entry_counts(&mut conn, id, binned_counts(kept)).await?;
    page_of(&mut conn, id, kind, &counts, page).await
}

/// One page of a list: the total comes from the entry's counts (nothing is added to or removed
/// from an entry while it is in the bin), the rows from one query on the (workspace, kind, id)
/// index.
async fn page_of(
    conn: &mut Conn,
    id: i64,
    kind: AssetKind,
    counts: &[AssetCount],
    page: i64,
) -> AppResult<BinAssets> {
    let total = AssetCount::total(counts, kind);
    let pages = ((total + ASSETS_PAGE_SIZE - 1) / ASSETS_PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let assets = sqlx::query_as::<_, Asset>(
        "SELECT id, kind, product, name, subtype, detail, node_status, created_at FROM assets
         WHERE workspace_id = $1 AND kind = $2 ORDER BY id LIMIT $3 OFFSET $4",
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(ASSETS_PAGE_SIZE)
    .bind((page - 1) * ASSETS_PAGE_SIZE)
    .fetch_all(&mut *conn)
    .await?;
    Ok(BinAssets {
        kind,
        assets,
        total,
        page,
        pages,
    })
}

/// A node of entry `id`, with its code and versions, read-only.
pub async fn node(pool: &Pool, p: &Principal, id: i64, node_id: i64) -> AppResult<NodeDetail> {
    let mut conn = pool.acquire().await?;
    binned(&mut conn, p, id).await?;
    crate::assets::service::load_node(&mut conn, id, node_id).await
}

/// Whether the account's purge protection is on (SPEC §15a); `lock` holds the setting until the
/// caller's transaction ends, so a purge and turning protection on happen one after the other.
pub async fn purge_protection(conn: &mut Conn, account_id: i64, lock: bool) -> AppResult<bool> {
    let lock = crate::store::lock_row_if(conn, lock);
    let on: Option<crate::store::Flag> = sqlx::query_scalar(&format!(
        "SELECT purge_protection FROM account_settings WHERE account_id = $1{lock}"
    ))
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(on.is_some_and(bool::from))
}

/// The root turns the account's purge protection on or off. Turning it off tells the root and
/// every FullAccess user who did it. Answers the setting as it now is.
pub async fn set_purge_protection(
    pool: &Pool,
    change: &Change,
    enabled: bool,
) -> AppResult<Recorded<bool>> {
    let (now, root) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let was = purge_protection(&mut tx, root.account_id, true).await?;
    sqlx::query(
        "INSERT INTO account_settings (account_id, purge_protection) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET purge_protection = excluded.purge_protection",
    )
    .bind(root.account_id)
    .bind(enabled)
    .execute(&mut *tx)
    .await?;
    if was && !enabled {
        notices::purge_protection_off(&mut tx, now, root.account_id, &root.sign_in_name()).await?;
    }
    let message = Msg::new(match (was, enabled) {
        (false, true) => k::event_protection_on,
        (true, false) => k::event_protection_off,
        (_, true) => k::event_protection_already_on,
        (_, false) => k::event_protection_already_off,
    });
    audit::commit(
        tx,
        change,
        Action::purge_protection(enabled),
        "",
        message,
        enabled,
    )
    .await
}

/// The workspace of entry `id` and its stage, read and locked; an entry already purged (or being
/// purged) is gone.
async fn entry(conn: &mut Conn, change: &Change, id: i64) -> AppResult<(String, Stage)> {
    let Some((name, stage)) = row::lock_entry(conn, change.principal.account_id, id).await? else {
        return Err(AppError::NotFound(Msg::new(k::error_bin_gone)));
    };
    change.about(&name);
    Ok((name, stage))
}

/// When entry `id` of the caller's account was deleted, for a door that names no deletion (the
/// API): 0 for one that is not in the Recycle Bin, so that Recover and Purge give their own answer.
pub async fn current_deletion(pool: &Pool, p: &Principal, id: i64) -> AppResult<Timestamp> {
    Ok(row::deleted_at(pool, p.account_id, id).await?.unwrap_or(0))
}

/// Restores the workspace under its name with its data sources, computing resources, nodes and
/// resources. Nodes keep code and versions but come back unpublished.
pub async fn recover(
    pool: &Pool,
    change: &Change,
    id: i64,
    deleted_at: i64,
) -> AppResult<Recorded<RecoveryReport>> {
    restore(pool, change, id, deleted_at, false).await
}

/// "Undo" right after a delete (SPEC §17): exactly a Recover, allowed only within
/// [`UNDO_SECS`](crate::domain::lifecycle::UNDO_SECS) of the delete.
pub async fn undo(
    pool: &Pool,
    change: &Change,
    id: i64,
    deleted_at: i64,
) -> AppResult<Recorded<RecoveryReport>> {
    restore(pool, change, id, deleted_at, true).await
}

async fn restore(
    pool: &Pool,
    change: &Change,
    id: i64,
    deleted_at: i64,
    undo: bool,
) -> AppResult<Recorded<RecoveryReport>> {
    let (now, p) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let (name, stage) = entry(&mut tx, change, id).await?;
    if undo {
        stage.undo(&name, deleted_at, now)?;
    } else {
        stage.recover(&name, deleted_at, now)?;
    }
    let nodes_to_publish = crate::assets::service::unpublish_nodes(&mut tx, id).await?;
    let binned = row::restore(&mut tx, id).await?;
    // Tasks that waited for its nodes run again.
    dependencies::settle_waiting(&mut tx, now, p.account_id, Scope::DownstreamOf(id)).await?;
    let restored = entry_counts(&mut tx, id, binned_counts(binned))
        .await?
        .into_iter()
        .filter(|c| c.kind.recoverable())
        .collect();
    let message = Msg::new(if undo {
        k::event_undone
    } else {
        k::event_recovered
    })
    .with("at", format_utc(deleted_at));
    let report = RecoveryReport {
        name: name.clone(),
        restored,
        not_restored: vec![
            "Scheduling tasks (auto triggered tasks)".into(),
            "Data integration tasks".into(),
            "Models and metrics".into(),
        ],
        nodes_to_publish,
    };
    audit::commit(tx, change, Action::RecoverWorkspace, &name, message, report).await
}

/// Purges one entry at once, after the typed confirmation; the name is free again. The entry
/// leaves the Recycle Bin in one short transaction (nobody can recover it from then on); its rows
/// are then removed in bounded batches, the entry itself last, so a crash leaves an entry that
/// the next purge pass finishes.
/// How a permanent deletion was confirmed: the typed name of the one entry, or (in a bulk
/// action) the number of entries, which the caller checked.
#[derive(Clone, Copy, Debug)]
pub enum Confirm<'a> {
    Name(&'a str),
    Counted,
}

pub async fn purge(
    pool: &Pool,
    change: &Change,
    id: i64,
    deleted_at: i64,
    typed_name: &str,
) -> AppResult<Recorded<()>> {
    purge_confirmed(pool, change, id, deleted_at, Confirm::Name(typed_name)).await
}

/// [`purge`], confirmed as `confirm` says.
pub async fn purge_confirmed(
    pool: &Pool,
    change: &Change,
    id: i64,
    deleted_at: i64,
    confirm: Confirm<'_>,
) -> AppResult<Recorded<()>> {
    let (now, p) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let checked = async {
        let (name, stage) = entry(&mut tx, change, id).await?;
        let protected = purge_protection(&mut tx, p.account_id, true).await?;
        stage.purge(&name, deleted_at, protected)?;
        if let Confirm::Name(typed_name) = confirm {
            Confirmation::check(typed_name, &name).map_err(AppError::Invalid)?;
        }
        Ok::<_, AppError>(name)
    }
    .await;
    // A refusal frees the entry's row before it is answered: a dropped transaction is rolled back
    // only when the pool's own task next flushes its connection, and until then the purge job
    // (which skips locked rows) would pass the entry over.
    let name = match checked {
        Ok(name) => name,
        Err(error) => {
            let _ = tx.rollback().await;
            return Err(error);
        }
    };
    row::claim_for_purge(&mut tx, now, &[id]).await?;
    notices::purged(&mut tx, now, &[id], Some(&p.sign_in_name())).await?;
    upstream_lost(&mut tx, now, &[id]).await?;
    let message = Msg::new(k::event_purged).with("at", format_utc(deleted_at));
    let recorded = audit::commit(tx, change, Action::PurgeWorkspace, &name, message, ()).await?;
    // The entry left the Recycle Bin for good when that committed: if removing its rows fails
    // now, the purge job finishes it once the claim's lease runs out, and the caller is told of
    // the purge that happened.
    if let Err(error) = remove_entries(pool, now, &[id]).await {
        tracing::warn!(
            ?error,
            id,
            "removing a purged entry's rows failed; the purge job finishes it"
        );
    }
    Ok(recorded)
}

/// The root's notice naming the nodes of other workspaces that lose their upstream with entries
/// `ids`, written in the transaction that takes them out of the Recycle Bin for good (so once).
/// The dependencies themselves are marked lost as the nodes they point to are removed (a trigger
/// on `assets`, in each batch's transaction).
async fn upstream_lost(conn: &mut Conn, now: Timestamp, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    for (id, losing) in dependencies::losing_upstream(conn, ids).await? {
        let detail = crate::domain::dependencies::name_some(&losing);
        notices::upstream_lost(conn, now, id, &detail).await?;
    }
    Ok(())
}

/// Removes claimed entries' rows, at most `PURGE_ROWS` per transaction, the entry rows last, and
/// renews the claim with every batch. Answers how many entries this call removed.
async fn remove_entries(pool: &Pool, now: Timestamp, ids: &[i64]) -> AppResult<u64> {
    let begun = std::time::Instant::now();
    let mut removed_rows = 0;
    loop {
        let started = std::time::Instant::now();
        let mut tx = crate::store::write_tx(pool).await?;
        let n = crate::assets::service::remove_some_of(&mut tx, ids, PURGE_ROWS).await?;
        row::claim_for_purge(
            &mut tx,
            now.saturating_add(begun.elapsed().as_secs() as i64),
            ids,
        )
        .await?;
        tx.commit().await?;
        removed_rows += n;
        if n < PURGE_ROWS as u64 {
            break;
        }
        crate::store::pause_between_batches(pool, started.elapsed()).await;
    }
    let removed = row::release(pool, ids).await?;
    if removed_rows >= LARGE_PURGE_ROWS {
        crate::store::after_bulk_delete(pool).await;
    }
    Ok(removed)
}

/// After this many deleted rows the engine is asked to tidy up (see `store::after_bulk_delete`).
const LARGE_PURGE_ROWS: u64 = 50_000;

/// One pass of the purge job: permanently deletes every entry whose 14 days are up, and finishes
/// any purge whose instance died (its claim was not renewed for `PURGE_LEASE_SECS`). The purge
/// job runs in every instance: each claim takes entries no other instance holds (on PostgreSQL
/// `FOR UPDATE SKIP LOCKED`), so every entry is removed, and counted, once.
pub async fn purge_expired(pool: &Pool, now: Timestamp) -> AppResult<u64> {
    let mut purged = 0;
    loop {
        let mut tx = crate::store::write_tx(pool).await?;
        let claimed = row::claim_expired(&mut tx, now, PURGE_ENTRIES, PURGE_LEASE_SECS).await?;
        let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
        // An entry claimed for the first time leaves the Recycle Bin here, so its event and its
        // notices are written here, once; a claim taken over from a dead instance was recorded
        // by the pass (or the person) that first claimed it.
        let fresh: Vec<i64> = claimed
            .iter()
            .filter(|c| c.started.is_none())
            .map(|c| c.id)
            .collect();
        for row::Claimed {
            account_id,
            name,
            started,
            deleted_at,
            ..
        } in &claimed
        {
            if started.is_none() {
                let message = Msg::new(k::event_expired).with("at", format_utc(*deleted_at));
                audit::record_system(
                    &mut tx,
                    now,
                    *account_id,
                    Action::PurgeExpiredWorkspace,
                    name,
                    &message,
                )
                .await?;
            }
        }
        notices::purged(&mut tx, now, &fresh, None).await?;
        upstream_lost(&mut tx, now, &fresh).await?;
        tx.commit().await?;
        if ids.is_empty() {
            metrics::counter!("console_purge_passes_total").increment(1);
            metrics::counter!("console_purged_entries_total").increment(purged);
            if purged > 0 {
                tracing::info!(
                    purged,
                    "purge pass: permanently deleted {purged} Recycle Bin entries whose 14 days were up"
                );
            }
            return Ok(purged);
        }
        purged += remove_entries(pool, now, &ids).await?;
    }
}

/// "Copy to Workspace" (SPEC §23): copies nodes `node_ids` of entry `id` into the caller's active
/// workspace `target`, in one transaction: each a new node of the same name, product, type and
/// code, with its committed versions (times and authors kept), unpublished, without dependencies.
/// A node whose name is taken in the target is refused alone; the rest are copied. Refused as a
/// whole, changing nothing: an entry whose 14 days are up (409, even before the job has run), one
/// no longer in the bin or of another account (404), a target that is not an active workspace of
/// the account (404), no node or more than [`COPY_MAX`] (422). The entry is read and locked in the
/// same transaction, so a purge of it comes wholly before (the copy is refused) or after.
pub async fn copy_nodes(
    pool: &Pool,
    change: &Change,
    id: i64,
    target: &str,
    node_ids: &[i64],
) -> AppResult<Recorded<CopyReport>> {
    let recorded = copy_nodes_worded(pool, change, id, target, node_ids).await?;
    Ok(recorded.map(|answer| answer.report))
}

/// [`copy_nodes`] for the console: each refusal also carries its message's key and parameters.
pub async fn copy_nodes_worded(
    pool: &Pool,
    change: &Change,
    id: i64,
    target: &str,
    node_ids: &[i64],
) -> AppResult<Recorded<CopyAnswer>> {
    let (now, p) = (change.now, &change.principal);
    let mut seen = std::collections::HashSet::new();
    let node_ids: Vec<i64> = node_ids
        .iter()
        .copied()
        .filter(|n| seen.insert(*n))
        .collect();
    if node_ids.is_empty() {
        return Err(AppError::Invalid(Msg::new(k::error_copy_none)));
    }
    if node_ids.len() > COPY_MAX {
        return Err(AppError::Invalid(
            Msg::new(k::error_copy_too_many)
                .with("max", COPY_MAX)
                .with("named", node_ids.len()),
        ));
    }
    let mut tx = crate::store::write_tx(pool).await?;
    let Some((entry_name, stage)) = row::lock_entry(&mut tx, p.account_id, id).await? else {
        return Err(not_in_bin());
    };
    let Stage::InRecycleBin { purge_at, .. } = stage else {
        return Err(not_in_bin());
    };
    if crate::domain::retention::is_expired(purge_at, now) {
        return Err(AppError::Conflict(
            Msg::new(k::error_copy_expired)
                .with("name", &entry_name)
                .with("time", format_utc(purge_at)),
        ));
    }
    let target = row::find_active_in(&mut tx, p, target).await?;
    change.about(&target.name);
    let mut results = Vec::with_capacity(node_ids.len());
    let mut worded = Vec::with_capacity(node_ids.len());
    for node_id in node_ids {
        results.push(
            match crate::assets::service::copy_node(&mut tx, id, node_id, target.id, now).await? {
                Ok((name, copied)) => {
                    worded.push(None);
                    CopyResult {
                        node_id,
                        name,
                        status: 200,
                        code: "Copied".into(),
                        message: format!("Copied into {}, unpublished.", target.name),
                        copied_node_id: Some(copied),
                    }
                }
                Err((name, error)) => {
                    worded.push(error.worded());
                    CopyResult {
                        node_id,
                        name,
                        status: error.status(),
                        code: error.kind(),
                        message: error.to_string(),
                        copied_node_id: None,
                    }
                }
            },
        );
    }
    let copied = results
        .iter()
        .filter(|r| r.copied_node_id.is_some())
        .count();
    let message = Msg::new(k::event_nodes_copied)
        .with("copied", copied)
        .with("total", results.len())
        .with("entry", &entry_name)
        .with("id", id);
    let report = CopyAnswer {
        report: CopyReport {
            target_workspace: target.name.clone(),
            results,
        },
        worded,
    };
    audit::commit(
        tx,
        change,
        Action::CopyNodesFromRecycleBin,
        &target.name,
        message,
        report,
    )
    .await
}
