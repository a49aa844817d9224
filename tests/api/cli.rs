//! `workspace-console ctl`: the lifecycle through the CLI alone against a server the test starts,
//! with its exit statuses, tables and `--output json`, on both engines.
use crate::helpers::*;
use workspace_console::store::Pool;

struct Ctl {
    endpoint: String,
    key: String,
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ctl {
    async fn run(&self, args: &[&str]) -> Ran {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_workspace-console"))
            .arg("ctl")
            .args(args)
            .env("CONSOLE_ENDPOINT", &self.endpoint)
            .env("CONSOLE_ACCESS_KEY", &self.key)
            .output()
            .await
            .unwrap();
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    async fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.extend(["--output", "json"]);
        let ran = self.run(&all).await;
        assert_eq!(ran.code, 0, "{args:?}: {}", ran.stderr);
        serde_json::from_str(&ran.stdout).unwrap()
    }
}

on_both_engines!(the_lifecycle_runs_through_ctl_with_tables_json_and_exit_codes);
async fn the_lifecycle_runs_through_ctl_with_tables_json_and_exit_codes(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let ctl = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "alice@acme").await,
    };
    let help = ctl.run(&["--help"]).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("recycle-bin") && help.stdout.contains("CONSOLE_ACCESS_KEY"));
    let help = ctl.run(&["workspaces", "delete", "--help"]).await;
    assert!(help.stdout.contains("--confirm") && help.stdout.contains("--freeze-tasks"));

    let created = ctl
        .run(&[
            "workspaces",
            "create",
            "cli_ws",
            "--description",
            "from a script",
        ])
        .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert!(created.stdout.contains("cli_ws"));
    let listed = ctl.run(&["workspaces", "list", "--query", "CLI_"]).await;
    assert!(
        listed.stdout.contains("NAME") && listed.stdout.contains("cli_ws"),
        "{}",
        listed.stdout
    );

    let wrong = ctl
        .run(&["workspaces", "delete", "cli_ws", "--confirm", "cli"])
        .await;
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("error:") && wrong.stderr.contains("422"),
        "{}",
        wrong.stderr
    );
    let deleted = ctl
        .json(&[
            "workspaces",
            "delete",
            "cli_ws",
            "--confirm",
            "cli_ws",
            "--freeze-tasks",
        ])
        .await;
    let entry = deleted["entry_id"].as_i64().unwrap();
    let bin = ctl.json(&["recycle-bin", "list"]).await;
    assert!(
        bin["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == entry)
    );
    let table = ctl.run(&["recycle-bin", "list"]).await;
    assert!(table.stdout.contains("legacy_reports") && table.stdout.contains("cli_ws"));

    let shown = ctl.json(&["recycle-bin", "show", &entry.to_string()]).await;
    assert_eq!(shown["entry"]["name"], "cli_ws");
    let table = ctl.run(&["recycle-bin", "show", &entry.to_string()]).await;
    assert!(
        table.stdout.contains("cli_ws") && table.stdout.contains("purge_protection"),
        "{}",
        table.stdout
    );
    let legacy = bin["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "legacy_reports")
        .unwrap()["id"]
        .to_string();
    let nodes = ctl
        .run(&["recycle-bin", "assets", &legacy, "--kind", "node"])
        .await;
    assert!(nodes.stdout.contains("monthly_summary"), "{}", nodes.stdout);
    let report = ctl
        .json(&["recycle-bin", "recover", &entry.to_string()])
        .await;
    assert_eq!(report["name"], "cli_ws");
    let again = ctl
        .run(&["recycle-bin", "recover", &entry.to_string()])
        .await;
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("already been recovered"),
        "{}",
        again.stderr
    );

    ctl.json(&["workspaces", "delete", "cli_ws", "--confirm", "cli_ws"])
        .await;
    let purged = ctl
        .run(&[
            "recycle-bin",
            "purge",
            &entry.to_string(),
            "--confirm",
            "cli_ws",
        ])
        .await;
    assert_eq!(purged.code, 0, "{}", purged.stderr);
    let events = ctl
        .json(&["audit-events", "list", "--workspace", "cli_ws"])
        .await;
    assert_eq!(events["events"][0]["action"], "PurgeWorkspace");
    assert_eq!(events["events"][0]["source"], "API");

    // A usage error, a refused key, an unreachable console.
    assert_eq!(ctl.run(&["workspaces", "frobnicate"]).await.code, 2);
    let refused = Ctl {
        endpoint: app.url.clone(),
        key: "LTAInobody:nothing".into(),
    }
    .run(&["workspaces", "list"])
    .await;
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("AccessKey"), "{}", refused.stderr);
    let unreachable = Ctl {
        endpoint: "http://127.0.0.1:9".into(),
        key: ctl.key.clone(),
    }
    .run(&["workspaces", "list"])
    .await;
    assert_eq!(unreachable.code, 3);
}

on_both_engines!(ctl_protects_and_unprotects_a_workspace);
async fn ctl_protects_and_unprotects_a_workspace(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let ctl = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "alice@acme").await,
    };
    let delete = [
        "workspaces",
        "delete",
        "finance_etl",
        "--confirm",
        "finance_etl",
    ];
    let on = ctl.json(&["workspaces", "protect", "finance_etl"]).await;
    assert_eq!(on["deletion_protection"], true);
    let refused = ctl.run(&delete).await;
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("409")
            && refused
                .stderr
                .contains("Deletion protection is on for finance_etl; disable it first"),
        "{}",
        refused.stderr
    );
    let off = ctl.json(&["workspaces", "unprotect", "finance_etl"]).await;
    assert_eq!(off["deletion_protection"], false);
    let deleted = ctl.json(&delete).await;
    assert_eq!(deleted["name"], "finance_etl");
}

on_both_engines!(
    purge_protection_refuses_every_early_purge_on_every_door_until_the_root_turns_it_off
);
async fn purge_protection_refuses_every_early_purge_on_every_door_until_the_root_turns_it_off(
    pool: Pool,
) {
    let app = spawn_app(pool.clone(), false).await;
    let root = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "acme").await,
    };
    let alice_ctl = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "alice@acme").await,
    };
    let shown = alice_ctl
        .json(&["account", "purge-protection", "show"])
        .await;
    assert_eq!(shown["enabled"], false);
    // Only the root may change it.
    let refused = alice_ctl.run(&["account", "purge-protection", "on"]).await;
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("403"), "{}", refused.stderr);
    let on = root.json(&["account", "purge-protection", "on"]).await;
    assert_eq!(on["enabled"], true);
    assert_eq!(
        alice_ctl
            .json(&["account", "purge-protection", "show"])
            .await["enabled"],
        true
    );

    let (id, at) = bin_entry(&pool, "legacy_reports").await;
    let message = "Purge protection is on for this account";
    let before = app.fingerprint().await;
    // The console's server function, for the root and for alice.
    for who in [("acme", "acme-demo-1"), ("alice@acme", "alice-demo-1")] {
        let client = app.client(Some(who)).await;
        let (status, body) = app
            .call(
                &client,
                "purge_workspace",
                &[
                    ("entry_id", id.to_string()),
                    ("deleted_at", at.to_string()),
                    ("typed_name", "legacy_reports".into()),
                ],
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::CONFLICT, "{body}");
        assert!(body.contains(message), "{body}");
    }
    // The API, through ctl.
    let id_text = id.to_string();
    let purge = [
        "recycle-bin",
        "purge",
        id_text.as_str(),
        "--confirm",
        "legacy_reports",
    ];
    for ctl in [&root, &alice_ctl] {
        let refused = ctl.run(&purge).await;
        assert_eq!(refused.code, 1);
        assert!(
            refused.stderr.contains("409") && refused.stderr.contains(message),
            "{}",
            refused.stderr
        );
    }
    assert_eq!(
        app.fingerprint().await,
        before,
        "the refusals changed nothing"
    );
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'PurgeWorkspace' AND result = 'Denied'
         AND message = $1",
    )
    .bind(message)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(denied, 4, "each refusal is audited");

    // Turned off, the same purge goes through, and alice (FullAccess) was told who turned it off.
    let off = root.json(&["account", "purge-protection", "off"]).await;
    assert_eq!(off["enabled"], false);
    let purged = alice_ctl.json(&purge).await;
    assert_eq!(purged["purged"], true);
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE n.kind = 'PurgeProtectionOff' AND n.detail = 'acme' AND u.name IN ('acme', 'alice')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(told, 2);
}

on_both_engines!(ctl_prints_a_replayed_answer_as_the_first_answer_not_the_current_state);
async fn ctl_prints_a_replayed_answer_as_the_first_answer_not_the_current_state(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let ctl = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "alice@acme").await,
    };
    let note = workspace_console::cli::REPLAYED;
    let delete = [
        "workspaces",
        "delete",
        "finance_etl",
        "--confirm",
        "finance_etl",
        "--idempotency-key",
        "cli-once",
        "--output",
        "json",
    ];
    let first = ctl.run(&delete).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!first.stderr.contains(note), "{}", first.stderr);
    let answer: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    // Since then the workspace was recovered and protected.
    ctl.json(&["recycle-bin", "recover", &answer["entry_id"].to_string()])
        .await;
    ctl.json(&["workspaces", "protect", "finance_etl"]).await;
    let again = ctl.run(&delete).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    let replayed: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(replayed, answer, "stdout is the first answer alone");
    assert!(again.stderr.contains(note), "{}", again.stderr);
    let table = ctl.run(&delete[..7]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table.stdout.contains("finance_etl") && table.stderr.contains(note),
        "{}{}",
        table.stdout,
        table.stderr
    );
    assert!(active(&app, "finance_etl").await, "nothing acted");
    // A new key acts on the current state, and is no replay.
    let now = ctl
        .run(&[
            "workspaces",
            "delete",
            "finance_etl",
            "--confirm",
            "finance_etl",
            "--idempotency-key",
            "cli-new",
        ])
        .await;
    assert_eq!(now.code, 1);
    assert!(
        now.stderr.contains("409") && !now.stderr.contains(note),
        "{}",
        now.stderr
    );
}

on_both_engines!(ctl_and_the_api_manage_upstream_dependencies_with_clear_refusals);
async fn ctl_and_the_api_manage_upstream_dependencies_with_clear_refusals(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let ctl = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "alice@acme").await,
    };
    let node = |answer: &serde_json::Value, name: &str| -> i64 {
        answer
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {answer}"))["id"]
            .as_i64()
            .unwrap()
    };
    let finance = ctl.json(&["nodes", "list", "finance_etl"]).await;
    let sales = ctl.json(&["nodes", "list", "sales_dw"]).await;
    let (ledger, reconcile) = (node(&finance, "daily_ledger"), node(&finance, "reconcile"));
    let (dwd, ads, ods) = (
        node(&sales, "dwd_sales"),
        node(&sales, "ads_report"),
        node(&sales, "ods_orders"),
    );
    assert_eq!(finance[0]["type"], "ODPS SQL");
    let table = ctl.run(&["nodes", "list", "finance_etl"]).await;
    assert!(
        table.stdout.contains("daily_ledger") && table.stdout.contains("TYPE"),
        "{}",
        table.stdout
    );

    // The demo's two dependencies, and the impact check of sales_dw's deletion (SPEC §20).
    let ups = ctl
        .json(&["nodes", "upstream", "list", &ledger.to_string()])
        .await;
    assert_eq!(ups[0]["workspace"], "sales_dw");
    assert_eq!(ups[0]["node"], "dwd_sales");
    assert_eq!(ups[0]["upstream_node_id"], dwd);
    let shown = ctl.json(&["workspaces", "get", "sales_dw"]).await;
    let downstream = &shown["downstream_dependencies"];
    assert_eq!(downstream["count"], 2, "{shown}");
    assert_eq!(downstream["first"][0]["workspace"], "finance_etl");
    assert_eq!(downstream["first"][0]["node"], "daily_ledger");
    assert_eq!(downstream["first"][0]["task_status"], "Running");
    assert_eq!(downstream["first"][1]["node"], "reconcile");
    assert_eq!(
        downstream["first"][1]["task_status"],
        serde_json::Value::Null
    );
    for ws in ["finance_etl", "marketing_ml"] {
        let none = ctl.json(&["workspaces", "get", ws]).await;
        assert_eq!(none["downstream_dependencies"]["count"], 0, "{ws}");
    }

    // Add one, see it, refuse the same again, a cycle, the node itself and another account's node.
    let added = ctl
        .json(&[
            "nodes",
            "upstream",
            "add",
            &reconcile.to_string(),
            &ods.to_string(),
        ])
        .await;
    assert_eq!(added.as_array().unwrap().len(), 2);
    let globex_node: i64 = sqlx::query_scalar("SELECT id FROM assets WHERE name = 'globex_job'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let before = app.fingerprint().await;
    for (args, status, says) in [
        (
            [reconcile, ods],
            "409",
            "sales_dw.ods_orders is already an upstream of this node.",
        ),
        ([ads, reconcile], "422", "would close a cycle"),
        ([ads, ads], "422", "A node cannot be its own upstream."),
        (
            [reconcile, globex_node],
            "404",
            "That upstream node does not exist.",
        ),
        ([globex_node, reconcile], "404", "That node does not exist."),
    ] {
        let refused = ctl
            .run(&[
                "nodes",
                "upstream",
                "add",
                &args[0].to_string(),
                &args[1].to_string(),
            ])
            .await;
        assert_eq!(refused.code, 1);
        assert!(
            refused.stderr.contains(status) && refused.stderr.contains(says),
            "{args:?}: {}",
            refused.stderr
        );
    }
    assert_eq!(
        app.fingerprint().await,
        before,
        "the refusals changed nothing"
    );
    let left = ctl
        .json(&[
            "nodes",
            "upstream",
            "remove",
            &reconcile.to_string(),
            &ods.to_string(),
        ])
        .await;
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["node"], "ads_report");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action IN ('AddUpstream', 'RemoveUpstream')
         AND source = 'API' AND result = 'Success' AND workspace = 'finance_etl'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}

// SPEC §21, §22 through ctl: the list's search, filter and sort flags; recover and purge of
// several entries print a row each and exit 1 when any was refused.
on_both_engines!(ctl_finds_entries_and_recovers_or_purges_many_with_a_row_each);
async fn ctl_finds_entries_and_recovers_or_purges_many_with_a_row_each(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let ctl = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "alice@acme").await,
    };
    let names = |answer: &serde_json::Value| -> Vec<String> {
        answer["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let listed = ctl
        .json(&[
            "recycle-bin",
            "list",
            "--search",
            "SANDBOX",
            "--deleted-by",
            "alice@acme",
            "--sort",
            "-name",
        ])
        .await;
    assert_eq!(names(&listed), ["sandbox_b", "sandbox_a"]);
    assert_eq!(listed["total"], 2);
    let by_root = ctl
        .json(&[
            "recycle-bin",
            "list",
            "--deleted-by",
            "acme",
            "--sort",
            "deleted_at",
        ])
        .await;
    assert_eq!(names(&by_root), ["legacy_reports", "tmp_join_test"]);
    let table = ctl.run(&["recycle-bin", "list", "--sort", "name"]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    let at = |name: &str| {
        table
            .stdout
            .find(name)
            .unwrap_or_else(|| panic!("{name}: {}", table.stdout))
    };
    assert!(at("legacy_reports") < at("poc_2025") && at("sandbox_b") < at("tmp_join_test"));
    let bad = ctl.run(&["recycle-bin", "list", "--sort", "size"]).await;
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("400") && bad.stderr.contains("`sort`"),
        "{}",
        bad.stderr
    );

    let id = |name: &'static str| {
        let pool = pool.clone();
        async move { bin_entry(&pool, name).await.0.to_string() }
    };
    let (a, b, poc) = (
        id("sandbox_a").await,
        id("sandbox_b").await,
        id("poc_2025").await,
    );
    // One id: the single Recover's answer, as before.
    let one = ctl.json(&["recycle-bin", "recover", &poc]).await;
    assert_eq!(one["name"], "poc_2025");
    // Several: a row each; one refused (poc_2025 is already recovered) makes the exit status 1.
    let several = ctl.run(&["recycle-bin", "recover", &a, &poc, &b]).await;
    assert_eq!(several.code, 1, "{}", several.stderr);
    for word in [
        "sandbox_a",
        "sandbox_b",
        "poc_2025",
        "Recovered",
        "Conflict",
        "409",
        "already been recovered",
    ] {
        assert!(several.stdout.contains(word), "{word}: {}", several.stdout);
    }
    assert!(
        several.stderr.contains("1 of 3 entries were refused"),
        "{}",
        several.stderr
    );
    for name in ["sandbox_a", "sandbox_b", "poc_2025"] {
        assert!(active(&app, name).await, "{name}");
    }
    let (tmp, legacy) = (id("tmp_join_test").await, id("legacy_reports").await);
    let all_done = ctl.run(&["recycle-bin", "recover", &tmp, &legacy]).await;
    assert_eq!(all_done.code, 0, "{}{}", all_done.stdout, all_done.stderr);
    assert_eq!(
        all_done.stdout.matches("Recovered.").count(),
        2,
        "{}",
        all_done.stdout
    );

    // Delete Permanently of several, confirmed by their number.
    for name in ["sandbox_a", "sandbox_b"] {
        ctl.json(&["workspaces", "delete", name, "--confirm", name])
            .await;
    }
    let (a, b) = (id("sandbox_a").await, id("sandbox_b").await);
    let before = app.fingerprint().await;
    let wrong = ctl
        .run(&["recycle-bin", "purge", &a, &b, "--confirm-count", "1"])
        .await;
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("422") && wrong.stderr.contains("`confirm_count` must be 2"),
        "{}",
        wrong.stderr
    );
    // --confirm names one workspace; neither confirmation is a usage error too.
    let usage = ctl
        .run(&["recycle-bin", "purge", &a, &b, "--confirm", "sandbox_a"])
        .await;
    assert_eq!(usage.code, 2, "{}", usage.stderr);
    assert!(usage.stderr.contains("--confirm-count"), "{}", usage.stderr);
    assert_eq!(ctl.run(&["recycle-bin", "purge", &a, &b]).await.code, 2);
    assert_eq!(app.fingerprint().await, before, "nothing changed");
    let purged = ctl
        .run(&["recycle-bin", "purge", &a, &b, "--confirm-count", "2"])
        .await;
    assert_eq!(purged.code, 0, "{}{}", purged.stdout, purged.stderr);
    assert_eq!(
        purged.stdout.matches("Deleted permanently.").count(),
        2,
        "{}",
        purged.stdout
    );
    assert!(!active(&app, "sandbox_a").await);
    let again = ctl
        .run(&[
            "recycle-bin",
            "purge",
            &a,
            "--confirm-count",
            "1",
            "--output",
            "json",
        ])
        .await;
    assert_eq!(again.code, 1);
    let answer: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(answer["results"][0]["status"], 404, "{answer}");
    let events: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_events WHERE action = 'PurgeWorkspace' AND source = 'API'
         AND result = 'Success' AND workspace IN ('sandbox_a', 'sandbox_b')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(events, 2);
}

// `ctl recycle-bin copy-nodes ID --to WORKSPACE NODE_ID...` (SPEC §23): a row per node, exit 1
// when any node was refused, the API's refusal of the whole request, and its usage errors.
on_both_engines!(ctl_copies_nodes_out_of_an_entry_a_row_each);
async fn ctl_copies_nodes_out_of_an_entry_a_row_each(pool: Pool) {
    let app = spawn_app(pool.clone(), false).await;
    let ctl = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "alice@acme").await,
    };
    let (entry, _) = bin_entry(&pool, "tmp_join_test").await;
    let entry = entry.to_string();
    let join = acme_node(&pool, "tmp_join_test", "join_orders_customers")
        .await
        .to_string();
    let check = acme_node(&pool, "tmp_join_test", "check_join_counts")
        .await
        .to_string();
    let help = ctl.run(&["recycle-bin", "copy-nodes", "--help"]).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--to"), "{}", help.stdout);

    let copied = ctl
        .run(&[
            "recycle-bin",
            "copy-nodes",
            &entry,
            "--to",
            "finance_etl",
            &join,
        ])
        .await;
    assert_eq!(copied.code, 0, "{}", copied.stderr);
    for text in [
        "NODE_ID",
        "COPIED_NODE_ID",
        "join_orders_customers",
        "Copied",
        "200",
    ] {
        assert!(copied.stdout.contains(text), "{text}: {}", copied.stdout);
    }
    // Again with another node: that one is copied, the first is refused by name (exit 1).
    let again = ctl
        .run(&[
            "recycle-bin",
            "copy-nodes",
            &entry,
            "--to",
            "finance_etl",
            &join,
            &check,
            "--output",
            "json",
        ])
        .await;
    assert_eq!(again.code, 1, "{}", again.stderr);
    let answer: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(answer["results"][0]["status"], 409, "{answer}");
    assert_eq!(
        answer["results"][0]["message"],
        "A node named join_orders_customers already exists in finance_etl"
    );
    assert_eq!(answer["results"][1]["status"], 200, "{answer}");
    assert!(
        again.stderr.contains("1 of 2 nodes were refused"),
        "{}",
        again.stderr
    );
    // Refused as a whole: a target in the Recycle Bin, and a read-only user.
    let before = app.fingerprint().await;
    let missing = ctl
        .run(&[
            "recycle-bin",
            "copy-nodes",
            &entry,
            "--to",
            "poc_2025",
            &check,
        ])
        .await;
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("404"), "{}", missing.stderr);
    let bob = Ctl {
        endpoint: app.url.clone(),
        key: key_for(&pool, "bob@acme").await,
    };
    let denied = bob
        .run(&[
            "recycle-bin",
            "copy-nodes",
            &entry,
            "--to",
            "finance_etl",
            &check,
        ])
        .await;
    assert_eq!(denied.code, 1);
    assert!(denied.stderr.contains("403"), "{}", denied.stderr);
    // Usage errors never reach the console.
    for args in [
        vec![
            "recycle-bin",
            "copy-nodes",
            entry.as_str(),
            "--to",
            "finance_etl",
        ],
        vec!["recycle-bin", "copy-nodes", entry.as_str(), check.as_str()],
        vec![
            "recycle-bin",
            "copy-nodes",
            entry.as_str(),
            "--to",
            "finance_etl",
            "x1",
        ],
    ] {
        assert_eq!(ctl.run(&args).await.code, 2, "{args:?}");
    }
    let many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let mut args = vec![
        "recycle-bin",
        "copy-nodes",
        entry.as_str(),
        "--to",
        "finance_etl",
    ];
    args.extend(many.iter().map(String::as_str));
    assert_eq!(ctl.run(&args).await.code, 2, "more than 100 nodes");
    assert_eq!(app.fingerprint().await, before, "nothing changed");
}
