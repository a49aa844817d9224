//! "Delete Workspace" at the service level: what moves to the Recycle Bin, 14 days of retention,
//! the freeze box and orphaned tasks, the typed name, one transaction, and writes racing a delete.
use crate::helpers::*;
use workspace_console::assets::service as assets;
use workspace_console::deletion::service as deletion;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::error::AppError;
use workspace_console::operations::service as tasks;
use workspace_console::store::Pool;
use workspace_console::workspaces::service as workspaces;

on_both_engines!(delete_moves_the_four_recoverable_types_and_deletes_the_rest);
async fn delete_moves_the_four_recoverable_types_and_deletes_the_rest(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    let outcome = deletion::delete(&pool, &by(&acme, T0), "sales_dw", "sales_dw", true)
        .await
        .unwrap();
    assert!(outcome.moved.iter().all(|c| c.dataworks == 1 && c.pai == 1));
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT kind FROM assets WHERE workspace_id = $1 ORDER BY kind",
    )
    .bind(ws)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kinds, ["compute", "data_source", "node", "resource"]);
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 8);
    assert_eq!(
        workspaces::list(&pool, &acme, "", 1).await.unwrap().total,
        0
    );
}

on_both_engines!(retention_is_exactly_fourteen_days_and_records_who_deleted);
async fn retention_is_exactly_fourteen_days_and_records_who_deleted(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let alice = ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, &by(&alice, T0 + 5), "ws1", "ws1", true)
        .await
        .unwrap();
    let (deleted_at, by, purge_at): (i64, String, i64) =
        sqlx::query_as("SELECT deleted_at, deleted_by, purge_at FROM workspaces")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (deleted_at, by.as_str(), purge_at),
        (T0 + 5, "alice@acme", T0 + 5 + RETENTION_SECS)
    );
}

on_both_engines!(with_the_freeze_box_running_tasks_are_frozen_then_deleted);
async fn with_the_freeze_box_running_tasks_are_frozen_then_deleted(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    publish(&pool, &acme, "ws1", "n1", T0).await;
    publish(&pool, &acme, "ws1", "n2", T0).await;
    let outcome = deletion::delete(&pool, &by(&acme, T0 + DAY), "ws1", "ws1", true)
        .await
        .unwrap();
    assert_eq!(
        (
            outcome.tasks_frozen,
            outcome.tasks_deleted,
            outcome.tasks_orphaned
        ),
        (2, 2, 0)
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM tasks").await, 0);
}

on_both_engines!(without_the_freeze_box_running_tasks_are_orphans_that_keep_billing);
async fn without_the_freeze_box_running_tasks_are_orphans_that_keep_billing(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    publish(&pool, &acme, "ws1", "running", T0).await;
    let frozen_node = publish(&pool, &acme, "ws1", "frozen", T0).await;
    let frozen: i64 = sqlx::query_scalar("SELECT id FROM tasks WHERE node_id = $1")
        .bind(frozen_node)
        .fetch_one(&pool)
        .await
        .unwrap();
    tasks::freeze(&pool, &by(&acme, T0), frozen).await.unwrap();
    let outcome = deletion::delete(&pool, &by(&acme, T0 + DAY), "ws1", "ws1", false)
        .await
        .unwrap();
    assert_eq!((outcome.tasks_deleted, outcome.tasks_orphaned), (1, 1));
    let all = tasks::list(
        &mut pool.acquire().await.unwrap(),
        acme.account_id,
        T0 + 2 * DAY,
        None,
    )
    .await
    .unwrap();
    assert_eq!(all.len(), 1);
    let orphan = &all[0];
    assert!(orphan.orphaned && orphan.status == "Running" && orphan.workspace_name == "ws1");
    assert_eq!(
        orphan.cost_cents,
        48 * 50,
        "it keeps billing after the deletion"
    );
    tasks::freeze(&pool, &by(&acme, T0 + 2 * DAY), orphan.id)
        .await
        .unwrap();
    assert!(matches!(
        tasks::unfreeze(&pool, &by(&acme, T0 + 2 * DAY), orphan.id).await,
        Err(AppError::Conflict(_))
    ));
    tasks::delete(&pool, &by(&acme, T0), orphan.id)
        .await
        .unwrap();
}

on_both_engines!(a_typed_name_that_does_not_match_exactly_changes_nothing);
async fn a_typed_name_that_does_not_match_exactly_changes_nothing(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    for typed in ["SALES_DW", "sales_dw ", " sales_dw", "sales", ""] {
        let err = deletion::delete(&pool, &by(&acme, T0), "sales_dw", typed, true)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{typed:?}");
    }
    assert_eq!(
        workspaces::list(&pool, &acme, "", 1).await.unwrap().total,
        1
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 14);
}

on_both_engines!(a_workspace_deleted_meanwhile_is_reported_as_already_deleted);
async fn a_workspace_deleted_meanwhile_is_reported_as_already_deleted(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, &by(&acme, T0), "ws1", "ws1", true)
        .await
        .unwrap();
    let second = deletion::delete(&pool, &by(&acme, T0 + 1), "ws1", "ws1", true)
        .await
        .unwrap_err();
    assert!(
        matches!(&second, AppError::Conflict(m) if m.contains("already been deleted")),
        "{second:?}"
    );
    assert_eq!(count(&pool, "SELECT deleted_at FROM workspaces").await, T0);
}

on_both_engines!(a_failure_midway_leaves_the_workspace_fully_active);
async fn a_failure_midway_leaves_the_workspace_fully_active(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    publish(&pool, &acme, "sales_dw", "n1", T0).await;
    // Fails at the last statement, after tasks were frozen and assets deleted (a trigger, in each
    // engine's own trigger language).
    let triggers: &[&str] = match Engine::of_pool(&pool) {
        Engine::Sqlite => &[
            "CREATE TRIGGER fail_midway BEFORE UPDATE OF deleted_at ON workspaces BEGIN SELECT RAISE(ABORT, 'injected'); END",
        ],
        Engine::Postgres => &[
            "CREATE FUNCTION fail_midway() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$",
            "CREATE TRIGGER fail_midway BEFORE UPDATE OF deleted_at ON workspaces FOR EACH ROW EXECUTE FUNCTION fail_midway()",
        ],
    };
    for trigger in triggers {
        sqlx::query(trigger).execute(&pool).await.unwrap();
    }
    let err = deletion::delete(&pool, &by(&acme, T0 + DAY), "sales_dw", "sales_dw", true)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Internal);
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 15);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM tasks WHERE status = 'Running' AND workspace_id IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM task_running_periods WHERE ended_at IS NULL"
        )
        .await,
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
}

on_both_engines!(writes_racing_a_delete_never_land_in_the_recycle_bin);
async fn writes_racing_a_delete_never_land_in_the_recycle_bin(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for round in 0..25 {
        let name = format!("race_{round}");
        let ws = workspace(&pool, &acme, &name, false).await;
        let node = asset(&pool, &acme, &name, "node", "DataWorks", "n").await;
        assets::save_code(&pool, &by(&acme, T0), &name, node, "SELECT 1;")
            .await
            .unwrap();
        assets::commit(&pool, &by(&acme, T0), &name, node)
            .await
            .unwrap();
        let di = assets::NewAsset {
            kind: "di_task".into(),
            product: "DataWorks".into(),
            name: "sync".into(),
            subtype: "MySQL → MaxCompute".into(),
            detail: String::new(),
        };
        let change = by(&acme, T0);
        let (added, published, saved, deleted) = tokio::join!(
            assets::add(&pool, &change, &name, di),
            assets::publish(&pool, &change, &name, node),
            assets::save_code(&pool, &change, &name, node, "SELECT 2;"),
            deletion::delete(&pool, &change, &name, &name, true),
        );
        deleted.unwrap();
        for (what, result) in [
            ("add", added.map(drop)),
            ("publish", published.map(drop)),
            ("save", saved.map(drop)),
        ] {
            if let Err(error) = result {
                assert!(
                    matches!(error, AppError::NotFound(_) | AppError::Invalid(_)),
                    "{what} in round {round}: {error:?}"
                );
            }
        }
        let in_bin = |sql: &str| {
            sql.replace("{ws}", &ws.to_string())
                .replace("{round}", &round.to_string())
        };
        assert_eq!(
            count(
                &pool,
                &in_bin(
                    "SELECT count(*) FROM assets WHERE workspace_id = {ws} AND kind = 'di_task'"
                )
            )
            .await,
            0,
            "round {round}: a data integration task landed in the bin"
        );
        assert_eq!(
            count(&pool, &in_bin("SELECT count(*) FROM tasks WHERE workspace_id = {ws} OR (workspace_name = 'race_{round}' AND status = 'Running')")).await,
            0,
            "round {round}: a task is attached to the binned workspace or still Running"
        );
    }
}

on_both_engines!(a_protected_workspace_is_not_deleted_until_protection_is_off);
async fn a_protected_workspace_is_not_deleted_until_protection_is_off(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "sales_dw", false).await;
    let on = workspaces::set_deletion_protection(&pool, &by(&acme, T0), "SALES_DW", true)
        .await
        .unwrap();
    assert!(on.deletion_protection);
    let refused = deletion::delete(&pool, &by(&acme, T0), "sales_dw", "sales_dw", true).await;
    assert_eq!(
        refused.err(),
        Some(AppError::Protected(
            "Deletion protection is on for sales_dw; disable it first".into()
        ))
    );
    assert_eq!(
        workspaces::list(&pool, &acme, "", 1).await.unwrap().total,
        1
    );
    workspaces::set_deletion_protection(&pool, &by(&acme, T0), "sales_dw", false)
        .await
        .unwrap();
    deletion::delete(&pool, &by(&acme, T0), "sales_dw", "sales_dw", true)
        .await
        .unwrap();
    // A workspace in the Recycle Bin has no protection to change.
    let gone = workspaces::set_deletion_protection(&pool, &by(&acme, T0), "sales_dw", true).await;
    assert!(matches!(gone, Err(AppError::NotFound(_))));
}

on_both_engines!(protecting_and_deleting_at_once_one_comes_wholly_first);
async fn protecting_and_deleting_at_once_one_comes_wholly_first(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for round in 0..6 {
        let name = format!("race_ws_{round}");
        workspace(&pool, &acme, &name, false).await;
        let change = by(&acme, T0);
        let (protected, deleted) = tokio::join!(
            workspaces::set_deletion_protection(&pool, &change, &name, true),
            deletion::delete(&pool, &change, &name, &name, false),
        );
        match (protected, deleted) {
            // The delete came first: protection finds no active workspace.
            (Err(AppError::NotFound(_)), Ok(_)) => {}
            // Protection came first: the delete is refused and the workspace stays.
            (Ok(row), Err(AppError::Protected(_))) => assert!(row.deletion_protection),
            other => panic!("round {round}: {other:?}"),
        }
    }
}
