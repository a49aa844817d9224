//! The Audit Log with 1,000,000 events in one account (issue 11): its first page and a filtered
//! page, through the service the page uses and as the whole page over HTTP, against the bare
//! indexed query that reads the same rows, in the same run. Goal: each within 5x of the bare query.
use crate::memory::start_on;
use crate::throughput::{session_cookie, wrk_at};
use crate::{R, Target, median};
use std::time::{Duration, Instant};
use workspace_console::audit::service as audit_log;
use workspace_console::audit::{AuditFilter, Cursor, PAGE_SIZE};
use workspace_console::store::Pool;

const EVENTS: i64 = 1_000_000;
const ROUNDS: usize = 300;

/// One million events in account 1 (acme): 1,000 workspaces, three users, four actions.
pub(crate) async fn seed(pool: &Pool) -> R<()> {
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO audit_events (account_id, at, user_name, action, workspace, source, client_ip, result, message)
         SELECT 1, 1700000000 + i,
                CASE i % 3 WHEN 0 THEN 'acme' WHEN 1 THEN 'alice@acme' ELSE 'bob@acme' END,
                CASE i % 4 WHEN 0 THEN 'DeleteWorkspace' WHEN 1 THEN 'RecoverWorkspace' WHEN 2 THEN 'CommitNode' ELSE 'SignIn' END,
                'ws_' || (i % 1000), 'Console', '10.0.0.1', 'Success', 'a bulk event' FROM n",
    )
    .bind(EVENTS)
    .execute(pool)
    .await?;
    Ok(())
}

/// What the bare query of a page costs: one indexed range read of the page's rows.
async fn bare(pool: &Pool, workspace: Option<&str>) -> R<Duration> {
    let started = Instant::now();
    let rows: Vec<workspace_console::audit::AuditEvent> = match workspace {
            None => sqlx::query_as(
                "SELECT id, at, user_name, action, workspace, source, client_ip, result, message
                 FROM audit_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(1i64)
            .bind(PAGE_SIZE + 1)
            .fetch_all(pool)
            .await?,
            Some(ws) => sqlx::query_as(
                "SELECT id, at, user_name, action, workspace, source, client_ip, result, message
                 FROM audit_events WHERE account_id = $1 AND workspace = $2 ORDER BY id DESC LIMIT $3",
            )
            .bind(1i64)
            .bind(ws)
            .bind(PAGE_SIZE + 1)
            .fetch_all(pool)
            .await?,
        };
    assert_eq!(rows.len() as i64, PAGE_SIZE + 1);
    Ok(started.elapsed())
}

fn verdict(ratio: f64) -> &'static str {
    if ratio <= 5.0 { "OK" } else { "OVER TARGET" }
}

/// The service the page calls, on each engine.
pub(crate) async fn run_service(target: &Target) -> R<()> {
    let pool = target.fresh("audit").await?;
    let acme = workspace_console::identity::service::create_account(
        &pool,
        crate::T0,
        "acme",
        "acme-bench-password",
    )
    .await?;
    let p = workspace_console::server::sessions::load_principal(&pool, acme)
        .await?
        .ok_or("no principal")?;
    let seeding = Instant::now();
    seed(&pool).await?;
    println!(
        "audit log: {EVENTS} events seeded in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    for (what, filter) in [
        ("first page", AuditFilter::default()),
        (
            "filtered page (workspace ws_7)",
            AuditFilter {
                workspace: "ws_7".into(),
                ..AuditFilter::default()
            },
        ),
    ] {
        let ws = (!filter.workspace.is_empty()).then_some(filter.workspace.as_str());
        let (mut service, mut plain) = (vec![], vec![]);
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let page = audit_log::page(&pool, &p, &filter, Cursor::Newest, PAGE_SIZE).await?;
            service.push(started.elapsed());
            assert_eq!(page.events.len() as i64, PAGE_SIZE);
            plain.push(bare(&pool, ws).await?);
        }
        let (s, b) = (median(service), median(plain));
        let ratio = s.as_secs_f64() / b.as_secs_f64();
        println!(
            "  {what}: service {:.3} ms, bare indexed query {:.3} ms, ratio {ratio:.2} (target <= 5) {}",
            s.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            verdict(ratio)
        );
    }
    pool.close().await;
    target.remove("audit").await
}

/// The whole page over HTTP (SSR, signed in; wrk at one connection) on SQLite.
pub(crate) async fn run_page(dir: &std::path::Path, binary: &str) -> R<()> {
    let db = dir.join("audit-page.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let url = format!("sqlite://{}", db.display());
    let server = start_on(binary, &url, true).await?;
    let pool = workspace_console::store::connect(&url).await?;
    seed(&pool).await?;
    let cookie = session_cookie(&server).await?;
    println!("audit log page over HTTP ({EVENTS} events, SQLite, wrk 1 connection, p50):");
    for (what, path, ws) in [
        ("first page", "/audit-log", None),
        ("filtered page", "/audit-log?workspace=ws_7", Some("ws_7")),
    ] {
        let page = wrk_at(std::slice::from_ref(&server.url), path, &cookie, 1)?;
        let mut plain = vec![];
        for _ in 0..ROUNDS {
            plain.push(bare(&pool, ws).await?);
        }
        let b = median(plain).as_secs_f64() * 1e3;
        let ratio = page.p50_ms / b;
        println!(
            "  {what}: page p50 {:.2} ms ({:.0} req/s), bare indexed query {b:.3} ms, ratio {ratio:.2} (target <= 5) {}",
            page.p50_ms,
            page.requests_per_sec,
            verdict(ratio)
        );
    }
    pool.close().await;
    drop(server);
    Ok(())
}
