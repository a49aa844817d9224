//! The API's Idempotency-Key (SPEC §12): a repeated key acts once and answers the first answer
//! again, marked as a replay.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use workspace_console::store::Pool;

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
    let doc = served_document(&app).await;
    let header = document_parameter(&doc, "/workspaces/{name}", "delete", "Idempotency-Key");
    let description = header["description"].as_str().unwrap();
    assert!(
        description.contains("the first answer again")
            && description.contains("not the current")
            && description.contains("Idempotent-Replayed: true"),
        "{description}"
    );
}
