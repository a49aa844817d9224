use super::{PAGE_SIZE, WorkspacePage, WorkspaceRow};
use crate::domain::time::format_utc;
use crate::domain::{Principal, Timestamp, WorkspaceName, text};
use crate::error::{AppError, AppResult};
use crate::store::{Conn, Pool};

pub struct NewWorkspace {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub data_modeling: bool,
    pub deletion_protection: bool,
}

pub const MAX_SEARCH_CHARS: usize = 64;

const COLUMNS: &str = "id, name, display_name, description, data_modeling, deletion_protection, created_by, created_at";

/// The search text as a LIKE pattern over `search_name` (the lower-case name): case is ignored
/// the same way on both engines.
fn like_pattern(query: &str) -> String {
    let escaped: String = query
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

pub async fn list(pool: &Pool, p: &Principal, query: &str, page: i64) -> AppResult<WorkspacePage> {
    if query.trim().chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::Invalid(format!(
            "Search text must be at most {MAX_SEARCH_CHARS} characters long (a workspace name is at most 64)."
        )));
    }
    text::single_line("Search text", query).map_err(AppError::Invalid)?;
    // No search text, no filter: the count and the page then come from the active-workspace
    // index alone, without computing a lower-case name per row.
    let pattern = if query.trim().is_empty() {
        String::new()
    } else {
        like_pattern(query)
    };
    // The count and the requested page are read at once, on two connections (the page a caller
    // asks for is nearly always there); a page past the last is read again as the last page.
    let requested = page.max(1);
    let (total, rows) = tokio::try_join!(
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM workspaces WHERE account_id = $1 AND deleted_at IS NULL
             AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')",
        )
        .bind(p.account_id)
        .bind(&pattern)
        .fetch_one(pool),
        page_rows(pool, p, &pattern, requested),
    )?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = requested.min(pages);
    let rows = if page == requested {
        rows
    } else {
        page_rows(pool, p, &pattern, page).await?
    };
    Ok(WorkspacePage {
        rows,
        total,
        page,
        pages,
    })
}

async fn page_rows(
    pool: &Pool,
    p: &Principal,
    pattern: &str,
    page: i64,
) -> Result<Vec<WorkspaceRow>, sqlx::Error> {
    sqlx::query_as::<_, WorkspaceRow>(&format!(
        "SELECT {COLUMNS} FROM workspaces WHERE account_id = $1 AND deleted_at IS NULL
         AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
    ))
    .bind(p.account_id)
    .bind(pattern)
    .bind(PAGE_SIZE)
    // Saturating: a page number far past the last (any i64 may arrive) reads nothing.
    .bind(page.saturating_sub(1).saturating_mul(PAGE_SIZE))
    .fetch_all(pool)
    .await
}

/// An active workspace of the caller's account by name; anything else answers as missing.
pub async fn find_active(pool: &Pool, p: &Principal, name: &str) -> AppResult<WorkspaceRow> {
    find_active_where(&mut *pool.acquire().await?, p, name, "").await
}

/// The same, read and locked inside a write transaction: a write that depends on the workspace
/// being active holds its row until it commits, so a concurrent delete, recover or purge comes
/// wholly before or wholly after it.
pub async fn find_active_in(conn: &mut Conn, p: &Principal, name: &str) -> AppResult<WorkspaceRow> {
    let lock = crate::store::lock_row(conn);
    find_active_where(conn, p, name, lock).await
}

async fn find_active_where(
    conn: &mut Conn,
    p: &Principal,
    name: &str,
    lock: &str,
) -> AppResult<WorkspaceRow> {
    sqlx::query_as::<_, WorkspaceRow>(&format!(
        "SELECT {COLUMNS} FROM workspaces WHERE account_id = $1 AND name = $2 AND deleted_at IS NULL{lock}"
    ))
    .bind(p.account_id)
    .bind(name)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| {
        AppError::NotFound(format!("Workspace \"{}\" does not exist.", text::echo(name)))
    })
}

/// Why `name` cannot be used in this account, if it cannot: taken by an active workspace, or
/// reserved by a Recycle Bin entry (names are compared ignoring letter case).
pub async fn name_unavailable(
    conn: &mut Conn,
    account_id: i64,
    name: &str,
) -> AppResult<Option<AppError>> {
    let existing: Option<(String, Option<Timestamp>, Option<Timestamp>)> = sqlx::query_as(
        "SELECT name, deleted_at, purge_at FROM workspaces WHERE account_id = $1 AND name = $2",
    )
    .bind(account_id)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(existing.map(|(existing, deleted_at, purge_at)| match (deleted_at, purge_at) {
        (Some(deleted_at), Some(purge_at)) => AppError::NameReserved(format!(
            "The name \"{name}\" is reserved by the workspace \"{existing}\" in the Recycle Bin (deleted {}). \
             The name is released at {}, when that workspace is permanently deleted. \
             Recover that workspace from the Recycle Bin, or choose another name.",
            format_utc(deleted_at),
            format_utc(purge_at)
        )),
        _ => AppError::Conflict(format!(
            "A workspace named \"{existing}\" already exists in this account. Choose another name."
        )),
    }))
}

pub async fn create(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    input: NewWorkspace,
) -> AppResult<crate::server::audit::Recorded<WorkspaceRow>> {
    let name = WorkspaceName::parse(&input.name).map_err(|e| AppError::Invalid(e.to_string()))?;
    let display_name = match input.display_name.trim() {
        "" => name.to_string(),
        d if d.chars().count() > 64 => {
            return Err(AppError::Invalid(
                "Display name must be at most 64 characters long.".into(),
            ));
        }
        d => d.to_owned(),
    };
    text::single_line("Display name", &input.display_name).map_err(AppError::Invalid)?;
    let description = input.description.trim().to_owned();
    if description.chars().count() > 1024 {
        return Err(AppError::Invalid(
            "Description must be at most 1024 characters long.".into(),
        ));
    }
    text::multi_line("Description", &input.description).map_err(AppError::Invalid)?;
    let mut tx = crate::store::write_tx(pool).await?;
    if let Some(refusal) = name_unavailable(&mut tx, p.account_id, name.as_str()).await? {
        return Err(refusal);
    }
    let inserted = sqlx::query_as::<_, WorkspaceRow>(&format!(
        "INSERT INTO workspaces (account_id, name, display_name, description, data_modeling, deletion_protection, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
    ))
    .bind(p.account_id)
    .bind(name.as_str())
    .bind(display_name)
    .bind(description)
    .bind(input.data_modeling)
    .bind(input.deletion_protection)
    .bind(p.sign_in_name())
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let row = match inserted {
        Ok(row) => row,
        // On PostgreSQL two creates of one name (in any letter case) can both find it free; the
        // unique index lets one in and the other gets the answer it would have got a moment later.
        Err(error) if crate::store::is_unique_violation(&error) => {
            tx.rollback().await?;
            let mut conn = pool.acquire().await?;
            return Err(name_unavailable(&mut conn, p.account_id, name.as_str())
                .await?
                .unwrap_or_else(|| {
                    AppError::Conflict(format!(
                        "A workspace named \"{name}\" already exists in this account. Choose another name."
                    ))
                }));
        }
        Err(error) => return Err(error.into()),
    };
    let name = row.name.clone();
    crate::server::audit::commit(
        tx,
        now,
        p,
        crate::domain::audit::Action::CreateWorkspace,
        &name,
        "",
        row,
    )
    .await
}

/// Turns deletion protection on or off for an active workspace of the caller's account.
pub async fn set_deletion_protection(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    name: &str,
    enabled: bool,
) -> AppResult<crate::server::audit::Recorded<WorkspaceRow>> {
    use crate::domain::audit::Action;
    let mut tx = crate::store::write_tx(pool).await?;
    let found = find_active_in(&mut tx, p, name).await?;
    let row = sqlx::query_as::<_, WorkspaceRow>(&format!(
        "UPDATE workspaces SET deletion_protection = $1 WHERE id = $2 RETURNING {COLUMNS}"
    ))
    .bind(enabled)
    .bind(found.id)
    .fetch_one(&mut *tx)
    .await?;
    let name = row.name.clone();
    crate::server::audit::commit(
        tx,
        now,
        p,
        Action::deletion_protection(enabled),
        &name,
        "",
        row,
    )
    .await
}
