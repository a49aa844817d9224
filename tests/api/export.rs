//! "Download a copy" (SPEC §14) over HTTP on both engines: the archive's layout and its bytes,
//! who may download it and until when, the audit event, and names that must not escape.
use crate::helpers::*;
use reqwest::StatusCode;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::store::Pool;

/// The archive's files by name, read with the zip crate (which also checks every CRC).
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().to_string();
        // No entry may point outside the folder it is unpacked into.
        assert!(file.enclosed_name().is_some(), "unsafe entry {name:?}");
        assert!(
            name == "workspace.json"
                || name.starts_with("nodes/DataWorks/")
                || name.starts_with("nodes/PAI/"),
            "{name}"
        );
        let mut content = Vec::new();
        file.read_to_end(&mut content).unwrap();
        assert!(
            files.insert(name.clone(), content).is_none(),
            "{name} twice"
        );
    }
    files
}

async fn get(
    client: &reqwest::Client,
    url: String,
) -> (StatusCode, Vec<u8>, reqwest::header::HeaderMap) {
    let res = client.get(url).send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, res.bytes().await.unwrap().to_vec(), headers)
}

async fn ws_id(app: &TestApp, account: &str, name: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT w.id FROM workspaces w JOIN accounts a ON a.id = w.account_id WHERE a.name = $1 AND w.name = $2",
    )
    .bind(account)
    .bind(name)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

on_both_engines!(the_zip_holds_every_asset_and_each_nodes_code_and_versions_byte_for_byte);
async fn the_zip_holds_every_asset_and_each_nodes_code_and_versions_byte_for_byte(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let id = ws_id(&app, "acme", "sales_dw").await;
    // Code with every kind of byte a file can hold: quotes, a BOM, CRLF, tabs, non-Latin text.
    let odd = "\u{feff}SELECT \"x\", 'y'\r\n\t-- 日本語 ✓\r\n";
    sqlx::query("UPDATE assets SET code = $1 WHERE workspace_id = $2 AND name = 'ods_orders'")
        .bind(odd)
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, body, headers) =
        get(&bob, format!("{}/workspaces/sales_dw/export.zip", app.url)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/zip");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"sales_dw.zip\""
    );
    let files = unzip(&body);
    let doc: serde_json::Value = serde_json::from_slice(&files["workspace.json"]).unwrap();
    assert_eq!(doc["workspace"]["name"], "sales_dw");
    assert_eq!(doc["pai_workspace"], "sales_dw");

    // Every asset of every type, with its details.
    let assets: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, kind, product, name, subtype, detail FROM assets WHERE workspace_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    // Listed kind by kind (data sources first), each kind by id.
    let mut listed = doc["assets"].as_array().unwrap().clone();
    let kinds: Vec<&str> = listed.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"data_source"));
    listed.sort_by_key(|a| a["id"].as_i64().unwrap());
    assert_eq!(listed.len(), assets.len());
    assert!(assets.iter().any(|a| a.1 == "di_task") && assets.iter().any(|a| a.1 == "model"));
    for (a, (id, kind, product, name, subtype, detail)) in listed.iter().zip(&assets) {
        assert_eq!(a["id"], *id);
        assert_eq!(
            (a["kind"].as_str().unwrap(), a["product"].as_str().unwrap()),
            (kind.as_str(), product.as_str())
        );
        assert_eq!(
            (a["name"].as_str().unwrap(), a["type"].as_str().unwrap()),
            (name.as_str(), subtype.as_str())
        );
        assert_eq!(a["detail"], *detail);
    }
    // Tasks with their schedules.
    let tasks: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks WHERE workspace_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(tasks > 0);
    let listed_tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(listed_tasks.len() as i64, tasks);
    assert!(
        listed_tasks
            .iter()
            .all(|t| t["interval_secs"].as_i64().unwrap() > 0)
    );

    // Each node's code and every committed version, byte for byte, where workspace.json says.
    let nodes: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, product, subtype, code FROM assets WHERE workspace_id = $1 AND kind = 'node'",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut versions_seen = 0;
    for (node_id, product, subtype, code) in &nodes {
        let entry = listed.iter().find(|a| a["id"] == *node_id).unwrap();
        let path = entry["code_file"].as_str().unwrap();
        assert!(path.starts_with(&format!("nodes/{product}/")));
        let ext = workspace_console::export::extension(subtype);
        assert!(path.ends_with(&format!(".{ext}")), "{path}");
        assert_eq!(files[path], code.as_bytes(), "{path}");
        let versions: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT version, code, committed_by FROM node_versions WHERE node_id = $1 ORDER BY version",
        )
        .bind(node_id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let listed_versions = entry["versions"].as_array().unwrap();
        assert_eq!(listed_versions.len(), versions.len());
        for (v, (n, code, by)) in listed_versions.iter().zip(&versions) {
            assert_eq!(
                (
                    v["version"].as_i64().unwrap(),
                    v["committed_by"].as_str().unwrap()
                ),
                (*n, by.as_str())
            );
            let file = v["file"].as_str().unwrap();
            assert_eq!(
                file,
                path.replace(&format!(".{ext}"), &format!(".versions/{n}.{ext}"))
            );
            assert_eq!(files[file], code.as_bytes(), "{file}");
            versions_seen += 1;
        }
    }
    assert!(versions_seen > 0);
    assert!(files.values().any(|f| f == odd.as_bytes()));
    assert_eq!(files.len(), 1 + nodes.len() + versions_seen);
}

on_both_engines!(viewers_of_the_account_may_export_until_the_purge_and_each_export_is_audited);
async fn viewers_of_the_account_may_export_until_the_purge_and_each_export_is_audited(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let carol = app.client(Some(("carol@acme", "carol-demo-1"))).await;
    let globex = app.client(Some(("globex", "globex-demo-1"))).await;
    let anonymous = reqwest::Client::new();
    let active = format!("{}/workspaces/supply_chain/export.zip", app.url);
    assert_eq!(
        get(&anonymous, active.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&carol, active.clone()).await.0, StatusCode::FORBIDDEN);
    // Another account's workspace does not exist for globex, whatever its name.
    assert_eq!(get(&globex, active.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&bob, active.clone()).await.0, StatusCode::OK);
    assert_eq!(
        get(
            &bob,
            format!("{}/workspaces/no_such_ws/export.zip", app.url)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    // From the Recycle Bin: until the 14 days are over.
    assert_eq!(
        app.delete_workspace(&alice, "supply_chain", "supply_chain")
            .await,
        StatusCode::OK
    );
    assert_eq!(get(&bob, active.clone()).await.0, StatusCode::NOT_FOUND);
    let id = ws_id(&app, "acme", "supply_chain").await;
    let binned = format!("{}/recycle-bin/{id}/export.zip", app.url);
    let (status, body, _) = get(&bob, binned.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let files = unzip(&body);
    let doc: serde_json::Value = serde_json::from_slice(&files["workspace.json"]).unwrap();
    assert_eq!(doc["workspace"]["deleted_by"], "alice@acme");
    assert_eq!(get(&globex, binned.clone()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&carol, binned.clone()).await.0, StatusCode::FORBIDDEN);
    for bad in ["0", "-1", "abc", "99999999999999999999", "1.5", "%2e%2e"] {
        let (status, ..) = get(&bob, format!("{}/recycle-bin/{bad}/export.zip", app.url)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    app.advance_clock(RETENTION_SECS + DAY).await;
    assert_eq!(get(&bob, binned.clone()).await.0, StatusCode::NOT_FOUND);

    // One event per export, and the refusals recorded as such, each in its caller's account.
    let events: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT a.name, e.user_name, e.workspace, e.result FROM audit_events e JOIN accounts a ON a.id = e.account_id
         WHERE e.action = 'ExportWorkspace' ORDER BY e.id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let seen: Vec<(&str, &str, &str, &str)> = events
        .iter()
        .map(|(a, u, w, r)| (a.as_str(), u.as_str(), w.as_str(), r.as_str()))
        .collect();
    let ok = ("acme", "bob@acme", "supply_chain", "Success");
    assert_eq!(seen.iter().filter(|e| **e == ok).count(), 2, "{seen:?}");
    assert!(seen.contains(&("acme", "carol@acme", "supply_chain", "Denied")));
    assert!(seen.contains(&("globex", "globex", "supply_chain", "Failed")));
    assert!(!seen.iter().any(|e| e.0 == "acme" && e.1 == "globex"));
}

on_both_engines!(node_names_never_escape_the_zip_or_overwrite_each_other);
async fn node_names_never_escape_the_zip_or_overwrite_each_other(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let id = ws_id(&app, "acme", "sales_dw").await;
    let evil = [
        "../../x",
        "/etc/passwd",
        "..",
        "a\\..\\b",
        "C:evil",
        "ods_orders",
        "ODS_ORDERS",
        "dup",
        "dup",
        "",
        "x\0y",
    ];
    for (i, name) in evil.iter().enumerate() {
        sqlx::query(
            "INSERT INTO assets (workspace_id, kind, product, name, subtype, code, node_status, created_at)
             VALUES ($1, 'node', 'DataWorks', $2, 'Shell', $3, 'draft', 0)",
        )
        .bind(id)
        .bind(name.replace('\0', ""))
        .bind(format!("echo {i}"))
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let (status, body, _) = get(&bob, format!("{}/workspaces/sales_dw/export.zip", app.url)).await;
    assert_eq!(status, StatusCode::OK);
    let files = unzip(&body);
    // Every node has a file of its own with its own code.
    for i in 0..evil.len() {
        let code = format!("echo {i}");
        assert_eq!(
            files.values().filter(|f| **f == code.as_bytes()).count(),
            1,
            "node {i}"
        );
    }
    let lower: HashSet<String> = files.keys().map(|k| k.to_lowercase()).collect();
    assert_eq!(
        lower.len(),
        files.len(),
        "two names differ only in letter case"
    );
    for name in files.keys() {
        assert!(
            name.split('/')
                .all(|segment| !matches!(segment, "" | "." | "..")),
            "{name}"
        );
    }
    assert!(
        files
            .keys()
            .any(|k| k == "nodes/DataWorks/%2E.%2F..%2Fx.sh")
    );
}

on_both_engines!(odd_addresses_of_the_new_doors_get_a_4xx_never_a_5xx);
async fn odd_addresses_of_the_new_doors_get_a_4xx_never_a_5xx(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let long = "a".repeat(5000);
    let paths = [
        "/workspaces/%00/export.zip".to_string(),
        "/workspaces/%FF%FE/export.zip".to_string(),
        "/workspaces/..%2F..%2Fetc/export.zip".to_string(),
        "/workspaces/sales_dw%27%20OR%201=1/export.zip".to_string(),
        format!("/workspaces/{long}/export.zip"),
        "/recycle-bin/%FF/export.zip".to_string(),
        "/recycle-bin/1e3/export.zip".to_string(),
        format!("/recycle-bin/{}/export.zip", "9".repeat(400)),
        "/live/events?x=%FF".to_string(),
    ];
    for path in &paths {
        let res = bob.get(format!("{}{path}", app.url)).send().await.unwrap();
        let status = res.status();
        if path.starts_with("/live/") {
            assert_eq!(status, StatusCode::OK, "{path}");
            continue;
        }
        assert!(status.is_client_error(), "{path}: {status}");
        let body = res.text().await.unwrap();
        assert!(body.contains("\"message\""), "{path}: {body}");
    }
    // Only GET: anything else is refused without acting.
    for (method, path) in [
        (reqwest::Method::POST, "/workspaces/sales_dw/export.zip"),
        (reqwest::Method::DELETE, "/recycle-bin/1/export.zip"),
        (reqwest::Method::POST, "/live/events"),
    ] {
        let res = bob
            .request(method.clone(), format!("{}{path}", app.url))
            .header("origin", &app.url)
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_client_error(),
            "{method} {path}: {}",
            res.status()
        );
    }
}

on_both_engines!(a_busy_instance_answers_503_and_a_zip_is_never_compressed_again);
async fn a_busy_instance_answers_503_and_a_zip_is_never_compressed_again(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let url = format!("{}/workspaces/sales_dw/export.zip", app.url);
    // Every export slot taken (as by downloads in progress): the next one waits its turn.
    let held = app
        .state
        .exports
        .clone()
        .acquire_many_owned(workspace_console::server::state::EXPORTS_AT_ONCE as u32)
        .await
        .unwrap();
    let res = bob.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    drop(held);
    // A browser that takes brotli still gets the zip as it is (deflate inside already).
    let res = bob
        .get(&url)
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get("content-encoding").is_none());
    let files = unzip(&res.bytes().await.unwrap());
    assert!(files.contains_key("workspace.json"));
}
