//! Workspaces at the service level: names unique ignoring case within an account, the naming
//! conventions, and the list's search and pages.
use crate::helpers::*;
use workspace_console::error::AppError;
use workspace_console::store::Pool;
use workspace_console::workspaces::service as workspaces;

on_both_engines!(workspace_names_are_unique_ignoring_case);
async fn workspace_names_are_unique_ignoring_case(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "sales_dw", true).await;
    let err = workspaces::create(&pool, &by(&acme, T0), new_ws("SALES_DW"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("already exists")),
        "{err:?}"
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM workspaces").await, 1);
}

on_both_engines!(the_same_name_may_exist_in_another_account);
async fn the_same_name_may_exist_in_another_account(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    workspace(&pool, &acme, "sales_dw", false).await;
    workspace(&pool, &globex, "sales_dw", false).await;
    let page = workspaces::list(&pool, &globex, "", 1).await.unwrap();
    assert_eq!(page.total, 1);
}

on_both_engines!(a_name_breaking_the_conventions_is_refused_and_nothing_is_created);
async fn a_name_breaking_the_conventions_is_refused_and_nothing_is_created(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for bad in ["ab", "bad-name", "_lead", &"x".repeat(65)] {
        assert!(matches!(
            workspaces::create(&pool, &by(&acme, T0), new_ws(bad)).await,
            Err(AppError::Invalid(_))
        ));
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM workspaces").await, 0);
}

on_both_engines!(
    the_list_searches_by_name_pages_by_ten_and_shows_only_the_callers_active_workspaces
);
async fn the_list_searches_by_name_pages_by_ten_and_shows_only_the_callers_active_workspaces(
    pool: Pool,
) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    for i in 0..23 {
        workspace(&pool, &acme, &format!("ws_{i:02}"), false).await;
    }
    workspace(&pool, &acme, "sales_dw", false).await;
    workspace(&pool, &globex, "globex_only", false).await;
    let page = workspaces::list(&pool, &acme, "", 3).await.unwrap();
    assert_eq!((page.total, page.pages, page.rows.len()), (24, 3, 4));
    // A page past the last (or any number at all) shows the last page; below the first, the first.
    for asked in [4, i64::MAX] {
        let last = workspaces::list(&pool, &acme, "", asked).await.unwrap();
        assert_eq!(
            (last.page, last.pages, last.rows.len()),
            (3, 3, 4),
            "page {asked}"
        );
        assert_eq!(last.rows, page.rows);
    }
    for asked in [0, i64::MIN] {
        let first = workspaces::list(&pool, &acme, "", asked).await.unwrap();
        assert_eq!((first.page, first.rows.len()), (1, 10), "page {asked}");
    }
    let found = workspaces::list(&pool, &acme, "SALES", 1).await.unwrap();
    assert_eq!(
        found
            .rows
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["sales_dw"]
    );
    assert_eq!(
        workspaces::list(&pool, &acme, "globex", 1)
            .await
            .unwrap()
            .total,
        0
    );
    // LIKE wildcards in the search are literal.
    assert_eq!(
        workspaces::list(&pool, &acme, "%", 1).await.unwrap().total,
        0
    );
}
