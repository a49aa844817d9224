//! The per-request layers every request passes (`startup::router` puts them in order around the
//! routes): compression, the server functions' error status, the signed-in skip of the sign-in
//! page, the body size limit, the host and origin checks, security headers and the CSP, no-store
//! pages, and readiness.
use super::AppState;
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// The largest request body the console reads (a node's code is at most 200,000 bytes).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Where the API lives. Its requests carry an AccessKey, not a session cookie, so the origin
/// check leaves them alone.
pub const API_PREFIX: &str = "/openapi/v1";

/// Marks a response as a build file found under `/pkg`, for [`security_headers`].
#[derive(Clone, Copy)]
pub struct BuildFile;

/// Pages and server-function answers compressed on the fly (brotli or gzip, as the browser
/// accepts) when over 1 KiB; responses that are already encoded (the precompressed assets) pass.
pub fn compression()
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

/// A server function answers its own refusals with their status; a request that never reached
/// the function (unreadable arguments, a body of the wrong kind) comes back as a 500 from the
/// server function layer. Its body is the console's error, so its status is the error's own.
pub async fn server_fn_error_status(request: Request, next: Next) -> Response {
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
            return AppError::TooLarge.into_response();
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
        return AppError::Internal.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A signed-in visitor of the sign-in or sign-up page goes on to Workspaces (303), which is also
/// where a successful sign-in form lands: the server function sends the form back to its page.
pub async fn signed_in_skip_sign_in(
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

/// A body announced as larger than the console reads is refused before it is read (413). A body
/// without a length is cut at the same size by `DefaultBodyLimit`.
pub async fn refuse_large_bodies(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES as u64) {
        return AppError::TooLarge.into_response();
    }
    next.run(request).await
}

/// Only the configured host (or, on a loopback address, only loopback names) is served, so a
/// page on another name that resolves here (DNS rebinding) reaches nothing.
pub async fn refuse_unknown_hosts(
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
    AppError::BadRequest("This console is not served under that host name.".into()).into_response()
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
pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    let exempt = path.starts_with(API_PREFIX) || path.starts_with("/test-api/");
    if !safe && !exempt && !is_same_origin(&state, request.headers()) {
        return AppError::Forbidden("Cross-origin request refused.".into()).into_response();
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
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
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
pub async fn no_store_pages(request: Request, next: Next) -> Response {
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
pub async fn readyz(State(state): State<AppState>) -> Response {
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
