//! Notifications (SPEC §11): warnings 7 days and 1 day before a Recycle Bin entry is permanently
//! deleted and a notice once it is, for the account root and the user who deleted it; the root's
//! webhook receives every notice too.
use crate::domain::time::format_utc;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod webhook;

/// How many notices the panel shows.
pub const SHOWN: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub enum Kind {
    Warning7Days,
    Warning1Day,
    Purged,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Warning7Days => "Warning7Days",
            Kind::Warning1Day => "Warning1Day",
            Kind::Purged => "Purged",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [Kind::Warning7Days, Kind::Warning1Day, Kind::Purged]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Notice {
    pub id: i64,
    pub kind: Kind,
    pub workspace: String,
    pub purge_at: i64,
    pub created_at: i64,
    pub read: bool,
}

impl Notice {
    /// What the notice says.
    pub fn text(&self) -> String {
        match self.kind {
            Kind::Warning7Days | Kind::Warning1Day => format!(
                "{} will be permanently deleted on {}; recover it before then",
                self.workspace,
                format_utc(self.purge_at)
            ),
            Kind::Purged => format!(
                "{} has been permanently deleted; its 14 days in the Recycle Bin are over",
                self.workspace
            ),
        }
    }

    /// What it is about: the Recycle Bin while the workspace can be recovered, else its events.
    pub fn link(&self) -> String {
        match self.kind {
            Kind::Warning7Days | Kind::Warning1Day => "/recycle-bin".into(),
            Kind::Purged => format!("/audit-log?workspace={}", query_value(&self.workspace)),
        }
    }
}

/// `text` percent-encoded for a query string (the same on the server and in the browser).
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Notices {
    pub notices: Vec<Notice>,
    pub unread: i64,
}

#[server(prefix = "/api", endpoint = "list_notifications", output = crate::codec::Json)]
pub async fn list_notifications() -> Result<Notices, AppError> {
    crate::server::signed_in(|s, p| async move { service::list(&s.pool, &p).await }).await
}

/// How many of the caller's notices are unread: all the header's button needs, so the notices
/// themselves (and the code that reads them) are fetched only when the panel opens.
#[server(prefix = "/api", endpoint = "count_unread_notifications", output = crate::codec::Json)]
pub async fn count_unread_notifications() -> Result<i64, AppError> {
    crate::server::signed_in(|s, p| async move {
        service::unread_count(&mut *s.pool.acquire().await?, &p).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "mark_notifications_read", output = crate::codec::Json)]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    crate::server::signed_in(|s, p| async move {
        service::mark_all_read(&s.pool, s.clock.now(), &p).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_webhook", output = crate::codec::Json)]
pub async fn get_webhook() -> Result<String, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::ManageUsers, |s, p| async move {
        service::webhook_url(&s.pool, p.account_id).await
    })
    .await
}

/// An empty URL turns the webhook off.
#[server(prefix = "/api", endpoint = "set_webhook", output = crate::codec::Json)]
pub async fn set_webhook(url: String) -> Result<String, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::SetWebhook,
        "",
        |s, p| async move { service::set_webhook(&s.pool, s.clock.now(), &p, &url).await },
    )
    .await
}
