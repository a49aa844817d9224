//! "Download a copy" of large workspaces (issue 13): the whole export over HTTP from the release
//! server, its time and the server's peak RSS above idle (goal: flat, <= 50 MB above idle whatever
//! the size), and its MB/s against writing the same files with the zip crate from memory in the
//! same run (the baseline: no database, no HTTP).
use crate::memory::{Server, start_on};
use crate::{R, T0};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Adds workspace `name` to account 1 (acme): `nodes` nodes with 2 KB of code each, and
/// `assets - nodes` other assets (data sources, computing resources, resources).
async fn seed(database_url: &str, name: &str, assets: i64, nodes: i64) -> R<()> {
    let pool = workspace_console::store::connect(database_url).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO workspaces (account_id, name, display_name, description, created_by, created_at)
         VALUES (1, $1, $1, 'export benchmark', 'acme', $2) RETURNING id",
    )
    .bind(name)
    .bind(T0)
    .fetch_one(&pool)
    .await?;
    // Nodes with 2 KB of code each: SQL-like text with varying numbers, so it compresses as
    // real code does (not as a run of one letter).
    let mut tx = pool.begin().await?;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..nodes {
        let mut code = String::with_capacity(2100);
        while code.len() < 2048 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            code.push_str(&format!(
                "SELECT col_{} FROM t_{} WHERE k = {};\n",
                seed % 97,
                seed % 31,
                seed % 100_000
            ));
        }
        code.truncate(2048);
        let pai = i % 5 == 0;
        sqlx::query(
            "INSERT INTO assets (workspace_id, kind, product, name, subtype, code, node_status, created_at)
             VALUES ($1, 'node', $2, $3, $4, $5, 'draft', $6)",
        )
        .bind(id)
        .bind(if pai { "PAI" } else { "DataWorks" })
        .bind(format!("node_{i}"))
        .bind(if pai { "PAI Designer" } else { "ODPS SQL" })
        .bind(code)
        .bind(T0)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
         INSERT INTO assets (workspace_id, kind, product, name, subtype, detail, created_at)
         SELECT $1, CASE i % 3 WHEN 0 THEN 'data_source' WHEN 1 THEN 'compute' ELSE 'resource' END,
                'DataWorks', 'asset_' || i, 'File', 'oss://bucket/path/' || i, $3 FROM n",
    )
    .bind(id)
    .bind(assets - nodes)
    .bind(T0)
    .execute(&pool)
    .await?;
    pool.close().await;
    Ok(())
}

struct Measured {
    secs: f64,
    zip_bytes: u64,
    peak_above_idle_mb: f64,
    idle_mb: f64,
    body: Vec<u8>,
}

/// Downloads the export once, sampling the server's RSS every 10 ms meanwhile.
async fn download(server: &Server, cookie: &str, name: &str, keep: bool) -> R<Measured> {
    let idle_mb = server.rss_mb();
    let peak = Arc::new(AtomicU64::new(idle_mb.to_bits()));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        let pid_rss = server.rss_probe();
        tokio::spawn(async move {
            while !done.load(Ordering::SeqCst) {
                let now = pid_rss();
                if now > f64::from_bits(peak.load(Ordering::SeqCst)) {
                    peak.store(now.to_bits(), Ordering::SeqCst);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = Instant::now();
    let res = reqwest::Client::new()
        .get(format!("{}/workspaces/{name}/export.zip", server.url))
        .header("cookie", cookie)
        .send()
        .await?;
    if !res.status().is_success() {
        return Err(format!("export answered {}", res.status()).into());
    }
    let mut res = res;
    let (mut zip_bytes, mut body) = (0u64, Vec::new());
    while let Some(chunk) = res.chunk().await? {
        zip_bytes += chunk.len() as u64;
        if keep {
            body.extend_from_slice(&chunk);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::SeqCst);
    sampler.await?;
    Ok(Measured {
        secs,
        zip_bytes,
        peak_above_idle_mb: f64::from_bits(peak.load(Ordering::SeqCst)) - idle_mb,
        idle_mb,
        body,
    })
}

/// The files of `zip`, in memory.
fn files_of(zip: &[u8]) -> R<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip))?;
    let mut files = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i)?;
        let mut content = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut content)?;
        files.push((file.name().to_string(), content));
    }
    Ok(files)
}

/// The baseline: the same files written by the zip crate (same method and level) from memory.
fn zip_from_memory(files: &[(String, Vec<u8>)]) -> R<f64> {
    let started = Instant::now();
    let mut zip = zip::ZipWriter::new_stream(std::io::sink());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    for (name, content) in files {
        zip.start_file(name.as_str(), options)?;
        zip.write_all(content)?;
    }
    zip.finish()?;
    Ok(started.elapsed().as_secs_f64())
}

pub(crate) async fn run(dir: &Path, binary: &str) -> R<()> {
    println!("--- export: \"Download a copy\" over HTTP (release server, SQLite) ---");
    let db = dir.join("export.db");
    let url = format!("sqlite://{}", db.display());
    // Seeded once (with the demo data), then served.
    {
        let seed_server = start_on(binary, &url, true).await?;
        drop(seed_server);
    }
    for (name, assets, nodes) in [
        ("export_10k", 10_000, 1_000),
        ("export_100k", 100_000, 10_000),
    ] {
        seed(&url, name, assets, nodes).await?;
    }
    let server = start_on(binary, &url, false).await?;
    let cookie = crate::throughput::session_cookie(&server).await?;
    // Warm up (the first request loads the session and the site).
    download(&server, &cookie, "export_10k", false).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (name, assets) in [("export_10k", 10_000), ("export_100k", 100_000)] {
        let m = download(&server, &cookie, name, true).await?;
        let files = files_of(&m.body)?;
        let content: usize = files.iter().map(|(n, c)| n.len() + c.len()).sum();
        let baseline = zip_from_memory(&files)?;
        let mb = content as f64 / 1e6;
        let verdict = if m.peak_above_idle_mb <= 50.0 {
            "OK"
        } else {
            "OVER TARGET"
        };
        println!(
            "{assets:>7} assets ({} files, {:.1} MB of content, {:.1} MB zip): {:.2} s, {:.1} MB/s; \
             zip crate from memory {:.2} s, {:.1} MB/s; ratio {:.2}x the baseline's time",
            files.len(),
            mb,
            m.zip_bytes as f64 / 1e6,
            m.secs,
            mb / m.secs,
            baseline,
            mb / baseline,
            m.secs / baseline,
        );
        println!(
            "        server RSS idle {:.1} MB, peak {:.1} MB above idle (goal <= 50 MB: {verdict})",
            m.idle_mb, m.peak_above_idle_mb
        );
    }
    Ok(())
}
