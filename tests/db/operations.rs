//! The Operation Center's tasks at the service level: cost per Running period with frozen intervals
//! excluded, and another account's tasks and workspaces answering as missing.
use crate::helpers::*;
use workspace_console::assets::service as assets;
use workspace_console::deletion::service as deletion;
use workspace_console::error::AppError;
use workspace_console::operations::service as tasks;
use workspace_console::store::Pool;

on_both_engines!(running_tasks_accrue_cost_per_run_and_frozen_intervals_are_excluded);
async fn running_tasks_accrue_cost_per_run_and_frozen_intervals_are_excluded(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    publish(&pool, &acme, "ws1", "n1", T0).await;
    let task: i64 = count(&pool, "SELECT id FROM tasks").await;
    let account_id = acme.account_id;
    let cost = |now| {
        let pool = pool.clone();
        async move {
            tasks::list(
                &mut pool.acquire().await.unwrap(),
                account_id,
                now,
                Some(ws),
            )
            .await
            .unwrap()[0]
                .cost_cents
        }
    };
    assert_eq!(cost(T0 + DAY).await, 24 * 50);
    tasks::freeze(&pool, &by(&acme, T0 + DAY), task)
        .await
        .unwrap();
    assert_eq!(cost(T0 + 3 * DAY).await, 24 * 50);
    tasks::unfreeze(&pool, &by(&acme, T0 + 3 * DAY), task)
        .await
        .unwrap();
    assert_eq!(cost(T0 + 4 * DAY).await, 48 * 50);
    assert!(matches!(
        tasks::unfreeze(&pool, &by(&acme, T0), task).await,
        Err(AppError::Conflict(_))
    ));
}

on_both_engines!(another_accounts_tasks_and_workspaces_answer_as_missing);
async fn another_accounts_tasks_and_workspaces_answer_as_missing(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    workspace(&pool, &acme, "ws1", false).await;
    publish(&pool, &acme, "ws1", "n1", T0).await;
    let task: i64 = count(&pool, "SELECT id FROM tasks").await;
    assert_eq!(
        tasks::freeze(&pool, &by(&globex, T0), task).await,
        tasks::freeze(&pool, &by(&globex, T0), 9_999).await
    );
    assert!(matches!(
        tasks::delete(&pool, &by(&globex, T0), task).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        assets::overview(&pool, &globex, "ws1").await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        deletion::delete(&pool, &by(&globex, T0), "ws1", "ws1", true).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        count(&pool, "SELECT count(*) FROM tasks WHERE status = 'Running'").await,
        1
    );
}
