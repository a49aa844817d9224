//! `/recycle-bin/<id>`'s first view (SPEC §18) of an entry of 100,000 assets (25,000 of each core
//! type in its lists) against a Recycle Bin page view (its list of entries), in the same run: the
//! service reads of each, taking turns. Goal (issue 36): at most 2x.
use super::{R, T0, Target, median, report, root};
use std::time::Instant;
use workspace_console::deletion::service as deletion;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;

const EACH: i64 = 25_000;
const ENTRIES: i64 = 30;
const READS: usize = 21;

pub(crate) async fn run(target: &Target) -> R<()> {
    let name = "binentry";
    let pool = target.fresh(name).await?;
    let root = root(&pool).await?;
    let big = seed(&pool, root.account_id).await?;
    deletion::delete(&pool, T0, &root, "big", "big", true).await?;
    let (mut entry, mut page) = (Vec::new(), Vec::new());
    for _ in 0..READS {
        let started = Instant::now();
        let seen = bin::detail(&pool, T0 + 60, &root, big).await?;
        entry.push(started.elapsed());
        assert_eq!(seen.lists.len(), 4);
        assert!(
            seen.lists
                .iter()
                .all(|l| l.total == EACH && l.assets.len() == 20)
        );
        let started = Instant::now();
        let listed = bin::list(&pool, T0 + 60, &root, 1).await?;
        page.push(started.elapsed());
        assert_eq!(listed.total, ENTRIES + 1);
    }
    report(
        &format!(
            "first view of a Recycle Bin entry of {} assets vs a Recycle Bin page ({} entries)",
            4 * EACH,
            ENTRIES + 1
        ),
        &entry,
        &page,
        2.0,
    );
    // A deep page, for the record: the lists page by offset on the (workspace, kind, id) index.
    let mut deep = Vec::new();
    for _ in 0..READS {
        let started = Instant::now();
        let last = bin::assets_page(&pool, &root, big, "node", EACH / 20).await?;
        deep.push(started.elapsed());
        assert_eq!(last.assets.len(), 20);
    }
    println!(
        "  (medians: entry {:.2} ms, bin page {:.2} ms, last page of its nodes {:.2} ms)",
        median(entry).as_secs_f64() * 1e3,
        median(page).as_secs_f64() * 1e3,
        median(deep).as_secs_f64() * 1e3
    );
    pool.close().await;
    target.remove(name).await?;
    Ok(())
}

/// Workspace `big` with `EACH` assets of every core type, and `ENTRIES` small entries in the bin.
async fn seed(pool: &Pool, account: i64) -> R<i64> {
    let big: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, created_by, created_at)
         VALUES ($1, 'big', 'Big', 'acme', $2) RETURNING id",
    )
    .bind(account)
    .bind(T0)
    .fetch_one(pool)
    .await?;
    for (kind, subtype) in [
        ("data_source", "MySQL"),
        ("compute", "MaxCompute"),
        ("resource", "JAR"),
        ("node", "ODPS SQL"),
    ] {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
             INSERT INTO assets (workspace_id, kind, product, name, subtype, code, created_at)
             SELECT $2, $3, 'DataWorks', $3 || '_' || i, $4, '', $5 FROM n",
        )
        .bind(EACH)
        .bind(big)
        .bind(kind)
        .bind(subtype)
        .bind(T0)
        .execute(pool)
        .await?;
    }
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO workspaces (account_id, name, display_name, created_by, created_at, deleted_at, deleted_by, purge_at)
         SELECT $1, 'gone_' || i, 'Gone', 'acme', $3, $3, 'acme', $3 + 1209600 + i FROM n",
    )
    .bind(account)
    .bind(ENTRIES)
    .bind(T0)
    .execute(pool)
    .await?;
    Ok(big)
}
