//! `GET /live/events`: the signed-in viewer's stream of their account's changes (Server-Sent
//! Events). Each change is an event `change` whose id is the audit event's; `resync` asks the
//! page to re-read everything (changes may have been missed). The stream ends when its session
//! ends (signed out, expired, the user deleted or their password reset), when the viewer loses
//! their DataWorks policy, and when the instance drains; the browser then reconnects, and is
//! refused if it may no longer look.
use super::LiveChange;
use crate::domain::Capability;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::guard::{SESSION_USER_KEY, session_principal};
use crate::server::hub::Heard;
use crate::server::sessions::SessionUser;
use crate::server::sessions::Sessions;
use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tower_sessions::Session;
use tower_sessions::session::Id;
use tower_sessions::session_store::SessionStore;

/// How often a stream checks that the instance is not draining.
const TICK: Duration = Duration::from_secs(1);
/// Every this many ticks, the stream checks that its viewer may still look.
const RECHECK_TICKS: u32 = 5;
/// Every this many ticks, a comment keeps proxies from closing an idle stream.
const KEEP_ALIVE_TICKS: u32 = 15;
/// How long a new stream waits for the instance's reader to be listening.
const READY_WAIT: Duration = Duration::from_secs(5);
/// How soon the browser reconnects after the stream ends.
const RETRY: Duration = Duration::from_secs(1);

pub async fn events(State(state): State<AppState>, session: Session) -> Response {
    let principal = match session_principal(&session, &state).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return AppError::Unauthenticated.into_response(),
        Err(error) => return error.into_response(),
    };
    if let Err(error) = principal.require(Capability::View) {
        return error.into_response();
    }
    // A stopping instance takes no new streams: the browser tries again (another instance, or
    // this one restarted).
    if state.is_draining() {
        return AppError::Busy(1).into_response();
    }
    let user: Option<SessionUser> = session.get(SESSION_USER_KEY).await.ok().flatten();
    let (Some(session_id), Some(user)) = (session.id(), user) else {
        return AppError::Unauthenticated.into_response();
    };
    // Open streams hear every change committed after they open: wait for the instance's reader.
    if !state.live.ready(READY_WAIT).await {
        return AppError::Busy(2).into_response();
    }
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let watch = Watch {
        rx: state.live.subscribe(),
        state,
        session_id,
        user,
        account_id: principal.account_id,
        tick,
        ticks: 0,
        _open: Open::new(),
    };
    let hello = Event::default().retry(RETRY).comment("live");
    let stream = futures::StreamExt::chain(
        futures::stream::once(async move { Ok::<_, Infallible>(hello) }),
        futures::stream::unfold(watch, |mut watch| async move {
            let event = watch.next().await?;
            Some((Ok::<_, Infallible>(event), watch))
        }),
    );
    let mut response = Sse::new(futures::StreamExt::fuse(stream)).into_response();
    // No buffering by a proxy in front (nginx), so each event leaves at once.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response
}

/// One open stream.
struct Watch {
    state: AppState,
    rx: tokio::sync::broadcast::Receiver<Heard>,
    session_id: Id,
    user: SessionUser,
    account_id: i64,
    tick: tokio::time::Interval,
    ticks: u32,
    _open: Open,
}

impl Watch {
    /// The next event to send, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            tokio::select! {
                heard = self.rx.recv() => match heard {
                    Ok(Heard::Change(account, change)) if account == self.account_id => {
                        return Some(change_event(&change));
                    }
                    Ok(Heard::Access(account)) if account == self.account_id => {
                        if !self.may_still_look().await {
                            return None;
                        }
                    }
                    Ok(Heard::Resync) | Err(RecvError::Lagged(_)) => {
                        return Some(Event::default().event("resync").data("{}"));
                    }
                    Ok(_) => {}
                    Err(RecvError::Closed) => return None,
                },
                _ = self.tick.tick() => {
                    self.ticks = self.ticks.wrapping_add(1);
                    if self.state.is_draining() {
                        return None;
                    }
                    if self.ticks.is_multiple_of(RECHECK_TICKS) && !self.may_still_look().await {
                        return None;
                    }
                    if self.ticks.is_multiple_of(KEEP_ALIVE_TICKS) {
                        return Some(Event::default().comment("keep-alive"));
                    }
                }
            }
        }
    }

    /// The session still exists, its user still signs in with the same credentials and may still
    /// view the account's workspaces (the store reads all of it in one query). A database hiccup
    /// keeps the stream open (the next check decides).
    async fn may_still_look(&self) -> bool {
        match self.state.sessions.load(&self.session_id).await {
            Ok(Some(record)) => Sessions::principal_of(&record).is_some_and(|principal| {
                principal.user_id == self.user.user_id
                    && principal.require(Capability::View).is_ok()
            }),
            Ok(None) => false,
            Err(error) => {
                tracing::warn!(%error, "live: checking a stream's session");
                true
            }
        }
    }
}

fn change_event(change: &LiveChange) -> Event {
    Event::default()
        .id(change.id.to_string())
        .event("change")
        .json_data(change)
        .unwrap_or_else(|_| Event::default().event("resync").data("{}"))
}

/// Counts open streams in the metrics while it lives.
struct Open;

impl Open {
    fn new() -> Self {
        metrics::gauge!("console_live_streams").increment(1.0);
        Open
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        metrics::gauge!("console_live_streams").decrement(1.0);
    }
}
