//! Several console processes on one database (SPEC §9): the purge job runs in every instance and
//! each expired entry is purged exactly once; an instance killed mid-purge leaves no partial entry
//! in the Recycle Bin, and another instance finishes it. Real processes of the server binary, on
//! both engines (SQLite: several processes on one file).
use crate::helpers::*;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};
use workspace_console::recycle_bin::service::PURGE_LEASE_SECS;
use workspace_console::store::{self, Engine, Pool};

struct Instance {
    child: Child,
    url: String,
}

/// Starts the server binary on `database_url` at a free loopback port; answers once it is ready.
async fn start(database_url: &str, test_clock: bool) -> Instance {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut command = Command::new(env!("CARGO_BIN_EXE_workspace-console"));
    command
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("CONSOLE_PURGE_INTERVAL", "1")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .env("CONSOLE_TEST_CLOCK", if test_clock { "1" } else { "0" })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = reqwest::get(format!("{url}/readyz")).await
            && res.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "{url} never became ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Instance { child, url }
}

/// Stops the instance (SIGKILL if `kill`, else SIGTERM) and answers everything it logged.
async fn stop(mut instance: Instance, kill: bool) -> String {
    if kill {
        instance.child.start_kill().unwrap();
    } else {
        let pid = instance.child.id().unwrap().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
    }
    tokio::time::timeout(Duration::from_secs(30), instance.child.wait())
        .await
        .expect("the instance did not stop")
        .unwrap();
    let mut log = String::new();
    instance
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .await
        .unwrap();
    instance
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .await
        .unwrap();
    log
}

/// The entries each "purge pass" line of a log reports.
fn purged_in(log: &str) -> u64 {
    log.lines()
        .filter_map(|line| line.split("purge pass: permanently deleted ").nth(1))
        .map(|rest| rest.split(' ').next().unwrap().parse::<u64>().unwrap())
        .sum()
}

/// `entries` Recycle Bin entries whose 14 days ended an hour ago (by the system clock the
/// instances use), each with `per_entry` assets.
async fn seed_expired(pool: &Pool, entries: i64, per_entry: i64) {
    let now = chrono::Utc::now().timestamp();
    let acme = account(pool, "acme").await;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO workspaces (account_id, name, display_name, created_by, created_at, deleted_at, deleted_by, purge_at)
         SELECT $1, 'old_' || i, 'Old', 'acme', $3, $3, 'acme', $4 FROM n",
    )
    .bind(acme.account_id)
    .bind(entries)
    .bind(now - 15 * DAY)
    .bind(now - 3600)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, created_at)
         SELECT w.id, 'resource', 'DataWorks', 'a' || n.i, 'File', 0 FROM workspaces w, n",
    )
    .bind(per_entry)
    .execute(pool)
    .await
    .unwrap();
}

async fn until(pool: &Pool, sql: &str, done: impl Fn(i64) -> bool, limit: Duration) -> i64 {
    let deadline = Instant::now() + limit;
    loop {
        let n = count(pool, sql).await;
        if done(n) || Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

on_both_engines!(three_instances_purge_each_expired_entry_once, engine);
async fn three_instances_purge_each_expired_entry_once(engine: Engine) {
    let url = fresh_database_url(engine).await;
    let pool = store::connect(&url).await.unwrap();
    seed_expired(&pool, 1_000, 3).await;
    let instances = futures::future::join_all((0..3).map(|_| start(&url, false))).await;
    let left = until(
        &pool,
        "SELECT count(*) FROM workspaces",
        |n| n == 0,
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(left, 0, "entries left after two minutes");
    // One more pass of every instance finds nothing more to do.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut logs = vec![];
    for instance in instances {
        logs.push(stop(instance, false).await);
    }
    let counts: Vec<u64> = logs.iter().map(|log| purged_in(log)).collect();
    assert_eq!(counts.iter().sum::<u64>(), 1_000, "{counts:?}");
    for log in &logs {
        assert!(
            !log.contains("ERROR"),
            "an instance logged an error:\n{log}"
        );
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 0);
    pool.close().await;
    drop_database(&url).await;
}

on_both_engines!(
    an_instance_killed_mid_purge_leaves_the_entry_for_another_to_finish,
    engine
);
async fn an_instance_killed_mid_purge_leaves_the_entry_for_another_to_finish(engine: Engine) {
    let url = fresh_database_url(engine).await;
    let pool = store::connect(&url).await.unwrap();
    let assets = 200_000;
    seed_expired(&pool, 1, assets).await;
    let a = start(&url, false).await;
    // Kill -9 while the batches are running: some assets are gone, some are left.
    let left = until(
        &pool,
        "SELECT count(*) FROM assets",
        |n| n < assets - 10_000,
        Duration::from_secs(60),
    )
    .await;
    stop(a, true).await;
    assert!(
        left > 0,
        "the purge finished before it could be interrupted"
    );
    let left = count(&pool, "SELECT count(*) FROM assets").await;
    assert!(left > 0 && left < assets, "{left}");
    // The entry is out of the bin for everyone (no partial entry shows), and still claimed.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM workspaces WHERE purge_started_at IS NOT NULL"
        )
        .await,
        1
    );
    // Another instance takes it over once the dead one's claim has lapsed (the shared test
    // clock is moved past the lease; the move runs a purge pass).
    let b = start(&url, true).await;
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", b.url))
        .header("origin", &b.url)
        .json(&serde_json::json!({ "seconds": PURGE_LEASE_SECS + 1 }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let entries = until(
        &pool,
        "SELECT count(*) FROM workspaces",
        |n| n == 0,
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(entries, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM assets").await, 0);
    let log = stop(b, false).await;
    assert_eq!(purged_in(&log), 1, "{log}");
    assert!(!log.contains("ERROR"), "{log}");
    pool.close().await;
    drop_database(&url).await;
}

on_both_engines!(a_change_on_one_instance_reaches_streams_on_another, engine);
/// A change made on one instance reaches a stream open on another within 2 seconds (PostgreSQL:
/// LISTEN/NOTIFY; SQLite: each instance reads the shared file's new events), and only that
/// account's; a stopped instance ends its streams and one started again serves them.
async fn a_change_on_one_instance_reaches_streams_on_another(engine: Engine) {
    use crate::helpers::sse::Stream;
    let url = fresh_database_url(engine).await;
    let pool = store::connect(&url).await.unwrap();
    workspace_console::startup::demo::seed(&pool, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    let (a, b) = (start(&url, false).await, start(&url, false).await);
    let sign_in = |url: String, user: &'static str, password: &'static str| async move {
        let mut origin = reqwest::header::HeaderMap::new();
        origin.insert(reqwest::header::ORIGIN, url.parse().unwrap());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(origin)
            .build()
            .unwrap();
        let res = client
            .post(format!("{url}/api/sign_in"))
            .form(&[("username", user), ("password", password)])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "sign in as {user}");
        client
    };
    let alice_on_a = sign_in(a.url.clone(), "alice@acme", "alice-demo-1").await;
    let bob_on_b = sign_in(b.url.clone(), "bob@acme", "bob-demo-1").await;
    let globex_on_b = sign_in(b.url.clone(), "globex", "globex-demo-1").await;
    let mut bob = Stream::open(&b.url, &bob_on_b).await;
    let mut globex = Stream::open(&b.url, &globex_on_b).await;
    let delete = |name: &str| {
        let args = [
            ("workspace", name.to_string()),
            ("typed_name", name.to_string()),
            ("freeze_tasks", "true".to_string()),
        ];
        alice_on_a
            .post(format!("{}/api/delete_workspace", a.url))
            .form(&args)
            .send()
    };
    assert!(delete("sales_dw").await.unwrap().status().is_success());
    let change = bob.change().await;
    assert_eq!(
        change.announcement(workspace_console::i18n::Lang::En),
        "sales_dw was deleted by alice@acme"
    );
    globex.silent_for(Duration::from_millis(300)).await;

    // B stops: its streams end. Started again, it serves streams that hear A's changes.
    stop(b, false).await;
    assert_eq!(
        bob.next(Duration::from_secs(5)).await,
        crate::helpers::sse::Next::Ended
    );
    let b = start(&url, false).await;
    let bob_on_b = sign_in(b.url.clone(), "bob@acme", "bob-demo-1").await;
    let mut bob = Stream::open(&b.url, &bob_on_b).await;
    assert!(delete("supply_chain").await.unwrap().status().is_success());
    assert_eq!(bob.change().await.workspace, "supply_chain");
    stop(a, false).await;
    stop(b, false).await;
    drop_database(&url).await;
}
