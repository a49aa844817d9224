//! AccessKeys: two per user, in their own account, stored hashed; a disabled or deleted key stops
//! at once despite the verified-key cache; every change audited.
use crate::helpers::*;
use reqwest::{Method, StatusCode};
use workspace_console::access_keys::service as keys;
use workspace_console::store::Pool;

on_both_engines!(keys_are_two_per_user_in_their_own_account_and_a_disabled_key_stops_at_once);
async fn keys_are_two_per_user_in_their_own_account_and_a_disabled_key_stops_at_once(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let root = principal(&pool, "acme").await;
    let globex = principal(&pool, "globex").await;
    let bob = principal(&pool, "bob@acme").await;
    let first = keys::create(&pool, &by(&root, T0), bob.user_id)
        .await
        .unwrap()
        .into_inner();
    keys::create(&pool, &by(&root, T0), bob.user_id)
        .await
        .unwrap();
    let third = keys::create(&pool, &by(&root, T0), bob.user_id).await;
    assert!(
        matches!(third, Err(workspace_console::error::AppError::Conflict(_))),
        "{third:?}"
    );
    // Another account's user or key answers as a missing one.
    assert!(matches!(
        keys::create(&pool, &by(&globex, T0), bob.user_id).await,
        Err(workspace_console::error::AppError::NotFound(_))
    ));
    assert!(matches!(
        keys::set_enabled(&pool, &by(&globex, T0), &first.id, false).await,
        Err(workspace_console::error::AppError::NotFound(_))
    ));
    assert!(keys::list(&pool, &globex).await.unwrap().is_empty());
    assert_eq!(keys::list(&pool, &root).await.unwrap().len(), 2);
    let stored: String =
        sqlx::query_scalar("SELECT secret_hash FROM access_keys WHERE key_id = $1")
            .bind(&first.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(stored.starts_with("$argon2") && !stored.contains(&first.secret));

    let api = Api::new(&app).await;
    let key = format!("{}:{}", first.id, first.secret);
    let (status, _) = api
        .call(
            Some(&key),
            Method::GET,
            "/workspaces",
            "/workspaces",
            None,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the secret is now remembered by this instance"
    );
    keys::set_enabled(&pool, &by(&root, T0), &first.id, false)
        .await
        .unwrap();
    let (status, _) = api
        .call(
            Some(&key),
            Method::GET,
            "/workspaces",
            "/workspaces",
            None,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "disabled: refused at once despite the cache"
    );
    keys::set_enabled(&pool, &by(&root, T0), &first.id, true)
        .await
        .unwrap();
    let (status, _) = api
        .call(
            Some(&key),
            Method::GET,
            "/workspaces",
            "/workspaces",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    keys::delete(&pool, &by(&root, T0), &first.id)
        .await
        .unwrap();
    let (status, _) = api
        .call(
            Some(&key),
            Method::GET,
            "/workspaces",
            "/workspaces",
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "deleted");
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action LIKE '%AccessKey' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [
            "CreateAccessKey",
            "CreateAccessKey",
            "DisableAccessKey",
            "EnableAccessKey",
            "DeleteAccessKey"
        ]
    );
}

/// `GET /workspaces` with the AccessKey `key` (`id:secret`): the status, the refusal's code (empty
/// when it succeeded) and `Retry-After`, if any.
async fn list_with(app: &TestApp, key: &str) -> (StatusCode, String, Option<u64>) {
    let res = reqwest::Client::new()
        .get(format!("{}/openapi/v1/workspaces", app.url))
        .header("Authorization", format!("Bearer {key}"))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let body: serde_json::Value = res.json().await.unwrap();
    let code = body["code"].as_str().unwrap_or_default().to_owned();
    (status, code, retry)
}

on_both_engines!(wrong_secrets_are_throttled_per_key_and_per_address_and_a_right_key_is_not_slowed);
async fn wrong_secrets_are_throttled_per_key_and_per_address_and_a_right_key_is_not_slowed(
    pool: Pool,
) {
    use workspace_console::domain::throttle::{ACCESS_KEY_PER_ADDRESS, ACCESS_KEY_PER_KEY};
    let app = spawn_app(pool.clone(), false).await;
    let target = key_for(&pool, "acme").await;
    let other = key_for(&pool, "alice@acme").await;
    let id = target.split(':').next().unwrap().to_owned();
    let wrong = format!("{id}:{}", "x".repeat(30));
    let throttle_rows = || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM throttle")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    // A right key's requests count nothing and are answered as ever.
    for _ in 0..3 {
        assert_eq!(list_with(&app, &target).await.0, StatusCode::OK);
    }
    assert_eq!(
        throttle_rows().await,
        0,
        "a right key writes no throttle row"
    );

    // Five wrong secrets for one key id: each a plain 401, the fifth blocks the id.
    for attempt in 1..=ACCESS_KEY_PER_KEY.max {
        let (status, code, retry) = list_with(&app, &wrong).await;
        assert_eq!(
            (status, code.as_str(), retry),
            (StatusCode::UNAUTHORIZED, "Unauthenticated", None),
            "attempt {attempt}"
        );
    }
    // Then that id answers 429 with Retry-After to a wrong secret, before verifying it; the right
    // secret, which this instance verified a moment ago, goes on working: a guesser who knows a
    // key's id does not stop the script that holds it.
    let (status, code, retry) = list_with(&app, &wrong).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "Throttled")
    );
    let retry = retry.expect("a 429 says when to try again");
    assert!(
        (1..=ACCESS_KEY_PER_KEY.block as u64).contains(&retry),
        "{retry}"
    );
    assert_eq!(list_with(&app, &target).await.0, StatusCode::OK);
    // Another key from the same address is not held back by that id's failures.
    assert_eq!(list_with(&app, &other).await.0, StatusCode::OK);
    // Once the wait is over, the right secret works again and the count starts afresh.
    app.state.clock.advance(ACCESS_KEY_PER_KEY.block);
    assert_eq!(list_with(&app, &target).await.0, StatusCode::OK);
    assert_eq!(list_with(&app, &wrong).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(list_with(&app, &target).await.0, StatusCode::OK);

    // Twenty wrong secrets from one address, each for another key id (known or not), block the
    // address for every key.
    app.state.clock.advance(ACCESS_KEY_PER_ADDRESS.window);
    for i in 0..ACCESS_KEY_PER_ADDRESS.max {
        let (status, _, _) = list_with(&app, &format!("LTAIghost{i}:{}", "y".repeat(30))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "ghost {i}");
    }
    // A key this instance has not verified yet waits too; one it has verified is not held back.
    let unverified = key_for(&pool, "bob@acme").await;
    let (status, code, retry) = list_with(&app, &unverified).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "Throttled")
    );
    assert!(retry.is_some());
    assert_eq!(list_with(&app, &other).await.0, StatusCode::OK);
    // The console's own sign-in from that address is a door of its own, not blocked.
    let (status, _) = app
        .call(
            &app.client(None).await,
            "sign_in",
            &[("username", s("acme")), ("password", s("acme-demo-1"))],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.state.clock.advance(ACCESS_KEY_PER_ADDRESS.block);
    assert_eq!(list_with(&app, &unverified).await.0, StatusCode::OK);
}
