//! Recording audit events (SPEC §10). A change's event is written by the service that makes the
//! change, inside its transaction, through [`commit`]: the only way to make the [`Recorded`] value
//! that the change door ([`super::guard::changing`]) requires of every state-changing server
//! function. So a change is never unrecorded, and an event never outlives a change that rolled
//! back. A refusal is recorded by the door, in a transaction of its own ([`refused`]).
//!
//! Where a change came from (the console, the API, the purge job) and the caller's address are set
//! by the door for the task that runs the change ([`within`]); a service called outside any door
//! (a test) records `Console` with no address.
use crate::domain::audit::{Action, Outcome, SYSTEM_USER, Source};
use crate::domain::{Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::store::{Conn, Pool, Tx};
use std::future::Future;
use std::sync::{Arc, Mutex};

/// Where the change being made came from, and what it is about once that is known.
#[derive(Debug)]
pub struct Origin {
    pub source: Source,
    pub client_ip: String,
    workspace: Mutex<String>,
}

tokio::task_local! {
    static ORIGIN: Arc<Origin>;
}

impl Origin {
    pub fn new(source: Source, client_ip: &str, workspace: &str) -> Arc<Self> {
        Arc::new(Origin {
            source,
            client_ip: client_ip.chars().take(64).collect(),
            workspace: Mutex::new(clip(workspace)),
        })
    }

    /// The workspace the change is about: what the caller named, or what the service found.
    pub fn workspace(&self) -> String {
        self.workspace.lock().map(|w| w.clone()).unwrap_or_default()
    }
}

/// Runs `change` with `origin` as where it came from.
pub async fn within<F: Future>(origin: Arc<Origin>, change: F) -> F::Output {
    ORIGIN.scope(origin, change).await
}

pub fn source_and_ip() -> (Source, String) {
    ORIGIN
        .try_with(|o| (o.source, o.client_ip.clone()))
        .unwrap_or((Source::Console, String::new()))
}

/// Names the workspace a change is about once the service knows it (a Recycle Bin entry is
/// addressed by id), so that a refusal's event names it too.
pub fn about(workspace: &str) {
    let _ = ORIGIN.try_with(|o| {
        if let Ok(mut w) = o.workspace.lock() {
            *w = clip(workspace);
        }
    });
}

/// At most 200 characters, without control characters (PostgreSQL's text cannot hold NUL), line
/// breaks or characters that change the direction of text (a refused name must not spoof the
/// Audit Log).
fn clip(text: &str) -> String {
    crate::domain::text::shown(text, 200)
}

/// A change's result that has been recorded, with the change, in one transaction.
#[derive(Debug, PartialEq, Eq)]
pub struct Recorded<T>(T);

impl<T> Recorded<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Recorded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// One event.
pub struct Event<'a> {
    pub account_id: i64,
    pub user: &'a str,
    pub action: Action,
    pub workspace: &'a str,
    pub outcome: Outcome,
    pub message: &'a str,
}

/// Writes `event` on `conn` (a transaction's, when the event belongs to a change).
pub async fn insert(
    conn: &mut Conn,
    now: Timestamp,
    source: Source,
    client_ip: &str,
    event: &Event<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (account_id, at, user_name, action, workspace, source, client_ip, result, message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event.account_id)
    .bind(now)
    .bind(clip(event.user))
    .bind(event.action.as_str())
    .bind(clip(event.workspace))
    .bind(source.as_str())
    .bind(client_ip)
    .bind(event.outcome.as_str())
    .bind(crate::domain::text::shown(event.message, 1000))
    .execute(conn)
    .await?;
    Ok(())
}

/// A successful change by `p`: its event goes into `tx`, then `tx` commits. Both land, or neither.
pub async fn commit<T>(
    mut tx: Tx,
    now: Timestamp,
    p: &Principal,
    action: Action,
    workspace: &str,
    message: &str,
    value: T,
) -> AppResult<Recorded<T>> {
    let (source, ip) = source_and_ip();
    let user = p.sign_in_name();
    let event = Event {
        account_id: p.account_id,
        user: &user,
        action,
        workspace,
        outcome: Outcome::Success,
        message,
    };
    insert(&mut tx, now, source, &ip, &event).await?;
    tx.commit().await?;
    super::hub::poke();
    Ok(Recorded(value))
}

/// A change the console made by itself (the purge job), recorded on the change's connection.
pub async fn record_system(
    conn: &mut Conn,
    now: Timestamp,
    account_id: i64,
    action: Action,
    workspace: &str,
    message: &str,
) -> Result<(), sqlx::Error> {
    let event = Event {
        account_id,
        user: SYSTEM_USER,
        action,
        workspace,
        outcome: Outcome::Success,
        message,
    };
    insert(conn, now, Source::System, "", &event).await
}

/// `Denied` when the caller lacked the permission, `Failed` for any other refusal.
pub fn outcome_of(error: &AppError) -> Outcome {
    match error {
        AppError::Forbidden(_) | AppError::Unauthenticated | AppError::Protected(_) => {
            Outcome::Denied
        }
        _ => Outcome::Failed,
    }
}

/// A refused attempt by `user` of account `account_id`, in a transaction of its own (the change's
/// own transaction, if any, rolled back). A failure to record is logged; the caller still gets
/// the refusal it earned.
pub async fn refused(
    pool: &Pool,
    now: Timestamp,
    account_id: i64,
    user: &str,
    action: Action,
    origin: &Origin,
    error: &AppError,
) {
    let workspace = origin.workspace();
    let message = error.to_string();
    let event = Event {
        account_id,
        user,
        action,
        workspace: &workspace,
        outcome: outcome_of(error),
        message: &message,
    };
    let recorded = async {
        let mut conn = pool.acquire().await?;
        insert(&mut conn, now, origin.source, &origin.client_ip, &event).await
    }
    .await;
    if let Err(error) = recorded {
        tracing::error!(%error, action = action.as_str(), "recording a refused attempt failed");
    }
}

/// A refusal recorded from inside a service (a failed sign-in names its account only there).
pub async fn refused_here(
    pool: &Pool,
    now: Timestamp,
    account_id: i64,
    user: &str,
    action: Action,
    workspace: &str,
    error: &AppError,
) {
    let (source, ip) = source_and_ip();
    refused(
        pool,
        now,
        account_id,
        user,
        action,
        &Origin::new(source, &ip, workspace),
        error,
    )
    .await
}
