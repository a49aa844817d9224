use super::{
    Asset, AssetCount, AssetKind, NodeDetail, NodeSummary, NodeVersion, PRODUCTS, WorkspaceOverview,
};
use crate::domain::Principal;
use crate::domain::audit::Action;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::operations::service as tasks;
use crate::server::audit::{self, Change, Recorded};
use crate::store::{Conn, Pool};
use crate::workspaces::service::{find_active, find_active_in};

pub struct NewAsset {
    pub kind: String,
    pub product: String,
    pub name: String,
    pub subtype: String,
    pub detail: String,
}

/// Counts of every asset type of a workspace, split DataWorks / PAI. The deletion dialog, the
/// deletion itself and the recovery report all read this one query.
pub async fn counts(conn: &mut Conn, workspace_id: i64) -> AppResult<Vec<AssetCount>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, product, count(*) FROM assets WHERE workspace_id = $1 GROUP BY kind, product",
    )
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(AssetKind::ALL
        .into_iter()
        .map(|kind| {
            let of = |product: &str| {
                rows.iter()
                    .filter(|(k, p, _)| k == kind.as_str() && p == product)
                    .map(|(_, _, n)| *n)
                    .sum()
            };
            AssetCount {
                kind,
                dataworks: of("DataWorks"),
                pai: of("PAI"),
            }
        })
        .collect())
}

/// Deletes what a workspace being deleted loses for good: its data integration tasks, models
/// and metrics.
pub async fn delete_unrecoverable(conn: &mut Conn, workspace_id: i64) -> AppResult<()> {
    sqlx::query(
        "DELETE FROM assets WHERE workspace_id = $1 AND kind IN ('di_task', 'model', 'metric')",
    )
    .bind(workspace_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A recovered workspace's published nodes come back committed (to publish again); answers them
/// by product and name.
pub async fn unpublish_nodes(conn: &mut Conn, workspace_id: i64) -> AppResult<Vec<NodeSummary>> {
    let mut nodes = sqlx::query_as::<_, NodeSummary>(
        "UPDATE assets SET node_status = 'committed'
         WHERE workspace_id = $1 AND kind = 'node' AND node_status = 'published'
         RETURNING id, name, product, subtype, node_status AS status",
    )
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    nodes.sort_by(|a, b| (&a.product, &a.name).cmp(&(&b.product, &b.name)));
    Ok(nodes)
}

/// Copies node `node_id` of workspace `from` (a Recycle Bin entry) into workspace `to` (SPEC §23):
/// a new node of the same name, product, type and code with its committed versions (times and
/// authors kept), unpublished (committed when its code is its last version, else a draft), with no
/// dependencies and no task. Answers its name and the copy's id, or its name ("" for no node of
/// `from`) and the refusal of this node alone: 404 for no such node, 409 for a name taken in `to`.
pub async fn copy_node(
    conn: &mut Conn,
    from: i64,
    node_id: i64,
    to: i64,
    now: crate::domain::Timestamp,
) -> AppResult<Result<(String, i64), (String, AppError)>> {
    let node: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT name, product, subtype, detail, code, node_status FROM assets
         WHERE id = $1 AND workspace_id = $2 AND kind = 'node'",
    )
    .bind(node_id)
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((name, product, subtype, detail, code, status)) = node else {
        return Ok(Err((
            String::new(),
            AppError::NotFound(Msg::new(k::error_not_a_node_of_entry).with("id", node_id)),
        )));
    };
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM assets WHERE workspace_id = $1 AND kind = 'node' AND product = $2 AND name = $3",
    )
    .bind(to)
    .bind(&product)
    .bind(&name)
    .fetch_optional(&mut *conn)
    .await?;
    if taken.is_some() {
        let workspace: String = sqlx::query_scalar("SELECT name FROM workspaces WHERE id = $1")
            .bind(to)
            .fetch_one(&mut *conn)
            .await?;
        let error = AppError::Conflict(
            Msg::new(k::error_node_name_taken_in)
                .with("name", &name)
                .with("workspace", workspace),
        );
        return Ok(Err((name, error)));
    }
    let status = if status == "draft" {
        "draft"
    } else {
        "committed"
    };
    let copied: i64 = sqlx::query_scalar(
        "INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, code, node_status, created_at)
         VALUES ($1, 'node', $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(to)
    .bind(&product)
    .bind(&name)
    .bind(&subtype)
    .bind(&detail)
    .bind(&code)
    .bind(status)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO node_versions (node_id, version, code, committed_by, committed_at)
         SELECT $1, version, code, committed_by, committed_at FROM node_versions WHERE node_id = $2",
    )
    .bind(copied)
    .bind(node_id)
    .execute(&mut *conn)
    .await?;
    Ok(Ok((name, copied)))
}

/// Removes at most `limit` assets (with their node versions: ON DELETE CASCADE, found through
/// their node_id index) of purged workspaces `ids`; answers how many.
pub async fn remove_some_of(conn: &mut Conn, ids: &[i64], limit: i64) -> AppResult<u64> {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    Ok(sqlx::query(&format!(
        "DELETE FROM assets WHERE id IN (SELECT id FROM assets WHERE workspace_id IN ({list}) LIMIT $1)"
    ))
    .bind(limit)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

/// An asset type the console does not know, refused.
fn unknown_kind(kind: &str) -> AppError {
    AppError::Invalid(
        Msg::new(k::error_unknown_asset_type).with("kind", crate::domain::text::echo(kind)),
    )
}

pub async fn overview(pool: &Pool, p: &Principal, workspace: &str) -> AppResult<WorkspaceOverview> {
    let ws = find_active(pool, p, workspace).await?;
    let mut conn = pool.acquire().await?;
    let counts = counts(&mut conn, ws.id).await?;
    let (running_tasks, frozen_tasks): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'Running'), count(*) FILTER (WHERE status = 'Frozen')
         FROM tasks WHERE workspace_id = $1",
    )
    .bind(ws.id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(WorkspaceOverview {
        pai_workspace: ws.name.clone(),
        workspace: ws,
        counts,
        running_tasks,
        frozen_tasks,
    })
}

pub async fn list(
    pool: &Pool,
    p: &Principal,
    workspace: &str,
    kind: &str,
) -> AppResult<Vec<Asset>> {
    let ws = find_active(pool, p, workspace).await?;
    let kind = AssetKind::parse(kind).ok_or_else(|| unknown_kind(kind))?;
    Ok(sqlx::query_as::<_, Asset>(
        "SELECT id, kind, product, name, subtype, detail, node_status, created_at FROM assets
         WHERE workspace_id = $1 AND kind = $2 ORDER BY product, name",
    )
    .bind(ws.id)
    .bind(kind.as_str())
    .fetch_all(pool)
    .await?)
}

pub async fn add(
    pool: &Pool,
    change: &Change,
    workspace: &str,
    input: NewAsset,
) -> AppResult<Recorded<Asset>> {
    let (now, p) = (change.now, &change.principal);
    let kind = AssetKind::parse(&input.kind).ok_or_else(|| unknown_kind(&input.kind))?;
    if !PRODUCTS.contains(&input.product.as_str()) {
        return Err(AppError::Invalid(Msg::new(k::error_product)));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 128 {
        return Err(AppError::Invalid(Msg::new(k::error_asset_name_length)));
    }
    crate::domain::text::single_line(k::field_name, name).map_err(AppError::Invalid)?;
    if !kind.subtypes().contains(&input.subtype.as_str()) {
        return Err(AppError::Invalid(
            Msg::new(k::error_asset_type)
                .with_text("what", kind.singular_key())
                .with("types", kind.subtypes().join(", ")),
        ));
    }
    let detail = input.detail.trim();
    if detail.chars().count() > 500 {
        return Err(AppError::Invalid(
            Msg::new(k::error_at_most_chars)
                .with_text("what", kind.detail_label())
                .with("max", 500),
        ));
    }
    crate::domain::text::single_line(kind.detail_label(), detail).map_err(AppError::Invalid)?;
    let mut tx = crate::store::write_tx(pool).await?;
    let ws = find_active_in(&mut tx, p, workspace).await?;
    if kind.needs_data_modeling() && !ws.data_modeling {
        return Err(AppError::Invalid(
            Msg::new(k::error_needs_data_modeling)
                .with_text("what", kind.label_key())
                .with("name", &ws.name),
        ));
    }
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM assets WHERE workspace_id = $1 AND kind = $2 AND product = $3 AND name = $4",
    )
    .bind(ws.id)
    .bind(kind.as_str())
    .bind(&input.product)
    .bind(name)
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(
            Msg::new(k::error_asset_name_taken)
                .with_text("what", kind.singular_key())
                .with("name", name)
                .with("product", &input.product),
        ));
    }
    let (code, status) = match kind {
        AssetKind::Node => (format!("-- {name}\n"), Some("draft")),
        _ => (String::new(), None),
    };
    let asset = sqlx::query_as::<_, Asset>(
        "INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, code, node_status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id, kind, product, name, subtype, detail, node_status, created_at",
    )
    .bind(ws.id)
    .bind(kind.as_str())
    .bind(&input.product)
    .bind(name)
    .bind(&input.subtype)
    .bind(detail)
    .bind(code)
    .bind(status)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let message = Msg::new(k::event_asset_added)
        .with_text("kind", kind.singular_key())
        .with("name", &asset.name)
        .with("product", &asset.product);
    audit::commit(tx, change, Action::AddAsset, &ws.name, message, asset).await
}

pub async fn list_nodes(
    pool: &Pool,
    p: &Principal,
    workspace: &str,
) -> AppResult<Vec<NodeSummary>> {
    let ws = find_active(pool, p, workspace).await?;
    Ok(sqlx::query_as::<_, NodeSummary>(
        "SELECT id, name, product, subtype, node_status AS status FROM assets
         WHERE workspace_id = $1 AND kind = 'node' ORDER BY product, name",
    )
    .bind(ws.id)
    .fetch_all(pool)
    .await?)
}

/// Node `node_id` of workspace `workspace_id` (active or in the Recycle Bin), with its code,
/// versions, task and upstream.
pub async fn load_node(conn: &mut Conn, workspace_id: i64, node_id: i64) -> AppResult<NodeDetail> {
    let row: Option<(i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, name, product, subtype, node_status, code FROM assets WHERE id = $1 AND workspace_id = $2 AND kind = 'node'",
    )
    .bind(node_id)
    .bind(workspace_id)
    .fetch_optional(&mut *conn)
    .await?;
    let (id, name, product, subtype, status, code) =
        row.ok_or_else(|| AppError::NotFound(Msg::new(k::error_node_not_in_workspace)))?;
    let versions = sqlx::query_as::<_, NodeVersion>(
        "SELECT version, committed_by, committed_at FROM node_versions WHERE node_id = $1 ORDER BY version DESC",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let task_status: Option<String> =
        sqlx::query_scalar("SELECT status FROM tasks WHERE node_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let upstream = crate::dependencies::service::upstream_list(conn, id).await?;
    Ok(NodeDetail {
        node: NodeSummary {
            id,
            name,
            product,
            subtype,
            status,
        },
        code,
        versions,
        task_status,
        upstream,
    })
}

pub async fn node_detail(
    pool: &Pool,
    p: &Principal,
    workspace: &str,
    node_id: i64,
) -> AppResult<NodeDetail> {
    let ws = find_active(pool, p, workspace).await?;
    load_node(&mut *pool.acquire().await?, ws.id, node_id).await
}

pub async fn save_code(
    pool: &Pool,
    change: &Change,
    workspace: &str,
    node_id: i64,
    code: &str,
) -> AppResult<Recorded<NodeDetail>> {
    let p = &change.principal;
    if code.len() > 200_000 {
        return Err(AppError::Invalid(Msg::new(k::error_code_too_long)));
    }
    crate::domain::text::multi_line(k::field_code, code).map_err(AppError::Invalid)?;
    let mut tx = crate::store::write_tx(pool).await?;
    let ws = find_active_in(&mut tx, p, workspace).await?;
    load_node(&mut tx, ws.id, node_id).await?;
    sqlx::query(
        "UPDATE assets SET code = $1, node_status = CASE WHEN code = $1 THEN node_status ELSE 'draft' END WHERE id = $2",
    )
    .bind(code)
    .bind(node_id)
    .execute(&mut *tx)
    .await?;
    let detail = load_node(&mut tx, ws.id, node_id).await?;
    let message = Msg::new(k::event_node).with("name", &detail.node.name);
    audit::commit(tx, change, Action::SaveNode, &ws.name, message, detail).await
}

/// Records the node's current code as its next version.
pub async fn commit(
    pool: &Pool,
    change: &Change,
    workspace: &str,
    node_id: i64,
) -> AppResult<Recorded<NodeDetail>> {
    let (now, p) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let ws = find_active_in(&mut tx, p, workspace).await?;
    let node = load_node(&mut tx, ws.id, node_id).await?;
    if node.node.status != "draft" {
        return Err(AppError::Conflict(
            Msg::new(k::error_nothing_to_commit)
                .with("name", &node.node.name)
                .with("version", node.versions.first().map_or(0, |v| v.version)),
        ));
    }
    let next = node.versions.first().map_or(1, |v| v.version + 1);
    sqlx::query("INSERT INTO node_versions (node_id, version, code, committed_by, committed_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(node_id)
        .bind(next)
        .bind(&node.code)
        .bind(p.sign_in_name())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE assets SET node_status = 'committed' WHERE id = $1")
        .bind(node_id)
        .execute(&mut *tx)
        .await?;
    let detail = load_node(&mut tx, ws.id, node_id).await?;
    let message = Msg::new(k::event_node).with("name", &detail.node.name);
    audit::commit(tx, change, Action::CommitNode, &ws.name, message, detail).await
}

/// Publishes the latest committed version: creates the node's auto triggered task, or updates it.
pub async fn publish(
    pool: &Pool,
    change: &Change,
    workspace: &str,
    node_id: i64,
) -> AppResult<Recorded<NodeDetail>> {
    let (now, p) = (change.now, &change.principal);
    let mut tx = crate::store::write_tx(pool).await?;
    let ws = find_active_in(&mut tx, p, workspace).await?;
    let node = load_node(&mut tx, ws.id, node_id).await?;
    let Some(latest) = node.versions.first() else {
        return Err(AppError::Invalid(
            Msg::new(k::error_no_committed_version).with("name", &node.node.name),
        ));
    };
    if node.node.status == "draft" {
        return Err(AppError::Invalid(
            Msg::new(k::error_uncommitted_changes).with("name", &node.node.name),
        ));
    }
    tasks::upsert_for_node(
        &mut tx,
        now,
        p.account_id,
        &ws,
        node_id,
        &node.node.name,
        latest.version,
    )
    .await?;
    sqlx::query("UPDATE assets SET node_status = 'published' WHERE id = $1")
        .bind(node_id)
        .execute(&mut *tx)
        .await?;
    let detail = load_node(&mut tx, ws.id, node_id).await?;
    let message = Msg::new(k::event_node).with("name", &detail.node.name);
    audit::commit(tx, change, Action::PublishNode, &ws.name, message, detail).await
}
