//! `workspace-console ctl …`: the API from a shell, for scripts (SPEC §12). Reads
//! `CONSOLE_ENDPOINT` and `CONSOLE_ACCESS_KEY` (`id:secret`); prints tables, or the API's JSON with
//! `--output json`; exits 0 on success, 1 with the API's message on a refusal, 2 on a usage error,
//! 3 when the console cannot be reached.
use clap::{Args, Parser, Subcommand, ValueEnum};
use reqwest::Method;
use serde_json::Value;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "workspace-console ctl",
    bin_name = "workspace-console ctl",
    about = "Workspaces, the Recycle Bin, tasks and the Audit Log through the console's API",
    after_help = "Environment:\n  CONSOLE_ENDPOINT    the console's address, e.g. https://console.example.com\n  CONSOLE_ACCESS_KEY  an AccessKey as <AccessKeyId>:<AccessKeySecret> (RAM Users page, \"Create AccessKey\")\n\nExit status: 0 success; 1 the console refused (its message is printed); 2 usage; 3 the console could not be reached."
)]
pub struct Ctl {
    /// The console's address.
    #[arg(
        long,
        env = "CONSOLE_ENDPOINT",
        global = true,
        default_value = "http://127.0.0.1:3000"
    )]
    endpoint: String,
    /// The AccessKey, as `<id>:<secret>`.
    #[arg(
        long,
        env = "CONSOLE_ACCESS_KEY",
        global = true,
        hide_env_values = true
    )]
    access_key: Option<String>,
    /// How to print answers.
    #[arg(long, short, value_enum, global = true, default_value_t = Output::Table)]
    output: Output,
    /// Sent as `Idempotency-Key` with a change: a retry with the same key acts once and gets the
    /// first answer again (not the current state).
    #[arg(long, global = true)]
    idempotency_key: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Output {
    Table,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Workspaces: list, create, show, delete, protect, unprotect.
    #[command(subcommand)]
    Workspaces(Workspaces),
    /// The Recycle Bin: list, recover, purge.
    #[command(subcommand, name = "recycle-bin")]
    RecycleBin(RecycleBin),
    /// Auto triggered tasks: list, freeze, unfreeze.
    #[command(subcommand)]
    Tasks(Tasks),
    /// The Audit Log.
    #[command(subcommand, name = "audit-events")]
    AuditEvents(AuditEvents),
    /// The account's settings: purge protection.
    #[command(subcommand)]
    Account(Account),
    /// Nodes and their upstream dependencies.
    #[command(subcommand)]
    Nodes(Nodes),
}

#[derive(Subcommand, Debug)]
enum Nodes {
    /// List a workspace's nodes (id, name, product, type).
    List { workspace: String },
    /// A node's upstream nodes: list, add, remove.
    #[command(subcommand)]
    Upstream(UpstreamCommand),
}

#[derive(Subcommand, Debug)]
enum UpstreamCommand {
    /// List the upstream nodes of node ID.
    List { id: i64 },
    /// Node ID runs after node UPSTREAM_ID from now on.
    Add { id: i64, upstream_id: i64 },
    /// Node ID no longer runs after node UPSTREAM_ID.
    Remove { id: i64, upstream_id: i64 },
}

#[derive(Subcommand, Debug)]
enum Account {
    /// Purge protection (the root only may change it): while on, no Recycle Bin entry is
    /// permanently deleted before its 14 days are over.
    #[command(name = "purge-protection")]
    PurgeProtection {
        #[arg(value_enum)]
        setting: Setting,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Setting {
    On,
    Off,
    Show,
}

#[derive(Subcommand, Debug)]
enum Workspaces {
    /// List active workspaces, newest first, 10 a page.
    List {
        /// Part of the name, ignoring letter case.
        #[arg(long, default_value = "")]
        query: String,
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Create a workspace.
    Create(NewWorkspace),
    /// Show a workspace and what deleting it would do.
    Get { name: String },
    /// Move a workspace to the Recycle Bin (14 days).
    Delete {
        name: String,
        /// The name again, exactly.
        #[arg(long)]
        confirm: String,
        /// Freeze its Running tasks first (they are then deleted with it).
        #[arg(long)]
        freeze_tasks: bool,
    },
    /// Turn deletion protection on: the workspace cannot be deleted until it is turned off.
    Protect { name: String },
    /// Turn deletion protection off.
    Unprotect { name: String },
}

#[derive(Args, Debug)]
struct NewWorkspace {
    name: String,
    #[arg(long, default_value = "")]
    display_name: String,
    #[arg(long, default_value = "")]
    description: String,
    #[arg(long)]
    data_modeling: bool,
    /// Turn deletion protection on from the start.
    #[arg(long)]
    deletion_protection: bool,
}

#[derive(Subcommand, Debug)]
enum RecycleBin {
    /// List Recycle Bin entries, soonest permanent deletion first.
    List {
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Look into an entry (read-only): its deletion, counts, what Recover brings back, tasks still
    /// billing, downstream dependencies.
    Show { id: i64 },
    /// List one type of an entry's assets, 20 a page.
    Assets {
        id: i64,
        /// data_source, compute, resource or node (or as answers spell them: DataSource, Compute,
        /// Resource, Node).
        #[arg(long)]
        kind: String,
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Recover an entry.
    Recover { id: i64 },
    /// Delete an entry permanently.
    Purge {
        id: i64,
        /// The workspace name, exactly.
        #[arg(long)]
        confirm: String,
    },
}

#[derive(Subcommand, Debug)]
enum Tasks {
    /// List tasks (of one workspace, or of the account).
    List {
        #[arg(long)]
        workspace: Option<String>,
    },
    /// Freeze a Running task.
    Freeze { id: i64 },
    /// Unfreeze a Frozen task.
    Unfreeze { id: i64 },
}

#[derive(Subcommand, Debug)]
enum AuditEvents {
    /// List events, newest first, 50 at a time.
    List {
        #[arg(long, default_value = "")]
        action: String,
        #[arg(long, default_value = "")]
        workspace: String,
        #[arg(long, default_value = "")]
        user: String,
        /// Events older than this event id (the `older` of the previous page).
        #[arg(long)]
        before: Option<i64>,
    },
}

fn q(value: &str) -> String {
    crate::notifications::query_value(value)
}

/// The request a command makes, and how its answer is shown as a table.
fn request(command: &Command) -> (Method, String, Option<Value>, Table) {
    use Command::*;
    match command {
        Workspaces(self::Workspaces::List { query, page }) => (
            Method::GET,
            format!("/workspaces?query={}&page={page}", q(query)),
            None,
            Table::Rows(
                "rows",
                &["name", "display_name", "created_by", "created_at"],
            ),
        ),
        Workspaces(self::Workspaces::Create(w)) => (
            Method::POST,
            "/workspaces".into(),
            Some(serde_json::json!({
                "name": w.name, "display_name": w.display_name,
                "description": w.description, "data_modeling": w.data_modeling,
                "deletion_protection": w.deletion_protection,
            })),
            Table::Fields(&["id", "name", "display_name", "created_by", "created_at"]),
        ),
        Workspaces(self::Workspaces::Protect { name } | self::Workspaces::Unprotect { name }) => (
            Method::PUT,
            format!("/workspaces/{}/deletion-protection", q(name)),
            Some(serde_json::json!({
                "enabled": matches!(command, Workspaces(self::Workspaces::Protect { .. })),
            })),
            Table::Fields(&["name", "deletion_protection"]),
        ),
        Workspaces(self::Workspaces::Get { name }) => (
            Method::GET,
            format!("/workspaces/{}", q(name)),
            None,
            Table::Fields(&[
                "workspace",
                "pai_workspace",
                "counts",
                "running_tasks",
                "frozen_tasks",
            ]),
        ),
        Workspaces(self::Workspaces::Delete {
            name,
            confirm,
            freeze_tasks,
        }) => (
            Method::DELETE,
            format!(
                "/workspaces/{}?confirm_name={}&freeze_tasks={freeze_tasks}",
                q(name),
                q(confirm)
            ),
            None,
            Table::Fields(&[
                "name",
                "entry_id",
                "purge_at",
                "tasks_frozen",
                "tasks_deleted",
                "tasks_orphaned",
            ]),
        ),
        RecycleBin(self::RecycleBin::List { page }) => (
            Method::GET,
            format!("/recycle-bin?page={page}"),
            None,
            Table::Rows(
                "entries",
                &["id", "name", "deleted_by", "deleted_at", "purge_at"],
            ),
        ),
        RecycleBin(self::RecycleBin::Show { id }) => (
            Method::GET,
            format!("/recycle-bin/{id}"),
            None,
            Table::Fields(&[
                "entry",
                "purge_protection",
                "counts",
                "deleted_with_it",
                "still_billing",
                "downstream_dependencies",
            ]),
        ),
        RecycleBin(self::RecycleBin::Assets { id, kind, page }) => (
            Method::GET,
            format!("/recycle-bin/{id}/assets?kind={}&page={page}", q(kind)),
            None,
            Table::Rows(
                "assets",
                &["id", "name", "product", "subtype", "detail", "node_status"],
            ),
        ),
        RecycleBin(self::RecycleBin::Recover { id }) => (
            Method::POST,
            format!("/recycle-bin/{id}/recover"),
            None,
            Table::Fields(&["name", "restored", "not_restored", "nodes_to_publish"]),
        ),
        RecycleBin(self::RecycleBin::Purge { id, confirm }) => (
            Method::DELETE,
            format!("/recycle-bin/{id}?confirm_name={}", q(confirm)),
            None,
            Table::Fields(&["purged"]),
        ),
        Tasks(self::Tasks::List { workspace }) => (
            Method::GET,
            match workspace {
                Some(w) => format!("/tasks?workspace={}", q(w)),
                None => "/tasks".into(),
            },
            None,
            Table::Rows(
                "tasks",
                &[
                    "id",
                    "name",
                    "workspace_name",
                    "status",
                    "schedule",
                    "cost_cents",
                ],
            ),
        ),
        Tasks(self::Tasks::Freeze { id }) => (
            Method::POST,
            format!("/tasks/{id}/freeze"),
            None,
            Table::Fields(&["id", "status"]),
        ),
        Tasks(self::Tasks::Unfreeze { id }) => (
            Method::POST,
            format!("/tasks/{id}/unfreeze"),
            None,
            Table::Fields(&["id", "status"]),
        ),
        Nodes(self::Nodes::List { workspace }) => (
            Method::GET,
            format!("/workspaces/{}/nodes", q(workspace)),
            None,
            Table::List(&["id", "name", "product", "type"]),
        ),
        Nodes(self::Nodes::Upstream(upstream)) => {
            let (method, path, body) = match upstream {
                UpstreamCommand::List { id } => {
                    (Method::GET, format!("/nodes/{id}/upstream"), None)
                }
                UpstreamCommand::Add { id, upstream_id } => (
                    Method::POST,
                    format!("/nodes/{id}/upstream"),
                    Some(serde_json::json!({ "upstream_node_id": upstream_id })),
                ),
                UpstreamCommand::Remove { id, upstream_id } => (
                    Method::DELETE,
                    format!("/nodes/{id}/upstream/{upstream_id}"),
                    None,
                ),
            };
            (
                method,
                path,
                body,
                Table::List(&["upstream_node_id", "workspace", "node", "state"]),
            )
        }
        Account(self::Account::PurgeProtection { setting }) => (
            if *setting == Setting::Show {
                Method::GET
            } else {
                Method::PUT
            },
            "/account/purge-protection".into(),
            (*setting != Setting::Show)
                .then(|| serde_json::json!({ "enabled": *setting == Setting::On })),
            Table::Fields(&["enabled"]),
        ),
        AuditEvents(self::AuditEvents::List {
            action,
            workspace,
            user,
            before,
        }) => (
            Method::GET,
            format!(
                "/audit-events?action={}&workspace={}&user={}{}",
                q(action),
                q(workspace),
                q(user),
                before.map(|b| format!("&before={b}")).unwrap_or_default()
            ),
            None,
            Table::Rows(
                "events",
                &[
                    "id",
                    "at",
                    "user_name",
                    "action",
                    "workspace",
                    "source",
                    "result",
                ],
            ),
        ),
    }
}

enum Table {
    /// A list under this key, with these columns.
    Rows(&'static str, &'static [&'static str]),
    /// The answer is the list itself, with these columns.
    List(&'static [&'static str]),
    /// One object: these fields, one per line.
    Fields(&'static [&'static str]),
}

fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .get("name")
            .map(cell)
            .unwrap_or_else(|| value.to_string()),
        other => other.to_string(),
    }
}

fn render(table: &Table, answer: &Value) -> String {
    let mut out = comfy_table::Table::new();
    out.load_preset(comfy_table::presets::NOTHING);
    let rows = |out: &mut comfy_table::Table, list: &Value, columns: &[&str]| {
        out.set_header(columns.iter().map(|c| c.to_uppercase()));
        for row in list.as_array().into_iter().flatten() {
            out.add_row(columns.iter().map(|c| cell(&row[c])));
        }
    };
    match table {
        Table::List(columns) => {
            rows(&mut out, answer, columns);
            out.to_string()
        }
        Table::Rows(key, columns) => {
            rows(&mut out, &answer[key], columns);
            let mut text = out.to_string();
            for (label, key) in [
                ("page", "page"),
                ("pages", "pages"),
                ("total", "total"),
                ("older", "older"),
            ] {
                if let Some(v) = answer.get(key).filter(|v| !v.is_null()) {
                    text.push_str(&format!("\n{label}: {}", cell(v)));
                }
            }
            text
        }
        Table::Fields(fields) => {
            for f in *fields {
                out.add_row([f.to_string(), cell(&answer[f])]);
            }
            out.to_string()
        }
    }
}

/// Runs `workspace-console ctl ARGS…` and answers the exit status.
pub async fn run(args: impl IntoIterator<Item = String>) -> ExitCode {
    let ctl = match Ctl::try_parse_from(args) {
        Ok(ctl) => ctl,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let Some(key) = ctl.access_key.as_deref().filter(|k| k.contains(':')) else {
        eprintln!(
            "error: set CONSOLE_ACCESS_KEY (or --access-key) to <AccessKeyId>:<AccessKeySecret>"
        );
        return ExitCode::from(2);
    };
    let (method, path, body, table) = request(&ctl.command);
    let url = format!("{}/openapi/v1{path}", ctl.endpoint.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap_or_default();
    let mut request = client
        .request(method.clone(), &url)
        .header(reqwest::header::AUTHORIZATION, format!("Bearer {key}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    if let Some(idempotency) = &ctl.idempotency_key
        && method != Method::GET
    {
        request = request.header("Idempotency-Key", idempotency);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => {
            eprintln!("error: could not reach {}: {error}", ctl.endpoint);
            return ExitCode::from(3);
        }
    };
    let status = response.status();
    // The console answered a repeated Idempotency-Key with the first answer it kept.
    let replayed = response
        .headers()
        .get(REPLAYED_HEADER)
        .and_then(|v| v.to_str().ok())
        == Some("true");
    let answer: Value = match response.json().await {
        Ok(answer) => answer,
        Err(error) => {
            eprintln!("error: the console answered {status} without JSON: {error}");
            return ExitCode::from(3);
        }
    };
    if !status.is_success() {
        if ctl.output == Output::Json {
            println!("{answer}");
        }
        eprintln!(
            "error: {} ({status}, request {})",
            answer["message"].as_str().unwrap_or("refused"),
            answer["request_id"].as_str().unwrap_or("-")
        );
        if replayed {
            eprintln!("{REPLAYED}");
        }
        return ExitCode::from(1);
    }
    match ctl.output {
        Output::Json => println!("{answer}"),
        Output::Table => println!("{}", render(&table, &answer)),
    }
    if replayed {
        eprintln!("{REPLAYED}");
    }
    ExitCode::SUCCESS
}

/// The header on an answer replayed for a repeated `Idempotency-Key`.
const REPLAYED_HEADER: &str = "idempotent-replayed";

/// What ctl says (on stderr, so `--output json` stays the answer alone) of a replayed answer.
pub const REPLAYED: &str =
    "(a replay of the first answer to this Idempotency-Key; the current state may differ)";
