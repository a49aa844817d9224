//! The API's dependency operations (SPEC §16): a workspace's nodes, and a node's upstream nodes.
use super::service as dependencies;
use super::{NodeRef, Upstream};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::api::{ApiResult, Caller, Refusals, WorkspacePath, change, may};
use crate::server::ctl::{Call, Method, Table, q};
use crate::server::input::{JsonOf, PathOf};
use axum::extract::{Extension, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// A node named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct NodePath {
    /// The node's id (from `GET /workspaces/{name}/nodes`). An id of no node of the account
    /// answers 404.
    pub id: i64,
}

/// A dependency named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DependencyPath {
    /// The downstream node's id.
    pub id: i64,
    /// The upstream node's id (also of one that was purged).
    pub upstream_node_id: i64,
}

/// List the nodes of a workspace.
#[utoipa::path(get, path = "/workspaces/{name}/nodes", tag = "Dependencies", params(WorkspacePath),
    responses((status = 200, description = "Its nodes, by name", body = [NodeRef]), Refusals))]
pub async fn list_nodes(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(WorkspacePath { name }): PathOf<WorkspacePath>,
) -> ApiResult<Vec<NodeRef>> {
    may(&caller, Capability::View)?;
    Ok(Json(
        dependencies::nodes_of(&s.pool, &caller.principal, &name).await?,
    ))
}

/// List a node's upstream nodes, with where each is (`state`: empty, `Upstream in Recycle Bin` or
/// `Upstream purged`).
#[utoipa::path(get, path = "/nodes/{id}/upstream", tag = "Dependencies", params(NodePath),
    responses((status = 200, description = "Its upstream nodes", body = [Upstream]), Refusals))]
pub async fn list_upstream(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(NodePath { id }): PathOf<NodePath>,
) -> ApiResult<Vec<Upstream>> {
    may(&caller, Capability::View)?;
    let mut conn = s.pool.acquire().await.map_err(AppError::from)?;
    Ok(Json(
        dependencies::upstream_of(&mut conn, &caller.principal, id).await?,
    ))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUpstream {
    /// A node of the account, in an active workspace: not the node itself, not one it depends on
    /// already (409), not one that runs after it (a cycle: 422). A number with a zero fraction
    /// (`12.0`) is that whole number.
    #[serde(deserialize_with = "crate::server::input::whole_number")]
    pub upstream_node_id: i64,
}

/// Add an upstream node: the node runs after it.
#[utoipa::path(post, path = "/nodes/{id}/upstream", tag = "Dependencies", params(NodePath),
    request_body = NewUpstream,
    responses((status = 200, description = "Its upstream nodes", body = [Upstream]), Refusals))]
pub async fn add_upstream(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(NodePath { id }): PathOf<NodePath>,
    JsonOf(input): JsonOf<NewUpstream>,
) -> ApiResult<Vec<Upstream>> {
    let list =
        change(
            &s,
            &caller,
            Capability::Modify,
            Action::AddUpstream,
            "",
            |s, change| async move {
                dependencies::add(&s.pool, &change, id, input.upstream_node_id).await
            },
        )
        .await?;
    Ok(Json(list))
}

/// Remove an upstream node (also one that was purged: its task then runs again).
#[utoipa::path(delete, path = "/nodes/{id}/upstream/{upstream_node_id}", tag = "Dependencies",
    params(DependencyPath),
    responses((status = 200, description = "Its upstream nodes", body = [Upstream]), Refusals))]
pub async fn remove_upstream(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(DependencyPath {
        id,
        upstream_node_id: upstream,
    }): PathOf<DependencyPath>,
) -> ApiResult<Vec<Upstream>> {
    let list = change(
        &s,
        &caller,
        Capability::Modify,
        Action::RemoveUpstream,
        "",
        |s, change| async move { dependencies::remove(&s.pool, &change, id, upstream).await },
    )
    .await?;
    Ok(Json(list))
}

/// Its routes under the API's prefix.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workspaces/{name}/nodes", get(list_nodes))
        .route(
            "/nodes/{id}/upstream",
            get(list_upstream).post(add_upstream),
        )
        .route(
            "/nodes/{id}/upstream/{upstream_node_id}",
            delete(remove_upstream),
        )
}

/// Its part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_nodes, list_upstream, add_upstream, remove_upstream))]
pub struct Doc;

// `ctl nodes …`.
#[derive(clap::Subcommand, Debug)]
pub enum Ctl {
    /// List a workspace's nodes (id, name, product, type).
    List { workspace: String },
    /// A node's upstream nodes: list, add, remove.
    #[command(subcommand)]
    Upstream(UpstreamCtl),
}

#[derive(clap::Subcommand, Debug)]
pub enum UpstreamCtl {
    /// List the upstream nodes of node ID.
    List { id: i64 },
    /// Node ID runs after node UPSTREAM_ID from now on.
    Add { id: i64, upstream_id: i64 },
    /// Node ID no longer runs after node UPSTREAM_ID.
    Remove { id: i64, upstream_id: i64 },
}

impl Ctl {
    /// The request the command makes, and how its answer is printed.
    pub fn call(&self) -> Call {
        match self {
            Ctl::List { workspace } => (
                Method::GET,
                format!("/workspaces/{}/nodes", q(workspace)),
                None,
                Table::List(&["id", "name", "product", "type"]),
            ),
            Ctl::Upstream(upstream) => {
                let (method, path, body) = match upstream {
                    UpstreamCtl::List { id } => {
                        (Method::GET, format!("/nodes/{id}/upstream"), None)
                    }
                    UpstreamCtl::Add { id, upstream_id } => (
                        Method::POST,
                        format!("/nodes/{id}/upstream"),
                        Some(serde_json::json!({ "upstream_node_id": upstream_id })),
                    ),
                    UpstreamCtl::Remove { id, upstream_id } => (
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
        }
    }
}
