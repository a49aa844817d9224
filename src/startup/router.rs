//! The composition: every route of the console (pages, server functions, the API, the streams,
//! the exports, static files, health, test mode's clock) behind the per-request layers of
//! [`crate::server::http`], and the serve loop that drains on stop.
use crate::app::{App, shell};
use crate::error::AppError;
use crate::server::http::{
    BuildFile, MAX_BODY_BYTES, compression, no_store_pages, readyz, refuse_cross_origin,
    refuse_large_bodies, refuse_unknown_hosts, security_headers, server_fn_error_status,
    signed_in_skip_sign_in,
};
use crate::server::{AppState, builds, metrics, sessions, test_clock};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub async fn router(state: AppState) -> Result<Router, sqlx::Error> {
    metrics::handle();
    state.live.start();
    let secure = state
        .config
        .public_origin
        .as_ref()
        .is_some_and(|origin| origin.https);
    let sessions = sessions::layer(state.sessions.clone(), secure);

    let routes = page_routes();
    let context_state = state.clone();
    let mut app = Router::new()
        .route("/api/{*fn_name}", any(server_fn_handler))
        .route("/audit-log/export.csv", get(crate::audit::export::download))
        .route(crate::live::PATH, get(crate::live::sse::events))
        .route(
            "/workspaces/{name}/export.zip",
            get(crate::export::zip::active),
        )
        .route(
            "/recycle-bin/{id}/export.zip",
            get(crate::export::zip::binned),
        )
        .merge(crate::api::router(&state))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                provide_context(builds::PageBuilds::default());
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        );
    // Registered after every route it covers: a server function or a page called with another
    // method.
    app = app.method_not_allowed_fallback(method_not_allowed);
    if state.test_mode {
        app = app
            .route("/test-api/clock/advance", post(advance_clock))
            .layer(middleware::from_fn_with_state(
                state.clone(),
                sync_test_clock,
            ));
    }
    let app = app
        .nest_service("/pkg", static_pkg(&state))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_cross_origin,
        ))
        .layer(middleware::from_fn(no_store_pages))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            signed_in_skip_sign_in,
        ))
        .layer(sessions)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(serve_metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(refuse_large_bodies))
        // Refusals of API requests made so far out (their size) answer in the API's shape.
        .layer(middleware::from_fn(crate::api::render_refusals))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_unknown_hosts,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(compression())
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
        .layer(middleware::from_fn(metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    Ok(app.with_state(state))
}

/// The pages' routes, generated once per process. While leptos generates them it suppresses the
/// loading of every resource in the process (a process-wide flag, leptos-rs/leptos#4773), and a
/// resource that first polls meanwhile never loads: a page rendering while another router of the
/// same process is built (the tests build one per test) would hang. Once, before any router
/// exists, nothing can be rendering.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The built WASM, JS and CSS: the brotli or gzip file made at build time (`--precompress`) when
/// the browser takes it, else the plain one. Hashed names never change content, so they are cached
/// for a year; without hashes (a debug build) the browser revalidates every time.
fn static_pkg(state: &AppState) -> Router {
    use tower_http::services::ServeDir;
    let options = &state.leptos_options;
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let hashed = options.hash_files;
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        // An immutable file is never revalidated: its date and range support are dead weight
        // on each of the page's many chunks (ranges still work when asked for). A miss is never
        // cached: the file may be there after the next deploy.
        .layer(axum::middleware::map_response(
            move |mut response: Response| async move {
                let cache = if response.status().is_success() {
                    cache
                } else {
                    "no-store"
                };
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                if !response.status().is_success() {
                    return response;
                }
                response.extensions_mut().insert(BuildFile);
                if hashed {
                    let headers = response.headers_mut();
                    headers.remove(header::LAST_MODIFIED);
                    headers.remove(header::ACCEPT_RANGES);
                }
                response
            },
        ))
}

/// Serves until `stop` resolves, then drains: readiness fails and every response says
/// `Connection: close` for `grace`, then the listener closes and requests in flight get at most
/// `timeout` to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    state: &AppState,
    stop: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
    timeout: Duration,
) -> std::io::Result<()> {
    let draining = state.draining.clone();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        stop.await;
        draining.store(true, Ordering::SeqCst);
        tracing::info!(?grace, "draining: readiness off, connections closing");
        tokio::time::sleep(grace).await;
        let _ = closed_tx.send(());
    };
    // No Nagle delay: a page's last small write must not wait for the client's delayed ACK
    // (that was a 40 ms p99 on one connection).
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        done = &mut server => return done,
        _ = closed_rx => {}
    }
    match tokio::time::timeout(timeout, server).await {
        Ok(done) => done,
        Err(_) => {
            tracing::warn!(
                ?timeout,
                "requests still in flight after the stop timeout were cut"
            );
            Ok(())
        }
    }
}

/// Server functions that exist are routed by `leptos_routes_with_context` (each at its own path and
/// method); this answers the rest of `/api/*` with the console's JSON 404.
async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> Response {
    if !is_server_fn(request.uri().path()) {
        return AppError::NotFound("There is no such server function.".into()).into_response();
    }
    handle_server_fns_with_context(move || provide_context(state.clone()), request)
        .await
        .into_response()
}

/// Whether a server function is registered at `path`.
fn is_server_fn(path: &str) -> bool {
    static PATHS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| {
            leptos::server_fn::axum::server_fn_paths()
                .map(|(path, _)| path)
                .collect()
        });
    PATHS.contains(path)
}

/// A known address called with a method it does not answer: 405 with the console's JSON error
/// (the router adds `Allow`).
async fn method_not_allowed(method: Method) -> Response {
    AppError::MethodNotAllowed(
        format!(
            "This address does not answer {}; the Allow header lists the methods it does.",
            crate::domain::text::echo(method.as_str())
        )
        .into(),
    )
    .into_response()
}

/// Test mode: every request first takes the clock offset stored by whichever instance advanced it.
async fn sync_test_clock(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Err(error) = test_clock::sync(&state.pool, &state.clock).await {
        return error.into_response();
    }
    next.run(request).await
}

#[derive(serde::Deserialize)]
struct Advance {
    seconds: i64,
}

/// The furthest one advance may move the clock: a century.
const MAX_ADVANCE_SECS: i64 = 100 * 366 * 86_400;

/// Test mode only (CONSOLE_TEST_CLOCK=1 on a loopback address): move the clock, run one
/// notification pass and one purge pass (the job's order: warnings first).
async fn advance_clock(
    State(state): State<AppState>,
    body: Result<crate::server::input::JsonOf<Advance>, AppError>,
) -> Response {
    let seconds = match body {
        Ok(crate::server::input::JsonOf(body)) => body.seconds,
        Err(refusal) => return refusal.into_response(),
    };
    if !(0..=MAX_ADVANCE_SECS).contains(&seconds) {
        return AppError::Invalid(
            format!("seconds must be between 0 and {MAX_ADVANCE_SECS}.").into(),
        )
        .into_response();
    }
    let now = match test_clock::advance(&state.pool, &state.clock, seconds).await {
        Ok(Some(now)) => now,
        Ok(None) => {
            return AppError::Invalid("That would move the clock past the end of time.".into())
                .into_response();
        }
        Err(error) => return error.into_response(),
    };
    if super::jobs::warn_then_purge(&state.pool, now)
        .await
        .is_err()
    {
        return AppError::Internal.into_response();
    }
    axum::Json(serde_json::json!({ "now": crate::domain::time::to_rfc3339(now) })).into_response()
}

/// `/metrics`, with the Recycle Bin's entries counted at each scrape.
async fn serve_metrics(State(state): State<AppState>) -> axum::response::Response {
    match crate::workspaces::store::count_in_bins(&state.pool).await {
        Ok(entries) => ::metrics::gauge!("console_recycle_bin_entries").set(entries as f64),
        Err(error) => tracing::warn!(%error, "counting Recycle Bin entries for /metrics"),
    }
    metrics::serve()
}
