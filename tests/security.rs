//! Hardening, black-box over HTTP: sessions that outlive their user or password, throttling,
//! bad input of every shape at every server function, request guards, headers, draining stop,
//! and the bounded password-hashing gate.
#![recursion_limit = "512"]
mod common;

use common::app::{TestApp, spawn_app, spawn_with};
use common::{DAY, T0};
use reqwest::StatusCode;
use std::time::Duration;
use workspace_console::identity::service as identity;
use workspace_console::identity::sessions::Sessions;
use workspace_console::server::gate::Gate;
use workspace_console::server::state::PublicOrigin;
use workspace_console::store::Pool;

fn s(v: impl ToString) -> String {
    v.to_string()
}

async fn sign_in_status(app: &TestApp, user: &str, password: &str) -> (StatusCode, String) {
    let client = app.client(None).await;
    app.call(
        &client,
        "sign_in",
        &[("username", s(user)), ("password", s(password))],
    )
    .await
}

async fn active(app: &TestApp, name: &str) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM workspaces WHERE account_id = 1 AND name = $1 AND deleted_at IS NULL",
    )
    .bind(name)
    .fetch_one(&app.pool)
    .await
    .unwrap()
        == 1
}

// ---- Sessions -------------------------------------------------------------------------------

on_both_engines!(a_deleted_users_session_never_becomes_the_next_user);
async fn a_deleted_users_session_never_becomes_the_next_user(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let create = |name: &str| {
        vec![
            ("name", s(name)),
            ("password", s("a-long-password-1")),
            ("policy", s("AliyunDataWorksFullAccess")),
        ]
    };
    assert_eq!(
        app.call(&root, "create_ram_user", &create("ghost")).await.0,
        StatusCode::OK
    );
    let ghost = app.client(Some(("ghost@acme", "a-long-password-1"))).await;
    let ghost_id = app.id("SELECT id FROM users WHERE name = 'ghost'").await;
    assert_eq!(
        app.call(&root, "delete_ram_user", &[("user_id", ghost_id.clone())])
            .await
            .0,
        StatusCode::OK
    );
    // The next users, a RAM user and an account root, never get the deleted user's id.
    assert_eq!(
        app.call(&root, "create_ram_user", &create("newhire"))
            .await
            .0,
        StatusCode::OK
    );
    let (status, _) = app
        .call(
            &app.client(None).await,
            "sign_up",
            &[
                ("account_name", s("initech")),
                ("password", s("initech-pass-1")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let newest: Vec<String> = sqlx::query_scalar("SELECT CAST(id AS TEXT) FROM users")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(!newest.contains(&ghost_id), "an id was reused");

    assert_eq!(app.call(&ghost, "current_viewer", &[]).await.1, "null");
    let (status, _) = app
        .call(
            &ghost,
            "delete_workspace",
            &[
                ("workspace", s("sales_dw")),
                ("typed_name", s("sales_dw")),
                ("freeze_tasks", s(true)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(active(&app, "sales_dw").await);
}

on_both_engines!(a_password_reset_ends_the_users_sessions_at_once);
async fn a_password_reset_ends_the_users_sessions_at_once(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let alice_id = app.id("SELECT id FROM users WHERE name = 'alice'").await;
    let list = [("query", s("")), ("page", s(1))];
    assert_eq!(
        app.call(&alice, "list_workspaces", &list).await.0,
        StatusCode::OK
    );
    let (status, body) = app
        .call(
            &root,
            "set_ram_user_password",
            &[("user_id", alice_id), ("password", s("alice-new-pass-2"))],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.call(&alice, "list_workspaces", &list).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_status(&app, "alice@acme", "alice-demo-1").await.0,
        StatusCode::UNAUTHORIZED
    );
    let alice = app.client(Some(("alice@acme", "alice-new-pass-2"))).await;
    assert_eq!(
        app.call(&alice, "list_workspaces", &list).await.0,
        StatusCode::OK
    );
    // The root's own session is untouched.
    assert_eq!(
        app.call(&root, "list_workspaces", &list).await.0,
        StatusCode::OK
    );
}

on_both_engines!(expired_sessions_are_deleted);
async fn expired_sessions_are_deleted(pool: Pool) {
    use tower_sessions::session_store::ExpiredDeletion;
    let app = spawn_app(pool, false).await;
    app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let count = async || -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM console_sessions")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 1);
    let sessions = Sessions::new(app.pool.clone());
    sessions.delete_expired().await.unwrap();
    assert_eq!(count().await, 1, "a live session stays");
    sqlx::query("UPDATE console_sessions SET expiry_date = 0")
        .execute(&app.pool)
        .await
        .unwrap();
    sessions.delete_expired().await.unwrap();
    assert_eq!(count().await, 0);
}

on_both_engines!(a_session_cookie_of_any_shape_that_names_no_session_is_answered_as_signed_out);
async fn a_session_cookie_of_any_shape_that_names_no_session_is_answered_as_signed_out(pool: Pool) {
    let app = spawn_app(pool, false).await;
    app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let (real, _): (String, String) = sqlx::query_as("SELECT id, data FROM console_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    for value in [
        "garbage".to_owned(),
        String::new(),
        "%00%FF".to_owned(),
        "\u{e9}t\u{e9}".to_owned(),
        "x".repeat(4000),
        // Well formed, but no such session.
        "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        // A real session's id with a character changed.
        format!(
            "{}{}",
            &real[..real.len() - 1],
            if real.ends_with('A') { 'B' } else { 'A' }
        ),
    ] {
        let cookie = format!("console_session={value}");
        let res = client
            .post(format!("{}/api/list_workspaces", app.url))
            .header("Origin", app.url.clone())
            .header("cookie", &cookie)
            .form(&[("query", ""), ("page", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{cookie:.60}");
        let res = client
            .get(format!("{}/workspaces", app.url))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{cookie:.60}: {}",
            res.status()
        );
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("sales_dw"),
            "no workspace shown to {cookie:.60}"
        );
    }
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM console_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        sessions, 1,
        "no session was written for a cookie that named none"
    );
}

on_both_engines!(a_loaded_session_carries_its_users_principal_which_is_never_saved);
async fn a_loaded_session_carries_its_users_principal_which_is_never_saved(pool: Pool) {
    use tower_sessions::session::Id;
    use tower_sessions::session_store::SessionStore;
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let stored = async || -> (String, String) {
        sqlx::query_as("SELECT id, data FROM console_sessions")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let (id, data) = stored().await;
    assert!(
        data.contains("signed_in") && !data.contains("principal"),
        "{data}"
    );
    let id: Id = id.parse().unwrap();
    let sessions = Sessions::new(app.pool.clone());
    let record = sessions.load(&id).await.unwrap().expect("the session");
    let principal = Sessions::principal_of(&record).expect("bob's principal");
    assert_eq!(principal.sign_in_name(), "bob@acme");
    assert_eq!(
        Some(principal.clone()),
        identity::load_session_principal(
            &app.pool,
            serde_json::from_value(record.data["signed_in"].clone()).unwrap()
        )
        .await
        .unwrap(),
        "the joined read gives what the principal's own read gives"
    );
    // Saved back (as a changed session is), the record leaves its principal out.
    sessions.save(&record).await.unwrap();
    let (_, data) = stored().await;
    assert!(!data.contains("principal"), "{data}");
    // A new session whose id is taken draws another, and the first one is untouched.
    let mut fresh = record.clone();
    fresh.data.clear();
    sessions.create(&mut fresh).await.unwrap();
    assert_ne!(fresh.id, id);
    assert!(Sessions::principal_of(&sessions.load(&id).await.unwrap().unwrap()).is_some());
    assert!(Sessions::principal_of(&sessions.load(&fresh.id).await.unwrap().unwrap()).is_none());
    // A password reset bumps bob's credential version: his session loads without a principal,
    // and the console answers it as signed out.
    sqlx::query("UPDATE users SET session_version = session_version + 1 WHERE name = 'bob'")
        .execute(&app.pool)
        .await
        .unwrap();
    let record = sessions.load(&id).await.unwrap().expect("the session row");
    assert_eq!(Sessions::principal_of(&record), None);
    let list = [("query", s("")), ("page", s(1))];
    assert_eq!(
        app.call(&bob, "list_workspaces", &list).await.0,
        StatusCode::UNAUTHORIZED
    );
    // An expired session does not load.
    sqlx::query("UPDATE console_sessions SET expiry_date = 0")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(sessions.load(&fresh.id).await.unwrap().is_none());
}

// ---- Passwords ------------------------------------------------------------------------------

on_both_engines!(common_short_repeated_and_huge_passwords_are_refused);
async fn common_short_repeated_and_huge_passwords_are_refused(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let before = app.fingerprint().await;
    for (i, password) in [
        "password".to_owned(),
        "12345678".to_owned(),
        " ".repeat(8),
        " ".repeat(12),
        "aaaaaaaaaaaa".to_owned(),
        "password123".to_owned(),
        "qwertyuiop".to_owned(),
        "short-1".to_owned(),
        "x".repeat(129),
        "y1".repeat(500_000),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, body) = app
            .call(
                &root,
                "create_ram_user",
                &[
                    ("name", format!("weak{i}")),
                    ("password", password.clone()),
                    ("policy", s("")),
                ],
            )
            .await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::PAYLOAD_TOO_LARGE,
            "{status} for a password of {} chars: {body}",
            password.len()
        );
    }
    assert_eq!(app.fingerprint().await, before);
    let (status, body) = app
        .call(
            &app.client(None).await,
            "sign_up",
            &[
                ("account_name", s("weakling")),
                ("password", s("password1")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

// ---- Throttling -----------------------------------------------------------------------------

on_both_engines!(five_wrong_passwords_block_that_user_until_the_wait_is_over);
async fn five_wrong_passwords_block_that_user_until_the_wait_is_over(pool: Pool) {
    let app = spawn_app(pool, false).await;
    for _ in 0..5 {
        assert_eq!(
            sign_in_status(&app, "acme", "wrong-password").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let client = app.client(None).await;
    let res = client
        .post(format!("{}/api/sign_in", app.url))
        .form(&[("username", "ACME"), ("password", "acme-demo-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(res.text().await.unwrap().contains("Too many attempts"));
    // Another user from the same address is not blocked by acme's failures.
    assert_eq!(
        sign_in_status(&app, "bob@acme", "bob-demo-1").await.0,
        StatusCode::OK
    );
    app.state.clock.advance(retry as i64);
    assert_eq!(
        sign_in_status(&app, "acme", "acme-demo-1").await.0,
        StatusCode::OK
    );
}

on_both_engines!(twenty_failures_from_one_address_block_it_for_every_user_name);
async fn twenty_failures_from_one_address_block_it_for_every_user_name(pool: Pool) {
    let app = spawn_app(pool, false).await;
    for i in 0..20 {
        let (status, _) = sign_in_status(&app, &format!("nobody{i}"), "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in_status(&app, "globex", "globex-demo-1").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.state.clock.advance(900);
    assert_eq!(
        sign_in_status(&app, "globex", "globex-demo-1").await.0,
        StatusCode::OK
    );
}

on_both_engines!(sign_ups_from_one_address_are_limited);
async fn sign_ups_from_one_address_are_limited(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(None).await;
    for i in 0..10 {
        let (status, body) = app
            .call(
                &client,
                "sign_up",
                &[
                    ("account_name", format!("corp{i}")),
                    ("password", s("corp-password-1")),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let before = app.fingerprint().await;
    let (status, _) = app
        .call(
            &client,
            "sign_up",
            &[
                ("account_name", s("corp10")),
                ("password", s("corp-password-1")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.fingerprint().await, before);
    app.state.clock.advance(3_600);
    let (status, _) = app
        .call(
            &client,
            "sign_up",
            &[
                ("account_name", s("corp10")),
                ("password", s("corp-password-1")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

// ---- Bad input at every door ----------------------------------------------------------------

/// Every server function with arguments that make a valid call.
fn server_functions() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("current_viewer", vec![]),
        ("sign_in", vec![("username", "acme"), ("password", "x")]),
        (
            "sign_up",
            vec![("account_name", "newco"), ("password", "newco-pass-1")],
        ),
        ("list_ram_users", vec![]),
        (
            "create_ram_user",
            vec![
                ("name", "dave"),
                ("password", "dave-demo-12"),
                ("policy", ""),
            ],
        ),
        (
            "set_ram_user_password",
            vec![("user_id", "3"), ("password", "bob-new-pass-1")],
        ),
        (
            "set_ram_user_policy",
            vec![
                ("user_id", "3"),
                ("policy", "AliyunDataWorksFullAccess"),
                ("attached", "true"),
            ],
        ),
        ("delete_ram_user", vec![("user_id", "4")]),
        ("list_workspaces", vec![("query", ""), ("page", "1")]),
        (
            "create_workspace",
            vec![
                ("name", "fresh_ws"),
                ("display_name", ""),
                ("description", ""),
                ("data_modeling", "false"),
            ],
        ),
        ("get_workspace_overview", vec![("workspace", "sales_dw")]),
        (
            "list_assets",
            vec![("workspace", "sales_dw"), ("kind", "node")],
        ),
        (
            "add_asset",
            vec![
                ("workspace", "sales_dw"),
                ("kind", "resource"),
                ("product", "PAI"),
                ("name", "x.py"),
                ("subtype", "Python"),
                ("detail", ""),
            ],
        ),
        ("list_nodes", vec![("workspace", "sales_dw")]),
        (
            "get_node",
            vec![("workspace", "sales_dw"), ("node_id", "1")],
        ),
        (
            "save_node",
            vec![("workspace", "sales_dw"), ("node_id", "1"), ("code", "x")],
        ),
        (
            "commit_node",
            vec![("workspace", "sales_dw"), ("node_id", "1")],
        ),
        (
            "publish_node",
            vec![("workspace", "sales_dw"), ("node_id", "1")],
        ),
        ("list_tasks", vec![("workspace", "sales_dw")]),
        ("freeze_task", vec![("task_id", "1")]),
        ("unfreeze_task", vec![("task_id", "1")]),
        ("delete_task", vec![("task_id", "1")]),
        ("get_deletion_preview", vec![("workspace", "sales_dw")]),
        (
            "delete_workspace",
            vec![
                ("workspace", "sales_dw"),
                ("typed_name", "sales_dw"),
                ("freeze_tasks", "true"),
            ],
        ),
        ("list_recycle_bin", vec![("page", "1")]),
        (
            "recover_workspace",
            vec![("entry_id", "1"), ("deleted_at", "1")],
        ),
        (
            "purge_workspace",
            vec![("entry_id", "1"), ("deleted_at", "1"), ("typed_name", "x")],
        ),
        ("sign_out", vec![]),
        ("list_audit_events", vec![("cursor", "Newest")]),
        ("list_notifications", vec![]),
        ("count_unread_notifications", vec![]),
        ("mark_notifications_read", vec![]),
        ("get_webhook", vec![]),
        ("set_webhook", vec![("url", "http://127.0.0.1:9/hook")]),
        ("list_access_keys", vec![]),
        ("create_access_key", vec![("user_id", "1")]),
        (
            "set_access_key_enabled",
            vec![("id", "LTAInone"), ("enabled", "true")],
        ),
        ("delete_access_key", vec![("id", "LTAInone")]),
    ]
}

/// Arguments that may be left out (`Option`).
fn is_optional_field(endpoint: &str, name: &str) -> bool {
    matches!(
        (endpoint, name),
        ("create_ram_user", "policy")
            | ("list_tasks", "workspace")
            | ("create_access_key", "user_id")
    )
}

fn is_number_field(name: &str) -> bool {
    matches!(
        name,
        "user_id" | "page" | "node_id" | "task_id" | "entry_id" | "deleted_at"
    )
}

fn is_bool_field(name: &str) -> bool {
    matches!(
        name,
        "attached" | "data_modeling" | "freeze_tasks" | "enabled"
    )
}

/// Malformed bodies of every kind, each with its content type.
fn malformed(endpoint: &str, args: &[(&str, &str)]) -> Vec<(String, &'static str, Vec<u8>)> {
    let form = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    };
    let valid: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    const FORM: &str = "application/x-www-form-urlencoded";
    let mut cases = vec![
        (
            "a JSON body".to_owned(),
            "application/json",
            serde_json::to_vec(&serde_json::json!({"page": [1], "x": {"y": null}})).unwrap(),
        ),
        (
            "a multipart body".to_owned(),
            "multipart/form-data; boundary=XyZ",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\n1\r\n--XyZ--\r\n"
                .to_vec(),
        ),
        (
            "invalid percent-encoding".to_owned(),
            FORM,
            b"%zz=%E0%A4%A&page=%%%".to_vec(),
        ),
        (
            "bytes that are not UTF-8".to_owned(),
            FORM,
            vec![0xff, 0xfe, b'=', 0xc3, 0x28],
        ),
        ("garbage".to_owned(), FORM, b"&&&===&".to_vec()),
    ];
    for (i, (name, _)) in args.iter().enumerate() {
        if !is_optional_field(endpoint, name) {
            let mut missing = valid.clone();
            missing.remove(i);
            cases.push((format!("{name} missing"), FORM, form(&missing)));
        }
        let bad_values: &[&str] = if is_number_field(name) {
            &["abc", "9223372036854775808", "1e20", "-", "1.5", ""]
        } else if is_bool_field(name) {
            &["maybe", "2", ""]
        } else {
            &[]
        };
        for bad in bad_values {
            let mut pairs = valid.clone();
            pairs[i].1 = bad.to_string();
            cases.push((format!("{name}={bad}"), FORM, form(&pairs)));
        }
        let mut repeated = valid.clone();
        repeated.push(valid[i].clone());
        cases.push((format!("{name} twice"), FORM, form(&repeated)));
    }
    cases
}

on_both_engines!(malformed_calls_to_every_server_function_get_a_clear_four_hundred);
async fn malformed_calls_to_every_server_function_get_a_clear_four_hundred(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let before = app.fingerprint().await;
    let mut checked = 0;
    for (endpoint, args) in server_functions() {
        for (what, content_type, body) in malformed(endpoint, &args) {
            let res = root
                .post(format!("{}/api/{endpoint}", app.url))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            if args
                .iter()
                .all(|(name, _)| is_optional_field(endpoint, name))
            {
                // Functions without required arguments may read a body as "no arguments".
                assert!(
                    !status.is_server_error(),
                    "{endpoint} with {what}: {status} {text}"
                );
                continue;
            }
            assert!(
                status.is_client_error(),
                "{endpoint} with {what}: {status} {text}"
            );
            let error: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{endpoint} with {what}: not JSON: {text}"));
            assert!(
                error["kind"].is_string() && error["message"].is_string(),
                "{endpoint} with {what}: {text}"
            );
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked}");
    // Re-signing in as root is the only change a valid sign_in/sign_out could make; none ran.
    assert_eq!(app.fingerprint().await, before);
}

on_both_engines!(a_body_over_a_mebibyte_is_413_whether_announced_or_streamed);
async fn a_body_over_a_mebibyte_is_413_whether_announced_or_streamed(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let node_id = app
        .id("SELECT id FROM assets WHERE name = 'tmp_check' AND workspace_id = (SELECT id FROM workspaces WHERE account_id = 1 AND name = 'sales_dw')")
        .await;
    let before = app.fingerprint().await;
    let cookie = session_cookie(&app, "acme", "acme-demo-1").await;
    // Announced: refused from the headers alone, before a byte of the body is sent.
    let announced = common::app::raw_exchange(
        &app.url,
        &format!(
            "POST /api/save_node HTTP/1.1\r\nOrigin: {}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}",
            app.url,
            3 * 1024 * 1024
        ),
        b"",
    )
    .await;
    assert!(announced.starts_with("HTTP/1.1 413"), "{announced}");
    assert!(announced.contains("\"kind\":\"TooLarge\""), "{announced}");
    // Streamed without a length: one chunk one byte over the limit, and nothing after it (the
    // server reads every byte sent before it answers).
    let mut chunk = format!("workspace=sales_dw&node_id={node_id}&code=").into_bytes();
    chunk.resize(1024 * 1024 + 1, b'x');
    let mut body = format!("{:x}\r\n", chunk.len()).into_bytes();
    body.extend_from_slice(&chunk);
    let streamed = common::app::raw_exchange(
        &app.url,
        &format!(
            "POST /api/save_node HTTP/1.1\r\nOrigin: {}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
            app.url
        ),
        &body,
    )
    .await;
    assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
    assert_eq!(app.fingerprint().await, before);
}

/// A signed-in session's cookie (`console_session=…`), for a request made by hand.
async fn session_cookie(app: &TestApp, user: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{}/api/sign_in", app.url))
        .header("Origin", app.url.clone())
        .form(&[("username", user), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

on_both_engines!(a_search_longer_than_any_name_is_refused_and_wildcards_match_themselves);
async fn a_search_longer_than_any_name_is_refused_and_wildcards_match_themselves(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let (status, body) = app
        .call(
            &bob,
            "list_workspaces",
            &[("query", "%_".repeat(30_000)), ("page", s(1))],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .call(
            &bob,
            "list_workspaces",
            &[("query", s("%")), ("page", s(1))],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"total\":0"), "{body}");
    let (status, body) = app
        .call(
            &bob,
            "list_workspaces",
            &[
                ("query", s("sales_")),
                ("page", s(9_223_372_036_854_775_807i64)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("sales_dw"), "{body}");
}

// ---- Request guards and headers -------------------------------------------------------------

on_both_engines!(every_response_carries_the_security_headers_and_pages_a_nonce_csp);
async fn every_response_carries_the_security_headers_and_pages_a_nonce_csp(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(None).await;
    for path in [
        "/login",
        "/api/current_viewer",
        "/no-such-page",
        "/healthz",
        "/pkg/no-such-file.wasm",
    ] {
        let res = client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        let h = res.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    // A build file (a page fetches dozens of WASM chunks) carries only nosniff of them: the
    // other headers act on documents.
    let css = std::fs::read_dir("target/site/pkg")
        .expect("the built site (./setup.sh builds it before the tests)")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .find(|name| name.ends_with(".css"))
        .expect("the built stylesheet");
    let res = client
        .get(format!("{}/pkg/{css}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "/pkg/{css}");
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.get("x-request-id").is_some());
    for name in [
        "x-frame-options",
        "content-security-policy",
        "referrer-policy",
    ] {
        assert!(h.get(name).is_none(), "/pkg/{css} carries {name}");
    }
    let res = client
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the page's CSP")
        .to_owned();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries the CSP's nonce"
    );
    // Every script tag carries it.
    let scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(""))
        .collect();
    assert!(!scripts.is_empty());
    for tag in scripts {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
}

on_both_engines!(a_loopback_console_refuses_foreign_host_names);
async fn a_loopback_console_refuses_foreign_host_names(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = reqwest::Client::new();
    let port = app.url.rsplit(':').next().unwrap().to_owned();
    for host in ["evil.example", &format!("rebind.attacker.test:{port}")] {
        let res = client
            .get(format!("{}/login", app.url))
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{host}");
    }
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let res = client
            .get(format!("{}/login", app.url))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{host}");
    }
}

on_both_engines!(a_public_https_url_sets_secure_cookies_and_is_the_only_host_and_origin);
async fn a_public_https_url_sets_secure_cookies_and_is_the_only_host_and_origin(pool: Pool) {
    let app = spawn_with(
        pool,
        |state| {
            state.config.public_origin =
                Some(PublicOrigin::parse("https://console.example.com").unwrap());
        },
        Duration::ZERO,
    )
    .await;
    let client = reqwest::Client::new();
    let sign_in = |origin: &'static str| {
        client
            .post(format!("{}/api/sign_in", app.url))
            .header("host", "console.example.com")
            .header("origin", origin)
            .form(&[("username", "acme"), ("password", "acme-demo-1")])
            .send()
    };
    let res = sign_in("https://console.example.com").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(res.headers().contains_key("strict-transport-security"));
    assert_eq!(
        sign_in("http://console.example.com")
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let res = client
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "127.0.0.1 is not the public host"
    );
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

// ---- Stopping -------------------------------------------------------------------------------

on_both_engines!(a_stop_drains_readiness_off_connections_closed_and_requests_answered);
async fn a_stop_drains_readiness_off_connections_closed_and_requests_answered(pool: Pool) {
    let mut app = spawn_with(pool, |_| {}, Duration::from_millis(300)).await;
    let client = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let ready = client
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    // Requests in flight when the stop comes, on kept-alive connections.
    let calls: Vec<_> = (0..16)
        .map(|i| {
            let client = client.clone();
            let url = format!("{}/api/list_workspaces", app.url);
            tokio::spawn(async move {
                client
                    .post(url)
                    .form(&[("query", String::new()), ("page", (i % 3 + 1).to_string())])
                    .send()
                    .await
            })
        })
        .collect();
    app.stop.take().unwrap().send(()).unwrap();
    for call in calls {
        let res = call
            .await
            .unwrap()
            .expect("every request in flight gets its answer");
        assert_eq!(res.status(), StatusCode::OK);
    }
    let ready = client
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.headers()["connection"], "close");
    assert!(app.state.is_draining());
}

// ---- The password-hashing gate --------------------------------------------------------------

on_both_engines!(a_burst_of_sign_ins_past_the_gate_gets_503_with_retry_after);
async fn a_burst_of_sign_ins_past_the_gate_gets_503_with_retry_after(pool: Pool) {
    let app = spawn_with(
        pool,
        |state| state.password_gate = Gate::new(1, 1, Duration::from_secs(5)),
        Duration::ZERO,
    )
    .await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let attempts: Vec<_> = (0..12)
        .map(|i| {
            let url = format!("{}/api/sign_in", app.url);
            let origin = app.url.clone();
            tokio::spawn(async move {
                let res = reqwest::Client::new()
                    .post(url)
                    .header("Origin", origin)
                    .form(&[
                        ("username", format!("nobody{i}")),
                        ("password", "wrong-password".into()),
                    ])
                    .send()
                    .await
                    .unwrap();
                let retry = res.headers().get("retry-after").cloned();
                (res.status(), retry)
            })
        })
        .collect();
    // A signed-in user is served meanwhile.
    let (status, _) = app
        .call(&bob, "list_workspaces", &[("query", s("")), ("page", s(1))])
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut busy = 0;
    for attempt in attempts {
        let (status, retry) = attempt.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert!(retry.is_some(), "503 without Retry-After");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        busy > 0,
        "12 attempts at once through a gate of 1 + 1 all got in"
    );
}

on_both_engines!(the_sign_in_page_is_plain_html_and_its_form_works_without_wasm);
async fn the_sign_in_page_is_plain_html_and_its_form_works_without_wasm(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = |path: &str| {
        let url = format!("{}{path}", app.url);
        let browser = browser.clone();
        async move {
            let res = browser.get(url).send().await.unwrap();
            let location = res
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned());
            (res.status(), location, res.text().await.unwrap())
        }
    };
    let form_post = |password: &'static str| {
        let browser = browser.clone();
        let url = app.url.clone();
        async move {
            let res = browser
                .post(format!("{url}/api/sign_in"))
                .header("accept", "text/html,application/xhtml+xml")
                .header("origin", &url)
                .header("referer", format!("{url}/login"))
                .form(&[("username", "alice@acme"), ("password", password)])
                .send()
                .await
                .unwrap();
            let location = res.headers()["location"].to_str().unwrap().to_owned();
            (res.status(), location)
        }
    };

    // Signed out, the page carries the form and loads no script or WASM (Leptos's few inline lines
    // of resource bookkeeping remain).
    let (status, _, html) = page("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"action="/api/sign_in""#), "{html}");
    for loader in ["<script src", "modulepreload", ".wasm", ".js\""] {
        assert!(!html.contains(loader), "{loader} in {html}");
    }

    // A wrong password comes back to the page (303, so the browser follows), which says so.
    let (status, location) = form_post("not-her-password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.contains("/login?__path=%2Fapi%2Fsign_in&__err="),
        "{location}"
    );
    let path = location.trim_start_matches(&app.url).to_owned();
    let (status, _, html) = page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Incorrect username or password."), "{html}");
    assert!(location.ends_with("&username=alice%40acme"), "{location}");
    assert!(
        html.contains(r#"value="alice@acme""#),
        "the username is kept: {html}"
    );

    // The right one signs in; the page sends a signed-in visitor on to Workspaces.
    let (status, location) = form_post("alice-demo-1").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(!location.contains("__err"), "{location}");
    let (status, location, _) = page("/login").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/workspaces"));
    let (status, _, html) = page("/workspaces").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("alice@acme"));
}

on_both_engines!(a_refusal_forged_into_the_sign_in_address_shows_only_the_consoles_words);
async fn a_refusal_forged_into_the_sign_in_address_shows_only_the_consoles_words(pool: Pool) {
    let app = spawn_app(pool, false).await;
    // base64url of {"kind":"Invalid","message":"Call 555 0100 to unlock your account."}
    let forged = "eyJraW5kIjoiSW52YWxpZCIsIm1lc3NhZ2UiOiJDYWxsIDU1NSAwMTAwIHRvIHVubG9jayB5b3VyIGFjY291bnQuIn0=";
    let html = reqwest::get(format!(
        "{}/login?__path=%2Fapi%2Fsign_in&__err={forged}",
        app.url
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(!html.contains("555 0100"), "{html}");
    assert!(html.contains("The sign-in did not go through."), "{html}");
    // Garbage is no refusal at all, and no error page either.
    let res = reqwest::get(format!(
        "{}/login?__path=%2Fapi%2Fsign_in&__err=%%%",
        app.url
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_engines!(static_files_never_leave_the_site_folder);
async fn static_files_never_leave_the_site_folder(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = reqwest::Client::new();
    for path in [
        "/pkg/../Cargo.toml",
        "/pkg/%2e%2e/Cargo.toml",
        "/pkg/..%2fCargo.toml",
        "/pkg/%2e%2e%2f%2e%2e%2fCargo.toml",
        // target/site/pkg/../../../Cargo.toml is the repository's own
        "/pkg/%2e%2e/%2e%2e/%2e%2e/Cargo.toml",
        "/pkg/..%2f..%2f..%2fCargo.toml",
        "/%2e%2e/%2e%2e/Cargo.toml",
        "/..%5c..%5cCargo.toml",
        "/pkg//etc/passwd",
        "/pkg/%00",
    ] {
        let res = client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(status.is_client_error(), "{path}: {status}");
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{path}: {body}"
        );
    }
}

// ---- Round two: webhook destinations, origin without Origin, unknown routes, text -------------

/// The server functions' JSON error: `(status, kind, message)`.
async fn console_error(res: reqwest::Response) -> (StatusCode, String, String) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{status} {text:?} is not JSON: {error}"));
    (
        status,
        body["kind"].as_str().unwrap_or_default().to_owned(),
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
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
        let (status, body) = app.call(&root, "set_webhook", &[("url", url.clone())]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert!(body.contains("A webhook may not be sent into a private network"), "{body}");
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
    let (status, body) = inside.call(&root, "set_webhook", &[("url", url.clone())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(saved["url"], url);
    assert!(saved["secret"].as_str().unwrap().starts_with("whsec_"), "{body}");
    let (status, body) = inside
        .call(&root, "set_webhook", &[("url", s("http://169.254.169.254/"))])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "never the metadata service: {body}");
    let (status, body) = inside.call(&root, "new_webhook_secret", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.starts_with("\"whsec_"), "{body}");
}

on_both_engines!(a_change_without_an_origin_is_accepted_only_from_the_consoles_own_pages);
async fn a_change_without_an_origin_is_accepted_only_from_the_consoles_own_pages(pool: Pool) {
    let app = spawn_app(pool, true).await;
    // A client that sends the session cookie but no Origin (a browser never does that on a
    // cross-site POST; a client that strips it might).
    let bare = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = bare
        .post(format!("{}/api/sign_in", app.url))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("username", "acme"), ("password", "acme-demo-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let create = |name: &str, headers: &[(&str, String)]| {
        let mut request = bare
            .post(format!("{}/api/create_workspace", app.url))
            .form(&[("name", name), ("display_name", ""), ("description", ""), ("data_modeling", "false")]);
        for (header, value) in headers {
            request = request.header(*header, value);
        }
        request.send()
    };
    for (name, headers) in [
        ("no_origin_at_all", vec![]),
        ("foreign_referer", vec![("Referer", s("https://evil.example/page"))]),
        ("same_site_fetch", vec![("Sec-Fetch-Site", s("same-site"))]),
        ("cross_site_fetch", vec![("Sec-Fetch-Site", s("cross-site")), ("Referer", format!("{}/workspaces", app.url))]),
        ("null_origin", vec![("Origin", s("null"))]),
        ("foreign_origin", vec![("Origin", s("https://evil.example"))]),
        ("opaque_referer", vec![("Referer", s("about:blank"))]),
    ] {
        let (status, kind, message) = console_error(create(name, &headers).await.unwrap()).await;
        assert_eq!(
            (status, kind.as_str(), message.as_str()),
            (StatusCode::FORBIDDEN, "Forbidden", "Cross-origin request refused."),
            "{name}"
        );
        assert!(!active(&app, name).await, "{name} was created");
    }
    for (name, headers) in [
        ("fetch_same_origin", vec![("Sec-Fetch-Site", s("same-origin"))]),
        ("typed_by_the_user", vec![("Sec-Fetch-Site", s("none"))]),
        ("same_origin_referer", vec![("Referer", format!("{}/workspaces?page=2", app.url))]),
        ("own_origin", vec![("Origin", app.url.clone())]),
    ] {
        let res = create(name, &headers).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{name}: {}", res.text().await.unwrap());
        assert!(active(&app, name).await, "{name}");
    }
    // Test mode's clock is called by scripts, without any of them.
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", app.url))
        .json(&serde_json::json!({"seconds": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_engines!(unknown_routes_and_methods_answer_the_doors_own_json_error);
async fn unknown_routes_and_methods_answer_the_doors_own_json_error(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(Some(("acme", "acme-demo-1"))).await;
    let res = client
        .post(format!("{}/api/nonexistent_fn", app.url))
        .send()
        .await
        .unwrap();
    assert!(res.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
    let (status, kind, message) = console_error(res).await;
    assert_eq!((status, kind.as_str()), (StatusCode::NOT_FOUND, "NotFound"));
    assert!(!message.contains("#[server]") && !message.contains("register"), "{message}");

    let res = client
        .put(format!("{}/api/list_workspaces", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[reqwest::header::ALLOW], "POST");
    let (status, kind, _) = console_error(res).await;
    assert_eq!((status, kind.as_str()), (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"));

    // The API answers in its own shape, with the request's id and the methods it allows.
    let acme = identity::load_principal(&app.pool, 1).await.unwrap().unwrap();
    let key = workspace_console::access_keys::service::create(&app.pool, T0, &acme, acme.user_id)
        .await
        .unwrap()
        .into_inner();
    let bearer = format!("Bearer {}:{}", key.id, key.secret);
    for (method, path, allow) in [
        (reqwest::Method::PUT, "/workspaces/sales_dw", "GET,HEAD,DELETE"),
        (reqwest::Method::GET, "/tasks/1/freeze", "POST"),
        (reqwest::Method::DELETE, "/recycle-bin/1/recover", "POST"),
        (reqwest::Method::PATCH, "/workspaces", "GET,HEAD,POST"),
    ] {
        let res = client
            .request(method.clone(), format!("{}/openapi/v1{path}", app.url))
            .header("Authorization", &bearer)
            // One key for every request: a method the address does not answer is refused
            // before any key is looked at.
            .header("Idempotency-Key", "one-key")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let mut allowed: Vec<String> = res.headers()[reqwest::header::ALLOW]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_owned())
            .collect();
        allowed.sort();
        let mut expected: Vec<&str> = allow.split(',').collect();
        expected.sort();
        assert_eq!(allowed, expected, "{method} {path}");
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "MethodNotAllowed", "{body}");
        assert_eq!(body["request_id"], id.as_str(), "{body}");
    }
    let res = client
        .get(format!("{}/openapi/v1/no/such/operation", app.url))
        .header("Authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "NotFound", "{body}");

    // An announced body over the limit is refused before it is read, in the API's shape.
    let answer = common::app::raw_exchange(
        &app.url,
        &format!(
            "POST /openapi/v1/workspaces HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}",
            2 << 20
        ),
        b"",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let id = head
        .lines()
        .find_map(|line| line.strip_prefix("x-request-id: "))
        .expect("a request id");
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["code"], "TooLarge", "{body}");
    assert_eq!(body["request_id"], id, "{body}");
}

on_both_engines!(a_missing_build_file_is_never_cached);
async fn a_missing_build_file_is_never_cached(pool: Pool) {
    let app = spawn_with(
        pool,
        |state| state.leptos_options.hash_files = true,
        Duration::ZERO,
    )
    .await;
    let res = reqwest::get(format!("{}/pkg/workspace-console.0000000000.wasm", app.url))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()[reqwest::header::CACHE_CONTROL], "no-store");
}

on_both_engines!(text_fields_refuse_control_characters_and_direction_overrides);
async fn text_fields_refuse_control_characters_and_direction_overrides(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let before = app.fingerprint().await;
    let create = |display: &str, description: &str| {
        vec![
            ("name", s("spoofed_ws")),
            ("display_name", s(display)),
            ("description", s(description)),
            ("data_modeling", s("false")),
        ]
    };
    for (display, description, what) in [
        ("Sales\u{202E}fdp.exe", "", "Display name may not contain characters that change the direction"),
        ("line\nbreak", "", "Display name must be one line without control characters."),
        ("nul\0", "", "Display name must be one line"),
        ("", "bell\u{7}", "Description may not contain control characters other than line breaks and tabs."),
        ("", "\u{2066}isolate", "Description may not contain characters that change the direction"),
        ("", "nul\0here", "Description may not contain control characters"),
    ] {
        let (status, body) = app.call(&alice, "create_workspace", &create(display, description)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{display:?} {description:?}: {body}");
        assert!(body.contains(what), "{body}");
    }
    let (status, body) = app
        .call(&alice, "add_asset", &[
            ("workspace", s("sales_dw")),
            ("kind", s("node")),
            ("product", s("DataWorks")),
            ("name", s("etl\u{202E}")),
            ("subtype", s("ODPS SQL")),
            ("detail", s("")),
        ])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Name may not contain characters that change the direction"), "{body}");
    let node = app
        .id("SELECT a.id FROM assets a JOIN workspaces w ON w.id = a.workspace_id
             WHERE w.name = 'sales_dw' AND a.kind = 'node' ORDER BY a.id LIMIT 1")
        .await;
    let (status, body) = app
        .call(&alice, "save_node", &[
            ("workspace", s("sales_dw")),
            ("node_id", node.clone()),
            ("code", s("SELECT 1;\u{1b}[2J")),
        ])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Code may not contain control characters"), "{body}");
    assert_eq!(app.fingerprint().await, before, "nothing changed");

    // Line breaks and tabs stay welcome where they belong, and any script in any field.
    let (status, body) = app
        .call(&alice, "create_workspace", &create("销售 – été", "Two lines\n\tand a tab\r\n"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call(&alice, "save_node", &[
            ("workspace", s("sales_dw")),
            ("node_id", node),
            ("code", s("-- a\r\nSELECT 1;\n\tFROM dual;")),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A filter or lookup with NUL is the caller's mistake, on PostgreSQL as on SQLite.
    let (status, body) = app
        .call(&alice, "list_workspaces", &[("query", s("a\0b")), ("page", s("1"))])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
