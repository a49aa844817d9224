//! The live console's stream (SPEC §13) over HTTP on both engines: an account's changes reach its
//! open streams within 2 seconds, whichever door made them (a page, the API, the purge job), and
//! never another account's; refusals send nothing; the stream is for viewers only and ends with
//! the session, the policy, or the instance.
use crate::helpers::sse::{Next, Stream, WITHIN};
use crate::helpers::*;
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::store::Pool;

on_both_engines!(an_accounts_changes_reach_its_streams_only_and_within_two_seconds);
async fn an_accounts_changes_reach_its_streams_only_and_within_two_seconds(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let globex = app.client(Some(("globex", "globex-demo-1"))).await;
    let mut seen_by_bob = Stream::open(&app.url, &bob).await;
    let mut seen_by_alice = Stream::open(&app.url, &alice).await;
    let mut seen_by_globex = Stream::open(&app.url, &globex).await;

    // A deletion on the Workspaces page.
    let made = Instant::now();
    assert_eq!(
        app.delete_workspace(&alice, "sales_dw", "sales_dw").await,
        StatusCode::OK
    );
    let change = seen_by_bob.change_since(made).await;
    assert_eq!(
        (
            change.action.as_str(),
            change.workspace.as_str(),
            change.user.as_str()
        ),
        ("DeleteWorkspace", "sales_dw", "alice@acme")
    );
    assert_eq!(
        change.announcement(workspace_console::i18n::Lang::En),
        "sales_dw was deleted by alice@acme"
    );
    assert_eq!(seen_by_alice.change_since(made).await, change);

    // A refusal changes nothing, so nothing is sent: bob may not delete, and a wrong name fails.
    assert_eq!(
        app.delete_workspace(&bob, "supply_chain", "supply_chain")
            .await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete_workspace(&alice, "supply_chain", "customer")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The recover, then the purge job when the 14 days of another entry are over.
    let (id, deleted_at) = bin_entry(&app.pool, "sales_dw").await;
    let recover = [
        ("entry_id", id.to_string()),
        ("deleted_at", deleted_at.to_string()),
    ];
    assert_eq!(
        app.call(&alice, "recover_workspace", &recover).await.0,
        StatusCode::OK
    );
    let change = seen_by_bob.change().await;
    assert_eq!(
        (change.action.as_str(), change.workspace.as_str()),
        ("RecoverWorkspace", "sales_dw")
    );
    assert_eq!(
        app.delete_workspace(&alice, "supply_chain", "supply_chain")
            .await,
        StatusCode::OK
    );
    assert_eq!(seen_by_bob.change().await.action, "DeleteWorkspace");
    app.advance_clock(RETENTION_SECS + DAY).await;
    // The demo's five entries and supply_chain all expire: six purges by the job.
    let mut purged = vec![];
    for _ in 0..6 {
        let change = seen_by_bob.change().await;
        assert_eq!(
            (change.action.as_str(), change.user.as_str()),
            ("PurgeExpiredWorkspace", "system")
        );
        purged.push(change.workspace);
    }
    purged.sort();
    assert_eq!(
        purged,
        [
            "legacy_reports",
            "poc_2025",
            "sandbox_a",
            "sandbox_b",
            "supply_chain",
            "tmp_join_test"
        ]
    );

    // The other account heard none of it, and hears its own.
    assert_eq!(
        seen_by_globex.next(Duration::from_millis(300)).await,
        Next::Silent
    );
    let globex_ws: String =
        sqlx::query_scalar("SELECT w.name FROM workspaces w JOIN accounts a ON a.id = w.account_id WHERE a.name = 'globex' AND w.deleted_at IS NULL LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        app.delete_workspace(&globex, &globex_ws, &globex_ws).await,
        StatusCode::OK
    );
    assert_eq!(seen_by_globex.change().await.workspace, globex_ws);
    seen_by_bob.silent_for(Duration::from_millis(500)).await;
}

on_both_engines!(changes_through_the_api_and_to_tasks_are_sent_too);
async fn changes_through_the_api_and_to_tasks_are_sent_too(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let mut stream = Stream::open(&app.url, &bob).await;
    // An AccessKey for alice, and a deletion through the API.
    let alice_id = app.id("SELECT id FROM users WHERE name = 'alice'").await;
    let (status, body) = app
        .call(&root, "create_access_key", &[("user_id", alice_id)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let key: serde_json::Value = serde_json::from_str(&body).unwrap();
    let bearer = format!(
        "{}:{}",
        key["id"].as_str().unwrap(),
        key["secret"].as_str().unwrap()
    );
    let res = reqwest::Client::new()
        .delete(format!(
            "{}/openapi/v1/workspaces/sales_dw?confirm_name=sales_dw&freeze_tasks=false",
            app.url
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let change = stream.change().await;
    assert_eq!(
        (change.action.as_str(), change.user.as_str()),
        ("DeleteWorkspace", "alice@acme")
    );
    // The Running tasks it left behind, frozen in the Operation Center.
    let task = app
        .id("SELECT t.id FROM tasks t JOIN accounts a ON a.id = t.account_id
             WHERE a.name = 'acme' AND t.workspace_name = 'sales_dw' AND t.status = 'Running' LIMIT 1")
        .await;
    let (status, body) = app.call(&root, "freeze_task", &[("task_id", task)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let change = stream.change().await;
    assert_eq!(change.action, "FreezeTask");
    assert_eq!(
        change.announcement(workspace_console::i18n::Lang::En),
        "A task of sales_dw was frozen by acme"
    );
}

on_both_engines!(the_stream_is_for_viewers_and_ends_with_their_access);
async fn the_stream_is_for_viewers_and_ends_with_their_access(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let anonymous = reqwest::Client::new();
    let res = anonymous
        .get(format!("{}/live/events", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let carol = app.client(Some(("carol@acme", "carol-demo-1"))).await;
    let res = carol
        .get(format!("{}/live/events", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Bob loses his policy: his stream ends at once (the detach is itself a change it hears).
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let mut stream = Stream::open(&app.url, &bob).await;
    let bob_id = app.id("SELECT id FROM users WHERE name = 'bob'").await;
    let detach = [
        ("user_id", bob_id),
        ("policy", "AliyunDataWorksReadOnlyAccess".to_string()),
        ("attached", "false".to_string()),
    ];
    let (status, body) = app.call(&root, "set_ram_user_policy", &detach).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(stream.next(WITHIN).await, Next::Ended);
    let res = bob
        .get(format!("{}/live/events", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Alice signs out in another tab: the stream of this session ends within a few seconds, and
    // no change reaches it after.
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let mut stream = Stream::open(&app.url, &alice).await;
    assert_eq!(app.call(&alice, "sign_out", &[]).await.0, StatusCode::OK);
    assert_eq!(stream.next(Duration::from_secs(8)).await, Next::Ended);

    // The instance stops: open streams end, so the stop is not held up by them.
    let root_stream_client = app.client(Some(("acme", "acme-demo-1"))).await;
    let mut stream = Stream::open(&app.url, &root_stream_client).await;
    let mut app = app;
    let _ = app.stop.take().unwrap().send(());
    assert_eq!(stream.next(Duration::from_secs(4)).await, Next::Ended);
    drop(root);
}

on_both_engines!(a_lost_listener_reconnects_and_every_stream_re_reads);
async fn a_lost_listener_reconnects_and_every_stream_re_reads(pool: Pool) {
    let app = spawn_app(pool, false).await;
    if workspace_console::store::Engine::of_pool(&app.pool)
        != workspace_console::store::Engine::Postgres
    {
        return; // SQLite has no listener: the instance reads the file itself.
    }
    // The trigger announces exactly the actions the hub handles.
    let trigger: String = sqlx::query_scalar(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'audit_events_live'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for action in workspace_console::live::LIVE_ACTIONS
        .iter()
        .chain(&workspace_console::live::ACCESS_ACTIONS)
    {
        assert!(
            trigger.contains(&format!("'{action}'")),
            "{action} missing from {trigger}"
        );
    }
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let mut stream = Stream::open(&app.url, &bob).await;
    // The database drops the listening connection (a failover, a restart, an idle timeout).
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query ILIKE 'LISTEN%') t",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(ended, 1);
    // Once listening again, the hub tells the streams to re-read what they may have missed …
    match stream.next(Duration::from_secs(5)).await {
        Next::Event(name, _) => assert_eq!(name, "resync"),
        other => panic!("expected a resync, got {other:?}"),
    }
    // … and changes arrive as before.
    let made = Instant::now();
    assert_eq!(
        app.delete_workspace(&alice, "sales_dw", "sales_dw").await,
        StatusCode::OK
    );
    assert_eq!(stream.change_since(made).await.workspace, "sales_dw");
}

on_both_engines!(turning_deletion_protection_on_or_off_reaches_other_viewers);
async fn turning_deletion_protection_on_or_off_reaches_other_viewers(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let mut seen_by_bob = Stream::open(&app.url, &bob).await;
    for (enabled, action, said) in [
        (
            true,
            "EnableDeletionProtection",
            "Deletion protection was turned on for finance_etl by alice@acme",
        ),
        (
            false,
            "DisableDeletionProtection",
            "Deletion protection was turned off for finance_etl by alice@acme",
        ),
    ] {
        let made = Instant::now();
        let args = [("workspace", s("finance_etl")), ("enabled", s(enabled))];
        let (status, body) = app.call(&alice, "set_deletion_protection", &args).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let change = seen_by_bob.change_since(made).await;
        assert_eq!(
            (change.action.as_str(), change.workspace.as_str()),
            (action, "finance_etl")
        );
        assert!(change.changes_workspace_list());
        assert_eq!(change.announcement(workspace_console::i18n::Lang::En), said);
    }
}

on_both_engines!(turning_purge_protection_on_or_off_reaches_other_viewers_recycle_bins);
async fn turning_purge_protection_on_or_off_reaches_other_viewers_recycle_bins(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let root = app.client(Some(("acme", "acme-demo-1"))).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let mut seen_by_bob = Stream::open(&app.url, &bob).await;
    for (enabled, action, said) in [
        (
            true,
            "EnablePurgeProtection",
            "Purge protection was turned on by acme",
        ),
        (
            false,
            "DisablePurgeProtection",
            "Purge protection was turned off by acme",
        ),
    ] {
        let made = Instant::now();
        let (status, body) = app
            .call(&root, "set_purge_protection", &[("enabled", s(enabled))])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let change = seen_by_bob.change_since(made).await;
        assert_eq!(change.action, action);
        assert!(change.changes_recycle_bin());
        assert_eq!(change.announcement(workspace_console::i18n::Lang::En), said);
    }
}
