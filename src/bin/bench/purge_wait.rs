//! A writer's wait while a large Recycle Bin entry (a fifth of its assets nodes with a version) is purged: the purge works in bounded batches,
//! so a concurrent create waits for at most one batch (goal: worst wait <= 100 ms).
use crate::{R, T0, Target, seed_expired_entries};
use std::time::{Duration, Instant};
use workspace_console::domain::Principal;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::identity::service as identity;
use workspace_console::recycle_bin::service as bin;
use workspace_console::server::audit::Change;
use workspace_console::store::{Pool, after_bulk_delete, connect};
use workspace_console::workspaces::service::{self as workspaces, NewWorkspace};

pub async fn run(target: &Target, assets: i64) -> R<()> {
    let name = "purge_wait";
    seed_expired_entries(target, name, 1, assets).await?;
    let pool = connect(&target.url(name)).await?;
    let acme = identity::load_principal(&pool, 1)
        .await?
        .ok_or("no account")?;
    after_bulk_delete(&pool).await;

    let idle = writer_waits(&pool, &acme, "idle", Duration::from_secs(2), None).await?;
    let purge = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let purged = bin::purge_expired(&pool, T0 + RETENTION_SECS).await;
            (purged, started.elapsed())
        })
    };
    let during = writer_waits(&pool, &acme, "busy", Duration::from_secs(600), Some(&purge)).await?;
    let (purged, took) = purge.await?;
    assert_eq!(purged?, 1);
    let wal = match target {
        Target::Sqlite(dir) => {
            let wal = std::fs::metadata(dir.join(format!("{name}.db-wal"))).map_or(0, |m| m.len());
            format!("; WAL after: {} MB", wal / 1_000_000)
        }
        Target::Postgres(_) => String::new(),
    };
    let (idle_p50, idle_max) = super::p50_and_worst(&idle);
    let (p50, max) = super::p50_and_worst(&during);
    println!(
        "purge of one entry of {assets} assets: {:.1} s; {} creates meanwhile, wait p50 {:.1} ms, worst {:.1} ms (idle: p50 {:.1} ms, worst {:.1} ms; goal worst <= 100 ms) {}{wal}",
        took.as_secs_f64(),
        during.len(),
        p50 * 1e3,
        max * 1e3,
        idle_p50 * 1e3,
        idle_max * 1e3,
        if max <= 0.1 { "OK" } else { "OVER TARGET" },
    );
    pool.close().await;
    target.remove(name).await?;
    Ok(())
}

/// Creates a workspace every 5 ms until `until` finishes (or `limit` passes); each create's time.
async fn writer_waits(
    pool: &Pool,
    acme: &Principal,
    tag: &str,
    limit: Duration,
    until: Option<
        &tokio::task::JoinHandle<(Result<u64, workspace_console::error::AppError>, Duration)>,
    >,
) -> R<Vec<f64>> {
    let started = Instant::now();
    let mut waits = vec![];
    let mut i = 0;
    while started.elapsed() < limit && until.is_none_or(|task| !task.is_finished()) {
        let input = NewWorkspace {
            name: format!("{tag}_{i}"),
            display_name: String::new(),
            description: String::new(),
            data_modeling: false,
            deletion_protection: false,
        };
        let t = Instant::now();
        workspaces::create(pool, &Change::console(T0, acme), input).await?;
        waits.push(t.elapsed().as_secs_f64());
        i += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(waits)
}
