//! The HTTP surface: Leptos pages and server functions, sessions, the request guards (host, origin,
//! body size), security headers, health, test mode, and a serve loop that drains on stop.
use super::AppState;
use crate::app::{App, shell};
use crate::error::AppError;
use crate::recycle_bin::service as bin;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The largest request body the console reads (a node's code is at most 200,000 bytes).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub async fn router(state: AppState) -> Result<Router, sqlx::Error> {
    super::metrics::handle();
    state.live.start();
    let store = state.sessions.clone();
    let secure = state
        .config
        .public_origin
        .as_ref()
        .is_some_and(|origin| origin.https);
    let sessions = SessionManagerLayer::new(store)
        .with_name("console_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));

    let routes = generate_route_list(App);
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
                provide_context(super::memo::RenderMemo::default());
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
        .route("/metrics", get(super::metrics::serve))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(refuse_large_bodies))
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
        .layer(middleware::from_fn(super::metrics::track))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    Ok(app.with_state(state))
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

/// Marks a response as a build file found under `/pkg`, for [`security_headers`].
#[derive(Clone, Copy)]
struct BuildFile;

/// Pages and server-function answers compressed on the fly (brotli or gzip, as the browser
/// accepts) when over 1 KiB; responses that are already encoded (the precompressed assets) pass.
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    tower_http::compression::CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(
            SizeAbove::new(1024)
                .and(NotForContentType::GRPC)
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE)
                // An export is a zip: compressed already, and streamed.
                .and(NotForContentType::const_new("application/zip")),
        )
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
        return error_response(&AppError::NotFound(
            "There is no such server function.".into(),
        ));
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
    error_response(&AppError::MethodNotAllowed(format!(
        "This address does not answer {method}; the Allow header lists the methods it does."
    )))
}

/// A server function answers its own refusals with their status; a request that never reached
/// the function (unreadable arguments, a body of the wrong kind) comes back as a 500 from the
/// server function layer. Its body is the console's error, so its status is the error's own.
async fn server_fn_error_status(request: Request, next: Next) -> Response {
    // A plain HTML form (the sign-in page works without WASM) is sent back to its page: with
    // 303 See Other, whatever status the answer has, or the browser would not follow it.
    let from_form = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    // The sign-in form comes back with the username it was sent with, so only the password
    // has to be typed again.
    let (request, username) = if from_form && request.uri().path() == "/api/sign_in" {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
            return error_response(&AppError::TooLarge);
        };
        let username = url::form_urlencoded::parse(&bytes)
            .find(|(key, _)| key == "username")
            .map(|(_, value)| value.into_owned());
        (Request::from_parts(parts, Body::from(bytes)), username)
    } else {
        (request, None)
    };
    let mut response = next.run(request).await;
    if from_form && let Some(location) = response.headers().get(header::LOCATION) {
        if let Some(username) = username
            && let Ok(mut to) = url::Url::parse(location.to_str().unwrap_or_default())
            && to.query_pairs().any(|(key, _)| key == "__err")
        {
            to.query_pairs_mut().append_pair("username", &username);
            if let Ok(value) = HeaderValue::from_str(to.as_str()) {
                response.headers_mut().insert(header::LOCATION, value);
            }
        }
        *response.status_mut() = StatusCode::SEE_OTHER;
        return response;
    }
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return error_response(&AppError::Internal);
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A signed-in visitor of the sign-in or sign-up page goes on to Workspaces (303), which is also
/// where a successful sign-in form lands: the server function sends the form back to its page.
async fn signed_in_skip_sign_in(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == axum::http::Method::GET
        && matches!(request.uri().path(), "/login" | "/signup")
        && let Some(session) = request.extensions().get::<tower_sessions::Session>()
        && let Ok(Some(_)) = super::guard::session_principal(session, &state).await
    {
        return axum::response::Redirect::to("/workspaces").into_response();
    }
    next.run(request).await
}

/// The console's JSON error shape, for refusals made before any handler runs.
pub fn error_response(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, axum::Json(error)).into_response();
    if let Some(secs) = error.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// A body announced as larger than the console reads is refused before it is read (413). A body
/// without a length is cut at the same size by `DefaultBodyLimit`.
async fn refuse_large_bodies(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        if request.uri().path().starts_with(crate::api::PREFIX) {
            return crate::api::refusal(&AppError::TooLarge, request.headers());
        }
        return error_response(&AppError::TooLarge);
    }
    next.run(request).await
}

/// Only the configured host (or, on a loopback address, only loopback names) is served, so a
/// page on another name that resolves here (DNS rebinding) reaches nothing.
async fn refuse_unknown_hosts(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if matches!(path, "/healthz" | "/readyz" | "/metrics")
        || host_allowed(&state, request.headers())
    {
        return next.run(request).await;
    }
    error_response(&AppError::BadRequest(
        "This console is not served under that host name.".into(),
    ))
}

fn request_host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn host_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let host = request_host(headers);
    if let Some(origin) = &state.config.public_origin {
        return host == origin.authority;
    }
    if !state.config.loopback_only {
        return true;
    }
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A state-changing request that cannot be shown to come from the console's own pages is refused
/// before it reaches any handler: by its `Origin`, or without one by `Sec-Fetch-Site` (same-origin
/// or none) or a same-origin `Referer`. The API (an AccessKey, not a cookie) and test mode's
/// clock are not called from pages and are not checked.
async fn refuse_cross_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    let exempt = path.starts_with(crate::api::PREFIX) || path.starts_with("/test-api/");
    if !safe && !exempt && !is_same_origin(&state, request.headers()) {
        return error_response(&AppError::Forbidden("Cross-origin request refused.".into()));
    }
    next.run(request).await
}

fn is_same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase())
    };
    if let Some(origin) = text(header::ORIGIN) {
        return origin_is_ours(state, headers, &origin);
    }
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return matches!(site.as_str(), "same-origin" | "none");
    }
    let Some(referer) = text(header::REFERER) else {
        return false;
    };
    // The origin of the Referer: scheme, host and port, without path or query.
    match url::Url::parse(&referer) {
        Ok(url) if url.host_str().is_some() => {
            origin_is_ours(state, headers, &url.origin().ascii_serialization())
        }
        _ => false,
    }
}

/// Whether `origin` (lower case, `scheme://host[:port]`) is the console's own.
fn origin_is_ours(state: &AppState, headers: &HeaderMap, origin: &str) -> bool {
    if let Some(public) = &state.config.public_origin {
        return origin == public.origin();
    }
    let Some((_, host)) = origin.split_once("://") else {
        return false;
    };
    origin != "null" && host == request_host(headers)
}

/// The Content-Security-Policy of a page: scripts only from this origin or with this response's
/// nonce (Leptos' hydration script carries it), WASM allowed to compile, no framing.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

const NON_PAGE_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The security headers of every response. A build file (WASM, JS, CSS: our own content, never
/// shown as a document; `static_pkg` marks it with [`BuildFile`]) needs only `nosniff`: CSP,
/// framing, referrer and opener policies act on documents, and a page's first load fetches dozens
/// of WASM chunks, each of which would carry ~200 bytes of them over HTTP/1.1. Anything else
/// (a `/pkg` 404 included) gets them all.
async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let build_file = response.extensions_mut().remove::<BuildFile>().is_some();
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if state
        .config
        .public_origin
        .as_ref()
        .is_some_and(|origin| origin.https)
    {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if state.is_draining() {
        headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if build_file {
        return response;
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NON_PAGE_CSP),
        );
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Pages carry account data: never cache them, so Back after Sign Out shows nothing.
async fn no_store_pages(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
    let is_api = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_html || is_api {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// 200 while this instance takes traffic and its database answers; 503 while draining or when
/// the database does not answer.
async fn readyz(State(state): State<AppState>) -> Response {
    if state.is_draining() {
        return (StatusCode::SERVICE_UNAVAILABLE, "draining").into_response();
    }
    let ping = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.pool),
    )
    .await;
    match ping {
        Ok(Ok(_)) => "ready".into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

/// Test mode: every request first takes the clock offset stored by whichever instance advanced it.
async fn sync_test_clock(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Err(error) = super::test_clock::sync(&state.pool, &state.clock).await {
        return error_response(&error);
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
    body: Result<axum::Json<Advance>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let seconds = match body {
        Ok(body) => body.seconds,
        Err(rejection) => {
            return error_response(&AppError::BadRequest(format!(
                "The body must be JSON like {{\"seconds\": 60}}: {}",
                rejection.body_text()
            )));
        }
    };
    if !(0..=MAX_ADVANCE_SECS).contains(&seconds) {
        return error_response(&AppError::Invalid(format!(
            "seconds must be between 0 and {MAX_ADVANCE_SECS}."
        )));
    }
    let now = match super::test_clock::advance(&state.pool, &state.clock, seconds).await {
        Ok(Some(now)) => now,
        Ok(None) => {
            return error_response(&AppError::Invalid(
                "That would move the clock past the end of time.".into(),
            ));
        }
        Err(error) => return error_response(&error),
    };
    if let Err(error) = crate::notifications::service::warn_pass(&state.pool, now).await {
        tracing::error!(?error, "notification pass after clock advance");
        return error_response(&AppError::Internal);
    }
    if let Err(error) = bin::purge_expired(&state.pool, now).await {
        tracing::error!(?error, "purge pass after clock advance");
        return error_response(&AppError::Internal);
    }
    axum::Json(serde_json::json!({ "now": crate::domain::time::to_rfc3339(now) })).into_response()
}
