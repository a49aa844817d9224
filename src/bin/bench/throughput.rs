//! `/workspaces` server-side rendering throughput, signed in, 32 connections (wrk): one instance on
//! SQLite, one on PostgreSQL, two on PostgreSQL (wrk runs 16 connections against each at once).
//! Prints requests per second and p99 latency of each setup.
use crate::memory::{Server, start_on};
use crate::{R, Target};
use std::process::Command;

const SECONDS: u32 = 10;
const CONNECTIONS: u32 = 32;

/// The session cookie of a signed-in demo user on `server`.
pub(crate) async fn session_cookie(server: &Server) -> R<String> {
    session_cookie_of(&server.url, "alice@acme", "alice-demo-1").await
}

/// The session cookie (`name=value`) of `user` signed in on the console at `url`.
pub(crate) async fn session_cookie_of(url: &str, user: &str, password: &str) -> R<String> {
    let res = reqwest::Client::new()
        .post(format!("{url}/api/sign_in"))
        .header("origin", url)
        .form(&[("username", user), ("password", password)])
        .send()
        .await?;
    if !res.status().is_success() {
        return Err(format!("sign-in answered {}", res.status()).into());
    }
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("console_session="))
        .ok_or("no session cookie")?;
    Ok(cookie.split(';').next().unwrap_or_default().to_owned())
}

pub(crate) struct Measured {
    pub(crate) requests_per_sec: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) non_2xx: u64,
}

fn wrk(urls: &[String], cookie: &str) -> R<Measured> {
    wrk_at(urls, "/workspaces", cookie, CONNECTIONS)
}

/// One wrk run per URL (for `connections` in all, split between them), all at once, GET `path`.
pub(crate) fn wrk_at(urls: &[String], path: &str, cookie: &str, connections: u32) -> R<Measured> {
    let cookie = format!("Cookie: {cookie}");
    wrk_with(urls, path, &["-H", &cookie], connections)
}

/// The same with other wrk arguments (headers, a Lua script).
pub(crate) fn wrk_with(
    urls: &[String],
    path: &str,
    extra: &[&str],
    connections: u32,
) -> R<Measured> {
    let per = connections / urls.len() as u32;
    let children: Vec<_> = urls
        .iter()
        .map(|url| {
            Command::new("wrk")
                .args([
                    "-t",
                    "1",
                    "-c",
                    &per.to_string(),
                    "-d",
                    &format!("{SECONDS}s"),
                ])
                .arg("--latency")
                .args(extra)
                .arg(format!("{url}{path}"))
                .output()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| format!("running wrk (Debian package `wrk`): {e}"))?;
    let mut total = Measured {
        requests_per_sec: 0.0,
        p50_ms: 0.0,
        p99_ms: 0.0,
        non_2xx: 0,
    };
    for out in children {
        let text = String::from_utf8_lossy(&out.stdout);
        let field = |prefix: &str| {
            text.lines()
                .map(str::trim)
                .find(|l| l.starts_with(prefix))
                .and_then(|l| l.split_whitespace().nth(1))
                .map(str::to_owned)
        };
        let rps: f64 = field("Requests/sec:")
            .ok_or_else(|| format!("wrk printed no Requests/sec:\n{text}"))?
            .parse()?;
        let p99 = field("99%").ok_or("wrk printed no 99% latency")?;
        let p50 = field("50%").ok_or("wrk printed no 50% latency")?;
        total.p50_ms = total.p50_ms.max(millis(&p50)?);
        total.requests_per_sec += rps;
        total.p99_ms = total.p99_ms.max(millis(&p99)?);
        total.non_2xx += field("Non-2xx").map_or(Ok(0), |n| n.parse())?;
    }
    Ok(total)
}

/// wrk's "812.00us", "3.45ms", "1.20s" in milliseconds.
fn millis(text: &str) -> R<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e3)
    } else {
        return Err(format!("unreadable latency {text}").into());
    };
    Ok(number.parse::<f64>()? * factor)
}

pub async fn run(targets: &[Target], binary: &str) -> R<()> {
    println!(
        "SSR throughput: GET /workspaces signed in, {CONNECTIONS} connections, {SECONDS} s (wrk)"
    );
    for target in targets {
        let setups: &[usize] = match target {
            Target::Sqlite(_) => &[1],
            Target::Postgres(_) => &[1, 2],
        };
        for &instances in setups {
            let name = format!("throughput_{instances}");
            target.fresh(&name).await?.close().await;
            let url = target.url(&name);
            let mut servers = vec![start_on(binary, &url, true).await?];
            for _ in 1..instances {
                servers.push(start_on(binary, &url, false).await?);
            }
            let cookie = session_cookie(&servers[0]).await?;
            let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
            let measured = wrk(&urls, &cookie)?;
            println!(
                "  {instances} instance{} on {}: {:.0} req/s, p99 {:.1} ms{}",
                if instances == 1 { "" } else { "s" },
                target.engine().name(),
                measured.requests_per_sec,
                measured.p99_ms,
                if measured.non_2xx > 0 {
                    format!(", {} non-2xx answers (NOT ALL SERVED)", measured.non_2xx)
                } else {
                    String::new()
                }
            );
            drop(servers);
            target.remove(&name).await?;
        }
    }
    Ok(())
}
