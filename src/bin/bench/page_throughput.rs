//! Two pages signed in, in English and in 简体中文, each against a bare axum handler in this process
//! doing the same SQL reads on the same SQLite file and writing the rows as an HTML table, at 1 and
//! 32 connections (wrk):
//! - `/workspaces` with 10,000 workspaces in the account: the count and the first page, at once
//!   as the console reads them;
//! - `/recycle-bin?q=sales` with 10,000 entries in the account's bin (a quarter match): the count,
//!   the first page by deletion time, the "Deleted by" choices and purge protection, one after
//!   the other on one connection, as `recycle_bin::service::list` reads them.
//!
//! Goals (issue 48): one connection p50 <= 1.2 ms and p99 <= 4 ms; 32 connections >= 60% of bare
//! axum's req/s, p99 <= 3x p50. Three rounds, the console and bare axum taking turns; the goals are
//! judged on the medians.
use crate::R;
use crate::memory::start_on;
use crate::throughput::{Measured, session_cookie, wrk_at};
use std::fmt::Write;
use std::path::Path;

const WORKSPACES: i64 = 10_000;
/// Entries in the account's Recycle Bin; a quarter of their names hold "sales".
const BIN_ENTRIES: i64 = 10_000;
/// The Recycle Bin page measured: searched, as a team finds an entry among many (SPEC §21).
const BIN_PATH: &str = "/recycle-bin?q=sales";
/// The machine is noisy (bare axum's req/s moved by a third between runs here): each load is
/// measured this many times, the console and bare axum taking turns.
const ROUNDS: usize = 3;

async fn bare_page(
    axum::extract::State(pool): axum::extract::State<sqlx::SqlitePool>,
) -> axum::response::Html<String> {
    let account = 1i64;
    // At once, on two connections, as the console reads them.
    let (total, rows) = tokio::join!(
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM workspaces WHERE account_id = $1 AND deleted_at IS NULL AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')",
        )
        .bind(account)
        .bind("")
        .fetch_one(&pool),
        sqlx::query_as::<_, (i64, String, String, String, String, i64)>(
            "SELECT id, name, display_name, description, created_by, created_at FROM workspaces
             WHERE account_id = $1 AND deleted_at IS NULL AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')
             ORDER BY created_at DESC, id DESC LIMIT 10 OFFSET 0",
        )
        .bind(account)
        .bind("")
        .fetch_all(&pool),
    );
    let (total, rows) = (total.unwrap_or(0), rows.unwrap_or_default());
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

/// The Recycle Bin's reads for `?q=sales` (`recycle_bin::service::list`), bare.
async fn bare_bin(
    axum::extract::State(pool): axum::extract::State<sqlx::SqlitePool>,
) -> axum::response::Html<String> {
    let account = 1i64;
    let pattern = "%sales%";
    let matching = "account_id = $1 AND deleted_at IS NOT NULL AND purge_started_at IS NULL AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\') AND ($3 = '' OR deleted_by = $3)";
    let Ok(mut conn) = pool.acquire().await else {
        return axum::response::Html(String::new());
    };
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT count(*) FROM workspaces WHERE {matching}"))
            .bind(account)
            .bind(pattern)
            .bind("")
            .fetch_one(&mut *conn)
            .await
            .unwrap_or(0);
    let rows = sqlx::query_as::<_, (i64, String, String, String, i64, i64)>(&format!(
        "SELECT id, name, display_name, deleted_by, deleted_at, purge_at FROM workspaces
         WHERE {matching} ORDER BY deleted_at DESC, id DESC LIMIT 20 OFFSET 0"
    ))
    .bind(account)
    .bind(pattern)
    .bind("")
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    let deleted_by: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT deleted_by FROM workspaces WHERE account_id = $1 AND deleted_at IS NOT NULL AND purge_started_at IS NULL ORDER BY deleted_by",
    )
    .bind(account)
    .fetch_all(&mut *conn)
    .await
    .unwrap_or_default();
    let protection: Option<i64> =
        sqlx::query_scalar("SELECT purge_protection FROM account_settings WHERE account_id = $1")
            .bind(account)
            .fetch_optional(&mut *conn)
            .await
            .unwrap_or_default();
    let mut html = String::from("<!DOCTYPE html><html><body><select>");
    for by in deleted_by {
        let _ = write!(html, "<option>{by}</option>");
    }
    html.push_str("</select><table>");
    for (id, name, display, by, at, purge_at) in rows {
        let _ = write!(
            html,
            "<tr><td><a href=\"/recycle-bin/{id}\">{name}</a></td><td>{display}</td><td>{by}</td><td>{at}</td><td>{purge_at}</td></tr>"
        );
    }
    let _ = write!(
        html,
        "</table><p>{total} entries{}</p></body></html>",
        if protection.unwrap_or(0) != 0 {
            ", protected"
        } else {
            ""
        }
    );
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

pub async fn run(dir: &Path, binary: &str, baseline: Option<&str>) -> R<()> {
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
    // Deleted in the last 13 days (the purge job leaves them), by the root or one of two users.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO workspaces (account_id, name, display_name, description, created_by, created_at, deleted_at, deleted_by, purge_at)
         SELECT 1, CASE i % 4 WHEN 0 THEN 'sales_' WHEN 1 THEN 'etl_' WHEN 2 THEN 'report_' ELSE 'tmp_' END || 'binned_' || i,
                'Binned ' || i, 'one of many', 'acme', 1700000000 + i,
                $2 - (i * 97) % 1100000,
                CASE i % 3 WHEN 0 THEN 'acme' WHEN 1 THEN 'alice@acme' ELSE 'bob@acme' END,
                $2 - (i * 97) % 1100000 + 14 * 86400
         FROM n",
    )
    .bind(BIN_ENTRIES)
    .bind(now)
    .execute(&native)
    .await?;
    let cookie = session_cookie(&server).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_url = format!("http://{}", listener.local_addr()?);
    let app = axum::Router::new()
        .route("/workspaces", axum::routing::get(bare_page))
        .route("/recycle-bin", axum::routing::get(bare_bin))
        .with_state(native.clone());
    let bare = tokio::spawn(async move {
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await
    });

    // Another build on the same database (same schema; the session is in the database), in
    // English: its render against this one's, in the same rounds.
    let baseline = match baseline {
        Some(binary) => Some(start_on(binary, &url, false).await?),
        None => None,
    };
    // The same page in each language (SPEC §24): the cookie chooses it.
    let chinese = format!("{cookie}; console_lang=zh-CN");
    let mut languages = vec![
        ("English", server.url.clone(), cookie.as_str()),
        ("简体中文", server.url.clone(), chinese.as_str()),
    ];
    if let Some(baseline) = &baseline {
        languages.push((
            "baseline build, English",
            baseline.url.clone(),
            cookie.as_str(),
        ));
    }
    for (path, what) in [
        (
            "/workspaces",
            format!(
                "{WORKSPACES} workspaces in the account, vs bare axum + the same two SQL reads"
            ),
        ),
        (
            BIN_PATH,
            format!(
                "{BIN_ENTRIES} entries in the account's bin, vs bare axum + the same four SQL reads"
            ),
        ),
    ] {
        println!(
            "page throughput: GET {path} signed in, {what}, in English and in 简体中文 (wrk, 10 s each; {ROUNDS} rounds, the console in each language and bare axum taking turns; goals judged on the medians)"
        );
        for connections in [1, 32] {
            println!("  {connections} connection(s):");
            // Per round: the console in each language, then bare axum.
            let mut rounds: Vec<(Vec<Measured>, Measured)> = Vec::new();
            for round in 1..=ROUNDS {
                let mut consoles = Vec::new();
                for (_, url, cookie) in &languages {
                    consoles.push(wrk_at(
                        std::slice::from_ref(url),
                        path,
                        cookie,
                        connections,
                    )?);
                }
                let base = wrk_at(std::slice::from_ref(&bare_url), path, "", connections)?;
                let mut parts = Vec::new();
                for ((name, _, _), console) in languages.iter().zip(&consoles) {
                    parts.push(format!(
                        "{}, {:.0}%",
                        line(&format!("console {name}"), console),
                        console.requests_per_sec / base.requests_per_sec * 100.0
                    ));
                }
                println!(
                    "    round {round}: {}; {}",
                    parts.join("; "),
                    line("bare axum", &base)
                );
                rounds.push((consoles, base));
            }
            let median = |f: &dyn Fn(&(Vec<Measured>, Measured)) -> f64| {
                let mut values: Vec<f64> = rounds.iter().map(f).collect();
                values.sort_by(f64::total_cmp);
                values[values.len() / 2]
            };
            for (at, (name, _, _)) in languages.iter().enumerate() {
                let (p50, p99, ratio) = (
                    median(&|r| r.0[at].p50_ms),
                    median(&|r| r.0[at].p99_ms),
                    median(&|r| r.0[at].requests_per_sec / r.1.requests_per_sec),
                );
                println!(
                    "    medians, {name}: console {:.0} req/s, p50 {p50:.2} ms, p99 {p99:.2} ms; bare axum {:.0} req/s; console at {:.0}% of bare axum",
                    median(&|r| r.0[at].requests_per_sec),
                    median(&|r| r.1.requests_per_sec),
                    ratio * 100.0
                );
                if connections == 1 {
                    let ok = p50 <= 1.2 && p99 <= 4.0;
                    println!(
                        "    goal p50 <= 1.2 ms, p99 <= 4 ms: {}",
                        if ok { "OK" } else { "OVER TARGET" }
                    );
                } else {
                    let ok = ratio >= 0.6 && p99 <= 3.0 * p50;
                    println!(
                        "    goal >= 60% of bare axum's req/s, p99 <= 3x p50 ({:.1}x): {}",
                        p99 / p50,
                        if ok { "OK" } else { "OVER TARGET" }
                    );
                }
            }
            // Each language against the other, in the same rounds.
            let zh_to_en = median(&|r| r.0[1].requests_per_sec / r.0[0].requests_per_sec);
            println!(
                "    简体中文 at {:.0}% of English's req/s",
                zh_to_en * 100.0
            );
            if baseline.is_some() {
                let to_baseline = median(&|r| r.0[0].requests_per_sec / r.0[2].requests_per_sec);
                println!(
                    "    English at {:.0}% of the baseline build's req/s (issue 47: within 5%): {}",
                    to_baseline * 100.0,
                    if to_baseline >= 0.95 {
                        "OK"
                    } else {
                        "OVER TARGET"
                    }
                );
            }
        }
    }
    drop(baseline);
    bare.abort();
    native.close().await;
    drop(server);
    Ok(())
}
