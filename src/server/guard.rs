//! The one door into every server function: who is calling, may they, and the HTTP status of a refusal.
use super::AppState;
use super::audit::{self, Change, Origin, Recorded};
pub use super::sessions::SESSION_USER_KEY;
use super::sessions::{self, PRINCIPAL_KEY, SessionUser};
use crate::domain::audit::{Action, Source};
use crate::domain::{Capability, Principal};
use crate::error::{AppError, AppResult};
use axum::http::{HeaderValue, StatusCode, header};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::future::Future;
use std::sync::Arc;
use tower_sessions::Session;

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

pub async fn session() -> AppResult<Session> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer");
        AppError::Internal
    })
}

pub async fn current_principal(state: &AppState) -> AppResult<Option<Principal>> {
    session_principal(&session().await?, state).await
}

/// Who `session` is signed in as, if that user still exists with the credentials it signed in
/// with; a session that outlived its user or their password is ended here.
pub async fn session_principal(
    session: &Session,
    state: &AppState,
) -> AppResult<Option<Principal>> {
    let signed_in: Option<SessionUser> = session.get(SESSION_USER_KEY).await.map_err(|error| {
        tracing::error!(%error, "session store");
        AppError::Internal
    })?;
    let Some(user) = signed_in else {
        return Ok(None);
    };
    // The store read the principal with the session, in the same query (`server::sessions`);
    // a session signed in during this request has none yet, and its principal is read here.
    let loaded: Option<Principal> = session.get(PRINCIPAL_KEY).await.map_err(store_error)?;
    let principal = match loaded.filter(|p| p.user_id == user.user_id) {
        Some(principal) => Some(principal),
        None => sessions::load_session_principal(&state.pool, user).await?,
    };
    if principal.is_none() {
        // The user is gone or its credentials changed: this session ends here.
        session.flush().await.map_err(store_error)?;
    }
    Ok(principal)
}

/// Runs `body` for a signed-in caller who holds `capability`; every other caller gets a clear 4xx.
pub async fn guarded<T, F, Fut>(capability: Capability, body: F) -> AppResult<T>
where
    F: FnOnce(AppState, Principal) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    signed_in(|state, principal| async move {
        principal.require(capability)?;
        body(state, principal).await
    })
    .await
}

/// Runs `body` for any signed-in caller, whatever their policies (their own notices); a caller
/// who is not signed in gets 401.
pub async fn signed_in<T, F, Fut>(body: F) -> AppResult<T>
where
    F: FnOnce(AppState, Principal) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let result = async {
        let state = state()?;
        let principal = current_principal(&state)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        body(state, principal).await
    }
    .await;
    with_status(result)
}

/// The door of every state-changing server function: `guarded`, and the change is audited. The
/// body must answer a [`Recorded`] value, which only [`audit::commit`] makes, inside the change's
/// transaction; a refusal (a missing permission, or any error of the body) is recorded here, in a
/// transaction of its own. The body is handed the [`Change`]: when, by whom, from where.
/// `workspace` is what the caller named, "" when it named none (the service may name it better
/// with [`Change::about`]: a Recycle Bin entry, a task and a node are addressed by id).
pub async fn changing<T, F, Fut>(
    capability: Capability,
    action: Action,
    workspace: &str,
    body: F,
) -> AppResult<T>
where
    F: FnOnce(AppState, Arc<Change>) -> Fut,
    Fut: Future<Output = AppResult<Recorded<T>>>,
{
    let result = async {
        let state = state()?;
        let principal = current_principal(&state)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let origin = Origin::new(Source::Console, &client_ip(&state));
        audited(
            &state, principal, origin, workspace, capability, action, body,
        )
        .await
    }
    .await;
    with_status(result)
}

/// The door of a server function that makes many changes, each audited on its own (a bulk
/// action: [`audited`] per entry, inside `body`): the caller must be signed in; `body` is handed
/// the state, the principal and the console's origin; a refusal of the whole sets the status.
pub async fn changing_each<T, F, Fut>(body: F) -> AppResult<T>
where
    F: FnOnce(AppState, Principal, Origin) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let result = async {
        let state = state()?;
        let principal = current_principal(&state)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let origin = Origin::new(Source::Console, &client_ip(&state));
        body(state, principal, origin).await
    }
    .await;
    with_status(result)
}

/// A change by `principal`, whichever door it came through (`origin` says which; `workspace` is
/// what the caller named): the permission, then the body, handed the [`Change`], whose result is
/// recorded with the change; a refusal is recorded here, in a transaction of its own, naming the
/// workspace the change was about.
pub async fn audited<T, F, Fut>(
    state: &AppState,
    principal: Principal,
    origin: Origin,
    workspace: &str,
    capability: Capability,
    action: Action,
    body: F,
) -> AppResult<T>
where
    F: FnOnce(AppState, Arc<Change>) -> Fut,
    Fut: Future<Output = AppResult<Recorded<T>>>,
{
    let change = Arc::new(Change::new(state.clock.now(), principal, origin, workspace));
    let outcome = async {
        change.principal.require(capability)?;
        body(state.clone(), change.clone()).await
    }
    .await;
    match outcome {
        Ok(recorded) => Ok(recorded.into_inner()),
        Err(error) => {
            audit::refused(
                &state.pool,
                state.clock.now(),
                change.principal.account_id,
                &change.principal.sign_in_name(),
                action,
                &change.origin(),
                &change.workspace(),
                &error,
            )
            .await;
            Err(error)
        }
    }
}

/// For the few functions open to anyone (sign-in, sign-up, who am I).
pub async fn public<T, F, Fut>(body: F) -> AppResult<T>
where
    F: FnOnce(AppState) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let result = async { body(state()?).await }.await;
    with_status(result)
}

fn with_status<T>(result: AppResult<T>) -> AppResult<T> {
    if let Err(error) = &result
        && let Some(response) = use_context::<ResponseOptions>()
    {
        response
            .set_status(StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST));
        if let Some(secs) = error.retry_after() {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    result
}

/// The caller's address: the peer of the connection, or (only when the console is configured to
/// trust its proxy) the address that proxy appended to `X-Forwarded-For`.
pub fn client_ip(state: &AppState) -> String {
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return "unknown".into();
    };
    client_ip_of(&parts.headers, &parts.extensions, state.config.trust_proxy)
}

pub fn client_ip_of(
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(forwarded) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
    {
        return forwarded.chars().take(64).collect();
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".into(), |c| c.0.ip().to_string())
}

/// Signs a user in: a fresh session id, so a planted one is never reused.
pub async fn begin_session(user: SessionUser) -> AppResult<()> {
    let session = session().await?;
    session.cycle_id().await.map_err(store_error)?;
    // Whoever this session was signed in as before, it is not them any more.
    session
        .remove_value(PRINCIPAL_KEY)
        .await
        .map_err(store_error)?;
    session
        .insert(SESSION_USER_KEY, user)
        .await
        .map_err(store_error)
}

pub async fn end_session() -> AppResult<()> {
    session().await?.flush().await.map_err(store_error)
}

fn store_error(error: tower_sessions::session::Error) -> AppError {
    tracing::error!(%error, "session store");
    AppError::Internal
}
