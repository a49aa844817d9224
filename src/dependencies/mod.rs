//! Cross-workspace dependencies (SPEC §16): a node's upstream nodes, in its own or other
//! workspaces of the account; DataStudio's "Upstream Dependencies", the "Delete Workspace"
//! dialog's "Downstream dependencies", and tasks that wait for an upstream in the Recycle Bin.
use crate::domain::dependencies::UpstreamState;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

/// One upstream of a node, as DataStudio and `GET /nodes/{id}/upstream` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Upstream {
    /// The upstream node's id (kept after it was purged, to remove the lost dependency by).
    pub upstream_node_id: i64,
    pub workspace: String,
    pub node: String,
    /// "" while the dependency is whole, "Upstream in Recycle Bin", or "Upstream purged".
    pub state: String,
}

impl Upstream {
    /// `<workspace>.<node>`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.workspace, self.node)
    }

    pub fn new(upstream_node_id: i64, qualified: (String, String), state: UpstreamState) -> Self {
        Upstream {
            upstream_node_id,
            workspace: qualified.0,
            node: qualified.1,
            state: state.label().to_owned(),
        }
    }
}

/// A node a dependency may point to: what "Add Upstream" offers and `GET /workspaces/{name}/nodes` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct NodeRef {
    pub id: i64,
    pub name: String,
    pub product: String,
    #[cfg_attr(feature = "ssr", sqlx(rename = "subtype"))]
    #[serde(rename = "type")]
    pub node_type: String,
}

/// A node of another workspace that depends on one or more nodes of this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Downstream {
    pub workspace: String,
    pub node: String,
    /// The node of this workspace it depends on: the first by name when it depends on several
    /// (all of them are in `upstream_nodes`).
    pub upstream_node: String,
    /// Every node of this workspace it depends on, by name.
    pub upstream_nodes: Vec<String>,
    /// Its auto triggered task's status (`Running`, `Frozen`), if it is published.
    pub task_status: Option<String>,
}

/// The "Downstream dependencies" check: how many nodes of other workspaces depend on nodes of
/// this one (each node once), and the first `DOWNSTREAM_SHOWN` of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DownstreamDependencies {
    /// How many downstream nodes (not dependencies: a node that depends on two nodes of this
    /// workspace counts once).
    pub count: i64,
    /// The first 100 of them, by workspace and node name; `count` minus their number are not listed.
    pub first: Vec<Downstream>,
}

impl DownstreamDependencies {
    /// How many downstream nodes are counted but not listed: "and N more".
    pub fn unlisted(&self) -> i64 {
        (self.count - self.first.len() as i64).max(0)
    }
}

/// The active workspaces of the account, by name: the first step of "Add Upstream".
#[server(prefix = "/api", endpoint = "list_workspace_names", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_workspace_names() -> Result<Vec<String>, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::workspace_names(&s.pool, &p).await
    })
    .await
}

/// The nodes of an active workspace: the second step of "Add Upstream".
#[server(prefix = "/api", endpoint = "list_workspace_nodes", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_workspace_nodes(workspace: String) -> Result<Vec<NodeRef>, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::nodes_of(&s.pool, &p, &workspace).await
    })
    .await
}

/// "Add Upstream": node `node_id` runs after `upstream_node_id`. Answers its upstream nodes.
#[server(prefix = "/api", endpoint = "add_upstream", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn add_upstream(node_id: i64, upstream_node_id: i64) -> Result<Vec<Upstream>, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::AddUpstream,
        "",
        |s, change| async move { service::add(&s.pool, &change, node_id, upstream_node_id).await },
    )
    .await
}

/// "Remove": node `node_id` no longer depends on `upstream_node_id`. Answers its upstream nodes.
#[server(prefix = "/api", endpoint = "remove_upstream", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn remove_upstream(
    node_id: i64,
    upstream_node_id: i64,
) -> Result<Vec<Upstream>, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::RemoveUpstream,
        "",
        |s, change| async move {
            service::remove(&s.pool, &change, node_id, upstream_node_id).await
        },
    )
    .await
}
