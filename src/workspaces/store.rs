//! The one owner of the `workspaces` row: every statement that reads a row's stage or writes the
//! table, and the one spelling of the stages in SQL. Deletion and the Recycle Bin orchestrate
//! (check, call the owners of tasks, assets and this row, audit); they write no row here.
use super::WorkspaceRow;
use crate::domain::lifecycle::Stage;
use crate::domain::time::format_utc;
use crate::domain::{Principal, Timestamp, text};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::store::{Conn, Flag, Pool};

// The stages in SQL, for the `workspaces` table under alias `t` (or `""` when it has none):
// Active (`deleted_at` empty), In Recycle Bin (deleted, no purge begun), being purged (deleted,
// purge begun; its rows are going). Nowhere else spells them.

fn column(t: &str, name: &str) -> String {
    if t.is_empty() {
        name.to_owned()
    } else {
        format!("{t}.{name}")
    }
}

/// The row is an active workspace.
pub fn active(t: &str) -> String {
    format!("{} IS NULL", column(t, "deleted_at"))
}

/// The row is an entry of the Recycle Bin (deleted, its purge not begun).
pub fn in_bin(t: &str) -> String {
    format!(
        "{} IS NOT NULL AND {}",
        column(t, "deleted_at"),
        not_purging(t)
    )
}

/// The row was deleted: in the Recycle Bin or being purged.
pub fn deleted(t: &str) -> String {
    format!("{} IS NOT NULL", column(t, "deleted_at"))
}

/// No purge of the row has begun: active or in the Recycle Bin.
pub fn not_purging(t: &str) -> String {
    format!("{} IS NULL", column(t, "purge_started_at"))
}

pub const COLUMNS: &str = "id, name, display_name, description, data_modeling, deletion_protection, created_by, created_at";

/// An active workspace of the caller's account by name; anything else answers as missing.
pub async fn find_active(pool: &Pool, p: &Principal, name: &str) -> AppResult<WorkspaceRow> {
    find_active_where(&mut *pool.acquire().await?, p, name, "").await
}

/// The same, read and locked inside a write transaction: a write that depends on the workspace
/// being active holds its row until it commits, so a concurrent delete, recover or purge comes
/// wholly before or wholly after it.
pub async fn find_active_in(conn: &mut Conn, p: &Principal, name: &str) -> AppResult<WorkspaceRow> {
    let lock = crate::store::lock_row(conn);
    find_active_where(conn, p, name, lock).await
}

async fn find_active_where(
    conn: &mut Conn,
    p: &Principal,
    name: &str,
    lock: &str,
) -> AppResult<WorkspaceRow> {
    sqlx::query_as::<_, WorkspaceRow>(&format!(
        "SELECT {COLUMNS} FROM workspaces WHERE account_id = $1 AND name = $2 AND {}{lock}",
        active("")
    ))
    .bind(p.account_id)
    .bind(name)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| not_found(name))
}

/// "Workspace "…" does not exist.": how a name that is no active workspace of the account is
/// refused.
pub fn not_found(name: &str) -> AppError {
    AppError::NotFound(Msg::new(k::error_workspace_not_found).with("name", text::echo(name)))
}

/// Why `name` cannot be used in this account, if it cannot: taken by an active workspace, or
/// reserved by a Recycle Bin entry (names are compared ignoring letter case).
pub async fn name_unavailable(
    conn: &mut Conn,
    account_id: i64,
    name: &str,
) -> AppResult<Option<AppError>> {
    let existing: Option<(String, Option<Timestamp>, Option<Timestamp>)> = sqlx::query_as(
        "SELECT name, deleted_at, purge_at FROM workspaces WHERE account_id = $1 AND name = $2",
    )
    .bind(account_id)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(existing.map(
        |(existing, deleted_at, purge_at)| match (deleted_at, purge_at) {
            (Some(deleted_at), Some(purge_at)) => AppError::NameReserved(
                Msg::new(k::error_name_reserved)
                    .with("name", name)
                    .with("existing", existing)
                    .with("deleted", format_utc(deleted_at))
                    .with("released", format_utc(purge_at)),
            ),
            _ => name_taken(&existing),
        },
    ))
}

/// "A workspace named "…" already exists in this account. Choose another name."
pub fn name_taken(name: &str) -> AppError {
    AppError::Conflict(Msg::new(k::error_name_taken).with("name", name))
}

/// A new workspace's row, checked by the caller.
pub struct NewRow<'a> {
    pub name: &'a str,
    pub display_name: String,
    pub description: String,
    pub data_modeling: bool,
    pub deletion_protection: bool,
}

/// Inserts a new active workspace; a unique violation (the name taken meanwhile) comes back as
/// the database's error for the caller to answer.
pub async fn create(
    conn: &mut Conn,
    now: Timestamp,
    p: &Principal,
    row: NewRow<'_>,
) -> Result<WorkspaceRow, sqlx::Error> {
    sqlx::query_as::<_, WorkspaceRow>(&format!(
        "INSERT INTO workspaces (account_id, name, display_name, description, data_modeling, deletion_protection, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(p.account_id)
    .bind(row.name)
    .bind(row.display_name)
    .bind(row.description)
    .bind(row.data_modeling)
    .bind(row.deletion_protection)
    .bind(p.sign_in_name())
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Turns deletion protection of workspace `id` on or off.
pub async fn set_protection(conn: &mut Conn, id: i64, enabled: bool) -> AppResult<WorkspaceRow> {
    Ok(sqlx::query_as::<_, WorkspaceRow>(&format!(
        "UPDATE workspaces SET deletion_protection = $1 WHERE id = $2 RETURNING {COLUMNS}"
    ))
    .bind(enabled)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?)
}

/// A workspace row read and locked inside a write transaction, with its stage.
pub struct Locked {
    pub id: i64,
    pub name: String,
    pub stage: Stage,
    /// Its deletion protection.
    pub protected: bool,
}

/// Workspace `name` of the account, in any stage, locked until the transaction ends; none if
/// the account has no row of that name.
pub async fn lock_by_name(
    conn: &mut Conn,
    account_id: i64,
    name: &str,
) -> AppResult<Option<Locked>> {
    let lock = crate::store::lock_row(conn);
    let found: Option<(i64, String, Option<i64>, Option<i64>, Flag)> = sqlx::query_as(&format!(
        "SELECT id, name, deleted_at, purge_at, deletion_protection FROM workspaces WHERE account_id = $1 AND name = $2{lock}"
    ))
    .bind(account_id)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, name, deleted_at, purge_at, protected)) = found else {
        return Ok(None);
    };
    let stage = Stage::of(deleted_at, purge_at).ok_or(AppError::Internal)?;
    Ok(Some(Locked {
        id,
        name,
        stage,
        protected: protected.into(),
    }))
}

/// Workspace `id` of the account and its stage, locked until the transaction ends; none if it
/// is gone (purged, or its purge has begun).
pub async fn lock_entry(
    conn: &mut Conn,
    account_id: i64,
    id: i64,
) -> AppResult<Option<(String, Stage)>> {
    let lock = crate::store::lock_row(conn);
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT name, deleted_at, purge_at FROM workspaces
         WHERE id = $1 AND account_id = $2 AND {}{lock}",
        not_purging("")
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name, deleted_at, purge_at)) = row else {
        return Ok(None);
    };
    let stage = Stage::of(deleted_at, purge_at).ok_or(AppError::Internal)?;
    Ok(Some((name, stage)))
}

/// When entry `id` of the account was deleted, if it is still there and deleted.
pub async fn deleted_at(pool: &Pool, account_id: i64, id: i64) -> AppResult<Option<Timestamp>> {
    let at: Option<Option<i64>> = sqlx::query_scalar(&format!(
        "SELECT deleted_at FROM workspaces WHERE id = $1 AND account_id = $2 AND {}",
        not_purging("")
    ))
    .bind(id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    Ok(at.flatten())
}

/// The workspace still exists and no permanent deletion of it has begun.
pub async fn still_there(pool: &Pool, workspace_id: i64) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM workspaces WHERE id = $1 AND {}",
        not_purging("")
    ))
    .bind(workspace_id)
    .fetch_one(pool)
    .await?;
    Ok(n == 1)
}

/// How many entries every account's Recycle Bin holds.
pub async fn count_in_bins(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT count(*) FROM workspaces WHERE {}",
        in_bin("")
    ))
    .fetch_one(pool)
    .await
}

/// Moves workspace `id` to the Recycle Bin until `purge_at`, deleted by `p`, keeping
/// `kept_counts` (the counts as JSON) with the entry.
pub async fn move_to_bin(
    conn: &mut Conn,
    now: Timestamp,
    p: &Principal,
    id: i64,
    purge_at: Timestamp,
    kept_counts: String,
) -> AppResult<()> {
    sqlx::query("UPDATE workspaces SET deleted_at = $1, deleted_by = $2, purge_at = $3, binned_counts = $4, deleted_by_id = $6 WHERE id = $5")
        .bind(now)
        .bind(p.sign_in_name())
        .bind(purge_at)
        .bind(kept_counts)
        .bind(id)
        .bind(p.user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes entry `id` an active workspace again; answers the counts kept with it (as JSON).
pub async fn restore(conn: &mut Conn, id: i64) -> AppResult<Option<String>> {
    let kept: Option<String> =
        sqlx::query_scalar("SELECT binned_counts FROM workspaces WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    sqlx::query(
        "UPDATE workspaces SET deleted_at = NULL, deleted_by = NULL, purge_at = NULL, binned_counts = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(kept)
}

/// Claims entries `ids` for their purge at `at` (they leave the Recycle Bin), or renews the
/// claim of entries being purged.
pub async fn claim_for_purge(conn: &mut Conn, at: Timestamp, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "UPDATE workspaces SET purge_started_at = $1 WHERE id IN ({})",
        id_list(ids)
    ))
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An entry claimed by the purge job.
pub struct Claimed {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    /// When a purge of it began before (an instance died), else none: claimed for the first time.
    pub started: Option<Timestamp>,
    pub deleted_at: Timestamp,
}

/// Claims at most `limit` entries whose 14 days are up, or whose purge's claim was not renewed
/// for `lease_secs`, taking only rows no other instance holds.
pub async fn claim_expired(
    conn: &mut Conn,
    now: Timestamp,
    limit: i64,
    lease_secs: i64,
) -> AppResult<Vec<Claimed>> {
    let claim = crate::store::claim_rows(conn);
    let claimed: Vec<(i64, i64, String, Option<i64>, i64)> = sqlx::query_as(&format!(
        "SELECT id, account_id, name, purge_started_at, deleted_at FROM workspaces WHERE {}
         AND (({} AND purge_at <= $1) OR purge_started_at <= $1 - $3)
         ORDER BY purge_at, id LIMIT $2{claim}",
        deleted(""),
        not_purging("")
    ))
    .bind(now)
    .bind(limit)
    .bind(lease_secs)
    .fetch_all(&mut *conn)
    .await?;
    let claimed: Vec<Claimed> = claimed
        .into_iter()
        .map(|(id, account_id, name, started, deleted_at)| Claimed {
            id,
            account_id,
            name,
            started,
            deleted_at,
        })
        .collect();
    let ids: Vec<i64> = claimed.iter().map(|c| c.id).collect();
    claim_for_purge(conn, now, &ids).await?;
    Ok(claimed)
}

/// Removes the rows of purged entries `ids` (whose assets are gone): their names are free again.
/// Answers how many were removed.
pub async fn release(pool: &Pool, ids: &[i64]) -> AppResult<u64> {
    Ok(sqlx::query(&format!(
        "DELETE FROM workspaces WHERE id IN ({}) AND {} AND purge_started_at IS NOT NULL",
        id_list(ids),
        deleted("")
    ))
    .execute(pool)
    .await?
    .rows_affected())
}

/// `ids` as a SQL list (numbers only, so nothing to escape).
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
