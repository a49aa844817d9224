//! Creating and reading notices. Every notice has a unique key (entry, person, kind) in the
//! database, and every pass inserts with `ON CONFLICT DO NOTHING`: passes may run in any number of
//! instances, twice, after a restart or a clock jump, and each notice is still created once.
use super::{
    DeliveryState, Kind, LastDelivery, Notice, Notices, SHOWN, Webhook, WebhookSaved, webhook,
};
use crate::domain::Principal;
use crate::domain::audit::Action;
use crate::domain::time::to_rfc3339;
use crate::error::{AppError, AppResult};
use crate::i18n::{Key, Lang, Msg, k};
use crate::server::audit::{self, Change, Recorded};
use crate::store::{Conn, Pool};
use crate::workspaces::store as stage;

const DAY: i64 = 86_400;

/// Who hears about an entry: the account's root and the user who deleted it (once if the same).
const RECIPIENTS: &str = "FROM workspaces w JOIN users u
     ON u.account_id = w.account_id AND (u.is_root OR u.id = w.deleted_by_id)";

/// One pass of the warnings, for every Recycle Bin entry of every account: a 1-day warning for an
/// entry due within a day (or already due: the purge pass comes next), else a 7-day warning for
/// one due within 7 days. An entry that skipped the 7-day window (the clock jumped) gets only the
/// 1-day one. Answers how many notices were created.
pub async fn warn_pass(pool: &Pool, now: i64) -> AppResult<u64> {
    let mut tx = crate::store::write_tx(pool).await?;
    let mut created = Vec::new();
    for (kind, lower, upper) in [
        (Kind::Warning1Day, i64::MIN, now.saturating_add(DAY)),
        (
            Kind::Warning7Days,
            now.saturating_add(DAY),
            now.saturating_add(7 * DAY),
        ),
    ] {
        let ids: Vec<i64> = sqlx::query_scalar(&format!(
            "INSERT INTO notifications (account_id, user_id, workspace_id, deleted_at, kind, workspace, purge_at, created_at)
             SELECT w.account_id, u.id, w.id, w.deleted_at, $1, w.name, w.purge_at, $2 {RECIPIENTS}
             WHERE {} AND w.purge_at > $3 AND w.purge_at <= $4
             ON CONFLICT DO NOTHING RETURNING id",
            stage::in_bin("w")
        ))
        .bind(kind.as_str())
        .bind(now)
        .bind(lower)
        .bind(upper)
        .fetch_all(&mut *tx)
        .await?;
        created.extend(ids);
    }
    enqueue_webhooks(&mut tx, now, &created).await?;
    tx.commit().await?;
    Ok(created.len() as u64)
}

/// The purged notices of entries `ids`, written in the transaction that takes them out of the
/// Recycle Bin for good (so exactly once, whoever purges them). `by` is who deleted them
/// permanently by hand (their sign-in name), or none for the purge job.
pub async fn purged(conn: &mut Conn, now: i64, ids: &[i64], by: Option<&str>) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let created: Vec<i64> = sqlx::query_scalar(&format!(
        "INSERT INTO notifications (account_id, user_id, workspace_id, deleted_at, kind, workspace, purge_at, created_at, detail)
         SELECT w.account_id, u.id, w.id, w.deleted_at, $1, w.name, w.purge_at, $2, $3 {RECIPIENTS}
         WHERE w.id IN ({list}) AND {}
         ON CONFLICT DO NOTHING RETURNING id",
        stage::deleted("w")
    ))
    .bind(Kind::Purged.as_str())
    .bind(now)
    .bind(by.unwrap_or_default())
    .fetch_all(&mut *conn)
    .await?;
    enqueue_webhooks(conn, now, &created).await
}

/// The notice that the account's purge protection was turned off by `by`, to the root and every
/// FullAccess user, written in the transaction that turns it off.
pub async fn purge_protection_off(
    conn: &mut Conn,
    now: i64,
    account_id: i64,
    by: &str,
) -> AppResult<()> {
    let created: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO notifications (account_id, user_id, kind, created_at, detail)
         SELECT u.account_id, u.id, $1, $2, $3 FROM users u
         WHERE u.account_id = $4 AND (u.is_root OR EXISTS (
             SELECT 1 FROM user_policies p WHERE p.user_id = u.id AND p.policy = $5))
         RETURNING id",
    )
    .bind(Kind::PurgeProtectionOff.as_str())
    .bind(now)
    .bind(by)
    .bind(account_id)
    .bind(crate::domain::Policy::FullAccess.as_str())
    .fetch_all(&mut *conn)
    .await?;
    enqueue_webhooks(conn, now, &created).await
}

/// The notice to the account's root that entry `workspace_id`'s purge took the upstream of the
/// nodes named in `detail`; once per entry (the notices' unique key).
pub async fn upstream_lost(
    conn: &mut Conn,
    now: i64,
    workspace_id: i64,
    detail: &str,
) -> AppResult<()> {
    let created: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO notifications (account_id, user_id, workspace_id, deleted_at, kind, workspace, purge_at, created_at, detail)
         SELECT w.account_id, u.id, w.id, w.deleted_at, $1, w.name, w.purge_at, $2, $3
         FROM workspaces w JOIN users u ON u.account_id = w.account_id AND u.is_root
         WHERE w.id = $4
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(Kind::UpstreamLost.as_str())
    .bind(now)
    .bind(detail)
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?;
    enqueue_webhooks(conn, now, &created).await
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    kind: String,
    workspace: String,
    purge_at: Option<i64>,
    created_at: i64,
    read_at: Option<i64>,
    detail: String,
}

impl NoticeRow {
    fn notice(self) -> Option<Notice> {
        Some(Notice {
            id: self.id,
            kind: Kind::parse(&self.kind)?,
            workspace: self.workspace,
            purge_at: self.purge_at,
            created_at: self.created_at,
            read: self.read_at.is_some(),
            detail: self.detail,
        })
    }
}

/// The caller's newest notices and how many are unread.
pub async fn list(pool: &Pool, p: &Principal) -> AppResult<Notices> {
    let mut conn = pool.acquire().await?;
    let rows = sqlx::query_as::<_, NoticeRow>(
        "SELECT id, kind, workspace, purge_at, created_at, read_at, detail FROM notifications
         WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(p.user_id)
    .bind(SHOWN)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Notices {
        notices: rows.into_iter().filter_map(NoticeRow::notice).collect(),
        unread: unread_count(&mut conn, p).await?,
    })
}

/// How many of the caller's notices are unread (the header's "Notifications (N)").
pub async fn unread_count(conn: &mut Conn, p: &Principal) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(p.user_id)
    .fetch_one(conn)
    .await?)
}

pub async fn mark_all_read(pool: &Pool, now: i64, p: &Principal) -> AppResult<()> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now)
        .bind(p.user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The account's webhook: its URL, whether deliveries are signed, and the last delivery.
pub async fn webhook(pool: &Pool, account_id: i64) -> AppResult<Webhook> {
    let settings: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT webhook_url, webhook_secret FROM account_settings WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    let (url, secret) = settings.unwrap_or_default();
    let last: Option<(i64, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT last_attempt_at, outcome, last_error, attempts FROM webhook_outbox
         WHERE account_id = $1 AND last_attempt_at IS NOT NULL
         ORDER BY last_attempt_at DESC, id DESC LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    Ok(Webhook {
        url: url.unwrap_or_default(),
        signed: secret.is_some(),
        last_delivery: last.map(|(at, outcome, error, attempts)| {
            delivery(at, outcome.as_deref(), &error, attempts)
        }),
    })
}

/// What became of a delivery: its state, and its words in English.
fn delivery(at: i64, outcome: Option<&str>, error: &str, attempts: i64) -> LastDelivery {
    let (state, error) = match outcome {
        Some("Delivered") => (DeliveryState::Delivered, error),
        _ if error.starts_with(webhook::REFUSED) => (
            DeliveryState::NotSent,
            error.trim_start_matches(webhook::REFUSED),
        ),
        Some(_) => (DeliveryState::GaveUp, error),
        None => (DeliveryState::Failing, error),
    };
    let mut last = LastDelivery {
        at,
        result: String::new(),
        state,
        error: error.to_owned(),
        attempts,
    };
    last.result = last.words(Lang::En);
    last
}

/// An http(s) URL with a host and no credentials, at most 2,000 characters, without control or
/// bidirectional characters; empty turns it off.
pub fn check_webhook_url(text: &str) -> AppResult<Option<url::Url>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    crate::domain::text::single_line(k::field_webhook_url, text).map_err(AppError::Invalid)?;
    let refuse = |why: Key| Err(AppError::Invalid(Msg::new(why)));
    if text.len() > 2000 {
        return refuse(k::error_webhook_url_too_long);
    }
    let Ok(url) = url::Url::parse(text) else {
        return refuse(k::error_webhook_url_invalid);
    };
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return refuse(k::error_webhook_url_invalid);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse(k::error_webhook_url_credentials);
    }
    Ok(Some(url))
}

/// Why a webhook may not be sent where its URL leads, worded in the reader's language.
fn refused_destination(refusal: &webhook::Refusal) -> Msg {
    let Some(rule) = rule_key(refusal.rule) else {
        return Msg::plain(refusal.to_string());
    };
    let msg = if refusal.host == refusal.ip.to_string() {
        Msg::new(k::error_webhook_not_public_ip)
    } else {
        Msg::new(k::error_webhook_not_public_host).with("host", &refusal.host)
    };
    msg.with("ip", refusal.ip).with_text("rule", rule)
}

/// The text of a rule of `webhook`'s ranges.
fn rule_key(rule: &str) -> Option<Key> {
    Some(match rule {
        "a cloud metadata address (AWS, Google Cloud, Azure, Oracle Cloud and others)" => {
            k::field_webhook_rule_metadata_general
        }
        "a cloud metadata address (AWS ECS task metadata)" => {
            k::field_webhook_rule_metadata_aws_ecs
        }
        "a cloud metadata address (AWS EKS Pod Identity)" => k::field_webhook_rule_metadata_aws_eks,
        "a cloud metadata address (Scaleway)" => k::field_webhook_rule_metadata_scaleway,
        "a cloud metadata address (Tencent Cloud)" => k::field_webhook_rule_metadata_tencent,
        "a cloud metadata address (Alibaba Cloud)" => k::field_webhook_rule_metadata_alibaba,
        "a cloud metadata address (Azure WireServer)" => {
            k::field_webhook_rule_metadata_azure_wireserver
        }
        "a cloud metadata address (Oracle Cloud Classic)" => {
            k::field_webhook_rule_metadata_oracle_classic
        }
        "a cloud metadata address (AWS)" => k::field_webhook_rule_metadata_aws,
        "a cloud metadata address (Google Cloud)" => k::field_webhook_rule_metadata_google,
        "a cloud metadata address (Oracle Cloud)" => k::field_webhook_rule_metadata_oracle,
        "a cloud metadata address (Akamai)" => k::field_webhook_rule_metadata_akamai,
        "a cloud metadata address (OpenStack, Akamai)" => k::field_webhook_rule_metadata_openstack,
        "an unspecified address" => k::field_webhook_rule_unspecified,
        "a private (RFC 1918) address" => k::field_webhook_rule_private,
        "a shared (CGNAT) address" => k::field_webhook_rule_shared,
        "a loopback address" => k::field_webhook_rule_loopback,
        "a link-local address" => k::field_webhook_rule_link_local,
        "an IETF protocol assignment" => k::field_webhook_rule_ietf,
        "a documentation address" => k::field_webhook_rule_documentation,
        "a 6to4 relay anycast address" => k::field_webhook_rule_relay_6to4,
        "a benchmarking address" => k::field_webhook_rule_benchmarking,
        "a multicast address" => k::field_webhook_rule_multicast,
        "the broadcast address" => k::field_webhook_rule_broadcast,
        "a reserved address" => k::field_webhook_rule_reserved,
        "an IPv4-compatible address" => k::field_webhook_rule_ipv4_compatible,
        "an IPv4-translated address" => k::field_webhook_rule_ipv4_translated,
        "a discard-only address" => k::field_webhook_rule_discard_only,
        "a dummy address" => k::field_webhook_rule_dummy,
        "a Teredo address" => k::field_webhook_rule_teredo,
        "a segment routing (SRv6) address" => k::field_webhook_rule_srv6,
        "an IPv6 unique local address" => k::field_webhook_rule_unique_local,
        "an IPv6 site-local address" => k::field_webhook_rule_site_local,
        "an IPv4-mapped address" => k::field_webhook_rule_ipv4_mapped,
        "a local-use NAT64 address" => k::field_webhook_rule_local_nat64,
        _ => return None,
    })
}

/// A new signing secret: `whsec_` and 32 random letters and digits.
fn new_secret() -> String {
    format!("whsec_{}", crate::server::secret::random_text(32))
}

/// Sets (or, with an empty `url`, turns off) the account's webhook. The URL's host must be, and
/// resolve only to, addresses a webhook may reach (`webhook::refused_destination`; the private
/// network's only with `allow_private`). The first URL set makes the account's signing secret,
/// answered once here.
pub async fn set_webhook(
    pool: &Pool,
    change: &Change,
    url: &str,
    allow_private: bool,
) -> AppResult<Recorded<WebhookSaved>> {
    let root = &change.principal;
    let url = check_webhook_url(url)?;
    if let Some(url) = &url
        && let webhook::Destination::Refused(refusal) =
            webhook::destination(url, allow_private).await
    {
        return Err(AppError::Invalid(refused_destination(&refusal)));
    }
    let url = url.map(String::from);
    let mut tx = crate::store::write_tx(pool).await?;
    let has_secret: Option<Option<String>> =
        sqlx::query_scalar("SELECT webhook_secret FROM account_settings WHERE account_id = $1")
            .bind(root.account_id)
            .fetch_optional(&mut *tx)
            .await?;
    let secret = match (&url, has_secret.flatten()) {
        (Some(_), None) => Some(new_secret()),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO account_settings (account_id, webhook_url, webhook_secret) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET webhook_url = excluded.webhook_url,
             webhook_secret = coalesce(account_settings.webhook_secret, excluded.webhook_secret)",
    )
    .bind(root.account_id)
    .bind(url.as_deref())
    .bind(secret.as_deref())
    .execute(&mut *tx)
    .await?;
    let message = match (&url, secret.is_some()) {
        (Some(url), false) => Msg::new(k::event_webhook_on).with("url", url),
        (Some(url), true) => Msg::new(k::event_webhook_on_secret).with("url", url),
        (None, false) => Msg::new(k::event_webhook_off),
        (None, true) => Msg::new(k::event_webhook_off_secret),
    };
    let saved = WebhookSaved {
        url: url.unwrap_or_default(),
        secret,
    };
    audit::commit(tx, change, Action::SetWebhook, "", message, saved).await
}

/// Replaces the account's signing secret; the new one is answered once, here.
pub async fn new_webhook_secret(pool: &Pool, change: &Change) -> AppResult<Recorded<String>> {
    let root = &change.principal;
    let secret = new_secret();
    let mut tx = crate::store::write_tx(pool).await?;
    sqlx::query(
        "INSERT INTO account_settings (account_id, webhook_secret) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET webhook_secret = excluded.webhook_secret",
    )
    .bind(root.account_id)
    .bind(&secret)
    .execute(&mut *tx)
    .await?;
    let message = Msg::new(k::event_webhook_new_secret);
    audit::commit(tx, change, Action::SetWebhook, "", message, secret).await
}

#[derive(sqlx::FromRow)]
struct Outgoing {
    id: i64,
    account_id: i64,
    kind: String,
    workspace: String,
    purge_at: Option<i64>,
    created_at: i64,
    detail: String,
    user_name: String,
    is_root: crate::store::Flag,
    account_name: String,
    webhook_url: String,
}

/// Queues notices `ids` for the webhooks of their accounts, in the transaction that created them.
async fn enqueue_webhooks(conn: &mut Conn, now: i64, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows = sqlx::query_as::<_, Outgoing>(&format!(
        "SELECT n.id, n.account_id, n.kind, n.workspace, n.purge_at, n.created_at, n.detail, u.name AS user_name,
                u.is_root, a.name AS account_name, s.webhook_url
         FROM notifications n
         JOIN account_settings s ON s.account_id = n.account_id
         JOIN users u ON u.id = n.user_id
         JOIN accounts a ON a.id = n.account_id
         WHERE n.id IN ({list}) AND s.webhook_url IS NOT NULL"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let Some(kind) = Kind::parse(&row.kind) else {
            continue;
        };
        let recipient = if bool::from(row.is_root) {
            row.account_name.clone()
        } else {
            format!("{}@{}", row.user_name, row.account_name)
        };
        let notice = Notice {
            id: row.id,
            kind,
            workspace: row.workspace.clone(),
            purge_at: row.purge_at,
            created_at: row.created_at,
            read: false,
            detail: row.detail.clone(),
        };
        let body = serde_json::json!({
            "id": notice_id(row.id),
            "kind": kind.as_str(),
            "account": row.account_name,
            "recipient": recipient,
            "workspace": (!row.workspace.is_empty()).then_some(&row.workspace),
            "purge_at": row.purge_at.map(to_rfc3339),
            "created_at": to_rfc3339(row.created_at),
            "message": notice.text(),
        });
        sqlx::query(
            "INSERT INTO webhook_outbox (notification_id, account_id, url, body, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (notification_id) DO NOTHING",
        )
        .bind(row.id)
        .bind(row.account_id)
        .bind(row.webhook_url)
        .bind(body.to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The id a receiver de-duplicates by: unique per notice, stable across retries.
pub fn notice_id(id: i64) -> String {
    format!("notice-{id}")
}
