//! The server's memory through bursts of wrong sign-ins from many addresses (the throttle counts
//! per address, so an attacker with many addresses reaches the password hashing every time), and
//! a signed-in user's `/workspaces` latency meanwhile. Goals: peak <= 300 MB, back to <= 1.5x idle
//! within 10 s, idle <= 64 MB, p99 during the burst <= 10x idle p99.
use crate::R;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub(crate) struct Server {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Reads the server's RSS (MB) each time it is called.
    pub(crate) fn rss_probe(&self) -> impl Fn() -> f64 + Send + 'static {
        let pid = self.child.id();
        move || rss_of(pid)
    }

    pub(crate) fn rss_mb(&self) -> f64 {
        rss_of(self.child.id())
    }
}

async fn start(dir: &Path, binary: &str) -> R<Server> {
    let db = dir.join("memory.db");
    let _ = std::fs::remove_file(&db);
    start_on(binary, &format!("sqlite://{}", db.display()), true).await
}

/// The release server on `database_url` at a free loopback port, once it is ready.
pub(crate) async fn start_on(binary: &str, database_url: &str, demo: bool) -> R<Server> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new(binary)
        .args(demo.then_some("--demo"))
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("CONSOLE_TRUST_PROXY", "1")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!("starting {binary}: {e} (build it with `cargo leptos build --release`)")
        })?;
    let server = Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(res) = client.get(format!("{}/readyz", server.url)).send().await
            && res.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the server did not become ready".into())
}

pub async fn run(dir: &Path, binary: &str) -> R<()> {
    let server = start(dir, binary).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = server.rss_mb();
    let user = reqwest::Client::builder().cookie_store(true).build()?;
    let res = user
        .post(format!("{}/api/sign_in", server.url))
        .header("origin", &server.url)
        .form(&[("username", "bob@acme"), ("password", "bob-demo-1")])
        .send()
        .await?;
    assert!(res.status().is_success(), "bob signs in");
    let idle_p99 = p99(&page_times(&user, &server.url, 200).await?);
    println!(
        "memory: idle {idle:.0} MB (goal <= 64); /workspaces signed in, idle p99 {:.1} ms",
        idle_p99 * 1e3
    );
    let mut next_address = 0u32;
    for (attempts, at_once) in [(256, 64), (1_000, 256)] {
        let peak = Arc::new(AtomicU64::new(0));
        let running = Arc::new(AtomicBool::new(true));
        let sampler = {
            let (peak, running) = (peak.clone(), running.clone());
            let pid = server.child.id();
            tokio::spawn(async move {
                while running.load(Ordering::SeqCst) {
                    let rss = rss_of(pid);
                    peak.fetch_max(rss as u64, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        let pages = {
            let (user, url, running) = (user.clone(), server.url.clone(), running.clone());
            tokio::spawn(async move {
                let mut times = vec![];
                while running.load(Ordering::SeqCst) {
                    let t = Instant::now();
                    let ok = user
                        .get(format!("{url}/workspaces"))
                        .send()
                        .await
                        .is_ok_and(|r| r.status().is_success());
                    if ok {
                        times.push(t.elapsed().as_secs_f64());
                    }
                }
                times
            })
        };
        let started = Instant::now();
        let statuses = burst(&server.url, attempts, at_once, &mut next_address).await;
        let took = started.elapsed();
        running.store(false, Ordering::SeqCst);
        sampler.await?;
        let page_times = pages.await?;
        tokio::time::sleep(Duration::from_secs(10)).await;
        let after = server.rss_mb();
        let peak = peak.load(Ordering::SeqCst) as f64;
        let busy_p99 = p99(&page_times);
        let count = |code: u16| statuses.iter().filter(|s| **s == code).count();
        println!(
            "memory: {attempts} wrong sign-ins {at_once} at a time in {:.1} s (401: {}, 503: {}, other: {}): \
             peak {peak:.0} MB (goal <= 300), 10 s later {after:.0} MB = {:.2}x idle (goal <= 1.5); \
             /workspaces p99 meanwhile {:.1} ms = {:.1}x idle p99 (goal <= 10) {}",
            took.as_secs_f64(),
            count(401),
            count(503),
            statuses.len() - count(401) - count(503),
            after / idle,
            busy_p99 * 1e3,
            busy_p99 / idle_p99,
            if peak <= 300.0 && after <= 1.5 * idle && busy_p99 <= 10.0 * idle_p99 {
                "OK"
            } else {
                "OVER TARGET"
            }
        );
    }
    Ok(())
}

fn rss_of(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `attempts` wrong sign-ins, `at_once` in flight, each from its own address and user name.
async fn burst(url: &str, attempts: usize, at_once: usize, next: &mut u32) -> Vec<u16> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(at_once)
        .build()
        .expect("a client");
    let semaphore = Arc::new(tokio::sync::Semaphore::new(at_once));
    let mut tasks = vec![];
    for _ in 0..attempts {
        *next += 1;
        let n = *next;
        let (client, url, semaphore) = (client.clone(), url.to_owned(), semaphore.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire_owned().await.ok()?;
            let address = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
            client
                .post(format!("{url}/api/sign_in"))
                .header("origin", &url)
                .header("x-forwarded-for", address)
                .form(&[
                    ("username", format!("attacker{n}")),
                    ("password", "wrong-password-1".into()),
                ])
                .send()
                .await
                .ok()
                .map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = vec![];
    for task in tasks {
        statuses.push(task.await.ok().flatten().unwrap_or(0));
    }
    statuses
}

async fn page_times(client: &reqwest::Client, url: &str, n: usize) -> R<Vec<f64>> {
    let mut times = vec![];
    for _ in 0..n {
        let t = Instant::now();
        let res = client.get(format!("{url}/workspaces")).send().await?;
        assert!(res.status().is_success());
        res.bytes().await?;
        times.push(t.elapsed().as_secs_f64());
    }
    Ok(times)
}

fn p99(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
        .get((sorted.len() * 99 / 100).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}
