//! What both test binaries (`tests/api`, `tests/db`) share, written once: `on_both_engines!`, fresh
//! databases of each engine, the demo's clock (`T0`, `DAY`) and the Recycle Bin lookup. Each
//! binary's `helpers.rs` pulls it in with `#[path = "../common/engines.rs"] mod engines;`.
use workspace_console::domain::{Principal, Timestamp};
use workspace_console::server::audit::Change;
use workspace_console::store::{Engine, Pool};

pub const T0: Timestamp = 1_800_000_000;
pub const DAY: i64 = 86_400;

/// A change by `p` at `now`, made outside any door, as a service is handed it.
pub fn by(p: &Principal, now: Timestamp) -> Change {
    Change::console(now, p)
}

/// `on_both_engines!(name);` above `async fn name(pool: Pool)` makes two tests of it,
/// `name::sqlite` and `name::postgres`, each on a fresh database of that engine (the binary's
/// `helpers::on_fresh_database` says what it holds: migrated, or the demo data too).
///
/// `on_both_engines!(name, engine);` above `async fn name(engine: Engine)` makes the same two
/// tests of a test that makes its own databases of the engine it is given (with
/// `fresh_database_url`), e.g. to start server processes on one.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::helpers::on_fresh_database(
                    workspace_console::store::Engine::Sqlite,
                    super::$name,
                )
                .await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::helpers::on_fresh_database(
                    workspace_console::store::Engine::Postgres,
                    super::$name,
                )
                .await
            }
        }
    };
    ($name:ident, engine) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(workspace_console::store::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(workspace_console::store::Engine::Postgres).await
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
        Engine::Postgres => create_postgres_database(&name, None).await,
    }
}

/// Creates the PostgreSQL database `name` (dropping one left by an earlier run), empty or as a copy
/// of `template`, and answers its URL.
async fn create_postgres_database(name: &str, template: Option<&str>) -> String {
    use sqlx::Connection;
    let admin = postgres_admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
    let from = template
        .map(|t| format!(" TEMPLATE {t}"))
        .unwrap_or_default();
    sqlx::query(&format!("CREATE DATABASE {name}{from}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

/// What a test's fresh database holds when the test starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(
    dead_code,
    reason = "each test binary starts its tests from one of the two"
)]
pub enum Start {
    /// Migrated, and empty.
    Migrated,
    /// Migrated, with the demo data seeded at `T0` (what `spawn_app` would seed).
    Demo,
}

/// Runs `test` on a fresh database of `engine` that starts as `start`, and removes the database
/// afterwards. The database is a copy of a template made once per test binary (a file copy on
/// SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), so no test pays for the migrations or
/// the demo's seeding: each gets exactly what running them would have made.
pub async fn on_copy_of<F, Fut>(engine: Engine, start: Start, test: F)
where
    F: FnOnce(Pool) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let url = copy_of_template(engine, start).await;
    let pool = workspace_console::store::connect(&url).await.unwrap();
    test(pool.clone()).await;
    pool.close().await;
    drop_database(&url).await;
}

/// A new database of `engine` made from the template of `start`.
async fn copy_of_template(engine: Engine, start: Start) -> String {
    let template = template(engine, start).await;
    let n = FRESH.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("console_test_{}_{n}", std::process::id());
    match engine {
        Engine::Sqlite => {
            let dir = concat!(env!("CARGO_TARGET_TMPDIR"), "/test-dbs");
            let path = format!("{dir}/{name}.db");
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            std::fs::copy(template.trim_start_matches("sqlite://"), &path).unwrap();
            format!("sqlite://{path}")
        }
        Engine::Postgres => {
            let (_, template) = template.rsplit_once('/').unwrap();
            create_postgres_database(&name, Some(template)).await
        }
    }
}

/// The template database of `engine` and `start`, made by the first test that needs it: a fresh
/// database, migrated, seeded for `Start::Demo`, then closed (a template must have no
/// connections while it is copied; a SQLite file has its write-ahead log folded in first).
async fn template(engine: Engine, start: Start) -> &'static str {
    use tokio::sync::OnceCell;
    static TEMPLATES: [OnceCell<String>; 4] = [const { OnceCell::const_new() }; 4];
    let slot = match (engine, start) {
        (Engine::Sqlite, Start::Migrated) => 0,
        (Engine::Sqlite, Start::Demo) => 1,
        (Engine::Postgres, Start::Migrated) => 2,
        (Engine::Postgres, Start::Demo) => 3,
    };
    TEMPLATES[slot]
        .get_or_init(|| async move {
            let url = fresh_database_url(engine).await;
            let pool = workspace_console::store::connect(&url).await.unwrap();
            if start == Start::Demo {
                workspace_console::startup::demo::seed(&pool, T0)
                    .await
                    .unwrap();
            }
            if engine == Engine::Sqlite {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
            url
        })
        .await
}

/// Removes the database at `url`: the SQLite file and its journals, or the PostgreSQL database.
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

/// The Recycle Bin entry of the workspace `name` (of any account): its id and `deleted_at`, as
/// recover and purge take them.
pub async fn bin_entry(pool: &Pool, name: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT id, deleted_at FROM workspaces WHERE name = $1 AND deleted_at IS NOT NULL",
    )
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap()
}
