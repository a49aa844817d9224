#![recursion_limit = "512"]
use clap::Parser;
use leptos::prelude::get_configuration;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use workspace_console::recycle_bin::service::purge_expired;
use workspace_console::server::{AppState, Clock, demo, http, state};

/// Workspace Console: a DataWorks-style console where an account manages workspaces, deletes one
/// safely and recovers it from a Recycle Bin within a fixed 14 days.
#[derive(Parser, Debug)]
#[command(
    name = "workspace-console",
    version,
    after_help = "\
Environment:
  DATABASE_URL            SQLite database (default: sqlite://data/console.db, created if missing)
  LEPTOS_SITE_ADDR        address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT        folder of the built site assets (default target/site)
  CONSOLE_TEST_CLOCK=1    test mode: POST /test-api/clock/advance {\"seconds\": N} moves the clock
                          and runs a purge pass; refused unless listening on a loopback address
  RUST_LOG                log filter (default info)

Stop it with Ctrl-C or SIGTERM: it finishes requests in flight, then exits."
)]
struct Cli {
    /// Seed the demo accounts and workspaces into an empty database (a database with data is left as it is).
    #[arg(long)]
    demo: bool,
    /// SQLite database URL.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/console.db")]
    database_url: String,
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR")]
    addr: Option<SocketAddr>,
    /// Seconds between two passes of the job that purges Recycle Bin entries whose 14 days are up.
    #[arg(long, env = "CONSOLE_PURGE_INTERVAL", default_value_t = 60)]
    purge_interval: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), state::BoxError> {
    let mut options = get_configuration(None)?.leptos_options;
    if let Some(addr) = cli.addr {
        options.site_addr = addr;
    }
    let addr = options.site_addr;
    let test_mode = std::env::var("CONSOLE_TEST_CLOCK").is_ok_and(|v| v == "1");
    if test_mode && !addr.ip().is_loopback() {
        return Err(format!(
            "CONSOLE_TEST_CLOCK=1 is only allowed on a loopback address, not {addr}"
        )
        .into());
    }
    ensure_parent_dir(&cli.database_url)?;
    let pool = state::connect(&cli.database_url).await?;
    let clock = Clock::system();
    if cli.demo {
        if demo::seed(&pool, clock.now())
            .await
            .map_err(|e| format!("seeding demo data failed: {e}"))?
        {
            tracing::info!(
                "seeded demo data: accounts acme and globex, 34 workspaces, legacy_reports in the Recycle Bin"
            );
        } else {
            tracing::info!("the database already holds data: --demo seeded nothing");
        }
    }
    spawn_purge_job(pool.clone(), clock.clone(), cli.purge_interval);
    let state = AppState {
        pool,
        clock,
        leptos_options: options,
        test_mode,
    };
    let app = http::router(state).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        "Workspace Console listening on http://{}",
        listener.local_addr()?
    );
    if test_mode {
        tracing::warn!("test mode: the clock can be moved with POST /test-api/clock/advance");
    }
    if cli.demo {
        for (user, password, who) in demo::SIGN_INS {
            tracing::info!("demo sign-in: {user} / {password} ({who})");
        }
    }
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

fn spawn_purge_job(pool: sqlx::SqlitePool, clock: Clock, every_secs: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every_secs.max(1)));
        loop {
            tick.tick().await;
            match purge_expired(&pool, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    "purge job: permanently deleted {n} Recycle Bin entries whose 14 days were up"
                ),
                Err(error) => {
                    tracing::error!(?error, "purge job pass failed; the next pass retries")
                }
            }
        }
    });
}

fn ensure_parent_dir(database_url: &str) -> std::io::Result<()> {
    let path = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
        _ => Ok(()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
