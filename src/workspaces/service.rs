use super::store::{self, COLUMNS, active};
use super::{PAGE_SIZE, WorkspacePage, WorkspaceRow};
use crate::domain::{Principal, WorkspaceName, text};
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, k};
use crate::server::audit::Change;
use crate::store::Pool;

pub use super::store::{find_active, find_active_in, name_unavailable};

pub struct NewWorkspace {
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub data_modeling: bool,
    pub deletion_protection: bool,
}

pub use crate::domain::text::MAX_SEARCH_CHARS;
use crate::domain::text::like_pattern;

pub async fn list(pool: &Pool, p: &Principal, query: &str, page: i64) -> AppResult<WorkspacePage> {
    if query.trim().chars().count() > MAX_SEARCH_CHARS {
        return Err(AppError::Invalid(
            Msg::new(k::error_search_too_long).with("max", MAX_SEARCH_CHARS),
        ));
    }
    text::single_line(k::field_search_text, query).map_err(AppError::Invalid)?;
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
    let count = format!(
        "SELECT count(*) FROM workspaces WHERE account_id = $1 AND {}
         AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')",
        active("")
    );
    let (total, rows) = tokio::try_join!(
        sqlx::query_scalar::<_, i64>(&count)
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
        "SELECT {COLUMNS} FROM workspaces WHERE account_id = $1 AND {}
         AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\')
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
        active("")
    ))
    .bind(p.account_id)
    .bind(pattern)
    .bind(PAGE_SIZE)
    // Saturating: a page number far past the last (any i64 may arrive) reads nothing.
    .bind(page.saturating_sub(1).saturating_mul(PAGE_SIZE))
    .fetch_all(pool)
    .await
}

pub async fn create(
    pool: &Pool,
    change: &Change,
    input: NewWorkspace,
) -> AppResult<crate::server::audit::Recorded<WorkspaceRow>> {
    let (now, p) = (change.now, &change.principal);
    let name = WorkspaceName::parse(&input.name).map_err(|e| AppError::Invalid(e.msg()))?;
    let display_name = match input.display_name.trim() {
        "" => name.to_string(),
        d if d.chars().count() > 64 => {
            return Err(AppError::Invalid(
                Msg::new(k::error_at_most_chars)
                    .with_text("what", k::field_display_name)
                    .with("max", 64),
            ));
        }
        d => d.to_owned(),
    };
    text::single_line(k::field_display_name, &input.display_name).map_err(AppError::Invalid)?;
    let description = input.description.trim().to_owned();
    if description.chars().count() > 1024 {
        return Err(AppError::Invalid(
            Msg::new(k::error_at_most_chars)
                .with_text("what", k::field_description)
                .with("max", 1024),
        ));
    }
    text::multi_line(k::field_description, &input.description).map_err(AppError::Invalid)?;
    let mut tx = crate::store::write_tx(pool).await?;
    if let Some(refusal) = name_unavailable(&mut tx, p.account_id, name.as_str()).await? {
        return Err(refusal);
    }
    let inserted = store::create(
        &mut tx,
        now,
        p,
        store::NewRow {
            name: name.as_str(),
            display_name,
            description,
            data_modeling: input.data_modeling,
            deletion_protection: input.deletion_protection,
        },
    )
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
                .unwrap_or_else(|| store::name_taken(name.as_str())));
        }
        Err(error) => return Err(error.into()),
    };
    let name = row.name.clone();
    crate::server::audit::commit(
        tx,
        change,
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
    change: &Change,
    name: &str,
    enabled: bool,
) -> AppResult<crate::server::audit::Recorded<WorkspaceRow>> {
    let p = &change.principal;
    use crate::domain::audit::Action;
    let mut tx = crate::store::write_tx(pool).await?;
    let found = find_active_in(&mut tx, p, name).await?;
    let row = store::set_protection(&mut tx, found.id, enabled).await?;
    let name = row.name.clone();
    crate::server::audit::commit(
        tx,
        change,
        Action::deletion_protection(enabled),
        &name,
        "",
        row,
    )
    .await
}
