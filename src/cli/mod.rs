//! `workspace-console ctl …`: the API from a shell, for scripts (SPEC §12). Reads
//! `CONSOLE_ENDPOINT` and `CONSOLE_ACCESS_KEY` (`id:secret`); prints tables, or the API's JSON with
//! `--output json`; exits 0 on success, 1 with the API's message on a refusal, 2 on a usage error,
//! 3 when the console cannot be reached.
use crate::server::ctl::{Call, Method, Table};
use clap::{Parser, Subcommand, ValueEnum};
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
    RecycleBin(crate::recycle_bin::api::Ctl),
    /// Auto triggered tasks: list, freeze, unfreeze.
    #[command(subcommand)]
    Tasks(crate::operations::api::Ctl),
    /// The Audit Log.
    #[command(subcommand, name = "audit-events")]
    AuditEvents(crate::audit::api::Ctl),
    /// The account's settings: purge protection.
    #[command(subcommand)]
    Account(crate::recycle_bin::api::AccountCtl),
    /// Nodes and their upstream dependencies.
    #[command(subcommand)]
    Nodes(crate::dependencies::api::Ctl),
}

// `ctl workspaces …`: the workspace feature's commands and deletion's.
#[derive(Subcommand, Debug)]
enum Workspaces {
    #[command(flatten)]
    Workspaces(crate::workspaces::api::Ctl),
    #[command(flatten)]
    Deletion(crate::deletion::api::Ctl),
}

/// The request a command makes, and how its answer is shown as a table: each feature's commands
/// say it (`<feature>/api.rs`, beside the operations they call).
fn request(command: &Command) -> Call {
    match command {
        Command::Workspaces(Workspaces::Workspaces(command)) => command.call(),
        Command::Workspaces(Workspaces::Deletion(command)) => command.call(),
        Command::RecycleBin(command) => command.call(),
        Command::Tasks(command) => command.call(),
        Command::AuditEvents(command) => command.call(),
        Command::Account(command) => command.call(),
        Command::Nodes(command) => command.call(),
    }
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
        Table::Results(columns) => {
            rows(&mut out, &answer["results"], columns);
            out.to_string()
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
    if let Command::RecycleBin(command) = &ctl.command
        && let Some(error) = command.usage_error()
    {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
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
    if let Table::Results(columns) = table {
        let results = answer["results"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let refused = results
            .iter()
            .filter(|r| r["status"].as_u64() != Some(200))
            .count();
        if refused > 0 {
            // A row per node (copy-nodes) or per Recycle Bin entry (bulk recover and purge).
            let rows = if columns.first() == Some(&"node_id") {
                "nodes"
            } else {
                "entries"
            };
            eprintln!("error: {refused} of {} {rows} were refused", results.len());
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

/// The header on an answer replayed for a repeated `Idempotency-Key`.
const REPLAYED_HEADER: &str = "idempotent-replayed";

/// What ctl says (on stderr, so `--output json` stays the answer alone) of a replayed answer.
pub const REPLAYED: &str =
    "(a replay of the first answer to this Idempotency-Key; the current state may differ)";
