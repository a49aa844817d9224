//! The instance's hub of live changes: one reader of the database per instance, fanned out to
//! every open stream through a broadcast channel.
//!
//! - **PostgreSQL**: a trigger on `audit_events` (migration 0004) sends each live change on the
//!   channel `console_live` when its transaction commits; the hub `LISTEN`s, so changes made on
//!   any instance arrive. If the listening connection drops, changes may have been missed, and
//!   every stream is told to re-read ([`Heard::Resync`]).
//! - **SQLite**: the hub reads the audit events written since its last look, every
//!   [`POLL`]. Writers are serialised, so ids appear in commit order and none is skipped.
use crate::domain::live::{ACCESS_ACTIONS, LIVE_ACTIONS, LiveChange};
use crate::store::{Engine, Pool};
use sqlx::Row;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::broadcast;

/// How often the SQLite hub looks for new events (it also looks at once when this process
/// commits a change: [`poke`]).
pub const POLL: Duration = Duration::from_millis(200);

/// Wakes this process's SQLite hubs after a change committed here.
static POKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// A change just committed in this process: its hub reads it now rather than at the next poll.
pub fn poke() {
    POKE.notify_waiters();
}
/// The PostgreSQL channel the trigger notifies.
pub const CHANNEL: &str = "console_live";
/// How many changes a slow stream may fall behind before it is told to re-read instead.
const BACKLOG: usize = 1024;

/// What every open stream of this instance hears.
#[derive(Debug, Clone)]
pub enum Heard {
    /// A change in account `.0`.
    Change(i64, Arc<LiveChange>),
    /// Something in account `.0` may have taken a viewer's access away.
    Access(i64),
    /// Changes may have been missed: every page re-reads what it shows.
    Resync,
}

#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Heard>,
    started: Arc<OnceLock<()>>,
    /// True once the reader hears every change committed from then on.
    ready: tokio::sync::watch::Sender<bool>,
    pool: Pool,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("streams", &self.tx.receiver_count())
            .finish()
    }
}

/// One row of `audit_events` as the hub reads it.
#[derive(Debug, Clone, serde::Deserialize)]
struct Row_ {
    id: i64,
    account_id: i64,
    user: String,
    action: String,
    workspace: String,
}

impl Row_ {
    fn heard(self) -> Option<Heard> {
        if ACCESS_ACTIONS.contains(&self.action.as_str()) {
            return Some(Heard::Access(self.account_id));
        }
        LIVE_ACTIONS.contains(&self.action.as_str()).then(|| {
            Heard::Change(
                self.account_id,
                Arc::new(LiveChange {
                    id: self.id,
                    action: self.action,
                    workspace: self.workspace,
                    user: self.user,
                }),
            )
        })
    }
}

impl Hub {
    pub fn new(pool: Pool) -> Self {
        Self {
            tx: broadcast::channel(BACKLOG).0,
            started: Arc::default(),
            ready: tokio::sync::watch::channel(false).0,
            pool,
        }
    }

    /// Starts the instance's reader (once; later calls do nothing). Needs a Tokio runtime.
    pub fn start(&self) {
        self.started.get_or_init(|| {
            let (pool, tx, ready) = (self.pool.clone(), self.tx.clone(), self.ready.clone());
            tokio::spawn(async move {
                match Engine::of_pool(&pool) {
                    Engine::Sqlite => tail(pool, tx, ready).await,
                    Engine::Postgres => listen(pool, tx, ready).await,
                }
            });
        });
    }

    /// Waits (at most `limit`) until the reader hears every change committed from now on; a
    /// stream opened after this misses nothing. False if it was not ready in time.
    pub async fn ready(&self, limit: Duration) -> bool {
        self.start();
        let mut ready = self.ready.subscribe();
        tokio::time::timeout(limit, ready.wait_for(|r| *r))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Heard> {
        self.start();
        self.tx.subscribe()
    }

    /// How many streams are open on this instance.
    pub fn streams(&self) -> usize {
        self.tx.receiver_count()
    }
}

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQLite: reads the live rows written since the last look, every [`POLL`].
async fn tail(pool: Pool, tx: broadcast::Sender<Heard>, ready: tokio::sync::watch::Sender<bool>) {
    let newest = "SELECT COALESCE(MAX(id), 0) FROM audit_events";
    let actions: Vec<&str> = LIVE_ACTIONS
        .iter()
        .chain(&ACCESS_ACTIONS)
        .copied()
        .collect();
    let rows = format!(
        "SELECT id, account_id, user_name, action, workspace FROM audit_events
         WHERE id > $1 AND id <= $2 AND result = 'Success' AND action IN ({})
         ORDER BY id",
        placeholders(3, actions.len())
    );
    let mut last: Option<i64> = None;
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = POKE.notified() => {}
        }
        let top: i64 = match sqlx::query_scalar(newest).fetch_one(&pool).await {
            Ok(top) => top,
            Err(error) => {
                tracing::warn!(%error, "live: reading the newest audit event");
                continue;
            }
        };
        let from = match last {
            Some(from) if from < top => from,
            Some(_) => continue,
            None => {
                last = Some(top);
                ready.send_replace(true);
                continue;
            }
        };
        let mut query = sqlx::query(&rows).bind(from).bind(top);
        for action in &actions {
            query = query.bind(*action);
        }
        match query.fetch_all(&pool).await {
            Ok(found) => {
                last = Some(top);
                for row in found {
                    let row = Row_ {
                        id: row.get(0),
                        account_id: row.get(1),
                        user: row.get(2),
                        action: row.get(3),
                        workspace: row.get(4),
                    };
                    if let Some(heard) = row.heard() {
                        // An error only means no stream is open.
                        let _ = tx.send(heard);
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "live: reading new audit events"),
        }
    }
}

/// PostgreSQL: `LISTEN console_live`, reconnecting after a drop (and then, once listening again,
/// telling every stream to re-read, since notifications sent meanwhile are lost).
async fn listen(pool: Pool, tx: broadcast::Sender<Heard>, ready: tokio::sync::watch::Sender<bool>) {
    let url = pool.connect_options().database_url.to_string();
    let mut connected_before = false;
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "live: connecting the listener; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "live: LISTEN failed; retrying in 1 s");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        if connected_before {
            let _ = tx.send(Heard::Resync);
        }
        connected_before = true;
        ready.send_replace(true);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    match serde_json::from_str::<Row_>(notification.payload()) {
                        Ok(row) => {
                            if let Some(heard) = row.heard() {
                                let _ = tx.send(heard);
                            }
                        }
                        Err(error) => tracing::warn!(%error, "live: an unreadable notification"),
                    }
                }
                // The connection was lost: connect and LISTEN again, and only then tell the
                // streams to re-read (a re-read before LISTEN is back could miss a change).
                Ok(None) => {
                    tracing::warn!("live: the listener's connection was lost; reconnecting");
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, "live: the listener failed; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_changes_access_checks_or_nothing() {
        let row = |action: &str| Row_ {
            id: 7,
            account_id: 3,
            user: "alice@acme".into(),
            action: action.into(),
            workspace: "sales_dw".into(),
        };
        assert!(matches!(row("DeleteWorkspace").heard(), Some(Heard::Change(3, c)) if c.id == 7));
        assert!(matches!(
            row("DetachPolicy").heard(),
            Some(Heard::Access(3))
        ));
        assert!(row("SignIn").heard().is_none());
        assert!(row("SaveNode").heard().is_none());
        assert_eq!(placeholders(3, 2), "$3, $4");
    }
}
