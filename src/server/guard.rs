//! The one door into every server function: who is calling, may they, and the HTTP status of a refusal.
use super::AppState;
use crate::domain::{Capability, Principal};
use crate::error::{AppError, AppResult};
use crate::identity::service as identity;
use axum::http::StatusCode;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::future::Future;
use tower_sessions::Session;

pub const USER_ID_KEY: &str = "user_id";

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
    let session = session().await?;
    let user_id: Option<i64> = session.get(USER_ID_KEY).await.map_err(|error| {
        tracing::error!(%error, "session store");
        AppError::Internal
    })?;
    match user_id {
        Some(id) => identity::load_principal(&state.pool, id).await,
        None => Ok(None),
    }
}

/// Runs `body` for a signed-in caller who holds `capability`; every other caller gets a clear 4xx.
pub async fn guarded<T, F, Fut>(capability: Capability, body: F) -> AppResult<T>
where
    F: FnOnce(AppState, Principal) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let result = async {
        let state = state()?;
        let principal = current_principal(&state)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        principal.require(capability)?;
        body(state, principal).await
    }
    .await;
    with_status(result)
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
    }
    result
}

/// Signs a user in: a fresh session id, so a planted one is never reused.
pub async fn begin_session(user_id: i64) -> AppResult<()> {
    let session = session().await?;
    session.cycle_id().await.map_err(store_error)?;
    session
        .insert(USER_ID_KEY, user_id)
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
