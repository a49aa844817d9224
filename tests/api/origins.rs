//! Where a request may come from, black-box over HTTP: a state-changing request from a foreign
//! origin, or without one from anywhere but the console's own pages, is refused; a loopback console
//! refuses foreign host names; a public HTTPS address is the only host and origin.
use crate::helpers::*;
use reqwest::StatusCode;
use std::time::Duration;
use workspace_console::server::state::PublicOrigin;
use workspace_console::store::Pool;

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
