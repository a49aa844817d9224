//! The purge job at the service level: expired entries only, once each however many passes run at
//! once, in bounded batches, and a pass that died mid-way finished by a later one.
use crate::helpers::*;
use workspace_console::deletion::service as deletion;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::error::AppError;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;
use workspace_console::workspaces::service as workspaces;

on_both_engines!(the_purge_job_deletes_expired_entries_only_and_is_idempotent);
async fn the_purge_job_deletes_expired_entries_only_and_is_idempotent(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for i in 0..45 {
        let name = format!("old_{i:02}");
        workspace(&pool, &acme, &name, false).await;
        asset(&pool, &acme, &name, "node", "PAI", "n").await;
        deletion::delete(&pool, &by(&acme, T0), &name, &name, true)
            .await
            .unwrap();
    }
    workspace(&pool, &acme, "young", false).await;
    deletion::delete(&pool, &by(&acme, T0 + DAY), "young", "young", true)
        .await
        .unwrap();
    assert_eq!(
        bin::purge_expired(&pool, T0 + RETENTION_SECS - 1)
            .await
            .unwrap(),
        0
    );
    let (first, second) = tokio::join!(
        bin::purge_expired(&pool, T0 + RETENTION_SECS),
        bin::purge_expired(&pool, T0 + RETENTION_SECS)
    );
    assert_eq!(
        first.unwrap() + second.unwrap(),
        45,
        "two concurrent passes purge each entry once"
    );
    assert_eq!(
        bin::purge_expired(&pool, T0 + RETENTION_SECS)
            .await
            .unwrap(),
        0
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM workspaces").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 0);
    workspace(&pool, &acme, "OLD_00", false).await;
}

on_both_engines!(a_purge_removes_rows_in_bounded_batches_and_a_crash_mid_way_is_finished_later);
async fn a_purge_removes_rows_in_bounded_batches_and_a_crash_mid_way_is_finished_later(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "big", false).await;
    let rows = bin::PURGE_ROWS * 2 + 17;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, created_at)
         SELECT $2, 'resource', 'DataWorks', 'r' || i, 'File', 0 FROM n",
    )
    .bind(rows)
    .bind(ws)
    .execute(&pool)
    .await
    .unwrap();
    deletion::delete(&pool, &by(&acme, T0), "big", "big", true)
        .await
        .unwrap();
    // A crash after the purge began and one batch went: the entry is out of the bin already.
    sqlx::query("UPDATE workspaces SET purge_started_at = $1 WHERE id = $2")
        .bind(T0)
        .bind(ws)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "DELETE FROM assets WHERE id IN (SELECT id FROM assets WHERE workspace_id = $1 LIMIT 100)",
    )
    .bind(ws)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(
        bin::list(&pool, T0, &acme, &first_page())
            .await
            .unwrap()
            .total,
        0
    );
    let recover = bin::recover(&pool, &by(&acme, T0 + 1), ws, T0)
        .await
        .unwrap_err();
    assert!(matches!(recover, AppError::NotFound(_)), "{recover:?}");
    let taken = workspaces::create(&pool, &by(&acme, T0), new_ws("big")).await;
    assert!(
        taken.is_err(),
        "the name stays reserved until the entry is gone"
    );
    // While its claim is fresh the purge belongs to the instance that started it; once the claim
    // is not renewed for the lease, the next pass of any instance finishes it, long before the
    // 14 days are up.
    assert_eq!(bin::purge_expired(&pool, T0 + 1).await.unwrap(), 0);
    assert_eq!(
        bin::purge_expired(&pool, T0 + bin::PURGE_LEASE_SECS)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        count(
            &pool,
            &format!("SELECT count(*) FROM assets WHERE workspace_id = {ws}")
        )
        .await,
        0
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM workspaces").await, 0);
    assert_eq!(bin::purge_expired(&pool, T0 + 2).await.unwrap(), 0);
    workspaces::create(&pool, &by(&acme, T0), new_ws("big"))
        .await
        .unwrap();
}

on_both_engines!(two_purge_passes_at_once_purge_each_entry_once);
async fn two_purge_passes_at_once_purge_each_entry_once(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for i in 0..30 {
        let name = format!("old_{i}");
        workspace(&pool, &acme, &name, false).await;
        asset(&pool, &acme, &name, "node", "DataWorks", "n").await;
        deletion::delete(&pool, &by(&acme, T0), &name, &name, true)
            .await
            .unwrap();
    }
    let later = T0 + RETENTION_SECS;
    let (a, b) = tokio::join!(
        bin::purge_expired(&pool, later),
        bin::purge_expired(&pool, later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 30);
    assert_eq!(count(&pool, "SELECT count(*) FROM workspaces").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 0);
}
