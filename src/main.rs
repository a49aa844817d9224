#![recursion_limit = "512"]
use clap::Parser;
use leptos::prelude::get_configuration;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use workspace_console::error::BoxError;
use workspace_console::server::state::{Config, PublicOrigin};
use workspace_console::server::{Clock, Shared};
use workspace_console::startup::{demo, jobs, router};

/// mimalloc returns the memory of a burst (argon2's 19 MiB blocks) to the system, where glibc's
/// per-thread arenas keep it (see the memory figures in docs/operations.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Workspace Console: a DataWorks-style console where an account manages workspaces, deletes one
/// safely and recovers it from a Recycle Bin within a fixed 14 days.
#[derive(Parser, Debug)]
#[command(
    name = "workspace-console",
    version,
    after_help = "\
Environment:
  DATABASE_URL            sqlite://FILE (default: sqlite://data/console.db, created if missing) or
                          postgres://USER[:PASSWORD]@HOST[:PORT]/DB (the database must exist; any
                          number of instances may share it)
  LEPTOS_SITE_ADDR        address to listen on (default 127.0.0.1:3000)
  LEPTOS_SITE_ROOT        folder of the built site assets (default target/site)
  CONSOLE_PUBLIC_URL      the origin users reach, e.g. https://console.example.com (Host and Origin
                          are checked against it; cookies are Secure when it is https)
  CONSOLE_TRUST_PROXY=1   take the client address from the last X-Forwarded-For hop
  CONSOLE_WEBHOOK_ALLOW_PRIVATE=1  as --webhook-allow-private
  CONSOLE_TEST_CLOCK=1    test mode: POST /test-api/clock/advance {\"seconds\": N} moves the clock
                          and runs a purge pass; refused unless listening on a loopback address
  RUST_LOG                log filter (default info)

Stop it with Ctrl-C or SIGTERM: readiness turns off, connections are closed after their response
for --drain-secs, then the listener closes and requests in flight finish (up to --stop-timeout)."
)]
struct Cli {
    /// Seed the demo accounts and workspaces into an empty database (a database with data is left as it is).
    #[arg(long)]
    demo: bool,
    /// Database URL: sqlite://… (embedded, the default) or postgres://… (shared by many instances).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/console.db")]
    database_url: String,
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR")]
    addr: Option<SocketAddr>,
    /// Seconds between two passes of the job that purges Recycle Bin entries whose 14 days are up.
    #[arg(long, env = "CONSOLE_PURGE_INTERVAL", default_value_t = 60)]
    purge_interval: u64,
    /// The origin users reach the console at (e.g. https://console.example.com behind a proxy).
    #[arg(long, env = "CONSOLE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Trust the last X-Forwarded-For hop as the client address (only behind a proxy that sets it).
    #[arg(long, env = "CONSOLE_TRUST_PROXY", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    trust_proxy: bool,
    /// Let webhooks reach loopback, private (RFC 1918), shared (CGNAT) and IPv6 unique-local
    /// addresses: for a receiver inside your own network. Off by default, when a webhook whose host
    /// is or resolves to such an address is refused when it is set and again at every delivery.
    /// Cloud metadata services and reserved addresses stay refused either way.
    #[arg(long, env = "CONSOLE_WEBHOOK_ALLOW_PRIVATE", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    webhook_allow_private: bool,
    /// Seconds to keep serving after a stop signal, with readiness off and `Connection: close`.
    #[arg(long, env = "CONSOLE_DRAIN_SECS", default_value_t = 1)]
    drain_secs: u64,
    /// Seconds requests in flight may take to finish after the listener closed.
    #[arg(long, env = "CONSOLE_STOP_TIMEOUT", default_value_t = 30)]
    stop_timeout: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    // `workspace-console ctl …`: the API client for scripts.
    let mut args = std::env::args();
    if std::env::args().nth(1).as_deref() == Some("ctl") {
        let program = args.next().unwrap_or_default();
        args.next();
        return workspace_console::cli::run(std::iter::once(program).chain(args)).await;
    }
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

async fn run(cli: Cli) -> Result<(), BoxError> {
    let mut options = get_configuration(None)?.leptos_options;
    if let Some(addr) = cli.addr {
        options.site_addr = addr;
    }
    // A release build names its assets by content hash (hash.txt beside the binary): pages link
    // the hashed names, which are cached for a year.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none()
        && let Ok(exe) = std::env::current_exe()
        && exe.with_file_name(options.hash_file.as_ref()).exists()
    {
        options.hash_files = true;
    }
    let addr = options.site_addr;
    let test_mode = std::env::var("CONSOLE_TEST_CLOCK").is_ok_and(|v| v == "1");
    if test_mode && !addr.ip().is_loopback() {
        return Err(format!(
            "CONSOLE_TEST_CLOCK=1 is only allowed on a loopback address, not {addr}"
        )
        .into());
    }
    if workspace_console::store::Engine::of_url(&cli.database_url)?
        == workspace_console::store::Engine::Sqlite
    {
        ensure_parent_dir(&cli.database_url)?;
    }
    let pool = workspace_console::store::connect(&cli.database_url).await?;
    let clock = Clock::system();
    if cli.demo {
        if demo::seed(&pool, clock.now())
            .await
            .map_err(|e| format!("seeding demo data failed: {e}"))?
        {
            tracing::info!(
                "seeded demo data: accounts acme and globex, 38 workspaces, 5 of them in acme's Recycle Bin"
            );
        } else {
            tracing::info!("the database already holds data: --demo seeded nothing");
        }
    }
    let public_origin = cli
        .public_url
        .as_deref()
        .map(PublicOrigin::parse)
        .transpose()?;
    if public_origin.is_none() && !addr.ip().is_loopback() {
        tracing::warn!(
            "listening on {addr} without CONSOLE_PUBLIC_URL: requests for any host name are served"
        );
    }
    let mut state = Shared::new(pool, clock, options)?;
    state.test_mode = test_mode;
    state.config = Config {
        public_origin,
        trust_proxy: cli.trust_proxy,
        loopback_only: addr.ip().is_loopback(),
        webhook_allow_private: cli.webhook_allow_private,
    };
    if cli.webhook_allow_private {
        tracing::warn!("webhooks may reach private networks (--webhook-allow-private)");
    }
    let state = state.share();
    // The router creates the session table; the purge job's housekeeping prunes it afterwards.
    let app = router::router(state.clone()).await?;
    jobs::spawn(&state, cli.purge_interval);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(
        "Workspace Console listening on http://{}",
        listener.local_addr()?
    );
    if test_mode {
        tracing::warn!("test mode: the clock can be moved with POST /test-api/clock/advance");
    }
    if cli.demo {
        for (user, password, who) in demo::sign_ins() {
            tracing::info!("demo sign-in: {user} / {password} ({who})");
        }
    }
    router::serve(
        listener,
        app,
        &state,
        shutdown_signal(),
        Duration::from_secs(cli.drain_secs),
        Duration::from_secs(cli.stop_timeout),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
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
