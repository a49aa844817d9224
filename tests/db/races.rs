//! Races on one row, with 8 connections at once, many rounds, on both engines (SPEC §5, §7, §9):
//! each race has exactly one winner, every loser gets the 4xx a lone late caller would get, and
//! the database's invariants hold after every round. On PostgreSQL the writes really run in
//! parallel (row locks, the unique index); on SQLite they queue for the write lock.
use crate::helpers::*;
use std::future::Future;
use std::sync::Arc;
use workspace_console::deletion::service as deletion;
use workspace_console::domain::Principal;
use workspace_console::error::{AppError, AppResult};
use workspace_console::recycle_bin::CopyReport;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;
use workspace_console::workspaces::service as workspaces;

const AT_ONCE: usize = 8;
const ROUNDS: usize = 12;

/// Runs `AT_ONCE` calls of `call(i)` released together from a barrier, each on its own task.
async fn race<F, Fut, T>(call: F) -> Vec<AppResult<T>>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = AppResult<T>> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(AT_ONCE));
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|i| {
            let barrier = barrier.clone();
            let call = call(i);
            tokio::spawn(async move {
                barrier.wait().await;
                call.await
            })
        })
        .collect();
    let mut outcomes = vec![];
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

fn winners<T>(outcomes: &[AppResult<T>]) -> usize {
    outcomes.iter().filter(|o| o.is_ok()).count()
}

fn losers<T>(outcomes: &[AppResult<T>]) -> Vec<&AppError> {
    outcomes.iter().filter_map(|o| o.as_ref().err()).collect()
}

/// A binned workspace with a few assets; answers its entry (id, deleted_at).
async fn binned(pool: &Pool, acme: &Principal, name: &str) -> (i64, i64) {
    let id = workspace(pool, acme, name, false).await;
    fill(pool, acme, name, false).await;
    deletion::delete(pool, &by(acme, T0), name, name, true)
        .await
        .unwrap();
    (id, T0)
}

/// No orphaned rows, no workspace both active and binned under one name, no half-purged entry.
async fn invariants_hold(pool: &Pool) {
    let orphans = count(
        pool,
        "SELECT count(*) FROM assets WHERE workspace_id NOT IN (SELECT id FROM workspaces)",
    )
    .await;
    assert_eq!(orphans, 0, "assets without a workspace");
    let purging = count(
        pool,
        "SELECT count(*) FROM workspaces WHERE purge_started_at IS NOT NULL",
    )
    .await;
    assert_eq!(purging, 0, "a purge was left half done");
    let names: Vec<(i64, String)> =
        sqlx::query_as("SELECT account_id, name FROM workspaces ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut seen = std::collections::HashSet::new();
    for (account, name) in names {
        assert!(
            seen.insert((account, name.to_lowercase())),
            "two workspaces named {name} (ignoring case) in account {account}"
        );
    }
}

on_both_engines!(recover_against_recover_has_one_winner_and_the_others_are_told_it_is_recovered);
async fn recover_against_recover_has_one_winner_and_the_others_are_told_it_is_recovered(
    pool: Pool,
) {
    let acme = account(&pool, "acme").await;
    for round in 0..ROUNDS {
        let name = format!("rr_{round}");
        let (id, deleted_at) = binned(&pool, &acme, &name).await;
        let outcomes = race(|_| {
            let (pool, acme) = (pool.clone(), acme.clone());
            async move {
                bin::recover(&pool, &by(&acme, T0 + 60), id, deleted_at)
                    .await
                    .map(drop)
            }
        })
        .await;
        assert_eq!(winners(&outcomes), 1, "round {round}: {outcomes:?}");
        for loser in losers(&outcomes) {
            assert!(
                matches!(loser, AppError::Conflict(m) if m.contains("already been recovered")),
                "round {round}: {loser:?}"
            );
            assert_eq!(loser.status(), 409);
        }
        assert_eq!(
            count(
                &pool,
                &format!("SELECT count(*) FROM workspaces WHERE id = {id} AND deleted_at IS NULL")
            )
            .await,
            1
        );
        invariants_hold(&pool).await;
    }
}

on_both_engines!(recover_against_purge_has_one_winner_and_a_consistent_outcome);
async fn recover_against_purge_has_one_winner_and_a_consistent_outcome(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let (mut recovered, mut purged) = (0, 0);
    for round in 0..ROUNDS {
        let name = format!("rp_{round}");
        let (id, deleted_at) = binned(&pool, &acme, &name).await;
        let outcomes = race(|i| {
            let (pool, acme, name) = (pool.clone(), acme.clone(), name.clone());
            async move {
                if i % 2 == 0 {
                    bin::recover(&pool, &by(&acme, T0 + 60), id, deleted_at)
                        .await
                        .map(drop)
                } else {
                    bin::purge(&pool, &by(&acme, T0 + 60), id, deleted_at, &name)
                        .await
                        .map(drop)
                }
            }
        })
        .await;
        assert_eq!(winners(&outcomes), 1, "round {round}: {outcomes:?}");
        let state: Option<Option<i64>> =
            sqlx::query_scalar("SELECT deleted_at FROM workspaces WHERE id = $1")
                .bind(id)
                .fetch_optional(&pool)
                .await
                .unwrap();
        match state {
            // Recovered: every loser was told so (a purge as well as a recover).
            Some(None) => {
                recovered += 1;
                for loser in losers(&outcomes) {
                    assert!(
                        matches!(loser, AppError::Conflict(m) if m.contains("already been recovered")),
                        "round {round}: {loser:?}"
                    );
                }
                assert!(
                    count(
                        &pool,
                        &format!("SELECT count(*) FROM assets WHERE workspace_id = {id}")
                    )
                    .await
                        > 0
                );
            }
            // Purged: gone with every row, and every loser was told it no longer exists.
            None => {
                purged += 1;
                for loser in losers(&outcomes) {
                    assert!(
                        matches!(loser, AppError::NotFound(_)),
                        "round {round}: {loser:?}"
                    );
                    assert_eq!(loser.status(), 404);
                }
                assert_eq!(
                    count(
                        &pool,
                        &format!("SELECT count(*) FROM assets WHERE workspace_id = {id}")
                    )
                    .await,
                    0
                );
            }
            Some(Some(_)) => panic!("round {round}: the entry is still in the bin: {outcomes:?}"),
        }
        invariants_hold(&pool).await;
    }
    assert_eq!(recovered + purged, ROUNDS);
}

on_both_engines!(purge_against_purge_removes_the_entry_once);
async fn purge_against_purge_removes_the_entry_once(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for round in 0..ROUNDS {
        let name = format!("pp_{round}");
        let (id, deleted_at) = binned(&pool, &acme, &name).await;
        let outcomes = race(|_| {
            let (pool, acme, name) = (pool.clone(), acme.clone(), name.clone());
            async move {
                bin::purge(&pool, &by(&acme, T0 + 60), id, deleted_at, &name)
                    .await
                    .map(drop)
            }
        })
        .await;
        assert_eq!(winners(&outcomes), 1, "round {round}: {outcomes:?}");
        for loser in losers(&outcomes) {
            assert!(
                matches!(loser, AppError::NotFound(_)),
                "round {round}: {loser:?}"
            );
        }
        assert_eq!(
            count(
                &pool,
                &format!("SELECT count(*) FROM workspaces WHERE id = {id}")
            )
            .await,
            0
        );
        invariants_hold(&pool).await;
    }
}

on_both_engines!(delete_against_create_of_the_same_name_never_gives_two_workspaces_one_name);
async fn delete_against_create_of_the_same_name_never_gives_two_workspaces_one_name(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for round in 0..ROUNDS {
        let name = format!("dc_{round}");
        let id = workspace(&pool, &acme, &name, false).await;
        let outcomes = race(|i| {
            let (pool, acme, name) = (pool.clone(), acme.clone(), name.clone());
            async move {
                if i % 2 == 0 {
                    deletion::delete(&pool, &by(&acme, T0 + 60), &name, &name, true)
                        .await
                        .map(drop)
                } else {
                    workspaces::create(&pool, &by(&acme, T0 + 60), new_ws(&name.to_uppercase()))
                        .await
                        .map(drop)
                }
            }
        })
        .await;
        // Exactly one delete wins; no create can: the name is held by the workspace, active or
        // in the bin.
        assert_eq!(winners(&outcomes), 1, "round {round}: {outcomes:?}");
        for (i, outcome) in outcomes.iter().enumerate() {
            match (i % 2, outcome) {
                (0, Ok(())) => {}
                (0, Err(AppError::Conflict(m))) => {
                    assert!(m.contains("already been deleted"), "{m}")
                }
                (1, Err(AppError::Conflict(m))) => assert!(m.contains("already exists"), "{m}"),
                (1, Err(AppError::NameReserved(m))) => assert!(m.contains("Recycle Bin"), "{m}"),
                other => panic!("round {round}: unexpected {other:?}"),
            }
        }
        assert_eq!(
            count(
                &pool,
                &format!(
                    "SELECT count(*) FROM workspaces WHERE id = {id} AND deleted_at IS NOT NULL"
                )
            )
            .await,
            1
        );
        invariants_hold(&pool).await;
    }
}

on_both_engines!(creates_of_one_name_in_any_letter_case_have_one_winner);
async fn creates_of_one_name_in_any_letter_case_have_one_winner(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for round in 0..ROUNDS {
        let outcomes = race(|i| {
            let (pool, acme) = (pool.clone(), acme.clone());
            // cc_<round>, CC_<round>, Cc_<round>, ... : one name, eight spellings.
            let spelling: String = format!("cc_{round}")
                .chars()
                .enumerate()
                .map(|(k, c)| {
                    if (i >> (k % 3)) & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            async move {
                workspaces::create(&pool, &by(&acme, T0), new_ws(&spelling))
                    .await
                    .map(drop)
            }
        })
        .await;
        assert_eq!(winners(&outcomes), 1, "round {round}: {outcomes:?}");
        for loser in losers(&outcomes) {
            assert!(
                matches!(loser, AppError::Conflict(m) if m.contains("already exists")),
                "round {round}: {loser:?}"
            );
            assert_eq!(loser.status(), 409);
        }
        invariants_hold(&pool).await;
    }
    assert_eq!(
        count(&pool, "SELECT count(*) FROM workspaces").await,
        ROUNDS as i64
    );
}

/// How many of workspace `id`'s assets Recover brings back (data sources, computing resources,
/// nodes, resources).
async fn recoverable_assets(pool: &Pool, id: i64) -> i64 {
    count(
        pool,
        &format!(
            "SELECT count(*) FROM assets WHERE workspace_id = {id}
             AND kind IN ('data_source', 'compute', 'node', 'resource')"
        ),
    )
    .await
}

// SPEC §22: a bulk Recover runs each entry in its own transaction by the same code as Recover, so
// a single Delete Permanently of one of its entries, at the same moment on another connection,
// races that entry alone: one winner, and the entry is either active with all its assets or gone
// entirely; the bulk's other entries are recovered whatever happens.
on_both_engines!(a_bulk_recover_against_a_purge_of_one_of_its_entries_has_one_winner);
async fn a_bulk_recover_against_a_purge_of_one_of_its_entries_has_one_winner(pool: Pool) {
    use workspace_console::server::audit::Origin;
    let acme = account(&pool, "acme").await;
    let state = state_at(&pool, T0 + 60);
    let (mut recovered, mut purged) = (0, 0);
    for round in 0..ROUNDS {
        let names: Vec<String> = (0..3).map(|i| format!("br_{round}_{i}")).collect();
        let mut entries = Vec::new();
        for name in &names {
            let id = workspace(&pool, &acme, name, false).await;
            fill(&pool, &acme, name, false).await;
            let assets = recoverable_assets(&pool, id).await;
            deletion::delete(&pool, &by(&acme, T0), name, name, true)
                .await
                .unwrap();
            entries.push((id, assets));
        }
        // The purged entry is first, in the middle or last of the bulk, round by round.
        let target = round % 3;
        let (id, assets) = entries[target];
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let bulk = {
            let (state, acme, barrier) = (state.clone(), acme.clone(), barrier.clone());
            let targets = entries.iter().map(|(id, _)| (*id, None)).collect();
            tokio::spawn(async move {
                barrier.wait().await;
                bin::recover_many(&state, acme, Origin::console(), targets).await
            })
        };
        let purge = {
            let (pool, acme, name) = (pool.clone(), acme.clone(), names[target].clone());
            tokio::spawn(async move {
                barrier.wait().await;
                bin::purge(&pool, &by(&acme, T0 + 60), id, T0, &name)
                    .await
                    .map(drop)
            })
        };
        let report = bulk.await.unwrap().unwrap();
        let purge = purge.await.unwrap();
        assert_eq!(report.results.len(), 3, "round {round}");
        for (i, (result, (entry, _))) in report.results.iter().zip(&entries).enumerate() {
            assert_eq!(result.id, *entry, "round {round}: in the order named");
            if i != target {
                assert_eq!(
                    (result.status, result.code.as_str()),
                    (200, "Recovered"),
                    "round {round}: {result:?}"
                );
            }
        }
        let theirs = &report.results[target];
        let state_of: Option<Option<i64>> =
            sqlx::query_scalar("SELECT deleted_at FROM workspaces WHERE id = $1")
                .bind(id)
                .fetch_optional(&pool)
                .await
                .unwrap();
        match (theirs.status, &purge, state_of) {
            // The bulk won: the purge was told it is recovered; everything came back.
            (200, Err(AppError::Conflict(m)), Some(None))
                if m.contains("already been recovered") =>
            {
                recovered += 1;
                assert_eq!(recoverable_assets(&pool, id).await, assets, "round {round}");
            }
            // The purge won: the bulk's entry is missing, and nothing of it is left.
            (404, Ok(()), None) => {
                purged += 1;
                assert_eq!(theirs.code, "NotFound", "round {round}: {theirs:?}");
                assert_eq!(
                    count(
                        &pool,
                        &format!("SELECT count(*) FROM assets WHERE workspace_id = {id}")
                    )
                    .await,
                    0,
                    "round {round}"
                );
            }
            other => panic!("round {round}: no single winner: {other:?} {theirs:?}"),
        }
        for (i, (other, assets)) in entries.iter().enumerate() {
            if i != target {
                assert_eq!(recoverable_assets(&pool, *other).await, *assets);
                assert_eq!(
                    count(
                        &pool,
                        &format!("SELECT count(*) FROM workspaces WHERE id = {other} AND deleted_at IS NULL")
                    )
                    .await,
                    1
                );
            }
        }
        invariants_hold(&pool).await;
    }
    assert_eq!(recovered + purged, ROUNDS);
}

// "Copy to Workspace" (SPEC §23) against "Delete Permanently" of the same entry: the copy reads and
// locks the entry in its one transaction, so each copy either completes whole (every node copied
// with all its versions, or refused by name) or is refused as a missing entry, and no node is
// left of the purged entry, in the target or anywhere.
on_both_engines!(copy_against_purge_of_one_entry_copies_whole_or_nothing);
async fn copy_against_purge_of_one_entry_copies_whole_or_nothing(pool: Pool) {
    use workspace_console::assets::service as assets;
    let acme = account(&pool, "acme").await;
    let (mut copied, mut refused) = (0, 0);
    for round in 0..ROUNDS {
        let name = format!("cp_{round}");
        let target = format!("ct_{round}");
        workspace(&pool, &acme, &target, false).await;
        let id = workspace(&pool, &acme, &name, false).await;
        let mut nodes = vec![];
        for n in 0..3 {
            let node = publish(&pool, &acme, &name, &format!("node_{n}"), T0).await;
            for version in 0..n {
                let code = format!("SELECT {version};");
                assets::save_code(&pool, &by(&acme, T0), &name, node, &code)
                    .await
                    .unwrap();
                assets::commit(&pool, &by(&acme, T0), &name, node)
                    .await
                    .unwrap();
            }
            nodes.push(node);
        }
        let versions: Vec<i64> = {
            let mut v = vec![];
            for node in &nodes {
                v.push(
                    count(
                        &pool,
                        &format!("SELECT count(*) FROM node_versions WHERE node_id = {node}"),
                    )
                    .await,
                );
            }
            v
        };
        deletion::delete(&pool, &by(&acme, T0), &name, &name, true)
            .await
            .unwrap();
        let outcomes = race(|i| {
            let (pool, acme, name, target, nodes) = (
                pool.clone(),
                acme.clone(),
                name.clone(),
                target.clone(),
                nodes.clone(),
            );
            async move {
                if i % 2 == 0 {
                    bin::copy_nodes(&pool, &by(&acme, T0 + 60), id, &target, &nodes)
                        .await
                        .map(|r| Some(r.into_inner()))
                } else {
                    bin::purge(&pool, &by(&acme, T0 + 60), id, T0, &name)
                        .await
                        .map(|_| None::<CopyReport>)
                }
            }
        })
        .await;
        // One purge wins; the other purges find the entry gone.
        let purges: Vec<&AppResult<Option<CopyReport>>> =
            outcomes.iter().skip(1).step_by(2).collect();
        assert_eq!(
            purges.iter().filter(|o| o.is_ok()).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        for (i, outcome) in outcomes.iter().enumerate() {
            match (i % 2, outcome) {
                (_, Err(AppError::NotFound(_))) => {
                    if i % 2 == 0 {
                        refused += 1;
                    }
                }
                (1, Ok(None)) => {}
                (0, Ok(Some(report))) => {
                    copied += 1;
                    // Whole: each node copied or refused by its name, none missing.
                    assert_eq!(report.results.len(), nodes.len(), "round {round}");
                    for r in &report.results {
                        assert!(
                            r.status == 200
                                || (r.status == 409 && r.message.contains("already exists")),
                            "round {round}: {r:?}"
                        );
                    }
                }
                other => panic!("round {round}: unexpected {other:?}"),
            }
        }
        // The entry is gone with every row; the target holds each node once at most, each copy
        // with all its versions.
        assert_eq!(
            count(
                &pool,
                &format!("SELECT count(*) FROM workspaces WHERE id = {id}")
            )
            .await,
            0,
            "round {round}"
        );
        assert_eq!(
            count(
                &pool,
                &format!("SELECT count(*) FROM assets WHERE workspace_id = {id}")
            )
            .await,
            0,
            "round {round}"
        );
        let in_target: Vec<(i64, String)> = sqlx::query_as(
            "SELECT a.id, a.name FROM assets a JOIN workspaces w ON w.id = a.workspace_id
             WHERE w.name = $1 ORDER BY a.name",
        )
        .bind(&target)
        .fetch_all(&pool)
        .await
        .unwrap();
        let any_copy = outcomes.iter().step_by(2).any(|o| o.is_ok());
        assert_eq!(
            in_target.len(),
            if any_copy { nodes.len() } else { 0 },
            "round {round}: {in_target:?}"
        );
        for ((copy, name), want) in in_target.iter().zip(&versions) {
            assert_eq!(
                count(
                    &pool,
                    &format!("SELECT count(*) FROM node_versions WHERE node_id = {copy}")
                )
                .await,
                *want,
                "round {round}: {name}"
            );
        }
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM node_versions WHERE node_id NOT IN (SELECT id FROM assets)"
            )
            .await,
            0,
            "round {round}: versions of a purged node"
        );
        invariants_hold(&pool).await;
    }
    assert_eq!(copied + refused, ROUNDS * AT_ONCE / 2);
}
