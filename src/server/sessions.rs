//! The session store: tower-sessions' records in the `console_sessions` table, on either engine.
//! Each row also names the user it signed in (`user_id`, `session_version`, copied from the
//! record's [`SESSION_USER_KEY`] when it is saved), so loading a session reads its caller in the
//! same query: a request's session and its principal cost one database read, not two. The
//! principal is put in the loaded record under [`PRINCIPAL_KEY`], fresh from the database on every
//! load (a policy change or a password reset applies to the next request), and is never saved.
use crate::domain::{Policy, Principal};
use crate::error::AppResult;
use crate::store::{Flag, Pool};
use sqlx::Row;
use std::collections::HashMap;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, Error, ExpiredDeletion, SessionStore};

/// What a session holds: the user and the credential version it signed in with. A password reset
/// bumps the version, so every older session of that user stops working at once; a deleted user's
/// id is never given to anyone else (AUTOINCREMENT), so its sessions reach nobody.
pub const SESSION_USER_KEY: &str = "signed_in";

/// Where a loaded record holds its signed-in user's principal, when that user still exists with
/// the credentials it signed in with.
pub const PRINCIPAL_KEY: &str = "principal";

/// A signed-in user as a session remembers it: the id and the credential version at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionUser {
    pub user_id: i64,
    pub session_version: i64,
}

pub async fn load_principal(pool: &Pool, user_id: i64) -> AppResult<Option<Principal>> {
    principal_where(pool, user_id, None).await
}

/// The principal of a session: only while the user exists with the credential version the
/// session signed in with.
pub async fn load_session_principal(
    pool: &Pool,
    user: SessionUser,
) -> AppResult<Option<Principal>> {
    principal_where(pool, user.user_id, Some(user.session_version)).await
}

/// A principal's columns, as [`principal_at`] reads them: `u` is the user, `a` its account. A
/// macro, so the queries naming them stay string literals (`concat!`).
macro_rules! principal_columns {
    () => {
        "u.id, u.account_id, a.name, u.name, u.is_root,
         (SELECT string_agg(policy, ',') FROM user_policies WHERE user_id = u.id)"
    };
}

/// The principal in `row`'s [`principal_columns`] from column `at`; none where an outer join found
/// no user (`u.id` is NULL).
pub(crate) fn principal_at(row: &sqlx::any::AnyRow, at: usize) -> Option<Principal> {
    let user_id: Option<i64> = row.get(at);
    let policies: Option<String> = row.get(at + 5);
    Some(Principal {
        user_id: user_id?,
        account_id: row.get(at + 1),
        account_name: row.get(at + 2),
        user_name: row.get(at + 3),
        is_root: row.get::<Flag, _>(at + 4).into(),
        policies: policies
            .unwrap_or_default()
            .split(',')
            .filter_map(Policy::parse)
            .collect(),
    })
}

async fn principal_where(
    pool: &Pool,
    user_id: i64,
    session_version: Option<i64>,
) -> AppResult<Option<Principal>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        principal_columns!(),
        " FROM users u JOIN accounts a ON a.id = u.account_id
         WHERE u.id = $1 AND ($2 IS NULL OR u.session_version = $2)"
    ))
    .bind(user_id)
    .bind(session_version)
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|row| principal_at(&row, 0)))
}

/// The session cookie `console_session`: HTTP-only, SameSite=Lax, Secure behind https, ending
/// after 8 hours without a request.
pub fn layer(store: Sessions, secure: bool) -> tower_sessions::SessionManagerLayer<Sessions> {
    use tower_sessions::cookie::SameSite;
    tower_sessions::SessionManagerLayer::new(store)
        .with_name("console_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(tower_sessions::Expiry::OnInactivity(time::Duration::hours(
            8,
        )))
}

#[derive(Clone, Debug)]
pub struct Sessions {
    pool: Pool,
}

impl Sessions {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// The principal a loaded record carries (see [`PRINCIPAL_KEY`]).
    pub fn principal_of(record: &Record) -> Option<Principal> {
        record
            .data
            .get(PRINCIPAL_KEY)
            .and_then(|value| serde_json::from_value(value.clone()).ok())
    }
}

fn backend(error: sqlx::Error) -> Error {
    Error::Backend(error.to_string())
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The record's data as stored (without the principal) and the user it names.
fn stored(record: &Record) -> session_store::Result<(String, Option<SessionUser>)> {
    let user = record
        .data
        .get(SESSION_USER_KEY)
        .and_then(|value| serde_json::from_value::<SessionUser>(value.clone()).ok());
    let data: HashMap<&String, &serde_json::Value> = record
        .data
        .iter()
        .filter(|(key, _)| key.as_str() != PRINCIPAL_KEY)
        .collect();
    let data = serde_json::to_string(&data).map_err(|e| Error::Encode(e.to_string()))?;
    Ok((data, user))
}

macro_rules! insert {
    () => {
        "INSERT INTO console_sessions (id, data, expiry_date, user_id, session_version)
         VALUES ($1, $2, $3, $4, $5)"
    };
}

impl Sessions {
    /// Writes `record` (without its principal) with `insert`, one of the `insert!` statements;
    /// answers whether a row was written.
    async fn write(&self, insert: &'static str, record: &Record) -> session_store::Result<bool> {
        let (data, user) = stored(record)?;
        let written = sqlx::query(insert)
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date.unix_timestamp())
            .bind(user.map(|u| u.user_id))
            .bind(user.map(|u| u.session_version))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(written.rows_affected() == 1)
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id that is already taken (2^-128 odds) is drawn again, never overwritten.
        while !self
            .write(concat!(insert!(), " ON CONFLICT (id) DO NOTHING"), record)
            .await?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(
            concat!(
                insert!(),
                " ON CONFLICT (id) DO UPDATE SET data = excluded.data,
                  expiry_date = excluded.expiry_date, user_id = excluded.user_id,
                  session_version = excluded.session_version"
            ),
            record,
        )
        .await?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = sqlx::query(concat!(
            "SELECT s.data, s.expiry_date, ",
            principal_columns!(),
            " FROM console_sessions s
              LEFT JOIN users u ON u.id = s.user_id AND u.session_version = s.session_version
              LEFT JOIN accounts a ON a.id = u.account_id
              WHERE s.id = $1 AND s.expiry_date > $2"
        ))
        .bind(id.to_string())
        .bind(now())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?
        else {
            return Ok(None);
        };
        let mut data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&row.get::<String, _>(0))
                .map_err(|e| Error::Decode(e.to_string()))?;
        data.remove(PRINCIPAL_KEY);
        if let Some(principal) = principal_at(&row, 2) {
            let value =
                serde_json::to_value(principal).map_err(|e| Error::Encode(e.to_string()))?;
            data.insert(PRINCIPAL_KEY.to_owned(), value);
        }
        let expiry_date = OffsetDateTime::from_unix_timestamp(row.get(1))
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE expiry_date <= $1")
            .bind(now())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
