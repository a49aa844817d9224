//! The API's dependency operations (SPEC §16): a workspace's nodes, and a node's upstream nodes.
use super::handlers::{Refusals, WorkspacePath, change, may};
use super::{ApiResult, Caller};
use crate::dependencies::service as dependencies;
use crate::dependencies::{NodeRef, Upstream};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::error::AppError;
use crate::server::AppState;
use crate::server::input::{JsonOf, PathOf};
use axum::Json;
use axum::extract::{Extension, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    let list = change(
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
