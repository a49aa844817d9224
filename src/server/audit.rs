//! Recording audit events (SPEC §10). A change's event is written by the service that makes the
//! change, inside its transaction, through [`commit`]: the only way to make the [`Recorded`] value
//! that the change door ([`super::guard::changing`]) requires of every state-changing server
//! function. So a change is never unrecorded, and an event never outlives a change that rolled
//! back. A refusal is recorded by the door, in a transaction of its own ([`refused`]).
//!
//! Where a change came from (the console, the API, the purge job), who made it, when, and the
//! caller's address travel with it as a [`Change`], which the door builds and hands to the service
//! that makes the change; a service called outside any door (a test, the demo seeding) is handed
//! [`Change::console`]: `Console` with no address.
use crate::domain::audit::{Action, Outcome, SYSTEM_USER, Source};
use crate::domain::{Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Worded};
use crate::store::{Conn, Pool, Tx};
use std::sync::Mutex;

/// Where a request came from: its door and the caller's address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub source: Source,
    pub client_address: String,
}

impl Origin {
    pub fn new(source: Source, client_address: &str) -> Self {
        Origin {
            source,
            client_address: client_address.chars().take(64).collect(),
        }
    }

    /// Outside any door: `Console`, no address.
    pub fn console() -> Self {
        Origin::new(Source::Console, "")
    }
}

/// A change as its door hands it to the service that makes it: when, by whom, from where, and
/// the workspace it is about (what the caller named, or what the service found: a Recycle Bin
/// entry is addressed by id), so that a refusal's event names it too.
#[derive(Debug)]
pub struct Change {
    pub now: Timestamp,
    pub principal: Principal,
    pub source: Source,
    pub client_address: String,
    workspace: Mutex<String>,
}

impl Change {
    pub fn new(now: Timestamp, principal: Principal, origin: Origin, workspace: &str) -> Self {
        Change {
            now,
            principal,
            source: origin.source,
            client_address: origin.client_address,
            workspace: Mutex::new(clip(workspace)),
        }
    }

    /// A change made outside any door (a test, the demo seeding): `Console`, no address.
    pub fn console(now: Timestamp, principal: &Principal) -> Self {
        Change::new(now, principal.clone(), Origin::console(), "")
    }

    pub fn origin(&self) -> Origin {
        Origin {
            source: self.source,
            client_address: self.client_address.clone(),
        }
    }

    /// Names the workspace the change is about once the service knows it.
    pub fn about(&self, workspace: &str) {
        if let Ok(mut w) = self.workspace.lock() {
            *w = clip(workspace);
        }
    }

    /// The workspace the change is about: what the caller named, or what the service found.
    pub fn workspace(&self) -> String {
        self.workspace.lock().map(|w| w.clone()).unwrap_or_default()
    }
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

    /// The recorded value, changed by `f` (a bulk action keeps what it reports of each).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Recorded<U> {
        Recorded(f(self.0))
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
    /// Stored as its English (the API, the CSV export) and its key and parameters (the console
    /// words it in the reader's language).
    pub message: &'a Msg,
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
        "INSERT INTO audit_events (account_id, at, user_name, action, workspace, source, client_ip, result, message, worded)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(event.account_id)
    .bind(now)
    .bind(clip(event.user))
    .bind(event.action.as_str())
    .bind(clip(event.workspace))
    .bind(source.as_str())
    .bind(client_ip)
    .bind(event.outcome.as_str())
    .bind(crate::domain::text::shown(&event.message.to_string(), 1000))
    .bind(worded_json(event.message))
    .execute(conn)
    .await?;
    Ok(())
}

/// `message`'s key and parameters as the `worded` column holds them: JSON, or '' for a message
/// with no key (text from elsewhere, shown as it is).
fn worded_json(message: &Msg) -> String {
    Worded::of(message)
        .and_then(|w| serde_json::to_string(&w).ok())
        .unwrap_or_default()
}

/// A successful change: its event goes into `tx`, then `tx` commits. Both land, or neither.
pub async fn commit<T>(
    mut tx: Tx,
    change: &Change,
    action: Action,
    workspace: &str,
    message: impl Into<Msg>,
    value: T,
) -> AppResult<Recorded<T>> {
    let message = message.into();
    let p = &change.principal;
    let user = p.sign_in_name();
    let event = Event {
        account_id: p.account_id,
        user: &user,
        action,
        workspace,
        outcome: Outcome::Success,
        message: &message,
    };
    insert(
        &mut tx,
        change.now,
        change.source,
        &change.client_address,
        &event,
    )
    .await?;
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
    message: &Msg,
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
    workspace: &str,
    error: &AppError,
) {
    let message = error.as_msg();
    let event = Event {
        account_id,
        user,
        action,
        workspace,
        outcome: outcome_of(error),
        message: &message,
    };
    let recorded = async {
        let mut conn = pool.acquire().await?;
        insert(
            &mut conn,
            now,
            origin.source,
            &origin.client_address,
            &event,
        )
        .await
    }
    .await;
    if let Err(error) = recorded {
        tracing::error!(%error, action = action.as_str(), "recording a refused attempt failed");
    }
}
