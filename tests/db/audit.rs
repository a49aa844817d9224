//! The Audit Log at the service level: one event per change, written with it; none for a change
//! that rolled back; events outlive their workspace and stay in their account; append-only and
//! kept 180 days; pages without gaps or repeats.
use crate::helpers::*;
use workspace_console::audit::service as audit_log;
use workspace_console::audit::{AuditFilter, Cursor};
use workspace_console::deletion::service as deletion;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::error::AppError;
use workspace_console::operations::service as tasks;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;

on_both_engines!(each_change_writes_exactly_one_event_with_its_fields);
async fn each_change_writes_exactly_one_event_with_its_fields(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    workspace(&pool, &alice, "sales_dw", false).await;
    let task_node = publish(&pool, &alice, "sales_dw", "n1", T0).await;
    let task: i64 = sqlx::query_scalar("SELECT id FROM tasks WHERE node_id = $1")
        .bind(task_node)
        .fetch_one(&pool)
        .await
        .unwrap();
    tasks::freeze(&pool, &by(&alice, T0 + 1), task)
        .await
        .unwrap();
    tasks::unfreeze(&pool, &by(&alice, T0 + 2), task)
        .await
        .unwrap();
    deletion::delete(&pool, &by(&alice, T0 + 10), "sales_dw", "sales_dw", true)
        .await
        .unwrap();
    let (id, at) = bin_entry(&pool, "sales_dw").await;
    bin::recover(&pool, &by(&alice, T0 + 20), id, at)
        .await
        .unwrap();

    for (action, expected) in [
        ("CreateAccount", 1),
        ("CreateRamUser", 1),
        ("CreateWorkspace", 1),
        ("AddAsset", 1),
        ("SaveNode", 1),
        ("CommitNode", 1),
        ("PublishNode", 1),
        // Freezing the task inside the deletion is part of the deletion's event.
        ("FreezeTask", 1),
        ("UnfreezeTask", 1),
        ("DeleteWorkspace", 1),
        ("RecoverWorkspace", 1),
    ] {
        let found = events(&pool, &acme, by_action(action)).await.len();
        assert_eq!(found, expected, "{action}");
    }
    let delete = &events(&pool, &acme, by_action("DeleteWorkspace")).await[0];
    assert_eq!(delete.user_name, "alice@acme");
    assert_eq!(delete.workspace, "sales_dw");
    assert_eq!(delete.source, "Console");
    assert_eq!(delete.result, "Success");
    assert_eq!(delete.at, T0 + 10);
    let all = events(&pool, &acme, AuditFilter::default()).await;
    assert!(
        all.windows(2).all(|w| w[0].id > w[1].id),
        "newest first: {all:?}"
    );
    // Filters by user and workspace ignore letter case.
    let alices = AuditFilter {
        user: "ALICE@acme".into(),
        workspace: "Sales_DW".into(),
        ..AuditFilter::default()
    };
    assert_eq!(events(&pool, &acme, alices).await.len(), all.len() - 2);
}

on_both_engines!(a_refused_change_writes_no_success_event_and_changes_nothing);
async fn a_refused_change_writes_no_success_event_and_changes_nothing(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    let before = events(&pool, &acme, AuditFilter::default()).await.len();
    let refused = deletion::delete(&pool, &by(&acme, T0), "ws1", "wrong", true).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))));
    let missing = deletion::delete(&pool, &by(&acme, T0), "nope", "nope", true).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))));
    assert_eq!(
        events(&pool, &acme, AuditFilter::default()).await.len(),
        before
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM workspaces WHERE deleted_at IS NULL"
        )
        .await,
        1
    );
}

on_both_engines!(events_outlive_the_purge_and_stay_in_their_account);
async fn events_outlive_the_purge_and_stay_in_their_account(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    workspace(&pool, &acme, "old_ws", false).await;
    workspace(&pool, &acme, "by_hand", false).await;
    deletion::delete(&pool, &by(&acme, T0), "old_ws", "old_ws", true)
        .await
        .unwrap();
    deletion::delete(&pool, &by(&acme, T0), "by_hand", "by_hand", true)
        .await
        .unwrap();
    let (id, at) = bin_entry(&pool, "by_hand").await;
    bin::purge(&pool, &by(&acme, T0 + 5), id, at, "by_hand")
        .await
        .unwrap();
    assert_eq!(
        bin::purge_expired(&pool, T0 + RETENTION_SECS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM workspaces").await, 0);

    let expired = events(&pool, &acme, by_action("PurgeExpiredWorkspace")).await;
    assert_eq!(expired.len(), 1);
    assert_eq!(
        (
            expired[0].user_name.as_str(),
            expired[0].source.as_str(),
            expired[0].workspace.as_str()
        ),
        ("system", "System", "old_ws")
    );
    let by_hand = events(&pool, &acme, by_action("PurgeWorkspace")).await;
    assert_eq!(
        (by_hand.len(), by_hand[0].workspace.as_str()),
        (1, "by_hand")
    );
    let old = AuditFilter {
        workspace: "old_ws".into(),
        ..AuditFilter::default()
    };
    let actions: Vec<_> = events(&pool, &acme, old.clone())
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "PurgeExpiredWorkspace",
            "DeleteWorkspace",
            "CreateWorkspace"
        ]
    );
    // A second pass finds nothing and records nothing.
    bin::purge_expired(&pool, T0 + RETENTION_SECS + 60)
        .await
        .unwrap();
    assert_eq!(
        events(&pool, &acme, by_action("PurgeExpiredWorkspace"))
            .await
            .len(),
        1
    );
    // Another account sees none of it.
    assert!(events(&pool, &globex, old).await.is_empty());
    let globex_actions: Vec<_> = events(&pool, &globex, AuditFilter::default())
        .await
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(globex_actions, ["CreateAccount"]);
}

on_both_engines!(events_are_append_only_and_kept_180_days);
async fn events_are_append_only_and_kept_180_days(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    let edit = sqlx::query("UPDATE audit_events SET result = 'Denied'")
        .execute(&pool)
        .await;
    assert!(edit.is_err(), "an event was edited");
    let day = 86_400;
    assert_eq!(
        audit_log::forget_old(&pool, T0 + 180 * day).await.unwrap(),
        0
    );
    assert_eq!(
        audit_log::forget_old(&pool, T0 + 180 * day + 1)
            .await
            .unwrap(),
        2
    );
    assert!(
        events(&pool, &acme, AuditFilter::default())
            .await
            .is_empty()
    );
}

on_both_engines!(pages_follow_each_other_without_gaps_or_repeats);
async fn pages_follow_each_other_without_gaps_or_repeats(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for i in 0..23 {
        workspace(&pool, &acme, &format!("ws{i}"), false).await;
    }
    let filter = by_action("CreateWorkspace");
    let mut seen = Vec::new();
    let mut cursor = Cursor::Newest;
    loop {
        let page = audit_log::page(&pool, &acme, &filter, cursor, 10)
            .await
            .unwrap();
        assert!(page.events.len() <= 10);
        assert_eq!(page.newer.is_some(), !seen.is_empty());
        seen.extend(page.events.iter().map(|e| e.workspace.clone()));
        match page.older {
            Some(id) => cursor = Cursor::Before(id),
            None => break,
        }
    }
    let expected: Vec<_> = (0..23).rev().map(|i| format!("ws{i}")).collect();
    assert_eq!(seen, expected);
    // Back from the last page.
    let last = audit_log::page(&pool, &acme, &filter, cursor, 10)
        .await
        .unwrap();
    let back = audit_log::page(
        &pool,
        &acme,
        &filter,
        Cursor::After(last.newer.unwrap()),
        10,
    )
    .await
    .unwrap();
    assert_eq!(back.events.first().unwrap().workspace, "ws12");
    assert_eq!(back.events.last().unwrap().workspace, "ws3");
    let unknown = audit_log::page(&pool, &acme, &by_action("Nope"), Cursor::Newest, 10).await;
    assert!(matches!(unknown, Err(AppError::Invalid(_))));
}
