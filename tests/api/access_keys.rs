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
    let first = keys::create(&pool, T0, &root, bob.user_id)
        .await
        .unwrap()
        .into_inner();
    keys::create(&pool, T0, &root, bob.user_id).await.unwrap();
    let third = keys::create(&pool, T0, &root, bob.user_id).await;
    assert!(
        matches!(third, Err(workspace_console::error::AppError::Conflict(_))),
        "{third:?}"
    );
    // Another account's user or key answers as a missing one.
    assert!(matches!(
        keys::create(&pool, T0, &globex, bob.user_id).await,
        Err(workspace_console::error::AppError::NotFound(_))
    ));
    assert!(matches!(
        keys::set_enabled(&pool, T0, &globex, &first.id, false).await,
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
    keys::set_enabled(&pool, T0, &root, &first.id, false)
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
    keys::set_enabled(&pool, T0, &root, &first.id, true)
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
    keys::delete(&pool, T0, &root, &first.id).await.unwrap();
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
