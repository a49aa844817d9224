//! The API under /openapi/v1 (SPEC §12), black-box over HTTP on both engines: the permission matrix
//! of every operation, the lifecycle through the API alone, Idempotency-Key replays, bad bodies, and
//! every answer checked against the served OpenAPI document (`Api`), whose rules are the server's.
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
    keys::set_enabled(pool, &by(&root, T0), disabled.split(':').next().unwrap(), false)
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
    let node = |ws: &'static str, n: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT a.id FROM assets a JOIN workspaces w ON w.id = a.workspace_id
                 WHERE w.account_id = 1 AND w.name = $1 AND a.name = $2",
            )
            .bind(ws)
            .bind(n)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let (reconcile, ads_report) = (
        node("finance_etl", "reconcile").await,
        node("sales_dw", "ads_report").await,
    );
    let tmp_check = node("sales_dw", "tmp_check").await;
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
            "/recycle-bin".into(),
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

on_both_engines!(an_idempotency_key_replays_the_first_answer_and_acts_once);
async fn an_idempotency_key_replays_the_first_answer_and_acts_once(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = key_for(&pool, "alice@acme").await;
    let api = Api::new(&app).await;
    let key = Some(alice.as_str());
    let delete = "/workspaces/finance_etl?confirm_name=finance_etl&freeze_tasks=true";
    let (first_status, first) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            delete,
            None,
            Some("run-1"),
        )
        .await;
    assert_eq!(first_status, StatusCode::OK);
    let fingerprint = app.fingerprint().await;
    let (status, second) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            delete,
            None,
            Some("run-1"),
        )
        .await;
    assert_eq!(
        (status, &second),
        (first_status, &first),
        "the same answer again"
    );
    assert_eq!(app.fingerprint().await, fingerprint, "acted once");
    let (status, _) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            delete,
            None,
            Some("run-2"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a new key acts again: already in the Recycle Bin"
    );
    // A claim abandoned without an answer (the client left, the instance stopped) is taken over
    // after two minutes instead of answering 409 for a day.
    let key_id = alice.split(':').next().unwrap();
    // A claim of `key` made `age` seconds ago that never got its answer, then a creation with it.
    let claimed_then_create = |key_name: &'static str, age: i64, name: &'static str| {
        let pool = pool.clone();
        let api = &api;
        async move {
            sqlx::query(
                "INSERT INTO idempotency_keys (access_key, key, fingerprint, created_at) VALUES ($1, $2, 'x', $3)",
            )
            .bind(key_id)
            .bind(key_name)
            .bind(T0 - age)
            .execute(&pool)
            .await
            .unwrap();
            api.call(
                key,
                Method::POST,
                "/workspaces",
                "/workspaces",
                Some(serde_json::json!({ "name": name })),
                Some(key_name),
            )
            .await
            .0
        }
    };
    let status = claimed_then_create("run-0", 121, "after_abandon").await;
    assert_eq!(status, StatusCode::CREATED);
    let status = claimed_then_create("run-9", 5, "still_running").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a claim of 5 s ago is still running"
    );
    // A refusal is kept and replayed too, with the repeat's own request id.
    let (status, refused) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/nope?confirm_name=nope",
            None,
            Some("run-3"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, replayed) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/nope?confirm_name=nope",
            None,
            Some("run-3"),
        )
        .await;
    assert_eq!(
        (status, &replayed["message"]),
        (StatusCode::NOT_FOUND, &refused["message"])
    );
    assert_ne!(replayed["request_id"], refused["request_id"]);
    let (status, json) = api
        .call(
            key,
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/sales_dw?confirm_name=sales_dw",
            None,
            Some("run-1"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'DeleteWorkspace' AND workspace = 'finance_etl' AND source = 'API' AND result = 'Success'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(events, 1);
}

on_both_engines!(a_replay_is_marked_as_the_first_answer_not_the_current_state);
async fn a_replay_is_marked_as_the_first_answer_not_the_current_state(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = key_for(&pool, "alice@acme").await;
    let api = Api::new(&app).await;
    let key = Some(alice.as_str());
    let client = reqwest::Client::new();
    let delete = |idempotency: &'static str| {
        client
            .delete(format!(
                "{}/openapi/v1/workspaces/finance_etl?confirm_name=finance_etl",
                app.url
            ))
            .header("Authorization", format!("Bearer {alice}"))
            .header("Idempotency-Key", idempotency)
            .send()
    };
    let replayed = |response: &reqwest::Response| {
        response
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let first = delete("once").await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(replayed(&first), None, "the first answer is no replay");
    let first: Value = first.json().await.unwrap();
    // Since then the workspace was recovered and protected.
    let (status, _) = api
        .call(
            key,
            Method::POST,
            "/recycle-bin/{id}/recover",
            &format!("/recycle-bin/{}/recover", first["entry_id"]),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api
        .call(
            key,
            Method::PUT,
            "/workspaces/{name}/deletion-protection",
            "/workspaces/finance_etl/deletion-protection",
            Some(serde_json::json!({"enabled": true})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let again = delete("once").await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(replayed(&again).as_deref(), Some("true"));
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first, "the first answer, as it was then");
    assert!(active(&app, "finance_etl").await, "nothing acted");
    // A new key acts on the current state: deletion protection refuses it.
    let now = delete("new").await.unwrap();
    assert_eq!(now.status(), StatusCode::CONFLICT);
    assert_eq!(replayed(&now), None);
    // The document says what a replay is.
    let doc: Value = reqwest::get(format!("{}/openapi/v1/openapi.json", app.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = doc["paths"]["/workspaces/{name}"]["delete"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Idempotency-Key")
        .unwrap()
        .clone();
    let description = header["description"].as_str().unwrap();
    assert!(
        description.contains("the first answer again")
            && description.contains("not the current")
            && description.contains("Idempotent-Replayed: true"),
        "{description}"
    );
}

on_both_engines!(bad_input_of_any_shape_is_a_clear_4xx);
async fn bad_input_of_any_shape_is_a_clear_4xx(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let key = Some(root.as_str());
    for (method, template, path, body, want) in [
        (
            Method::GET,
            "/workspaces",
            "/workspaces?page=abc",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/workspaces",
            "/workspaces",
            Some(serde_json::json!({"name": 5})),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/workspaces",
            "/workspaces",
            Some(serde_json::json!({"nom": "x"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/workspaces",
            "/workspaces",
            Some(serde_json::json!({"name": "bad-name"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            "/recycle-bin/{id}/recover",
            "/recycle-bin/not-a-number/recover",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/recycle-bin/{id}",
            "/recycle-bin/not-a-number",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/recycle-bin/{id}/assets",
            "/recycle-bin/1/assets?kind=di_task",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::GET,
            "/recycle-bin/{id}/assets",
            "/recycle-bin/1/assets?page=2",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::DELETE,
            "/workspaces/{name}",
            "/workspaces/finance_etl",
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/audit-events",
            "/audit-events?action=Nope",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::GET,
            "/workspaces",
            &format!("/workspaces?query={}", "x".repeat(100)),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (status, json) = api
            .call(key, method.clone(), template, path, body, None)
            .await;
        assert_eq!(status, want, "{method} {path}: {json}");
    }
    // Not JSON at all, and an unknown operation.
    let res = reqwest::Client::new()
        .post(format!("{}/openapi/v1/workspaces", app.url))
        .header("Authorization", format!("Bearer {root}"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = reqwest::Client::new()
        .get(format!("{}/openapi/v1/nothing-here", app.url))
        .header("Authorization", format!("Bearer {root}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The session cookie is not an API credential.
    let browser = app.client(Some(("acme", "acme-demo-1"))).await;
    let res = browser
        .get(format!("{}/openapi/v1/workspaces", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

on_both_engines!(an_unreadable_body_names_the_wrong_field_in_plain_words);
async fn an_unreadable_body_names_the_wrong_field_in_plain_words(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let key = Some(root.as_str());
    for (body, want) in [
        (
            serde_json::json!([]),
            "The JSON body must be an object of named fields.",
        ),
        (
            serde_json::json!("sales_dw"),
            "The JSON body must be an object of named fields.",
        ),
        (
            serde_json::json!(null),
            "The JSON body must be an object of named fields.",
        ),
        (serde_json::json!({"name": 5}), "`name` must be a string."),
        (
            serde_json::json!({"name": "ok_name", "data_modeling": "yes"}),
            "`data_modeling` must be true or false.",
        ),
        (serde_json::json!({}), "`name` is required."),
        (
            serde_json::json!({"nom": "x", "name": "ok_name"}),
            "`nom` is not a field of this request.",
        ),
    ] {
        let (status, answer) = api
            .call(
                key,
                Method::POST,
                "/workspaces",
                "/workspaces",
                Some(body.clone()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(want), "{body}: {message}");
        assert!(
            !message.contains("struct") && !message.contains("NewWorkspace"),
            "{message}"
        );
        assert_plain(message, &body.to_string());
    }
    for (field, value, want) in [
        (
            "display_name",
            "Sales\u{202E}fdp",
            "Display name may not contain characters that change the direction",
        ),
        (
            "display_name",
            "two\nlines",
            "Display name must be one line without control characters.",
        ),
        (
            "description",
            "nul\0",
            "Description may not contain control characters other than line breaks and tabs.",
        ),
    ] {
        let mut body = serde_json::json!({"name": "text_rules"});
        body[field] = serde_json::json!(value);
        let (status, answer) = api
            .call(
                key,
                Method::POST,
                "/workspaces",
                "/workspaces",
                Some(body),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        assert!(
            answer["message"].as_str().unwrap().starts_with(want),
            "{answer}"
        );
    }
}

on_both_engines!(the_document_states_the_rules_the_server_checks);
async fn the_document_states_the_rules_the_server_checks(pool: Pool) {
    use workspace_console::domain::text::{MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN};
    let app = spawn_app(pool, false).await;
    let doc: Value = reqwest::get(format!("{}/openapi/v1/openapi.json", app.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let doc: Value = reqwest::get(format!("{}/openapi/v1/openapi.json", app.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
        assert_eq!(answers[0], answers[1], "{filter} and {answer} read one list");
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
    let doc: Value = reqwest::get(format!("{}/openapi/v1/openapi.json", app.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kind = doc["paths"]["/recycle-bin/{id}/assets"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kind")
        .unwrap()
        .clone();
    assert_eq!(kind["required"], true);
    let listed = kind["schema"]["enum"].as_array().unwrap();
    for (filter, answer) in kinds {
        for spelling in [filter, answer] {
            assert!(listed.contains(&Value::from(spelling)), "{spelling}: {kind}");
        }
    }
    assert_eq!(listed.len(), 8, "{kind}");
}

on_both_engines!(bodies_of_settings_and_dependencies_refuse_bad_input_with_a_400_changing_nothing);
async fn bodies_of_settings_and_dependencies_refuse_bad_input_with_a_400_changing_nothing(
    pool: Pool,
) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let before = app.fingerprint().await;
    for (template, path) in [
        (
            "/workspaces/{name}/deletion-protection",
            "/workspaces/finance_etl/deletion-protection",
        ),
        ("/account/purge-protection", "/account/purge-protection"),
    ] {
        refuse_bad_bodies(&app, &api, &root, Method::PUT, template, path, "enabled").await;
    }
    let reconcile: i64 = sqlx::query_scalar("SELECT id FROM assets WHERE name = 'reconcile'")
        .fetch_one(&pool)
        .await
        .unwrap();
    // Ids that are not numbers, and a name that is no workspace name, in the node routes' paths.
    for (method, template, path, want) in [
        (
            Method::GET,
            "/nodes/{id}/upstream",
            "/nodes/x1/upstream",
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/nodes/{id}/upstream",
            "/nodes/1.5/upstream",
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::DELETE,
            "/nodes/{id}/upstream/{upstream_node_id}",
            "/nodes/1/upstream/abc",
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::GET,
            "/workspaces/{name}/nodes",
            "/workspaces/no%20such%20name/nodes",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let body = (method == Method::POST).then(|| serde_json::json!({"upstream_node_id": 1}));
        let (status, answer) = api
            .call(Some(&root), method.clone(), template, path, body, None)
            .await;
        assert_eq!(status, want, "{method} {path}: {answer}");
    }
    let path = format!("/nodes/{reconcile}/upstream");
    refuse_bad_bodies(
        &app,
        &api,
        &root,
        Method::POST,
        "/nodes/{id}/upstream",
        &path,
        "upstream_node_id",
    )
    .await;
    assert_eq!(app.fingerprint().await, before);
}

/// `method path` with each malformed body of one field `field` (a boolean, or a number when
/// the field ends in `_id`) answers 400.
async fn refuse_bad_bodies(
    app: &TestApp,
    api: &Api<'_>,
    root: &str,
    method: Method,
    template: &str,
    path: &str,
    field: &str,
) {
    let (wrong, also_wrong, good) = if field.ends_with("_id") {
        (
            serde_json::json!("12"),
            serde_json::json!(true),
            serde_json::json!(1),
        )
    } else {
        (
            serde_json::json!("yes"),
            serde_json::json!(1),
            serde_json::json!(true),
        )
    };
    for body in [
        serde_json::json!({}),
        serde_json::json!({ field: wrong }),
        serde_json::json!({ field: also_wrong }),
        serde_json::json!({ field: good, "extra": 1 }),
        serde_json::json!([good]),
        serde_json::json!(null),
    ] {
        let (status, answer) = api
            .call(
                Some(root),
                method.clone(),
                template,
                path,
                Some(body.clone()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
    }
    let res = reqwest::Client::new()
        .request(method, format!("{}/openapi/v1{path}", app.url))
        .header("Authorization", format!("Bearer {root}"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
}
