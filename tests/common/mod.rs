//! Shared helpers for the database and HTTP test binaries.
#![allow(dead_code)]
pub mod app;
pub mod sse;

use workspace_console::assets::service::{self as assets, NewAsset};
use workspace_console::domain::{Principal, Timestamp};
use workspace_console::identity::service as identity;
use workspace_console::store::Pool;
use workspace_console::workspaces::service::{self as workspaces, NewWorkspace};

pub use workspace_console::store::Engine;

pub const T0: Timestamp = 1_800_000_000;

/// `on_both_engines!(name);` above `async fn name(pool: Pool)` makes two tests of it,
/// `name::sqlite` and `name::postgres`, each on a fresh, migrated database of that engine.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::on_fresh_database(
                    workspace_console::store::Engine::Sqlite,
                    super::$name,
                )
                .await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::on_fresh_database(
                    workspace_console::store::Engine::Postgres,
                    super::$name,
                )
                .await
            }
        }
    };
}

/// The PostgreSQL server the tests create their databases on (`./setup.sh test` starts one).
pub fn postgres_admin_url() -> String {
    std::env::var("CONSOLE_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "CONSOLE_TEST_POSTGRES_URL is not set: run `./setup.sh test`, which starts a PostgreSQL \
             cluster for the tests, or set it to a server where the tests may create databases \
             (e.g. postgres://postgres@127.0.0.1:54329/postgres)"
        )
    })
}

static FRESH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A database URL of `engine` that nothing else uses, created empty.
pub async fn fresh_database_url(engine: Engine) -> String {
    let n = FRESH.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("console_test_{}_{n}", std::process::id());
    match engine {
        Engine::Sqlite => {
            let dir = concat!(env!("CARGO_TARGET_TMPDIR"), "/test-dbs");
            std::fs::create_dir_all(dir).unwrap();
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{dir}/{name}.db{suffix}"));
            }
            format!("sqlite://{dir}/{name}.db")
        }
        Engine::Postgres => {
            use sqlx::Connection;
            let admin = postgres_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(base, _)| base);
            format!("{base}/{name}")
        }
    }
}

/// Runs `test` on a fresh, migrated database of `engine` and removes the database afterwards.
pub async fn on_fresh_database<F, Fut>(engine: Engine, test: F)
where
    F: FnOnce(Pool) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let url = fresh_database_url(engine).await;
    let pool = workspace_console::store::connect(&url).await.unwrap();
    test(pool.clone()).await;
    pool.close().await;
    drop_database(&url).await;
}

pub async fn drop_database(url: &str) {
    match Engine::of_url(url).unwrap() {
        Engine::Sqlite => {
            let path = url.trim_start_matches("sqlite://");
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
        Engine::Postgres => {
            use sqlx::Connection;
            let (_, name) = url.rsplit_once('/').unwrap();
            let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
                .await
                .unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}
pub const DAY: i64 = 86_400;

pub async fn account(pool: &Pool, name: &str) -> Principal {
    let id = identity::create_account(pool, T0, name, &format!("{name}-password"))
        .await
        .unwrap();
    identity::load_principal(pool, id).await.unwrap().unwrap()
}

pub async fn ram_user(
    pool: &Pool,
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

/// The create form with only a name filled in.
pub fn new_ws(name: &str) -> NewWorkspace {
    NewWorkspace {
        name: name.into(),
        display_name: String::new(),
        description: String::new(),
        data_modeling: false,
    }
}

pub async fn workspace(pool: &Pool, p: &Principal, name: &str, modeling: bool) -> i64 {
    let input = NewWorkspace {
        name: name.into(),
        display_name: String::new(),
        description: String::new(),
        data_modeling: modeling,
    };
    workspaces::create(pool, T0, p, input).await.unwrap().id
}

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
    assets::add(pool, T0, p, ws, input).await.unwrap().id
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
    assets::save_code(pool, now, p, ws, id, &format!("SELECT '{node}';"))
        .await
        .unwrap();
    assets::commit(pool, now, p, ws, id).await.unwrap();
    assets::publish(pool, now, p, ws, id).await.unwrap();
    id
}

pub async fn count(pool: &Pool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}
