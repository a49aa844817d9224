//! Refusals in plain words, on every door: a path or query value that cannot be read names the
//! parameter and never a type of the server's or the framework's text; a JSON body that repeats a
//! key is refused by name; a name an error repeats back is cut and stripped; a number with a zero
//! fraction is the whole number the document's `integer` says.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use workspace_console::store::Pool;

/// Values that are not whole numbers at all.
const NOT_NUMBERS: [&str; 7] = ["abc", "1.5", "1e3", "0x10", "%20", "-", "12abc"];
/// Whole numbers no 64-bit integer holds.
const OUT_OF_RANGE: [&str; 3] = [
    "9223372036854775808",
    "99999999999999999999",
    "-99999999999999999999",
];
/// Whole numbers below 1: ids of nothing, pages that clamp.
const NEGATIVE: [&str; 3] = ["-1", "0", "-9223372036854775808"];

/// `{}` in `path` replaced by `value`.
fn with(path: &str, value: &str) -> String {
    path.replacen("{}", value, 1)
}

on_both_engines!(every_api_route_names_a_bad_path_or_query_value_in_plain_words);
async fn every_api_route_names_a_bad_path_or_query_value_in_plain_words(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let before = app.fingerprint().await;
    let upstream = Some(serde_json::json!({"upstream_node_id": 1}));
    let copy = Some(serde_json::json!({"target_workspace": "finance_etl", "node_ids": [1]}));
    let legacy = app
        .id("SELECT id FROM workspaces WHERE name = 'legacy_reports'")
        .await;
    let assets_page = format!("/recycle-bin/{legacy}/assets?kind=node&page={{}}");
    // Every route of `api::router` with a number in its path or query: (method, template, the
    // path with `{}` where the value goes, its body, the parameter the refusal must name).
    let routes: Vec<(Method, &str, &str, Option<Value>, &str)> = vec![
        (
            Method::GET,
            "/recycle-bin/{id}",
            "/recycle-bin/{}",
            None,
            "`id` in the path",
        ),
        (
            Method::DELETE,
            "/recycle-bin/{id}",
            "/recycle-bin/{}?confirm_name=legacy_reports",
            None,
            "`id` in the path",
        ),
        (
            Method::POST,
            "/recycle-bin/{id}/recover",
            "/recycle-bin/{}/recover",
            None,
            "`id` in the path",
        ),
        (
            Method::POST,
            "/recycle-bin/{id}/copy-nodes",
            "/recycle-bin/{}/copy-nodes",
            copy.clone(),
            "`id` in the path",
        ),
        (
            Method::GET,
            "/recycle-bin/{id}/assets",
            "/recycle-bin/{}/assets?kind=node",
            None,
            "`id` in the path",
        ),
        (
            Method::GET,
            "/recycle-bin/{id}/assets",
            assets_page.as_str(),
            None,
            "`page`",
        ),
        (
            Method::GET,
            "/nodes/{id}/upstream",
            "/nodes/{}/upstream",
            None,
            "`id` in the path",
        ),
        (
            Method::POST,
            "/nodes/{id}/upstream",
            "/nodes/{}/upstream",
            upstream.clone(),
            "`id` in the path",
        ),
        (
            Method::DELETE,
            "/nodes/{id}/upstream/{upstream_node_id}",
            "/nodes/{}/upstream/1",
            None,
            "`id` in the path",
        ),
        (
            Method::DELETE,
            "/nodes/{id}/upstream/{upstream_node_id}",
            "/nodes/1/upstream/{}",
            None,
            "`upstream_node_id` in the path",
        ),
        (
            Method::POST,
            "/tasks/{id}/freeze",
            "/tasks/{}/freeze",
            None,
            "`id` in the path",
        ),
        (
            Method::POST,
            "/tasks/{id}/unfreeze",
            "/tasks/{}/unfreeze",
            None,
            "`id` in the path",
        ),
        (
            Method::GET,
            "/workspaces",
            "/workspaces?page={}",
            None,
            "`page`",
        ),
        (
            Method::GET,
            "/recycle-bin",
            "/recycle-bin?page={}",
            None,
            "`page`",
        ),
        (
            Method::GET,
            "/audit-events",
            "/audit-events?page={}",
            None,
            "`page`",
        ),
        (
            Method::GET,
            "/audit-events",
            "/audit-events?before={}",
            None,
            "`before`",
        ),
    ];
    for (method, template, path, body, named) in &routes {
        for value in NOT_NUMBERS.iter().chain(OUT_OF_RANGE.iter()) {
            let path = with(path, value);
            let (status, answer) = api
                .call(
                    Some(&root),
                    method.clone(),
                    template,
                    &path,
                    body.clone(),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {answer}");
            let message = answer["message"].as_str().unwrap();
            let want = if OUT_OF_RANGE.contains(value) {
                format!("{named} is out of range. Nothing was changed.")
            } else {
                format!("{named} must be a whole number. Nothing was changed.")
            };
            assert_eq!(message, want, "{method} {path}");
            assert_plain(message, &format!("{method} {path}"));
        }
        for value in NEGATIVE {
            let path = with(path, value);
            let (status, answer) = api
                .call(
                    Some(&root),
                    method.clone(),
                    template,
                    &path,
                    body.clone(),
                    None,
                )
                .await;
            if path.contains('?') && !named.contains("in the path") {
                // A page below 1 reads page 1; events before id -1 are none.
                assert_eq!(status, StatusCode::OK, "{method} {path}: {answer}");
            } else {
                // An id of nothing.
                assert!(
                    status.is_client_error(),
                    "{method} {path}: {status} {answer}"
                );
                assert_plain(answer["message"].as_str().unwrap(), &path);
            }
        }
    }
    // A query's true-or-false, and a repeated parameter.
    for (path, want) in [
        (
            "/workspaces/no_such_ws?confirm_name=no_such_ws&freeze_tasks=maybe",
            "`freeze_tasks` must be true or false. Nothing was changed.",
        ),
        (
            "/workspaces/no_such_ws?confirm_name=no_such_ws&freeze_tasks=2",
            "`freeze_tasks` must be true or false. Nothing was changed.",
        ),
        (
            "/workspaces/no_such_ws?confirm_name=a&confirm_name=b",
            "The key `confirm_name` is repeated. Nothing was changed.",
        ),
    ] {
        let (status, answer) = api
            .call(
                Some(&root),
                Method::DELETE,
                "/workspaces/{name}",
                path,
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
        assert_eq!(answer["message"], want, "{path}");
    }
    for (path, want) in [
        (
            "/recycle-bin?page=1&page=2",
            "The key `page` is repeated. Nothing was changed.",
        ),
        (
            "/workspaces?page=",
            "`page` must be a whole number. Nothing was changed.",
        ),
    ] {
        let template = path.split('?').next().unwrap();
        let (status, answer) = api
            .call(Some(&root), Method::GET, template, path, None, None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {answer}");
        assert_eq!(answer["message"], want, "{path}");
    }
    // The issue's three findings, word for word.
    for (method, template, path, body, want) in [
        (
            Method::GET,
            "/nodes/{id}/upstream",
            "/nodes/abc/upstream",
            None,
            "`id` in the path must be a whole number. Nothing was changed.",
        ),
        (
            Method::POST,
            "/nodes/{id}/upstream",
            "/nodes/48/upstream",
            Some(serde_json::json!({"upstream_node_id": "16"})),
            "`upstream_node_id` must be a whole number. Nothing was changed.",
        ),
        (
            Method::GET,
            "/recycle-bin/{id}/assets",
            "/recycle-bin/1/assets?kind=node&page=abc",
            None,
            "`page` must be a whole number. Nothing was changed.",
        ),
    ] {
        let (status, answer) = api
            .call(Some(&root), method.clone(), template, path, body, None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path}: {answer}");
        assert_eq!(answer["message"], want, "{method} {path}");
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed");
}

on_both_engines!(a_json_body_that_repeats_a_key_is_refused_by_name_and_changes_nothing);
async fn a_json_body_that_repeats_a_key_is_refused_by_name_and_changes_nothing(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let reconcile = app
        .id("SELECT id FROM assets WHERE name = 'reconcile'")
        .await;
    let tmp_check = app
        .id(
            "SELECT a.id FROM assets a JOIN workspaces w ON w.id = a.workspace_id
             WHERE w.account_id = 1 AND w.name = 'sales_dw' AND a.name = 'tmp_check'",
        )
        .await;
    let upstream = format!("/nodes/{tmp_check}/upstream");
    let before = app.fingerprint().await;
    let protection = "/workspaces/finance_etl/deletion-protection";
    for (method, path, body, key) in [
        (
            Method::PUT,
            protection,
            r#"{"enabled":true,"enabled":false}"#.to_owned(),
            "enabled",
        ),
        (
            Method::PUT,
            protection,
            r#"{"enabled":false,"enabled":true}"#.to_owned(),
            "enabled",
        ),
        (
            Method::PUT,
            protection,
            r#"{"enabled":true,"en\u0061bled":false}"#.to_owned(),
            "enabled",
        ),
        (
            Method::PUT,
            "/account/purge-protection",
            r#"{"enabled":true,"enabled":false}"#.to_owned(),
            "enabled",
        ),
        (
            Method::PUT,
            "/account/purge-protection",
            r#"{"enabled":false,"enabled":true}"#.to_owned(),
            "enabled",
        ),
        (
            Method::POST,
            "/workspaces",
            r#"{"name":"first_ws","name":"second_ws"}"#.to_owned(),
            "name",
        ),
        // At any depth, before anything else is read.
        (
            Method::POST,
            "/workspaces",
            r#"{"name":"nested_ws","x":{"k":1,"k":2}}"#.to_owned(),
            "k",
        ),
        (
            Method::POST,
            "/workspaces",
            r#"{"name":"listed_ws","x":[{"k":1},{"k":1,"k":1}]}"#.to_owned(),
            "k",
        ),
        (
            Method::POST,
            upstream.as_str(),
            format!(r#"{{"upstream_node_id":{reconcile},"upstream_node_id":{reconcile}}}"#),
            "upstream_node_id",
        ),
    ] {
        let (status, answer) = raw_api(&app, &root, method.clone(), path, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {answer}");
        assert_eq!(answer["code"], "BadRequest", "{answer}");
        assert_eq!(
            answer["message"],
            format!("The key `{key}` is repeated. Nothing was changed."),
            "{path} {body}"
        );
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed");
    for name in ["first_ws", "second_ws", "nested_ws", "listed_ws"] {
        assert!(!active(&app, name).await, "{name} was created");
    }
    // The same bodies with each key once are read as they say.
    let (status, answer) =
        raw_api(&app, &root, Method::PUT, protection, r#"{"enabled":false}"#).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = raw_api(
        &app,
        &root,
        Method::PUT,
        "/account/purge-protection",
        r#"{"enabled":true}"#,
    )
    .await;
    assert_eq!(
        (status, &answer["enabled"]),
        (StatusCode::OK, &Value::Bool(true)),
        "{answer}"
    );
    // Bodies that are not JSON, or not sent as JSON, are refused in words too.
    for body in ["{not json", r#"{"enabled": tru}"#, ""] {
        let (status, answer) = raw_api(&app, &root, Method::PUT, protection, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with("The body is not"), "{body}: {message}");
        assert_plain(message, body);
    }
    let res = reqwest::Client::new()
        .put(format!("{}/openapi/v1{protection}", app.url))
        .header("Authorization", format!("Bearer {root}"))
        .header("Content-Type", "text/plain")
        .body(r#"{"enabled":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(
        answer["message"],
        "The body must be JSON, sent with `Content-Type: application/json`. Nothing was changed."
    );
}

on_both_engines!(a_name_repeated_in_a_refusal_is_cut_to_64_characters_and_stripped_on_both_doors);
async fn a_name_repeated_in_a_refusal_is_cut_to_64_characters_and_stripped_on_both_doors(
    pool: Pool,
) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    // 300 letters, then a right-to-left override and CR LF, as the issue sent them.
    let long = format!("{}%E2%80%AEevil%0D%0Atail", "n".repeat(300));
    let cut = format!("\"{}…\"", "n".repeat(64));
    let short = "ab%E2%80%AEcd%0D%0Aef%E2%81%A6gh";
    let check = |message: &str, want: &str, context: &str| {
        assert!(message.contains(want), "{context}: {message}");
        assert!(
            !message.contains(&"n".repeat(65)),
            "{context}: not cut: {message}"
        );
        for c in ['\u{202E}', '\u{2066}', '\r', '\n'] {
            assert!(!message.contains(c), "{context}: {c:?} in {message:?}");
        }
        assert!(message.chars().count() < 200, "{context}: {message}");
    };
    for (method, template, path) in [
        (
            Method::GET,
            "/workspaces/{name}",
            format!("/workspaces/{long}"),
        ),
        (
            Method::GET,
            "/workspaces/{name}/nodes",
            format!("/workspaces/{long}/nodes"),
        ),
        (
            Method::DELETE,
            "/workspaces/{name}",
            format!("/workspaces/{long}?confirm_name=x"),
        ),
        (Method::GET, "/tasks", format!("/tasks?workspace={long}")),
    ] {
        let (status, answer) = api
            .call(Some(&root), method.clone(), template, &path, None, None)
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{method} {template}: {answer}"
        );
        check(answer["message"].as_str().unwrap(), &cut, template);
    }
    let (status, answer) = api
        .call(
            Some(&root),
            Method::GET,
            "/workspaces/{name}",
            &format!("/workspaces/{short}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["message"], "Workspace \"abcdefgh\" does not exist.");
    // A value of a filter is echoed the same way.
    let (status, answer) = api
        .call(
            Some(&root),
            Method::GET,
            "/recycle-bin/{id}/assets",
            &format!("/recycle-bin/1/assets?kind={long}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    check(answer["message"].as_str().unwrap(), &cut, "kind");
    let (status, answer) = api
        .call(
            Some(&root),
            Method::GET,
            "/audit-events",
            &format!("/audit-events?action={long}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    check(answer["message"].as_str().unwrap(), &cut, "action");

    // The console's door: the server function behind the workspace page, and a change.
    let client = app.client(Some(("acme", "acme-demo-1"))).await;
    let typed = format!("{}\u{202E}evil\r\ntail", "n".repeat(300));
    for (endpoint, args) in [
        ("get_workspace_overview", vec![("workspace", typed.clone())]),
        (
            "delete_workspace",
            vec![
                ("workspace", typed.clone()),
                ("typed_name", typed.clone()),
                ("freeze_tasks", s(true)),
            ],
        ),
    ] {
        let (status, body) = app.call(&client, endpoint, &args).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["kind"], "NotFound", "{body}");
        check(error["message"].as_str().unwrap(), &cut, endpoint);
    }
}

on_both_engines!(an_integer_with_a_zero_fraction_is_that_integer_and_a_fraction_is_refused);
async fn an_integer_with_a_zero_fraction_is_that_integer_and_a_fraction_is_refused(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let node = |ws: &'static str, name: &'static str| acme_node(&pool, ws, name);
    let (tmp_check, reconcile) = (
        node("sales_dw", "tmp_check").await,
        node("finance_etl", "reconcile").await,
    );
    let path = format!("/nodes/{tmp_check}/upstream");
    let before = app.fingerprint().await;
    for (body, want) in [
        (
            serde_json::json!({"upstream_node_id": 1.5}),
            "`upstream_node_id` must be a whole number. Nothing was changed.",
        ),
        (
            serde_json::json!({"upstream_node_id": reconcile as f64 + 0.5}),
            "`upstream_node_id` must be a whole number. Nothing was changed.",
        ),
        (
            serde_json::json!({"upstream_node_id": "16"}),
            "`upstream_node_id` must be a whole number. Nothing was changed.",
        ),
        (
            serde_json::json!({"upstream_node_id": 1e19}),
            "`upstream_node_id` must be a whole number from -9223372036854775808 to 9223372036854775807. Nothing was changed.",
        ),
    ] {
        let (status, answer) = api
            .call(
                Some(&root),
                Method::POST,
                "/nodes/{id}/upstream",
                &path,
                Some(body.clone()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["message"], want, "{body}");
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed");
    // JSON Schema's `integer` holds 21209508.0: it is read as 21209508.
    let body = serde_json::json!({"upstream_node_id": reconcile as f64});
    assert!(body.to_string().contains(".0"), "{body}");
    let (status, answer) = api
        .call(
            Some(&root),
            Method::POST,
            "/nodes/{id}/upstream",
            &path,
            Some(body),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["upstream_node_id"] == reconcile),
        "{answer}"
    );
}

on_both_engines!(server_functions_name_a_bad_argument_in_plain_words);
async fn server_functions_name_a_bad_argument_in_plain_words(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let before = app.fingerprint().await;
    for (endpoint, args, want) in [
        (
            "list_recycle_bin",
            vec![("page", s("abc"))],
            "`page` must be a whole number. Nothing was changed.",
        ),
        (
            "list_recycle_bin",
            vec![("page", s("9223372036854775808"))],
            "`page` is out of range. Nothing was changed.",
        ),
        (
            "list_recycle_bin",
            vec![("page[x]", s("1"))],
            "`page` must be a whole number. Nothing was changed.",
        ),
        (
            "list_recycle_bin",
            vec![("page", s(1)), ("page", s(2))],
            "The key `page` is repeated. Nothing was changed.",
        ),
        (
            "list_recycle_bin",
            vec![("query", s("")), ("deleted_by", s("")), ("sort", s(""))],
            "`page` is required. Nothing was changed.",
        ),
        (
            "set_purge_protection",
            vec![("enabled", s("maybe"))],
            "`enabled` must be true or false. Nothing was changed.",
        ),
        (
            "set_deletion_protection",
            vec![
                ("workspace", s("finance_etl")),
                ("enabled", s(true)),
                ("enabled", s(false)),
            ],
            "The key `enabled` is repeated. Nothing was changed.",
        ),
        (
            "delete_workspace",
            vec![
                ("workspace", s("finance_etl")),
                ("typed_name", s("finance_etl")),
                ("freeze_tasks", s("2")),
            ],
            "`freeze_tasks` must be true or false. Nothing was changed.",
        ),
    ] {
        let (status, body) = app.call(&root, endpoint, &args).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{endpoint} {args:?}: {body}"
        );
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["kind"], "BadRequest", "{body}");
        assert_eq!(error["message"], want, "{endpoint} {args:?}");
    }
    assert_eq!(app.fingerprint().await, before, "nothing changed");
}
