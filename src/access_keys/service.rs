//! Creating, listing, disabling and deleting AccessKeys, and authenticating an API request by one.
//!
//! Verification is argon2 (slow by design) the first time a secret is seen; the instance then keeps
//! a SHA-256 of the verified secret for a while (`server::verified_keys`), compared in constant time, so a script's
//! requests do not pay the slow hash each time. The key's row (enabled, user) is still read on
//! every request, so a disabled or deleted key is refused at once on every instance; its cache
//! entry only ever saves a hash computation and ends with the TTL.
use super::{AccessKey, CreatedAccessKey, MAX_PER_USER};
use crate::domain::audit::Action;
use crate::domain::throttle::{ACCESS_KEY_PER_ADDRESS, ACCESS_KEY_PER_KEY};
use crate::domain::{Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::server::audit::{self, Change, Recorded};
use crate::server::gate::Gate;
use crate::server::password::{hash_password, verify_password};
use crate::server::secret::random_text;
use crate::server::sessions::load_principal;
use crate::server::throttle;
use crate::server::verified_keys::VerifiedKeys;
use crate::store::{Flag, Pool};

/// The one answer to every failed authentication, whatever was wrong.
pub const UNAUTHENTICATED: &str = "The request needs a valid, enabled AccessKey: send the header \"Authorization: Bearer <AccessKeyId>:<AccessKeySecret>\".";

#[derive(sqlx::FromRow)]
struct KeyRow {
    key_id: String,
    user_id: i64,
    user_name: String,
    #[sqlx(try_from = "Flag")]
    is_root: bool,
    #[sqlx(try_from = "Flag")]
    enabled: bool,
    created_at: i64,
}

impl KeyRow {
    fn key(self, account: &str) -> AccessKey {
        AccessKey {
            id: self.key_id,
            user_id: self.user_id,
            user: if self.is_root {
                account.to_owned()
            } else {
                format!("{}@{account}", self.user_name)
            },
            enabled: self.enabled,
            created_at: self.created_at,
        }
    }
}

/// Every AccessKey of the root's account.
pub async fn list(pool: &Pool, root: &Principal) -> AppResult<Vec<AccessKey>> {
    let rows = sqlx::query_as::<_, KeyRow>(
        "SELECT k.key_id, k.user_id, u.name AS user_name, u.is_root, k.enabled, k.created_at
         FROM access_keys k JOIN users u ON u.id = k.user_id
         WHERE u.account_id = $1 ORDER BY k.id",
    )
    .bind(root.account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| r.key(&root.account_name))
        .collect())
}

/// A new key for `user_id` (the root itself or one of its RAM users), at most `MAX_PER_USER`.
pub async fn create(
    pool: &Pool,
    change: &Change,
    user_id: i64,
) -> AppResult<Recorded<CreatedAccessKey>> {
    let (now, root) = (change.now, &change.principal);
    let id = format!("LTAI{}", random_text(20));
    let secret = random_text(30);
    let hash = hash_password(&secret).await?;
    let mut tx = crate::store::write_tx(pool).await?;
    let lock = crate::store::lock_row(&tx);
    let user: Option<(String, Flag)> = sqlx::query_as(&format!(
        "SELECT name, is_root FROM users WHERE id = $1 AND account_id = $2{lock}"
    ))
    .bind(user_id)
    .bind(root.account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((name, is_root)) = user else {
        return Err(AppError::NotFound(Msg::new(k::error_user_not_found)));
    };
    let who = if bool::from(is_root) {
        root.account_name.clone()
    } else {
        format!("{name}@{}", root.account_name)
    };
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM access_keys WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    if held >= MAX_PER_USER {
        return Err(AppError::Conflict(
            Msg::new(k::error_access_key_limit)
                .with("who", &who)
                .with("max", MAX_PER_USER),
        ));
    }
    sqlx::query(
        "INSERT INTO access_keys (key_id, account_id, user_id, secret_hash, enabled, created_at)
         VALUES ($1, $2, $3, $4, TRUE, $5)",
    )
    .bind(&id)
    .bind(root.account_id)
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let message = Msg::new(k::event_access_key_for)
        .with("id", &id)
        .with("user", &who);
    let created = CreatedAccessKey {
        id,
        secret,
        user: who,
    };
    audit::commit(tx, change, Action::CreateAccessKey, "", message, created).await
}

/// The key `key_id` of the root's account (another account's answers as a missing one), locked.
async fn own_key(tx: &mut crate::store::Tx, root: &Principal, key_id: &str) -> AppResult<i64> {
    let lock = crate::store::lock_row(tx);
    sqlx::query_scalar::<_, i64>(&format!(
        "SELECT id FROM access_keys WHERE key_id = $1 AND account_id = $2{lock}"
    ))
    .bind(key_id)
    .bind(root.account_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::NotFound(Msg::new(k::error_access_key_not_found)))
}

pub async fn set_enabled(
    pool: &Pool,
    change: &Change,
    key_id: &str,
    enabled: bool,
) -> AppResult<Recorded<()>> {
    let root = &change.principal;
    let mut tx = crate::store::write_tx(pool).await?;
    let id = own_key(&mut tx, root, key_id).await?;
    sqlx::query("UPDATE access_keys SET enabled = $1 WHERE id = $2")
        .bind(enabled)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let (action, message) = if enabled {
        (
            Action::EnableAccessKey,
            Msg::new(k::event_access_key_enabled),
        )
    } else {
        (
            Action::DisableAccessKey,
            Msg::new(k::event_access_key_disabled),
        )
    };
    audit::commit(tx, change, action, "", message.with("id", key_id), ()).await
}

pub async fn delete(pool: &Pool, change: &Change, key_id: &str) -> AppResult<Recorded<()>> {
    let root = &change.principal;
    let mut tx = crate::store::write_tx(pool).await?;
    let id = own_key(&mut tx, root, key_id).await?;
    sqlx::query("DELETE FROM access_keys WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let message = Msg::new(k::event_access_key).with("id", key_id);
    audit::commit(tx, change, Action::DeleteAccessKey, "", message, ()).await
}

/// `Bearer <id>:<secret>` → (id, secret).
pub fn parse_bearer(header: &str) -> Option<(&str, &str)> {
    let token = header.strip_prefix("Bearer ")?.trim();
    let (id, secret) = token.split_once(':')?;
    let valid = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    (valid(id, 64) && valid(secret, 128)).then_some((id, secret))
}

/// The principal an `Authorization` header names, or the one 401 whatever was wrong (missing,
/// malformed, unknown, wrong secret, disabled, user gone).
///
/// Throttled as sign-ins are (`domain::throttle`): a secret that does not verify, for a known key
/// or an unknown one, counts against the key id and against the client's address; while either is
/// blocked, a request naming that key or coming from that address answers 429 with `Retry-After`
/// before any secret is verified. A correct key is not slowed by it: a secret this instance has
/// verified recently (the verified-key cache) is recognised before the throttle is read, so a
/// script's key keeps working while someone else guesses at its id, and costs no throttle read. A
/// key's failures are forgotten when argon2 verifies its secret (not on each request the cache
/// answers, which would write on every call). A disabled key or a deleted user with the right
/// secret is refused without counting: no secret was guessed.
pub async fn authenticate(
    pool: &Pool,
    gate: &Gate,
    verified: &VerifiedKeys,
    now: Timestamp,
    header: Option<&str>,
    client: &str,
) -> AppResult<(Principal, String)> {
    let unauthenticated = AppError::Unauthenticated;
    let Some((key_id, secret)) = header.and_then(parse_bearer) else {
        return Err(unauthenticated);
    };
    let key_throttle = format!("key:{key_id}");
    let address_throttle = format!("keyip:{client}");
    let row: Option<(i64, String, Flag)> =
        sqlx::query_as("SELECT user_id, secret_hash, enabled FROM access_keys WHERE key_id = $1")
            .bind(key_id)
            .fetch_optional(pool)
            .await?;
    let row = row.map(|(user, hash, enabled)| (user, hash, bool::from(enabled)));
    let remembered = row
        .as_ref()
        .is_some_and(|(_, hash, _)| verified.remembers(key_id, secret, hash));
    if !remembered
        && let Err(refusal) = throttle::check(pool, now, &[&key_throttle, &address_throttle]).await
    {
        tracing::warn!(key_id, client, "AccessKey refused: throttled");
        return Err(refusal);
    }
    let ok = match &row {
        _ if remembered => true,
        Some((_, hash, _)) => {
            let ok = gate
                .run(async { Ok(verify_password(secret, Some(hash.clone())).await) })
                .await?;
            if ok {
                verified.remember(key_id, secret, hash);
                throttle::clear(pool, &key_throttle).await?;
            }
            ok
        }
        // No such key: the same slow check against a throwaway hash, so timing tells nothing.
        None => {
            gate.run(async { Ok(verify_password(secret, None).await) })
                .await?;
            false
        }
    };
    if !ok {
        // A guess: counted against the key and the address.
        tracing::warn!(key_id, client, "AccessKey refused: wrong secret");
        throttle::record(
            pool,
            now,
            &[
                (&key_throttle, ACCESS_KEY_PER_KEY),
                (&address_throttle, ACCESS_KEY_PER_ADDRESS),
            ],
        )
        .await?;
        return Err(unauthenticated);
    }
    match row {
        Some((user_id, _, true)) if ok => {
            let principal = load_principal(pool, user_id)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            Ok((principal, key_id.to_owned()))
        }
        _ => Err(unauthenticated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_bearer_header_is_read() {
        assert_eq!(
            parse_bearer("Bearer LTAIabc:s3cret"),
            Some(("LTAIabc", "s3cret"))
        );
        for bad in [
            "",
            "Bearer",
            "Bearer :x",
            "Bearer x:",
            "Basic a:b",
            "Bearer a:b:c",
            "Bearer a b:c",
        ] {
            assert_eq!(parse_bearer(bad), None, "{bad}");
        }
    }
}
