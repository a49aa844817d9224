//! `/recycle-bin/<id>`'s first view (SPEC §18) of an entry of 100,000 assets (25,000 of each core
//! type in its lists) against a Recycle Bin page view (its list of entries), in the same run. Goal
//! (issue 36): the page at most 2x, measured over HTTP (`run_page`, SQLite, wrk at one connection,
//! the two pages taking turns); `run` prints the service reads of each on both engines.
//! `run_page` also measures the page as `page-throughput` does (issue 48): at 1 and 32 connections
//! against bare axum doing the same reads (`recycle_bin::service::detail`, answered as JSON).
use super::{R, T0, Target, median, root};
use crate::memory::start_on;
use crate::throughput::{Measured, session_cookie, wrk_at};
use std::time::Instant;
use workspace_console::deletion::service as deletion;
use workspace_console::recycle_bin::service as bin;
use workspace_console::server::audit::Change;
use workspace_console::store::Pool;

const EACH: i64 = 25_000;
const ENTRY_LISTS: usize = 4;
const ENTRIES: i64 = 30;
const READS: usize = 21;

pub(crate) async fn run(target: &Target) -> R<()> {
    let name = "binentry";
    let pool = target.fresh(name).await?;
    let root = root(&pool).await?;
    let big = seed(&pool, root.account_id).await?;
    deletion::delete(&pool, &Change::console(T0, &root), "big", "big", true).await?;
    analyze(&pool).await?;
    let (mut entry, mut page) = (Vec::new(), Vec::new());
    for _ in 0..READS {
        let started = Instant::now();
        let seen = bin::detail(&pool, T0 + 60, &root, big).await?;
        entry.push(started.elapsed());
        assert_eq!(seen.lists.len(), 4);
        assert!(
            seen.lists
                .iter()
                .all(|l| l.total == EACH && l.assets.len() == 20)
        );
        let started = Instant::now();
        let listed = bin::list(&pool, T0 + 60, &root, &Default::default()).await?;
        page.push(started.elapsed());
        assert_eq!(listed.total, ENTRIES + 1);
    }
    // The service reads alone, without a page's fixed costs: for the record (the goal is the page's).
    println!(
        "service reads of an entry of {} assets ({} lists, counts, tasks, dependencies) vs of a Recycle Bin page ({} entries): ratio {:.2}",
        4 * EACH,
        ENTRY_LISTS,
        ENTRIES + 1,
        median(entry.clone()).as_secs_f64() / median(page.clone()).as_secs_f64()
    );
    // A deep page, for the record: the lists page by offset on the (workspace, kind, id) index.
    let mut deep = Vec::new();
    for _ in 0..READS {
        let started = Instant::now();
        let last = bin::assets_page(&pool, &root, big, "node", EACH / 20).await?;
        deep.push(started.elapsed());
        assert_eq!(last.assets.len(), 20);
    }
    println!(
        "  (medians: entry {:.2} ms, bin page {:.2} ms, last page of its nodes {:.2} ms)",
        median(entry).as_secs_f64() * 1e3,
        median(page).as_secs_f64() * 1e3,
        median(deep).as_secs_f64() * 1e3
    );
    pool.close().await;
    target.remove(name).await?;
    Ok(())
}

/// Workspace `big` with `EACH` assets of every core type, and `ENTRIES` small entries in the bin.
async fn seed(pool: &Pool, account: i64) -> R<i64> {
    let big: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, created_by, created_at)
         VALUES ($1, 'big', 'Big', 'acme', $2) RETURNING id",
    )
    .bind(account)
    .bind(T0)
    .fetch_one(pool)
    .await?;
    for (kind, subtype) in [
        ("data_source", "MySQL"),
        ("compute", "MaxCompute"),
        ("resource", "JAR"),
        ("node", "ODPS SQL"),
    ] {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
             INSERT INTO assets (workspace_id, kind, product, name, subtype, code, created_at)
             SELECT $2, $3, 'DataWorks', $3 || '_' || i, $4, '', $5 FROM n",
        )
        .bind(EACH)
        .bind(big)
        .bind(kind)
        .bind(subtype)
        .bind(T0)
        .execute(pool)
        .await?;
    }
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO workspaces (account_id, name, display_name, created_by, created_at, deleted_at, deleted_by, purge_at)
         SELECT $1, 'gone_' || i, 'Gone', 'acme', $3, $3, 'acme', $3 + 1209600 + i FROM n",
    )
    .bind(account)
    .bind(ENTRIES)
    .bind(T0)
    .execute(pool)
    .await?;
    Ok(big)
}

/// Statistics, as a database in use has them (PostgreSQL's autovacuum would gather them in time).
async fn analyze(pool: &Pool) -> R<()> {
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

const ROUNDS: usize = 3;

/// Both pages signed in over HTTP, wrk at one connection, `ROUNDS` rounds taking turns.
pub(crate) async fn run_page(dir: &std::path::Path, binary: &str) -> R<()> {
    let db = dir.join("bin-entry-page.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let url = format!("sqlite://{}", db.display());
    let server = start_on(binary, &url, true).await?;
    let pool = workspace_console::store::connect(&url).await?;
    let root_id: i64 = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.name = 'acme' AND u.is_root",
    )
    .fetch_one(&pool)
    .await?;
    let acme = workspace_console::identity::service::load_principal(&pool, root_id)
        .await?
        .ok_or("no account acme")?;
    let big = seed(&pool, acme.account_id).await?;
    deletion::delete(&pool, &Change::console(T0, &acme), "big", "big", true).await?;
    analyze(&pool).await?;
    let cookie = session_cookie(&server).await?;
    let entry_path = format!("/recycle-bin/{big}");
    let (mut entry, mut page) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        entry.push(wrk_at(
            std::slice::from_ref(&server.url),
            &entry_path,
            &cookie,
            1,
        )?);
        page.push(wrk_at(
            std::slice::from_ref(&server.url),
            "/recycle-bin",
            &cookie,
            1,
        )?);
    }
    let p50 = |runs: &[crate::throughput::Measured]| {
        let mut values: Vec<f64> = runs.iter().map(|m| m.p50_ms).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let (e, b) = (p50(&entry), p50(&page));
    let ratio = e / b;
    let refused: u64 = entry.iter().chain(&page).map(|m| m.non_2xx).sum();
    println!(
        "the page {entry_path} ({} assets) vs /recycle-bin over HTTP (SQLite, wrk 1 connection, median p50 of {ROUNDS} rounds): {e:.2} vs {b:.2} ms, ratio {ratio:.2} (target <= 2) {}{}",
        4 * EACH,
        if ratio <= 2.0 { "OK" } else { "OVER TARGET" },
        if refused > 0 { ", NOT ALL SERVED" } else { "" }
    );
    against_bare(&server.url, &cookie, &entry_path, &pool, &acme, big).await?;
    pool.close().await;
    drop(server);
    Ok(())
}

/// The entry's page against bare axum answering `bin::detail` (the page's reads) as JSON, at 1
/// and 32 connections, `ROUNDS` rounds taking turns; issue 48's goals judged on the medians.
async fn against_bare(
    console: &str,
    cookie: &str,
    entry_path: &str,
    pool: &Pool,
    acme: &workspace_console::domain::Principal,
    big: i64,
) -> R<()> {
    use axum::response::IntoResponse;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_url = format!("http://{}", listener.local_addr()?);
    let (pool, acme) = (pool.clone(), acme.clone());
    let app = axum::Router::new().route(
        "/entry",
        axum::routing::get(move || {
            let (pool, acme) = (pool.clone(), acme.clone());
            async move {
                match bin::detail(&pool, T0 + 60, &acme, big).await {
                    Ok(detail) => axum::Json(detail).into_response(),
                    Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }
        }),
    );
    let bare = tokio::spawn(async move { axum::serve(listener, app).await });
    println!(
        "  {entry_path} vs bare axum + the same reads (bin::detail as JSON), wrk 10 s, {ROUNDS} rounds taking turns:"
    );
    for connections in [1, 32] {
        let mut rounds = Vec::new();
        for _ in 0..ROUNDS {
            let page = wrk_at(&[console.to_owned()], entry_path, cookie, connections)?;
            let base = wrk_at(std::slice::from_ref(&bare_url), "/entry", "", connections)?;
            rounds.push((page, base));
        }
        let median = |f: &dyn Fn(&(Measured, Measured)) -> f64| {
            let mut values: Vec<f64> = rounds.iter().map(f).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let (p50, p99) = (median(&|r| r.0.p50_ms), median(&|r| r.0.p99_ms));
        let ratio = median(&|r| r.0.requests_per_sec / r.1.requests_per_sec);
        let refused: u64 = rounds.iter().map(|r| r.0.non_2xx + r.1.non_2xx).sum();
        let ok = if connections == 1 {
            p50 <= 1.2 && p99 <= 4.0
        } else {
            ratio >= 0.6 && p99 <= 3.0 * p50
        };
        println!(
            "    {connections} connection(s): the page {:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms; bare axum {:.0} req/s, p50 {:.2} ms; the page at {:.0}% of bare axum; goal {}: {}{}",
            median(&|r| r.0.requests_per_sec),
            median(&|r| r.1.requests_per_sec),
            median(&|r| r.1.p50_ms),
            ratio * 100.0,
            if connections == 1 {
                "p50 <= 1.2 ms, p99 <= 4 ms"
            } else {
                ">= 60%, p99 <= 3x p50"
            },
            if ok { "OK" } else { "OVER TARGET" },
            if refused > 0 { ", NOT ALL SERVED" } else { "" }
        );
    }
    bare.abort();
    Ok(())
}
