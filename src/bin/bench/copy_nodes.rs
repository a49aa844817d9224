//! "Copy to Workspace" at its limit (SPEC §23; issue 46): a Recycle Bin entry of 100 nodes
//! ([`COPY_MAX`]), each with 50 committed versions of 1-2 kB of code, and an active workspace of
//! 1,000 assets. Copying all 100 nodes into it through `recycle_bin::service::copy_nodes` vs the
//! same statements as bare SQL in one transaction (lock the entry, read the target, per node the
//! select, the name check, the insert and the insert of its versions, the audit event), each on
//! a fresh copy of the same database, taking turns; both must leave identical rows. Goal: at most
//! 1.5x.
use super::{R, T0, Target, median, report, root};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::{Duration, Instant};
use workspace_console::assets::{AssetCount, AssetKind};
use workspace_console::domain::Principal;
use workspace_console::domain::audit::{Action, Source};
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::recycle_bin::COPY_MAX;
use workspace_console::recycle_bin::service as bin;
use workspace_console::server::audit::Change;
use workspace_console::store::{Engine, Pool, write_tx};

/// Nodes in the entry (all copied at once) and the committed versions of each.
const NODES: i64 = COPY_MAX as i64;
const VERSIONS: i64 = 50;
/// Assets already in the target workspace (a quarter of them nodes, with a version each).
const TARGET_ASSETS: i64 = 1_000;
const TARGET: &str = "etl_target";
const ROUNDS: usize = 5;
/// The clock of the copies: the entry was deleted 3 days before, its 14 days still running.
const NOW: i64 = T0;
const DELETED_AT: i64 = NOW - 3 * 86_400;

pub(crate) async fn run(target: &Target) -> R<()> {
    let name = "cpn";
    let seeded = Instant::now();
    let (acme, entry, nodes) = seed(target, name).await?;
    println!(
        "seeded a Recycle Bin entry of {NODES} nodes x {VERSIONS} versions (1-2 kB of code each) and an active workspace of {TARGET_ASSETS} assets in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );
    let (mut service, mut bare) = (vec![], vec![]);
    let mut steps = [Duration::ZERO; 7];
    let mut expected: Option<Rows> = None;
    for round in 0..ROUNDS {
        for side in ["s", "b"] {
            let copy = format!("cpn_{side}_{round}");
            let pool = target.copy(name, &copy).await?;
            let started = Instant::now();
            if side == "s" {
                let report =
                    bin::copy_nodes(&pool, &Change::console(NOW, &acme), entry, TARGET, &nodes)
                        .await?
                        .into_inner();
                service.push(started.elapsed());
                assert_eq!(report.results.len(), nodes.len());
                assert!(report.results.iter().all(|r| r.status == 200), "{report:?}");
            } else {
                bare_copy(&pool, target.engine(), &acme, entry, &nodes, &mut steps).await?;
                bare.push(started.elapsed());
            }
            let rows = rows(&pool, &acme, entry).await?;
            match &expected {
                None => expected = Some(rows),
                Some(first) => assert!(
                    *first == rows,
                    "the service and the bare statements left different rows"
                ),
            }
            pool.close().await;
            target.remove(&copy).await?;
        }
    }
    report(
        &format!(
            "copy {NODES} nodes of {VERSIONS} versions out of a Recycle Bin entry (copy_nodes), bare SQL the same statements in one transaction"
        ),
        &service,
        &bare,
        1.5,
    );
    println!(
        "  (medians of {ROUNDS} rounds: service {:.1} ms, bare {:.1} ms; both left identical rows; the bare statements' shares: {})",
        median(service).as_secs_f64() * 1e3,
        median(bare).as_secs_f64() * 1e3,
        super::shares(&STEPS, &steps)
    );
    target.remove(name).await?;
    Ok(())
}

/// SQL-like text with varying numbers, as real code (not a run of one letter), long enough for
/// every version's slice of 1,000-1,999 characters from one of 200 offsets.
fn code_template() -> String {
    let mut code = String::with_capacity(2_400);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    while code.len() < 2_300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        code.push_str(&format!(
            "SELECT o.col_{}, sum(o.amount_{}) FROM ods.t_{} o WHERE o.ds = '${{bizdate}}' AND o.k > {} GROUP BY 1;\n",
            seed % 97,
            seed % 13,
            seed % 31,
            seed % 100_000
        ));
    }
    code
}

/// The database as described at the top, seeded with bulk statements: the entry as a deletion
/// leaves it (`deleted_at`, `deleted_by`, `purge_at`, the counts kept as JSON). Answers acme's
/// root, the entry's id and its nodes' ids.
async fn seed(target: &Target, name: &str) -> R<(Principal, i64, Vec<i64>)> {
    let pool = target.fresh(name).await?;
    let acme = root(&pool).await?;
    // A tenth of the nodes PAI, the rest DataWorks: the counts the deletion kept.
    let kept = serde_json::to_string(
        &AssetKind::ALL
            .into_iter()
            .map(|kind| {
                let pai = if kind == AssetKind::Node {
                    NODES / 5
                } else {
                    0
                };
                let dataworks = if kind == AssetKind::Node {
                    NODES - pai
                } else {
                    0
                };
                AssetCount {
                    kind,
                    dataworks,
                    pai,
                }
            })
            .collect::<Vec<_>>(),
    )?;
    let entry: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, created_by, created_at, deleted_at, deleted_by, purge_at, binned_counts)
         VALUES ($1, 'legacy_etl', 'Legacy ETL', 'acme', $2, $3, 'user1@acme', $4, $5) RETURNING id",
    )
    .bind(acme.account_id)
    .bind(T0 - 400 * 86_400)
    .bind(DELETED_AT)
    .bind(DELETED_AT + RETENTION_SECS)
    .bind(kept)
    .fetch_one(&pool)
    .await?;
    let target_id: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, created_by, created_at)
         VALUES ($1, $2, 'ETL', 'acme', $3) RETURNING id",
    )
    .bind(acme.account_id)
    .bind(TARGET)
    .bind(T0 - 400 * 86_400)
    .fetch_one(&pool)
    .await?;
    // The entry's nodes: every tenth a draft (its code edited after its last version).
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, code, node_status, created_at)
         SELECT $1, 'node',
                CASE WHEN i % 5 = 0 THEN 'PAI' ELSE 'DataWorks' END,
                'node_' || i,
                CASE WHEN i % 5 = 0 THEN 'PAI DLC' ELSE 'ODPS SQL' END,
                'Daily load of dwd.t_' || i,
                '',
                CASE WHEN i % 10 = 3 THEN 'draft' ELSE 'committed' END,
                $3
         FROM n ORDER BY i",
    )
    .bind(entry)
    .bind(NODES)
    .bind(T0 - 365 * 86_400)
    .execute(&pool)
    .await?;
    // 50 versions of each, a week apart, by three authors; each a slice of 1,000-1,999
    // characters of the template under a line naming the node and the version.
    sqlx::query(
        "WITH RECURSIVE v(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM v WHERE n + 1 <= $2)
         INSERT INTO node_versions (node_id, version, code, committed_by, committed_at)
         SELECT a.id, v.n,
                '-- ' || a.name || ', version ' || v.n || $3
                    || substr($4, CAST(1 + (a.id * 13 + v.n * 7) % 200 AS INTEGER),
                                  CAST(1000 + (a.id * 37 + v.n * 11) % 1000 AS INTEGER)),
                CASE v.n % 3 WHEN 0 THEN 'acme' ELSE 'user' || (v.n % 3) || '@acme' END,
                $5 + v.n * 604800
         FROM assets a, v WHERE a.workspace_id = $1 ORDER BY a.id, v.n",
    )
    .bind(entry)
    .bind(VERSIONS)
    .bind("\n")
    .bind(code_template())
    .bind(T0 - 365 * 86_400)
    .execute(&pool)
    .await?;
    sqlx::query(
        "UPDATE assets SET code = (SELECT v.code FROM node_versions v WHERE v.node_id = assets.id AND v.version = $2)
             || CASE WHEN node_status = 'draft' THEN '-- edited since' ELSE '' END
         WHERE workspace_id = $1",
    )
    .bind(entry)
    .bind(VERSIONS)
    .execute(&pool)
    .await?;
    // The target's own assets: every type, a quarter nodes (names other than the copies').
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, code, node_status, created_at)
         SELECT $1,
                CASE i % 4 WHEN 0 THEN 'data_source' WHEN 1 THEN 'compute' WHEN 2 THEN 'node' ELSE 'resource' END,
                CASE WHEN (i / 4) % 2 = 0 THEN 'DataWorks' ELSE 'PAI' END,
                'asset_' || i, 'x', 'detail of asset ' || i,
                CASE WHEN i % 4 = 2 THEN 'SELECT ' || i || ' FROM dual;' ELSE '' END,
                CASE WHEN i % 4 = 2 THEN 'committed' END,
                $3
         FROM n ORDER BY i",
    )
    .bind(target_id)
    .bind(TARGET_ASSETS)
    .bind(T0 - 300 * 86_400)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO node_versions (node_id, version, code, committed_by, committed_at)
         SELECT id, 1, code, 'acme', $2 FROM assets WHERE workspace_id = $1 AND kind = 'node'",
    )
    .bind(target_id)
    .bind(T0 - 300 * 86_400)
    .execute(&pool)
    .await?;
    // Statistics, as a database in use has them.
    sqlx::query("ANALYZE").execute(&pool).await?;
    let nodes: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM assets WHERE workspace_id = $1 AND kind = 'node' ORDER BY id",
    )
    .bind(entry)
    .fetch_all(&pool)
    .await?;
    assert_eq!(nodes.len() as i64, NODES);
    let (versions, chars): (i64, i64) = sqlx::query_as(
        "SELECT count(*), CAST(sum(length(code)) AS BIGINT) FROM node_versions
         WHERE node_id IN (SELECT id FROM assets WHERE workspace_id = $1)",
    )
    .bind(entry)
    .fetch_one(&pool)
    .await?;
    assert_eq!(versions, NODES * VERSIONS);
    let mean = chars / versions;
    assert!(
        (1_000..=2_100).contains(&mean),
        "{mean} characters a version"
    );
    pool.close().await;
    Ok((acme, entry, nodes))
}

/// The statements of one copy, in the order `copy_nodes` runs them.
const STEPS: [&str; 7] = [
    "lock the entry",
    "read the target",
    "select the node",
    "name check",
    "insert the node",
    "insert its versions",
    "audit event + commit",
];

/// The statements `copy_nodes` runs (`workspaces::store::lock_entry`, `find_active_in`, per node
/// `assets::service::copy_node`, `audit::commit`), as bare SQL in one transaction; each
/// statement's time is added to `steps` (BEGIN counts with the lock, COMMIT with the event).
async fn bare_copy(
    pool: &Pool,
    engine: Engine,
    acme: &Principal,
    entry: i64,
    nodes: &[i64],
    steps: &mut [Duration; 7],
) -> R<()> {
    let lock = match engine {
        Engine::Sqlite => "",
        Engine::Postgres => " FOR UPDATE",
    };
    let mut at = Instant::now();
    let mut lap = |step: usize, steps: &mut [Duration; 7]| {
        steps[step] += at.elapsed();
        at = Instant::now();
    };
    let mut tx = write_tx(pool).await?;
    let (entry_name, _deleted_at, _purge_at): (String, Option<i64>, Option<i64>) =
        sqlx::query_as(&format!(
            "SELECT name, deleted_at, purge_at FROM workspaces
             WHERE id = $1 AND account_id = $2 AND purge_started_at IS NULL{lock}"
        ))
        .bind(entry)
        .bind(acme.account_id)
        .fetch_one(&mut *tx)
        .await?;
    lap(0, steps);
    let target = sqlx::query(&format!(
        "SELECT id, name, display_name, description, data_modeling, deletion_protection, created_by, created_at
         FROM workspaces WHERE account_id = $1 AND name = $2 AND deleted_at IS NULL{lock}"
    ))
    .bind(acme.account_id)
    .bind(TARGET)
    .fetch_one(&mut *tx)
    .await?;
    let target: i64 = sqlx::Row::try_get(&target, "id")?;
    lap(1, steps);
    let mut copied = 0;
    for &node in nodes {
        let (name, product, subtype, detail, code, status): (
            String,
            String,
            String,
            String,
            String,
            String,
        ) = sqlx::query_as(
            "SELECT name, product, subtype, detail, code, node_status FROM assets
             WHERE id = $1 AND workspace_id = $2 AND kind = 'node'",
        )
        .bind(node)
        .bind(entry)
        .fetch_one(&mut *tx)
        .await?;
        lap(2, steps);
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM assets WHERE workspace_id = $1 AND kind = 'node' AND product = $2 AND name = $3",
        )
        .bind(target)
        .bind(&product)
        .bind(&name)
        .fetch_optional(&mut *tx)
        .await?;
        assert!(taken.is_none());
        lap(3, steps);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, code, node_status, created_at)
             VALUES ($1, 'node', $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(target)
        .bind(&product)
        .bind(&name)
        .bind(&subtype)
        .bind(&detail)
        .bind(&code)
        .bind(if status == "draft" { "draft" } else { "committed" })
        .bind(NOW)
        .fetch_one(&mut *tx)
        .await?;
        lap(4, steps);
        sqlx::query(
            "INSERT INTO node_versions (node_id, version, code, committed_by, committed_at)
             SELECT $1, version, code, committed_by, committed_at FROM node_versions WHERE node_id = $2",
        )
        .bind(id)
        .bind(node)
        .execute(&mut *tx)
        .await?;
        lap(5, steps);
        copied += 1;
    }
    sqlx::query(
        "INSERT INTO audit_events (account_id, at, user_name, action, workspace, source, client_ip, result, message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(acme.account_id)
    .bind(NOW)
    .bind(acme.sign_in_name())
    .bind(Action::CopyNodesFromRecycleBin.as_str())
    .bind(TARGET)
    .bind(Source::Console.as_str())
    .bind("")
    .bind("Success")
    .bind(format!(
        "{copied} of {} nodes copied from the Recycle Bin entry \"{entry_name}\" (id {entry}).",
        nodes.len()
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    lap(6, steps);
    Ok(())
}

/// What a copy leaves, to compare the two sides: the target's assets and versions (hashed, with
/// their counts), the audit events, and the entry's row, assets and versions.
#[derive(PartialEq, Eq, Debug)]
struct Rows {
    target_assets: (usize, u64),
    target_versions: (usize, u64),
    events: Vec<(
        i64,
        i64,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    )>,
    entry: (
        String,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
    ),
    entry_assets: (i64, i64),
}

fn hashed<T: Hash>(rows: &[T]) -> (usize, u64) {
    let mut h = DefaultHasher::new();
    rows.hash(&mut h);
    (rows.len(), h.finish())
}

async fn rows(pool: &Pool, acme: &Principal, entry: i64) -> R<Rows> {
    let target: i64 = sqlx::query_scalar("SELECT id FROM workspaces WHERE name = $1")
        .bind(TARGET)
        .fetch_one(pool)
        .await?;
    let assets: Vec<(
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
    )> = sqlx::query_as(
        "SELECT kind, product, name, subtype, detail, code, node_status, created_at FROM assets
             WHERE workspace_id = $1 ORDER BY kind, product, name",
    )
    .bind(target)
    .fetch_all(pool)
    .await?;
    let versions: Vec<(String, String, i64, String, String, i64)> = sqlx::query_as(
        "SELECT a.product, a.name, v.version, v.code, v.committed_by, v.committed_at
         FROM node_versions v JOIN assets a ON a.id = v.node_id
         WHERE a.workspace_id = $1 ORDER BY a.product, a.name, v.version",
    )
    .bind(target)
    .fetch_all(pool)
    .await?;
    // The copies: every node of the entry, its code and versions, unpublished.
    let copies = assets.iter().filter(|a| a.2.starts_with("node_")).count() as i64;
    let copied_versions = versions.iter().filter(|v| v.1.starts_with("node_")).count() as i64;
    assert_eq!((copies, copied_versions), (NODES, NODES * VERSIONS));
    let copied_chars: i64 = versions
        .iter()
        .filter(|v| v.1.starts_with("node_"))
        .map(|v| v.3.chars().count() as i64)
        .sum();
    let (entry_versions, entry_chars): (i64, i64) = sqlx::query_as(
        "SELECT count(*), CAST(sum(length(code)) AS BIGINT) FROM node_versions
         WHERE node_id IN (SELECT id FROM assets WHERE workspace_id = $1)",
    )
    .bind(entry)
    .fetch_one(pool)
    .await?;
    assert_eq!(
        (entry_versions, entry_chars),
        (copied_versions, copied_chars)
    );
    let events = sqlx::query_as(
        "SELECT account_id, at, user_name, action, workspace, source, client_ip, result, message
         FROM audit_events WHERE account_id = $1 ORDER BY id",
    )
    .bind(acme.account_id)
    .fetch_all(pool)
    .await?;
    let entry_row = sqlx::query_as(
        "SELECT name, deleted_at, deleted_by, purge_at, binned_counts FROM workspaces WHERE id = $1 AND purge_started_at IS NULL",
    )
    .bind(entry)
    .fetch_one(pool)
    .await?;
    let entry_assets = sqlx::query_as(
        "SELECT count(*), (SELECT count(*) FROM node_versions v JOIN assets a ON a.id = v.node_id WHERE a.workspace_id = $1)
         FROM assets WHERE workspace_id = $1",
    )
    .bind(entry)
    .fetch_one(pool)
    .await?;
    Ok(Rows {
        target_assets: hashed(&assets),
        target_versions: hashed(&versions),
        events,
        entry: entry_row,
        entry_assets,
    })
}
