//! The API's Audit Log: the account's events.
use super::{AuditFilter, AuditPage};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::server::AppState;
use crate::server::api::{ApiResult, Caller, Refusals, may};
use crate::server::ctl::{Call, Method, Table, q};
use crate::server::input::QueryOf;
use axum::extract::{Extension, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// An action of the Audit Log, or empty for every action: the schema lists them all.
pub struct AuditAction;

impl utoipa::PartialSchema for AuditAction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let names = std::iter::once("").chain(Action::ALL.iter().map(|a| a.as_str()));
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An action of the Audit Log; empty: every action."))
            .enum_values(Some(names))
            .into()
    }
}

impl ToSchema for AuditAction {
    fn name() -> std::borrow::Cow<'static, str> {
        "AuditAction".into()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this action (e.g. `DeleteWorkspace`); empty or absent: every action.
    #[serde(default)]
    #[param(value_type = Option<AuditAction>)]
    pub action: String,
    /// Only this workspace (by name, ignoring letter case): one line of at most 200 characters
    /// (after trimming) without control characters or characters that change the direction of
    /// text; empty or absent: every workspace.
    #[serde(default)]
    #[param(
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    pub workspace: String,
    /// Only this user (sign-in name), with the same rules as `workspace`.
    #[serde(default)]
    #[param(
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u061C\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    pub user: String,
    /// The page of 50 from the newest, from 1: a page below 1 reads page 1, a page past the
    /// last is empty.
    pub page: Option<i64>,
    /// Instead of `page`: events older than this event id (the previous answer's `older`).
    pub before: Option<i64>,
}

/// List the account's audit events, newest first, 50 at a time.
#[utoipa::path(get, path = "/audit-events", tag = "Audit Log", params(AuditQuery),
    responses((status = 200, description = "One page of events; `older` is the `before` of the next page", body = AuditPage), Refusals))]
pub async fn list_audit_events(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryOf(q): QueryOf<AuditQuery>,
) -> ApiResult<AuditPage> {
    may(&caller, Capability::View)?;
    let filter = AuditFilter {
        action: q.action,
        user: q.user,
        workspace: q.workspace,
    };
    let cursor = match (q.before, q.page) {
        (Some(id), _) => crate::audit::Cursor::Before(id),
        (None, Some(n)) => crate::audit::Cursor::Page(n),
        (None, None) => crate::audit::Cursor::Newest,
    };
    Ok(Json(
        crate::audit::service::page(
            &s.pool,
            &caller.principal,
            &filter,
            cursor,
            crate::audit::PAGE_SIZE,
        )
        .await?,
    ))
}

/// Its routes under the API's prefix.
pub fn routes() -> Router<AppState> {
    Router::new().route("/audit-events", get(list_audit_events))
}

/// Its part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_audit_events), components(schemas(AuditAction)))]
pub struct Doc;

// `ctl audit-events …`.
#[derive(clap::Subcommand, Debug)]
pub enum Ctl {
    /// List events, newest first, 50 at a time.
    List {
        #[arg(long, default_value = "")]
        action: String,
        #[arg(long, default_value = "")]
        workspace: String,
        #[arg(long, default_value = "")]
        user: String,
        /// Events older than this event id (the `older` of the previous page).
        #[arg(long)]
        before: Option<i64>,
    },
}

impl Ctl {
    /// The request the command makes, and how its answer is printed.
    pub fn call(&self) -> Call {
        match self {
            Ctl::List {
                action,
                workspace,
                user,
                before,
            } => (
                Method::GET,
                format!(
                    "/audit-events?action={}&workspace={}&user={}{}",
                    q(action),
                    q(workspace),
                    q(user),
                    before.map(|b| format!("&before={b}")).unwrap_or_default()
                ),
                None,
                Table::Rows(
                    "events",
                    &[
                        "id",
                        "at",
                        "user_name",
                        "action",
                        "workspace",
                        "source",
                        "result",
                    ],
                ),
            ),
        }
    }
}
