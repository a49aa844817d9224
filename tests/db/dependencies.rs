//! Cross-workspace dependencies at the service level (SPEC §16): the graph and its refusals, the
//! cycle rule under two concurrent additions, tasks that wait (and do not bill) while an upstream
//! is in the Recycle Bin, the impact check, and a purge that turns the dependencies on its nodes
//! into lost ones in the transaction that removes them, with one notice to the root.
use crate::helpers::*;
use workspace_console::deletion::service as deletion;
use workspace_console::dependencies::service as deps;
use workspace_console::domain::Principal;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::error::AppError;
use workspace_console::operations::service as tasks;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;

async fn upstream(pool: &Pool, p: &Principal, node: i64) -> Vec<(String, String)> {
    deps::upstream_of(&mut pool.acquire().await.unwrap(), p, node)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.label(), u.state))
        .collect()
}

fn labels(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(l, s)| (l.to_string(), s.to_string()))
        .collect()
}

on_both_engines!(dependencies_within_and_across_workspaces_and_every_refusal);
async fn dependencies_within_and_across_workspaces_and_every_refusal(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    workspace(&pool, &acme, "up_ws", false).await;
    workspace(&pool, &acme, "down_ws", false).await;
    workspace(&pool, &globex, "theirs", false).await;
    let a = asset(&pool, &acme, "up_ws", "node", "DataWorks", "a").await;
    let b = asset(&pool, &acme, "up_ws", "node", "DataWorks", "b").await;
    let d = asset(&pool, &acme, "down_ws", "node", "DataWorks", "d").await;
    let source = asset(&pool, &acme, "down_ws", "data_source", "DataWorks", "src").await;
    let foreign = asset(&pool, &globex, "theirs", "node", "DataWorks", "x").await;

    deps::add(&pool, &by(&acme, T0), d, a).await.unwrap();
    deps::add(&pool, &by(&acme, T0 + 1), d, b).await.unwrap();
    deps::add(&pool, &by(&acme, T0 + 2), b, a).await.unwrap();
    assert_eq!(
        upstream(&pool, &acme, d).await,
        labels(&[("up_ws.a", ""), ("up_ws.b", "")])
    );
    let before = count(&pool, "SELECT count(*) FROM node_dependencies").await;
    let refused = [
        // Another account's node answers as a missing one, either way round.
        (
            deps::add(&pool, &by(&acme, T0), d, foreign).await,
            "missing upstream",
        ),
        (
            deps::add(&pool, &by(&globex, T0), foreign, d).await,
            "missing upstream (globex)",
        ),
        (
            deps::add(&pool, &by(&globex, T0), d, foreign).await,
            "missing node (globex)",
        ),
        (
            deps::add(&pool, &by(&acme, T0), d, source).await,
            "not a node",
        ),
        (deps::add(&pool, &by(&acme, T0), d, d).await, "itself"),
        (deps::add(&pool, &by(&acme, T0), d, a).await, "duplicate"),
        (
            deps::add(&pool, &by(&acme, T0), a, d).await,
            "cycle a → d → a",
        ),
        (
            deps::add(&pool, &by(&acme, T0), a, b).await,
            "cycle a → b → a",
        ),
    ];
    let kinds: Vec<(&str, String)> = refused
        .iter()
        .map(|(r, what)| (*what, r.as_ref().map(drop).unwrap_err().kind()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("missing upstream", "NotFound".into()),
            ("missing upstream (globex)", "NotFound".into()),
            ("missing node (globex)", "NotFound".into()),
            ("not a node", "NotFound".into()),
            ("itself", "Invalid".into()),
            ("duplicate", "Conflict".into()),
            ("cycle a → d → a", "Invalid".into()),
            ("cycle a → b → a", "Invalid".into()),
        ]
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM node_dependencies").await,
        before,
        "a refusal changes nothing"
    );
    // Another account cannot read them either.
    assert!(matches!(
        deps::upstream_of(&mut pool.acquire().await.unwrap(), &globex, d).await,
        Err(AppError::NotFound(_))
    ));

    // A binned workspace's dependencies still count for the cycle rule.
    deletion::delete(&pool, &by(&acme, T0 + 10), "down_ws", "down_ws", true)
        .await
        .unwrap();
    let e = asset(&pool, &acme, "up_ws", "node", "DataWorks", "e").await;
    deps::add(&pool, &by(&acme, T0 + 11), e, a).await.unwrap();
    assert!(matches!(
        deps::add(&pool, &by(&acme, T0 + 11), a, e).await,
        Err(AppError::Invalid(m)) if m.contains("cycle")
    ));
    // A node whose workspace is in the Recycle Bin changes nothing, and is no upstream to pick.
    assert!(matches!(
        deps::add(&pool, &by(&acme, T0), d, e).await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        deps::add(&pool, &by(&acme, T0), e, d).await,
        Err(AppError::Conflict(_))
    ));

    // Removing, audited both ways.
    let left = deps::remove(&pool, &by(&acme, T0 + 12), e, a)
        .await
        .unwrap();
    assert!(left.into_inner().is_empty());
    assert!(matches!(
        deps::remove(&pool, &by(&acme, T0 + 12), e, a).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        events(&pool, &acme, by_action("AddUpstream")).await.len(),
        4
    );
    let removed = events(&pool, &acme, by_action("RemoveUpstream")).await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].workspace, "up_ws");
}

on_both_engines!(of_two_concurrent_additions_that_together_close_a_cycle_one_is_refused);
async fn of_two_concurrent_additions_that_together_close_a_cycle_one_is_refused(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws_a", false).await;
    workspace(&pool, &acme, "ws_b", false).await;
    for round in 0..5 {
        let a = asset(
            &pool,
            &acme,
            "ws_a",
            "node",
            "DataWorks",
            &format!("a{round}"),
        )
        .await;
        let b = asset(
            &pool,
            &acme,
            "ws_b",
            "node",
            "DataWorks",
            &format!("b{round}"),
        )
        .await;
        let c = asset(
            &pool,
            &acme,
            "ws_b",
            "node",
            "DataWorks",
            &format!("c{round}"),
        )
        .await;
        deps::add(&pool, &by(&acme, T0), b, c).await.unwrap();
        // a → b (→ c) and c → a: each alone is fine, together they close a → b → c → a.
        let change = by(&acme, T0);
        let (one, two) = tokio::join!(
            deps::add(&pool, &change, a, b),
            deps::add(&pool, &change, c, a)
        );
        let outcomes = [one.is_ok(), two.is_ok()];
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            1,
            "round {round}: {outcomes:?}"
        );
        let refused = if one.is_ok() { two } else { one };
        assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("cycle")));
    }
}

/// The task of node `name` in the Operation Center: (status, cost so far) at `now`.
async fn task(pool: &Pool, p: &Principal, name: &str, now: i64) -> (String, i64) {
    let list = tasks::list(&mut pool.acquire().await.unwrap(), p.account_id, now, None)
        .await
        .unwrap();
    let t = list.into_iter().find(|t| t.name == name).unwrap();
    (t.status, t.cost_cents)
}

on_both_engines!(a_task_waits_without_billing_while_its_upstream_is_binned_or_lost);
async fn a_task_waits_without_billing_while_its_upstream_is_binned_or_lost(pool: Pool) {
    use workspace_console::notifications::{Kind, service as notices};
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    let up_ws = workspace(&pool, &acme, "up_ws", false).await;
    workspace(&pool, &acme, "down_ws", false).await;
    let u = publish(&pool, &acme, "up_ws", "u", T0).await;
    let d = publish(&pool, &acme, "down_ws", "d", T0).await;
    let free = publish(&pool, &acme, "down_ws", "free", T0).await;
    deps::add(&pool, &by(&acme, T0), d, u).await.unwrap();
    let hour = 50; // cents per hourly run
    assert_eq!(
        task(&pool, &acme, "d", T0 + DAY).await,
        ("Running".into(), 24 * hour)
    );

    // The upstream's workspace goes to the Recycle Bin: d waits and bills nothing meanwhile.
    deletion::delete(&pool, &by(&alice, T0 + DAY), "up_ws", "up_ws", false)
        .await
        .unwrap();
    assert_eq!(
        task(&pool, &acme, "d", T0 + 3 * DAY).await,
        ("Waiting for upstream".into(), 24 * hour)
    );
    assert_eq!(task(&pool, &acme, "free", T0 + 3 * DAY).await.1, 72 * hour);
    assert_eq!(
        upstream(&pool, &acme, d).await,
        labels(&[("up_ws.u", "Upstream in Recycle Bin")])
    );
    // The upstream workspace's own task is an orphan and bills on (SPEC §4).
    assert_eq!(
        task(&pool, &acme, "u", T0 + 3 * DAY).await,
        ("Running".into(), 72 * hour)
    );
    // Unfreezing a frozen waiting task does not make it bill.
    let d_task: i64 = sqlx::query_scalar("SELECT id FROM tasks WHERE node_id = $1")
        .bind(d)
        .fetch_one(&pool)
        .await
        .unwrap();
    tasks::freeze(&pool, &by(&acme, T0 + 3 * DAY), d_task)
        .await
        .unwrap();
    tasks::unfreeze(&pool, &by(&acme, T0 + 3 * DAY), d_task)
        .await
        .unwrap();
    assert_eq!(
        task(&pool, &acme, "d", T0 + 4 * DAY).await,
        ("Waiting for upstream".into(), 24 * hour)
    );

    // Recovered: whole again, and d runs and bills from the recover on.
    bin::recover(&pool, &by(&acme, T0 + 4 * DAY), up_ws, T0 + DAY)
        .await
        .unwrap();
    assert_eq!(upstream(&pool, &acme, d).await, labels(&[("up_ws.u", "")]));
    assert_eq!(
        task(&pool, &acme, "d", T0 + 5 * DAY).await,
        ("Running".into(), 48 * hour)
    );

    // Deleted again and purged by the job: the dependency is lost, d waits until it is removed,
    // and the root is told once, however many passes run.
    deletion::delete(&pool, &by(&alice, T0 + 5 * DAY), "up_ws", "up_ws", true)
        .await
        .unwrap();
    let due = T0 + 5 * DAY + RETENTION_SECS;
    let (one, two) = tokio::join!(
        bin::purge_expired(&pool, due),
        bin::purge_expired(&pool, due)
    );
    assert_eq!(one.unwrap() + two.unwrap(), 1);
    assert_eq!(
        upstream(&pool, &acme, d).await,
        labels(&[("up_ws.u", "Upstream purged")])
    );
    assert_eq!(
        task(&pool, &acme, "d", due + DAY).await,
        ("Waiting for upstream".into(), 48 * hour)
    );
    let told: Vec<_> = notices::list(&pool, &acme)
        .await
        .unwrap()
        .notices
        .into_iter()
        .filter(|n| n.kind == Kind::UpstreamLost)
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].workspace, "up_ws");
    assert_eq!(told[0].detail, "down_ws.d");
    assert_eq!(told[0].link(), "/audit-log?workspace=up_ws");
    assert!(
        notices::list(&pool, &alice)
            .await
            .unwrap()
            .notices
            .iter()
            .all(|n| n.kind != Kind::UpstreamLost),
        "the root's notice only"
    );
    deps::remove(&pool, &by(&acme, due + DAY), d, u)
        .await
        .unwrap();
    assert_eq!(
        task(&pool, &acme, "d", due + 2 * DAY).await,
        ("Running".into(), 72 * hour)
    );
    let _ = free;
}

/// The downstream dependencies of `ws`, read both ways (from its nodes, and from the account's
/// dependencies as for a workspace of many nodes): the two must agree.
async fn downstream(
    pool: &Pool,
    acme: &workspace_console::domain::Principal,
    ws: i64,
) -> workspace_console::dependencies::DownstreamDependencies {
    let mut conn = pool.acquire().await.unwrap();
    let few = deps::downstream_of(&mut conn, acme.account_id, ws, 2)
        .await
        .unwrap();
    let many = deps::downstream_of(&mut conn, acme.account_id, ws, 1_000_000)
        .await
        .unwrap();
    assert_eq!(few, many, "both ways of reading agree");
    few
}

on_both_engines!(the_impact_check_counts_every_downstream_node_and_lists_the_first_hundred);
async fn the_impact_check_counts_every_downstream_node_and_lists_the_first_hundred(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let up_ws = workspace(&pool, &acme, "up_ws", false).await;
    let u = publish(&pool, &acme, "up_ws", "u", T0).await;
    let inner = asset(&pool, &acme, "up_ws", "node", "DataWorks", "inner").await;
    deps::add(&pool, &by(&acme, T0), inner, u).await.unwrap();
    let none = downstream(&pool, &acme, up_ws).await;
    assert_eq!(
        (none.count, none.first.len()),
        (0, 0),
        "its own nodes do not count"
    );
    for w in 0..3 {
        let ws = format!("down_{w}");
        workspace(&pool, &acme, &ws, false).await;
        for n in 0..40 {
            let node = asset(&pool, &acme, &ws, "node", "DataWorks", &format!("n{n:02}")).await;
            deps::add(&pool, &by(&acme, T0), node, u).await.unwrap();
        }
    }
    let published = publish(&pool, &acme, "down_0", "p", T0).await;
    deps::add(&pool, &by(&acme, T0), published, u)
        .await
        .unwrap();
    let all = downstream(&pool, &acme, up_ws).await;
    assert_eq!(all.count, 121);
    assert_eq!(all.first.len(), 100);
    assert_eq!(
        (
            all.first[0].workspace.as_str(),
            all.first[0].node.as_str(),
            all.first[0].upstream_node.as_str()
        ),
        ("down_0", "n00", "u")
    );
    let p = all.first.iter().find(|d| d.node == "p").unwrap();
    assert_eq!(p.task_status.as_deref(), Some("Running"));
    assert_eq!(all.first[1].task_status, None);
    // A downstream workspace in the Recycle Bin is not affected any more.
    deletion::delete(&pool, &by(&acme, T0), "down_1", "down_1", true)
        .await
        .unwrap();
    assert_eq!(downstream(&pool, &acme, up_ws).await.count, 81);
}

on_both_engines!(the_impact_check_counts_a_node_that_depends_on_two_nodes_of_the_workspace_once);
async fn the_impact_check_counts_a_node_that_depends_on_two_nodes_of_the_workspace_once(
    pool: Pool,
) {
    let acme = account(&pool, "acme").await;
    let up_ws = workspace(&pool, &acme, "up_ws", false).await;
    let u1 = asset(&pool, &acme, "up_ws", "node", "DataWorks", "u1").await;
    let u2 = asset(&pool, &acme, "up_ws", "node", "DataWorks", "u2").await;
    workspace(&pool, &acme, "down_ws", false).await;
    let first = publish(&pool, &acme, "down_ws", "d000", T0).await;
    deps::add(&pool, &by(&acme, T0), first, u2).await.unwrap();
    deps::add(&pool, &by(&acme, T0), first, u1).await.unwrap();
    let one = downstream(&pool, &acme, up_ws).await;
    assert_eq!(one.count, 1, "one node, though two dependencies");
    assert_eq!(one.first.len(), 1);
    assert_eq!(one.unlisted(), 0);
    assert_eq!(
        (
            one.first[0].node.as_str(),
            one.first[0].upstream_node.as_str()
        ),
        ("d000", "u1")
    );
    assert_eq!(one.first[0].upstream_nodes, ["u1", "u2"]);
    assert_eq!(one.first[0].task_status.as_deref(), Some("Running"));
    // So does the Delete dialog's preview (and `GET /workspaces/{name}`).
    let preview = deletion::preview(&pool, T0, &acme, "up_ws").await.unwrap();
    assert_eq!(preview.downstream_dependencies, one);
    // 101 downstream nodes, two of them on both upstream nodes (103 dependencies): the first 100
    // nodes are listed, each once, and one is left for "and 1 more".
    for n in 1..=100 {
        let node = asset(
            &pool,
            &acme,
            "down_ws",
            "node",
            "DataWorks",
            &format!("d{n:03}"),
        )
        .await;
        deps::add(&pool, &by(&acme, T0), node, u1).await.unwrap();
        if n == 100 {
            deps::add(&pool, &by(&acme, T0), node, u2).await.unwrap();
        }
    }
    let all = downstream(&pool, &acme, up_ws).await;
    assert_eq!(all.count, 101);
    assert_eq!(all.first.len(), 100);
    assert_eq!(all.unlisted(), 1);
    let listed: Vec<String> = all.first.iter().map(|d| d.node.clone()).collect();
    let expected: Vec<String> = (0..100).map(|n| format!("d{n:03}")).collect();
    assert_eq!(listed, expected, "each node once, by name");
    assert_eq!(all.first[0].upstream_nodes, ["u1", "u2"]);
    assert!(all.first[1..].iter().all(|d| d.upstream_nodes == ["u1"]));
}

on_both_engines!(a_purge_marks_the_dependencies_on_each_node_lost_in_the_batch_that_removes_it);
async fn a_purge_marks_the_dependencies_on_each_node_lost_in_the_batch_that_removes_it(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let up_ws = workspace(&pool, &acme, "up_ws", false).await;
    workspace(&pool, &acme, "down_ws", false).await;
    let mut ups = Vec::new();
    for n in 0..6 {
        let u = asset(&pool, &acme, "up_ws", "node", "DataWorks", &format!("u{n}")).await;
        let d = asset(
            &pool,
            &acme,
            "down_ws",
            "node",
            "DataWorks",
            &format!("d{n}"),
        )
        .await;
        deps::add(&pool, &by(&acme, T0), d, u).await.unwrap();
        ups.push(u);
    }
    deletion::delete(&pool, &by(&acme, T0), "up_ws", "up_ws", true)
        .await
        .unwrap();
    // A purge that died after its claim and one batch of three nodes.
    sqlx::query("UPDATE workspaces SET purge_started_at = $1 WHERE id = $2")
        .bind(T0 + 1)
        .bind(up_ws)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(&format!(
        "DELETE FROM assets WHERE id IN ({}, {}, {})",
        ups[0], ups[1], ups[2]
    ))
    .execute(&pool)
    .await
    .unwrap();
    let state: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT upstream_id, CASE WHEN lost = TRUE THEN 1 ELSE 0 END, upstream
         FROM node_dependencies ORDER BY upstream_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for (i, (id, lost, label)) in state.iter().enumerate() {
        assert_eq!(*id, ups[i]);
        if i < 3 {
            assert_eq!(*lost, 1, "removed with its node");
            assert_eq!(label, &format!("up_ws.u{i}"));
        } else {
            assert_eq!(*lost, 0, "untouched until its node goes");
            assert_eq!(label, "");
        }
    }
    // The next pass (after the lease) finishes it: every dependency lost, none half-way.
    assert_eq!(
        bin::purge_expired(&pool, T0 + 1 + bin::PURGE_LEASE_SECS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM node_dependencies WHERE lost = TRUE AND upstream <> ''"
        )
        .await,
        6
    );
    // The downstream workspace's own purge removes its dependencies with its nodes.
    deletion::delete(&pool, &by(&acme, T0 + 2), "down_ws", "down_ws", true)
        .await
        .unwrap();
    let down: i64 = count(&pool, "SELECT id FROM workspaces WHERE name = 'down_ws'").await;
    bin::purge(&pool, &by(&acme, T0 + 3), down, T0 + 2, "down_ws")
        .await
        .unwrap();
    assert_eq!(
        count(&pool, "SELECT count(*) FROM node_dependencies").await,
        0
    );
}
