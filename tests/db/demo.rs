//! The demo data: seeded once, never again.
use crate::helpers::*;
use workspace_console::identity::service as identity;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;
use workspace_console::workspaces::service as workspaces;

on_both_engines!(demo_data_is_seeded_once_and_never_reseeded);
async fn demo_data_is_seeded_once_and_never_reseeded(pool: Pool) {
    use workspace_console::startup::demo;
    assert!(demo::seed(&pool, T0).await.unwrap());
    let before = count(&pool, "SELECT count(*) FROM assets").await;
    assert!(!demo::seed(&pool, T0).await.unwrap());
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, before);
    let acme = identity::load_principal(&pool, 1).await.unwrap().unwrap();
    assert!(workspaces::list(&pool, &acme, "", 1).await.unwrap().total >= 30);
    let bin_page = bin::list(&pool, T0, &acme, &first_page()).await.unwrap();
    assert_eq!(
        bin_page
            .entries
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        // Newest deletion first: SPEC §25's four entries, then legacy_reports.
        [
            "sandbox_a",
            "sandbox_b",
            "tmp_join_test",
            "poc_2025",
            "legacy_reports"
        ]
    );
    assert_eq!(bin_page.entries[4].deleted_at, T0 - 13 * DAY);
    let running: i64 = count(&pool, "SELECT count(*) FROM tasks t JOIN workspaces w ON w.id = t.workspace_id WHERE w.name = 'sales_dw' AND w.account_id = 1 AND t.status = 'Running'").await;
    let frozen: i64 = count(&pool, "SELECT count(*) FROM tasks t JOIN workspaces w ON w.id = t.workspace_id WHERE w.name = 'sales_dw' AND w.account_id = 1 AND t.status = 'Frozen'").await;
    assert_eq!((running, frozen), (2, 1));
    // SPEC §20: customer_360 alone has deletion protection on.
    let protected: Vec<String> =
        sqlx::query_scalar("SELECT name FROM workspaces WHERE deletion_protection ORDER BY name")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(protected, ["customer_360"]);
}
