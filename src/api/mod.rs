//! The API (SPEC §12) under `/openapi/v1`: JSON in and out, authenticated by an AccessKey
//! (`Authorization: Bearer <id>:<secret>`, never the session cookie), over the same services, the
//! same permission checks and the same audit door as the console's server functions. Errors are
//! `{"code", "message", "request_id"}`; every response carries `X-Request-Id`; a POST or DELETE
//! with an `Idempotency-Key` that repeats an earlier one answers the first answer again
//! (`idempotency.rs`). The OpenAPI document is generated from the handlers (`utoipa`).
pub mod idempotency;

pub use crate::server::api::{ApiError, ApiErrorBody, ApiResult, Caller};

use crate::access_keys::service as keys;
use crate::error::AppError;
use crate::server::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

/// Where the API is served.
pub const PREFIX: &str = crate::server::http::API_PREFIX;

/// The JSON body of `error`, answering request `request_id`.
fn error_body(error: &AppError, request_id: String) -> ApiErrorBody {
    ApiErrorBody {
        code: error.kind(),
        message: match error {
            AppError::Unauthenticated | AppError::BadCredentials => {
                keys::UNAUTHENTICATED.to_owned()
            }
            other => other.to_string(),
        },
        request_id,
    }
}

fn request_id(headers: &axum::http::HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A refusal of a request under [`PREFIX`] made before the API's router (its size) in the API's
/// shape; every other answer passes as it is.
pub async fn render_refusals(request: Request, next: Next) -> Response {
    if request.uri().path().starts_with(PREFIX) {
        render_errors(request, next).await
    } else {
        next.run(request).await
    }
}

/// Gives every refusal its JSON body with the request's id.
async fn render_errors(request: Request, next: Next) -> Response {
    let request_id = request_id(request.headers());
    let mut response = next.run(request).await;
    finish_refusal(&mut response, request_id);
    response
}

/// Writes the body of a refusal (a response carrying its [`AppError`]).
fn finish_refusal(response: &mut Response, request_id: String) {
    let Some(error) = response.extensions_mut().remove::<AppError>() else {
        return;
    };
    let body = error_body(&error, request_id);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.remove(header::CONTENT_LENGTH);
    if matches!(error, AppError::Unauthenticated | AppError::BadCredentials) {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"openapi\""),
        );
    }
    *response.body_mut() = axum::body::Body::from(serde_json::to_vec(&body).unwrap_or_default());
}

/// Authenticates every request but the document's; the caller goes into the request's extensions.
async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if request.uri().path().ends_with("/openapi.json") {
        return next.run(request).await;
    }
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let client_ip = crate::server::guard::client_ip_of(
        request.headers(),
        request.extensions(),
        state.config.trust_proxy,
    );
    let authenticated = keys::authenticate(
        &state.pool,
        &state.key_gate,
        &state.verified_keys,
        state.clock.now(),
        header.as_deref(),
        &client_ip,
    )
    .await;
    match authenticated {
        Ok((principal, key_id)) => {
            request.extensions_mut().insert(Caller {
                principal,
                key_id,
                client_ip,
            });
            next.run(request).await
        }
        Err(error) => ApiError(error).into_response(),
    }
}

/// Everything under `/openapi/v1`.
pub fn router(state: &AppState) -> Router<AppState> {
    use axum::routing::get;
    let api =
        Router::new()
            .route("/openapi.json", get(openapi_document))
            // Each feature's operations (`<feature>/api.rs`): one line each.
            .merge(crate::workspaces::api::routes())
            .merge(crate::deletion::api::routes())
            .merge(crate::dependencies::api::routes())
            .merge(crate::recycle_bin::api::routes())
            .merge(crate::operations::api::routes())
            .merge(crate::audit::api::routes())
            // On the operations themselves only: a method an address does not answer is 405 whatever
            // Idempotency-Key it carries.
            .route_layer(middleware::from_fn_with_state(
                state.clone(),
                idempotency::replay,
            ))
            .fallback(|| async {
                ApiError(AppError::NotFound(
                    "There is no such API operation. See /openapi/v1/openapi.json.".into(),
                ))
            })
            // A known path called with another method: 405, `Allow` set by the router.
            .method_not_allowed_fallback(|method: axum::http::Method| async move {
                ApiError(AppError::MethodNotAllowed(format!(
                "This API operation does not answer {}; `Allow` lists the methods it answers.",
                crate::domain::text::echo(method.as_str())
            ).into()))
            })
            .layer(middleware::from_fn_with_state(state.clone(), authenticate))
            .layer(middleware::from_fn(render_errors));
    Router::new().nest(PREFIX, api)
}

async fn openapi_document() -> impl IntoResponse {
    axum::Json(document())
}

/// The OpenAPI document: its frame here, each feature's operations from its `api.rs` (one line
/// each).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    for part in [
        crate::workspaces::api::Doc::openapi(),
        crate::deletion::api::Doc::openapi(),
        crate::recycle_bin::api::Doc::openapi(),
        crate::dependencies::api::Doc::openapi(),
        crate::operations::api::Doc::openapi(),
        crate::audit::api::Doc::openapi(),
    ] {
        document.merge(part);
    }
    document
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Workspace Console API",
        version = "1",
        description = "Workspaces, their deletion to the Recycle Bin, recovery and permanent deletion, tasks and the Audit Log, with the console's own rules. Authenticate with an AccessKey: `Authorization: Bearer <AccessKeyId>:<AccessKeySecret>`."
    ),
    servers((url = "/openapi/v1")),
    components(schemas(ApiErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("AccessKeyId:AccessKeySecret")
                    .build(),
            ),
        );
    }
}
