//! The database side of an export: which workspace (checked for the caller), then its contents
//! in bounded batches, each a short read of its own.
use crate::assets::Asset;
use crate::domain::{Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::store::{Conn, Pool};
use crate::workspaces::store as stage;
use serde::Serialize;

/// What is exported: an active workspace by name, or a Recycle Bin entry by id.
#[derive(Debug, Clone)]
pub enum Which {
    Active(String),
    Binned(i64),
}

/// The workspace as `workspace.json` describes it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Exported {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub description: String,
    #[sqlx(try_from = "crate::store::Flag")]
    pub data_modeling: bool,
    pub created_by: String,
    pub created_at: i64,
    pub deleted_by: Option<String>,
    pub deleted_at: Option<i64>,
    pub purge_at: Option<i64>,
}

const COLUMNS: &str = "id, name, display_name, description, data_modeling, created_by, created_at, deleted_by, deleted_at, purge_at";

/// The workspace the caller may export, or 404: an active one of their account by name, or an
/// entry of their account's Recycle Bin whose 14 days are not over and whose purge has not begun.
pub async fn find(
    conn: &mut Conn,
    p: &Principal,
    now: Timestamp,
    which: &Which,
) -> AppResult<Exported> {
    let found = match which {
        // A name outside the naming rules names no workspace (and is never sent to the database).
        Which::Active(name) if crate::domain::WorkspaceName::parse(name).is_err() => None,
        Which::Active(name) => {
            sqlx::query_as::<_, Exported>(&format!(
                "SELECT {COLUMNS} FROM workspaces WHERE account_id = $1 AND name = $2 AND {}",
                stage::active("")
            ))
            .bind(p.account_id)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await?
        }
        Which::Binned(id) => {
            sqlx::query_as::<_, Exported>(&format!(
                "SELECT {COLUMNS} FROM workspaces
                 WHERE account_id = $1 AND id = $2 AND {} AND purge_at > $3",
                stage::in_bin("")
            ))
            .bind(p.account_id)
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    found.ok_or_else(|| {
        AppError::NotFound(match which {
            Which::Active(name) => {
                Msg::new(k::error_export_no_workspace).with("name", crate::domain::text::echo(name))
            }
            Which::Binned(_) => Msg::new(k::error_export_no_entry),
        })
    })
}

/// One asset as `workspace.json` lists it; a node also names its code's file and its versions.
#[derive(Debug, Serialize)]
pub struct AssetEntry<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub product: &'a str,
    pub name: &'a str,
    #[serde(rename = "type")]
    pub subtype: &'a str,
    pub detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_status: Option<&'a str>,
    pub created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<VersionEntry<'a>>>,
}

/// A committed version as `workspace.json` lists it.
#[derive(Debug, Serialize)]
pub struct VersionEntry<'a> {
    pub version: i64,
    pub committed_by: &'a str,
    pub committed_at: i64,
    pub file: String,
}

/// The next `limit` assets of `kind` after id `after`, by id (a range of `assets_by_kind_id`).
pub async fn assets_after(
    pool: &Pool,
    workspace_id: i64,
    kind: &str,
    after: i64,
    limit: i64,
) -> AppResult<Vec<Asset>> {
    Ok(sqlx::query_as::<_, Asset>(
        "SELECT id, kind, product, name, subtype, detail, node_status, created_at FROM assets
         WHERE workspace_id = $1 AND kind = $2 AND id > $3 ORDER BY id LIMIT $4",
    )
    .bind(workspace_id)
    .bind(kind)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// A committed version's record (its code is a file of its own).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    pub node_id: i64,
    pub version: i64,
    pub committed_by: String,
    pub committed_at: i64,
}

/// The versions of the nodes whose ids are in `(after, upto]`, by node then version.
pub async fn versions_between(
    pool: &Pool,
    workspace_id: i64,
    after: i64,
    upto: i64,
) -> AppResult<Vec<VersionRow>> {
    Ok(sqlx::query_as::<_, VersionRow>(
        "SELECT v.node_id, v.version, v.committed_by, v.committed_at
         FROM node_versions v JOIN assets a ON a.id = v.node_id
         WHERE a.workspace_id = $1 AND a.kind = 'node' AND a.id > $2 AND a.id <= $3
         ORDER BY v.node_id, v.version",
    )
    .bind(workspace_id)
    .bind(after)
    .bind(upto)
    .fetch_all(pool)
    .await?)
}

/// An auto triggered task of the workspace, with its schedule.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub name: String,
    pub node: Option<String>,
    pub node_version: i64,
    pub status: String,
    pub interval_secs: i64,
    pub price_cents: i64,
    pub anchor_at: i64,
}

pub async fn tasks_after(
    pool: &Pool,
    workspace_id: i64,
    after: i64,
    limit: i64,
) -> AppResult<Vec<TaskRow>> {
    Ok(sqlx::query_as::<_, TaskRow>(
        "SELECT t.id, t.name, a.name AS node, t.node_version, t.status, t.interval_secs, t.price_cents, t.anchor_at
         FROM tasks t LEFT JOIN assets a ON a.id = t.node_id
         WHERE t.workspace_id = $1 AND t.id > $2 ORDER BY t.id LIMIT $3",
    )
    .bind(workspace_id)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// A node with its current code.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NodeCode {
    pub id: i64,
    pub product: String,
    pub subtype: String,
    pub code: String,
}

pub async fn nodes_after(
    pool: &Pool,
    workspace_id: i64,
    after: i64,
    limit: i64,
) -> AppResult<Vec<NodeCode>> {
    Ok(sqlx::query_as::<_, NodeCode>(
        "SELECT id, product, subtype, code FROM assets
         WHERE workspace_id = $1 AND kind = 'node' AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(workspace_id)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The next `limit` committed versions, after `cursor` (node id, version), of the nodes whose ids
/// are in `(range.0, range.1]`: (node id, version, code).
pub async fn version_code_page(
    pool: &Pool,
    workspace_id: i64,
    range: (i64, i64),
    cursor: (i64, i64),
    limit: i64,
) -> AppResult<Vec<(i64, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT v.node_id, v.version, v.code
         FROM node_versions v JOIN assets a ON a.id = v.node_id
         WHERE a.workspace_id = $1 AND a.kind = 'node' AND a.id > $2 AND a.id <= $3
           AND (v.node_id > $4 OR (v.node_id = $4 AND v.version > $5))
         ORDER BY v.node_id, v.version LIMIT $6",
    )
    .bind(workspace_id)
    .bind(range.0)
    .bind(range.1)
    .bind(cursor.0)
    .bind(cursor.1)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The workspace still exists and no permanent deletion of it has begun.
pub async fn still_there(pool: &Pool, workspace_id: i64) -> AppResult<bool> {
    stage::still_there(pool, workspace_id).await
}
