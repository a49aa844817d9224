//! Notices and the webhook over HTTP: notices made by the clock, a dead webhook delaying nothing,
//! and webhooks into the internal network refused unless the operator allows them.
use crate::helpers::*;
use reqwest::StatusCode;
use std::time::Duration;
use workspace_console::store::Pool;

on_both_engines!(notices_come_from_the_clock_and_a_dead_webhook_delays_nothing);
async fn notices_come_from_the_clock_and_a_dead_webhook_delays_nothing(pool: Pool) {
    // The receiver is on loopback: the operator allows private receivers.
    let app = crate::app::spawn_with(
        pool,
        |state| {
            state.test_mode = true;
            state.config.webhook_allow_private = true;
        },
        std::time::Duration::ZERO,
    )
    .await;
    let root = app.client(Who::Root.credentials()).await;
    // A receiver that takes connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", silent.local_addr().unwrap());
    let (status, _) = app
        .call(&root, "set_webhook", &[("url", hook.clone())])
        .await;
    assert_eq!(status, StatusCode::OK);
    for bad in [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "http://user:pw@example.com/",
    ] {
        let (status, body) = app.call(&root, "set_webhook", &[("url", s(bad))]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let (_, body) = app.call(&root, "get_webhook", &[]).await;
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(saved["url"], hook, "{body}");
    assert_eq!(saved["signed"], true, "{body}");

    // legacy_reports was deleted 13 days before T0: its 1-day warning is due at once; so is
    // poc_2025's 7-day warning (deleted 10 days before T0, SPEC §25).
    app.advance_clock(0).await;
    let (status, body) = app.call(&root, "list_notifications", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let notices: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(notices["unread"], 2, "{body}");
    let mut due: Vec<(String, String)> = notices["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                s(n["kind"].as_str().unwrap()),
                s(n["workspace"].as_str().unwrap()),
            )
        })
        .collect();
    due.sort();
    assert_eq!(
        due,
        [
            (s("Warning1Day"), s("legacy_reports")),
            (s("Warning7Days"), s("poc_2025"))
        ]
    );
    // The header's button reads the count alone.
    assert_eq!(
        app.call(&root, "count_unread_notifications", &[]).await,
        (StatusCode::OK, s("2"))
    );
    // The advance answered while the delivery still waits for its worker.
    let (attempts, done): (i64, Option<i64>) =
        sqlx::query_as("SELECT attempts, done_at FROM webhook_outbox")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((attempts, done), (0, None));

    assert_eq!(
        app.call(&root, "mark_notifications_read", &[]).await.0,
        StatusCode::OK
    );
    let (_, body) = app.call(&root, "list_notifications", &[]).await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["unread"],
        0
    );
    assert_eq!(
        app.call(&root, "count_unread_notifications", &[]).await,
        (StatusCode::OK, s("0"))
    );
    let anon = app.client(None).await;
    assert_eq!(
        app.call(&anon, "count_unread_notifications", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(&anon, "list_notifications", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(&anon, "mark_notifications_read", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    drop(silent);
}

on_both_engines!(a_webhook_into_the_internal_network_is_a_clear_422_unless_the_operator_allows_it);
async fn a_webhook_into_the_internal_network_is_a_clear_422_unless_the_operator_allows_it(
    pool: Pool,
) {
    let app = spawn_app(pool.clone(), false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = receiver.local_addr().unwrap().port();
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://localhost:{port}/hook"),
        s("http://169.254.169.254/latest/meta-data/"),
        s("http://0x7f.1/"),
    ] {
        let (status, body) = app
            .call(&root, "set_webhook", &[("url", url.clone())])
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert!(
            body.contains("A webhook may only be sent to a public address"),
            "{body}"
        );
    }
    let (_, body) = app.call(&root, "get_webhook", &[]).await;
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(saved["url"], "", "nothing was saved: {body}");

    // An operator who runs the receiver in their own network allows private receivers.
    let inside = spawn_with(
        pool,
        |state| state.config.webhook_allow_private = true,
        Duration::ZERO,
    )
    .await;
    let root = inside.client(Some(("acme", "acme-demo-1"))).await;
    let url = format!("http://localhost:{port}/hook");
    let (status, body) = inside
        .call(&root, "set_webhook", &[("url", url.clone())])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(saved["url"], url);
    assert!(
        saved["secret"].as_str().unwrap().starts_with("whsec_"),
        "{body}"
    );
    // Never a metadata service nor an address that is not globally routable, whatever the operator
    // allows (the console's own host answered on 192.0.2.2 in issue 43).
    for url in [
        s("http://169.254.169.254/"),
        s("http://100.100.100.200/latest/meta-data/"),
        s("http://[fd00:ec2::254]/latest/meta-data/"),
        format!("http://192.0.2.2:{port}/w"),
        format!("http://[64:ff9b::7f00:1]:{port}/hook"),
        format!("http://[::ffff:0:127.0.0.1]:{port}/hook"),
    ] {
        let (status, body) = inside
            .call(&root, "set_webhook", &[("url", url.clone())])
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "never {url}: {body}"
        );
        assert!(
            body.contains("A webhook may only be sent to a public address"),
            "{body}"
        );
    }
    let (status, body) = inside.call(&root, "new_webhook_secret", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.starts_with("\"whsec_"), "{body}");
}
