//! Assets and DataStudio at the service level: every asset type per workspace, models and metrics
//! only with data modeling, publishing a committed version into one task.
use crate::helpers::*;
use workspace_console::assets::service as assets;
use workspace_console::error::AppError;
use workspace_console::store::Pool;

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
            assets::add(&pool, &by(&acme, T0), "plain", input).await,
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
        assets::publish(&pool, &by(&acme, T0), "ws1", node).await,
        Err(AppError::Invalid(_))
    ));
    assets::commit(&pool, &by(&acme, T0), "ws1", node)
        .await
        .unwrap();
    assets::save_code(&pool, &by(&acme, T0), "ws1", node, "changed")
        .await
        .unwrap();
    // Uncommitted changes are refused too.
    assert!(matches!(
        assets::publish(&pool, &by(&acme, T0), "ws1", node).await,
        Err(AppError::Invalid(_))
    ));
    assert_eq!(count(&pool, "SELECT count(*) FROM tasks").await, 0);
}

on_both_engines!(publish_creates_then_updates_one_task);
async fn publish_creates_then_updates_one_task(pool: Pool) {
    let acme = account(&pool, "acme").await;
    workspace(&pool, &acme, "ws1", false).await;
    let node = publish(&pool, &acme, "ws1", "n1", T0).await;
    assets::save_code(&pool, &by(&acme, T0), "ws1", node, "SELECT 2;")
        .await
        .unwrap();
    let detail = assets::commit(&pool, &by(&acme, T0), "ws1", node)
        .await
        .unwrap();
    assert_eq!(detail.versions.len(), 2);
    let detail = assets::publish(&pool, &by(&acme, T0 + 10), "ws1", node)
        .await
        .unwrap();
    assert_eq!(detail.node.status, "published");
    assert_eq!(count(&pool, "SELECT count(*) FROM tasks").await, 1);
    assert_eq!(count(&pool, "SELECT node_version FROM tasks").await, 2);
}
