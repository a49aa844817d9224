//! Database behaviour of the services, on both engines: each test runs once on a fresh SQLite file
//! and once on a fresh PostgreSQL database (`on_both_engines!`).
#![recursion_limit = "512"]
mod common;

use common::*;
use workspace_console::assets::service as assets;
use workspace_console::deletion::service as deletion;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::error::AppError;
use workspace_console::identity::service as identity;
use workspace_console::operations::service as tasks;
use workspace_console::recycle_bin::service as bin;
use workspace_console::store::Pool;
use workspace_console::workspaces::service as workspaces;

async fn entry_deleted_at(pool: &Pool, ws_id: i64) -> i64 {
    sqlx::query_scalar("SELECT deleted_at FROM workspaces WHERE id = $1")
        .bind(ws_id)
        .fetch_one(pool)
        .await
        .unwrap()
}

// ---------- identity ----------

on_both_engines!(sign_in_accepts_root_and_ram_users_and_refuses_any_wrong_pair_alike);
async fn sign_in_accepts_root_and_ram_users_and_refuses_any_wrong_pair_alike(pool: Pool) {
    let acme = account(&pool, "acme").await;
    ram_user(&pool, &acme, "alice", Some("AliyunDataWorksFullAccess")).await;
    assert!(
        identity::authenticate(&pool, "acme", "acme-password")
            .await
            .is_ok()
    );
    assert!(
        identity::authenticate(&pool, "alice@acme", "alice-password")
            .await
            .is_ok()
    );
    for (user, pw) in [
        ("acme", "wrong"),
        ("nobody", "acme-password"),
        ("alice@acme", "acme-password"),
        ("alice", "alice-password"),
    ] {
        assert_eq!(
            identity::authenticate(&pool, user, pw).await,
            Err(AppError::BadCredentials),
            "{user}"
        );
    }
}

on_both_engines!(passwords_are_stored_as_salted_argon2_hashes);
async fn passwords_are_stored_as_salted_argon2_hashes(pool: Pool) {
    account(&pool, "acme").await;
    account(&pool, "initech").await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        hashes
            .iter()
            .all(|h| h.starts_with("$argon2id$") && !h.contains("password"))
    );
    assert_ne!(hashes[0], hashes[1]);
}

on_both_engines!(account_names_are_unique_ignoring_case);
async fn account_names_are_unique_ignoring_case(pool: Pool) {
    account(&pool, "acme").await;
    let again = identity::create_account(&pool, T0, "ACME", "long-enough").await;
    assert!(matches!(again, Err(AppError::Conflict(_))));
}

on_both_engines!(ram_user_management_stays_inside_the_roots_account);
async fn ram_user_management_stays_inside_the_roots_account(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    let bob = ram_user(&pool, &acme, "bob", Some("AliyunDataWorksReadOnlyAccess")).await;
    // globex's root cannot touch acme's user: it answers exactly as a missing one.
    let missing =
        identity::set_policy(&pool, T0, &globex, 9_999, "AliyunDataWorksFullAccess", true).await;
    let foreign = identity::set_policy(
        &pool,
        T0,
        &globex,
        bob.user_id,
        "AliyunDataWorksFullAccess",
        true,
    )
    .await;
    assert_eq!(missing, foreign);
    assert!(matches!(foreign, Err(AppError::NotFound(_))));
    assert!(
        identity::delete_ram_user(&pool, T0, &globex, bob.user_id)
            .await
            .is_err()
    );
    assert!(
        identity::list_ram_users(&pool, &globex)
            .await
            .unwrap()
            .is_empty()
    );

    identity::set_policy(
        &pool,
        T0,
        &acme,
        bob.user_id,
        "AliyunDataWorksFullAccess",
        true,
    )
    .await
    .unwrap();
    identity::set_policy(
        &pool,
        T0,
        &acme,
        bob.user_id,
        "AliyunDataWorksReadOnlyAccess",
        false,
    )
    .await
    .unwrap();
    let bob = identity::load_principal(&pool, bob.user_id)
        .await
        .unwrap()
        .unwrap();
    assert!(bob.can(workspace_console::domain::Capability::Modify));
    identity::delete_ram_user(&pool, T0, &acme, bob.user_id)
        .await
        .unwrap();
    assert!(
        identity::load_principal(&pool, bob.user_id)
            .await
            .unwrap()
            .is_none()
    );
}

// ---------- workspaces ----------

on_both_engines!(workspace_names_are_unique_ignoring_case);
async fn workspace_names_are_unique_ignoring_case(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "sales_dw", true).await;
    let err = workspaces::create(&pool, T0, &acme, new_ws("SALES_DW"))
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
            workspaces::create(&pool, T0, &acme, new_ws(bad)).await,
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

// ---------- assets, DataStudio, Operation Center ----------

on_both_engines!(each_asset_type_is_created_and_listed_per_workspace);
async fn each_asset_type_is_created_and_listed_per_workspace(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "sales_dw", true).await;
    workspace(&pool, &acme, "other_ws", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    for kind in [
        "data_source",
        "compute",
        "node",
        "resource",
        "di_task",
        "model",
        "metric",
    ] {
        let list = assets::list(&pool, &acme, "sales_dw", kind).await.unwrap();
        assert_eq!(
            list.iter().map(|a| a.product.as_str()).collect::<Vec<_>>(),
            ["DataWorks", "PAI"],
            "{kind}"
        );
        assert!(
            assets::list(&pool, &acme, "other_ws", kind)
                .await
                .unwrap()
                .is_empty()
        );
    }
    let overview = assets::overview(&pool, &acme, "sales_dw").await.unwrap();
    assert_eq!(overview.pai_workspace, "sales_dw");
    assert!(
        overview
            .counts
            .iter()
            .all(|c| c.dataworks == 1 && c.pai == 1)
    );
}

on_both_engines!(models_and_metrics_are_refused_without_data_modeling);
async fn models_and_metrics_are_refused_without_data_modeling(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "plain", false).await;
    for kind in ["model", "metric"] {
        let input = assets::NewAsset {
            kind: kind.into(),
            product: "DataWorks".into(),
            name: "m".into(),
            subtype: workspace_console::assets::AssetKind::parse(kind)
                .unwrap()
                .subtypes()[0]
                .into(),
            detail: String::new(),
        };
        assert!(matches!(
            assets::add(&pool, T0, &acme, "plain", input).await,
            Err(AppError::Invalid(_))
        ));
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 0);
}

on_both_engines!(publish_needs_a_committed_version);
async fn publish_needs_a_committed_version(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    let node = asset(&pool, &acme, "ws1", "node", "DataWorks", "n1").await;
    assert!(matches!(
        assets::publish(&pool, T0, &acme, "ws1", node).await,
        Err(AppError::Invalid(_))
    ));
    assets::commit(&pool, T0, &acme, "ws1", node).await.unwrap();
    assets::save_code(&pool, T0, &acme, "ws1", node, "changed")
        .await
        .unwrap();
    // Uncommitted changes are refused too.
    assert!(matches!(
        assets::publish(&pool, T0, &acme, "ws1", node).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(count(&pool, "SELECT count(*) FROM tasks").await, 0);
}

on_both_engines!(publish_creates_then_updates_one_task);
async fn publish_creates_then_updates_one_task(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    let node = publish(&pool, &acme, "ws1", "n1", T0).await;
    assets::save_code(&pool, T0, &acme, "ws1", node, "SELECT 2;")
        .await
        .unwrap();
    let detail = assets::commit(&pool, T0, &acme, "ws1", node).await.unwrap();
    assert_eq!(detail.versions.len(), 2);
    let detail = assets::publish(&pool, T0 + 10, &acme, "ws1", node)
        .await
        .unwrap();
    assert_eq!(detail.node.status, "published");
    assert_eq!(count(&pool, "SELECT count(*) FROM tasks").await, 1);
    assert_eq!(count(&pool, "SELECT node_version FROM tasks").await, 2);
}

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
    tasks::freeze(&pool, T0 + DAY, &acme, task).await.unwrap();
    assert_eq!(cost(T0 + 3 * DAY).await, 24 * 50);
    tasks::unfreeze(&pool, T0 + 3 * DAY, &acme, task)
        .await
        .unwrap();
    assert_eq!(cost(T0 + 4 * DAY).await, 48 * 50);
    assert!(matches!(
        tasks::unfreeze(&pool, T0, &acme, task).await,
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
        tasks::freeze(&pool, T0, &globex, task).await,
        tasks::freeze(&pool, T0, &globex, 9_999).await
    );
    assert!(matches!(
        tasks::delete(&pool, T0, &globex, task).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        assets::overview(&pool, &globex, "ws1").await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        deletion::delete(&pool, T0, &globex, "ws1", "ws1", true).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        count(&pool, "SELECT count(*) FROM tasks WHERE status = 'Running'").await,
        1
    );
}

// ---------- deletion ----------

on_both_engines!(delete_moves_the_four_recoverable_types_and_deletes_the_rest);
async fn delete_moves_the_four_recoverable_types_and_deletes_the_rest(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    let outcome = deletion::delete(&pool, T0, &acme, "sales_dw", "sales_dw", true)
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
    deletion::delete(&pool, T0 + 5, &alice, "ws1", "ws1", true)
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
    let outcome = deletion::delete(&pool, T0 + DAY, &acme, "ws1", "ws1", true)
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
    tasks::freeze(&pool, T0, &acme, frozen).await.unwrap();
    let outcome = deletion::delete(&pool, T0 + DAY, &acme, "ws1", "ws1", false)
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
    tasks::freeze(&pool, T0 + 2 * DAY, &acme, orphan.id)
        .await
        .unwrap();
    assert!(matches!(
        tasks::unfreeze(&pool, T0 + 2 * DAY, &acme, orphan.id).await,
        Err(AppError::Conflict(_))
    ));
    tasks::delete(&pool, T0, &acme, orphan.id).await.unwrap();
}

on_both_engines!(a_typed_name_that_does_not_match_exactly_changes_nothing);
async fn a_typed_name_that_does_not_match_exactly_changes_nothing(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    for typed in ["SALES_DW", "sales_dw ", " sales_dw", "sales", ""] {
        let err = deletion::delete(&pool, T0, &acme, "sales_dw", typed, true)
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
    deletion::delete(&pool, T0, &acme, "ws1", "ws1", true)
        .await
        .unwrap();
    let second = deletion::delete(&pool, T0 + 1, &acme, "ws1", "ws1", true)
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
    let err = deletion::delete(&pool, T0 + DAY, &acme, "sales_dw", "sales_dw", true)
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

// ---------- Recycle Bin ----------

on_both_engines!(recover_restores_exactly_the_four_types_in_both_products);
async fn recover_restores_exactly_the_four_types_in_both_products(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "sales_dw", true).await;
    fill(&pool, &acme, "sales_dw", true).await;
    deletion::delete(&pool, T0, &acme, "sales_dw", "sales_dw", true)
        .await
        .unwrap();
    let report = bin::recover(&pool, T0 + DAY, &acme, ws, T0).await.unwrap();
    for c in &report.restored {
        assert!(
            c.kind.recoverable() && c.dataworks == 1 && c.pai == 1,
            "{c:?}"
        );
    }
    assert_eq!(report.restored.len(), 4);
    let overview = assets::overview(&pool, &acme, "sales_dw").await.unwrap();
    for c in overview.counts {
        let expected = if c.kind.recoverable() { 1 } else { 0 };
        assert_eq!((c.dataworks, c.pai), (expected, expected), "{:?}", c.kind);
    }
}

on_both_engines!(recovered_nodes_keep_code_and_versions_but_are_unpublished);
async fn recovered_nodes_keep_code_and_versions_but_are_unpublished(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    let node = publish(&pool, &acme, "ws1", "n1", T0).await;
    deletion::delete(&pool, T0, &acme, "ws1", "ws1", true)
        .await
        .unwrap();
    let report = bin::recover(&pool, T0 + 1, &acme, ws, T0).await.unwrap();
    assert_eq!(
        report
            .nodes_to_publish
            .iter()
            .map(|n| n.id)
            .collect::<Vec<_>>(),
        [node]
    );
    let detail = assets::node_detail(&pool, &acme, "ws1", node)
        .await
        .unwrap();
    assert_eq!(
        (
            detail.node.status.as_str(),
            detail.code.as_str(),
            detail.versions.len()
        ),
        ("committed", "SELECT 'n1';", 1)
    );
    assert!(detail.task_status.is_none());
    assert_eq!(count(&pool, "SELECT count(*) FROM tasks").await, 0);
    // Publishing again re-creates its auto triggered task.
    assets::publish(&pool, T0 + 2, &acme, "ws1", node)
        .await
        .unwrap();
    assert_eq!(
        count(&pool, "SELECT count(*) FROM tasks WHERE status = 'Running'").await,
        1
    );
}

on_both_engines!(recover_works_until_one_second_before_fourteen_days_and_never_after);
async fn recover_works_until_one_second_before_fourteen_days_and_never_after(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let a = workspace(&pool, &acme, "ws_a", false).await;
    let b = workspace(&pool, &acme, "ws_b", false).await;
    deletion::delete(&pool, T0, &acme, "ws_a", "ws_a", true)
        .await
        .unwrap();
    deletion::delete(&pool, T0, &acme, "ws_b", "ws_b", true)
        .await
        .unwrap();
    assert!(
        bin::recover(&pool, T0 + RETENTION_SECS - 1, &acme, a, T0)
            .await
            .is_ok()
    );
    let late = bin::recover(&pool, T0 + RETENTION_SECS, &acme, b, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(&late, AppError::Conflict(m) if m.contains("can no longer be recovered")),
        "{late:?}"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM workspaces WHERE deleted_at IS NOT NULL"
        )
        .await,
        1
    );
}

on_both_engines!(purge_removes_everything_and_frees_the_name);
async fn purge_removes_everything_and_frees_the_name(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    fill(&pool, &acme, "ws1", false).await;
    publish(&pool, &acme, "ws1", "n1", T0).await;
    deletion::delete(&pool, T0, &acme, "ws1", "ws1", true)
        .await
        .unwrap();
    assert!(matches!(
        bin::purge(&pool, T0, &acme, ws, T0, "WS1").await,
        Err(AppError::Invalid(_))
    ));
    bin::purge(&pool, T0, &acme, ws, T0, "ws1").await.unwrap();
    for table in ["workspaces", "assets", "node_versions", "tasks"] {
        assert_eq!(
            count(&pool, &format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    workspaces::create(&pool, T0 + 1, &acme, new_ws("WS1"))
        .await
        .unwrap();
}

on_both_engines!(the_purge_job_deletes_expired_entries_only_and_is_idempotent);
async fn the_purge_job_deletes_expired_entries_only_and_is_idempotent(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for i in 0..45 {
        let name = format!("old_{i:02}");
        workspace(&pool, &acme, &name, false).await;
        asset(&pool, &acme, &name, "node", "PAI", "n").await;
        deletion::delete(&pool, T0, &acme, &name, &name, true)
            .await
            .unwrap();
    }
    workspace(&pool, &acme, "young", false).await;
    deletion::delete(&pool, T0 + DAY, &acme, "young", "young", true)
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

on_both_engines!(a_name_in_the_bin_is_reserved_in_any_letter_case_until_recovered_or_purged);
async fn a_name_in_the_bin_is_reserved_in_any_letter_case_until_recovered_or_purged(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "finance_etl", false).await;
    deletion::delete(&pool, T0, &acme, "finance_etl", "finance_etl", true)
        .await
        .unwrap();
    let err = workspaces::create(&pool, T0 + 1, &acme, new_ws("FINANCE_ETL"))
        .await
        .unwrap_err();
    let AppError::NameReserved(message) = err else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("finance_etl")
            && message.contains("Recycle Bin")
            && message.contains("released")
            && message.contains("Recover")
    );
    bin::recover(&pool, T0 + 2, &acme, ws, T0).await.unwrap();
    let err = workspaces::create(&pool, T0 + 3, &acme, new_ws("Finance_ETL"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Conflict(_)),
        "after recovery it is an active workspace's name"
    );
}

on_both_engines!(concurrent_recover_and_purge_leave_one_consistent_outcome);
async fn concurrent_recover_and_purge_leave_one_consistent_outcome(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for (round, name) in ["ws_rr", "ws_rp", "ws_pp"].iter().enumerate() {
        let ws = workspace(&pool, &acme, name, false).await;
        asset(&pool, &acme, name, "node", "DataWorks", "n").await;
        deletion::delete(&pool, T0, &acme, name, name, true)
            .await
            .unwrap();
        let deleted_at = entry_deleted_at(&pool, ws).await;
        let (a, b) = match round {
            0 => tokio::join!(
                async {
                    bin::recover(&pool, T0 + 1, &acme, ws, deleted_at)
                        .await
                        .map(drop)
                },
                async {
                    bin::recover(&pool, T0 + 1, &acme, ws, deleted_at)
                        .await
                        .map(drop)
                }
            ),
            1 => tokio::join!(
                async {
                    bin::recover(&pool, T0 + 1, &acme, ws, deleted_at)
                        .await
                        .map(drop)
                },
                async {
                    bin::purge(&pool, T0, &acme, ws, deleted_at, name)
                        .await
                        .map(drop)
                }
            ),
            _ => tokio::join!(
                async {
                    bin::purge(&pool, T0, &acme, ws, deleted_at, name)
                        .await
                        .map(drop)
                },
                async {
                    bin::purge(&pool, T0, &acme, ws, deleted_at, name)
                        .await
                        .map(drop)
                }
            ),
        };
        assert!(
            a.is_ok() != b.is_ok(),
            "exactly one wins in {name}: {a:?} {b:?}"
        );
        let loser = a.err().or(b.err()).unwrap();
        assert!(
            matches!(loser, AppError::Conflict(_) | AppError::NotFound(_)),
            "{loser:?}"
        );
        let state: Option<Option<i64>> =
            sqlx::query_scalar("SELECT deleted_at FROM workspaces WHERE id = $1")
                .bind(ws)
                .fetch_optional(&pool)
                .await
                .unwrap();
        let assets_left = count(
            &pool,
            &format!("SELECT count(*) FROM assets WHERE workspace_id = {ws}"),
        )
        .await;
        match state {
            Some(None) => assert_eq!(assets_left, 1, "recovered with its node"),
            None => assert_eq!(assets_left, 0, "purged with its node"),
            Some(Some(_)) => panic!("{name} is still in the bin"),
        }
    }
}

on_both_engines!(a_second_recover_is_told_it_is_already_recovered);
async fn a_second_recover_is_told_it_is_already_recovered(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, T0, &acme, "ws1", "ws1", true)
        .await
        .unwrap();
    bin::recover(&pool, T0 + 1, &acme, ws, T0).await.unwrap();
    let err = bin::recover(&pool, T0 + 2, &acme, ws, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Conflict(m) if m.contains("already been recovered")),
        "{err:?}"
    );
}

on_both_engines!(another_accounts_bin_entry_answers_as_missing);
async fn another_accounts_bin_entry_answers_as_missing(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let globex = account(&pool, "globex").await;
    let ws = workspace(&pool, &acme, "ws1", false).await;
    deletion::delete(&pool, T0, &acme, "ws1", "ws1", true)
        .await
        .unwrap();
    let foreign = bin::recover(&pool, T0 + 1, &globex, ws, T0)
        .await
        .unwrap_err();
    let missing = bin::recover(&pool, T0 + 1, &globex, 9_999, T0)
        .await
        .unwrap_err();
    assert_eq!(foreign, missing);
    assert!(bin::purge(&pool, T0, &globex, ws, T0, "ws1").await.is_err());
    assert_eq!(bin::list(&pool, T0, &globex, 1).await.unwrap().total, 0);
    assert_eq!(bin::list(&pool, T0, &acme, 1).await.unwrap().total, 1);
}

on_both_engines!(demo_data_is_seeded_once_and_never_reseeded);
async fn demo_data_is_seeded_once_and_never_reseeded(pool: Pool) {
    use workspace_console::server::demo;
    assert!(demo::seed(&pool, T0).await.unwrap());
    let before = count(&pool, "SELECT count(*) FROM assets").await;
    assert!(!demo::seed(&pool, T0).await.unwrap());
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, before);
    let acme = identity::load_principal(&pool, 1).await.unwrap().unwrap();
    assert!(workspaces::list(&pool, &acme, "", 1).await.unwrap().total >= 30);
    let bin_page = bin::list(&pool, T0, &acme, 1).await.unwrap();
    assert_eq!(
        bin_page
            .entries
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["legacy_reports"]
    );
    assert_eq!(bin_page.entries[0].deleted_at, T0 - 13 * DAY);
    let running: i64 = count(&pool, "SELECT count(*) FROM tasks t JOIN workspaces w ON w.id = t.workspace_id WHERE w.name = 'sales_dw' AND w.account_id = 1 AND t.status = 'Running'").await;
    let frozen: i64 = count(&pool, "SELECT count(*) FROM tasks t JOIN workspaces w ON w.id = t.workspace_id WHERE w.name = 'sales_dw' AND w.account_id = 1 AND t.status = 'Frozen'").await;
    assert_eq!((running, frozen), (2, 1));
}

// ---------- hardening ----------

on_both_engines!(ids_are_never_reused_so_a_stale_recover_never_restores_another_workspace);
async fn ids_are_never_reused_so_a_stale_recover_never_restores_another_workspace(pool: Pool) {
    let acme = account(&pool, "acme").await;
    let old = workspace(&pool, &acme, "aba_old", false).await;
    deletion::delete(&pool, T0, &acme, "aba_old", "aba_old", true)
        .await
        .unwrap();
    bin::purge(&pool, T0, &acme, old, T0, "aba_old")
        .await
        .unwrap();
    let new = workspace(&pool, &acme, "aba_new", false).await;
    assert_ne!(new, old, "a purged workspace's id was given to another");
    deletion::delete(&pool, T0, &acme, "aba_new", "aba_new", true)
        .await
        .unwrap();
    let stale = bin::recover(&pool, T0 + 1, &acme, old, T0)
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::NotFound(_)), "{stale:?}");
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM workspaces WHERE name = 'aba_new' AND deleted_at IS NOT NULL"
        )
        .await,
        1,
        "aba_new stays in the bin"
    );
    // Users too: a deleted user's id is never handed out again.
    let ghost = ram_user(&pool, &acme, "ghost", None).await;
    identity::delete_ram_user(&pool, T0, &acme, ghost.user_id)
        .await
        .unwrap();
    let next = ram_user(&pool, &acme, "newhire", None).await;
    assert_ne!(next.user_id, ghost.user_id);
}

on_both_engines!(writes_racing_a_delete_never_land_in_the_recycle_bin);
async fn writes_racing_a_delete_never_land_in_the_recycle_bin(pool: Pool) {
    let acme = account(&pool, "acme").await;
    for round in 0..25 {
        let name = format!("race_{round}");
        let ws = workspace(&pool, &acme, &name, false).await;
        let node = asset(&pool, &acme, &name, "node", "DataWorks", "n").await;
        assets::save_code(&pool, T0, &acme, &name, node, "SELECT 1;")
            .await
            .unwrap();
        assets::commit(&pool, T0, &acme, &name, node).await.unwrap();
        let di = assets::NewAsset {
            kind: "di_task".into(),
            product: "DataWorks".into(),
            name: "sync".into(),
            subtype: "MySQL → MaxCompute".into(),
            detail: String::new(),
        };
        let (added, published, saved, deleted) = tokio::join!(
            assets::add(&pool, T0, &acme, &name, di),
            assets::publish(&pool, T0, &acme, &name, node),
            assets::save_code(&pool, T0, &acme, &name, node, "SELECT 2;"),
            deletion::delete(&pool, T0, &acme, &name, &name, true),
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
    deletion::delete(&pool, T0, &acme, "big", "big", true)
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
    assert_eq!(bin::list(&pool, T0, &acme, 1).await.unwrap().total, 0);
    let recover = bin::recover(&pool, T0 + 1, &acme, ws, T0)
        .await
        .unwrap_err();
    assert!(matches!(recover, AppError::NotFound(_)), "{recover:?}");
    let taken = workspaces::create(&pool, T0, &acme, new_ws("big")).await;
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
    workspaces::create(&pool, T0, &acme, new_ws("big"))
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
        deletion::delete(&pool, T0, &acme, &name, &name, true)
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

on_both_engines!(throttle_rows_count_attempts_per_key_and_stale_ones_are_forgotten);
async fn throttle_rows_count_attempts_per_key_and_stale_ones_are_forgotten(pool: Pool) {
    use workspace_console::domain::throttle::SIGN_IN_PER_USER as LIMIT;
    use workspace_console::identity::throttle;
    for _ in 0..LIMIT.max - 1 {
        throttle::record(&pool, T0, &[("user:acme", LIMIT)])
            .await
            .unwrap();
    }
    throttle::check(&pool, T0, &["user:acme"]).await.unwrap();
    throttle::record(&pool, T0, &[("user:acme", LIMIT)])
        .await
        .unwrap();
    let refused = throttle::check(&pool, T0, &["ip:1", "user:acme"]).await;
    assert_eq!(refused, Err(AppError::Throttled(LIMIT.block as u64)));
    assert_eq!(
        throttle::forget_stale(&pool, T0 + LIMIT.block - 1, LIMIT)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        throttle::forget_stale(&pool, T0 + LIMIT.block, LIMIT)
            .await
            .unwrap(),
        1
    );
    throttle::check(&pool, T0 + LIMIT.block, &["user:acme"])
        .await
        .unwrap();
}
