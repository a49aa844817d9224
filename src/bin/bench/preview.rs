//! The "Delete Workspace" dialog's preview of a workspace on which 10,000 nodes of 1,000 other
//! workspaces depend (SPEC §16), against the same reads in bare SQL; and its deletion (which stops
//! those nodes' tasks) against the bare statements of a deletion.
use super::{R, T0, Target, bare_delete, compare, median, report, root};
use std::time::{Duration, Instant};
use workspace_console::deletion::service as deletion;
use workspace_console::server::audit::Change;
use workspace_console::store::Pool;

const WORKSPACES: i64 = 1_000;
const NODES_EACH: i64 = 10;
const READS: usize = 21;

pub(crate) async fn run(target: &Target) -> R<()> {
    let name = "deps";
    let pool = target.fresh(name).await?;
    let root = root(&pool).await?;
    let hub = seed(&pool, root.account_id).await?;
    let mut conn = pool.acquire().await?;
    let (mut service, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..READS {
        let started = Instant::now();
        let preview = deletion::preview(&pool, T0, &root, "hub").await?;
        service.push(started.elapsed());
        assert_eq!(
            preview.downstream_dependencies.count,
            WORKSPACES * NODES_EACH
        );
        assert_eq!(preview.downstream_dependencies.first.len(), 100);
        let started = Instant::now();
        bare_preview(&mut conn, hub).await?;
        bare.push(started.elapsed());
    }
    drop(conn);
    report(
        &format!(
            "preview of a workspace with {} downstream dependencies from {WORKSPACES} workspaces",
            WORKSPACES * NODES_EACH
        ),
        &service,
        &bare,
        1.5,
    );
    println!(
        "  (median of {READS} reads: service {:.1} ms)",
        median(service.clone()).as_secs_f64() * 1e3
    );
    pool.close().await;
    let (service, bare): (Vec<Duration>, Vec<Duration>) = compare(
        3,
        target,
        name,
        "depdel",
        async |pool: &Pool| {
            deletion::delete(pool, &Change::console(T0, &root), "hub", "hub", true)
                .await
                .map(drop)
                .map_err(Into::into)
        },
        async |pool: &Pool| {
            bare_delete(pool, hub, true).await?;
            // The same row changes: the downstream tasks' Running periods end.
            sqlx::query(
                "UPDATE task_running_periods SET ended_at = 1 WHERE ended_at IS NULL AND task_id IN (
                     SELECT t.id FROM tasks t JOIN node_dependencies d ON d.node_id = t.node_id
                     JOIN assets a ON a.id = d.upstream_id WHERE a.workspace_id = $1 AND t.status = 'Running')",
            )
            .bind(hub)
            .execute(pool)
            .await?;
            Ok(())
        },
    )
    .await?;
    report(
        &format!(
            "delete of that workspace ({} downstream tasks then wait), bare SQL with the audit write and the periods ended too",
            WORKSPACES * NODES_EACH
        ),
        &service,
        &bare,
        1.5,
    );
    target.remove(name).await?;
    Ok(())
}

/// `hub` with 10 published nodes, and 1,000 workspaces of 10 published nodes each, every one of
/// which runs after a node of `hub`.
async fn seed(pool: &Pool, account: i64) -> R<i64> {
    let hub: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, created_by, created_at)
         VALUES ($1, 'hub', 'Hub', 'acme', $2) RETURNING id",
    )
    .bind(account)
    .bind(T0)
    .fetch_one(pool)
    .await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO workspaces (account_id, name, display_name, created_by, created_at)
         SELECT $1, 'down_' || i, 'Down', 'acme', $3 FROM n",
    )
    .bind(account)
    .bind(WORKSPACES)
    .bind(T0)
    .execute(pool)
    .await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, code, node_status, created_at)
         SELECT w.id, 'node', 'DataWorks', 'node_' || n.i, 'ODPS SQL', 'SELECT 1;', 'published', $2
         FROM workspaces w, n",
    )
    .bind(NODES_EACH)
    .bind(T0)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO tasks (account_id, workspace_id, workspace_name, node_id, name, node_version, interval_secs, price_cents, anchor_at, status)
         SELECT $1, w.id, w.name, a.id, a.name, 1, 3600, 50, $2, 'Running'
         FROM assets a JOIN workspaces w ON w.id = a.workspace_id",
    )
    .bind(account)
    .bind(T0 - 86_400)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO task_running_periods (task_id, started_at) SELECT id, anchor_at FROM tasks",
    )
    .execute(pool)
    .await?;
    // Node i of every other workspace runs after node i of hub.
    sqlx::query(
        "INSERT INTO node_dependencies (node_id, upstream_id, account_id, created_at)
         SELECT d.id, u.id, $1, $2 FROM assets d JOIN assets u ON u.name = d.name
         WHERE u.workspace_id = $3 AND d.workspace_id <> $3",
    )
    .bind(account)
    .bind(T0)
    .bind(hub)
    .execute(pool)
    .await?;
    Ok(hub)
}

/// The preview's reads as bare statements: the workspace, its asset counts, its tasks with their
/// periods, and the downstream dependencies (count, first 100).
async fn bare_preview(conn: &mut sqlx::AnyConnection, hub: i64) -> R<()> {
    sqlx::query("SELECT * FROM workspaces WHERE id = $1")
        .bind(hub)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "SELECT kind, product, count(*) FROM assets WHERE workspace_id = $1 GROUP BY kind, product",
    )
    .bind(hub)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("SELECT id, name, status FROM tasks WHERE workspace_id = $1")
        .bind(hub)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query(
        "SELECT p.task_id, p.started_at, p.ended_at FROM task_running_periods p JOIN tasks t ON t.id = p.task_id
         WHERE t.workspace_id = $1",
    )
    .bind(hub)
    .fetch_all(&mut *conn)
    .await?;
    let downstream = "FROM assets un JOIN node_dependencies d ON d.upstream_id = un.id
         JOIN assets dn ON dn.id = d.node_id JOIN workspaces dw ON dw.id = dn.workspace_id
         WHERE un.workspace_id = $1 AND dn.workspace_id <> $1 AND dw.deleted_at IS NULL";
    sqlx::query(&format!("SELECT count(DISTINCT dn.id) {downstream}"))
        .bind(hub)
        .fetch_one(&mut *conn)
        .await?;
    // The first 100 downstream nodes, each with every dependency on `hub`.
    sqlx::query(&format!(
        "WITH shown AS (
             SELECT dn.id, dw.name AS w, dn.name AS n {downstream}
             GROUP BY dn.id, dw.name, dn.name ORDER BY dw.name, dn.name, dn.id LIMIT 100)
         SELECT s.id, s.w, s.n, un.name, (SELECT t.status FROM tasks t WHERE t.node_id = s.id)
         FROM shown s JOIN node_dependencies d ON d.node_id = s.id JOIN assets un ON un.id = d.upstream_id
         WHERE un.workspace_id = $1
         ORDER BY s.w, s.n, s.id, un.name"
    ))
    .bind(hub)
    .fetch_all(&mut *conn)
    .await?;
    Ok(())
}
