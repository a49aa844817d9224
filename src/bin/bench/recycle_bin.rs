//! The Recycle Bin for teams at scale (SPEC §21, §22; issue 45), on a database of 100,000 bin
//! entries, 10,000 of them in acme's bin (the rest in 9 other accounts), 100 of acme's holding
//! 1,000 assets each (a quarter nodes, a tenth of those published, each with a downstream task
//! of an active workspace waiting for it):
//! - a filtered (search and "Deleted by") page sorted by name through `service::list` vs the same
//!   four statements bare; the plans must read the account's entries through
//!   `workspaces_bin_by_account`, never the whole table;
//! - recovering those 100 entries in one `recover_many` (the API's door: ids only) vs the same
//!   statements bare, one transaction per entry (goal: at most 1.5x);
//! - meanwhile another writer (creating workspaces, 2 ms apart) measures its worst wait
//!   (goal: at most 100 ms).
use super::{R, T0, Target, compare, median, report, root};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use workspace_console::assets::{AssetCount, AssetKind};
use workspace_console::domain::Principal;
use workspace_console::domain::audit::Source;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::domain::text::like_pattern;
use workspace_console::domain::time::format_utc;
use workspace_console::recycle_bin::service as bin;
use workspace_console::recycle_bin::{BinFilter, BinSort, PAGE_SIZE};
use workspace_console::server::audit::{Change, Origin};
use workspace_console::server::{AppState, Clock, Shared};
use workspace_console::store::{Engine, Pool, connect, write_tx};
use workspace_console::workspaces::service::{self as workspaces, NewWorkspace};

/// Entries in acme's bin, and in each of the other accounts' bins.
const PER_ACCOUNT: i64 = 10_000;
const OTHER_ACCOUNTS: i64 = 9;
/// acme's entries recovered at once (`BULK_MAX`), and the assets of each.
const RECOVERED: i64 = 100;
const ASSETS_EACH: i64 = 1_000;
/// Published nodes of each recovered entry: assets `i` with `i % 40 == 2`.
const PUBLISHED_EACH: usize = 25;
const READS: usize = 21;
const ROUNDS: usize = 3;
/// The clock of the recoveries: every entry's 14 days are still running.
const NOW: i64 = T0 + 60;
/// The page asked for: "sales" in the name, deleted by user3@acme, by name, page 2.
const QUERY: &str = "Sales";
const DELETED_BY: &str = "user3@acme";
/// Entries `i` with `i % 4 == 0` ("sales_") and `i % 5 == 3` (user3): `i % 20 == 8`.
const MATCHING: i64 = PER_ACCOUNT / 20;

pub(crate) async fn run(target: &Target) -> R<()> {
    let name = "rbin";
    let seeded = Instant::now();
    let (acme, recovered) = seed(target, name).await?;
    println!(
        "seeded {} Recycle Bin entries ({PER_ACCOUNT} in acme's bin; {RECOVERED} of them with {ASSETS_EACH} assets each) in {:.1} s",
        PER_ACCOUNT * (1 + OTHER_ACCOUNTS),
        seeded.elapsed().as_secs_f64()
    );
    list_page(target, name, &acme).await?;
    recover_many(target, name, &acme, &recovered).await?;
    writer_wait(target, name, &acme, &recovered).await?;
    target.remove(name).await?;
    Ok(())
}

/// The bin as described at the top, seeded with bulk statements (the rows a deletion leaves:
/// deleted_at, deleted_by, purge_at and the counts kept as JSON). Answers acme's root and the
/// ids of the entries with assets.
async fn seed(target: &Target, name: &str) -> R<(Principal, Vec<i64>)> {
    let pool = target.fresh(name).await?;
    let acme = root(&pool).await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO accounts (name, created_at) SELECT 'other_' || i, $2 FROM n",
    )
    .bind(OTHER_ACCOUNTS)
    .bind(T0)
    .execute(&pool)
    .await?;
    // The counts a deletion keeps: every asset type, of the entries with assets and of the empty ones.
    let kept = |each: i64| {
        serde_json::to_string(
            &AssetKind::ALL
                .into_iter()
                .map(|kind| {
                    let n = if kind.recoverable() { each / 8 } else { 0 };
                    AssetCount {
                        kind,
                        dataworks: n,
                        pai: n,
                    }
                })
                .collect::<Vec<_>>(),
        )
    };
    // Entry i of every account: a name of four kinds, deleted by one of five users, at some time
    // in the last 12 days (so every one is still recoverable at NOW). acme's first RECOVERED
    // entries get their assets below.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO workspaces (account_id, name, display_name, created_by, created_at, deleted_at, deleted_by, purge_at, binned_counts)
         SELECT a.id,
                CASE n.i % 4 WHEN 0 THEN 'sales_' WHEN 1 THEN 'etl_' WHEN 2 THEN 'report_' ELSE 'tmp_' END || n.i,
                'Entry ' || n.i, a.name, $2 - 2000000,
                $2 - (n.i * 37) % 1000000,
                CASE n.i % 5 WHEN 0 THEN a.name ELSE 'user' || (n.i % 5) || '@' || a.name END,
                $2 - (n.i * 37) % 1000000 + $3,
                CASE WHEN a.id = $4 AND n.i < $5 THEN $6 ELSE $7 END
         FROM accounts a, n ORDER BY a.id, n.i",
    )
    .bind(PER_ACCOUNT)
    .bind(T0)
    .bind(RETENTION_SECS)
    .bind(acme.account_id)
    .bind(RECOVERED)
    .bind(kept(ASSETS_EACH)?)
    .bind(kept(0)?)
    .execute(&pool)
    .await?;
    let recovered: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM workspaces WHERE account_id = $1 ORDER BY id LIMIT $2")
            .bind(acme.account_id)
            .bind(RECOVERED)
            .fetch_all(&pool)
            .await?;
    let (first, last) = (recovered[0], recovered[recovered.len() - 1]);
    // Their assets: data sources, computing resources, nodes and resources alike (125 of each in
    // each product); a tenth of the nodes published; every node with a committed version.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, code, node_status, created_at)
         SELECT w.id,
                CASE n.i % 4 WHEN 0 THEN 'data_source' WHEN 1 THEN 'compute' WHEN 2 THEN 'node' ELSE 'resource' END,
                CASE WHEN (n.i / 4) % 2 = 0 THEN 'DataWorks' ELSE 'PAI' END,
                'asset_' || n.i, 'x', 'detail of asset ' || n.i,
                CASE WHEN n.i % 4 = 2 THEN 'SELECT ' || n.i || ' FROM dual;' ELSE '' END,
                CASE WHEN n.i % 4 = 2 THEN (CASE WHEN n.i % 40 = 2 THEN 'published' ELSE 'committed' END) END,
                $2
         FROM workspaces w, n WHERE w.id BETWEEN $3 AND $4 ORDER BY w.id, n.i",
    )
    .bind(ASSETS_EACH)
    .bind(T0 - 2_000_000)
    .bind(first)
    .bind(last)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO node_versions (node_id, version, code, committed_by, committed_at)
         SELECT id, 1, code, 'acme', $1 FROM assets WHERE kind = 'node'",
    )
    .bind(T0 - 2_000_000)
    .execute(&pool)
    .await?;
    // An active workspace whose 100 published nodes each run after a published node of one of
    // those entries: their Running tasks wait (their periods ended) until it is recovered.
    let downstream: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, created_by, created_at)
         VALUES ($1, 'downstream', 'Downstream', 'acme', $2) RETURNING id",
    )
    .bind(acme.account_id)
    .bind(T0 - 2_000_000)
    .fetch_one(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO assets (workspace_id, kind, product, name, subtype, code, node_status, created_at)
         SELECT $1, 'node', 'DataWorks', 'after_' || w.id, 'ODPS SQL', 'SELECT 1;', 'published', $2
         FROM workspaces w WHERE w.id BETWEEN $3 AND $4",
    )
    .bind(downstream)
    .bind(T0 - 2_000_000)
    .bind(first)
    .bind(last)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO node_dependencies (node_id, upstream_id, account_id, created_at)
         SELECT d.id, (SELECT min(u.id) FROM assets u WHERE u.workspace_id = w.id AND u.node_status = 'published'), $1, $2
         FROM assets d JOIN workspaces w ON d.name = 'after_' || w.id
         WHERE d.workspace_id = $3 AND w.id BETWEEN $4 AND $5",
    )
    .bind(acme.account_id)
    .bind(T0 - 2_000_000)
    .bind(downstream)
    .bind(first)
    .bind(last)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO tasks (account_id, workspace_id, workspace_name, node_id, name, node_version, interval_secs, price_cents, anchor_at, status)
         SELECT $1, $2, 'downstream', id, name, 1, 3600, 50, $3, 'Running' FROM assets WHERE workspace_id = $2",
    )
    .bind(acme.account_id)
    .bind(downstream)
    .bind(T0 - 2_000_000)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO task_running_periods (task_id, started_at, ended_at) SELECT id, anchor_at, $1 FROM tasks",
    )
    .bind(T0 - 1_000_000)
    .execute(&pool)
    .await?;
    // Statistics, as a database in use has them (PostgreSQL's autovacuum would gather them in time).
    sqlx::query("ANALYZE").execute(&pool).await?;
    pool.close().await;
    Ok((acme, recovered))
}

fn filter() -> BinFilter {
    BinFilter {
        query: QUERY.into(),
        deleted_by: DELETED_BY.into(),
        sort: BinSort::Name,
        page: 2,
    }
}

/// The statements `service::list` runs for `filter()`, with their binds: the count, the page,
/// the "Deleted by" choices and the purge protection setting.
fn list_statements() -> [String; 4] {
    let matching = "account_id = $1 AND deleted_at IS NOT NULL AND purge_started_at IS NULL AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\') AND ($3 = '' OR deleted_by = $3)";
    [
        format!("SELECT count(*) FROM workspaces WHERE {matching}"),
        format!(
            "SELECT id, name, display_name, deleted_by, deleted_at, purge_at FROM workspaces
             WHERE {matching}
             ORDER BY search_name ASC, id ASC LIMIT $4 OFFSET $5"
        ),
        "SELECT DISTINCT deleted_by FROM workspaces WHERE account_id = $1 AND deleted_at IS NOT NULL AND purge_started_at IS NULL
         ORDER BY deleted_by"
            .into(),
        "SELECT purge_protection FROM account_settings WHERE account_id = $1".into(),
    ]
}

/// The four statements, each timed into `steps`, on a connection acquired as the service does.
async fn bare_list(pool: &Pool, account: i64, steps: &mut [Duration; 4]) -> R<(i64, usize)> {
    let [count, page, choices, protection] = list_statements();
    let pattern = like_pattern(QUERY);
    let mut conn = pool.acquire().await?;
    let at = Instant::now();
    let total: i64 = sqlx::query_scalar(&count)
        .bind(account)
        .bind(&pattern)
        .bind(DELETED_BY)
        .fetch_one(&mut *conn)
        .await?;
    steps[0] += at.elapsed();
    let at = Instant::now();
    let rows = sqlx::query(&page)
        .bind(account)
        .bind(&pattern)
        .bind(DELETED_BY)
        .bind(PAGE_SIZE)
        .bind(PAGE_SIZE)
        .fetch_all(&mut *conn)
        .await?;
    steps[1] += at.elapsed();
    let at = Instant::now();
    sqlx::query(&choices)
        .bind(account)
        .fetch_all(&mut *conn)
        .await?;
    steps[2] += at.elapsed();
    let at = Instant::now();
    sqlx::query(&protection)
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?;
    steps[3] += at.elapsed();
    Ok((total, rows.len()))
}

/// A filtered, sorted page: the service vs the bare statements, taking turns; then the plans.
async fn list_page(target: &Target, name: &str, acme: &Principal) -> R<()> {
    let pool = connect(&target.url(name)).await?;
    let (mut service, mut bare) = (Vec::new(), Vec::new());
    let mut steps = [Duration::ZERO; 4];
    for _ in 0..READS {
        let started = Instant::now();
        let page = bin::list(&pool, NOW, acme, &filter()).await?;
        service.push(started.elapsed());
        assert_eq!(page.total, MATCHING);
        assert_eq!(page.entries.len() as i64, PAGE_SIZE);
        assert_eq!(page.deleted_by_choices.len(), 5);
        assert!(page.entries.iter().all(|e| e.deleted_by == DELETED_BY));
        let started = Instant::now();
        let (total, rows) = bare_list(&pool, acme.account_id, &mut steps).await?;
        bare.push(started.elapsed());
        assert_eq!((total, rows as i64), (MATCHING, PAGE_SIZE));
    }
    let (s, b) = (median(service), median(bare));
    println!(
        "Recycle Bin page (search {QUERY:?}, deleted by {DELETED_BY}, by name, page 2 of {MATCHING} matches) among {PER_ACCOUNT} entries of the account, {} in the database: service {:.2} ms, bare SQL {:.2} ms (median of {READS}), ratio {:.2} (no goal on the ratio; the goal is the plans below)",
        PER_ACCOUNT * (1 + OTHER_ACCOUNTS),
        s.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        s.as_secs_f64() / b.as_secs_f64()
    );
    println!(
        "  (the bare statements, mean ms: count {:.2}, page {:.2}, \"Deleted by\" choices {:.2}, purge protection {:.2})",
        steps[0].as_secs_f64() * 1e3 / READS as f64,
        steps[1].as_secs_f64() * 1e3 / READS as f64,
        steps[2].as_secs_f64() * 1e3 / READS as f64,
        steps[3].as_secs_f64() * 1e3 / READS as f64,
    );
    // The plans of the three reads of `workspaces`, with the same values.
    let mut conn = pool.acquire().await?;
    let [count, page, choices, _] = list_statements();
    let (mut account_only, mut through_bin_index) = (true, 0);
    for (what, sql) in [("count", count), ("page", page), ("deleted by", choices)] {
        let plan = explain(&mut conn, target.engine(), &sql, acme.account_id).await?;
        let read = reads(target.engine(), &plan);
        account_only &= read != Read::Table;
        through_bin_index += usize::from(read == Read::BinIndex);
        println!(
            "  plan of the {what}: {}{}",
            plan.join(" | "),
            match read {
                Read::BinIndex => "",
                Read::AccountIndex =>
                    "  <- the account's rows, through another index on the account",
                Read::Table => "  <- NOT ONLY THE ACCOUNT'S ROWS",
            }
        );
    }
    // The goal (SPEC §21): every read takes only the account's rows, through an index on the
    // account; which one is the planner's choice (the unique (account_id, name) index serves the
    // name sort without sorting).
    println!(
        "  the page's 3 reads of workspaces: {} the account's rows, through an index on the account ({through_bin_index} of 3 through workspaces_bin_by_account) (goal: only the account's rows, through an index on the account) {}",
        if account_only { "only" } else { "NOT ONLY" },
        if account_only { "OK" } else { "OVER TARGET" }
    );
    drop(conn);
    pool.close().await;
    Ok(())
}

async fn explain(
    conn: &mut sqlx::AnyConnection,
    engine: Engine,
    sql: &str,
    account: i64,
) -> R<Vec<String>> {
    use sqlx::Row;
    let (prefix, column) = match engine {
        Engine::Sqlite => ("EXPLAIN QUERY PLAN ", 3),
        Engine::Postgres => ("EXPLAIN ", 0),
    };
    let sql = format!("{prefix}{sql}");
    let mut query = sqlx::query(&sql).bind(account);
    if sql.contains("$2") {
        query = query.bind(like_pattern(QUERY)).bind(DELETED_BY);
    }
    if sql.contains("$4") {
        query = query.bind(PAGE_SIZE).bind(PAGE_SIZE);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|row| {
            row.try_get::<String, _>(column)
                .map(|line| line.trim().to_owned())
                .map_err(Into::into)
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Read {
    /// The account's entries, in `workspaces_bin_by_account` by account.
    BinIndex,
    /// The account's rows, through another index on the account (the unique (account, name) one).
    AccountIndex,
    /// Rows of other accounts too.
    Table,
}

/// How a plan reads `workspaces`.
fn reads(engine: Engine, plan: &[String]) -> Read {
    let all = plan.join("\n");
    let accesses: Vec<&String> = match engine {
        Engine::Sqlite => plan.iter().filter(|l| l.contains(" workspaces ")).collect(),
        Engine::Postgres => plan
            .iter()
            .filter(|l| {
                l.contains("Scan")
                    && l.contains(" on workspaces")
                    && !l.contains("Bitmap Heap Scan")
            })
            .collect(),
    };
    let by_account = match engine {
        Engine::Sqlite => accesses.iter().all(|l| l.contains("(account_id=?")),
        Engine::Postgres => {
            !all.contains("Seq Scan on workspaces")
                && (all.contains("Index Cond: (account_id =")
                    || all.contains("Index Cond: ((account_id ="))
        }
    };
    if accesses.is_empty() || !by_account {
        Read::Table
    } else if accesses
        .iter()
        .all(|l| l.contains("workspaces_bin_by_account"))
    {
        Read::BinIndex
    } else {
        Read::AccountIndex
    }
}

fn state(pool: &Pool) -> R<AppState> {
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("workspace-console")
        .build();
    Ok(Shared::new(pool.clone(), Clock::fixed(NOW), options)?.share())
}

/// Recovers `ids` in one request through the API's door (ids only, each entry's deletion read first).
async fn service_recover(pool: &Pool, acme: &Principal, ids: &[i64]) -> R<()> {
    let state = state(pool)?;
    let report = bin::recover_many(
        &state,
        acme.clone(),
        Origin::new(Source::Api, "127.0.0.1"),
        ids.iter().map(|id| (*id, None)).collect(),
    )
    .await?;
    assert_eq!(report.results.len(), ids.len());
    for result in &report.results {
        assert_eq!(result.status, 200, "{result:?}");
        assert_eq!(result.nodes_to_publish.len(), PUBLISHED_EACH);
    }
    Ok(())
}

/// The statements of one Recover, in the order `recycle_bin::service::restore` runs them.
const STEPS: [&str; 7] = [
    "lock the entry",
    "unpublish its nodes",
    "read its kept counts",
    "restore the row",
    "end held-back periods",
    "start released periods",
    "audit event + commit",
];

/// The same statements as bare SQL, one transaction per entry; each statement's time is added to
/// `steps` (BEGIN counts with the lock, COMMIT with the event).
async fn bare_recover(
    pool: &Pool,
    engine: Engine,
    account: i64,
    ids: &[i64],
    steps: &Mutex<[Duration; 7]>,
) -> R<()> {
    let lock = match engine {
        Engine::Sqlite => "",
        Engine::Postgres => " FOR UPDATE",
    };
    let held_back = "EXISTS (SELECT 1 FROM node_dependencies d
         LEFT JOIN assets un ON un.id = d.upstream_id
         LEFT JOIN workspaces uw ON uw.id = un.workspace_id
         WHERE d.node_id = t.node_id AND (d.lost = TRUE OR uw.deleted_at IS NOT NULL))";
    let downstream_of = "t.node_id IN (SELECT d.node_id FROM node_dependencies d
                     JOIN assets a ON a.id = d.upstream_id WHERE a.workspace_id = $3)";
    let stop = format!(
        "UPDATE task_running_periods SET ended_at = $1 WHERE ended_at IS NULL AND task_id IN (
             SELECT t.id FROM tasks t WHERE t.account_id = $2 AND t.status = 'Running'
             AND {downstream_of} AND {held_back})"
    );
    let go = format!(
        "INSERT INTO task_running_periods (task_id, started_at)
         SELECT t.id, $1 FROM tasks t WHERE t.account_id = $2 AND t.status = 'Running'
         AND {downstream_of} AND NOT {held_back}
         AND NOT EXISTS (SELECT 1 FROM task_running_periods r WHERE r.task_id = t.id AND r.ended_at IS NULL)"
    );
    let entry_sql = format!(
        "SELECT name, deleted_at, purge_at FROM workspaces
         WHERE id = $1 AND account_id = $2 AND purge_started_at IS NULL{lock}"
    );
    let mut took = [Duration::ZERO; 7];
    for &id in ids {
        let mut at = Instant::now();
        let mut lap = |step: usize, took: &mut [Duration; 7]| {
            took[step] += at.elapsed();
            at = Instant::now();
        };
        let mut tx = write_tx(pool).await?;
        let (name, deleted_at, _purge_at): (String, i64, i64) = sqlx::query_as(&entry_sql)
            .bind(id)
            .bind(account)
            .fetch_one(&mut *tx)
            .await?;
        lap(0, &mut took);
        let unpublished = sqlx::query(
            "UPDATE assets SET node_status = 'committed'
             WHERE workspace_id = $1 AND kind = 'node' AND node_status = 'published'
             RETURNING id, name, product, subtype, node_status AS status",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        assert_eq!(unpublished.len(), PUBLISHED_EACH);
        lap(1, &mut took);
        let _kept: Option<String> =
            sqlx::query_scalar("SELECT binned_counts FROM workspaces WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        lap(2, &mut took);
        sqlx::query(
            "UPDATE workspaces SET deleted_at = NULL, deleted_by = NULL, purge_at = NULL, binned_counts = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        lap(3, &mut took);
        for (step, sql) in [(4, &stop), (5, &go)] {
            sqlx::query(sql)
                .bind(NOW)
                .bind(account)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            lap(step, &mut took);
        }
        sqlx::query(
            "INSERT INTO audit_events (account_id, at, user_name, action, workspace, source, client_ip, result, message)
             VALUES ($1, $2, 'acme', 'RecoverWorkspace', $3, 'API', '127.0.0.1', 'Success', $4)",
        )
        .bind(account)
        .bind(NOW)
        .bind(&name)
        .bind(format!(
            "Recovered from the Recycle Bin, deleted at {}.",
            format_utc(deleted_at)
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        lap(6, &mut took);
    }
    let mut steps = steps.lock().map_err(|_| "poisoned")?;
    for (sum, t) in steps.iter_mut().zip(took) {
        *sum += t;
    }
    Ok(())
}

/// Both sides leave the same rows: the entries active, their nodes unpublished, the downstream
/// tasks accruing again, an event each.
async fn check_recovered(pool: &Pool, account: i64, ids: &[i64]) -> R<()> {
    let (first, last) = (ids[0], ids[ids.len() - 1]);
    let (active, published, open, events): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM workspaces WHERE id BETWEEN $1 AND $2 AND deleted_at IS NULL),
                (SELECT count(*) FROM assets WHERE workspace_id BETWEEN $1 AND $2 AND node_status = 'published'),
                (SELECT count(*) FROM task_running_periods WHERE ended_at IS NULL),
                (SELECT count(*) FROM audit_events WHERE account_id = $3 AND action = 'RecoverWorkspace' AND result = 'Success')",
    )
    .bind(first)
    .bind(last)
    .bind(account)
    .fetch_one(pool)
    .await?;
    let n = ids.len() as i64;
    assert_eq!((active, published, open, events), (n, 0, n, n));
    Ok(())
}

async fn recover_many(target: &Target, name: &str, acme: &Principal, ids: &[i64]) -> R<()> {
    let steps = Mutex::new([Duration::ZERO; 7]);
    let (service, bare) = compare(
        ROUNDS,
        target,
        name,
        "rbrec",
        async |pool: &Pool| {
            service_recover(pool, acme, ids).await?;
            check_recovered(pool, acme.account_id, ids).await
        },
        async |pool: &Pool| {
            bare_recover(pool, target.engine(), acme.account_id, ids, &steps).await?;
            check_recovered(pool, acme.account_id, ids).await
        },
    )
    .await?;
    report(
        &format!(
            "recover {} entries of {ASSETS_EACH} assets in one request (recover_many), bare SQL one transaction per entry",
            ids.len()
        ),
        &service,
        &bare,
        1.5,
    );
    let steps = steps.into_inner().map_err(|_| "poisoned")?;
    println!(
        "  (medians: service {:.1} ms, bare {:.1} ms; the bare statements' shares: {})",
        median(service).as_secs_f64() * 1e3,
        median(bare).as_secs_f64() * 1e3,
        super::shares(&STEPS, &steps)
    );
    Ok(())
}

/// Another writer's waits (a workspace created every 2 ms, as acme's root) while `recover_many`
/// recovers the 100 entries, on a copy, and while nothing else writes; then, for the record,
/// while the bare statements recover them (one transaction per entry, back to back).
async fn writer_wait(target: &Target, name: &str, acme: &Principal, ids: &[i64]) -> R<()> {
    for bare in [false, true] {
        let copy = "rbwait";
        let pool = target.copy(name, copy).await?;
        let idle = writer_waits(&pool, acme, "idle", None).await?;
        let recovery = {
            let (pool, acme, ids, engine) =
                (pool.clone(), acme.clone(), ids.to_vec(), target.engine());
            tokio::spawn(async move {
                let started = Instant::now();
                let done = if bare {
                    let steps = Mutex::new([Duration::ZERO; 7]);
                    bare_recover(&pool, engine, acme.account_id, &ids, &steps).await
                } else {
                    service_recover(&pool, &acme, &ids).await
                };
                (done, started.elapsed())
            })
        };
        let during = writer_waits(&pool, acme, "busy", Some(&recovery)).await?;
        let (done, took) = recovery.await?;
        done?;
        check_recovered(&pool, acme.account_id, ids).await?;
        let (idle_p50, idle_max) = super::p50_and_worst(&idle);
        let (p50, max) = super::p50_and_worst(&during);
        if bare {
            println!(
                "  (for the record, another writer during the bare statements ({:.0} ms): {} creates, wait p50 {:.1} ms, worst {:.1} ms)",
                took.as_secs_f64() * 1e3,
                during.len(),
                p50 * 1e3,
                max * 1e3,
            );
        } else {
            println!(
                "another writer during that recover_many ({:.0} ms): {} creates, wait p50 {:.1} ms, worst {:.1} ms (idle: p50 {:.1} ms, worst {:.1} ms; goal worst <= 100 ms) {}",
                took.as_secs_f64() * 1e3,
                during.len(),
                p50 * 1e3,
                max * 1e3,
                idle_p50 * 1e3,
                idle_max * 1e3,
                if max <= 0.1 { "OK" } else { "OVER TARGET" },
            );
        }
        pool.close().await;
        target.remove(copy).await?;
    }
    Ok(())
}

type Recovery = tokio::task::JoinHandle<(R<()>, Duration)>;

/// Creates a workspace every 2 ms until `until` finishes (or for a second); each create's time.
async fn writer_waits(
    pool: &Pool,
    acme: &Principal,
    tag: &str,
    until: Option<&Recovery>,
) -> R<Vec<f64>> {
    let started = Instant::now();
    let mut waits = vec![];
    let mut i = 0;
    loop {
        let busy = until.is_some_and(|task| !task.is_finished());
        if !busy && (until.is_some() || started.elapsed() >= Duration::from_secs(1)) {
            break;
        }
        let input = NewWorkspace {
            name: format!("writer_{tag}_{i}"),
            display_name: String::new(),
            description: String::new(),
            data_modeling: false,
            deletion_protection: false,
        };
        let t = Instant::now();
        workspaces::create(pool, &Change::console(NOW, acme), input).await?;
        waits.push(t.elapsed().as_secs_f64());
        i += 1;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(waits)
}
