//! The API's workspace operations: list, create, deletion protection.
use super::{WorkspacePage, WorkspaceRow};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::server::AppState;
use crate::server::api::{
    ApiError, ApiResult, Caller, IdempotencyKey, Refusals, WorkspacePath, change, first_page, may,
};
use crate::server::ctl::{Call, Method, Table, q};
use crate::server::input::{JsonOf, PathOf, QueryOf};
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListWorkspaces {
    /// Part of a workspace name, ignoring letter case: one line of at most 64 characters (after
    /// trimming) without control characters or characters that change the direction of text.
    #[serde(default)]
    #[param(
        max_length = 64,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    pub query: String,
    /// The page of 10, from 1: a page below 1 reads page 1, a page past the last reads the last.
    #[serde(default = "first_page")]
    pub page: i64,
}

/// List active workspaces, newest first.
#[utoipa::path(get, path = "/workspaces", tag = "Workspaces", params(ListWorkspaces),
    responses((status = 200, description = "One page of the account's active workspaces", body = WorkspacePage), Refusals))]
pub async fn list_workspaces(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryOf(q): QueryOf<ListWorkspaces>,
) -> ApiResult<WorkspacePage> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::workspaces::service::list(&s.pool, &caller.principal, &q.query, q.page).await?,
    ))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspace {
    /// 3 to 64 letters, digits and underscores, starting with a letter or a digit; unique in the
    /// account ignoring letter case, and not held by a Recycle Bin entry (409 otherwise).
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_]{2,63}$"
    )]
    pub name: String,
    /// One line of at most 64 characters (after trimming), without control characters or
    /// characters that change the direction of text; empty or absent: the name.
    #[serde(default)]
    #[schema(
        max_length = 64,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    pub display_name: String,
    /// At most 1,024 characters (after trimming); line breaks and tabs, but no other control
    /// characters and no characters that change the direction of text.
    #[serde(default)]
    #[schema(
        max_length = 1024,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]|\\r\\n)*$"
    )]
    pub description: String,
    #[serde(default)]
    pub data_modeling: bool,
    /// Turn deletion protection on from the start (off when absent).
    #[serde(default)]
    pub deletion_protection: bool,
}

/// Create a workspace.
#[utoipa::path(post, path = "/workspaces", tag = "Workspaces", request_body = NewWorkspace,
    params(IdempotencyKey),
    responses((status = 201, description = "The workspace", body = WorkspaceRow), Refusals))]
pub async fn create_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonOf(input): JsonOf<NewWorkspace>,
) -> Result<(StatusCode, Json<WorkspaceRow>), ApiError> {
    let name = input.name.clone();
    let row = change(
        &s,
        &caller,
        Capability::Modify,
        Action::CreateWorkspace,
        &name,
        |s, change| async move {
            let input = crate::workspaces::service::NewWorkspace {
                name: input.name,
                display_name: input.display_name,
                description: input.description,
                data_modeling: input.data_modeling,
                deletion_protection: input.deletion_protection,
            };
            crate::workspaces::service::create(&s.pool, &change, input).await
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeletionProtection {
    /// On: the workspace cannot be deleted (409) until it is turned off again.
    pub enabled: bool,
}

/// Turn a workspace's deletion protection on or off.
#[utoipa::path(put, path = "/workspaces/{name}/deletion-protection", tag = "Workspaces",
    params(WorkspacePath), request_body = DeletionProtection,
    responses((status = 200, description = "The workspace", body = WorkspaceRow), Refusals))]
pub async fn set_deletion_protection(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(WorkspacePath { name }): PathOf<WorkspacePath>,
    JsonOf(input): JsonOf<DeletionProtection>,
) -> ApiResult<WorkspaceRow> {
    let named = name.clone();
    let row = change(
        &s,
        &caller,
        Capability::Modify,
        Action::deletion_protection(input.enabled),
        &named,
        |s, change| async move {
            crate::workspaces::service::set_deletion_protection(
                &s.pool,
                &change,
                &name,
                input.enabled,
            )
            .await
        },
    )
    .await?;
    Ok(Json(row))
}

/// Its routes under the API's prefix.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workspaces", get(list_workspaces).post(create_workspace))
        .route(
            "/workspaces/{name}/deletion-protection",
            put(set_deletion_protection),
        )
}

/// Its part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_workspaces, create_workspace, set_deletion_protection))]
pub struct Doc;

// `ctl workspaces …`: this feature's commands. Deletion's `get` and `delete` sit between them in
// the help (`display_order`).
#[derive(clap::Subcommand, Debug)]
pub enum Ctl {
    /// List active workspaces, newest first, 10 a page.
    #[command(display_order = 0)]
    List {
        /// Part of the name, ignoring letter case.
        #[arg(long, default_value = "")]
        query: String,
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Create a workspace.
    #[command(display_order = 1)]
    Create(NewWorkspaceArgs),
    /// Turn deletion protection on: the workspace cannot be deleted until it is turned off.
    #[command(display_order = 4)]
    Protect { name: String },
    /// Turn deletion protection off.
    #[command(display_order = 5)]
    Unprotect { name: String },
}

#[derive(clap::Args, Debug)]
pub struct NewWorkspaceArgs {
    name: String,
    #[arg(long, default_value = "")]
    display_name: String,
    #[arg(long, default_value = "")]
    description: String,
    #[arg(long)]
    data_modeling: bool,
    /// Turn deletion protection on from the start.
    #[arg(long)]
    deletion_protection: bool,
}

impl Ctl {
    /// The request the command makes, and how its answer is printed.
    pub fn call(&self) -> Call {
        match self {
            Ctl::List { query, page } => (
                Method::GET,
                format!("/workspaces?query={}&page={page}", q(query)),
                None,
                Table::Rows(
                    "rows",
                    &["name", "display_name", "created_by", "created_at"],
                ),
            ),
            Ctl::Create(w) => (
                Method::POST,
                "/workspaces".into(),
                Some(serde_json::json!({
                    "name": w.name, "display_name": w.display_name,
                    "description": w.description, "data_modeling": w.data_modeling,
                    "deletion_protection": w.deletion_protection,
                })),
                Table::Fields(&["id", "name", "display_name", "created_by", "created_at"]),
            ),
            Ctl::Protect { name } | Ctl::Unprotect { name } => (
                Method::PUT,
                format!("/workspaces/{}/deletion-protection", q(name)),
                Some(serde_json::json!({
                    "enabled": matches!(self, Ctl::Protect { .. }),
                })),
                Table::Fields(&["name", "deletion_protection"]),
            ),
        }
    }
}
