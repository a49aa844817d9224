use super::RamUser;
use crate::domain::audit::{Action, Outcome, Source};
use crate::domain::throttle::{SIGN_IN_PER_ADDRESS, SIGN_IN_PER_USER, SIGN_UP_PER_ADDRESS};
use crate::domain::{Policy, Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::i18n::{Key, Msg, k};
use crate::server::audit::{self, Change, Origin, Recorded};
use crate::server::gate::Gate;
use crate::server::password::{hash_password, verify_password};
pub use crate::server::sessions::{SessionUser, load_principal, load_session_principal};
use crate::server::throttle;
use crate::store::{Conn, Pool};
use sqlx::Row;

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 128;

/// 10 to 128 characters, not one of the commonly used passwords, not one character repeated.
pub fn validate_password(password: &str) -> AppResult<()> {
    let len = password.chars().count();
    if !(MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&len) {
        return Err(AppError::Invalid(
            Msg::new(k::error_password_length)
                .with("min", MIN_PASSWORD_LEN)
                .with("max", MAX_PASSWORD_LEN),
        ));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first)
        || passwords::analyzer::is_common_password(password)
        || passwords::analyzer::is_common_password(password.to_lowercase())
    {
        return Err(AppError::Invalid(Msg::new(k::error_password_common)));
    }
    Ok(())
}

fn validate_principal_name(name: &str, what: Key) -> AppResult<()> {
    let ok_len = (2..=32).contains(&name.chars().count());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    let ok_first = name.starts_with(|c: char| c.is_ascii_alphabetic());
    if ok_len && ok_chars && ok_first {
        Ok(())
    } else {
        Err(AppError::Invalid(
            Msg::new(k::error_principal_name).with_text("what", what),
        ))
    }
}

/// "acme" signs in the account's root; "alice@acme" a RAM user of acme. Any mismatch is the same answer.
pub async fn authenticate(pool: &Pool, username: &str, password: &str) -> AppResult<SessionUser> {
    let username = username.trim();
    // Inputs far past any valid one are refused before any work (a password set before the
    // 128-character limit still signs in).
    if username.len() > 200 || password.len() > 1024 {
        return Err(AppError::BadCredentials);
    }
    let (user, account) = match username.split_once('@') {
        Some((user, account)) => (user, account),
        None => (username, username),
    };
    let is_root = !username.contains('@');
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT u.id, u.session_version, u.password_hash FROM users u JOIN accounts a ON a.id = u.account_id
         WHERE a.name = $1 AND u.name = $2 AND u.is_root = $3",
    )
    .bind(account)
    .bind(user)
    .bind(is_root)
    .fetch_optional(pool)
    .await?;
    let (user, hash) = match row {
        Some((user_id, session_version, hash)) => (
            Some(SessionUser {
                user_id,
                session_version,
            }),
            Some(hash),
        ),
        None => (None, None),
    };
    match (verify_password(password, hash).await, user) {
        (true, Some(user)) => Ok(user),
        _ => Err(AppError::BadCredentials),
    }
}

/// A sign-in through the console's door: throttled per user name and per client address, the
/// password check admitted through the hashing gate, every failure counted and logged.
pub async fn sign_in(
    pool: &Pool,
    gate: &Gate,
    now: Timestamp,
    username: &str,
    password: &str,
    client: &str,
) -> AppResult<SessionUser> {
    let user_key = format!(
        "user:{}",
        username
            .trim()
            .to_lowercase()
            .chars()
            .take(200)
            .collect::<String>()
    );
    let client_key = format!("ip:{client}");
    if let Err(refusal) = throttle::check(pool, now, &[&user_key, &client_key]).await {
        tracing::warn!(username, client, "sign-in refused: throttled");
        metrics::counter!("console_sign_in_failures_total", "reason" => "throttled").increment(1);
        return Err(refusal);
    }
    match gate.run(authenticate(pool, username, password)).await {
        Ok(user) => {
            throttle::clear(pool, &user_key).await?;
            record_sign_in(
                pool,
                now,
                client,
                username,
                Outcome::Success,
                &Msg::plain(""),
            )
            .await;
            Ok(user)
        }
        Err(AppError::BadCredentials) => {
            tracing::warn!(
                username,
                client,
                "sign-in failed: wrong user name or password"
            );
            metrics::counter!("console_sign_in_failures_total", "reason" => "bad_credentials")
                .increment(1);
            throttle::record(
                pool,
                now,
                &[
                    (&user_key, SIGN_IN_PER_USER),
                    (&client_key, SIGN_IN_PER_ADDRESS),
                ],
            )
            .await?;
            let error = AppError::BadCredentials;
            record_sign_in(
                pool,
                now,
                client,
                username,
                Outcome::Failed,
                &error.as_msg(),
            )
            .await;
            Err(error)
        }
        Err(other) => Err(other),
    }
}

/// A sign-in, or a failed one, from the console at `client`'s address, in the Audit Log of the
/// account the username names (a name of no account has no log to go into).
async fn record_sign_in(
    pool: &Pool,
    now: Timestamp,
    client: &str,
    username: &str,
    outcome: Outcome,
    message: &Msg,
) {
    let username = username.trim();
    let account = username
        .rsplit_once('@')
        .map_or(username, |(_, account)| account);
    let recorded = async {
        let account_id: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE name = $1")
            .bind(account)
            .fetch_optional(pool)
            .await?;
        let Some(account_id) = account_id else {
            return Ok(());
        };
        let Origin {
            source,
            client_address: ip,
        } = Origin::new(Source::Console, client);
        let action = if outcome == Outcome::Success {
            Action::SignIn
        } else {
            Action::SignInFailed
        };
        let event = audit::Event {
            account_id,
            user: username,
            action,
            workspace: "",
            outcome,
            message,
        };
        audit::insert(&mut *pool.acquire().await?, now, source, &ip, &event).await
    }
    .await;
    if let Err(error) = recorded {
        tracing::error!(%error, "recording a sign-in failed");
    }
}

/// A sign-up through the console's door: every attempt counts against the client's address.
pub async fn sign_up(
    pool: &Pool,
    gate: &Gate,
    now: Timestamp,
    account_name: &str,
    password: &str,
    client: &str,
) -> AppResult<SessionUser> {
    let client_key = format!("signup:{client}");
    if let Err(refusal) = throttle::check(pool, now, &[&client_key]).await {
        tracing::warn!(account_name, client, "sign-up refused: throttled");
        return Err(refusal);
    }
    throttle::record(pool, now, &[(&client_key, SIGN_UP_PER_ADDRESS)]).await?;
    let user_id = gate
        .run(create_account_from(
            pool,
            now,
            account_name,
            password,
            &Origin::new(Source::Console, client),
        ))
        .await?;
    Ok(SessionUser {
        user_id,
        session_version: 0,
    })
}

/// A new account, made outside any door (the demo seeding, tests): recorded as `Console` with no
/// address.
pub async fn create_account(
    pool: &Pool,
    now: Timestamp,
    account_name: &str,
    password: &str,
) -> AppResult<i64> {
    create_account_from(pool, now, account_name, password, &Origin::console()).await
}

/// A new account, signed up through the door `origin` says.
pub async fn create_account_from(
    pool: &Pool,
    now: Timestamp,
    account_name: &str,
    password: &str,
    origin: &Origin,
) -> AppResult<i64> {
    let account_name = account_name.trim();
    validate_principal_name(account_name, k::field_account_name)?;
    validate_password(password)?;
    let hash = hash_password(password).await?;
    let mut tx = crate::store::write_tx(pool).await?;
    let account_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(account_name)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(account_id) = account_id else {
        return Err(AppError::Conflict(
            Msg::new(k::error_account_name_taken).with("name", account_name),
        ));
    };
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (account_id, name, is_root, password_hash, created_at) VALUES ($1, $2, TRUE, $3, $4)
         RETURNING id",
    )
    .bind(account_id)
    .bind(account_name)
    .bind(hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let event = audit::Event {
        account_id,
        user: account_name,
        action: Action::CreateAccount,
        workspace: "",
        outcome: Outcome::Success,
        message: &Msg::plain(""),
    };
    audit::insert(&mut tx, now, origin.source, &origin.client_address, &event).await?;
    tx.commit().await?;
    Ok(user_id)
}

pub async fn list_ram_users(pool: &Pool, root: &Principal) -> AppResult<Vec<RamUser>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.created_at, (SELECT string_agg(policy, ',') FROM user_policies WHERE user_id = u.id)
         FROM users u WHERE u.account_id = $1 AND NOT u.is_root",
    )
    .bind(root.account_id)
    .fetch_all(pool)
    .await?;
    let mut users: Vec<RamUser> = rows
        .into_iter()
        .map(|row| {
            let name: String = row.get(1);
            let policies: Option<String> = row.get(3);
            let mut policies: Vec<String> = policies
                .unwrap_or_default()
                .split(',')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
            policies.sort();
            RamUser {
                id: row.get(0),
                sign_in_name: format!("{name}@{}", root.account_name),
                name,
                policies,
                created_at: row.get(2),
            }
        })
        .collect();
    // Sorted here, ignoring case, so the order is the same on both engines whatever their
    // collation rules for punctuation.
    users.sort_by_cached_key(|user| (user.name.to_ascii_lowercase(), user.id));
    Ok(users)
}

pub async fn create_ram_user(
    pool: &Pool,
    change: &Change,
    name: &str,
    password: &str,
    policy: Option<&str>,
) -> AppResult<Recorded<RamUser>> {
    let (now, root) = (change.now, &change.principal);
    let name = name.trim();
    validate_principal_name(name, k::field_user_name)?;
    validate_password(password)?;
    let policy = match policy.filter(|p| !p.is_empty()) {
        Some(p) => Some(Policy::parse(p).ok_or_else(|| {
            AppError::Invalid(
                Msg::new(k::error_unknown_policy).with("policy", crate::domain::text::echo(p)),
            )
        })?),
        None => None,
    };
    if name.eq_ignore_ascii_case(&root.account_name) {
        return Err(AppError::Conflict(
            Msg::new(k::error_user_is_account_name).with("name", name),
        ));
    }
    let hash = hash_password(password).await?;
    let mut tx = crate::store::write_tx(pool).await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (account_id, name, is_root, password_hash, created_at) VALUES ($1, $2, FALSE, $3, $4)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(root.account_id)
    .bind(name)
    .bind(hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        return Err(AppError::Conflict(
            Msg::new(k::error_ram_user_exists).with("name", name),
        ));
    };
    if let Some(policy) = policy {
        sqlx::query("INSERT INTO user_policies (user_id, policy) VALUES ($1, $2)")
            .bind(id)
            .bind(policy.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let user = RamUser {
        id,
        name: name.to_owned(),
        sign_in_name: format!("{name}@{}", root.account_name),
        policies: policy
            .map(|p| vec![p.as_str().to_owned()])
            .unwrap_or_default(),
        created_at: now,
    };
    let message = match policy {
        Some(policy) => Msg::new(k::event_ram_user_with_policy).with("policy", policy.as_str()),
        None => Msg::new(k::event_ram_user_no_policy),
    }
    .with("user", &user.sign_in_name);
    audit::commit(tx, change, Action::CreateRamUser, "", message, user).await
}

/// A RAM user of the root's own account; another account's user answers as a missing one.
/// Answers its sign-in name.
async fn own_ram_user(conn: &mut Conn, root: &Principal, user_id: i64) -> AppResult<String> {
    let lock = crate::store::lock_row(conn);
    let found: Option<String> = sqlx::query_scalar(&format!(
        "SELECT name FROM users WHERE id = $1 AND account_id = $2 AND NOT is_root{lock}"
    ))
    .bind(user_id)
    .bind(root.account_id)
    .fetch_optional(&mut *conn)
    .await?;
    found
        .map(|name| format!("{name}@{}", root.account_name))
        .ok_or_else(|| AppError::NotFound(Msg::new(k::error_ram_user_not_found)))
}

pub async fn set_password(
    pool: &Pool,
    change: &Change,
    user_id: i64,
    password: &str,
) -> AppResult<Recorded<()>> {
    let root = &change.principal;
    own_ram_user(&mut *pool.acquire().await?, root, user_id).await?;
    validate_password(password)?;
    let hash = hash_password(password).await?;
    let mut tx = crate::store::write_tx(pool).await?;
    let who = own_ram_user(&mut tx, root, user_id).await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, session_version = session_version + 1 WHERE id = $2",
    )
    .bind(hash)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    let message = Msg::new(k::event_ram_user_new_password).with("user", who);
    audit::commit(tx, change, Action::SetRamUserPassword, "", message, ()).await
}

pub async fn set_policy(
    pool: &Pool,
    change: &Change,
    user_id: i64,
    policy: &str,
    attached: bool,
) -> AppResult<Recorded<()>> {
    let root = &change.principal;
    let mut tx = crate::store::write_tx(pool).await?;
    let who = own_ram_user(&mut tx, root, user_id).await?;
    let policy = Policy::parse(policy).ok_or_else(|| {
        AppError::Invalid(
            Msg::new(k::error_unknown_policy).with("policy", crate::domain::text::echo(policy)),
        )
    })?;
    let sql = if attached {
        "INSERT INTO user_policies (user_id, policy) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM user_policies WHERE user_id = $1 AND policy = $2"
    };
    sqlx::query(sql)
        .bind(user_id)
        .bind(policy.as_str())
        .execute(&mut *tx)
        .await?;
    let (action, message) = if attached {
        (Action::AttachPolicy, Msg::new(k::event_policy_attached))
    } else {
        (Action::DetachPolicy, Msg::new(k::event_policy_detached))
    };
    let message = message.with("policy", policy.as_str()).with("user", who);
    audit::commit(tx, change, action, "", message, ()).await
}

pub async fn delete_ram_user(
    pool: &Pool,
    change: &Change,
    user_id: i64,
) -> AppResult<Recorded<()>> {
    let root = &change.principal;
    let mut tx = crate::store::write_tx(pool).await?;
    let who = own_ram_user(&mut tx, root, user_id).await?;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let message = Msg::new(k::event_ram_user).with("user", who);
    audit::commit(tx, change, Action::DeleteRamUser, "", message, ()).await
}
