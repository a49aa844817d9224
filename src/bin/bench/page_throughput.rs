//! `/workspaces` signed in, with 10,000 workspaces in the account, against a bare axum handler in
//! this process doing the same two SQL reads (the count and the first page) on the same SQLite
//! file and writing the rows as an HTML table: at 1 and 32 connections (wrk). Goals (issue 10):
//! one connection p50 <= 1.5 ms and p99 <= 5 ms; 32 connections >= 50% of bare axum's req/s,
//! p99 <= 3x p50.
use crate::R;
use crate::memory::start_on;
use crate::throughput::{Measured, session_cookie, wrk_at};
use std::fmt::Write;
use std::path::Path;

const WORKSPACES: i64 = 10_000;

async fn bare_page(
    axum::extract::State(pool): axum::extract::State<sqlx::SqlitePool>,
) -> axum::response::Html<String> {
    let account = 1i64;
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM workspaces WHERE account_id = $1 AND deleted_at IS NULL AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')",
    )
    .bind(account)
    .bind("")
    .fetch_one(&pool)
    .await
    .unwrap_or(0);
    let rows: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, name, display_name, description, created_by, created_at FROM workspaces
         WHERE account_id = $1 AND deleted_at IS NULL AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')
         ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 0",
    )
    .bind(account)
    .bind("")
    .fetch_all(&pool)
    .await
    .unwrap_or_default();
    let mut html = String::from("<!DOCTYPE html><html><body><table>");
    for (id, name, display, _, by, at) in rows {
        let _ = write!(
            html,
            "<tr><td><a href=\"/workspaces/{name}\">{name}</a></td><td>{display}</td><td>{at}</td><td>{by}</td><td>{id}</td></tr>"
        );
    }
    let _ = write!(html, "</table><p>{total} workspaces</p></body></html>");
    axum::response::Html(html)
}

pub(crate) fn line(what: &str, m: &Measured) -> String {
    format!(
        "{what}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms{}",
        m.requests_per_sec,
        m.p50_ms,
        m.p99_ms,
        if m.non_2xx > 0 {
            format!(", {} non-2xx (NOT ALL SERVED)", m.non_2xx)
        } else {
            String::new()
        }
    )
}

pub async fn run(dir: &Path, binary: &str) -> R<()> {
    let db = dir.join("page-throughput.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let url = format!("sqlite://{}", db.display());
    let server = start_on(binary, &url, true).await?;
    let native = sqlx::SqlitePool::connect(&url).await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO workspaces (account_id, name, display_name, description, created_by, created_at)
         SELECT 1, 'bulk_' || i, 'Bulk ' || i, 'one of many', 'acme', 1700000000 + i FROM n",
    )
    .bind(WORKSPACES)
    .execute(&native)
    .await?;
    let cookie = session_cookie(&server).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_url = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new()
        .route("/workspaces", axum::routing::get(bare_page))
        .with_state(native.clone());
    let bare = tokio::spawn(async move {
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await
    });

    println!(
        "page throughput: GET /workspaces signed in, {WORKSPACES} workspaces in the account, vs bare axum + the same two SQL reads (wrk, 10 s each)"
    );
    for connections in [1, 32] {
        let console = wrk_at(
            std::slice::from_ref(&server.url),
            "/workspaces",
            &cookie,
            connections,
        )?;
        let base = wrk_at(
            std::slice::from_ref(&bare_url),
            "/workspaces",
            "",
            connections,
        )?;
        println!("  {connections} connection(s):");
        println!("    {}", line("console", &console));
        println!("    {}", line("bare axum", &base));
        let ratio = console.requests_per_sec / base.requests_per_sec;
        if connections == 1 {
            let ok = console.p50_ms <= 1.5 && console.p99_ms <= 5.0;
            println!(
                "    console at {:.0}% of bare axum's req/s; goal p50 <= 1.5 ms, p99 <= 5 ms: {}",
                ratio * 100.0,
                if ok { "OK" } else { "OVER TARGET" }
            );
        } else {
            let ok = ratio >= 0.5 && console.p99_ms <= 3.0 * console.p50_ms;
            println!(
                "    console at {:.0}% of bare axum's req/s (goal >= 50%), p99 {:.1}x p50 (goal <= 3x): {}",
                ratio * 100.0,
                console.p99_ms / console.p50_ms,
                if ok { "OK" } else { "OVER TARGET" }
            );
        }
    }
    bare.abort();
    native.close().await;
    drop(server);
    Ok(())
}
