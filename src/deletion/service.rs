use super::{DeletionOutcome, DeletionPreview};
use crate::assets::service::counts;
use crate::dependencies::service::{self as dependencies, Scope};
use crate::domain::audit::Action;
use crate::domain::lifecycle::{Stage, UNDO_SECS};
use crate::domain::time::format_utc;
use crate::domain::{Confirmation, Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::operations::TaskRow;
use crate::operations::service as tasks;
use crate::server::audit::{self, Recorded};
use crate::store::{Flag, Pool};
use crate::workspaces::service::find_active;

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
    now: Timestamp,
    p: &Principal,
    workspace: &str,
    typed_name: &str,
    freeze_tasks: bool,
) -> AppResult<Recorded<DeletionOutcome>> {
    let mut tx = crate::store::write_tx(pool).await?;
    let lock = crate::store::lock_row(&tx);
    let found: Option<(i64, String, Option<i64>, Option<i64>, Flag)> = sqlx::query_as(&format!(
        "SELECT id, name, deleted_at, purge_at, deletion_protection FROM workspaces WHERE account_id = $1 AND name = $2{lock}"
    ))
    .bind(p.account_id)
    .bind(workspace)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, name, deleted_at, purge_at, protected)) = found else {
        return Err(AppError::NotFound(format!(
            "Workspace \"{}\" does not exist.",
            crate::domain::text::echo(workspace)
        )));
    };
    let stage = Stage::of(deleted_at, purge_at).ok_or(AppError::Internal)?;
    let Stage::InRecycleBin {
        deleted_at,
        purge_at,
    } = stage.delete(&name, protected.into(), now)?
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
    let tasks_deleted =
        sqlx::query("DELETE FROM tasks WHERE workspace_id = $1 AND status = 'Frozen'")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    let tasks_orphaned =
        sqlx::query("UPDATE tasks SET workspace_id = NULL, node_id = NULL WHERE workspace_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    sqlx::query(
        "DELETE FROM assets WHERE workspace_id = $1 AND kind IN ('di_task', 'model', 'metric')",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // Every count, kept with the entry: what Recover brings back and what was deleted with it.
    let moved_json = serde_json::to_string(&all).map_err(|_| AppError::Internal)?;
    let moved: Vec<_> = all.into_iter().filter(|c| c.kind.recoverable()).collect();
    sqlx::query("UPDATE workspaces SET deleted_at = $1, deleted_by = $2, purge_at = $3, binned_counts = $4, deleted_by_id = $6 WHERE id = $5")
        .bind(now)
        .bind(p.sign_in_name())
        .bind(purge_at)
        .bind(moved_json)
        .bind(id)
        .bind(p.user_id)
        .execute(&mut *tx)
        .await?;
    // Tasks of other workspaces that run after its nodes wait from now on; its own orphans have
    // no node any more, so none of them waits.
    dependencies::hold_downstream_of(&mut tx, now, id).await?;
    dependencies::settle_waiting(&mut tx, now, p.account_id, Scope::Orphans).await?;
    let message = format!(
        "Moved to the Recycle Bin until {}; {tasks_frozen} tasks frozen, {tasks_deleted} deleted, {tasks_orphaned} left running.",
        format_utc(purge_at)
    );
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
        now,
        p,
        Action::DeleteWorkspace,
        &outcome.name.clone(),
        &message,
        outcome,
    )
    .await
}
