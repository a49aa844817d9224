//! Accounts, RAM users and sign-in at the service level: both kinds of user sign in and every wrong
//! pair is refused alike, salted argon2 hashes, unique names, a root's reach, throttle counts.
use crate::helpers::*;
use workspace_console::error::AppError;
use workspace_console::identity::service as identity;
use workspace_console::store::Pool;

on_both_engines!(sign_in_accepts_root_and_ram_users_and_refuses_any_wrong_pair_alike);
async fn sign_in_accepts_root_and_ram_users_and_refuses_any_wrong_pair_alike(pool: Pool) {
    let acme = account(&pool, "acme").await;
    ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    assert!(
        identity::authenticate(&pool, "acme", "acme-password")
            .await
            .is_ok()
    );
    assert!(
        identity::authenticate(&pool, "alice@acme", "alice-password")
            .await
            .is_ok()
    );
    for (user, pw) in [
        ("acme", "wrong"),
        ("nobody", "acme-password"),
        ("alice@acme", "acme-password"),
        ("alice", "alice-password"),
    ] {
        assert_eq!(
            identity::authenticate(&pool, user, pw).await,
            Err(AppError::BadCredentials),
            "{user}"
        );
    }
}

on_both_engines!(passwords_are_stored_as_salted_argon2_hashes);
async fn passwords_are_stored_as_salted_argon2_hashes(pool: Pool) {
    account(&pool, "acme").await;
    account(&pool, "initech").await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        hashes
            .iter()
            .all(|h| h.starts_with("$argon2id$") && !h.contains("password"))
    );
    assert_ne!(hashes[0], hashes[1]);
}

on_both_engines!(account_names_are_unique_ignoring_case);
async fn account_names_are_unique_ignoring_case(pool: Pool) {
    account(&pool, "acme").await;
    let again = identity::create_account(&pool, T0, "ACME", "long-enough").await;
    assert!(matches!(again, Err(AppError::Conflict(_))));
}

on_both_engines!(ram_user_management_stays_inside_the_roots_account);
async fn ram_user_management_stays_inside_the_roots_account(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    let bob = ram_user(&pool, &acme, "bob", Some("AliyunDataWorksReadOnlyAccess")).await;
    // globex's root cannot touch acme's user: it answers exactly as a missing one.
    let missing = identity::set_policy(
        &pool,
        &by(&globex, T0),
        9_999,
        "AliyunDataWorksFullAccess",
        true,
    )
    .await;
    let foreign = identity::set_policy(
        &pool,
        &by(&globex, T0),
        bob.user_id,
        "AliyunDataWorksFullAccess",
        true,
    )
    .await;
    assert_eq!(missing, foreign);
    assert!(matches!(foreign, Err(AppError::NotFound(_))));
    assert!(
        identity::delete_ram_user(&pool, &by(&globex, T0), bob.user_id)
            .await
            .is_err()
    );
    assert!(
        identity::list_ram_users(&pool, &globex)
            .await
            .unwrap()
            .is_empty()
    );

    identity::set_policy(
        &pool,
        &by(&acme, T0),
        bob.user_id,
        "AliyunDataWorksFullAccess",
        true,
    )
    .await
    .unwrap();
    identity::set_policy(
        &pool,
        &by(&acme, T0),
        bob.user_id,
        "AliyunDataWorksReadOnlyAccess",
        false,
    )
    .await
    .unwrap();
    let bob = identity::load_principal(&pool, bob.user_id)
        .await
        .unwrap()
        .unwrap();
    assert!(bob.can(workspace_console::domain::Capability::Modify));
    identity::delete_ram_user(&pool, &by(&acme, T0), bob.user_id)
        .await
        .unwrap();
    assert!(
        identity::load_principal(&pool, bob.user_id)
            .await
            .unwrap()
            .is_none()
    );
}

on_both_engines!(throttle_rows_count_attempts_per_key_and_stale_ones_are_forgotten);
async fn throttle_rows_count_attempts_per_key_and_stale_ones_are_forgotten(pool: Pool) {
    use workspace_console::domain::throttle::SIGN_IN_PER_USER as LIMIT;
    use workspace_console::server::throttle;
    for _ in 0..LIMIT.max - 1 {
        throttle::record(&pool, T0, &[("user:acme", LIMIT)])
            .await
            .unwrap();
    }
    throttle::check(&pool, T0, &["user:acme"]).await.unwrap();
    throttle::record(&pool, T0, &[("user:acme", LIMIT)])
        .await
        .unwrap();
    let refused = throttle::check(&pool, T0, &["ip:1", "user:acme"]).await;
    assert_eq!(refused, Err(AppError::Throttled(LIMIT.block as u64)));
    assert_eq!(
        throttle::forget_stale(&pool, T0 + LIMIT.block - 1, LIMIT)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        throttle::forget_stale(&pool, T0 + LIMIT.block, LIMIT)
            .await
            .unwrap(),
        1
    );
    throttle::check(&pool, T0 + LIMIT.block, &["user:acme"])
        .await
        .unwrap();
}
