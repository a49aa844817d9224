//! What the service tests share: the engines and fresh databases (`tests/common/engines.rs`, shared
//! with the api binary), the live stream reader (`tests/common/sse.rs`, for the instances' streams),
//! builders of accounts, users, workspaces, assets and published nodes, and Audit Log reads.
#[macro_use]
#[path = "../common/engines.rs"]
mod engines;
#[path = "../common/sse.rs"]
pub mod sse;

pub use engines::*;

/// What `on_both_engines!` runs each test of this binary on: a fresh database of `engine`,
/// migrated and empty.
pub async fn on_fresh_database<F, Fut>(engine: workspace_console::store::Engine, test: F)
where
    F: FnOnce(workspace_console::store::Pool) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    on_copy_of(engine, Start::Migrated, test).await
}
pub use workspace_console::store::Engine;

use workspace_console::assets::service::{self as assets, NewAsset};
use workspace_console::audit::service as audit_log;
use workspace_console::audit::{AuditEvent, AuditFilter, Cursor};
use workspace_console::domain::{Principal, Timestamp};
use workspace_console::identity::service as identity;
use workspace_console::recycle_bin::BinFilter;
use workspace_console::server::{AppState, Clock, Shared};
use workspace_console::store::Pool;
use workspace_console::workspaces::service::{self as workspaces, NewWorkspace};

/// A new account of that name (its root's password is `<name>-password`), as its root.
pub async fn account(pool: &Pool, name: &str) -> Principal {
    let id = identity::create_account(pool, T0, name, &format!("{name}-password"))
        .await
        .unwrap();
    identity::load_principal(pool, id).await.unwrap().unwrap()
}

/// A new RAM user of `root`'s account with that policy (password `<name>-password`).
pub async fn ram_user(
    pool: &Pool,
    root: &Principal,
    name: &str,
    policy: Option<&str>,
) -> Principal {
    let user = identity::create_ram_user(
        pool,
        &by(root, T0),
        name,
        &format!("{name}-password"),
        policy,
    )
    .await
    .unwrap();
    identity::load_principal(pool, user.id)
        .await
        .unwrap()
        .unwrap()
}

/// The create form with only a name filled in.
pub fn new_ws(name: &str) -> NewWorkspace {
    NewWorkspace {
        name: name.into(),
        display_name: String::new(),
        description: String::new(),
        data_modeling: false,
        deletion_protection: false,
    }
}

/// A new workspace of `p`'s account; returns its id.
pub async fn workspace(pool: &Pool, p: &Principal, name: &str, modeling: bool) -> i64 {
    let input = NewWorkspace {
        name: name.into(),
        display_name: String::new(),
        description: String::new(),
        data_modeling: modeling,
        deletion_protection: false,
    };
    workspaces::create(pool, &by(p, T0), input)
        .await
        .unwrap()
        .id
}

/// A new asset of the first subtype of `kind`; returns its id.
pub async fn asset(
    pool: &Pool,
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
    assets::add(pool, &by(p, T0), ws, input).await.unwrap().id
}

/// One asset of every type in both products (models and metrics only with data modeling).
pub async fn fill(pool: &Pool, p: &Principal, ws: &str, modeling: bool) {
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
pub async fn publish(pool: &Pool, p: &Principal, ws: &str, node: &str, now: Timestamp) -> i64 {
    let id = asset(pool, p, ws, "node", "DataWorks", node).await;
    assets::save_code(pool, &by(p, now), ws, id, &format!("SELECT '{node}';"))
        .await
        .unwrap();
    assets::commit(pool, &by(p, now), ws, id).await.unwrap();
    assets::publish(pool, &by(p, now), ws, id).await.unwrap();
    id
}

/// The one number `sql` answers.
pub async fn count(pool: &Pool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The account's Audit Log events that `filter` selects, newest first.
pub async fn events(pool: &Pool, p: &Principal, filter: AuditFilter) -> Vec<AuditEvent> {
    audit_log::page(pool, p, &filter, Cursor::Newest, 1000)
        .await
        .unwrap()
        .events
}

/// Page `page` of the Recycle Bin as it opens: no search, no filter, newest deletion first.
pub fn bin_page(page: i64) -> BinFilter {
    BinFilter {
        page,
        ..BinFilter::default()
    }
}

/// The state a door hands a bulk action (SPEC §22), over `pool`, its clock standing at `now`.
pub fn state_at(pool: &Pool, now: Timestamp) -> AppState {
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("workspace-console")
        .build();
    Shared::new(pool.clone(), Clock::fixed(now), options)
        .unwrap()
        .share()
}

/// A filter of one action.
pub fn by_action(action: &str) -> AuditFilter {
    AuditFilter {
        action: action.into(),
        ..AuditFilter::default()
    }
}
