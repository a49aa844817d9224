//! Black-box HTTP tests: the real router on a random port, a fresh database per test, the demo
//! data, and every server function called as each kind of principal.
#![allow(unused_variables)]
#![recursion_limit = "512"]
mod common;

use common::app::{TestApp, spawn_app};
use common::{DAY, T0};
use reqwest::StatusCode;
use workspace_console::domain::retention::RETENTION_SECS;
use workspace_console::store::Pool;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Who {
    SignedOut,
    Carol,
    Bob,
    Globex,
    Alice,
    Root,
}

const EVERYONE: [Who; 6] = [
    Who::SignedOut,
    Who::Carol,
    Who::Bob,
    Who::Globex,
    Who::Alice,
    Who::Root,
];

impl Who {
    fn credentials(self) -> Option<(&'static str, &'static str)> {
        match self {
            Who::SignedOut => None,
            Who::Carol => Some(("carol@acme", "carol-demo-1")),
            Who::Bob => Some(("bob@acme", "bob-demo-1")),
            Who::Globex => Some(("globex", "globex-demo-1")),
            Who::Alice => Some(("alice@acme", "alice-demo-1")),
            Who::Root => Some(("acme", "acme-demo-1")),
        }
    }
    fn tag(self) -> &'static str {
        match self {
            Who::SignedOut => "anon",
            Who::Carol => "carol",
            Who::Bob => "bob",
            Who::Globex => "globex",
            Who::Alice => "alice",
            Who::Root => "root",
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Needs {
    View,
    Modify,
    ManageUsers,
}

/// What each principal must get: signed out 401; no permission 403; another account's object 404
/// (or 200 when the call only touches the caller's own account).
fn expected(needs: Needs, who: Who, own_account_only: bool) -> StatusCode {
    let allowed = match (needs, who) {
        (_, Who::SignedOut) => return StatusCode::UNAUTHORIZED,
        (Needs::View, Who::Carol) => false,
        (Needs::View, _) => true,
        (Needs::Modify, Who::Carol | Who::Bob) => false,
        (Needs::Modify, _) => true,
        (Needs::ManageUsers, Who::Root | Who::Globex) => true,
        (Needs::ManageUsers, _) => false,
    };
    match (allowed, who) {
        (false, _) => StatusCode::FORBIDDEN,
        (true, Who::Globex) if !own_account_only => StatusCode::NOT_FOUND,
        (true, _) => StatusCode::OK,
    }
}

/// Calls `endpoint` as every principal, in order, with arguments chosen per principal, and checks
/// the status each gets; every refusal must leave the database exactly as it was.
async fn check_matrix<F>(
    app: &TestApp,
    endpoint: &str,
    needs: Needs,
    own_account_only: bool,
    args: F,
) where
    F: Fn(Who) -> Vec<(&'static str, String)>,
{
    for who in EVERYONE {
        let client = app.client(who.credentials()).await;
        let before = app.fingerprint().await;
        let (status, body) = app.call(&client, endpoint, &args(who)).await;
        let want = expected(needs, who, own_account_only);
        assert_eq!(status, want, "{endpoint} as {who:?}: {body}");
        if status != StatusCode::OK {
            assert_eq!(
                app.fingerprint().await,
                before,
                "{endpoint} as {who:?} was refused but changed something"
            );
            assert!(
                !body.is_empty(),
                "{endpoint} as {who:?}: a refusal carries a message"
            );
        }
    }
}

fn s(v: impl ToString) -> String {
    v.to_string()
}

macro_rules! matrix {
    ($name:ident, $endpoint:literal, $needs:expr, $own:expr, |$ids:ident, $who:ident| $args:expr) => {
        on_both_engines!($name);
        async fn $name(pool: Pool) {
            let app = spawn_app(pool, false).await;
            let loaded = Ids::load(&app).await;
            check_matrix(&app, $endpoint, $needs, $own, |$who| {
                #[allow(unused_variables)]
                let $ids = &loaded;
                $args
            })
            .await;
        }
    };
}

/// Ids of demo objects in account acme.
struct Ids {
    tmp_check: String,
    export_audience: String,
    pai_forecast: String,
    reconcile: String,
    ods_task: String,
    dwd_task: String,
    ads_task: String,
    ledger_task: String,
    legacy: String,
    legacy_at: String,
    other_entry: String,
    other_at: String,
    bob: String,
    carol: String,
}

impl Ids {
    async fn load(app: &TestApp) -> Ids {
        let node = |ws: &str, n: &str| {
            format!(
                "SELECT a.id FROM assets a JOIN workspaces w ON w.id = a.workspace_id WHERE w.account_id = 1 AND w.name = '{ws}' AND a.name = '{n}'"
            )
        };
        let task = |n: &str| format!("SELECT id FROM tasks WHERE account_id = 1 AND name = '{n}'");
        // A second Recycle Bin entry, and a Frozen task the root can unfreeze.
        let acme = workspace_console::identity::service::load_principal(&app.pool, 1)
            .await
            .unwrap()
            .unwrap();
        workspace_console::deletion::service::delete(
            &app.pool,
            T0 - DAY,
            &acme,
            "customer_360",
            "customer_360",
            true,
        )
        .await
        .unwrap();
        let ledger = app.id(&task("daily_ledger")).await.parse().unwrap();
        workspace_console::operations::service::freeze(&app.pool, T0, &acme, ledger)
            .await
            .unwrap();
        Ids {
            tmp_check: app.id(&node("sales_dw", "tmp_check")).await,
            export_audience: app.id(&node("marketing_ml", "export_audience")).await,
            pai_forecast: app.id(&node("sales_dw", "pai_forecast")).await,
            reconcile: app.id(&node("finance_etl", "reconcile")).await,
            ods_task: app.id(&task("ods_orders")).await,
            dwd_task: app.id(&task("dwd_sales")).await,
            ads_task: app.id(&task("ads_report")).await,
            ledger_task: ledger.to_string(),
            legacy: app
                .id("SELECT id FROM workspaces WHERE name = 'legacy_reports'")
                .await,
            legacy_at: app
                .id("SELECT deleted_at FROM workspaces WHERE name = 'legacy_reports'")
                .await,
            other_entry: app
                .id("SELECT id FROM workspaces WHERE name = 'customer_360'")
                .await,
            other_at: app
                .id("SELECT deleted_at FROM workspaces WHERE name = 'customer_360'")
                .await,
            bob: app.id("SELECT id FROM users WHERE name = 'bob'").await,
            carol: app.id("SELECT id FROM users WHERE name = 'carol'").await,
        }
    }
}

fn by_root<T>(who: Who, root: T, others: T) -> T {
    if who == Who::Root { root } else { others }
}

matrix!(
    list_workspaces_needs_a_dataworks_policy,
    "list_workspaces",
    Needs::View,
    true,
    |ids, who| vec![("query", s("")), ("page", s(1))]
);
matrix!(
    workspace_overview_needs_view_and_hides_other_accounts,
    "get_workspace_overview",
    Needs::View,
    false,
    |ids, who| vec![("workspace", s("finance_etl"))]
);
matrix!(
    list_assets_needs_view,
    "list_assets",
    Needs::View,
    false,
    |ids, who| vec![("workspace", s("finance_etl")), ("kind", s("node"))]
);
matrix!(
    list_nodes_needs_view,
    "list_nodes",
    Needs::View,
    false,
    |ids, who| vec![("workspace", s("finance_etl"))]
);
matrix!(
    get_node_needs_view,
    "get_node",
    Needs::View,
    false,
    |ids, who| vec![
        ("workspace", s("finance_etl")),
        ("node_id", ids.reconcile.clone())
    ]
);
matrix!(
    list_tasks_of_a_workspace_needs_view,
    "list_tasks",
    Needs::View,
    false,
    |ids, who| vec![("workspace", s("finance_etl"))]
);
matrix!(
    list_tasks_of_the_account_needs_view,
    "list_tasks",
    Needs::View,
    true,
    |ids, who| vec![]
);
matrix!(
    list_recycle_bin_needs_view,
    "list_recycle_bin",
    Needs::View,
    true,
    |ids, who| vec![("page", s(1))]
);

matrix!(
    create_workspace_needs_full_access,
    "create_workspace",
    Needs::Modify,
    true,
    |ids, who| vec![
        ("name", format!("new_{}", who.tag())),
        ("display_name", s("")),
        ("description", s("")),
        ("data_modeling", s(false))
    ]
);
matrix!(
    add_asset_needs_full_access,
    "add_asset",
    Needs::Modify,
    false,
    |ids, who| vec![
        ("workspace", s("finance_etl")),
        ("kind", s("data_source")),
        ("product", s("PAI")),
        ("name", format!("src_{}", who.tag())),
        ("subtype", s("OSS")),
        ("detail", s("oss://x/"))
    ]
);
matrix!(
    save_node_needs_full_access,
    "save_node",
    Needs::Modify,
    false,
    |ids, who| vec![
        ("workspace", s("sales_dw")),
        ("node_id", ids.tmp_check.clone()),
        ("code", format!("echo {}", who.tag()))
    ]
);
matrix!(
    commit_node_needs_full_access,
    "commit_node",
    Needs::Modify,
    false,
    |ids, who| by_root(
        who,
        vec![
            ("workspace", s("marketing_ml")),
            ("node_id", ids.export_audience.clone())
        ],
        vec![
            ("workspace", s("sales_dw")),
            ("node_id", ids.tmp_check.clone())
        ]
    )
);
matrix!(
    publish_node_needs_full_access,
    "publish_node",
    Needs::Modify,
    false,
    |ids, who| by_root(
        who,
        vec![
            ("workspace", s("finance_etl")),
            ("node_id", ids.reconcile.clone())
        ],
        vec![
            ("workspace", s("sales_dw")),
            ("node_id", ids.pai_forecast.clone())
        ]
    )
);
matrix!(
    freeze_task_needs_full_access,
    "freeze_task",
    Needs::Modify,
    false,
    |ids, who| vec![(
        "task_id",
        by_root(who, ids.dwd_task.clone(), ids.ods_task.clone())
    )]
);
matrix!(
    unfreeze_task_needs_full_access,
    "unfreeze_task",
    Needs::Modify,
    false,
    |ids, who| vec![(
        "task_id",
        by_root(who, ids.ledger_task.clone(), ids.ads_task.clone())
    )]
);
matrix!(
    delete_task_needs_full_access,
    "delete_task",
    Needs::Modify,
    false,
    |ids, who| vec![(
        "task_id",
        by_root(who, ids.dwd_task.clone(), ids.ods_task.clone())
    )]
);
matrix!(
    deletion_preview_needs_full_access,
    "get_deletion_preview",
    Needs::Modify,
    false,
    |ids, who| vec![("workspace", s("finance_etl"))]
);
matrix!(
    delete_workspace_needs_full_access,
    "delete_workspace",
    Needs::Modify,
    false,
    |ids, who| {
        let ws = by_root(who, "finance_etl", "marketing_ml");
        vec![
            ("workspace", s(ws)),
            ("typed_name", s(ws)),
            ("freeze_tasks", s(true)),
        ]
    }
);
matrix!(
    recover_workspace_needs_full_access,
    "recover_workspace",
    Needs::Modify,
    false,
    |ids, who| by_root(
        who,
        vec![
            ("entry_id", ids.other_entry.clone()),
            ("deleted_at", ids.other_at.clone())
        ],
        vec![
            ("entry_id", ids.legacy.clone()),
            ("deleted_at", ids.legacy_at.clone())
        ]
    )
);
matrix!(
    purge_workspace_needs_full_access,
    "purge_workspace",
    Needs::Modify,
    false,
    |ids, who| by_root(
        who,
        vec![
            ("entry_id", ids.other_entry.clone()),
            ("deleted_at", ids.other_at.clone()),
            ("typed_name", s("customer_360"))
        ],
        vec![
            ("entry_id", ids.legacy.clone()),
            ("deleted_at", ids.legacy_at.clone()),
            ("typed_name", s("legacy_reports"))
        ]
    )
);

matrix!(
    list_ram_users_is_for_the_root_only,
    "list_ram_users",
    Needs::ManageUsers,
    true,
    |ids, who| vec![]
);
matrix!(
    create_ram_user_is_for_the_root_only,
    "create_ram_user",
    Needs::ManageUsers,
    true,
    |ids, who| vec![
        ("name", format!("dave_{}", who.tag())),
        ("password", s("dave-password-1")),
        ("policy", s("AliyunDataWorksReadOnlyAccess"))
    ]
);
matrix!(
    set_ram_user_password_is_for_the_root_only,
    "set_ram_user_password",
    Needs::ManageUsers,
    false,
    |ids, who| vec![
        ("user_id", ids.bob.clone()),
        ("password", s("new-bob-password"))
    ]
);
matrix!(
    set_ram_user_policy_is_for_the_root_only,
    "set_ram_user_policy",
    Needs::ManageUsers,
    false,
    |ids, who| vec![
        ("user_id", ids.carol.clone()),
        ("policy", s("AliyunDataWorksReadOnlyAccess")),
        ("attached", s(true))
    ]
);
matrix!(
    delete_ram_user_is_for_the_root_only,
    "delete_ram_user",
    Needs::ManageUsers,
    false,
    |ids, who| vec![("user_id", ids.carol.clone())]
);

on_both_engines!(a_wrong_pair_gets_one_message_and_sign_out_ends_the_session);
async fn a_wrong_pair_gets_one_message_and_sign_out_ends_the_session(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(None).await;
    let mut bodies = vec![];
    for (user, pw) in [
        ("acme", "nope"),
        ("nobody", "acme-demo-1"),
        ("alice@acme", "bob-demo-1"),
    ] {
        let (status, body) = app
            .call(
                &client,
                "sign_in",
                &[("username", s(user)), ("password", s(pw))],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        bodies.push(body);
    }
    assert!(
        bodies
            .iter()
            .all(|b| b == &bodies[0] && b.contains("Incorrect username or password."))
    );

    let client = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let (status, body) = app.call(&client, "current_viewer", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("alice@acme"));
    assert_eq!(app.call(&client, "sign_out", &[]).await.0, StatusCode::OK);
    assert_eq!(app.call(&client, "current_viewer", &[]).await.1, "null");
    assert_eq!(
        app.call(
            &client,
            "list_workspaces",
            &[("query", s("")), ("page", s(1))]
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
}

on_both_engines!(session_cookies_are_http_only_and_same_site);
async fn session_cookies_are_http_only_and_same_site(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/sign_in", app.url))
        .header("Origin", app.url.clone())
        .form(&[("username", "acme"), ("password", "acme-demo-1")])
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

on_both_engines!(a_state_changing_request_from_a_foreign_origin_is_refused);
async fn a_state_changing_request_from_a_foreign_origin_is_refused(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(Some(("acme", "acme-demo-1"))).await;
    let before = app.fingerprint().await;
    let args = [
        ("name", "csrf_ws"),
        ("display_name", ""),
        ("description", ""),
        ("data_modeling", "false"),
    ];
    let res = client
        .post(format!("{}/api/create_workspace", app.url))
        .header("Origin", "http://evil.example")
        .form(&args)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.fingerprint().await, before);
    let res = client
        .post(format!("{}/api/create_workspace", app.url))
        .header("Origin", app.url.clone())
        .form(&args)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

on_both_engines!(refusals_are_clear_four_hundreds);
async fn refusals_are_clear_four_hundreds(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let client = app.client(Some(("alice@acme", "alice-demo-1"))).await;
    let create = |name: &str| {
        vec![
            ("name", s(name)),
            ("display_name", s("")),
            ("description", s("")),
            ("data_modeling", s(false)),
        ]
    };
    let (status, body) = app
        .call(&client, "create_workspace", &create("bad-name"))
        .await;
    assert_eq!(
        (status, body.contains("letters, digits and underscores")),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (status, body) = app
        .call(&client, "create_workspace", &create("SALES_DW"))
        .await;
    assert_eq!(
        (status, body.contains("already exists")),
        (StatusCode::CONFLICT, true)
    );
    let (status, body) = app
        .call(&client, "create_workspace", &create("Legacy_Reports"))
        .await;
    assert_eq!(
        (status, body.contains("Recycle Bin")),
        (StatusCode::CONFLICT, true)
    );
    let (status, _) = app
        .call(
            &client,
            "delete_workspace",
            &[
                ("workspace", s("sales_dw")),
                ("typed_name", s("sales_dw ")),
                ("freeze_tasks", s(true)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

on_both_engines!(the_test_clock_is_404_without_test_mode);
async fn the_test_clock_is_404_without_test_mode(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", app.url))
        .json(&serde_json::json!({"seconds": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

on_both_engines!(the_test_clock_advances_and_runs_a_purge_pass);
async fn the_test_clock_advances_and_runs_a_purge_pass(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", app.url))
        .json(&serde_json::json!({"seconds": DAY}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(body["now"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert_eq!(now, T0 + DAY);
    // legacy_reports was deleted 13 days before T0: one day later its 14 days are up.
    assert_eq!(RETENTION_SECS, 14 * DAY);
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM workspaces WHERE name = 'legacy_reports'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
}

async fn metrics_of(app: &TestApp) -> String {
    reqwest::get(format!("{}/metrics", app.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of the sample whose name and labels contain every one of `parts`.
fn sample(metrics: &str, parts: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| parts.iter().all(|p| l.contains(p)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

on_both_engines!(metrics_count_requests_by_route_purges_and_sign_in_failures);
async fn metrics_count_requests_by_route_purges_and_sign_in_failures(pool: Pool) {
    let app = spawn_app(pool, true).await;
    let client = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    app.call(
        &client,
        "list_workspaces",
        &[("query", s("")), ("page", s(1))],
    )
    .await;
    let anon = app.client(None).await;
    let (status, _) = app
        .call(
            &anon,
            "sign_in",
            &[("username", s("acme")), ("password", s("wrong-password"))],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let metrics = metrics_of(&app).await;
    let list = [
        "http_requests_total{",
        "route=\"/api/list_workspaces\"",
        "status=\"200\"",
    ];
    assert!(sample(&metrics, &list).unwrap() >= 1.0, "{metrics}");
    assert!(
        sample(
            &metrics,
            &[
                "http_request_duration_seconds_bucket{",
                "route=\"/api/list_workspaces\"",
                "le=\"+Inf\""
            ]
        )
        .unwrap()
            >= 1.0
    );
    assert!(
        sample(
            &metrics,
            &["console_sign_in_failures_total{", "bad_credentials"]
        )
        .unwrap()
            >= 1.0
    );
    assert!(sample(&metrics, &["console_recycle_bin_entries"]).is_some());

    // The test clock's purge pass removes legacy_reports (13 days old at T0).
    reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", app.url))
        .json(&serde_json::json!({"seconds": DAY}))
        .send()
        .await
        .unwrap();
    let metrics = metrics_of(&app).await;
    assert!(sample(&metrics, &["console_purge_passes_total"]).unwrap() >= 1.0);
    assert!(sample(&metrics, &["console_purged_entries_total"]).unwrap() >= 1.0);
}

on_both_engines!(health_answers_and_readiness_follows_the_database);
async fn health_answers_and_readiness_follows_the_database(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let get = |path: &'static str| reqwest::get(format!("{}{path}", app.url));
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/readyz").await.unwrap().status(), StatusCode::OK);
    app.pool.close().await;
    assert_eq!(
        get("/readyz").await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
}

on_both_engines!(the_test_clock_lives_in_the_database_so_every_instance_follows_it);
async fn the_test_clock_lives_in_the_database_so_every_instance_follows_it(pool: Pool) {
    let a = spawn_app(pool.clone(), true).await;
    // A second instance on the same database (the demo is seeded once: the second seed is a no-op).
    let b = spawn_app(pool, true).await;
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", a.url))
        .json(&serde_json::json!({"seconds": 3 * DAY}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(b.state.clock.now(), T0, "b has not been asked anything yet");
    let bob = b.client(Some(("bob@acme", "bob-demo-1"))).await;
    let (status, body) = b.call(&bob, "list_recycle_bin", &[("page", s(1))]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(b.state.clock.now(), T0 + 3 * DAY);
    assert!(
        body.contains(&format!("\"now\":{}", T0 + 3 * DAY)),
        "{body}"
    );
    // An advance through b continues from a's.
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", b.url))
        .json(&serde_json::json!({"seconds": DAY}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(body["now"].as_str().unwrap())
        .unwrap()
        .timestamp();
    assert_eq!(now, T0 + 4 * DAY);
}

// ---------- Delivery: precompressed, cached assets; compressed pages ----------

/// A site folder with one hashed asset in three encodings, as `cargo leptos build --precompress`
/// leaves it.
fn site_with_assets() -> std::path::PathBuf {
    let root = std::path::PathBuf::from(concat!(env!("CARGO_TARGET_TMPDIR"), "/sites"))
        .join(format!("{}-{}", std::process::id(), rand_suffix()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("app.h4sh.wasm"), b"plain wasm bytes").unwrap();
    std::fs::write(pkg.join("app.h4sh.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("app.h4sh.wasm.gz"), b"gzip bytes").unwrap();
    root
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

on_both_engines!(assets_are_served_precompressed_by_negotiation_and_cached_for_a_year);
async fn assets_are_served_precompressed_by_negotiation_and_cached_for_a_year(pool: Pool) {
    let site = site_with_assets();
    let app = common::app::spawn_with(
        pool,
        |state| {
            state.leptos_options.site_root = site.to_string_lossy().into_owned().into();
            state.leptos_options.hash_files = true;
        },
        std::time::Duration::ZERO,
    )
    .await;
    let client = reqwest::Client::new();
    for (accept, encoding, body) in [
        (Some("br, gzip"), Some("br"), "brotli bytes"),
        (Some("gzip"), Some("gzip"), "gzip bytes"),
        (None, None, "plain wasm bytes"),
    ] {
        let mut request = client.get(format!("{}/pkg/app.h4sh.wasm", app.url));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("content-encoding").as_deref(),
            encoding,
            "{accept:?}"
        );
        assert_eq!(
            header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(header("content-type").as_deref(), Some("application/wasm"));
        assert_eq!(res.text().await.unwrap(), body);
    }
    let missing = client
        .get(format!("{}/pkg/nothing.wasm", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

on_both_engines!(pages_and_large_answers_are_compressed_and_pages_are_never_stored);
async fn pages_and_large_answers_are_compressed_and_pages_are_never_stored(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Some(("bob@acme", "bob-demo-1"))).await;
    for accept in ["br", "gzip"] {
        let res = bob
            .get(format!("{}/workspaces", app.url))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], accept);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let compressed = res.bytes().await.unwrap().len();
        let plain = bob
            .get(format!("{}/workspaces", app.url))
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        let plain = plain.text().await.unwrap();
        assert!(plain.contains("Workspace Name"));
        assert!(
            compressed * 2 < plain.len(),
            "{accept}: {compressed} bytes compressed of {}",
            plain.len()
        );
    }
    // A small answer is not worth compressing.
    let res = bob
        .get(format!("{}/healthz", app.url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("content-encoding").is_none());
}

// ---------- Audit Log and notifications ----------

matrix!(
    list_audit_events_needs_view,
    "list_audit_events",
    Needs::View,
    true,
    |ids, who| vec![("cursor", s("Newest"))]
);
matrix!(
    get_webhook_is_for_the_root,
    "get_webhook",
    Needs::ManageUsers,
    true,
    |ids, who| vec![]
);
matrix!(
    set_webhook_is_for_the_root,
    "set_webhook",
    Needs::ManageUsers,
    true,
    // A documentation address (TEST-NET-1): public, and never sent to in this test.
    |ids, who| vec![("url", s("https://192.0.2.10/hook"))]
);

async fn audit_rows(app: &TestApp, action: &str) -> Vec<(String, String, String, String, String)> {
    sqlx::query_as(
        "SELECT user_name, workspace, source, client_ip, result || ': ' || message
         FROM audit_events WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

on_both_engines!(refused_attempts_are_recorded_once_each_and_change_nothing);
async fn refused_attempts_are_recorded_once_each_and_change_nothing(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let delete = |typed: &str| {
        vec![
            ("workspace", s("sales_dw")),
            ("typed_name", s(typed)),
            ("freeze_tasks", s(true)),
        ]
    };
    let before = app.fingerprint().await;
    let denied_before = audit_rows(&app, "DeleteWorkspace").await.len();
    for (who, typed, status) in [
        (Who::Bob, "sales_dw", StatusCode::FORBIDDEN),
        (Who::Carol, "sales_dw", StatusCode::FORBIDDEN),
        (Who::Alice, "sales_d", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let client = app.client(who.credentials()).await;
        let (got, _) = app.call(&client, "delete_workspace", &delete(typed)).await;
        assert_eq!(got, status, "{who:?}");
    }
    assert_eq!(
        app.fingerprint().await,
        before,
        "a refusal changed something"
    );
    let rows = audit_rows(&app, "DeleteWorkspace").await;
    let new: Vec<_> = rows[denied_before..].to_vec();
    assert_eq!(new.len(), 3, "{new:?}");
    assert_eq!(new[0].0, "bob@acme");
    assert_eq!(new[1].0, "carol@acme");
    assert_eq!(new[2].0, "alice@acme");
    for row in &new {
        assert_eq!(
            (row.1.as_str(), row.2.as_str(), row.3.as_str()),
            ("sales_dw", "Console", "127.0.0.1")
        );
    }
    assert!(
        new[0]
            .4
            .starts_with("Denied: Requires AliyunDataWorksFullAccess"),
        "{new:?}"
    );
    assert!(new[1].4.starts_with("Denied: "), "{new:?}");
    assert!(new[2].4.starts_with("Failed: "), "{new:?}");

    // The same delete, done right, is one Success event.
    let client = app.client(Who::Alice.credentials()).await;
    let (ok, _) = app
        .call(&client, "delete_workspace", &delete("sales_dw"))
        .await;
    assert_eq!(ok, StatusCode::OK);
    let rows = audit_rows(&app, "DeleteWorkspace").await;
    assert_eq!(rows.len(), denied_before + 4);
    assert!(
        rows.last()
            .unwrap()
            .4
            .starts_with("Success: Moved to the Recycle Bin")
    );

    // Sign-ins: each one recorded in the account it names; a name of no account has no log.
    let sign_ins = audit_rows(&app, "SignIn").await.len();
    let failures = audit_rows(&app, "SignInFailed").await.len();
    let anon = app.client(None).await;
    for (user, pw) in [("alice@acme", "wrong-password"), ("nobody", "x")] {
        app.call(
            &anon,
            "sign_in",
            &[("username", s(user)), ("password", s(pw))],
        )
        .await;
    }
    let failed = audit_rows(&app, "SignInFailed").await;
    assert_eq!(failed.len(), failures + 1);
    assert_eq!(failed.last().unwrap().0, "alice@acme");
    assert!(audit_rows(&app, "SignIn").await.len() >= sign_ins);
}

on_both_engines!(the_audit_log_answers_its_viewers_in_their_own_account_and_refuses_bad_filters);
async fn the_audit_log_answers_its_viewers_in_their_own_account_and_refuses_bad_filters(
    pool: Pool,
) {
    let app = spawn_app(pool, false).await;
    let bob = app.client(Who::Bob.credentials()).await;
    let (status, body) = app
        .call(
            &bob,
            "list_audit_events",
            &[
                ("filter[workspace]", s("SALES_DW")),
                ("cursor", s("Newest")),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let events = page["events"].as_array().unwrap();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| e["workspace"] == "sales_dw"));
    let globex = app.client(Who::Globex.credentials()).await;
    let (_, body) = app
        .call(
            &globex,
            "list_audit_events",
            &[("filter[user]", s("acme")), ("cursor", s("Newest"))],
        )
        .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["events"],
        serde_json::json!([])
    );
    for (args, want) in [
        (
            vec![
                ("filter[action]", s("DropEverything")),
                ("cursor", s("Newest")),
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            vec![("filter[user]", "x".repeat(300)), ("cursor", s("Newest"))],
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (vec![("cursor", s("Sideways"))], StatusCode::BAD_REQUEST),
        (
            vec![("cursor[Before]", s("not-a-number"))],
            StatusCode::BAD_REQUEST,
        ),
        (vec![], StatusCode::BAD_REQUEST),
    ] {
        let (status, body) = app.call(&bob, "list_audit_events", &args).await;
        assert_eq!(status, want, "{args:?}: {body}");
    }
}

on_both_engines!(the_csv_download_streams_what_the_filters_select_for_viewers_only);
async fn the_csv_download_streams_what_the_filters_select_for_viewers_only(pool: Pool) {
    let app = spawn_app(pool, false).await;
    let url = format!("{}/audit-log/export.csv?workspace=sales_dw", app.url);
    let bob = app.client(Who::Bob.credentials()).await;
    let res = bob.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("audit-log.csv")
    );
    let text = res.text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Time,User,Action,Workspace,Source,Client IP,Result,Message"
    );
    let rows: Vec<_> = lines.collect();
    let in_db: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events a JOIN accounts c ON c.id = a.account_id
         WHERE c.name = 'acme' AND a.workspace = 'sales_dw'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, in_db);
    assert!(rows.iter().all(|r| r.contains(",sales_dw,")));
    // Compressed, as a browser asks for it: the stream ends cleanly (it once panicked when the
    // encoder polled it after its end, and the browser saw a reset connection).
    for encoding in ["br", "gzip"] {
        let res = bob
            .get(&url)
            .header("Accept-Encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-encoding"], encoding);
        let body = res
            .bytes()
            .await
            .expect("the whole compressed body arrives");
        assert!(!body.is_empty());
    }
    for (who, want) in [
        (Who::SignedOut, StatusCode::UNAUTHORIZED),
        (Who::Carol, StatusCode::FORBIDDEN),
    ] {
        let client = app.client(who.credentials()).await;
        assert_eq!(
            client.get(&url).send().await.unwrap().status(),
            want,
            "{who:?}"
        );
    }
    for (bad, want) in [
        ("?action=Nope", StatusCode::UNPROCESSABLE_ENTITY),
        ("?user=a&user=b", StatusCode::BAD_REQUEST),
        // Bytes that are not UTF-8 are read as replacement characters: they match nothing.
        ("?workspace=%FF%FE", StatusCode::OK),
    ] {
        let res = bob
            .get(format!("{}/audit-log/export.csv{bad}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), want, "{bad}");
        if want == StatusCode::OK {
            assert_eq!(
                res.text().await.unwrap().lines().count(),
                1,
                "{bad}: only the header"
            );
        }
    }
}

on_both_engines!(notices_come_from_the_clock_and_a_dead_webhook_delays_nothing);
async fn notices_come_from_the_clock_and_a_dead_webhook_delays_nothing(pool: Pool) {
    // The receiver is on loopback: the operator allows private receivers.
    let app = common::app::spawn_with(
        pool,
        |state| {
            state.test_mode = true;
            state.config.webhook_allow_private = true;
        },
        std::time::Duration::ZERO,
    )
    .await;
    let root = app.client(Who::Root.credentials()).await;
    // A receiver that takes connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", silent.local_addr().unwrap());
    let (status, _) = app
        .call(&root, "set_webhook", &[("url", hook.clone())])
        .await;
    assert_eq!(status, StatusCode::OK);
    for bad in [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "http://user:pw@example.com/",
    ] {
        let (status, body) = app.call(&root, "set_webhook", &[("url", s(bad))]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let (_, body) = app.call(&root, "get_webhook", &[]).await;
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(saved["url"], hook, "{body}");
    assert_eq!(saved["signed"], true, "{body}");

    // legacy_reports was deleted 13 days before T0: its 1-day warning is due at once.
    let res = reqwest::Client::new()
        .post(format!("{}/test-api/clock/advance", app.url))
        .json(&serde_json::json!({"seconds": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (status, body) = app.call(&root, "list_notifications", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let notices: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(notices["unread"], 1, "{body}");
    assert_eq!(notices["notices"][0]["kind"], "Warning1Day");
    assert_eq!(notices["notices"][0]["workspace"], "legacy_reports");
    // The header's button reads the count alone.
    assert_eq!(
        app.call(&root, "count_unread_notifications", &[]).await,
        (StatusCode::OK, s("1"))
    );
    // The advance answered while the delivery still waits for its worker.
    let (attempts, done): (i64, Option<i64>) =
        sqlx::query_as("SELECT attempts, done_at FROM webhook_outbox")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((attempts, done), (0, None));

    assert_eq!(
        app.call(&root, "mark_notifications_read", &[]).await.0,
        StatusCode::OK
    );
    let (_, body) = app.call(&root, "list_notifications", &[]).await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["unread"],
        0
    );
    assert_eq!(
        app.call(&root, "count_unread_notifications", &[]).await,
        (StatusCode::OK, s("0"))
    );
    let anon = app.client(None).await;
    assert_eq!(
        app.call(&anon, "count_unread_notifications", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(&anon, "list_notifications", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call(&anon, "mark_notifications_read", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    drop(silent);
}

matrix!(
    list_access_keys_is_for_the_root,
    "list_access_keys",
    Needs::ManageUsers,
    true,
    |ids, who| vec![]
);
matrix!(
    create_access_key_is_for_the_root_and_its_own_users,
    "create_access_key",
    Needs::ManageUsers,
    false,
    |ids, who| vec![("user_id", ids.bob.clone())]
);
