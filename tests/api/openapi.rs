//! The API under /openapi/v1 (SPEC §12) and its document, black-box over HTTP on both engines: the
//! permission matrix of every operation, the lifecycle through the API alone, and the served
//! OpenAPI document (`Api` checks every answer against it), whose rules are the server's.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use workspace_console::access_keys::service as keys;
use workspace_console::store::Pool;

struct Keys {
    root: String,
    alice: String,
    bob: String,
    carol: String,
    globex: String,
    disabled: String,
    wrong: String,
}

async fn all_keys(pool: &Pool) -> Keys {
    let disabled = key_for(pool, "alice@acme").await;
    let root = principal(pool, "acme").await;
    keys::set_enabled(
        pool,
        &by(&root, T0),
        disabled.split(':').next().unwrap(),
        false,
    )
    .await
    .unwrap();
    let root_key = key_for(pool, "acme").await;
    let wrong = format!("{}:{}", root_key.split(':').next().unwrap(), "x".repeat(30));
    Keys {
        root: root_key,
        alice: key_for(pool, "alice@acme").await,
        bob: key_for(pool, "bob@acme").await,
        carol: key_for(pool, "carol@acme").await,
        globex: key_for(pool, "globex").await,
        disabled,
        wrong,
    }
}

/// (method, template, path, body, needs Modify, what globex, alice and then the root get)
type Op = (
    Method,
    &'static str,
    String,
    Option<Value>,
    bool,
    [StatusCode; 3],
);

on_both_engines!(every_operation_answers_each_kind_of_caller_as_the_console_does);
async fn every_operation_answers_each_kind_of_caller_as_the_console_does(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let k = all_keys(&pool).await;
    let api = Api::new(&app).await;
    let legacy: i64 = sqlx::query_scalar("SELECT id FROM workspaces WHERE name = 'legacy_reports'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let task: i64 = sqlx::query_scalar(
        "SELECT t.id FROM tasks t JOIN accounts a ON a.id = t.account_id
         WHERE a.name = 'acme' AND t.status = 'Running' AND t.workspace_id IS NOT NULL ORDER BY t.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let node = |ws: &'static str, name: &'static str| acme_node(&pool, ws, name);
    let (reconcile, ads_report) = (
        node("finance_etl", "reconcile").await,
        node("sales_dw", "ads_report").await,
    );
    let tmp_check = node("sales_dw", "tmp_check").await;
    let (tmp_join_test, _) = bin_entry(&pool, "tmp_join_test").await;
    let join = node("tmp_join_test", "join_orders_customers").await;
    use StatusCode as S;
    let ops: Vec<Op> = vec![
        (
            Method::GET,
            "/workspaces/{name}/nodes",
            "/workspaces/finance_etl/nodes".into(),
            None,
            false,
            [S::NOT_FOUND, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/nodes/{id}/upstream",
            format!("/nodes/{reconcile}/upstream"),
            None,
            false,
            [S::NOT_FOUND, S::OK, S::OK],
        ),
        (
            Method::POST,
            "/nodes/{id}/upstream",
            format!("/nodes/{tmp_check}/upstream"),
            Some(serde_json::json!({"upstream_node_id": reconcile})),
            true,
            [S::NOT_FOUND, S::OK, S::CONFLICT],
        ),
        (
            Method::DELETE,
            "/nodes/{id}/upstream/{upstream_node_id}",
            format!("/nodes/{reconcile}/upstream/{ads_report}"),
            None,
            true,
            [S::NOT_FOUND, S::OK, S::NOT_FOUND],
        ),
        (
            Method::GET,
            "/workspaces",
            "/workspaces?query=sales&page=1".into(),
            None,
            false,
            [S::OK, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/workspaces/{name}",
            "/workspaces/finance_etl".into(),
            None,
            false,
            [S::NOT_FOUND, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/recycle-bin",
            "/recycle-bin?query=SAND&deleted_by=alice%40acme&sort=-name&page=1".into(),
            None,
            false,
            [S::OK, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/tasks",
            "/tasks".into(),
            None,
            false,
            [S::OK, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/audit-events",
            "/audit-events?action=DeleteWorkspace&page=1".into(),
            None,
            false,
            [S::OK, S::OK, S::OK],
        ),
        // globex creates its own; alice creates acme's; the root then finds the name taken.
        (
            Method::POST,
            "/workspaces",
            "/workspaces".into(),
            Some(serde_json::json!({"name": "matrix_ws"})),
            true,
            [S::CREATED, S::CREATED, S::CONFLICT],
        ),
        (
            Method::POST,
            "/tasks/{id}/freeze",
            format!("/tasks/{task}/freeze"),
            None,
            true,
            [S::NOT_FOUND, S::OK, S::CONFLICT],
        ),
        (
            Method::POST,
            "/tasks/{id}/unfreeze",
            format!("/tasks/{task}/unfreeze"),
            None,
            true,
            [S::NOT_FOUND, S::OK, S::CONFLICT],
        ),
        (
            Method::DELETE,
            "/recycle-bin/{id}",
            format!("/recycle-bin/{legacy}?confirm_name=wrong_name"),
            None,
            true,
            [
                S::NOT_FOUND,
                S::UNPROCESSABLE_ENTITY,
                S::UNPROCESSABLE_ENTITY,
            ],
        ),
        (
            Method::GET,
            "/recycle-bin/{id}",
            format!("/recycle-bin/{legacy}"),
            None,
            false,
            [S::NOT_FOUND, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/recycle-bin/{id}/assets",
            format!("/recycle-bin/{legacy}/assets?kind=node&page=1"),
            None,
            false,
            [S::NOT_FOUND, S::OK, S::OK],
        ),
        (
            Method::POST,
            "/recycle-bin/{id}/recover",
            format!("/recycle-bin/{}/recover", legacy + 100_000),
            None,
            true,
            [S::NOT_FOUND, S::NOT_FOUND, S::NOT_FOUND],
        ),
        // The bulk actions (SPEC §22): a read-only or no-policy caller is refused as a whole;
        // anyone else gets a result per entry, another account's id as a missing one.
        (
            Method::POST,
            "/recycle-bin/recover",
            "/recycle-bin/recover".into(),
            Some(serde_json::json!({"ids": [legacy + 100_000]})),
            true,
            [S::OK, S::OK, S::OK],
        ),
        (
            Method::POST,
            "/recycle-bin/purge",
            "/recycle-bin/purge".into(),
            Some(serde_json::json!({"ids": [legacy], "confirm_count": 2})),
            true,
            [
                S::UNPROCESSABLE_ENTITY,
                S::UNPROCESSABLE_ENTITY,
                S::UNPROCESSABLE_ENTITY,
            ],
        ),
        (
            Method::POST,
            "/recycle-bin/purge",
            "/recycle-bin/purge".into(),
            Some(serde_json::json!({"ids": [legacy + 100_000], "confirm_count": 1})),
            true,
            [S::OK, S::OK, S::OK],
        ),
        // alice copies the node; the root's copy then finds its name taken (a 409 for that node
        // alone, in a 200).
        (
            Method::POST,
            "/recycle-bin/{id}/copy-nodes",
            format!("/recycle-bin/{tmp_join_test}/copy-nodes"),
            Some(serde_json::json!({"target_workspace": "finance_etl", "node_ids": [join]})),
            true,
            [S::NOT_FOUND, S::OK, S::OK],
        ),
        (
            Method::GET,
            "/account/purge-protection",
            "/account/purge-protection".into(),
            None,
            false,
            [S::OK, S::OK, S::OK],
        ),
        (
            Method::PUT,
            "/account/purge-protection",
            "/account/purge-protection".into(),
            Some(serde_json::json!({"enabled": false})),
            true,
            [S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            Method::PUT,
            "/workspaces/{name}/deletion-protection",
            "/workspaces/finance_etl/deletion-protection".into(),
            Some(serde_json::json!({"enabled": false})),
            true,
            [S::NOT_FOUND, S::OK, S::OK],
        ),
        (
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/finance_etl?confirm_name=Finance_ETL".into(),
            None,
            true,
            [
                S::NOT_FOUND,
                S::UNPROCESSABLE_ENTITY,
                S::UNPROCESSABLE_ENTITY,
            ],
        ),
    ];
    for (method, template, path, body, modify, owners) in ops {
        for (who, key) in [
            ("no key", None),
            ("wrong secret", Some(k.wrong.as_str())),
            ("disabled key", Some(k.disabled.as_str())),
            ("carol", Some(k.carol.as_str())),
            ("bob", Some(k.bob.as_str())),
            ("globex", Some(k.globex.as_str())),
            ("alice", Some(k.alice.as_str())),
            ("root", Some(k.root.as_str())),
        ] {
            let before = app.fingerprint().await;
            let (status, json) = api
                .call(key, method.clone(), template, &path, body.clone(), None)
                .await;
            if who == "wrong secret" {
                // Each wrong secret counts against the key and the address (see
                // `access_keys.rs`); forgotten here, so that every one of the sweep's twenty is
                // answered as a first.
                sqlx::query("DELETE FROM throttle")
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            let want = match who {
                "no key" | "wrong secret" | "disabled key" => S::UNAUTHORIZED,
                "carol" => S::FORBIDDEN,
                "bob" if modify => S::FORBIDDEN,
                "bob" => S::OK,
                "globex" => owners[0],
                "alice" => owners[1],
                _ => owners[2],
            };
            assert_eq!(status, want, "{method} {path} as {who}: {json}");
            if !status.is_success() {
                assert_eq!(
                    app.fingerprint().await,
                    before,
                    "{method} {path} as {who} changed something"
                );
            }
            if status == S::UNAUTHORIZED {
                assert_eq!(
                    json["message"],
                    keys::UNAUTHENTICATED,
                    "one message whatever was wrong"
                );
            }
        }
    }
    // The root's and alice's wrong confirmations are clear 422s that change nothing.
    let before = app.fingerprint().await;
    let (status, _) = api
        .call(
            Some(&k.root),
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/finance_etl?confirm_name=Finance_ETL",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.fingerprint().await, before);
}

on_both_engines!(the_whole_lifecycle_works_through_the_api_alone_and_is_audited_as_api);
async fn the_whole_lifecycle_works_through_the_api_alone_and_is_audited_as_api(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = key_for(&pool, "alice@acme").await;
    let api = Api::new(&app).await;
    let key = Some(alice.as_str());
    let (status, ws) = api
        .call(
            key,
            Method::POST,
            "/workspaces",
            "/workspaces",
            Some(serde_json::json!({"name": "api_ws", "description": "made by a script"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ws}");
    let (status, preview) = api
        .call(
            key,
            Method::GET,
            "/workspaces/{name}",
            "/workspaces/API_WS",
            None,
            None,
        )
        .await;
    assert_eq!(
        (status, preview["pai_workspace"].as_str()),
        (StatusCode::OK, Some("api_ws"))
    );
    let (status, deleted) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/api_ws?confirm_name=api_ws&freeze_tasks=false",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    let entry = deleted["entry_id"].as_i64().unwrap();
    assert_eq!(deleted["purge_at"].as_i64().unwrap(), T0 + 14 * 86_400);
    let (_, bin) = api
        .call(
            key,
            Method::GET,
            "/recycle-bin",
            "/recycle-bin?page=1",
            None,
            None,
        )
        .await;
    assert!(
        bin["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "api_ws")
    );
    let (status, inside) = api
        .call(
            key,
            Method::GET,
            "/recycle-bin/{id}",
            &format!("/recycle-bin/{entry}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (status, inside["entry"]["name"].as_str()),
        (StatusCode::OK, Some("api_ws")),
        "{inside}"
    );
    assert_eq!(
        inside["lists"].as_array().map(Vec::len),
        Some(4),
        "{inside}"
    );
    let (status, report) = api
        .call(
            key,
            Method::POST,
            "/recycle-bin/{id}/recover",
            &format!("/recycle-bin/{entry}/recover"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (status, report["name"].as_str()),
        (StatusCode::OK, Some("api_ws")),
        "{report}"
    );
    let (status, again) = api
        .call(
            key,
            Method::POST,
            "/recycle-bin/{id}/recover",
            &format!("/recycle-bin/{entry}/recover"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let (status, _) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/api_ws?confirm_name=api_ws&freeze_tasks=true",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .call(
            key,
            Method::DELETE,
            "/recycle-bin/{id}",
            &format!("/recycle-bin/{entry}?confirm_name=api_ws"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .call(
            key,
            Method::POST,
            "/workspaces",
            "/workspaces",
            Some(serde_json::json!({"name": "api_ws"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "the name is free again");
    let (_, events) = api
        .call(
            key,
            Method::GET,
            "/audit-events",
            "/audit-events?workspace=api_ws",
            None,
            None,
        )
        .await;
    let actions: Vec<String> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["action"].as_str().unwrap(),
                e["source"].as_str().unwrap(),
                e["result"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "CreateWorkspace API Success",
            "PurgeWorkspace API Success",
            "DeleteWorkspace API Success",
            "RecoverWorkspace API Failed",
            "RecoverWorkspace API Success",
            "DeleteWorkspace API Success",
            "CreateWorkspace API Success",
        ]
    );
}

on_both_engines!(the_document_states_the_rules_the_server_checks);
async fn the_document_states_the_rules_the_server_checks(pool: Pool) {
    use workspace_console::domain::text::{MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN};
    let app = spawn_app(pool, false).await;
    let doc = served_document(&app).await;
    let new = &doc["components"]["schemas"]["NewWorkspace"]["properties"];
    assert_eq!(new["name"]["pattern"], "^[A-Za-z0-9][A-Za-z0-9_]{2,63}$");
    assert_eq!(new["display_name"]["pattern"], SINGLE_LINE_PATTERN);
    assert_eq!(new["description"]["pattern"], MULTI_LINE_PATTERN);
    let param = |path: &str, method: &str, name: &str| {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
            .clone()
    };
    assert_eq!(
        param("/workspaces/{name}", "delete", "name")["schema"]["pattern"],
        "^[A-Za-z0-9][A-Za-z0-9_]{2,63}$"
    );
    assert_eq!(
        param("/workspaces/{name}", "delete", "confirm_name")["schema"]["minLength"],
        1
    );
    assert_eq!(
        param("/workspaces/{name}", "delete", "Idempotency-Key")["schema"]["pattern"],
        "^[!-~]{1,255}$"
    );
    assert_eq!(
        param("/workspaces", "get", "query")["schema"]["pattern"],
        SINGLE_LINE_PATTERN
    );
    let actions = &doc["components"]["schemas"]["AuditAction"]["enum"];
    assert_eq!(actions[0], "");
    for action in workspace_console::domain::audit::Action::ALL {
        assert!(
            actions
                .as_array()
                .unwrap()
                .contains(&Value::from(action.as_str())),
            "{action:?}"
        );
    }
}

on_both_engines!(every_error_response_refers_to_the_one_error_schema);
async fn every_error_response_refers_to_the_one_error_schema(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let doc = served_document(&app).await;
    assert!(doc["components"]["schemas"]["ApiErrorBody"].is_object());
    let shared = serde_json::json!({"$ref": "#/components/schemas/ApiErrorBody"});
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op["responses"].as_object() else {
                continue;
            };
            operations += 1;
            let mut refusals = 0;
            for (status, response) in responses {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                refusals += 1;
                let at = format!("{method} {path} {status}");
                if let Some(shared_response) = response.get("$ref") {
                    assert!(
                        shared_response
                            .as_str()
                            .unwrap()
                            .starts_with("#/components/responses/"),
                        "{at}: {response}"
                    );
                    continue;
                }
                let content = response["content"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{at}: no content"));
                assert!(!content.is_empty(), "{at}: no content");
                for (media, body) in content {
                    assert_eq!(
                        body["schema"], shared,
                        "{at} {media}: written out inline, not the shared error schema"
                    );
                }
            }
            assert!(refusals > 0, "{method} {path} lists no refusal");
        }
    }
    assert!(operations >= 20, "{operations} operations");
}
