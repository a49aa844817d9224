//! How the console is served: health and readiness, metrics, precompressed build files cached for a
//! year (a missing one never cached), compressed pages that are never stored.
use crate::helpers::*;
use reqwest::StatusCode;
use std::time::Duration;
use workspace_console::store::Pool;

async fn metrics_of(app: &TestApp) -> String {
    reqwest::get(format!("{}/metrics", app.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of the sample whose name and labels contain every one of `parts`.
fn sample(metrics: &str, parts: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| parts.iter().all(|p| l.contains(p)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// A site folder with one hashed asset in three encodings, as `cargo leptos build --precompress`
/// leaves it.
fn site_with_assets() -> std::path::PathBuf {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_TARGET_TMPDIR"), "/sites"))
        .join(format!("{}-{}", std::process::id(), rand_suffix()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("app.h4sh.wasm"), b"plain wasm bytes").unwrap();
    std::fs::write(pkg.join("app.h4sh.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("app.h4sh.wasm.gz"), b"gzip bytes").unwrap();
    root
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

on_both_engines!(health_answers_and_readiness_follows_the_database);
async fn health_answers_and_readiness_follows_the_database(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let get = |path: &'static str| reqwest::get(format!("{}{path}", app.url));
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);
    app.pool.close().await;
    assert_eq!(
        get("/readyz").await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
}

on_both_engines!(metrics_count_requests_by_route_purges_and_sign_in_failures);
async fn metrics_count_requests_by_route_purges_and_sign_in_failures(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let client = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    app.call(
        &client,
        "list_workspaces",
        &[("query", s("")), ("page", s(1))],
    )
    .await;
    let anon = app.client(None).await;
    let (status, _) = app
        .call(
            &anon,
            "sign_in",
            &[("username", s("acme")), ("password", s("wrong-password"))],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let metrics = metrics_of(&app).await;
    let list = [
        "http_requests_total{",
        "route=\"/api/list_workspaces\"",
        "status=\"200\"",
    ];
    assert!(sample(&metrics, &list).unwrap() >= 1.0, "{metrics}");
    assert!(
        sample(
            &metrics,
            &[
                "http_request_duration_seconds_bucket{",
                "route=\"/api/list_workspaces\"",
                "le=\"+Inf\""
            ]
        )
        .unwrap()
            >= 1.0
    );
    assert!(
        sample(
            &metrics,
            &["console_sign_in_failures_total{", "bad_credentials"]
        )
        .unwrap()
            >= 1.0
    );
    assert!(sample(&metrics, &["console_recycle_bin_entries"]).is_some());

    // The test clock's purge pass removes legacy_reports (13 days old at T0).
    app.advance_clock(DAY).await;
    let metrics = metrics_of(&app).await;
    assert!(sample(&metrics, &["console_purge_passes_total"]).unwrap() >= 1.0);
    assert!(sample(&metrics, &["console_purged_entries_total"]).unwrap() >= 1.0);
}

on_both_engines!(assets_are_served_precompressed_by_negotiation_and_cached_for_a_year);
async fn assets_are_served_precompressed_by_negotiation_and_cached_for_a_year(pool: Pool) {
    let site = site_with_assets();
    let app = crate::app::spawn_with(
        pool,
        |state| {
            state.leptos_options.site_root = site.to_string_lossy().into_owned().into();
            state.leptos_options.hash_files = true;
        },
        std::time::Duration::ZERO,
    )
    .await;
    let client = reqwest::Client::new();
    for (accept, encoding, body) in [
        (Some("br, gzip"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (None, None, "plain wasm bytes"),
    ] {
        let mut request = client.get(format!("{}/pkg/app.h4sh.wasm", app.url));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("content-encoding").as_deref(),
            encoding,
            "{accept:?}"
        );
        assert_eq!(
            header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(header("content-type").as_deref(), Some("application/wasm"));
        assert_eq!(res.text().await.unwrap(), body);
    }
    let missing = client
        .get(format!("{}/pkg/nothing.wasm", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

on_both_engines!(pages_and_large_answers_are_compressed_and_pages_are_never_stored);
async fn pages_and_large_answers_are_compressed_and_pages_are_never_stored(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    for accept in ["br", "gzip"] {
        let res = bob
            .get(format!("{}/workspaces", app.url))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], accept);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let compressed = res.bytes().await.unwrap().len();
        let plain = bob
            .get(format!("{}/workspaces", app.url))
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        let plain = plain.text().await.unwrap();
        assert!(plain.contains("Workspace Name"));
        assert!(
            compressed * 2 < plain.len(),
            "{accept}: {compressed} bytes compressed of {}",
            plain.len()
        );
    }
    // A small answer is not worth compressing.
    let res = bob
        .get(format!("{}/healthz", app.url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("content-encoding").is_none());
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
