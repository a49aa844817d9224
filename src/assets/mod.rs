//! What a workspace holds (in DataWorks and its PAI workspace), and DataStudio's node lifecycle.
use crate::error::AppError;
use crate::workspaces::WorkspaceRow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod datastudio_ui;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, miniserde::Deserialize,
)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum AssetKind {
    DataSource,
    Compute,
    Node,
    Resource,
    DiTask,
    Model,
    Metric,
}

impl AssetKind {
    pub const ALL: [AssetKind; 7] = [
        AssetKind::DataSource,
        AssetKind::Compute,
        AssetKind::Node,
        AssetKind::Resource,
        AssetKind::DiTask,
        AssetKind::Model,
        AssetKind::Metric,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::DataSource => "data_source",
            AssetKind::Compute => "compute",
            AssetKind::Node => "node",
            AssetKind::Resource => "resource",
            AssetKind::DiTask => "di_task",
            AssetKind::Model => "model",
            AssetKind::Metric => "metric",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How answers spell it (its JSON form, e.g. `"kind": "DataSource"`).
    pub fn answer_name(self) -> &'static str {
        match self {
            AssetKind::DataSource => "DataSource",
            AssetKind::Compute => "Compute",
            AssetKind::Node => "Node",
            AssetKind::Resource => "Resource",
            AssetKind::DiTask => "DiTask",
            AssetKind::Model => "Model",
            AssetKind::Metric => "Metric",
        }
    }

    /// A kind as a filter names it, in either spelling: `data_source` or, as answers spell it,
    /// `DataSource`.
    pub fn parse_either(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.answer_name() == s)
    }

    /// The plural label used in tables: "Data sources".
    pub fn label(self) -> &'static str {
        match self {
            AssetKind::DataSource => "Data sources",
            AssetKind::Compute => "Computing resources",
            AssetKind::Node => "Nodes",
            AssetKind::Resource => "Resources",
            AssetKind::DiTask => "Data integration tasks",
            AssetKind::Model => "Models",
            AssetKind::Metric => "Metrics",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            AssetKind::DataSource => "data source",
            AssetKind::Compute => "computing resource",
            AssetKind::Node => "node",
            AssetKind::Resource => "resource",
            AssetKind::DiTask => "data integration task",
            AssetKind::Model => "model",
            AssetKind::Metric => "metric",
        }
    }

    /// [`label`](Self::label) in the reader's language: "Data sources", "数据源".
    pub fn label_key(self) -> crate::i18n::Key {
        use crate::i18n::k;
        match self {
            AssetKind::DataSource => k::field_kinds_data_source,
            AssetKind::Compute => k::field_kinds_compute,
            AssetKind::Node => k::field_kinds_node,
            AssetKind::Resource => k::field_kinds_resource,
            AssetKind::DiTask => k::field_kinds_di_task,
            AssetKind::Model => k::field_kinds_model,
            AssetKind::Metric => k::field_kinds_metric,
        }
    }

    /// [`singular`](Self::singular) in the reader's language: "data source", "数据源".
    pub fn singular_key(self) -> crate::i18n::Key {
        use crate::i18n::k;
        match self {
            AssetKind::DataSource => k::field_kind_data_source,
            AssetKind::Compute => k::field_kind_compute,
            AssetKind::Node => k::field_kind_node,
            AssetKind::Resource => k::field_kind_resource,
            AssetKind::DiTask => k::field_kind_di_task,
            AssetKind::Model => k::field_kind_model,
            AssetKind::Metric => k::field_kind_metric,
        }
    }

    pub fn subtypes(self) -> &'static [&'static str] {
        match self {
            AssetKind::DataSource => &["MySQL", "MaxCompute", "OSS", "Hologres", "PostgreSQL"],
            AssetKind::Compute => &[
                "MaxCompute",
                "Hologres",
                "EMR",
                "Serverless Spark",
                "PAI DLC quota",
            ],
            AssetKind::Node => &[
                "ODPS SQL",
                "Shell",
                "Python",
                "Hologres SQL",
                "PAI Designer",
                "PAI DLC",
            ],
            AssetKind::Resource => &["File", "JAR", "Python"],
            AssetKind::DiTask => &["MySQL → MaxCompute", "OSS → MaxCompute", "MySQL → Hologres"],
            AssetKind::Model => &["Dimension table", "Fact table", "Summary table"],
            AssetKind::Metric => &["Atomic metric", "Derived metric"],
        }
    }

    /// What the free-text field of this kind holds.
    pub fn detail_label(self) -> crate::i18n::Key {
        use crate::i18n::k;
        match self {
            AssetKind::DataSource => k::field_connection_string,
            AssetKind::Compute => k::field_instance,
            AssetKind::Node => k::field_description,
            AssetKind::Resource => k::field_file_name,
            AssetKind::DiTask => k::field_source_and_target_tables,
            AssetKind::Model => k::field_table_name,
            AssetKind::Metric => k::field_definition,
        }
    }

    /// Moved to the Recycle Bin on delete, and restored on recover.
    pub fn recoverable(self) -> bool {
        matches!(
            self,
            AssetKind::DataSource | AssetKind::Compute | AssetKind::Node | AssetKind::Resource
        )
    }

    /// Exists only in workspaces with data modeling enabled.
    pub fn needs_data_modeling(self) -> bool {
        matches!(self, AssetKind::Model | AssetKind::Metric)
    }

    /// The path segment of its list page: /workspaces/<name>/assets/<slug>.
    pub fn slug(self) -> &'static str {
        match self {
            AssetKind::DataSource => "data-sources",
            AssetKind::Compute => "computing-resources",
            AssetKind::Node => "nodes",
            AssetKind::Resource => "resources",
            AssetKind::DiTask => "data-integration",
            AssetKind::Model => "models",
            AssetKind::Metric => "metrics",
        }
    }

    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// A subtype as the reader's language shows it (the value stays as it is): "Fact table",
/// "事实表". Product names and the like are shown as they are.
pub fn subtype_label(lang: crate::i18n::Lang, subtype: &str) -> &str {
    use crate::i18n::k;
    let key = match subtype {
        "PAI DLC quota" => k::assets_subtype_pai_dlc_quota,
        "File" => k::assets_subtype_file,
        "Dimension table" => k::assets_subtype_dimension_table,
        "Fact table" => k::assets_subtype_fact_table,
        "Summary table" => k::assets_subtype_summary_table,
        "Atomic metric" => k::assets_subtype_atomic_metric,
        "Derived metric" => k::assets_subtype_derived_metric,
        _ => return subtype,
    };
    lang.text(key)
}

pub const PRODUCTS: [&str; 2] = ["DataWorks", "PAI"];

/// Asset counts of one type, split by product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AssetCount {
    pub kind: AssetKind,
    pub dataworks: i64,
    pub pai: i64,
}

impl AssetCount {
    /// How many assets of `kind` the counts hold, DataWorks and PAI together.
    pub fn total(counts: &[AssetCount], kind: AssetKind) -> i64 {
        counts
            .iter()
            .find(|c| c.kind == kind)
            .map_or(0, |c| c.dataworks + c.pai)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Asset {
    pub id: i64,
    pub kind: String,
    pub product: String,
    pub name: String,
    pub subtype: String,
    pub detail: String,
    pub node_status: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct WorkspaceOverview {
    pub workspace: WorkspaceRow,
    /// DataWorks and PAI share one workspace structure: the PAI workspace has the same name.
    pub pai_workspace: String,
    pub counts: Vec<AssetCount>,
    pub running_tasks: i64,
    pub frozen_tasks: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct NodeSummary {
    pub id: i64,
    pub name: String,
    pub product: String,
    pub subtype: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct NodeVersion {
    pub version: i64,
    pub committed_by: String,
    pub committed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct NodeDetail {
    pub node: NodeSummary,
    pub code: String,
    pub versions: Vec<NodeVersion>,
    pub task_status: Option<String>,
    /// The nodes it runs after (SPEC §16), for DataStudio's "Upstream Dependencies".
    pub upstream: Vec<crate::dependencies::Upstream>,
}

#[server(prefix = "/api", endpoint = "get_workspace_overview", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn get_workspace_overview(workspace: String) -> Result<WorkspaceOverview, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::overview(&s.pool, &p, &workspace).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "list_assets", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_assets(workspace: String, kind: String) -> Result<Vec<Asset>, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::list(&s.pool, &p, &workspace, &kind).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "add_asset", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn add_asset(
    workspace: String,
    kind: String,
    product: String,
    name: String,
    subtype: String,
    detail: String,
) -> Result<Asset, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::AddAsset,
        &workspace.clone(),
        |s, change| async move {
            let input = service::NewAsset {
                kind,
                product,
                name,
                subtype,
                detail,
            };
            service::add(&s.pool, &change, &workspace, input).await
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "list_nodes", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_nodes(workspace: String) -> Result<Vec<NodeSummary>, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::list_nodes(&s.pool, &p, &workspace).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "get_node", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn get_node(workspace: String, node_id: i64) -> Result<NodeDetail, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::node_detail(&s.pool, &p, &workspace, node_id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "save_node", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn save_node(
    workspace: String,
    node_id: i64,
    code: String,
) -> Result<NodeDetail, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::SaveNode,
        &workspace.clone(),
        |s, change| async move {
            service::save_code(&s.pool, &change, &workspace, node_id, &code).await
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "commit_node", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn commit_node(workspace: String, node_id: i64) -> Result<NodeDetail, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::CommitNode,
        &workspace.clone(),
        |s, change| async move { service::commit(&s.pool, &change, &workspace, node_id).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "publish_node", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn publish_node(workspace: String, node_id: i64) -> Result<NodeDetail, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::Modify,
        Action::PublishNode,
        &workspace.clone(),
        |s, change| async move { service::publish(&s.pool, &change, &workspace, node_id).await },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::AssetKind;

    #[test]
    fn a_kind_reads_in_both_spellings_and_answers_spell_it_as_its_json() {
        for kind in AssetKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.answer_name())
            );
            assert_eq!(AssetKind::parse_either(kind.as_str()), Some(kind));
            assert_eq!(AssetKind::parse_either(kind.answer_name()), Some(kind));
        }
        assert_eq!(AssetKind::parse_either("NODE"), None);
        assert_eq!(AssetKind::parse_either("Node "), None);
    }
}
