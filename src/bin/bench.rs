//! Benchmarks of the heavy paths against bare SQL doing the same row changes, measured in the same
//! run on fresh copies of the same database (the machine is noisy: read the ratios, not the times).
//!
//!   cargo run --release --features ssr --example bench [-- --assets 100000 --entries 1000 --per-entry 100 --rounds 3]
//!   ... --postgres postgres://USER@HOST:PORT/postgres   also on PostgreSQL (databases are created there)
//!   ... --only purge-wait [--purge-assets 1000000]      a writer's worst wait while a large entry is purged
//!   ... --only bin-entry                               a Recycle Bin entry of 100,000 assets' first view vs a Recycle Bin page view
//!   ... --only preview                                 the Delete dialog's preview with 10,000 downstream dependencies vs bare SQL, and that delete
//!   ... --only recycle-bin                             a filtered, sorted Recycle Bin page among 100,000 entries (its plans), and recovering
//!                                                      100 entries of 1,000 assets at once vs bare SQL, with another writer's worst wait
//!   ... --only copy-nodes                              copying 100 nodes of 50 versions out of a Recycle Bin entry vs bare SQL
//!   ... --only audit-log                                the Audit Log with 1,000,000 events vs the bare indexed query
//!   ... --only api-throughput                           GET /openapi/v1/workspaces vs the server function, 32 connections
//!   ... --only page-throughput                          /workspaces (10,000 workspaces) and /recycle-bin?q=sales (10,000 entries) vs bare axum, 1 and 32 connections
//!   ... --only throughput                               /workspaces SSR req/s and p99 (wrk), 1-2 instances
//!   ... --only memory [--server target/release/workspace-console]   RSS through a sign-in burst
//!   ... --only export                                   "Download a copy" of 10,000 and 100,000 assets: time, RSS, vs the zip crate
//!   ... --only fanout                                   500 open live streams hear one change: p50/p99 vs one stream
#![recursion_limit = "512"]
use clap::Parser;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use workspace_console::deletion::service as deletion;
use workspace_console::domain::Principal;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::identity::service as identity;
use workspace_console::recycle_bin::service as bin;
use workspace_console::server::audit::Change;
use workspace_console::store::{Engine, Pool, connect};

#[derive(Parser)]
struct Args {
    /// Assets in the workspace that is deleted and recovered.
    #[arg(long, default_value_t = 100_000)]
    assets: i64,
    /// Expired Recycle Bin entries swept by one purge pass.
    #[arg(long, default_value_t = 1_000)]
    entries: i64,
    /// Assets per expired entry.
    #[arg(long, default_value_t = 100)]
    per_entry: i64,
    /// Repetitions of each measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Run one group only: sql (delete, recover, purge sweep), preview, bin-entry, recycle-bin, copy-nodes, purge-wait, audit-log,
    /// api-throughput, page-throughput, throughput, memory, export, fanout. (bytes-on-the-wire runs in Playwright, from `./setup.sh bench`.)
    #[arg(long)]
    only: Option<String>,
    /// Assets in the entry purged while a writer works (purge-wait).
    #[arg(long, default_value_t = 1_000_000)]
    purge_assets: i64,
    /// A PostgreSQL server (admin URL) to run the SQL and purge-wait benchmarks on as well.
    #[arg(long, env = "CONSOLE_BENCH_POSTGRES_URL")]
    postgres: Option<String>,
    /// The server binary the memory benchmark starts.
    #[arg(long, default_value = "target/release/workspace-console")]
    server: String,
    /// Another build of the server (such as the build before a change) that page-throughput
    /// measures in the same rounds, on the same database, as a baseline.
    #[arg(long)]
    baseline_server: Option<String>,
}

#[path = "bench/api_throughput.rs"]
mod api_throughput;
#[path = "bench/audit_log.rs"]
mod audit_log;
#[path = "bench/bin_entry.rs"]
mod bin_entry;
#[path = "bench/copy_nodes.rs"]
mod copy_nodes;
#[path = "bench/export.rs"]
mod export;
#[path = "bench/fanout.rs"]
mod fanout;
#[path = "bench/memory.rs"]
mod memory;
#[path = "bench/page_throughput.rs"]
mod page_throughput;
#[path = "bench/preview.rs"]
mod preview;
#[path = "bench/purge_wait.rs"]
mod purge_wait;
#[path = "bench/recycle_bin.rs"]
mod recycle_bin;
#[path = "bench/throughput.rs"]
mod throughput;

pub(crate) const T0: i64 = 1_800_000_000;

pub(crate) type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[tokio::main]
async fn main() -> R<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("console-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "Workspace Console benchmarks (median of {} rounds; ratio = service / bare SQL)",
        args.rounds
    );
    println!("peak RSS at start: {} MB", peak_rss_mb());
    let wants = |group: &str| args.only.as_deref().is_none_or(|only| only == group);
    let mut targets = vec![Target::Sqlite(dir.clone())];
    if let Some(admin) = &args.postgres {
        targets.push(Target::Postgres(admin.clone()));
    }
    for target in &targets {
        println!("--- on {} ---", target.engine().name());
        if wants("sql") {
            sql_benchmarks(&args, target).await?;
        }
        if wants("preview") {
            preview::run(target).await?;
        }
        if wants("bin-entry") {
            bin_entry::run(target).await?;
        }
        if wants("recycle-bin") {
            recycle_bin::run(target).await?;
        }
        if wants("copy-nodes") {
            copy_nodes::run(target).await?;
        }
        if wants("purge-wait") {
            purge_wait::run(target, args.purge_assets).await?;
        }
        if wants("audit-log") {
            audit_log::run_service(target).await?;
        }
    }
    if wants("audit-log") {
        audit_log::run_page(&dir, &args.server).await?;
    }
    if wants("api-throughput") {
        api_throughput::run(&dir, &args.server).await?;
    }
    if wants("bin-entry") {
        bin_entry::run_page(&dir, &args.server).await?;
    }
    if wants("page-throughput") {
        page_throughput::run(&dir, &args.server, args.baseline_server.as_deref()).await?;
    }
    if wants("throughput") {
        throughput::run(&targets, &args.server).await?;
    }
    if wants("export") {
        export::run(&dir, &args.server).await?;
    }
    if wants("fanout") {
        fanout::run(&targets, &args.server).await?;
    }
    if wants("memory") {
        memory::run(&dir, &args.server).await?;
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Where the benchmark databases live: files in a folder, or databases on a PostgreSQL server.
pub(crate) enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Target::Sqlite(_) => Engine::Sqlite,
            Target::Postgres(_) => Engine::Postgres,
        }
    }

    pub(crate) fn url(&self, name: &str) -> String {
        match self {
            Target::Sqlite(dir) => format!("sqlite://{}", dir.join(format!("{name}.db")).display()),
            Target::Postgres(admin) => {
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                format!("{base}/bench_{name}")
            }
        }
    }

    async fn admin(&self, sql: &str) -> R<()> {
        use sqlx::Connection;
        if let Target::Postgres(admin) = self {
            let mut conn = sqlx::PgConnection::connect(admin).await?;
            sqlx::query(sql).execute(&mut conn).await?;
        }
        Ok(())
    }

    pub(crate) async fn remove(&self, name: &str) -> R<()> {
        match self {
            Target::Sqlite(dir) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(dir.join(format!("{name}.db{suffix}")));
                }
                Ok(())
            }
            Target::Postgres(_) => {
                self.admin(&format!(
                    "DROP DATABASE IF EXISTS bench_{name} WITH (FORCE)"
                ))
                .await
            }
        }
    }

    /// An empty, migrated database.
    pub(crate) async fn fresh(&self, name: &str) -> R<Pool> {
        self.remove(name).await?;
        self.admin(&format!("CREATE DATABASE bench_{name}")).await?;
        connect(&self.url(name)).await
    }

    /// A copy of database `from` (closed) named `to`.
    pub(crate) async fn copy(&self, from: &str, to: &str) -> R<Pool> {
        self.remove(to).await?;
        match self {
            Target::Sqlite(dir) => {
                let source = connect(&self.url(from)).await?;
                sqlx::query(&format!(
                    "VACUUM INTO '{}'",
                    dir.join(format!("{to}.db")).display()
                ))
                .execute(&source)
                .await?;
                source.close().await;
            }
            Target::Postgres(_) => {
                // A connection of a closed pool may still be leaving.
                self.admin(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'bench_{from}'"
                ))
                .await?;
                self.admin(&format!("CREATE DATABASE bench_{to} TEMPLATE bench_{from}"))
                    .await?;
            }
        }
        connect(&self.url(to)).await
    }
}

async fn sql_benchmarks(args: &Args, target: &Target) -> R<()> {
    let seeded = "seeded";
    let (root, ws) = seed_big_workspace(target, seeded, args.assets).await?;
    println!(
        "seeded one workspace with {} assets; peak RSS {} MB",
        args.assets,
        peak_rss_mb()
    );

    // Delete: the service (checks, counts, one transaction) vs the bare statements.
    let (service, bare) = compare(
        args.rounds,
        target,
        seeded,
        "del",
        async |pool: &Pool| {
            deletion::delete(pool, &Change::console(T0, &root), "big", "big", true)
                .await
                .map(drop)
                .map_err(Into::into)
        },
        async |pool: &Pool| bare_delete(pool, ws, false).await,
    )
    .await?;
    report(
        &format!("delete workspace ({} assets)", args.assets),
        &service,
        &bare,
        1.5,
    );
    let (service, bare) = compare(
        args.rounds,
        target,
        seeded,
        "dla",
        async |pool: &Pool| {
            deletion::delete(pool, &Change::console(T0, &root), "big", "big", true)
                .await
                .map(drop)
                .map_err(Into::into)
        },
        async |pool: &Pool| bare_delete(pool, ws, true).await,
    )
    .await?;
    report(
        &format!(
            "delete workspace ({} assets), bare SQL with the audit write too",
            args.assets
        ),
        &service,
        &bare,
        1.5,
    );

    // Recover, from the same deleted state.
    let deleted = "deleted";
    {
        let pool = target.copy(seeded, deleted).await?;
        deletion::delete(&pool, &Change::console(T0, &root), "big", "big", true).await?;
        pool.close().await;
    }
    let (service, bare) = compare(
        args.rounds,
        target,
        deleted,
        "rec",
        async |pool: &Pool| {
            bin::recover(pool, &Change::console(T0 + 60, &root), ws, T0)
                .await
                .map(drop)
                .map_err(Into::into)
        },
        async |pool: &Pool| bare_recover(pool, ws, false).await,
    )
    .await?;
    report(
        &format!("recover workspace ({} assets)", args.assets),
        &service,
        &bare,
        1.5,
    );
    let (service, bare) = compare(
        args.rounds,
        target,
        deleted,
        "rca",
        async |pool: &Pool| {
            bin::recover(pool, &Change::console(T0 + 60, &root), ws, T0)
                .await
                .map(drop)
                .map_err(Into::into)
        },
        async |pool: &Pool| bare_recover(pool, ws, true).await,
    )
    .await?;
    report(
        &format!(
            "recover workspace ({} assets), bare SQL with the audit write too",
            args.assets
        ),
        &service,
        &bare,
        1.5,
    );
    println!("peak RSS after delete/recover: {} MB", peak_rss_mb());

    // Purge sweep of many expired entries.
    let expired = "expired";
    seed_expired_entries(target, expired, args.entries, args.per_entry).await?;
    let (service, bare) = compare(
        args.rounds,
        target,
        expired,
        "pur",
        async |pool: &Pool| {
            let purged = bin::purge_expired(pool, T0 + RETENTION_SECS).await?;
            assert_eq!(purged as i64, args.entries);
            Ok(())
        },
        async |pool: &Pool| bare_purge(pool).await,
    )
    .await?;
    report(
        &format!(
            "purge sweep ({} entries x {} assets)",
            args.entries, args.per_entry
        ),
        &service,
        &bare,
        2.0,
    );
    println!(
        "peak RSS after the SQL benchmarks: {} MB (target for the purge sweep: <= 100 MB)",
        peak_rss_mb()
    );
    for name in [seeded, deleted, expired] {
        target.remove(name).await?;
    }
    Ok(())
}

/// Times `service` and `bare`, each on its own fresh copy of `source`, `rounds` times, alternating.
pub(crate) async fn compare(
    rounds: usize,
    target: &Target,
    source: &str,
    tag: &str,
    service: impl AsyncFn(&Pool) -> R<()>,
    bare: impl AsyncFn(&Pool) -> R<()>,
) -> R<(Vec<Duration>, Vec<Duration>)> {
    let (mut service_times, mut bare_times) = (vec![], vec![]);
    for round in 0..rounds {
        for (side, times) in [("s", &mut service_times), ("b", &mut bare_times)] {
            let copy = format!("{tag}_{side}_{round}");
            let pool = target.copy(source, &copy).await?;
            let started = Instant::now();
            if side == "s" {
                service(&pool).await?;
            } else {
                bare(&pool).await?;
            }
            times.push(started.elapsed());
            pool.close().await;
            target.remove(&copy).await?;
        }
    }
    Ok((service_times, bare_times))
}

pub(crate) fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The median and the worst of a writer's waits (seconds).
pub(crate) fn p50_and_worst(waits: &[f64]) -> (f64, f64) {
    let mut sorted = waits.to_vec();
    sorted.sort_by(f64::total_cmp);
    let p50 = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    (p50, sorted.last().copied().unwrap_or(0.0))
}

/// Each bare statement's share of their total time: "lock the entry 10%, …".
pub(crate) fn shares(names: &[&str], times: &[Duration]) -> String {
    let total: Duration = times.iter().sum();
    names
        .iter()
        .zip(times)
        .map(|(what, t)| {
            format!(
                "{what} {:.0}%",
                100.0 * t.as_secs_f64() / total.as_secs_f64()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn report(what: &str, service: &[Duration], bare: &[Duration], target: f64) {
    let (s, b) = (median(service.to_vec()), median(bare.to_vec()));
    let ratio = s.as_secs_f64() / b.as_secs_f64();
    println!(
        "{what}: service {:.1} ms, bare SQL {:.1} ms, ratio {ratio:.2} (target <= {target}) {}",
        s.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        if ratio <= target { "OK" } else { "OVER TARGET" }
    );
}

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

pub(crate) async fn root(pool: &Pool) -> R<Principal> {
    let id = identity::create_account(pool, T0, "acme", "acme-bench-1").await?;
    Ok(identity::load_principal(pool, id)
        .await?
        .ok_or("no principal")?)
}

/// One workspace with `n` assets of every type in both products; a tenth of the nodes published
/// (with versions and a Running task each).
async fn seed_big_workspace(target: &Target, name: &str, n: i64) -> R<(Principal, i64)> {
    let pool = target.fresh(name).await?;
    let root = root(&pool).await?;
    let ws: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, data_modeling, created_by, created_at)
         VALUES ($1, 'big', 'Big', TRUE, 'acme', $2) RETURNING id",
    )
    .bind(root.account_id)
    .bind(T0)
    .fetch_one(&pool)
    .await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, code, node_status, created_at)
         SELECT $1,
                CASE i % 7 WHEN 0 THEN 'data_source' WHEN 1 THEN 'compute' WHEN 2 THEN 'node' WHEN 3 THEN 'resource'
                           WHEN 4 THEN 'di_task' WHEN 5 THEN 'model' ELSE 'metric' END,
                CASE WHEN i % 3 = 0 THEN 'PAI' ELSE 'DataWorks' END,
                'asset_' || i, 'x', 'detail of asset ' || i,
                CASE WHEN i % 7 = 2 THEN 'SELECT ' || i || ' FROM dual;' ELSE '' END,
                CASE WHEN i % 7 = 2 THEN (CASE WHEN i % 70 = 2 THEN 'published' ELSE 'committed' END) END,
                $3
         FROM n",
    )
    .bind(ws)
    .bind(n)
    .bind(T0)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO node_versions (node_id, version, code, committed_by, committed_at)
         SELECT id, 1, code, 'acme', $2 FROM assets WHERE workspace_id = $1 AND kind = 'node'",
    )
    .bind(ws)
    .bind(T0)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO tasks (account_id, workspace_id, workspace_name, node_id, name, node_version, interval_secs, price_cents, anchor_at, status)
         SELECT $1, $2, 'big', id, name, 1, 3600, 50, $3, 'Running' FROM assets WHERE workspace_id = $2 AND node_status = 'published'",
    )
    .bind(root.account_id)
    .bind(ws)
    .bind(T0 - 86_400)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO task_running_periods (task_id, started_at) SELECT id, anchor_at FROM tasks",
    )
    .execute(&pool)
    .await?;
    pool.close().await;
    Ok((root, ws))
}

/// One audit event, as the bare statement (in the change's transaction).
const BARE_AUDIT: &str = "INSERT INTO audit_events (account_id, at, user_name, action, workspace, source, client_ip, result, message)
     VALUES (1, 1, 'acme', 'DeleteWorkspace', 'big', 'Console', '', 'Success', $1)";

/// The row changes a deletion makes (freeze box ticked), as bare statements in one transaction;
/// with `audited`, also the event.
pub(crate) async fn bare_delete(pool: &Pool, ws: i64, audited: bool) -> R<()> {
    let mut tx = pool.begin().await?;
    for sql in [
        "UPDATE task_running_periods SET ended_at = 1 WHERE ended_at IS NULL AND task_id IN (SELECT id FROM tasks WHERE workspace_id = $1 AND status = 'Running')",
        "UPDATE tasks SET status = 'Frozen' WHERE workspace_id = $1 AND status = 'Running'",
        "DELETE FROM tasks WHERE workspace_id = $1 AND status = 'Frozen'",
        "UPDATE tasks SET workspace_id = NULL, node_id = NULL WHERE workspace_id = $1",
        "DELETE FROM assets WHERE workspace_id = $1 AND kind IN ('di_task', 'model', 'metric')",
        "UPDATE workspaces SET deleted_at = 1, deleted_by = 'acme', purge_at = 2, binned_counts = '[]' WHERE id = $1",
    ] {
        sqlx::query(sql).bind(ws).execute(&mut *tx).await?;
    }
    if audited {
        sqlx::query(BARE_AUDIT)
            .bind(ws.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn bare_recover(pool: &Pool, ws: i64, audited: bool) -> R<()> {
    let mut tx = pool.begin().await?;
    for sql in [
        "UPDATE assets SET node_status = 'committed' WHERE workspace_id = $1 AND kind = 'node' AND node_status = 'published'",
        "UPDATE workspaces SET deleted_at = NULL, deleted_by = NULL, purge_at = NULL, binned_counts = NULL WHERE id = $1",
    ] {
        sqlx::query(sql).bind(ws).execute(&mut *tx).await?;
    }
    if audited {
        sqlx::query(BARE_AUDIT)
            .bind(ws.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `entries` Recycle Bin entries whose 14 days are up, each with `per_entry` assets (a fifth nodes with a version).
pub(crate) async fn seed_expired_entries(
    target: &Target,
    name: &str,
    entries: i64,
    per_entry: i64,
) -> R<()> {
    let pool = target.fresh(name).await?;
    let root = root(&pool).await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO workspaces (account_id, name, display_name, created_by, created_at, deleted_at, deleted_by, purge_at)
         SELECT $1, 'old_' || i, 'Old', 'acme', $3, $3, 'acme', $3 + $4 FROM n",
    )
    .bind(root.account_id)
    .bind(entries)
    .bind(T0)
    .bind(RETENTION_SECS)
    .execute(&pool)
    .await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, code, node_status, created_at)
         SELECT w.id, CASE n.i % 5 WHEN 0 THEN 'node' WHEN 1 THEN 'data_source' WHEN 2 THEN 'compute' ELSE 'resource' END,
                CASE WHEN n.i % 2 = 0 THEN 'PAI' ELSE 'DataWorks' END, 'a' || n.i, 'x',
                CASE WHEN n.i % 5 = 0 THEN 'SELECT 1;' ELSE '' END, CASE WHEN n.i % 5 = 0 THEN 'committed' END, $2
         FROM workspaces w, n",
    )
    .bind(per_entry)
    .bind(T0)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO node_versions (node_id, version, code, committed_by, committed_at)
         SELECT id, 1, code, 'acme', $1 FROM assets WHERE kind = 'node'",
    )
    .bind(T0)
    .execute(&pool)
    .await?;
    pool.close().await;
    Ok(())
}

async fn bare_purge(pool: &Pool) -> R<()> {
    let mut tx = pool.begin().await?;
    for sql in [
        "DELETE FROM node_versions WHERE node_id IN (SELECT id FROM assets WHERE kind = 'node' AND workspace_id IN (SELECT id FROM workspaces WHERE deleted_at IS NOT NULL AND purge_at <= $1))",
        "DELETE FROM assets WHERE workspace_id IN (SELECT id FROM workspaces WHERE deleted_at IS NOT NULL AND purge_at <= $1)",
        "DELETE FROM workspaces WHERE deleted_at IS NOT NULL AND purge_at <= $1",
    ] {
        sqlx::query(sql)
            .bind(T0 + RETENTION_SECS)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
