//! Signing in and out over HTTP: one message for any wrong pair, session cookies, sessions that
//! outlive their user or password, weak passwords, sign-in and sign-up throttling, the sign-in page.
use crate::helpers::*;
use reqwest::StatusCode;
use workspace_console::identity::service as identity;
use workspace_console::server::sessions::Sessions;
use workspace_console::store::Pool;

async fn sign_in_status(app: &TestApp, user: &str, password: &str) -> (StatusCode, String) {
    let client = app.client(None).await;
    app.call(
        &client,
        "sign_in",
        &[("username", s(user)), ("password", s(password))],
    )
    .await
}

on_both_engines!(a_wrong_pair_gets_one_message_and_sign_out_ends_the_session);
async fn a_wrong_pair_gets_one_message_and_sign_out_ends_the_session(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(None).await;
    let mut bodies = vec![];
    for (user, pw) in [
        ("acme", "nope"),
        ("nobody", "acme-demo-1"),
        ("alice@acme", "bob-demo-1"),
    ] {
        let (status, body) = app
            .call(
                &client,
                "sign_in",
                &[("username", s(user)), ("password", s(pw))],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        bodies.push(body);
    }
    assert!(
        bodies
            .iter()
            .all(|b| b == &bodies[0] && b.contains("Incorrect username or password."))
    );

    let client = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let (status, body) = app.call(&client, "current_viewer", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("alice@acme"));
    assert_eq!(app.call(&client, "sign_out", &[]).await.0, StatusCode::OK);
    assert_eq!(app.call(&client, "current_viewer", &[]).await.1, "null");
    assert_eq!(
        app.call(
            &client,
            "list_workspaces",
            &[("query", s("")), ("page", s(1))]
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
}

on_both_engines!(session_cookies_are_http_only_and_same_site);
async fn session_cookies_are_http_only_and_same_site(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/sign_in", app.url))
        .header("Origin", app.url.clone())
        .form(&[("username", "acme"), ("password", "acme-demo-1")])
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

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
