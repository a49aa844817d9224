//! `GET /workspaces/{name}/export.zip` and `GET /recycle-bin/{id}/export.zip`: the archive,
//! streamed. An async task reads the database a batch at a time and hands the pieces to a
//! blocking thread that writes them through the `zip` crate into 64 KiB chunks of the response
//! body. Both hand-offs are bounded channels, so a slow download slows the reads instead of
//! filling memory, and a download the browser gives up on stops both.
use super::service::{self, AssetEntry, Exported, VersionEntry, Which};
use super::{Stems, code_path, file_name, version_path};
use crate::assets::AssetKind;
use crate::domain::Capability;
use crate::domain::audit::{Action, Source};
use crate::domain::time::to_rfc3339;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::audit::{self, Origin};
use crate::server::guard::{self, client_ip_of, session_principal};
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::io::Write;
use tokio::sync::mpsc;
use tower_sessions::Session;
use zip::write::SimpleFileOptions;

/// Assets (and tasks) read per batch for `workspace.json`.
const BATCH: i64 = 1_000;
/// Nodes read per batch with their code.
const NODE_BATCH: i64 = 100;
/// Committed versions read per batch.
const VERSION_PAGE: i64 = 50;
/// How long a download may stall (the browser reading nothing) before it is given up.
const STALL: std::time::Duration = std::time::Duration::from_secs(60);
/// The size of a body chunk.
const CHUNK: usize = 64 * 1024;

/// `GET /workspaces/{name}/export.zip`
pub async fn active(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    let name = match name {
        Ok(Path(name)) => name,
        Err(rejection) => return unreadable(rejection),
    };
    download(state, session, parts, Which::Active(name)).await
}

fn unreadable(rejection: PathRejection) -> Response {
    crate::server::input::path_refusal(rejection).into_response()
}

/// `GET /recycle-bin/{id}/export.zip`
pub async fn binned(
    State(state): State<AppState>,
    session: Session,
    parts: Parts,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let id = match id {
        Ok(Path(id)) => id,
        Err(rejection) => return unreadable(rejection),
    };
    // An id that is not a number names no entry: 404 like any other, once the caller is known.
    let id = id.parse::<i64>().ok().filter(|id| *id > 0).unwrap_or(0);
    download(state, session, parts, Which::Binned(id)).await
}

async fn download(state: AppState, session: Session, parts: Parts, which: Which) -> Response {
    let principal = match session_principal(&session, &state).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return AppError::Unauthenticated.into_response(),
        Err(error) => return error.into_response(),
    };
    // A few exports at a time per instance: each holds a thread while it writes.
    let Ok(permit) = state.exports.clone().try_acquire_owned() else {
        return AppError::Busy(5).into_response();
    };
    let named = match &which {
        Which::Active(name) => name.chars().take(200).collect(),
        Which::Binned(_) => String::new(),
    };
    let ip = client_ip_of(&parts.headers, &parts.extensions, state.config.trust_proxy);
    let found = guard::audited(
        &state,
        principal,
        Origin::new(Source::Console, &ip),
        &named,
        Capability::View,
        Action::ExportWorkspace,
        |state, change| async move {
            let mut tx = state.pool.begin().await?;
            let workspace = service::find(&mut tx, &change.principal, change.now, &which).await?;
            change.about(&workspace.name);
            let name = workspace.name.clone();
            audit::commit(tx, &change, Action::ExportWorkspace, &name, "", workspace).await
        },
    )
    .await;
    let workspace = match found {
        Ok(workspace) => workspace,
        Err(error) => return error.into_response(),
    };
    let name = file_name(&workspace.name);
    let (pieces_tx, pieces_rx) = mpsc::channel::<Piece>(4);
    let (body_tx, body_rx) = mpsc::channel::<std::io::Result<Bytes>>(4);
    let exported_at = state.clock.now();
    tokio::spawn({
        let pool = state.pool.clone();
        async move {
            match produce(&pool, workspace, exported_at, &pieces_tx).await {
                Ok(()) => {}
                Err(Stop::Gone) => tracing::debug!("export: the download was given up"),
                Err(error) => {
                    tracing::error!(%error, "export: reading the workspace failed; the download is cut")
                }
            }
        }
    });
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let out = ChunkWriter {
            buf: Vec::with_capacity(CHUNK),
            tx: body_tx.clone(),
        };
        if let Err(error) = write_zip(pieces_rx, out, exported_at) {
            // The browser sees the download fail rather than a cut archive that looks whole.
            let _ = body_tx.blocking_send(Err(std::io::Error::other(error.to_string())));
        }
    });
    let stream = futures::stream::unfold(body_rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut response = Response::new(Body::from_stream(futures::StreamExt::fuse(stream)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// What the reading task hands the writing thread.
enum Piece {
    /// Begins a file whose bytes follow in `Bytes` pieces.
    Start(String),
    Bytes(Vec<u8>),
    /// Whole files.
    Files(Vec<(String, Vec<u8>)>),
    /// Everything was read: the archive may be closed.
    Finish,
}

#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error(transparent)]
    Read(#[from] AppError),
    #[error("the download was given up")]
    Gone,
}

async fn send(tx: &mpsc::Sender<Piece>, piece: Piece) -> Result<(), Stop> {
    tx.send(piece).await.map_err(|_| Stop::Gone)
}

fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec())
}

/// Reads the workspace a batch at a time: first `workspace.json`, then every node's code and
/// committed versions.
async fn produce(
    pool: &crate::store::Pool,
    workspace: Exported,
    exported_at: i64,
    tx: &mpsc::Sender<Piece>,
) -> Result<(), Stop> {
    let id = workspace.id;
    let mut stems = Stems::default();
    // node id -> (product, stem, type): the file names workspace.json points at.
    let mut files: HashMap<i64, (String, String, String)> = HashMap::new();

    send(tx, Piece::Start("workspace.json".into())).await?;
    let mut head = b"{\n\"format\": \"workspace-console-export/1\",\n\"exported_at\": ".to_vec();
    head.extend(json(&to_rfc3339(exported_at)));
    head.extend(b",\n\"workspace\": ");
    head.extend(json(&workspace));
    head.extend(b",\n\"pai_workspace\": ");
    head.extend(json(&workspace.name));
    head.extend(b",\n\"assets\": [");
    send(tx, Piece::Bytes(head)).await?;
    let mut first = true;
    for kind in AssetKind::ALL {
        let mut after = 0i64;
        loop {
            let assets = service::assets_after(pool, id, kind.as_str(), after, BATCH).await?;
            let Some(last) = assets.last().map(|a| a.id) else {
                break;
            };
            let versions = if kind == AssetKind::Node {
                service::versions_between(pool, id, after, last).await?
            } else {
                Vec::new()
            };
            let mut versions = versions.iter().peekable();
            let mut out = Vec::with_capacity(assets.len() * 200);
            for asset in &assets {
                out.extend(if first { &b"\n"[..] } else { &b",\n"[..] });
                first = false;
                let mut entry = AssetEntry {
                    id: asset.id,
                    kind: &asset.kind,
                    product: &asset.product,
                    name: &asset.name,
                    subtype: &asset.subtype,
                    detail: &asset.detail,
                    node_status: asset.node_status.as_deref(),
                    created_at: asset.created_at,
                    code_file: None,
                    versions: None,
                };
                if kind == AssetKind::Node {
                    let stem = stems.claim(&asset.product, &asset.name, asset.id);
                    let mut listed = Vec::new();
                    while let Some(v) = versions.next_if(|v| v.node_id <= asset.id) {
                        if v.node_id == asset.id {
                            listed.push(VersionEntry {
                                version: v.version,
                                committed_by: &v.committed_by,
                                committed_at: v.committed_at,
                                file: version_path(
                                    &asset.product,
                                    &stem,
                                    &asset.subtype,
                                    v.version,
                                ),
                            });
                        }
                    }
                    entry.code_file = Some(code_path(&asset.product, &stem, &asset.subtype));
                    entry.versions = Some(listed);
                    files.insert(
                        asset.id,
                        (asset.product.clone(), stem, asset.subtype.clone()),
                    );
                }
                out.extend(json(&entry));
            }
            send(tx, Piece::Bytes(out)).await?;
            after = last;
        }
    }
    send(tx, Piece::Bytes(b"\n],\n\"tasks\": [".to_vec())).await?;
    let (mut after, mut first) = (0i64, true);
    loop {
        let tasks = service::tasks_after(pool, id, after, BATCH).await?;
        let Some(last) = tasks.last().map(|t| t.id) else {
            break;
        };
        let mut out = Vec::with_capacity(tasks.len() * 160);
        for task in &tasks {
            out.extend(if first { &b"\n"[..] } else { &b",\n"[..] });
            first = false;
            out.extend(json(task));
        }
        send(tx, Piece::Bytes(out)).await?;
        after = last;
    }
    send(tx, Piece::Bytes(b"\n]\n}\n".to_vec())).await?;

    let mut after = 0i64;
    loop {
        let nodes = service::nodes_after(pool, id, after, NODE_BATCH).await?;
        let Some(last) = nodes.last().map(|n| n.id) else {
            break;
        };
        let mut batch = Vec::with_capacity(nodes.len());
        let mut named = HashMap::with_capacity(nodes.len());
        for node in nodes {
            // A node added after workspace.json was written gets its name now.
            let (product, stem, subtype) = files.remove(&node.id).unwrap_or_else(|| {
                let stem = stems.claim(&node.product, &format!("node-{}", node.id), node.id);
                (node.product.clone(), stem, node.subtype.clone())
            });
            batch.push((code_path(&product, &stem, &subtype), node.code.into_bytes()));
            named.insert(node.id, (product, stem, subtype));
        }
        send(tx, Piece::Files(batch)).await?;
        // Their committed versions, a page at a time (a node may have many, each up to 200 KB).
        let mut cursor = (after, 0i64);
        loop {
            let versions =
                service::version_code_page(pool, id, (after, last), cursor, VERSION_PAGE).await?;
            let Some(&(node_id, version, _)) = versions.last() else {
                break;
            };
            cursor = (node_id, version);
            let batch = versions
                .into_iter()
                .filter_map(|(node_id, version, code)| {
                    let (product, stem, subtype) = named.get(&node_id)?;
                    Some((
                        version_path(product, stem, subtype, version),
                        code.into_bytes(),
                    ))
                })
                .collect();
            send(tx, Piece::Files(batch)).await?;
        }
        after = last;
    }
    // Purged (or begun to be) while it was read: the copy may lack files, so it must not look whole.
    if !service::still_there(pool, id).await? {
        return Err(Stop::Read(AppError::NotFound(crate::i18n::Msg::new(
            crate::i18n::k::error_export_purged_while_writing,
        ))));
    }
    send(tx, Piece::Finish).await
}

/// The writing thread: the zip crate's streaming writer (no seeking: sizes and checksums follow
/// each file in a data descriptor) over the response body.
fn write_zip(
    mut pieces: mpsc::Receiver<Piece>,
    out: ChunkWriter,
    exported_at: i64,
) -> zip::result::ZipResult<()> {
    let mut zip = zip::ZipWriter::new_stream(out);
    let mut options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(6));
    if let Some(time) = zip_time(exported_at) {
        options = options.last_modified_time(time);
    }
    while let Some(piece) = pieces.blocking_recv() {
        match piece {
            Piece::Start(path) => zip.start_file(path, options)?,
            Piece::Bytes(bytes) => zip.write_all(&bytes)?,
            Piece::Files(files) => {
                for (path, bytes) in files {
                    zip.start_file(path, options)?;
                    zip.write_all(&bytes)?;
                }
            }
            Piece::Finish => {
                let mut out = zip.finish()?;
                out.flush()?;
                return Ok(());
            }
        }
    }
    Err(zip::result::ZipError::Io(std::io::Error::other(
        "the workspace could not be read to the end",
    )))
}

/// The export's time as the zip's file time (UTC; zip times have no zone).
fn zip_time(at: i64) -> Option<zip::DateTime> {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::from_timestamp(at, 0)?;
    zip::DateTime::from_date_and_time(
        u16::try_from(t.year()).ok()?,
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
    .ok()
}

/// Collects the archive's bytes into chunks for the response body.
struct ChunkWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
}

impl ChunkWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        // On the blocking pool's thread: wait for the body to take it, but not forever.
        let sent = tokio::runtime::Handle::current().block_on(tokio::time::timeout(
            STALL,
            self.tx.send(Ok(Bytes::from(chunk))),
        ));
        match sent {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "download given up",
            )),
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the download stalled",
            )),
        }
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
