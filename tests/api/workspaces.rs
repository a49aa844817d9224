//! The Workspaces page's server functions over HTTP: clear refusals of a create or delete, and the
//! search that refuses what no name can match and takes wildcards literally.
use crate::helpers::*;
use reqwest::StatusCode;
use workspace_console::store::Pool;

on_both_engines!(refusals_are_clear_four_hundreds);
async fn refusals_are_clear_four_hundreds(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let create = |name: &str| {
        vec![
            ("name", s(name)),
            ("display_name", s("")),
            ("description", s("")),
            ("data_modeling", s(false)),
        ]
    };
    let (status, body) = app
        .call(&client, "create_workspace", &create("bad-name"))
        .await;
    assert_eq!(
        (status, body.contains("letters, digits and underscores")),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (status, body) = app
        .call(&client, "create_workspace", &create("SALES_DW"))
        .await;
    assert_eq!(
        (status, body.contains("already exists")),
        (StatusCode::CONFLICT, true)
    );
    let (status, body) = app
        .call(&client, "create_workspace", &create("Legacy_Reports"))
        .await;
    assert_eq!(
        (status, body.contains("Recycle Bin")),
        (StatusCode::CONFLICT, true)
    );
    let (status, _) = app
        .call(
            &client,
            "delete_workspace",
            &[
                ("workspace", s("sales_dw")),
                ("typed_name", s("sales_dw ")),
                ("freeze_tasks", s(true)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both_engines!(a_search_longer_than_any_name_is_refused_and_wildcards_match_themselves);
async fn a_search_longer_than_any_name_is_refused_and_wildcards_match_themselves(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let (status, body) = app
        .call(
            &bob,
            "list_workspaces",
            &[("query", "%_".repeat(30_000)), ("page", s(1))],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .call(
            &bob,
            "list_workspaces",
            &[("query", s("%")), ("page", s(1))],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"total\":0"), "{body}");
    let (status, body) = app
        .call(
            &bob,
            "list_workspaces",
            &[
                ("query", s("sales_")),
                ("page", s(9_223_372_036_854_775_807i64)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("sales_dw"), "{body}");
}

on_both_engines!(a_workspace_created_protected_says_so_and_bob_may_not_change_it);
async fn a_workspace_created_protected_says_so_and_bob_may_not_change_it(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let alice = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let (status, body) = app
        .call(
            &alice,
            "create_workspace",
            &[
                ("name", s("kept_ws")),
                ("display_name", s("")),
                ("description", s("")),
                ("data_modeling", s(false)),
                ("deletion_protection", s(true)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"deletion_protection\":true"), "{body}");
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    let before = app.fingerprint().await;
    let (status, _) = app
        .call(
            &bob,
            "set_deletion_protection",
            &[("workspace", s("kept_ws")), ("enabled", s(false))],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(
        app.delete_workspace(&alice, "kept_ws", "kept_ws").await,
        StatusCode::CONFLICT
    );
}

on_both_engines!(each_page_is_built_once_per_request);
/// The server builds the console's frame and the page once per request (issue 48): no walk of
/// the layout's `Suspense` builds them again. Test mode names each build in a header.
async fn each_page_is_built_once_per_request(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let client = app.client(Who::Root.credentials()).await;
    let entry: i64 = sqlx::query_scalar("SELECT id FROM workspaces WHERE name = 'tmp_join_test'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for (path, page) in [
        ("/workspaces", "WorkspacesPage"),
        ("/workspaces/sales_dw", "WorkspaceOverviewPage"),
        ("/workspaces/sales_dw/datastudio", "DataStudioPage"),
        ("/recycle-bin?q=sandbox", "RecycleBinPage"),
        (&format!("/recycle-bin/{entry}"), "BinEntryPage"),
        ("/audit-log", "AuditLogPage"),
    ] {
        let res = client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let builds = res.headers()[workspace_console::server::builds::BUILDS_HEADER]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(builds, format!("ConsoleFrame {page}"), "{path}");
    }
}
