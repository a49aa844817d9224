//! `/workspaces` signed in, with 10,000 workspaces in the account, in English and in 简体中文, against a bare axum handler in
//! this process doing the same two SQL reads (the count and the first page, at once as the console
//! reads them) on the same SQLite file and writing the rows as an HTML table: at 1 and 32
//! connections (wrk). Goals (issue 10): one connection p50 <= 1.5 ms and p99 <= 5 ms; 32
//! connections >= 50% of bare axum's req/s, p99 <= 3x p50. Three rounds, the two taking turns; the
//! goals are judged on the medians.
use crate::R;
use crate::memory::start_on;
use crate::throughput::{Measured, session_cookie, wrk_at};
use std::fmt::Write;
use std::path::Path;

const WORKSPACES: i64 = 10_000;
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
    println!(
        "page throughput: GET /workspaces signed in, {WORKSPACES} workspaces in the account, in English and in 简体中文, vs bare axum + the same two SQL reads (wrk, 10 s each; {ROUNDS} rounds, the console in each language and bare axum taking turns; goals judged on the medians)"
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
                    "/workspaces",
                    cookie,
                    connections,
                )?);
            }
            let base = wrk_at(
                std::slice::from_ref(&bare_url),
                "/workspaces",
                "",
                connections,
            )?;
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
                let ok = p50 <= 1.5 && p99 <= 5.0;
                println!(
                    "    goal p50 <= 1.5 ms, p99 <= 5 ms: {}",
                    if ok { "OK" } else { "OVER TARGET" }
                );
            } else {
                let ok = ratio >= 0.5 && p99 <= 3.0 * p50;
                println!(
                    "    goal >= 50% of bare axum's req/s, p99 <= 3x p50 ({:.1}x): {}",
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
    drop(baseline);
    bare.abort();
    native.close().await;
    drop(server);
    Ok(())
}
