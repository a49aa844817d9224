//! Shared helpers for the database and HTTP test binaries.
#![allow(dead_code)]
pub mod app;

use sqlx::SqlitePool;
use workspace_console::assets::service::{self as assets, NewAsset};
use workspace_console::domain::{Principal, Timestamp};
use workspace_console::identity::service as identity;
use workspace_console::workspaces::service::{self as workspaces, NewWorkspace};

pub const T0: Timestamp = 1_800_000_000;
pub const DAY: i64 = 86_400;

pub async fn account(pool: &SqlitePool, name: &str) -> Principal {
    let id = identity::create_account(pool, T0, name, &format!("{name}-password"))
        .await
        .unwrap();
    identity::load_principal(pool, id).await.unwrap().unwrap()
}

pub async fn ram_user(
    pool: &SqlitePool,
    root: &Principal,
    name: &str,
    policy: Option<&str>,
) -> Principal {
    let user = identity::create_ram_user(pool, root, T0, name, &format!("{name}-password"), policy)
        .await
        .unwrap();
    identity::load_principal(pool, user.id)
        .await
        .unwrap()
        .unwrap()
}

pub async fn workspace(pool: &SqlitePool, p: &Principal, name: &str, modeling: bool) -> i64 {
    let input = NewWorkspace {
        name: name.into(),
        display_name: String::new(),
        description: String::new(),
        data_modeling: modeling,
    };
    workspaces::create(pool, T0, p, input).await.unwrap().id
}

pub async fn asset(
    pool: &SqlitePool,
    p: &Principal,
    ws: &str,
    kind: &str,
    product: &str,
    name: &str,
) -> i64 {
    let subtype = workspace_console::assets::AssetKind::parse(kind)
        .unwrap()
        .subtypes()[0];
    let input = NewAsset {
        kind: kind.into(),
        product: product.into(),
        name: name.into(),
        subtype: subtype.into(),
        detail: String::new(),
    };
    assets::add(pool, T0, p, ws, input).await.unwrap().id
}

/// One asset of every type in both products (models and metrics only with data modeling).
pub async fn fill(pool: &SqlitePool, p: &Principal, ws: &str, modeling: bool) {
    for kind in ["data_source", "compute", "node", "resource", "di_task"] {
        for product in ["DataWorks", "PAI"] {
            asset(pool, p, ws, kind, product, &format!("{kind}_{product}")).await;
        }
    }
    if modeling {
        for kind in ["model", "metric"] {
            for product in ["DataWorks", "PAI"] {
                asset(pool, p, ws, kind, product, &format!("{kind}_{product}")).await;
            }
        }
    }
}

/// Saves, commits and publishes a node at `now`; returns the node id.
pub async fn publish(
    pool: &SqlitePool,
    p: &Principal,
    ws: &str,
    node: &str,
    now: Timestamp,
) -> i64 {
    let id = asset(pool, p, ws, "node", "DataWorks", node).await;
    assets::save_code(pool, p, ws, id, &format!("SELECT '{node}';"))
        .await
        .unwrap();
    assets::commit(pool, now, p, ws, id).await.unwrap();
    assets::publish(pool, now, p, ws, id).await.unwrap();
    id
}

pub async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}
