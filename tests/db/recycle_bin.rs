//! The Recycle Bin at the service level: recover (what it restores, until when, once), delete
//! permanently, names reserved while binned, another account's entries, ids never reused.
use crate::helpers::*;
use workspace_console::assets::AssetKind;
use workspace_console::assets::service as assets;
use workspace_console::deletion::service as deletion;
use workspace_console::domain::Principal;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::error::AppError;
use workspace_console::identity::service as identity;
use workspace_console::recycle_bin::service as bin;
use workspace_console::recycle_bin::{BinEntry, BinFilter, BinSort};
use workspace_console::store::Pool;
use workspace_console::workspaces::service as workspaces;

async fn entry_deleted_at(pool: &Pool, ws_id: i64) -> i64 {
    sqlx::query_scalar("SELECT deleted_at FROM workspaces WHERE id = $1")
        .bind(ws_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

on_both_engines!(recover_restores_exactly_the_four_types_in_both_products);
async fn recover_restores_exactly_the_four_types_in_both_products(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    deletion::delete(&pool, &by(&acme, T0), "sales_dw", "sales_dw", true)
        .await
        .unwrap();
    let report = bin::recover(&pool, &by(&acme, T0 + DAY), ws, T0)
        .await
        .unwrap();
    for c in &report.restored {
        assert!(
            c.kind.recoverable() && c.dataworks == 1 && c.pai == 1,
            "{c:?}"
        );
    }
    assert_eq!(report.restored.len(), 4);
    let overview = assets::overview(&pool, &acme, "sales_dw").await.unwrap();
    for c in overview.counts {
        let expected = if c.kind.recoverable() { 1 } else { 0 };
        assert_eq!((c.dataworks, c.pai), (expected, expected), "{:?}", c.kind);
    }
}

on_both_engines!(recovered_nodes_keep_code_and_versions_but_are_unpublished);
async fn recovered_nodes_keep_code_and_versions_but_are_unpublished(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    let node = publish(&pool, &acme, "ws1", "n1", T0).await;
    deletion::delete(&pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    let report = bin::recover(&pool, &by(&acme, T0 + 1), ws, T0)
        .await
        .unwrap();
    assert_eq!(
        report
            .nodes_to_publish
            .iter()
            .map(|n| n.id)
            .collect::<Vec<_>>(),
        [node]
    );
    let detail = assets::node_detail(&pool, &acme, "ws1", node)
        .await
        .unwrap();
    assert_eq!(
        (
            detail.node.status.as_str(),
            detail.code.as_str(),
            detail.versions.len()
        ),
        ("committed", "SELECT 'n1';", 1)
    );
    assert!(detail.task_status.is_none());
    assert_eq!(count(&pool, "SELECT count(*) FROM tasks").await, 0);
    // Publishing again re-creates its auto triggered task.
    assets::publish(&pool, &by(&acme, T0 + 2), "ws1", node)
        .await
        .unwrap();
    assert_eq!(
        count(&pool, "SELECT count(*) FROM tasks WHERE status = 'Running'").await,
        1
    );
}

on_both_engines!(recover_works_until_one_second_before_fourteen_days_and_never_after);
async fn recover_works_until_one_second_before_fourteen_days_and_never_after(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let a = workspace(&pool, &acme, "ws_a", false).await;
    let b = workspace(&pool, &acme, "ws_b", false).await;
    deletion::delete(&pool, &by(&acme, T0), "ws_a", "ws_a", true)
        .await
        .unwrap();
    deletion::delete(&pool, &by(&acme, T0), "ws_b", "ws_b", true)
        .await
        .unwrap();
    assert!(
        bin::recover(&pool, &by(&acme, T0 + RETENTION_SECS - 1), a, T0)
            .await
            .is_ok()
    );
    let late = bin::recover(&pool, &by(&acme, T0 + RETENTION_SECS), b, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(&late, AppError::Conflict(m) if m.contains("can no longer be recovered")),
        "{late:?}"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM workspaces WHERE deleted_at IS NOT NULL"
        )
        .await,
        1
    );
}

on_both_engines!(purge_removes_everything_and_frees_the_name);
async fn purge_removes_everything_and_frees_the_name(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    fill(&pool, &acme, "ws1", false).await;
    publish(&pool, &acme, "ws1", "n1", T0).await;
    deletion::delete(&pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    assert!(matches!(
        bin::purge(&pool, &by(&acme, T0), ws, T0, "WS1").await,
        Err(AppError::Invalid(_))
    ));
    bin::purge(&pool, &by(&acme, T0), ws, T0, "ws1")
        .await
        .unwrap();
    for table in ["workspaces", "assets", "node_versions", "tasks"] {
        assert_eq!(
            count(&pool, &format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    workspaces::create(&pool, &by(&acme, T0 + 1), new_ws("WS1"))
        .await
        .unwrap();
}

on_both_engines!(a_name_in_the_bin_is_reserved_in_any_letter_case_until_recovered_or_purged);
async fn a_name_in_the_bin_is_reserved_in_any_letter_case_until_recovered_or_purged(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "finance_etl", false).await;
    deletion::delete(&pool, &by(&acme, T0), "finance_etl", "finance_etl", true)
        .await
        .unwrap();
    let err = workspaces::create(&pool, &by(&acme, T0 + 1), new_ws("FINANCE_ETL"))
        .await
        .unwrap_err();
    let AppError::NameReserved(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("finance_etl")
            && message.contains("Recycle Bin")
            && message.contains("released")
            && message.contains("Recover")
    );
    bin::recover(&pool, &by(&acme, T0 + 2), ws, T0)
        .await
        .unwrap();
    let err = workspaces::create(&pool, &by(&acme, T0 + 3), new_ws("Finance_ETL"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Conflict(_)),
        "after recovery it is an active workspace's name"
    );
}

on_both_engines!(concurrent_recover_and_purge_leave_one_consistent_outcome);
async fn concurrent_recover_and_purge_leave_one_consistent_outcome(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for (round, name) in ["ws_rr", "ws_rp", "ws_pp"].iter().enumerate() {
        let ws = workspace(&pool, &acme, name, false).await;
        asset(&pool, &acme, name, "node", "DataWorks", "n").await;
        deletion::delete(&pool, &by(&acme, T0), name, name, true)
            .await
            .unwrap();
        let deleted_at = entry_deleted_at(&pool, ws).await;
        let (a, b) = match round {
            0 => tokio::join!(
                async {
                    bin::recover(&pool, &by(&acme, T0 + 1), ws, deleted_at)
                        .await
                        .map(drop)
                },
                async {
                    bin::recover(&pool, &by(&acme, T0 + 1), ws, deleted_at)
                        .await
                        .map(drop)
                }
            ),
            1 => tokio::join!(
                async {
                    bin::recover(&pool, &by(&acme, T0 + 1), ws, deleted_at)
                        .await
                        .map(drop)
                },
                async {
                    bin::purge(&pool, &by(&acme, T0), ws, deleted_at, name)
                        .await
                        .map(drop)
                }
            ),
            _ => tokio::join!(
                async {
                    bin::purge(&pool, &by(&acme, T0), ws, deleted_at, name)
                        .await
                        .map(drop)
                },
                async {
                    bin::purge(&pool, &by(&acme, T0), ws, deleted_at, name)
                        .await
                        .map(drop)
                }
            ),
        };
        assert!(
            a.is_ok() != b.is_ok(),
            "exactly one wins in {name}: {a:?} {b:?}"
        );
        let loser = a.err().or(b.err()).unwrap();
        assert!(
            matches!(loser, AppError::Conflict(_) | AppError::NotFound(_)),
            "{loser:?}"
        );
        let state: Option<Option<i64>> =
            sqlx::query_scalar("SELECT deleted_at FROM workspaces WHERE id = $1")
                .bind(ws)
                .fetch_optional(&pool)
                .await
                .unwrap();
        let assets_left = count(
            &pool,
            &format!("SELECT count(*) FROM assets WHERE workspace_id = {ws}"),
        )
        .await;
        match state {
            Some(None) => assert_eq!(assets_left, 1, "recovered with its node"),
            None => assert_eq!(assets_left, 0, "purged with its node"),
            Some(Some(_)) => panic!("{name} is still in the bin"),
        }
    }
}

on_both_engines!(a_second_recover_is_told_it_is_already_recovered);
async fn a_second_recover_is_told_it_is_already_recovered(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    bin::recover(&pool, &by(&acme, T0 + 1), ws, T0)
        .await
        .unwrap();
    let err = bin::recover(&pool, &by(&acme, T0 + 2), ws, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("already been recovered")),
        "{err:?}"
    );
}

on_both_engines!(another_accounts_bin_entry_answers_as_missing);
async fn another_accounts_bin_entry_answers_as_missing(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    let foreign = bin::recover(&pool, &by(&globex, T0 + 1), ws, T0)
        .await
        .unwrap_err();
    let missing = bin::recover(&pool, &by(&globex, T0 + 1), 9_999, T0)
        .await
        .unwrap_err();
    assert_eq!(foreign, missing);
    assert!(
        bin::purge(&pool, &by(&globex, T0), ws, T0, "ws1")
            .await
            .is_err()
    );
    assert_eq!(
        bin::list(&pool, T0, &globex, &bin_page(1))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        bin::list(&pool, T0, &acme, &bin_page(1))
            .await
            .unwrap()
            .total,
        1
    );
}

on_both_engines!(ids_are_never_reused_so_a_stale_recover_never_restores_another_workspace);
async fn ids_are_never_reused_so_a_stale_recover_never_restores_another_workspace(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let old = workspace(&pool, &acme, "aba_old", false).await;
    deletion::delete(&pool, &by(&acme, T0), "aba_old", "aba_old", true)
        .await
        .unwrap();
    bin::purge(&pool, &by(&acme, T0), old, T0, "aba_old")
        .await
        .unwrap();
    let new = workspace(&pool, &acme, "aba_new", false).await;
    assert_ne!(new, old, "a purged workspace's id was given to another");
    deletion::delete(&pool, &by(&acme, T0), "aba_new", "aba_new", true)
        .await
        .unwrap();
    let stale = bin::recover(&pool, &by(&acme, T0 + 1), old, T0)
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::NotFound(_)), "{stale:?}");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM workspaces WHERE name = 'aba_new' AND deleted_at IS NOT NULL"
        )
        .await,
        1,
        "aba_new stays in the bin"
    );
    // Users too: a deleted user's id is never handed out again.
    let ghost = ram_user(&pool, &acme, "ghost", None).await;
    identity::delete_ram_user(&pool, &by(&acme, T0), ghost.user_id)
        .await
        .unwrap();
    let next = ram_user(&pool, &acme, "newhire", None).await;
    assert_ne!(next.user_id, ghost.user_id);
}

on_both_engines!(purge_protection_refuses_every_early_purge_but_not_the_fourteen_day_job);
async fn purge_protection_refuses_every_early_purge_but_not_the_fourteen_day_job(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    let ws2 = workspace(&pool, &acme, "ws2", false).await;
    fill(&pool, &acme, "ws1", false).await;
    for name in ["ws1", "ws2"] {
        deletion::delete(&pool, &by(&acme, T0), name, name, true)
            .await
            .unwrap();
    }
    let protected = |who: &Principal| {
        let (pool, who) = (pool.clone(), who.clone());
        async move {
            bin::list(&pool, T0, &who, &bin_page(1))
                .await
                .unwrap()
                .purge_protection
        }
    };
    assert!(!protected(&acme).await, "off by default");
    let on = bin::set_purge_protection(&pool, &by(&acme, T0), true)
        .await
        .unwrap();
    assert!(on.into_inner());
    assert!(protected(&alice).await, "anyone who views the bin reads it");
    let before = fingerprint(&pool).await;
    for who in [&acme, &alice] {
        assert_eq!(
            bin::purge(&pool, &by(who, T0 + 60), ws, T0, "ws1")
                .await
                .map(drop),
            Err(AppError::Protected(
                "Purge protection is on for this account".into()
            )),
            "{}",
            who.user_name
        );
    }
    assert_eq!(
        fingerprint(&pool).await,
        before,
        "a refused purge changes nothing"
    );
    // Recover still works, and the 14-day job purges as always.
    bin::recover(&pool, &by(&alice, T0 + 60), ws2, T0)
        .await
        .unwrap();
    assert_eq!(
        bin::purge_expired(&pool, T0 + RETENTION_SECS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM workspaces WHERE deleted_at IS NULL"
        )
        .await,
        1
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM workspaces").await, 1);
}

/// What a refused change must leave as it was: every table's row count and the bin's entries.
async fn fingerprint(pool: &Pool) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "workspaces",
        "assets",
        "node_versions",
        "tasks",
        "notifications",
    ] {
        counts.push(count(pool, &format!("SELECT count(*) FROM {table}")).await);
    }
    counts.push(
        count(
            pool,
            "SELECT count(*) FROM workspaces WHERE deleted_at IS NOT NULL AND purge_started_at IS NULL",
        )
        .await,
    );
    counts
}

on_both_engines!(only_the_root_changes_purge_protection_and_turning_it_off_notifies_full_access);
async fn only_the_root_changes_purge_protection_and_turning_it_off_notifies_full_access(
    pool: Pool,
) {
    use workspace_console::notifications::{Kind, service as notices};
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    let rita = ram_user(&pool, &acme, "rita", Some("AliyunDataWorksReadOnlyAccess")).await;
    let other = account(&pool, "other").await;
    // The service is reached through the permission check; the check itself is the matrix's.
    assert!(
        alice
            .require(workspace_console::domain::Capability::ManageAccount)
            .is_err()
    );
    bin::set_purge_protection(&pool, &by(&acme, T0), true)
        .await
        .unwrap();
    // Turning it on again, or off when it is off, tells nobody.
    bin::set_purge_protection(&pool, &by(&acme, T0), true)
        .await
        .unwrap();
    bin::set_purge_protection(&pool, &by(&other, T0), false)
        .await
        .unwrap();
    for who in [&acme, &alice, &rita, &other] {
        assert!(notices::list(&pool, who).await.unwrap().notices.is_empty());
    }
    bin::set_purge_protection(&pool, &by(&acme, T0 + 5), false)
        .await
        .unwrap();
    for (who, told) in [
        (&acme, true),
        (&alice, true),
        (&rita, false),
        (&other, false),
    ] {
        let got = notices::list(&pool, who).await.unwrap().notices;
        assert_eq!(got.len(), usize::from(told), "{}", who.user_name);
        if let Some(notice) = got.first() {
            assert_eq!(notice.kind, Kind::PurgeProtectionOff);
            assert_eq!(notice.detail, "acme");
            assert!(
                notice
                    .text()
                    .starts_with("Purge protection was turned off by acme")
            );
            assert_eq!(notice.link(), "/recycle-bin");
        }
    }
    bin::set_purge_protection(&pool, &by(&acme, T0 + 6), false)
        .await
        .unwrap();
    assert_eq!(notices::list(&pool, &alice).await.unwrap().notices.len(), 1);
    // Each change is audited.
    assert_eq!(
        events(&pool, &acme, by_action("EnablePurgeProtection"))
            .await
            .len(),
        2
    );
    assert_eq!(
        events(&pool, &acme, by_action("DisablePurgeProtection"))
            .await
            .len(),
        2
    );
}

// A look into an entry (SPEC §18): its counts, what was deleted with it, its orphaned tasks still
// billing, its lists a page at a time, a node's code and versions; another account's entry and a
// recovered one are missing.
on_both_engines!(an_entry_shows_what_it_holds_and_what_still_bills);
async fn an_entry_shows_what_it_holds_and_what_still_bills(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    let node = publish(&pool, &acme, "sales_dw", "n1", T0).await;
    for i in 0..43 {
        asset(
            &pool,
            &acme,
            "sales_dw",
            "data_source",
            "PAI",
            &format!("ds_{i:02}"),
        )
        .await;
    }
    // Its task is left Running: an orphan that keeps billing.
    deletion::delete(&pool, &by(&acme, T0), "sales_dw", "sales_dw", false)
        .await
        .unwrap();
    let seen = bin::detail(&pool, T0 + 2 * 3600, &acme, ws).await.unwrap();
    assert_eq!(seen.entry.name, "sales_dw");
    assert_eq!(seen.entry.purge_at, T0 + RETENTION_SECS);
    let count = |of: &[workspace_console::assets::AssetCount], kind: AssetKind| {
        of.iter()
            .find(|c| c.kind == kind)
            .map(|c| (c.dataworks, c.pai))
    };
    assert_eq!(seen.counts.len(), 4);
    assert_eq!(count(&seen.counts, AssetKind::DataSource), Some((1, 44)));
    assert_eq!(count(&seen.counts, AssetKind::Node), Some((2, 1)));
    let gone = seen
        .deleted_with_it
        .as_deref()
        .expect("kept since the bin entry page");
    assert_eq!(count(gone, AssetKind::DiTask), Some((1, 1)));
    assert_eq!(count(gone, AssetKind::Model), Some((1, 1)));
    assert_eq!(seen.still_billing.len(), 1, "{:?}", seen.still_billing);
    assert_eq!(seen.still_billing[0].name, "n1");
    assert!(seen.still_billing[0].cost_cents > 0);
    assert_eq!(seen.downstream_dependencies.count, 0);
    let kinds: Vec<AssetKind> = seen.lists.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            AssetKind::DataSource,
            AssetKind::Compute,
            AssetKind::Resource,
            AssetKind::Node
        ]
    );
    let sources = &seen.lists[0];
    assert_eq!(
        (sources.total, sources.pages, sources.assets.len()),
        (45, 3, 20)
    );
    let last = bin::assets_page(&pool, &acme, ws, "data_source", 9)
        .await
        .unwrap();
    assert_eq!((last.page, last.assets.len()), (3, 5));
    let mut unique = Vec::new();
    for page in 1..=3 {
        let page = bin::assets_page(&pool, &acme, ws, "data_source", page)
            .await
            .unwrap();
        unique.extend(page.assets.into_iter().map(|a| a.id));
    }
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 45, "each asset on exactly one page");
    assert!(matches!(
        bin::assets_page(&pool, &acme, ws, "di_task", 1).await,
        Err(AppError::Invalid(_))
    ));
    let detail = bin::node(&pool, &acme, ws, node).await.unwrap();
    assert_eq!(detail.code, "SELECT 'n1';");
    assert_eq!(detail.versions.len(), 1);

    let globex = account(&pool, "globex").await;
    for missing in [
        bin::detail(&pool, T0, &globex, ws).await.err(),
        bin::node(&pool, &globex, ws, node).await.err(),
        bin::assets_page(&pool, &globex, ws, "node", 1).await.err(),
        bin::detail(&pool, T0, &acme, ws + 1000).await.err(),
    ] {
        assert!(
            matches!(missing, Some(AppError::NotFound(_))),
            "{missing:?}"
        );
    }
    bin::recover(&pool, &by(&acme, T0 + 3), ws, T0)
        .await
        .unwrap();
    assert!(matches!(
        bin::detail(&pool, T0 + 4, &acme, ws).await,
        Err(AppError::NotFound(_))
    ));
}

// ---- Finding entries (SPEC §21) ---------------------------------------------------------------

/// Every page of the caller's bin under `filter` (its `page` ignored), in order, and the total
/// and number of pages the first page answered.
async fn every_page(pool: &Pool, p: &Principal, filter: &BinFilter) -> (Vec<BinEntry>, i64, i64) {
    let first = bin::list(
        pool,
        T0,
        p,
        &BinFilter {
            page: 1,
            ..filter.clone()
        },
    )
    .await
    .unwrap();
    let mut all = first.entries.clone();
    for page in 2..=first.pages {
        let next = bin::list(
            pool,
            T0,
            p,
            &BinFilter {
                page,
                ..filter.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(next.page, page);
        assert_eq!(
            next.total, first.total,
            "the total is the same on every page"
        );
        all.extend(next.entries);
    }
    (all, first.total, first.pages)
}

fn search(query: &str, deleted_by: &str, sort: BinSort) -> BinFilter {
    BinFilter {
        query: query.into(),
        deleted_by: deleted_by.into(),
        sort,
        page: 1,
    }
}

fn names(entries: &[BinEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

/// `entries` in the order `sort` asks for, equal values by id in the same direction: what every
/// page of the bin must show, computed here without SQL.
fn sorted(mut entries: Vec<BinEntry>, sort: BinSort) -> Vec<BinEntry> {
    entries.sort_by(|a, b| {
        let by = if sort.by_name() {
            a.name.to_lowercase().cmp(&b.name.to_lowercase())
        } else {
            a.deleted_at.cmp(&b.deleted_at)
        };
        let order = by.then(a.id.cmp(&b.id));
        if sort.descending() {
            order.reverse()
        } else {
            order
        }
    });
    entries
}

on_both_engines!(the_bin_searches_filters_and_sorts_with_ties_by_id_and_stable_pages_of_20);
async fn the_bin_searches_filters_and_sorts_with_ties_by_id_and_stable_pages_of_20(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    let globex = account(&pool, "globex").await;
    // 25 of acme's, five deleted in each minute (ties), 20 of alice's, one a minute; two whose
    // names tell a literal underscore from any character; another account's and an active one.
    let mut deletions: Vec<(String, &Principal, i64)> = Vec::new();
    for i in 0..25 {
        deletions.push((format!("Sales_Q{i:02}"), &acme, T0 + (i / 5) * 60));
    }
    for i in 0..20 {
        deletions.push((format!("ops_{i:02}"), &alice, T0 + 30 + i * 60));
    }
    deletions.push(("a_b_test".into(), &alice, T0 + 7));
    deletions.push(("axb_test".into(), &alice, T0 + 7));
    for (name, _, _) in &deletions {
        workspace(&pool, &acme, name, false).await;
    }
    for (name, who, at) in &deletions {
        deletion::delete(&pool, &by(who, *at), name, name, true)
            .await
            .unwrap();
    }
    workspace(&pool, &acme, "sales_active", false).await;
    workspace(&pool, &globex, "sales_globex", false).await;
    deletion::delete(
        &pool,
        &by(&globex, T0),
        "sales_globex",
        "sales_globex",
        true,
    )
    .await
    .unwrap();

    // Newest deletion first by default, 20 a page; a page below 1 or past the last clamps.
    let (all, total, pages) = every_page(&pool, &acme, &BinFilter::default()).await;
    assert_eq!((total, pages), (47, 3));
    assert_eq!(all.len(), 47);
    let ids: std::collections::HashSet<i64> = all.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 47, "no entry on two pages");
    assert_eq!(all, sorted(all.clone(), BinSort::DeletedAtDesc));
    assert_eq!(all[0].name, "ops_19");
    let first = bin::list(&pool, T0, &acme, &bin_page(1)).await.unwrap();
    assert_eq!(first.entries.len(), 20);
    assert_eq!(first.deleted_by_choices, ["acme", "alice@acme"]);
    for (asked, got) in [(0, 1), (-5, 1), (3, 3), (99, 3)] {
        let page = bin::list(&pool, T0, &acme, &bin_page(asked)).await.unwrap();
        assert_eq!(page.page, got, "page {asked}");
    }
    assert_eq!(
        bin::list(&pool, T0, &acme, &bin_page(3))
            .await
            .unwrap()
            .entries
            .len(),
        7
    );

    // Each sort: every page in that order, equal deletion times by id, in the same direction.
    for sort in BinSort::ALL {
        let (got, total, _) = every_page(&pool, &acme, &search("", "", sort)).await;
        assert_eq!(total, 47, "{sort:?}");
        assert_eq!(names(&got), names(&sorted(all.clone(), sort)), "{sort:?}");
    }
    let (oldest, ..) = every_page(&pool, &acme, &search("", "", BinSort::DeletedAt)).await;
    let tied: Vec<i64> = oldest.iter().take(5).map(|e| e.id).collect();
    assert!(tied.windows(2).all(|w| w[0] < w[1]), "{tied:?}");
    assert_eq!(
        names(&oldest[..5]),
        [
            "Sales_Q00",
            "Sales_Q01",
            "Sales_Q02",
            "Sales_Q03",
            "Sales_Q04"
        ]
    );

    // Any part of the name, ignoring letter case, only this account's entries in the bin.
    for (query, want) in [
        ("SALES", 25),
        ("sales_q1", 10),
        ("q2", 5),
        ("  Q24 ", 1),
        ("OPS_", 20),
    ] {
        let (got, total, _) = every_page(&pool, &acme, &search(query, "", BinSort::Name)).await;
        assert_eq!(
            (got.len() as i64, total),
            (want, want),
            "{query:?}: {:?}",
            names(&got)
        );
        for e in &got {
            assert!(
                e.name
                    .to_lowercase()
                    .contains(query.trim().to_lowercase().as_str()),
                "{query:?}: {}",
                e.name
            );
        }
    }
    // `_`, `%` and `\` match themselves.
    for (query, want) in [
        ("a_b", vec!["a_b_test"]),
        ("_", vec!["a_b_test", "axb_test"]),
        ("%", vec![]),
        ("\\", vec![]),
        ("sales_active", vec![]),
        ("globex", vec![]),
    ] {
        let (got, ..) = every_page(&pool, &acme, &search(query, "", BinSort::Name)).await;
        let mut got = names(&got);
        got.retain(|n| n.ends_with("_test"));
        assert_eq!(got, want, "{query:?}");
    }
    let empty = bin::list(
        &pool,
        T0,
        &acme,
        &search("nothing_like_it", "", BinSort::Name),
    )
    .await
    .unwrap();
    assert_eq!((empty.total, empty.pages, empty.entries.len()), (0, 1, 0));
    assert_eq!(
        empty.deleted_by_choices,
        ["acme", "alice@acme"],
        "all choices"
    );

    // "Deleted by": the sign-in name, exactly; with a search too.
    let (by_alice, total, _) = every_page(
        &pool,
        &acme,
        &search("", "alice@acme", BinSort::DeletedAtDesc),
    )
    .await;
    assert_eq!(total, 22);
    assert!(by_alice.iter().all(|e| e.deleted_by == "alice@acme"));
    let (by_acme, total, _) = every_page(&pool, &acme, &search("", "acme", BinSort::Name)).await;
    assert_eq!(total, 25);
    assert_eq!(by_acme, sorted(by_acme.clone(), BinSort::Name));
    let (both, ..) = every_page(
        &pool,
        &acme,
        &search("test", "alice@acme", BinSort::NameDesc),
    )
    .await;
    assert_eq!(names(&both), ["axb_test", "a_b_test"]);
    for nobody in ["alice", "bob@acme", "globex"] {
        let page = bin::list(&pool, T0, &acme, &search("", nobody, BinSort::Name))
            .await
            .unwrap();
        assert_eq!(page.total, 0, "{nobody}");
    }
    // Another account sees its own entry alone, and its own choices.
    let theirs = bin::list(&pool, T0, &globex, &bin_page(1)).await.unwrap();
    assert_eq!(names(&theirs.entries), ["sales_globex"]);
    assert_eq!(theirs.deleted_by_choices, ["globex"]);
    // A search longer than a name can be is refused.
    let long = bin::list(
        &pool,
        T0,
        &acme,
        &search(&"x".repeat(65), "", BinSort::Name),
    )
    .await
    .unwrap_err();
    assert!(matches!(long, AppError::Invalid(_)), "{long:?}");

    // Stable pages: an entry recovered meanwhile moves the rest up by one, never skips or repeats.
    let before = every_page(&pool, &acme, &BinFilter::default()).await.0;
    let gone = before[5].clone();
    bin::recover(&pool, &by(&acme, T0 + DAY), gone.id, gone.deleted_at)
        .await
        .unwrap();
    let after = every_page(&pool, &acme, &BinFilter::default()).await.0;
    let mut expected = before.clone();
    expected.remove(5);
    assert_eq!(after, expected);
}

// Sorting by name orders names as their lower-case letters compare byte by byte, on both engines
// (SQLite's NOCASE; PostgreSQL's `nocase` ICU collation puts `_` before digits instead).
async fn sorting_by_name_is_the_same_on_both_engines(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for name in ["ab_1", "ab1", "Ab2", "ab_z", "abz", "AB0x"] {
        workspace(&pool, &acme, name, false).await;
        deletion::delete(&pool, &by(&acme, T0), name, name, true)
            .await
            .unwrap();
    }
    let (got, ..) = every_page(&pool, &acme, &search("", "", BinSort::Name)).await;
    assert_eq!(
        names(&got),
        ["AB0x", "ab1", "Ab2", "ab_1", "ab_z", "abz"],
        "{:?}",
        Engine::of_pool(&pool)
    );
}
on_both_engines!(sorting_by_name_is_the_same_on_both_engines);

/// The statements of `bin::list` (src/recycle_bin/service.rs), word for word, for `sort`.
fn list_statements(sort: BinSort) -> [String; 3] {
    let in_bin = "deleted_at IS NOT NULL AND purge_started_at IS NULL";
    let matching = format!(
        "account_id = $1 AND {in_bin} AND ($2 = '' OR search_name LIKE $2 ESCAPE '\\') AND ($3 = '' OR deleted_by = $3)"
    );
    let column = if sort.by_name() {
        "search_name"
    } else {
        "deleted_at"
    };
    let direction = if sort.descending() { "DESC" } else { "ASC" };
    [
        format!("SELECT count(*) FROM workspaces WHERE {matching}"),
        format!(
            "SELECT id, name, display_name, deleted_by, deleted_at, purge_at FROM workspaces
         WHERE {matching}
         ORDER BY {column} {direction}, id {direction} LIMIT $4 OFFSET $5"
        ),
        format!(
            "SELECT DISTINCT deleted_by FROM workspaces WHERE account_id = $1 AND {in_bin}
         ORDER BY deleted_by"
        ),
    ]
}

// SPEC §21: with many entries in one account's bin and many more in the database, each statement
// of a page reads only that account's entries, through an index on the account: never a scan of
// the whole table, whatever the sort, search or filter.
on_both_engines!(a_bin_page_reads_only_the_accounts_entries_through_its_index);
async fn a_bin_page_reads_only_the_accounts_entries_through_its_index(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    let initech = account(&pool, "initech").await;
    // 300 entries in acme's bin, 3,000 in others', and active workspaces besides.
    let mut tx = pool.begin().await.unwrap();
    for (who, binned, active) in [
        (&acme, 300, 50),
        (&globex, 2_000, 500),
        (&initech, 1_000, 500),
    ] {
        for first in (0..binned + active).step_by(100) {
            let rows: Vec<String> = (first..(first + 100).min(binned + active))
                .map(|i| {
                    let (deleted_at, by, purge_at) = if i < binned {
                        let at = T0 - (i % 13) * DAY - i;
                        (
                            at.to_string(),
                            format!("'u{}'", i % 7),
                            (at + 14 * DAY).to_string(),
                        )
                    } else {
                        ("NULL".into(), "NULL".into(), "NULL".into())
                    };
                    format!(
                        "({}, 'ws_{i}', '', 'x', {T0}, {deleted_at}, {by}, {purge_at})",
                        who.account_id
                    )
                })
                .collect();
            sqlx::query(&format!(
                "INSERT INTO workspaces (account_id, name, display_name, created_by, created_at, deleted_at, deleted_by, purge_at) VALUES {}",
                rows.join(", ")
            ))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    let page = bin::list(&pool, T0, &acme, &bin_page(2)).await.unwrap();
    assert_eq!((page.total, page.entries.len()), (300, 20));

    let engine = Engine::of_pool(&pool);
    let mut conn = pool.acquire().await.unwrap();
    if engine == Engine::Postgres {
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    for sort in BinSort::ALL {
        for (query, deleted_by) in [("", ""), ("%ws_1%", ""), ("", "u3"), ("%ws_2%", "u1")] {
            for (i, statement) in list_statements(sort).iter().enumerate() {
                let explain = match engine {
                    Engine::Sqlite => format!("EXPLAIN QUERY PLAN {statement}"),
                    Engine::Postgres => format!("EXPLAIN {statement}"),
                };
                let mut q = sqlx::query(&explain).bind(acme.account_id);
                if i < 2 {
                    q = q.bind(query).bind(deleted_by);
                }
                if i == 1 {
                    q = q.bind(20_i64).bind(20_i64);
                }
                let rows = q.fetch_all(&mut *conn).await.unwrap();
                use sqlx::Row;
                let plan: Vec<String> = rows
                    .iter()
                    .map(|r| match engine {
                        Engine::Sqlite => r.get::<String, _>("detail"),
                        Engine::Postgres => r.get::<String, _>(0),
                    })
                    .collect();
                let text = plan.join("\n");
                let context = format!("{sort:?} {query:?} {deleted_by:?}:\n{statement}\n{text}");
                match engine {
                    Engine::Sqlite => {
                        assert!(
                            plan.iter()
                                .any(|l| l.starts_with("SEARCH workspaces USING ")
                                    && l.contains("INDEX")
                                    && l.contains("(account_id=?")),
                            "{context}"
                        );
                        assert!(
                            !plan.iter().any(|l| l.starts_with("SCAN workspaces")),
                            "a scan of the whole table: {context}"
                        );
                    }
                    Engine::Postgres => {
                        assert!(!text.contains("Seq Scan"), "{context}");
                        // Alone, or first of the index's conditions.
                        assert!(
                            text.contains("Index Cond: (account_id = ")
                                || text.contains("Index Cond: ((account_id = "),
                            "through an index on the account: {context}"
                        );
                        assert!(
                            !text.contains("Filter: (account_id = "),
                            "the account only filtered: {context}"
                        );
                    }
                }
            }
        }
    }
    // The default order reads the bin's own index: newest deletion first, no sort of the account.
    let statement = &list_statements(BinSort::default())[1];
    let explain = match engine {
        Engine::Sqlite => format!("EXPLAIN QUERY PLAN {statement}"),
        Engine::Postgres => format!("EXPLAIN {statement}"),
    };
    use sqlx::Row;
    let plan: Vec<String> = sqlx::query(&explain)
        .bind(acme.account_id)
        .bind("")
        .bind("")
        .bind(20_i64)
        .bind(0_i64)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| match engine {
            Engine::Sqlite => r.get::<String, _>("detail"),
            Engine::Postgres => r.get::<String, _>(0),
        })
        .collect();
    assert!(
        plan.iter().any(|l| l.contains("workspaces_bin_by_account")),
        "{}",
        plan.join("\n")
    );
}

/// A node's name, product, type, detail, code and status, and its versions (number, code,
/// author, time).
async fn node_row(
    pool: &Pool,
    id: i64,
) -> (
    (i64, String, String, String, String, String, String),
    Vec<(i64, String, String, i64)>,
) {
    let node = sqlx::query_as(
        "SELECT workspace_id, name, product, subtype, detail, code, node_status FROM assets WHERE id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    let versions = sqlx::query_as(
        "SELECT version, code, committed_by, committed_at FROM node_versions WHERE node_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap();
    (node, versions)
}

// "Copy to Workspace" (SPEC §23): each copy has the node's name, product, type and code and its
// committed versions with their authors and times; a published node comes back committed and a
// node with changes not committed as a draft; no dependency and no task comes with it. The entry
// (its rows, countdown, counts, dependencies) is left exactly as it was.
on_both_engines!(copy_nodes_keeps_versions_authors_and_times_but_not_publication_or_dependencies);
async fn copy_nodes_keeps_versions_authors_and_times_but_not_publication_or_dependencies(
    pool: Pool,
) {
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    let source = workspace(&pool, &acme, "source_ws", false).await;
    let target = workspace(&pool, &acme, "target_ws", false).await;
    workspace(&pool, &acme, "other_ws", false).await;
    let upstream = publish(&pool, &acme, "other_ws", "upstream_node", T0).await;
    // Two versions by two people at two times, published, with an upstream dependency.
    let published = publish(&pool, &acme, "source_ws", "published_node", T0).await;
    assets::save_code(
        &pool,
        &by(&alice, T0 + 60),
        "source_ws",
        published,
        "SELECT 2;",
    )
    .await
    .unwrap();
    assets::commit(&pool, &by(&alice, T0 + 120), "source_ws", published)
        .await
        .unwrap();
    assets::publish(&pool, &by(&alice, T0 + 120), "source_ws", published)
        .await
        .unwrap();
    workspace_console::dependencies::service::add(&pool, &by(&acme, T0 + 130), published, upstream)
        .await
        .unwrap();
    // Committed once, then changed again: a draft.
    let draft = asset(&pool, &acme, "source_ws", "node", "PAI", "draft_node").await;
    assets::save_code(&pool, &by(&acme, T0 + 200), "source_ws", draft, "print(1)")
        .await
        .unwrap();
    assets::commit(&pool, &by(&acme, T0 + 210), "source_ws", draft)
        .await
        .unwrap();
    assets::save_code(&pool, &by(&acme, T0 + 220), "source_ws", draft, "print(2)")
        .await
        .unwrap();
    // Never committed.
    let fresh = asset(&pool, &acme, "source_ws", "node", "DataWorks", "fresh_node").await;
    deletion::delete(&pool, &by(&acme, T0 + 300), "source_ws", "source_ws", true)
        .await
        .unwrap();
    let entry_before = bin::detail(&pool, T0 + DAY, &acme, source).await.unwrap();
    let rows_before = [
        node_row(&pool, published).await,
        node_row(&pool, draft).await,
        node_row(&pool, fresh).await,
    ];
    let dependencies_before = count(&pool, "SELECT count(*) FROM node_dependencies").await;
    let tasks_before = count(&pool, "SELECT count(*) FROM tasks").await;

    let report = bin::copy_nodes(
        &pool,
        &by(&alice, T0 + DAY),
        source,
        "target_ws",
        &[published, draft, fresh],
    )
    .await
    .unwrap()
    .into_inner();
    assert_eq!(report.target_workspace, "target_ws");
    assert_eq!(report.results.len(), 3);
    for (result, (id, (original, versions), status)) in report.results.iter().zip([
        (published, &rows_before[0], "committed"),
        (draft, &rows_before[1], "draft"),
        (fresh, &rows_before[2], "draft"),
    ]) {
        assert_eq!((result.node_id, result.status), (id, 200), "{result:?}");
        let copy = result.copied_node_id.unwrap();
        let (row, copied_versions) = node_row(&pool, copy).await;
        assert_eq!(row.0, target, "{result:?}");
        assert_eq!(
            (&row.1, &row.2, &row.3, &row.4, &row.5),
            (
                &original.1,
                &original.2,
                &original.3,
                &original.4,
                &original.5
            ),
            "{result:?}"
        );
        assert_eq!(row.6, status, "{result:?}: unpublished");
        assert_eq!(&copied_versions, versions, "{result:?}: versions kept");
        assert_eq!(
            count(
                &pool,
                &format!("SELECT count(*) FROM node_dependencies WHERE node_id = {copy} OR upstream_id = {copy}")
            )
            .await,
            0
        );
        assert_eq!(
            count(
                &pool,
                &format!("SELECT count(*) FROM tasks WHERE node_id = {copy}")
            )
            .await,
            0
        );
    }
    assert_eq!(
        rows_before[0]
            .1
            .iter()
            .map(|v| (v.2.as_str(), v.3))
            .collect::<Vec<_>>(),
        [("acme", T0), ("alice@acme", T0 + 120)],
        "two authors, two times"
    );
    assert_eq!(rows_before[2].1.len(), 0);
    // The entry, its nodes, dependencies and tasks are as they were.
    assert_eq!(
        bin::detail(&pool, T0 + DAY, &acme, source).await.unwrap(),
        entry_before
    );
    for (id, before) in [published, draft, fresh].into_iter().zip(&rows_before) {
        assert_eq!(&node_row(&pool, id).await, before);
    }
    assert_eq!(
        count(&pool, "SELECT count(*) FROM node_dependencies").await,
        dependencies_before
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM tasks").await,
        tasks_before
    );
    let copied = events(&pool, &acme, by_action("CopyNodesFromRecycleBin")).await;
    assert_eq!(copied.len(), 1);
    assert_eq!(
        (copied[0].workspace.as_str(), copied[0].user_name.as_str()),
        ("target_ws", "alice@acme")
    );
    assert!(
        copied[0].message.starts_with("3 of 3 nodes copied")
            && copied[0].message.contains("\"source_ws\""),
        "{}",
        copied[0].message
    );
    // Recover still brings back the originals, published ones as committed.
    bin::recover(&pool, &by(&acme, T0 + DAY + 1), source, T0 + 300)
        .await
        .unwrap();
    assert_eq!(node_row(&pool, published).await.1, rows_before[0].1);
    assert_eq!(node_row(&pool, draft).await, rows_before[1]);
}

// Nodes can be copied until one second before the 14 days are up and never after, even while the
// entry is still there because the purge job has not run; another account's entry or target is
// missing; a refusal changes nothing.
on_both_engines!(copy_nodes_works_until_the_fourteen_days_are_up_and_only_in_the_account);
async fn copy_nodes_works_until_the_fourteen_days_are_up_and_only_in_the_account(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    let source = workspace(&pool, &acme, "source_ws", false).await;
    workspace(&pool, &acme, "target_ws", false).await;
    workspace(&pool, &globex, "globex_ws", false).await;
    let a = publish(&pool, &acme, "source_ws", "node_a", T0).await;
    let b = publish(&pool, &acme, "source_ws", "node_b", T0).await;
    deletion::delete(&pool, &by(&acme, T0), "source_ws", "source_ws", true)
        .await
        .unwrap();
    let snapshot = async || {
        (
            count(&pool, "SELECT count(*) FROM assets").await,
            count(&pool, "SELECT count(*) FROM node_versions").await,
            count(
                &pool,
                "SELECT count(*) FROM workspaces WHERE deleted_at IS NOT NULL",
            )
            .await,
        )
    };
    let before = snapshot().await;
    let copy = |p: &Principal, at: i64, target: &'static str, ids: Vec<i64>| {
        let (pool, change) = (pool.clone(), by(p, at));
        async move {
            bin::copy_nodes(&pool, &change, source, target, &ids)
                .await
                .map(|r| r.into_inner())
        }
    };
    for (what, outcome) in [
        (
            "globex's own target",
            copy(&globex, T0, "globex_ws", vec![a]).await,
        ),
        (
            "globex's target",
            copy(&acme, T0, "globex_ws", vec![a]).await,
        ),
        (
            "the entry as a target",
            copy(&acme, T0, "source_ws", vec![a]).await,
        ),
    ] {
        assert!(
            matches!(outcome, Err(AppError::NotFound(_))),
            "{what}: {outcome:?}"
        );
    }
    for ids in [vec![], (0..101).collect()] {
        let outcome = copy(&acme, T0, "target_ws", ids).await;
        assert!(matches!(outcome, Err(AppError::Invalid(_))), "{outcome:?}");
    }
    let late = copy(&acme, T0 + RETENTION_SECS, "target_ws", vec![a]).await;
    assert!(
        matches!(&late, Err(AppError::Conflict(m)) if m.contains("14 days")),
        "{late:?}"
    );
    assert_eq!(snapshot().await, before, "nothing changed");
    let report = copy(&acme, T0 + RETENTION_SECS - 1, "target_ws", vec![a, b])
        .await
        .unwrap();
    assert!(report.results.iter().all(|r| r.status == 200), "{report:?}");
}
