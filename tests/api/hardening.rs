//! Hardening, black-box over HTTP: body limits, security headers and CSP, the draining stop, the
//! password-hashing gate, static files, unknown routes and methods, and the text rules of every
//! field. (Origins and hosts: `origins.rs`; the test clock: `test_clock.rs`.)
use crate::helpers::*;
use reqwest::StatusCode;
use std::time::Duration;
use workspace_console::identity::service as identity;
use workspace_console::server::gate::Gate;
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
    let key =
        workspace_console::access_keys::service::create(&app.pool, &by(&acme, T0), acme.user_id)
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
