//! The Recycle Bin over HTTP: an entry's page is 404 for any caller whose entry it is not, and the
//! API's assets filter reads a kind in either spelling.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use workspace_console::store::Pool;

// The page /recycle-bin/<id> (SPEC §18): its entry for whoever may view the bin; a missing id,
// another account's and one that is not a number all answer 404.
on_both_engines!(a_bin_entry_page_is_404_for_an_entry_that_is_not_the_callers);
async fn a_bin_entry_page_is_404_for_an_entry_that_is_not_the_callers(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let legacy = app
        .id("SELECT id FROM workspaces WHERE name = 'legacy_reports' AND account_id = 1")
        .await;
    let page = async |who: Who, id: &str| {
        let client = app.client(who.credentials()).await;
        let res = client
            .get(format!("{}/recycle-bin/{id}", app.url))
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    };
    let (status, body) = page(Who::Bob, &legacy).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("legacy_reports (in Recycle Bin)"), "{body}");
    for (who, id) in [
        (Who::Globex, legacy.as_str()),
        (Who::Bob, "999999"),
        (Who::Bob, "not-a-number"),
    ] {
        let (status, body) = page(who, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who:?} {id}");
        assert!(
            body.contains("There is no such entry in the Recycle Bin"),
            "{who:?} {id}"
        );
    }
}

on_both_engines!(the_assets_filter_reads_a_kind_in_either_spelling);
async fn the_assets_filter_reads_a_kind_in_either_spelling(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let bob = key_for(&pool, "bob@acme").await;
    let api = Api::new(&app).await;
    let legacy: i64 = sqlx::query_scalar("SELECT id FROM workspaces WHERE name = 'legacy_reports'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let assets = |kind: &str| format!("/recycle-bin/{legacy}/assets?kind={kind}&page=1");
    let kinds = [
        ("data_source", "DataSource"),
        ("compute", "Compute"),
        ("resource", "Resource"),
        ("node", "Node"),
    ];
    for (filter, answer) in kinds {
        let mut answers = Vec::new();
        for spelling in [filter, answer] {
            let (status, json) = api
                .call(
                    Some(&bob),
                    Method::GET,
                    "/recycle-bin/{id}/assets",
                    &assets(spelling),
                    None,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{spelling}: {json}");
            assert_eq!(json["kind"], answer, "{spelling}: the answer's spelling");
            answers.push(json);
        }
        assert_eq!(
            answers[0], answers[1],
            "{filter} and {answer} read one list"
        );
    }
    for wrong in ["NODE", "nodes", "DiTask", "di_task"] {
        let (status, json) = api
            .call(
                Some(&bob),
                Method::GET,
                "/recycle-bin/{id}/assets",
                &assets(wrong),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}: {json}");
    }
    // The document lists both spellings.
    let doc = served_document(&app).await;
    let kind = document_parameter(&doc, "/recycle-bin/{id}/assets", "get", "kind");
    assert_eq!(kind["required"], true);
    let listed = kind["schema"]["enum"].as_array().unwrap();
    for (filter, answer) in kinds {
        for spelling in [filter, answer] {
            assert!(
                listed.contains(&Value::from(spelling)),
                "{spelling}: {kind}"
            );
        }
    }
    assert_eq!(listed.len(), 8, "{kind}");
}

// ---- "Copy to Workspace" (SPEC §23) -----------------------------------------------------------

/// `POST /recycle-bin/{entry}/copy-nodes` with `key`, checked against the document.
async fn copy_nodes(
    api: &Api<'_>,
    key: &str,
    entry: i64,
    target: &str,
    node_ids: &[i64],
) -> (StatusCode, Value) {
    api.call(
        Some(key),
        Method::POST,
        "/recycle-bin/{id}/copy-nodes",
        &format!("/recycle-bin/{entry}/copy-nodes"),
        Some(serde_json::json!({ "target_workspace": target, "node_ids": node_ids })),
        None,
    )
    .await
}

/// Everything a Recycle Bin entry is and holds: its row (countdown), its nodes with their code,
/// status and versions, its dependencies and tasks.
async fn entry_state(pool: &Pool, entry: i64) -> Vec<String> {
    let row: (String, Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT name, deleted_at, purge_at, purge_started_at FROM workspaces WHERE id = $1",
    )
    .bind(entry)
    .fetch_one(pool)
    .await
    .unwrap();
    let mut state = vec![format!("{row:?}")];
    let assets: Vec<(i64, String, String, String, String, String, Option<String>)> =
        sqlx::query_as(
            "SELECT id, kind, product, name, subtype, code, node_status FROM assets
             WHERE workspace_id = $1 ORDER BY id",
        )
        .bind(entry)
        .fetch_all(pool)
        .await
        .unwrap();
    state.extend(assets.iter().map(|a| format!("{a:?}")));
    let versions: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT v.node_id, v.version, v.code, v.committed_by, v.committed_at FROM node_versions v
         JOIN assets a ON a.id = v.node_id WHERE a.workspace_id = $1 ORDER BY v.node_id, v.version",
    )
    .bind(entry)
    .fetch_all(pool)
    .await
    .unwrap();
    state.extend(versions.iter().map(|v| format!("{v:?}")));
    let dependencies: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM node_dependencies d JOIN assets a ON a.id = d.node_id OR a.id = d.upstream_id
         WHERE a.workspace_id = $1",
    )
    .bind(entry)
    .fetch_one(pool)
    .await
    .unwrap();
    let tasks: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks WHERE workspace_id = $1")
        .bind(entry)
        .fetch_one(pool)
        .await
        .unwrap();
    state.push(format!("dependencies {dependencies}, tasks {tasks}"));
    state
}

/// A node as copying compares it: name, product, type, detail, code, and its committed versions
/// (number, code, author, time).
type NodeCopy = (
    (String, String, String, String, String),
    Vec<(i64, String, String, i64)>,
);

async fn node_as_copied(pool: &Pool, id: i64) -> NodeCopy {
    let node = sqlx::query_as(
        "SELECT name, product, subtype, detail, code FROM assets WHERE id = $1 AND kind = 'node'",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    let versions = sqlx::query_as(
        "SELECT version, code, committed_by, committed_at FROM node_versions
         WHERE node_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap();
    (node, versions)
}

/// The workspace (its name, and whether it is active) and status of node `id`.
async fn where_is(pool: &Pool, id: i64) -> (String, bool, String) {
    let (name, deleted_at, status): (String, Option<i64>, String) = sqlx::query_as(
        "SELECT w.name, w.deleted_at, a.node_status FROM assets a
         JOIN workspaces w ON w.id = a.workspace_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    (name, deleted_at.is_none(), status)
}

// The copy is a new node of the target with the same name, product, type and code and the
// committed versions (times and authors kept), unpublished, without dependencies or a task; the
// entry stays exactly as it was, the audit event on the target names it and the count, and a
// Recover afterwards still brings back the original nodes.
on_both_engines!(copied_nodes_keep_code_and_versions_unpublished_and_the_entry_stays_as_it_was);
async fn copied_nodes_keep_code_and_versions_unpublished_and_the_entry_stays_as_it_was(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = key_for(&pool, "alice@acme").await;
    let api = Api::new(&app).await;
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers").await;
    let check = acme_node(&pool, "tmp_join_test", "check_join_counts").await;
    let shown = |key: String| {
        let api = &api;
        async move {
            api.call(
                Some(&key),
                Method::GET,
                "/recycle-bin/{id}",
                &format!("/recycle-bin/{entry}"),
                None,
                None,
            )
            .await
        }
    };
    let (status, entry_before) = shown(alice.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let state_before = entry_state(&pool, entry).await;
    let originals = [
        node_as_copied(&pool, join).await,
        node_as_copied(&pool, check).await,
    ];
    assert!(
        originals[0].1.len() == 2 && !originals[1].1.is_empty(),
        "the demo's nodes have committed versions: {originals:?}"
    );

    let (status, report) = copy_nodes(&api, &alice, entry, "finance_etl", &[join, check]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["target_workspace"], "finance_etl");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{report}");
    let mut copies = vec![];
    for ((result, original), id) in results.iter().zip(&originals).zip([join, check]) {
        assert_eq!(result["node_id"], id, "in the order named: {report}");
        assert_eq!(result["status"], 200, "{result}");
        assert_eq!(result["code"], "Copied", "{result}");
        assert_eq!(result["name"], original.0.0.as_str(), "{result}");
        let copy = result["copied_node_id"].as_i64().unwrap();
        assert_ne!(copy, id, "a new node");
        assert_eq!(&node_as_copied(&pool, copy).await, original);
        let (workspace, active, node_status) = where_is(&pool, copy).await;
        assert_eq!(
            (workspace.as_str(), active, node_status.as_str()),
            ("finance_etl", true, "committed"),
            "in the target, unpublished"
        );
        let dependencies = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM node_dependencies WHERE node_id = $1 OR upstream_id = $1",
        )
        .bind(copy)
        .fetch_one(&pool)
        .await
        .unwrap();
        let tasks = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM tasks WHERE node_id = $1")
            .bind(copy)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((dependencies, tasks), (0, 0), "no dependencies, no task");
        copies.push(copy);
    }
    // Anyone who may view the target sees them among its nodes.
    let bob = key_for(&pool, "bob@acme").await;
    let (status, nodes) = api
        .call(
            Some(&bob),
            Method::GET,
            "/workspaces/{name}/nodes",
            "/workspaces/finance_etl/nodes",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for name in ["join_orders_customers", "check_join_counts"] {
        assert!(
            nodes.as_array().unwrap().iter().any(|n| n["name"] == name),
            "{name}: {nodes}"
        );
    }

    // The entry is exactly as it was: its counts, countdown, lists and what Recover brings back.
    assert_eq!(shown(alice.clone()).await.1, entry_before);
    assert_eq!(entry_state(&pool, entry).await, state_before);

    // One event, on the target, naming the entry and the count.
    let events: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT workspace, user_name, result, message FROM audit_events
         WHERE action = 'CopyNodesFromRecycleBin' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let (workspace, user, result, message) = &events[0];
    assert_eq!(
        (workspace.as_str(), user.as_str(), result.as_str()),
        ("finance_etl", "alice@acme", "Success")
    );
    assert!(
        message.contains("tmp_join_test") && message.contains(&format!("id {entry}")),
        "names the entry: {message}"
    );
    assert!(message.starts_with("2 of 2 nodes copied"), "{message}");
    let (status, listed) = api
        .call(
            Some(&bob),
            Method::GET,
            "/audit-events",
            "/audit-events?action=CopyNodesFromRecycleBin&page=1",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["events"][0]["workspace"], "finance_etl", "{listed}");

    // Recover still brings back the original nodes, as they were; the copies stay in the target.
    let (status, recovered) = api
        .call(
            Some(&alice),
            Method::POST,
            "/recycle-bin/{id}/recover",
            &format!("/recycle-bin/{entry}/recover"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{recovered}");
    for (id, original) in [join, check].into_iter().zip(&originals) {
        assert_eq!(&node_as_copied(&pool, id).await, original);
        let (workspace, active, _) = where_is(&pool, id).await;
        assert_eq!((workspace.as_str(), active), ("tmp_join_test", true));
    }
    for copy in copies {
        assert_eq!(where_is(&pool, copy).await.0, "finance_etl");
    }
}

// A name taken in the target refuses that node alone, as does an id that is no node of the entry;
// the rest are copied. 100 nodes may be named at once.
on_both_engines!(a_taken_name_refuses_that_node_alone_and_the_rest_are_copied);
async fn a_taken_name_refuses_that_node_alone_and_the_rest_are_copied(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers").await;
    let check = acme_node(&pool, "tmp_join_test", "check_join_counts").await;
    let compute = acme_node(&pool, "tmp_join_test", "mc_tmp_join").await;
    let reconcile = acme_node(&pool, "finance_etl", "reconcile").await;
    let (status, first) = copy_nodes(&api, &root, entry, "finance_etl", &[join]).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let first_copy = first["results"][0]["copied_node_id"].as_i64().unwrap();

    // The 100 limit: exactly 100 ids is one request (a repeated id counts once).
    let mut ids = vec![join, check, compute, reconcile, join];
    ids.extend((1..=96).map(|i| 1_000_000 + i));
    let (status, report) = copy_nodes(&api, &root, entry, "finance_etl", &ids).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 100, "{report}");
    let taken = &results[0];
    assert_eq!(taken["node_id"], join);
    assert_eq!(taken["status"], 409, "{taken}");
    assert_eq!(taken["code"], "Conflict", "{taken}");
    assert_eq!(taken["name"], "join_orders_customers");
    assert_eq!(
        taken["message"],
        "A node named join_orders_customers already exists in finance_etl"
    );
    assert!(taken["copied_node_id"].is_null(), "{taken}");
    assert_eq!(results[1]["node_id"], check);
    assert_eq!(results[1]["status"], 200, "{}", results[1]);
    let check_copy = results[1]["copied_node_id"].as_i64().unwrap();
    assert_eq!(
        node_as_copied(&pool, check_copy).await,
        node_as_copied(&pool, check).await
    );
    // Not a node of this entry: a computing resource of it, another workspace's node, no node.
    for result in &results[2..] {
        assert_eq!(result["status"], 404, "{result}");
        assert_eq!(result["code"], "NotFound", "{result}");
        assert_eq!(
            result["name"], "",
            "nothing told of another workspace: {result}"
        );
        assert!(result["copied_node_id"].is_null(), "{result}");
    }
    let named = |name: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM assets a JOIN workspaces w ON w.id = a.workspace_id
                 WHERE w.account_id = 1 AND w.name = 'finance_etl' AND a.name = $1",
            )
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(named("join_orders_customers").await, 1);
    assert_eq!(named("check_join_counts").await, 1);
    assert_eq!(
        where_is(&pool, first_copy).await.0,
        "finance_etl",
        "the first copy is untouched"
    );
    let message: String = sqlx::query_scalar(
        "SELECT message FROM audit_events WHERE action = 'CopyNodesFromRecycleBin' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(message.starts_with("1 of 100 nodes copied"), "{message}");
    assert!(message.contains("tmp_join_test"), "{message}");
    // Every node refused: still an answer per node, and nothing more copied.
    let before = app.fingerprint().await;
    let (status, report) = copy_nodes(&api, &root, entry, "finance_etl", &[check, join]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == 409),
        "{report}"
    );
    assert_eq!(app.fingerprint().await, before);
}

// Refused as a whole, changing nothing: an entry whose 14 days are up (before the purge job has
// run), a target in the Recycle Bin, missing, or of another account, another account's entry,
// an active workspace as the entry, no node or more than 100, a read-only or no-policy user.
on_both_engines!(a_copy_is_refused_as_a_whole_changing_nothing);
async fn a_copy_is_refused_as_a_whole_changing_nothing(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let api = Api::new(&app).await;
    let alice = key_for(&pool, "alice@acme").await;
    let bob = key_for(&pool, "bob@acme").await;
    let carol = key_for(&pool, "carol@acme").await;
    let globex = key_for(&pool, "globex").await;
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let (legacy, _) = bin_entry(&pool, "legacy_reports").await;
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers").await;
    let summary = acme_node(&pool, "legacy_reports", "monthly_summary").await;
    let finance: i64 = sqlx::query_scalar(
        "SELECT id FROM workspaces WHERE account_id = 1 AND name = 'finance_etl'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let reconcile = acme_node(&pool, "finance_etl", "reconcile").await;
    let too_many: Vec<i64> = std::iter::once(join)
        .chain((1..=100).map(|i| 1_000_000 + i))
        .collect();
    let states = async || {
        (
            entry_state(&pool, entry).await,
            entry_state(&pool, legacy).await,
        )
    };
    let before = app.fingerprint().await;
    let entries_before = states().await;
    let cases: Vec<(&str, &str, i64, &str, Vec<i64>, StatusCode, &str)> = vec![
        (
            "alice",
            alice.as_str(),
            entry,
            "poc_2025",
            vec![join],
            StatusCode::NOT_FOUND,
            "does not exist",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "no_such_ws",
            vec![join],
            StatusCode::NOT_FOUND,
            "does not exist",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "globex_lake",
            vec![join],
            StatusCode::NOT_FOUND,
            "does not exist",
        ),
        (
            "globex",
            globex.as_str(),
            entry,
            "sales_dw",
            vec![join],
            StatusCode::NOT_FOUND,
            "Recycle Bin",
        ),
        (
            "globex",
            globex.as_str(),
            entry,
            "finance_etl",
            vec![join],
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            "alice",
            alice.as_str(),
            finance,
            "sales_dw",
            vec![reconcile],
            StatusCode::NOT_FOUND,
            "Recycle Bin",
        ),
        (
            "alice",
            alice.as_str(),
            999_999,
            "finance_etl",
            vec![join],
            StatusCode::NOT_FOUND,
            "Recycle Bin",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "finance_etl",
            vec![],
            StatusCode::UNPROCESSABLE_ENTITY,
            "at least one node",
        ),
        (
            "alice",
            alice.as_str(),
            entry,
            "finance_etl",
            too_many,
            StatusCode::UNPROCESSABLE_ENTITY,
            "At most 100",
        ),
        (
            "bob",
            bob.as_str(),
            entry,
            "finance_etl",
            vec![join],
            StatusCode::FORBIDDEN,
            "",
        ),
        (
            "carol",
            carol.as_str(),
            entry,
            "finance_etl",
            vec![join],
            StatusCode::FORBIDDEN,
            "",
        ),
    ];
    for (who, key, entry_id, target, ids, want, says) in cases {
        let (status, answer) = copy_nodes(&api, key, entry_id, target, &ids).await;
        let case = format!(
            "{who}: entry {entry_id} into {target} ({} nodes)",
            ids.len()
        );
        assert_eq!(status, want, "{case}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{case}: {message}");
        assert_plain(message, &case);
        assert_eq!(app.fingerprint().await, before, "{case} changed something");
        assert_eq!(states().await, entries_before, "{case} changed an entry");
    }

    // legacy_reports was deleted 13 days before T0: a day later its 14 days are up, and nothing
    // can be taken from it even though the purge job has not run yet (it is still there).
    app.state.clock.advance(DAY - 1);
    let (status, answer) = copy_nodes(&api, &alice, legacy, "finance_etl", &[summary]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "one second before the end: {answer}"
    );
    let copied = answer["results"][0]["copied_node_id"].as_i64().unwrap();
    let before = app.fingerprint().await;
    app.state.clock.advance(1);
    let export = acme_node(&pool, "legacy_reports", "export_csv").await;
    let (status, answer) = copy_nodes(&api, &alice, legacy, "finance_etl", &[export]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("legacy_reports") && message.contains("14 days"),
        "{message}"
    );
    assert_eq!(app.fingerprint().await, before, "nothing copied");
    assert_eq!(
        bin_entry(&pool, "legacy_reports").await.0,
        legacy,
        "still in the bin: the job has not run"
    );
    assert_eq!(where_is(&pool, copied).await.0, "finance_etl");
    // Every refusal was recorded as one, and only the copy that happened as a success.
    let successes: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'CopyNodesFromRecycleBin' AND result = 'Success'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(successes, 1);
}
