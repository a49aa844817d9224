//! Notifications (SPEC §11): warnings 7 days and 1 day before a Recycle Bin entry is permanently
//! deleted and a notice once it is, for the account root and the user who deleted it; a notice to
//! the root and FullAccess users when purge protection is turned off (§15a), and one to the root
//! naming the downstream nodes that lost their upstream at a purge (§16). The root's webhook
//! receives every notice too.
use crate::error::AppError;
use crate::i18n::{Lang, k};
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
    /// The entry was permanently deleted: by the purge job (`detail` empty) or by hand (`detail`
    /// says by whom).
    Purged,
    /// The account's purge protection was turned off; `detail` says by whom.
    PurgeProtectionOff,
    /// Workspace `workspace` was purged and nodes of other workspaces lost their upstream in
    /// it; `detail` names them.
    UpstreamLost,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Warning7Days => "Warning7Days",
            Kind::Warning1Day => "Warning1Day",
            Kind::Purged => "Purged",
            Kind::PurgeProtectionOff => "PurgeProtectionOff",
            Kind::UpstreamLost => "UpstreamLost",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [
            Kind::Warning7Days,
            Kind::Warning1Day,
            Kind::Purged,
            Kind::PurgeProtectionOff,
            Kind::UpstreamLost,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Notice {
    pub id: i64,
    pub kind: Kind,
    /// The workspace it is about; empty for a notice about the account.
    pub workspace: String,
    /// When the entry is (or was) due to be purged; none for a notice about no entry.
    pub purge_at: Option<i64>,
    pub created_at: i64,
    pub read: bool,
    /// Who turned purge protection off, who deleted the entry permanently by hand (empty when the
    /// purge job did), or the nodes that lost their upstream.
    pub detail: String,
}

impl Notice {
    /// What the notice says, in English: the webhook's `message`.
    pub fn text(&self) -> String {
        self.words(Lang::En)
    }

    /// What the notice says, in `lang`: worded from its kind and its parameters (what is stored
    /// is the kind, the workspace, the times and `detail`, never a sentence).
    pub fn words(&self, lang: Lang) -> String {
        let time = |ts: i64| crate::ui::format_utc(lang, ts);
        let workspace: &dyn std::fmt::Display = &self.workspace;
        let detail: &dyn std::fmt::Display = &self.detail;
        match self.kind {
            Kind::Warning7Days | Kind::Warning1Day => lang.fill(
                k::notif_warning,
                &[
                    ("workspace", workspace),
                    ("time", &self.purge_at.map(time).unwrap_or_default()),
                ],
            ),
            // By the purge job: its 14 days are over.
            Kind::Purged if self.detail.is_empty() => {
                lang.fill(k::notif_purged_by_job, &[("workspace", workspace)])
            }
            // By hand ("Delete Permanently"): `detail` is who did it, `created_at` when.
            Kind::Purged => {
                let early = self.purge_at.is_none_or(|due| self.created_at < due);
                lang.fill(
                    if early {
                        k::notif_purged_by_hand_early
                    } else {
                        k::notif_purged_by_hand
                    },
                    &[
                        ("workspace", workspace),
                        ("by", detail),
                        ("time", &time(self.created_at)),
                    ],
                )
            }
            Kind::PurgeProtectionOff => lang.fill(k::notif_protection_off, &[("by", detail)]),
            Kind::UpstreamLost => lang.fill(
                k::notif_upstream_lost,
                &[("workspace", workspace), ("nodes", detail)],
            ),
        }
    }

    /// What it is about: the Recycle Bin while the workspace can be recovered, else its events.
    pub fn link(&self) -> String {
        match self.kind {
            Kind::Warning7Days | Kind::Warning1Day | Kind::PurgeProtectionOff => {
                "/recycle-bin".into()
            }
            Kind::Purged | Kind::UpstreamLost => {
                format!(
                    "/audit-log?workspace={}",
                    crate::domain::text::query_value(&self.workspace)
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Notices {
    pub notices: Vec<Notice>,
    pub unread: i64,
}

#[server(prefix = "/api", endpoint = "list_notifications", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_notifications() -> Result<Notices, AppError> {
    crate::server::signed_in(|s, p| async move { service::list(&s.pool, &p).await }).await
}

/// How many of the caller's notices are unread: all the header's button needs, so the notices
/// themselves (and the code that reads them) are fetched only when the panel opens.
#[server(prefix = "/api", endpoint = "count_unread_notifications", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn count_unread_notifications() -> Result<i64, AppError> {
    crate::server::signed_in(|s, p| async move {
        service::unread_count(&mut *s.pool.acquire().await?, &p).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "mark_notifications_read", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    crate::server::signed_in(|s, p| async move {
        service::mark_all_read(&s.pool, s.clock.now(), &p).await
    })
    .await
}

/// The account's webhook, as the root's settings section shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct Webhook {
    /// Empty when the webhook is off.
    pub url: String,
    /// Whether deliveries carry a signature (the account has a signing secret).
    pub signed: bool,
    pub last_delivery: Option<LastDelivery>,
}

/// The latest attempt to deliver a notice to the webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct LastDelivery {
    pub at: i64,
    /// What became of it, in English: delivered, refused (with the rule), failing or given up
    /// (with why). The page words it from the fields below ([`LastDelivery::words`]).
    pub result: String,
    pub state: DeliveryState,
    /// Why it failed or was refused, as the receiver, the network or the rule said it (English).
    pub error: String,
    pub attempts: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub enum DeliveryState {
    Delivered,
    /// Refused by the rules (a private address): never sent, never retried.
    NotSent,
    GaveUp,
    /// Failed so far; tried again later.
    Failing,
}

impl LastDelivery {
    /// What became of it, in `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let tries = if self.attempts == 1 {
            lang.text(k::notif_one_attempt).to_owned()
        } else {
            lang.fill(k::notif_attempts, &[("n", &self.attempts)])
        };
        let (tries, error): (&dyn std::fmt::Display, &dyn std::fmt::Display) =
            (&tries, &self.error);
        match self.state {
            DeliveryState::Delivered => lang.fill(k::notif_delivered, &[("tries", tries)]),
            DeliveryState::NotSent => lang.fill(k::notif_not_sent, &[("why", error)]),
            DeliveryState::GaveUp => {
                lang.fill(k::notif_gave_up, &[("error", error), ("tries", tries)])
            }
            DeliveryState::Failing => {
                lang.fill(k::notif_failing, &[("error", error), ("tries", tries)])
            }
        }
    }
}

/// The answer of saving the webhook: the URL as saved, and the signing secret when this save
/// made it (shown this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct WebhookSaved {
    pub url: String,
    pub secret: Option<String>,
}

#[server(prefix = "/api", endpoint = "get_webhook", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn get_webhook() -> Result<Webhook, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::ManageUsers, |s, p| async move {
        service::webhook(&s.pool, p.account_id).await
    })
    .await
}

/// An empty URL turns the webhook off.
#[server(prefix = "/api", endpoint = "set_webhook", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn set_webhook(url: String) -> Result<WebhookSaved, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::SetWebhook,
        "",
        |s, change| async move {
            let allow_private = s.config.webhook_allow_private;
            service::set_webhook(&s.pool, &change, &url, allow_private).await
        },
    )
    .await
}

/// Replaces the signing secret; the answer is the new secret, shown this once.
#[server(prefix = "/api", endpoint = "new_webhook_secret", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn new_webhook_secret() -> Result<String, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::SetWebhook,
        "",
        |s, change| async move { service::new_webhook_secret(&s.pool, &change).await },
    )
    .await
}
