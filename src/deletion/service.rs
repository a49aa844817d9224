use super::{DeletionOutcome, DeletionPreview};
use crate::assets::service::{counts, delete_unrecoverable};
use crate::dependencies::service::{self as dependencies, Scope};
use crate::domain::audit::Action;
use crate::domain::lifecycle::{Stage, UNDO_SECS};
use crate::domain::time::format_utc;
use crate::domain::{Confirmation, Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::operations::TaskRow;
use crate::operations::service as tasks;
use crate::server::audit::{self, Change, Recorded};
use crate::store::Pool;
use crate::workspaces::store::{self as row, Locked, find_active};

pub async fn preview(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    workspace: &str,
) -> AppResult<DeletionPreview> {
    let ws = find_active(pool, p, workspace).await?;
    let mut conn = pool.acquire().await?;
    let counts = counts(&mut conn, ws.id).await?;
    let nodes = crate::assets::AssetCount::total(&counts, crate::assets::AssetKind::Node);
    let all = tasks::list(&mut conn, p.account_id, now, Some(ws.id)).await?;
    let frozen_tasks = all.iter().filter(|t| !t.is_running()).count() as i64;
    let running_tasks = all.into_iter().filter(TaskRow::is_running).collect();
    let downstream_dependencies =
        dependencies::downstream_of(&mut conn, p.account_id, ws.id, nodes).await?;
    Ok(DeletionPreview {
        pai_workspace: ws.name.clone(),
        workspace: ws,
        counts,
        running_tasks,
        frozen_tasks,
        downstream_dependencies,
    })
}

/// Deletes a workspace in one transaction: it becomes a Recycle Bin entry for exactly 14 days with its
/// data sources, computing resources, nodes and resources (DataWorks and PAI); its data integration
/// tasks, models and metrics are deleted; Frozen tasks are deleted (after freezing all, if asked);
/// tasks still Running are left as orphans that keep billing.
pub async fn delete(
    pool: &Pool,
    change: &Change,
    workspace: &str,
    typed_name: &str,
    freeze_tasks: bool,
) -> AppResult<Recorded<DeletionOutcome>> {
    let (now, p) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let Some(Locked {
        id,
        name,
        stage,
        protected,
    }) = row::lock_by_name(&mut tx, p.account_id, workspace).await?
    else {
        return Err(row::not_found(workspace));
    };
    let Stage::InRecycleBin {
        deleted_at,
        purge_at,
    } = stage.delete(&name, protected, now)?
    else {
        return Err(AppError::Internal);
    };
    Confirmation::check(typed_name, &name).map_err(AppError::Invalid)?;

    let all = counts(&mut tx, id).await?;
    let tasks_frozen = if freeze_tasks {
        tasks::freeze_all_in_workspace(&mut tx, now, id).await?
    } else {
        0
    };
    let tasks_deleted = tasks::delete_frozen_in_workspace(&mut tx, id).await?;
    let tasks_orphaned = tasks::orphan_all_in_workspace(&mut tx, id).await?;
    delete_unrecoverable(&mut tx, id).await?;
    // Every count, kept with the entry: what Recover brings back and what was deleted with it.
    let moved_json = serde_json::to_string(&all).map_err(|_| AppError::Internal)?;
    let moved: Vec<_> = all.into_iter().filter(|c| c.kind.recoverable()).collect();
    row::move_to_bin(&mut tx, now, p, id, purge_at, moved_json).await?;
    // Tasks of other workspaces that run after its nodes wait from now on; its own orphans have
    // no node any more, so none of them waits.
    dependencies::hold_downstream_of(&mut tx, now, id).await?;
    dependencies::settle_waiting(&mut tx, now, p.account_id, Scope::Orphans).await?;
    let message = Msg::new(k::event_moved_to_bin)
        .with("until", format_utc(purge_at))
        .with("frozen", tasks_frozen)
        .with("deleted", tasks_deleted)
        .with("orphaned", tasks_orphaned);
    let outcome = DeletionOutcome {
        name,
        entry_id: id,
        deleted_at,
        purge_at,
        undo_until: deleted_at + UNDO_SECS,
        moved,
        tasks_frozen,
        tasks_deleted,
        tasks_orphaned,
    };
    audit::commit(
        tx,
        change,
        Action::DeleteWorkspace,
        &outcome.name.clone(),
        message,
        outcome,
    )
    .await
}
