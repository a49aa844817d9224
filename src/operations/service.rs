use super::TaskRow;
use crate::dependencies::service::{self as dependencies, Scope};
use crate::domain::audit::Action;
use crate::domain::billing::{
    DEFAULT_INTERVAL_SECS, DEFAULT_PRICE_CENTS, cost_cents, describe_schedule,
};
use crate::domain::dependencies::WAITING_FOR_UPSTREAM;
use crate::domain::{Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::server::audit::{self, Change, Recorded};
use crate::store::{Conn, Pool};
use crate::workspaces::WorkspaceRow;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct TaskRecord {
    id: i64,
    name: String,
    workspace_name: String,
    workspace_id: Option<i64>,
    status: String,
    interval_secs: i64,
    price_cents: i64,
    anchor_at: i64,
}

/// Tasks of an account (optionally of one active workspace) with their cost derived from their Running periods.
pub async fn list(
    conn: &mut Conn,
    account_id: i64,
    now: Timestamp,
    workspace_id: Option<i64>,
) -> AppResult<Vec<TaskRow>> {
    let rows: Vec<TaskRecord> = sqlx::query_as(
        "SELECT id, name, workspace_name, workspace_id, status, interval_secs, price_cents, anchor_at FROM tasks
         WHERE account_id = $1 AND ($2 IS NULL OR workspace_id = $2) ORDER BY workspace_name, name, id",
    )
    .bind(account_id)
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    let periods: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT p.task_id, p.started_at, p.ended_at FROM task_running_periods p JOIN tasks t ON t.id = p.task_id
         WHERE t.account_id = $1 AND ($2 IS NULL OR t.workspace_id = $2)",
    )
    .bind(account_id)
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_task: HashMap<i64, Vec<(Timestamp, Option<Timestamp>)>> = HashMap::new();
    for (task, start, end) in periods {
        by_task.entry(task).or_default().push((start, end));
    }
    let waiting: std::collections::HashSet<i64> =
        dependencies::waiting_tasks(conn, account_id, workspace_id)
            .await?
            .into_iter()
            .collect();
    Ok(rows
        .into_iter()
        .map(|t| TaskRow {
            status: if waiting.contains(&t.id) {
                WAITING_FOR_UPSTREAM.to_owned()
            } else {
                t.status
            },
            cost_cents: cost_cents(
                t.anchor_at,
                t.interval_secs,
                t.price_cents,
                by_task.get(&t.id).map_or(&[][..], Vec::as_slice),
                now,
            ),
            schedule: describe_schedule(t.interval_secs, t.price_cents),
            orphaned: t.workspace_id.is_none(),
            id: t.id,
            name: t.name,
            workspace_name: t.workspace_name,
        })
        .collect())
}

/// Publishing a node creates its task (Running from now) or points the existing one at the new version.
pub async fn upsert_for_node(
    conn: &mut Conn,
    now: Timestamp,
    account_id: i64,
    ws: &WorkspaceRow,
    node_id: i64,
    name: &str,
    version: i64,
) -> AppResult<bool> {
    let updated = sqlx::query("UPDATE tasks SET node_version = $1, name = $2 WHERE node_id = $3")
        .bind(version)
        .bind(name)
        .bind(node_id)
        .execute(&mut *conn)
        .await?;
    if updated.rows_affected() > 0 {
        return Ok(false);
    }
    let task_id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (account_id, workspace_id, workspace_name, node_id, name, node_version, interval_secs, price_cents, anchor_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'Running') RETURNING id",
    )
    .bind(account_id)
    .bind(ws.id)
    .bind(&ws.name)
    .bind(node_id)
    .bind(name)
    .bind(version)
    .bind(DEFAULT_INTERVAL_SECS)
    .bind(DEFAULT_PRICE_CENTS)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO task_running_periods (task_id, started_at) VALUES ($1, $2)")
        .bind(task_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    // It waits from the start if an upstream of its node is in the Recycle Bin.
    dependencies::settle_waiting(conn, now, account_id, Scope::Node(node_id)).await?;
    Ok(true)
}

/// Freezes every Running task of a workspace (closing their Running periods); returns how many.
pub async fn freeze_all_in_workspace(
    conn: &mut Conn,
    now: Timestamp,
    workspace_id: i64,
) -> AppResult<u64> {
    sqlx::query(
        "UPDATE task_running_periods SET ended_at = $1 WHERE ended_at IS NULL
         AND task_id IN (SELECT id FROM tasks WHERE workspace_id = $2 AND status = 'Running')",
    )
    .bind(now)
    .bind(workspace_id)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query(
        "UPDATE tasks SET status = 'Frozen' WHERE workspace_id = $1 AND status = 'Running'",
    )
    .bind(workspace_id)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// Deletes the Frozen tasks of a workspace being deleted; answers how many.
pub async fn delete_frozen_in_workspace(conn: &mut Conn, workspace_id: i64) -> AppResult<u64> {
    Ok(
        sqlx::query("DELETE FROM tasks WHERE workspace_id = $1 AND status = 'Frozen'")
            .bind(workspace_id)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

/// Leaves the remaining (Running) tasks of a workspace being deleted as orphans, without
/// workspace or node, still billing; answers how many.
pub async fn orphan_all_in_workspace(conn: &mut Conn, workspace_id: i64) -> AppResult<u64> {
    Ok(
        sqlx::query("UPDATE tasks SET workspace_id = NULL, node_id = NULL WHERE workspace_id = $1")
            .bind(workspace_id)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

async fn task_of(
    conn: &mut Conn,
    p: &Principal,
    task_id: i64,
) -> AppResult<(String, String, Option<i64>, Option<i64>)> {
    let lock = crate::store::lock_row(conn);
    sqlx::query_as(&format!(
        "SELECT name, status, workspace_id, node_id FROM tasks WHERE id = $1 AND account_id = $2{lock}"
    ))
    .bind(task_id)
    .bind(p.account_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::NotFound(Msg::new(k::error_task_not_found)))
}

/// The name of the task's workspace (kept on the task, also for an orphan).
async fn task_workspace(conn: &mut Conn, task_id: i64) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT workspace_name FROM tasks WHERE id = $1")
            .bind(task_id)
            .fetch_one(conn)
            .await?,
    )
}

pub async fn freeze(pool: &Pool, change: &Change, task_id: i64) -> AppResult<Recorded<()>> {
    let (now, p) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let (name, status, _, _) = task_of(&mut tx, p, task_id).await?;
    let workspace = task_workspace(&mut tx, task_id).await?;
    change.about(&workspace);
    if status == "Frozen" {
        return Err(AppError::Conflict(
            Msg::new(k::error_task_already_frozen).with("name", &name),
        ));
    }
    sqlx::query(
        "UPDATE task_running_periods SET ended_at = $1 WHERE task_id = $2 AND ended_at IS NULL",
    )
    .bind(now)
    .bind(task_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE tasks SET status = 'Frozen' WHERE id = $1")
        .bind(task_id)
        .execute(&mut *tx)
        .await?;
    let message = Msg::new(k::event_task).with("name", &name);
    audit::commit(tx, change, Action::FreezeTask, &workspace, message, ()).await
}

pub async fn unfreeze(pool: &Pool, change: &Change, task_id: i64) -> AppResult<Recorded<()>> {
    let (now, p) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let (name, status, workspace_id, node_id) = task_of(&mut tx, p, task_id).await?;
    let workspace = task_workspace(&mut tx, task_id).await?;
    change.about(&workspace);
    if workspace_id.is_none() {
        return Err(AppError::Conflict(
            Msg::new(k::error_task_orphaned).with("name", &name),
        ));
    }
    if status == "Running" {
        return Err(AppError::Conflict(
            Msg::new(k::error_task_already_running).with("name", &name),
        ));
    }
    sqlx::query("INSERT INTO task_running_periods (task_id, started_at) VALUES ($1, $2)")
        .bind(task_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE tasks SET status = 'Running' WHERE id = $1")
        .bind(task_id)
        .execute(&mut *tx)
        .await?;
    if let Some(node_id) = node_id {
        dependencies::settle_waiting(&mut tx, now, p.account_id, Scope::Node(node_id)).await?;
    }
    let message = Msg::new(k::event_task).with("name", &name);
    audit::commit(tx, change, Action::UnfreezeTask, &workspace, message, ()).await
}

/// Deletes a task; its node, if it still has one, is no longer published.
pub async fn delete(pool: &Pool, change: &Change, task_id: i64) -> AppResult<Recorded<()>> {
    let p = &change.principal;
    let mut tx = crate::store::write_tx(pool).await?;
    let (name, _, _, _) = task_of(&mut tx, p, task_id).await?;
    let workspace = task_workspace(&mut tx, task_id).await?;
    change.about(&workspace);
    sqlx::query(
        "UPDATE assets SET node_status = 'committed'
         WHERE id = (SELECT node_id FROM tasks WHERE id = $1) AND node_status = 'published'",
    )
    .bind(task_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM tasks WHERE id = $1")
        .bind(task_id)
        .execute(&mut *tx)
        .await?;
    let message = Msg::new(k::event_task).with("name", &name);
    audit::commit(tx, change, Action::DeleteTask, &workspace, message, ()).await
}
