//! Live updates fanned out (issue 13): 500 streams open on one instance, one change; how long
//! each stream takes to hear it (from the moment the change's request is sent), p50 / p99 / max,
//! against one stream alone in the same run. Goal: all 500 within 2 s.
use crate::memory::start_on;
use crate::throughput::session_cookie_of;
use crate::{R, Target};
use std::time::{Duration, Instant};

const STREAMS: usize = 500;

/// Opens `n` streams; answers once each has been accepted, with a receiver of the instant each
/// one hears its first change.
async fn open(
    url: &str,
    cookie: &str,
    n: usize,
) -> R<tokio::sync::mpsc::UnboundedReceiver<Instant>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(n + 8)
        .build()?;
    let (heard_tx, heard_rx) = tokio::sync::mpsc::unbounded_channel();
    let (open_tx, mut open_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    for _ in 0..n {
        let (client, heard_tx, open_tx) = (client.clone(), heard_tx.clone(), open_tx.clone());
        let (url, cookie) = (url.to_owned(), cookie.to_owned());
        tokio::spawn(async move {
            let Ok(mut res) = client
                .get(format!("{url}/live/events"))
                .header("cookie", cookie)
                .send()
                .await
            else {
                return;
            };
            let mut seen = String::new();
            let mut opened = false;
            while let Ok(Some(chunk)) = res.chunk().await {
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if !opened && seen.contains(": live") {
                    opened = true;
                    let _ = open_tx.send(());
                }
                if seen.contains("event: change") {
                    let _ = heard_tx.send(Instant::now());
                    return;
                }
            }
        });
    }
    for _ in 0..n {
        tokio::time::timeout(Duration::from_secs(30), open_rx.recv())
            .await?
            .ok_or("a stream failed to open")?;
    }
    Ok(heard_rx)
}

async fn change(url: &str, cookie: &str, workspace: &str) -> R<Instant> {
    let sent = Instant::now();
    let res = reqwest::Client::new()
        .post(format!("{url}/api/delete_workspace"))
        .header("origin", url)
        .header("cookie", cookie)
        .form(&[
            ("workspace", workspace),
            ("typed_name", workspace),
            ("freeze_tasks", "true"),
        ])
        .send()
        .await?;
    if !res.status().is_success() {
        return Err(format!("delete {workspace}: {}", res.status()).into());
    }
    Ok(sent)
}

/// The delays (ms) until `n` streams heard a change made after they opened.
async fn delays(url: &str, viewer: &str, actor: &str, n: usize, workspace: &str) -> R<Vec<f64>> {
    let mut heard = open(url, viewer, n).await?;
    let sent = change(url, actor, workspace).await?;
    let mut delays = Vec::with_capacity(n);
    for _ in 0..n {
        match tokio::time::timeout(Duration::from_secs(10), heard.recv()).await {
            Ok(Some(at)) => delays.push(at.duration_since(sent).as_secs_f64() * 1000.0),
            _ => break,
        }
    }
    delays.sort_by(f64::total_cmp);
    Ok(delays)
}

fn at(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1]
}

pub(crate) async fn run(targets: &[Target], binary: &str) -> R<()> {
    for target in targets {
        println!(
            "--- fan-out: {STREAMS} live streams on one instance ({}) ---",
            target.engine().name()
        );
        target.fresh("fanout").await?.close().await;
        let server = start_on(binary, &target.url("fanout"), true).await?;
        let viewer = session_cookie_of(&server.url, "bob@acme", "bob-demo-1").await?;
        let actor = session_cookie_of(&server.url, "alice@acme", "alice-demo-1").await?;
        let mut single = vec![];
        for ws in ["supply_chain", "hr_analytics", "ads_platform"] {
            single.extend(delays(&server.url, &viewer, &actor, 1, ws).await?);
        }
        single.sort_by(f64::total_cmp);
        let many = delays(&server.url, &viewer, &actor, STREAMS, "sales_dw").await?;
        let within = many.iter().filter(|d| **d <= 2000.0).count();
        let (p50, p99) = (at(&many, 0.5), at(&many, 0.99));
        let baseline = at(&single, 0.5);
        let verdict = if within == STREAMS {
            "OK"
        } else {
            "OVER TARGET"
        };
        println!(
            "one stream: median {baseline:.0} ms (3 changes); {STREAMS} streams: heard by {}/{STREAMS}, \
             p50 {p50:.0} ms, p99 {p99:.0} ms, max {:.0} ms; p99 {:.1}x one stream; within 2 s: {within}/{STREAMS} ({verdict})",
            many.len(),
            many.last().copied().unwrap_or(f64::NAN),
            p99 / baseline.max(0.001),
        );
        drop(server);
        target.remove("fanout").await?;
    }
    Ok(())
}
