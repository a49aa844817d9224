//! The test clock (test mode only): 404 without it, advancing it runs a purge pass, it lives in the
//! database so every instance follows it, and it refuses to overflow or read a bad body.
use crate::helpers::*;
use reqwest::StatusCode;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::store::Pool;

on_both_engines!(the_test_clock_is_404_without_test_mode);
async fn the_test_clock_is_404_without_test_mode(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", app.url))
        .json(&serde_json::json!({"seconds": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

on_both_engines!(the_test_clock_advances_and_runs_a_purge_pass);
async fn the_test_clock_advances_and_runs_a_purge_pass(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", app.url))
        .json(&serde_json::json!({"seconds": DAY}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(body["now"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert_eq!(now, T0 + DAY);
    // legacy_reports was deleted 13 days before T0: one day later its 14 days are up.
    assert_eq!(RETENTION_SECS, 14 * DAY);
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM workspaces WHERE name = 'legacy_reports'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
}

on_both_engines!(the_test_clock_lives_in_the_database_so_every_instance_follows_it);
async fn the_test_clock_lives_in_the_database_so_every_instance_follows_it(pool: Pool) {
    let a = spawn_app(pool.clone(), true).await;
    // A second instance on the same database (the demo is seeded once: the second seed is a no-op).
    let b = spawn_app(pool, true).await;
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", a.url))
        .json(&serde_json::json!({"seconds": 3 * DAY}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(b.state.clock.now(), T0, "b has not been asked anything yet");
    let bob = b.client(Some(("bob@acme", "bob-demo-1"))).await;
    let (status, body) = b
        .call(
            &bob,
            "list_recycle_bin",
            &[
                ("query", s("")),
                ("deleted_by", s("")),
                ("sort", s("")),
                ("page", s(1)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b.state.clock.now(), T0 + 3 * DAY);
    assert!(
        body.contains(&format!("\"now\":{}", T0 + 3 * DAY)),
        "{body}"
    );
    // An advance through b continues from a's.
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", b.url))
        .json(&serde_json::json!({"seconds": DAY}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(body["now"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert_eq!(now, T0 + 4 * DAY);
}

on_both_engines!(the_test_clock_refuses_to_overflow_and_bad_bodies);
async fn the_test_clock_refuses_to_overflow_and_bad_bodies(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let client = reqwest::Client::new();
    let advance = |body: String| {
        client
            .post(format!("{}/test-api/clock/advance", app.url))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for body in [
        r#"{"seconds": 9223372036854775807}"#,
        r#"{"seconds": -1}"#,
        r#"{"seconds": 9223372036854775808}"#,
        r#"{"seconds": "soon"}"#,
        r#"{}"#,
        "not json",
    ] {
        let res = advance(body.into()).await.unwrap();
        assert!(res.status().is_client_error(), "{body}: {}", res.status());
    }
    assert_eq!(app.state.clock.now(), T0);
    let res = advance(format!(r#"{{"seconds": {DAY}}}"#)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.state.clock.now(), T0 + DAY);
}
