//! Reading the Audit Log: one account's events, filtered, newest first, a page at a time by id
//! (keyset pagination: every page is one indexed range read, however many events there are).
use super::{AuditAnswer, AuditEvent, AuditFilter, AuditPage, Cursor};
use crate::domain::Principal;
use crate::domain::audit::Action;
use crate::error::{AppError, AppResult};
use crate::i18n::Worded;
use crate::i18n::{Msg, k};
use crate::store::{Conn, Pool};

const COLUMNS: &str =
    "id, at, user_name, action, workspace, source, client_ip, result, message, worded";

/// The filter, checked: an unknown action is refused; user and workspace are matched exactly,
/// ignoring letter case.
pub fn checked(filter: &AuditFilter) -> AppResult<AuditFilter> {
    let action = filter.action.trim();
    if !action.is_empty() && Action::parse(action).is_none() {
        return Err(AppError::Invalid(
            Msg::new(k::error_audit_unknown_action)
                .with("action", crate::domain::text::echo(action)),
        ));
    }
    let user = filter.user.trim();
    let workspace = filter.workspace.trim();
    if user.chars().count() > 200 || workspace.chars().count() > 200 {
        return Err(AppError::Invalid(Msg::new(k::error_audit_filter_too_long)));
    }
    crate::domain::text::single_line(k::field_user_filter, &filter.user)
        .map_err(AppError::Invalid)?;
    crate::domain::text::single_line(k::field_workspace_filter, &filter.workspace)
        .map_err(AppError::Invalid)?;
    Ok(AuditFilter {
        action: action.to_owned(),
        user: user.to_owned(),
        workspace: workspace.to_owned(),
    })
}

/// `WHERE` conditions for the account and the filter, and the values to bind to them in order
/// (`$1` is the account).
fn conditions(filter: &AuditFilter) -> (String, Vec<String>) {
    let mut sql = String::from("account_id = $1");
    let mut values = Vec::new();
    for (column, value) in [
        ("action", &filter.action),
        ("user_name", &filter.user),
        ("workspace", &filter.workspace),
    ] {
        if !value.is_empty() {
            values.push(value.clone());
            sql.push_str(&format!(" AND {column} = ${}", values.len() + 1));
        }
    }
    (sql, values)
}

/// At most `limit` events of the filter, after `cursor`, in id order (`newest_first` or not).
pub(crate) async fn read(
    conn: &mut Conn,
    account_id: i64,
    filter: &AuditFilter,
    cursor: Cursor,
    limit: i64,
) -> AppResult<Vec<Row>> {
    let (mut sql, values) = conditions(filter);
    let next = values.len() + 2;
    // The API's numbered pages are pages of `PAGE_SIZE` from the newest.
    let offset = match cursor {
        Cursor::Page(n) => (n.clamp(1, 1_000_000) - 1) * super::PAGE_SIZE,
        _ => 0,
    };
    let (bound, order) = match cursor {
        Cursor::Newest | Cursor::Page(_) => (None, "DESC"),
        Cursor::Before(id) => {
            sql.push_str(&format!(" AND id < ${next}"));
            (Some(id), "DESC")
        }
        Cursor::After(id) => {
            sql.push_str(&format!(" AND id > ${next}"));
            (Some(id), "ASC")
        }
    };
    let limit_at = next + usize::from(bound.is_some());
    let text = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE {sql} ORDER BY id {order} LIMIT ${limit_at} OFFSET {offset}"
    );
    let mut query = sqlx::query_as::<_, Row>(&text).bind(account_id);
    for value in values {
        query = query.bind(value);
    }
    if let Some(id) = bound {
        query = query.bind(id);
    }
    Ok(query.bind(limit).fetch_all(&mut *conn).await?)
}

/// An event as stored, with its message's key and parameters (`worded`: JSON, '' for none).
#[derive(sqlx::FromRow)]
pub(crate) struct Row {
    #[sqlx(flatten)]
    pub event: AuditEvent,
    pub worded: String,
}

impl Row {
    fn worded(&self) -> Option<Worded> {
        serde_json::from_str(&self.worded).ok()
    }
}

async fn exists(
    conn: &mut Conn,
    account_id: i64,
    filter: &AuditFilter,
    cursor: Cursor,
) -> AppResult<bool> {
    Ok(!read(conn, account_id, filter, cursor, 1).await?.is_empty())
}

/// One page of the caller's account's events, newest first, as the console reads it: with each
/// event's message's key and parameters.
pub async fn answer(
    pool: &Pool,
    p: &Principal,
    filter: &AuditFilter,
    cursor: Cursor,
    size: i64,
) -> AppResult<AuditAnswer> {
    let filter = checked(filter)?;
    let mut conn = pool.acquire().await?;
    let mut events = read(&mut conn, p.account_id, &filter, cursor, size + 1).await?;
    let more = events.len() as i64 > size;
    events.truncate(size as usize);
    if matches!(cursor, Cursor::After(_)) {
        events.reverse();
    }
    let (newer, older) = match (events.first(), events.last()) {
        (Some(first), Some(last)) => {
            let (newer, older) = match cursor {
                Cursor::Newest => (false, more),
                Cursor::Page(n) => (n > 1, more),
                Cursor::Before(_) => (
                    exists(
                        &mut conn,
                        p.account_id,
                        &filter,
                        Cursor::After(first.event.id),
                    )
                    .await?,
                    more,
                ),
                Cursor::After(_) => (
                    more,
                    exists(
                        &mut conn,
                        p.account_id,
                        &filter,
                        Cursor::Before(last.event.id),
                    )
                    .await?,
                ),
            };
            (
                newer.then_some(first.event.id),
                older.then_some(last.event.id),
            )
        }
        _ => (None, None),
    };
    let worded = events.iter().map(Row::worded).collect();
    Ok(AuditAnswer {
        page: AuditPage {
            events: events.into_iter().map(|row| row.event).collect(),
            newer,
            older,
        },
        worded,
    })
}

/// One page of the caller's account's events, newest first (the API's: English only).
pub async fn page(
    pool: &Pool,
    p: &Principal,
    filter: &AuditFilter,
    cursor: Cursor,
    size: i64,
) -> AppResult<AuditPage> {
    Ok(answer(pool, p, filter, cursor, size).await?.page)
}

/// Deletes events older than the retention (180 days), a batch at a time; answers how many.
pub async fn forget_old(pool: &Pool, now: i64) -> AppResult<u64> {
    let cutoff = now.saturating_sub(crate::domain::audit::RETENTION_SECS);
    let mut removed = 0;
    loop {
        let n = sqlx::query(
            "DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 LIMIT 5000)",
        )
        .bind(cutoff)
        .execute(pool)
        .await?
        .rows_affected();
        removed += n;
        if n < 5000 {
            return Ok(removed);
        }
    }
}
