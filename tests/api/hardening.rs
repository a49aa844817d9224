//! Hardening, black-box over HTTP: the origin and host checks, body limits, security headers and
//! CSP, the test clock, the draining stop, the password-hashing gate, static files, unknown routes
//! and methods, and the text rules of every field.
use crate::helpers::*;
use reqwest::StatusCode;
use std::time::Duration;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::identity::service as identity;
use workspace_console::server::gate::Gate;
use workspace_console::server::state::PublicOrigin;
use workspace_console::store::Pool;

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

on_both_engines!(a_state_changing_request_from_a_foreign_origin_is_refused);
async fn a_state_changing_request_from_a_foreign_origin_is_refused(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(Some(("acme", "acme-demo-1"))).await;
    let before = app.fingerprint().await;
    let args = [
        ("name", "csrf_ws"),
        ("display_name", ""),
        ("description", ""),
        ("data_modeling", "false"),
    ];
    let res = client
        .post(format!("{}/api/create_workspace", app.url))
        .header("Origin", "http://evil.example")
        .form(&args)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);
    let res = client
        .post(format!("{}/api/create_workspace", app.url))
        .header("Origin", app.url.clone())
        .form(&args)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

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
    let (status, body) = b.call(&bob, "list_recycle_bin", &[("page", s(1))]).await;
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

on_both_engines!(a_body_over_a_mebibyte_is_413_whether_announced_or_streamed);
async fn a_body_over_a_mebibyte_is_413_whether_announced_or_streamed(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let node_id = app
        .id("SELECT id FROM assets WHERE name = 'tmp_check' AND workspace_id = (SELECT id FROM workspaces WHERE account_id = 1 AND name = 'sales_dw')")
        .await;
    let before = app.fingerprint().await;
    let cookie = session_cookie(&app, "acme", "acme-demo-1").await;
    // Announced: refused from the headers alone, before a byte of the body is sent.
    let announced = crate::app::raw_exchange(
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
    let streamed = crate::app::raw_exchange(
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

on_both_engines!(a_change_without_an_origin_is_accepted_only_from_the_consoles_own_pages);
async fn a_change_without_an_origin_is_accepted_only_from_the_consoles_own_pages(pool: Pool) {
    let app = spawn_app(pool, true).await;
    // A client that sends the session cookie but no Origin (a browser never does that on a
    // cross-site POST; a client that strips it might).
    let bare = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
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
            .form(&[
                ("name", name),
                ("display_name", ""),
                ("description", ""),
                ("data_modeling", "false"),
            ]);
        for (header, value) in headers {
            request = request.header(*header, value);
        }
        request.send()
    };
    for (name, headers) in [
        ("no_origin_at_all", vec![]),
        (
            "foreign_referer",
            vec![("Referer", s("https://evil.example/page"))],
        ),
        ("same_site_fetch", vec![("Sec-Fetch-Site", s("same-site"))]),
        (
            "cross_site_fetch",
            vec![
                ("Sec-Fetch-Site", s("cross-site")),
                ("Referer", format!("{}/workspaces", app.url)),
            ],
        ),
        ("null_origin", vec![("Origin", s("null"))]),
        (
            "foreign_origin",
            vec![("Origin", s("https://evil.example"))],
        ),
        ("opaque_referer", vec![("Referer", s("about:blank"))]),
    ] {
        let (status, kind, message) = console_error(create(name, &headers).await.unwrap()).await;
        assert_eq!(
            (status, kind.as_str(), message.as_str()),
            (
                StatusCode::FORBIDDEN,
                "Forbidden",
                "Cross-origin request refused."
            ),
            "{name}"
        );
        assert!(!active(&app, name).await, "{name} was created");
    }
    for (name, headers) in [
        (
            "fetch_same_origin",
            vec![("Sec-Fetch-Site", s("same-origin"))],
        ),
        ("typed_by_the_user", vec![("Sec-Fetch-Site", s("none"))]),
        (
            "same_origin_referer",
            vec![("Referer", format!("{}/workspaces?page=2", app.url))],
        ),
        ("own_origin", vec![("Origin", app.url.clone())]),
    ] {
        let res = create(name, &headers).await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{name}: {}",
            res.text().await.unwrap()
        );
        assert!(active(&app, name).await, "{name}");
    }
    // Test mode's clock is called by scripts, without any of them.
    app.advance_clock(0).await;
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
    assert!(
        res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let (status, kind, message) = console_error(res).await;
    assert_eq!((status, kind.as_str()), (StatusCode::NOT_FOUND, "NotFound"));
    assert!(
        !message.contains("#[server]") && !message.contains("register"),
        "{message}"
    );

    let res = client
        .put(format!("{}/api/list_workspaces", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[reqwest::header::ALLOW], "POST");
    let (status, kind, _) = console_error(res).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed")
    );

    // The API answers in its own shape, with the request's id and the methods it allows.
    let acme = identity::load_principal(&app.pool, 1)
        .await
        .unwrap()
        .unwrap();
    let key = workspace_console::access_keys::service::create(&app.pool, &by(&acme, T0), acme.user_id)
        .await
        .unwrap()
        .into_inner();
    let bearer = format!("Bearer {}:{}", key.id, key.secret);
    for (method, path, allow) in [
        (
            reqwest::Method::PUT,
            "/workspaces/sales_dw",
            "GET,HEAD,DELETE",
        ),
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
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
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
    let answer = crate::app::raw_exchange(
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
        (
            "Sales\u{202E}fdp.exe",
            "",
            "Display name may not contain characters that change the direction",
        ),
        (
            "line\nbreak",
            "",
            "Display name must be one line without control characters.",
        ),
        ("nul\0", "", "Display name must be one line"),
        (
            "",
            "bell\u{7}",
            "Description may not contain control characters other than line breaks and tabs.",
        ),
        (
            "",
            "\u{2066}isolate",
            "Description may not contain characters that change the direction",
        ),
        (
            "",
            "nul\0here",
            "Description may not contain control characters",
        ),
    ] {
        let (status, body) = app
            .call(&alice, "create_workspace", &create(display, description))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{display:?} {description:?}: {body}"
        );
        assert!(body.contains(what), "{body}");
    }
    let (status, body) = app
        .call(
            &alice,
            "add_asset",
            &[
                ("workspace", s("sales_dw")),
                ("kind", s("node")),
                ("product", s("DataWorks")),
                ("name", s("etl\u{202E}")),
                ("subtype", s("ODPS SQL")),
                ("detail", s("")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("Name may not contain characters that change the direction"),
        "{body}"
    );
    let node = app
        .id(
            "SELECT a.id FROM assets a JOIN workspaces w ON w.id = a.workspace_id
             WHERE w.name = 'sales_dw' AND a.kind = 'node' ORDER BY a.id LIMIT 1",
        )
        .await;
    let (status, body) = app
        .call(
            &alice,
            "save_node",
            &[
                ("workspace", s("sales_dw")),
                ("node_id", node.clone()),
                ("code", s("SELECT 1;\u{1b}[2J")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("Code may not contain control characters"),
        "{body}"
    );
    assert_eq!(app.fingerprint().await, before, "nothing changed");

    // Line breaks and tabs stay welcome where they belong, and any script in any field.
    let (status, body) = app
        .call(
            &alice,
            "create_workspace",
            &create("销售 – été", "Two lines\n\tand a tab\r\n"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call(
            &alice,
            "save_node",
            &[
                ("workspace", s("sales_dw")),
                ("node_id", node),
                ("code", s("-- a\r\nSELECT 1;\n\tFROM dual;")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A filter or lookup with NUL is the caller's mistake, on PostgreSQL as on SQLite.
    let (status, body) = app
        .call(
            &alice,
            "list_workspaces",
            &[("query", s("a\0b")), ("page", s("1"))],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
