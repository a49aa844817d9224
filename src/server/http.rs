//! The HTTP surface: Leptos pages and server functions, sessions, the cross-origin guard, test mode.
use super::AppState;
use crate::app::{App, shell};
use crate::recycle_bin::service as bin;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

pub async fn router(state: AppState) -> Result<Router, sqlx::Error> {
    let store = SqliteStore::new(state.pool.clone());
    store.migrate().await?;
    let sessions = SessionManagerLayer::new(store)
        .with_name("console_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(false)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(8)));

    let routes = generate_route_list(App);
    let context_state = state.clone();
    let mut app = Router::new()
        .route(
            "/api/{*fn_name}",
            post(server_fn_handler).get(server_fn_handler),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        );
    if state.test_mode {
        app = app.route("/test-api/clock/advance", post(advance_clock));
    }
    Ok(app
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(refuse_cross_origin))
        .layer(middleware::from_fn(no_store_pages))
        .layer(sessions)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state))
}

async fn server_fn_handler(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}

/// A state-changing request from a foreign origin is refused before it reaches any handler.
async fn refuse_cross_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && is_cross_origin(&request) {
        return (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response();
    }
    next.run(request).await
}

fn is_cross_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        return origin == "null" || !origin_host.eq_ignore_ascii_case(host);
    }
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
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

#[derive(serde::Deserialize)]
struct Advance {
    seconds: i64,
}

/// Test mode only (CONSOLE_TEST_CLOCK=1 on a loopback address): move the clock, run one purge pass.
async fn advance_clock(State(state): State<AppState>, body: axum::Json<Advance>) -> Response {
    if body.seconds < 0 {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "seconds must not be negative",
        )
            .into_response();
    }
    let now = state.clock.advance(body.seconds);
    if let Err(error) = bin::purge_expired(&state.pool, now).await {
        tracing::error!(?error, "purge pass after clock advance");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    axum::Json(serde_json::json!({ "now": crate::domain::time::to_rfc3339(now) })).into_response()
}
