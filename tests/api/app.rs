//! The real router on a random port over a fresh database with the demo data, for HTTP tests.
use crate::helpers::T0;
use reqwest::StatusCode;
use std::time::Duration;
use workspace_console::server::{AppState, Clock, Shared};
use workspace_console::startup::{demo, router};
use workspace_console::store::Pool;

pub struct TestApp {
    pub url: String,
    pub pool: Pool,
    pub state: AppState,
    /// Sending (or dropping) it stops the server as SIGTERM does.
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The demo data at T0 and the real router on a random loopback port, served as `main` serves it.
pub async fn spawn_app(pool: Pool, test_mode: bool) -> TestApp {
    spawn_with(pool, |state| state.test_mode = test_mode, Duration::ZERO).await
}

/// The same, with the state adjusted first (configuration, gates), draining for `grace` on stop.
pub async fn spawn_with(pool: Pool, adjust: impl FnOnce(&mut Shared), grace: Duration) -> TestApp {
    demo::seed(&pool, T0).await.unwrap();
    // As `main` configures it: the built site, not the builder's default of the current folder.
    let leptos_options = leptos::prelude::LeptosOptions::builder()
        .output_name("workspace-console")
        .site_root("target/site")
        .build();
    let mut state =
        Shared::new(pool.clone(), Clock::fixed(T0), leptos_options).expect("session store");
    state.config.loopback_only = true;
    adjust(&mut state);
    let state = state.share();
    let app = router::router(state.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = state.clone();
    tokio::spawn(async move {
        let stop = async move {
            let _ = stopped.await;
        };
        router::serve(listener, app, &served, stop, grace, Duration::from_secs(10))
            .await
            .unwrap()
    });
    TestApp {
        url,
        pool,
        state,
        stop: Some(stop),
    }
}

impl TestApp {
    /// A browser-like client of the console: it keeps cookies and sends the console's own
    /// `Origin`, as a browser does on a page's requests.
    pub async fn client(&self, sign_in: Option<(&str, &str)>) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, self.url.parse().unwrap());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .build()
            .unwrap();
        if let Some((user, password)) = sign_in {
            let res = client
                .post(format!("{}/api/sign_in", self.url))
                .form(&[("username", user), ("password", password)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK, "sign in as {user}");
        }
        client
    }

    pub async fn call(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        args: &[(&str, String)],
    ) -> (StatusCode, String) {
        let res = client
            .post(format!("{}/api/{endpoint}", self.url))
            .form(args)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// "Delete Workspace" of `name` with `typed` as the typed confirmation, freezing its tasks:
    /// the answer's status.
    pub async fn delete_workspace(
        &self,
        client: &reqwest::Client,
        name: &str,
        typed: &str,
    ) -> StatusCode {
        let args = [
            ("workspace", name.to_string()),
            ("typed_name", typed.to_string()),
            ("freeze_tasks", "true".to_string()),
        ];
        self.call(client, "delete_workspace", &args).await.0
    }

    /// Test mode's clock: moves it by `seconds` and runs one warning and purge pass, as a script
    /// would (no Origin, no session); the answer must be 200.
    pub async fn advance_clock(&self, seconds: i64) {
        let res = reqwest::Client::new()
            .post(format!("{}/test-api/clock/advance", self.url))
            .json(&serde_json::json!({ "seconds": seconds }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "advancing the clock by {seconds} s"
        );
    }

    pub async fn id(&self, sql: &str) -> String {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&self.pool)
            .await
            .unwrap()
            .to_string()
    }

    /// Everything a refused call must leave exactly as it was.
    pub async fn fingerprint(&self) -> Vec<i64> {
        let sql = "SELECT
            (SELECT count(*) FROM accounts), (SELECT count(*) FROM users), (SELECT count(*) FROM user_policies),
            (SELECT coalesce(sum(length(password_hash)), 0) + count(DISTINCT password_hash) FROM users),
            (SELECT count(*) FROM workspaces), (SELECT count(*) FROM workspaces WHERE deleted_at IS NULL),
            (SELECT count(*) FROM workspaces WHERE deletion_protection),
            (SELECT count(*) FROM account_settings WHERE purge_protection = TRUE), (SELECT count(*) FROM notifications),
            (SELECT count(*) FROM node_dependencies),
            (SELECT count(*) FROM assets), (SELECT coalesce(sum(length(code)), 0) FROM assets),
            (SELECT count(*) FROM assets WHERE node_status = 'published'), (SELECT count(*) FROM node_versions),
            (SELECT count(*) FROM tasks), (SELECT count(*) FROM tasks WHERE status = 'Running'),
            (SELECT count(*) FROM task_running_periods WHERE ended_at IS NULL)";
        use sqlx::Row;
        let row = sqlx::query(sql).fetch_one(&self.pool).await.unwrap();
        (0..row.len()).map(|i| row.get::<i64, _>(i)).collect()
    }
}

/// One HTTP/1.1 exchange over a plain socket: `head` (the request line and headers, without the
/// blank line; `Connection: close` is added) then exactly `body`, then the whole answer as text
/// until the server closes. Nothing is sent that the server does not read, so it never closes with
/// unread bytes (which would reset the connection under the answer).
pub async fn raw_exchange(url: &str, head: &str, body: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = url.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket
        .write_all(format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    socket.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}
