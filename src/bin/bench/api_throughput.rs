//! The API's list against the console's own server function for the same list (issue 12):
//! `GET /openapi/v1/workspaces` with an AccessKey and `POST /api/list_workspaces` with a session,
//! 32 connections each (wrk), on one SQLite demo database. Goal: the API within 2x of the server
//! function's req/s. The first API request verifies the secret with argon2; later ones use the
//! instance's cache of verified secrets.
use crate::R;
use crate::memory::start_on;
use crate::page_throughput::line;
use crate::throughput::{session_cookie, wrk_with};
use std::path::Path;
use workspace_console::server::audit::Change;

pub(crate) async fn run(dir: &Path, binary: &str) -> R<()> {
    let db = dir.join("api-throughput.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let url = format!("sqlite://{}", db.display());
    let server = start_on(binary, &url, true).await?;
    let pool = workspace_console::store::connect(&url).await?;
    let ids: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM users WHERE name = 'acme' AND is_root), (SELECT id FROM users WHERE name = 'alice')",
    )
    .fetch_one(&pool)
    .await?;
    let root = workspace_console::server::sessions::load_principal(&pool, ids.0)
        .await?
        .ok_or("no root")?;
    let key = workspace_console::access_keys::service::create(
        &pool,
        &Change::console(crate::T0, &root),
        ids.1,
    )
    .await?
    .into_inner();
    let cookie = format!("Cookie: {}", session_cookie(&server).await?);
    let script = dir.join("list_workspaces.lua");
    std::fs::write(
        &script,
        "wrk.method = \"POST\"\nwrk.body = \"query=&page=1\"\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n",
    )?;
    let auth = format!("Authorization: Bearer {}:{}", key.id, key.secret);
    println!(
        "API throughput: the workspace list, 32 connections (wrk, 10 s each), SQLite demo data:"
    );
    let function = wrk_with(
        std::slice::from_ref(&server.url),
        "/api/list_workspaces",
        &["-H", &cookie, "-s", script.to_str().unwrap_or_default()],
        32,
    )?;
    let api = wrk_with(
        std::slice::from_ref(&server.url),
        "/openapi/v1/workspaces",
        &["-H", &auth],
        32,
    )?;
    println!(
        "  {}",
        line(
            "server function POST /api/list_workspaces (session)",
            &function
        )
    );
    println!(
        "  {}",
        line("API GET /openapi/v1/workspaces (AccessKey)", &api)
    );
    let ratio = function.requests_per_sec / api.requests_per_sec;
    println!(
        "  server function / API req/s: {ratio:.2} (goal: the API within 2x, i.e. <= 2): {}",
        if ratio <= 2.0 && api.non_2xx == 0 {
            "OK"
        } else {
            "OVER TARGET"
        }
    );
    pool.close().await;
    drop(server);
    Ok(())
}
