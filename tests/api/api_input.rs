//! What the API does with input it cannot take: bad input of any shape is a clear 4xx, an
//! unreadable body names the wrong field, a bad body of a setting or a dependency changes nothing.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use workspace_console::store::Pool;

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

// "Copy to Workspace" (SPEC §23): a body it cannot read is a 400 in plain words that copies
// nothing; so is a repeated key, a body that is not JSON, and a path id that is not a number.
on_both_engines!(bad_bodies_of_copy_nodes_are_a_400_that_copies_nothing);
async fn bad_bodies_of_copy_nodes_are_a_400_that_copies_nothing(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = key_for(&pool, "acme").await;
    let api = Api::new(&app).await;
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers").await;
    let path = format!("/recycle-bin/{entry}/copy-nodes");
    let template = "/recycle-bin/{id}/copy-nodes";
    let before = app.fingerprint().await;
    use serde_json::json;
    for (body, says) in [
        (json!({}), "`target_workspace` is required."),
        (
            json!({"target_workspace": "finance_etl"}),
            "`node_ids` is required.",
        ),
        (
            json!({"node_ids": [join]}),
            "`target_workspace` is required.",
        ),
        (
            json!({"target_workspace": 5, "node_ids": [join]}),
            "`target_workspace`",
        ),
        (
            json!({"target_workspace": null, "node_ids": [join]}),
            "`target_workspace`",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": join}),
            "`node_ids`",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": "1"}),
            "`node_ids`",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": null}),
            "`node_ids`",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": {"0": join}}),
            "`node_ids`",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": [join.to_string()]}),
            "`node_ids",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": [1.5]}),
            "`node_ids",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": [true]}),
            "`node_ids",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": [[join]]}),
            "`node_ids",
        ),
        (
            json!({"target_workspace": "finance_etl", "node_ids": [join], "to": "x"}),
            "`to`",
        ),
        (
            json!([join]),
            "The JSON body must be an object of named fields.",
        ),
        (
            json!(null),
            "The JSON body must be an object of named fields.",
        ),
        (
            json!("finance_etl"),
            "The JSON body must be an object of named fields.",
        ),
    ] {
        let (status, answer) = api
            .call(
                Some(&root),
                Method::POST,
                template,
                &path,
                Some(body.clone()),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
        assert_plain(message, &body.to_string());
    }
    for (body, says) in [
        (
            format!(
                r#"{{"target_workspace":"finance_etl","target_workspace":"sales_dw","node_ids":[{join}]}}"#
            ),
            "The key `target_workspace` is repeated.",
        ),
        (
            format!(
                r#"{{"target_workspace":"finance_etl","node_ids":[{join}],"node_ids":[{join}]}}"#
            ),
            "The key `node_ids` is repeated.",
        ),
        (
            r#"{"target_workspace":"finance_etl","node_ids":[9223372036854775808]}"#.to_owned(),
            "`node_ids",
        ),
        ("{not json".to_owned(), "The body is not"),
        (String::new(), "The body is not"),
    ] {
        let (status, answer) = raw_api(&app, &root, Method::POST, &path, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
        assert_plain(message, &body);
    }
    let (status, answer) = api
        .call(
            Some(&root),
            Method::POST,
            template,
            "/recycle-bin/tmp_join_test/copy-nodes",
            Some(json!({"target_workspace": "finance_etl", "node_ids": [join]})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        answer["message"],
        "`id` in the path must be a whole number. Nothing was changed."
    );
    assert_eq!(app.fingerprint().await, before, "nothing copied");
    let copies: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'CopyNodesFromRecycleBin' AND result = 'Success'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(copies, 0);
    // The same body, read as it says, copies.
    let (status, answer) = api
        .call(
            Some(&root),
            Method::POST,
            template,
            &path,
            Some(json!({"target_workspace": "finance_etl", "node_ids": [join]})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["results"][0]["status"], 200, "{answer}");
}
