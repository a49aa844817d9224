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
