//! The API's operations: each reads its input (`server::input`: a 400 names the parameter or
//! field that cannot be read, and a JSON body may not repeat a key), then calls the same service as
//! the console's server function (through the audit door for changes, recorded with source `API`).
use super::{ApiError, ApiErrorBody, ApiResult, Caller};
use crate::audit::{AuditFilter, AuditPage};
use crate::deletion::{DeletionOutcome, DeletionPreview};
use crate::domain::Capability;
use crate::domain::audit::Action;
use crate::error::AppError;
use crate::operations::TaskList;
use crate::recycle_bin::{BinAssets, BinEntryDetail, BinPage, RecoveryReport};
use crate::server::AppState;
use crate::server::guard::audited;
use crate::server::input::{JsonOf, PathOf, QueryOf};
use crate::workspaces::{WorkspacePage, WorkspaceRow};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, IntoResponses, ToSchema};

/// The refusals every operation may answer, each a `$ref` to the one `ApiErrorBody` schema (none
/// written out inline, so a generated client has one error type).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    /// The request could not be read: a missing or mistyped parameter or body field.
    #[response(status = 400)]
    BadRequest(ApiErrorBody),
    /// No valid, enabled AccessKey in `Authorization: Bearer <id>:<secret>`.
    #[response(status = 401)]
    Unauthenticated(ApiErrorBody),
    /// The AccessKey's user lacks the permission (e.g. "Requires AliyunDataWorksFullAccess.").
    #[response(status = 403)]
    Forbidden(ApiErrorBody),
    /// No such object in the caller's account (another account's objects answer the same).
    #[response(status = 404)]
    NotFound(ApiErrorBody),
    /// The object changed meanwhile (already deleted or recovered), the name is taken or reserved,
    /// or the Idempotency-Key is in use by a request still running.
    #[response(status = 409)]
    Conflict(ApiErrorBody),
    /// The body is larger than 1 MiB.
    #[response(status = 413)]
    TooLarge(ApiErrorBody),
    /// A value breaks a rule: a name convention, a confirmation that does not match, an expired
    /// entry, an Idempotency-Key reused for another request.
    #[response(status = 422)]
    Invalid(ApiErrorBody),
    /// Too many attempts; see `Retry-After`.
    #[response(status = 429)]
    Throttled(ApiErrorBody),
    /// Something failed on the server; nothing was changed.
    #[response(status = 500)]
    Internal(ApiErrorBody),
    /// The server is at capacity for key verification; see `Retry-After`.
    #[response(status = 503)]
    Busy(ApiErrorBody),
}

/// A workspace named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkspacePath {
    /// The workspace name, in any letter case: 3 to 64 letters, digits and underscores, starting
    /// with a letter or a digit. A name of no active workspace of the account answers 404.
    #[param(
        min_length = 3,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_]{2,63}$"
    )]
    pub name: String,
}

/// A Recycle Bin entry named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct EntryPath {
    /// The Recycle Bin entry's id (from `GET /recycle-bin`). An id of no entry of the account
    /// answers 404.
    pub id: i64,
}

/// A task named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TaskPath {
    /// The task's id (from `GET /tasks`). An id of no task of the account answers 404.
    pub id: i64,
}

/// The optional `Idempotency-Key` header of a change.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKey {
    /// 1 to 255 visible ASCII characters. A repeat of one key (by one AccessKey, within 24 hours)
    /// does not act again: it answers the first answer again, as it was then, not the current
    /// state (a repeated delete still answers its 200 after the workspace was recovered), with
    /// the header `Idempotent-Replayed: true`. A key reused for another request answers 422, and
    /// one whose first request is still running 409.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = "^[!-~]{1,255}$"
    )]
    pub idempotency_key: Option<String>,
}

pub(super) fn may(caller: &Caller, capability: Capability) -> Result<(), ApiError> {
    caller.principal.require(capability).map_err(ApiError)
}

fn first_page() -> i64 {
    1
}

/// A change through the audit door, as the API.
pub(super) async fn change<T, Fut>(
    state: &AppState,
    caller: &Caller,
    capability: Capability,
    action: Action,
    workspace: &str,
    body: impl FnOnce(AppState, std::sync::Arc<crate::server::audit::Change>) -> Fut,
) -> Result<T, ApiError>
where
    Fut: std::future::Future<Output = crate::error::AppResult<crate::server::audit::Recorded<T>>>,
{
    let origin =
        crate::server::audit::Origin::new(crate::domain::audit::Source::Api, &caller.client_ip);
    audited(
        state,
        caller.principal.clone(),
        origin,
        workspace,
        capability,
        action,
        body,
    )
    .await
    .map_err(ApiError)
}

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

/// A workspace with what deleting it would do: its PAI workspace, asset counts, Running tasks.
#[utoipa::path(get, path = "/workspaces/{name}", tag = "Workspaces",
    params(WorkspacePath),
    responses((status = 200, description = "The workspace and its pre-deletion data", body = DeletionPreview), Refusals))]
pub async fn get_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(WorkspacePath { name }): PathOf<WorkspacePath>,
) -> ApiResult<DeletionPreview> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::deletion::service::preview(&s.pool, s.clock.now(), &caller.principal, &name).await?,
    ))
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteWorkspace {
    /// The workspace name again, exactly, in its letter case (the typed confirmation): one that
    /// does not match answers 422.
    #[param(min_length = 1)]
    pub confirm_name: String,
    /// Freeze its Running tasks first (then they are deleted with it); otherwise they stay
    /// Running as orphans and keep billing.
    #[serde(default)]
    pub freeze_tasks: bool,
}

/// Delete a workspace: it moves to the Recycle Bin for 14 days.
#[utoipa::path(delete, path = "/workspaces/{name}", tag = "Workspaces",
    params(WorkspacePath, DeleteWorkspace,
        IdempotencyKey),
    responses((status = 200, description = "The Recycle Bin entry and when it will be permanently deleted", body = DeletionOutcome), Refusals))]
pub async fn delete_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(WorkspacePath { name }): PathOf<WorkspacePath>,
    QueryOf(q): QueryOf<DeleteWorkspace>,
) -> ApiResult<DeletionOutcome> {
    let named = name.clone();
    let outcome = change(
        &s,
        &caller,
        Capability::Modify,
        Action::DeleteWorkspace,
        &named,
        |s, change| async move {
            crate::deletion::service::delete(
                &s.pool,
                &change,
                &name,
                &q.confirm_name,
                q.freeze_tasks,
            )
            .await
        },
    )
    .await?;
    Ok(Json(outcome))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// The page of 10, from 1: a page below 1 reads page 1, a page past the last reads the last.
    #[serde(default = "first_page")]
    pub page: i64,
}

/// List the Recycle Bin, soonest permanent deletion first.
#[utoipa::path(get, path = "/recycle-bin", tag = "Recycle Bin", params(Page),
    responses((status = 200, description = "One page of Recycle Bin entries", body = BinPage), Refusals))]
pub async fn list_recycle_bin(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryOf(q): QueryOf<Page>,
) -> ApiResult<BinPage> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::recycle_bin::service::list(&s.pool, s.clock.now(), &caller.principal, q.page)
            .await?,
    ))
}

/// Look into one Recycle Bin entry (read-only): its deletion, counts, what Recover brings back, its
/// tasks still billing, its downstream dependencies and the first page of each list of assets.
#[utoipa::path(get, path = "/recycle-bin/{id}", tag = "Recycle Bin", params(EntryPath),
    responses((status = 200, description = "The entry, read-only", body = BinEntryDetail), Refusals))]
pub async fn get_bin_entry(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
) -> ApiResult<BinEntryDetail> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::recycle_bin::service::detail(&s.pool, s.clock.now(), &caller.principal, id).await?,
    ))
}

/// The asset types of a Recycle Bin entry's lists, in both spellings: the filter's
/// (`data_source`) and the answers' (`DataSource`).
pub struct EntryAssetKind;

impl utoipa::PartialSchema for EntryAssetKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let kinds = crate::recycle_bin::ENTRY_LISTS;
        let names = kinds
            .iter()
            .map(|k| k.as_str())
            .chain(kinds.iter().map(|k| k.answer_name()));
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An asset type of a Recycle Bin entry, in either spelling: `data_source`, `compute`, `resource`, `node`, or as answers spell it, `DataSource`, `Compute`, `Resource`, `Node`.",
            ))
            .enum_values(Some(names))
            .into()
    }
}

impl ToSchema for EntryAssetKind {
    fn name() -> std::borrow::Cow<'static, str> {
        "EntryAssetKind".into()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryAssetsQuery {
    /// The asset type, in either spelling: `data_source`, `compute`, `resource` or `node`, or as
    /// the answer's `kind` spells it, `DataSource`, `Compute`, `Resource` or `Node` (anything
    /// else answers 422).
    #[param(inline, value_type = EntryAssetKind)]
    pub kind: String,
    /// The page of 20, from 1: a page below 1 reads page 1, a page past the last reads the last.
    #[serde(default = "first_page")]
    pub page: i64,
}

/// One page of one asset type of a Recycle Bin entry, in the order they were created.
#[utoipa::path(get, path = "/recycle-bin/{id}/assets", tag = "Recycle Bin", params(EntryPath, EntryAssetsQuery),
    responses((status = 200, description = "One page of the entry's assets of that type", body = BinAssets), Refusals))]
pub async fn list_bin_assets(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
    QueryOf(q): QueryOf<EntryAssetsQuery>,
) -> ApiResult<BinAssets> {
    may(&caller, Capability::View)?;
    Ok(Json(
        crate::recycle_bin::service::assets_page(&s.pool, &caller.principal, id, &q.kind, q.page)
            .await?,
    ))
}

/// The current deletion of entry `id` in the caller's account.
async fn deleted_at(s: &AppState, caller: &Caller, id: i64) -> Result<i64, ApiError> {
    let at = crate::workspaces::store::deleted_at(&s.pool, caller.principal.account_id, id).await?;
    // A recovered workspace (no deletion) lets the service give its own answer.
    Ok(at.unwrap_or(0))
}

/// Recover a workspace from the Recycle Bin.
#[utoipa::path(post, path = "/recycle-bin/{id}/recover", tag = "Recycle Bin",
    params(EntryPath,
        IdempotencyKey),
    responses((status = 200, description = "What was restored, what was not, and the nodes to publish again", body = RecoveryReport), Refusals))]
pub async fn recover_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
) -> ApiResult<RecoveryReport> {
    let at = if caller.principal.can(Capability::Modify) {
        deleted_at(&s, &caller, id).await?
    } else {
        0
    };
    let report = change(
        &s,
        &caller,
        Capability::Modify,
        Action::RecoverWorkspace,
        "",
        |s, change| async move {
            crate::recycle_bin::service::recover(&s.pool, &change, id, at).await
        },
    )
    .await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurgeProtection {
    /// On: no Recycle Bin entry is permanently deleted before its 14 days are over (an early
    /// purge answers 409); the 14-day purge goes on as always.
    pub enabled: bool,
}

/// Whether the account's purge protection is on (anyone who may view the Recycle Bin).
#[utoipa::path(get, path = "/account/purge-protection", tag = "Recycle Bin",
    responses((status = 200, description = "The setting", body = PurgeProtection), Refusals))]
pub async fn get_purge_protection(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<PurgeProtection> {
    may(&caller, Capability::View)?;
    let mut conn = s.pool.acquire().await.map_err(AppError::from)?;
    let enabled = crate::recycle_bin::service::purge_protection(
        &mut conn,
        caller.principal.account_id,
        false,
    )
    .await?;
    Ok(Json(PurgeProtection { enabled }))
}

/// Turn the account's purge protection on or off (the account's root only; anyone else 403).
#[utoipa::path(put, path = "/account/purge-protection", tag = "Recycle Bin",
    request_body = PurgeProtection,
    responses((status = 200, description = "The setting as it now is", body = PurgeProtection), Refusals))]
pub async fn set_purge_protection(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    JsonOf(input): JsonOf<PurgeProtection>,
) -> ApiResult<PurgeProtection> {
    let enabled = change(
        &s,
        &caller,
        Capability::ManageAccount,
        Action::purge_protection(input.enabled),
        "",
        |s, change| async move {
            crate::recycle_bin::service::set_purge_protection(
                &s.pool,
                &change,
                input.enabled,
            )
            .await
        },
    )
    .await?;
    Ok(Json(PurgeProtection { enabled }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConfirmName {
    /// The entry's workspace name, exactly, in its letter case (the typed confirmation): one
    /// that does not match answers 422.
    #[param(min_length = 1)]
    pub confirm_name: String,
}

/// The answer of a permanent deletion.
#[derive(Debug, Serialize, ToSchema)]
pub struct Purged {
    pub purged: bool,
}

/// Delete a Recycle Bin entry permanently (its name is free again).
#[utoipa::path(delete, path = "/recycle-bin/{id}", tag = "Recycle Bin",
    params(EntryPath, ConfirmName,
        IdempotencyKey),
    responses((status = 200, description = "Permanently deleted", body = Purged), Refusals))]
pub async fn purge_workspace(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(EntryPath { id }): PathOf<EntryPath>,
    QueryOf(q): QueryOf<ConfirmName>,
) -> ApiResult<Purged> {
    let at = if caller.principal.can(Capability::Modify) {
        deleted_at(&s, &caller, id).await?
    } else {
        0
    };
    change(
        &s,
        &caller,
        Capability::Modify,
        Action::PurgeWorkspace,
        "",
        |s, change| async move {
            crate::recycle_bin::service::purge(&s.pool, &change, id, at, &q.confirm_name)
                .await
        },
    )
    .await?;
    Ok(Json(Purged { purged: true }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TasksOf {
    /// Only this active workspace's tasks (a name of none answers 404); empty or absent: every
    /// task of the account, orphans included.
    #[param(max_length = 64, pattern = "^(?:[A-Za-z0-9][A-Za-z0-9_]{2,63})?$")]
    pub workspace: Option<String>,
}

/// List auto triggered tasks with their status and cost so far.
#[utoipa::path(get, path = "/tasks", tag = "Tasks", params(TasksOf),
    responses((status = 200, description = "The tasks", body = TaskList), Refusals))]
pub async fn list_tasks(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    QueryOf(q): QueryOf<TasksOf>,
) -> ApiResult<TaskList> {
    may(&caller, Capability::View)?;
    let p = &caller.principal;
    let now = s.clock.now();
    let workspace_id = match q.workspace.as_deref().filter(|w| !w.is_empty()) {
        Some(name) => Some(
            crate::workspaces::service::find_active(&s.pool, p, name)
                .await?
                .id,
        ),
        None => None,
    };
    let mut conn = s.pool.acquire().await.map_err(AppError::from)?;
    let tasks =
        crate::operations::service::list(&mut conn, p.account_id, now, workspace_id).await?;
    Ok(Json(TaskList { tasks, now }))
}

/// The answer of a task action.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskStatus {
    pub id: i64,
    /// `Running` or `Frozen`.
    pub status: String,
}

/// Freeze a Running task (it stops billing).
#[utoipa::path(post, path = "/tasks/{id}/freeze", tag = "Tasks",
    params(TaskPath,
        IdempotencyKey),
    responses((status = 200, description = "The task is Frozen", body = TaskStatus), Refusals))]
pub async fn freeze_task(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(TaskPath { id }): PathOf<TaskPath>,
) -> ApiResult<TaskStatus> {
    change(&s, &caller, Capability::Modify, Action::FreezeTask, "", |s, change| async move {
        crate::operations::service::freeze(&s.pool, &change, id).await
    })
    .await?;
    Ok(Json(TaskStatus {
        id,
        status: "Frozen".into(),
    }))
}

/// Unfreeze a Frozen task (it runs and bills again).
#[utoipa::path(post, path = "/tasks/{id}/unfreeze", tag = "Tasks",
    params(TaskPath,
        IdempotencyKey),
    responses((status = 200, description = "The task is Running", body = TaskStatus), Refusals))]
pub async fn unfreeze_task(
    State(s): State<AppState>,
    Extension(caller): Extension<Caller>,
    PathOf(TaskPath { id }): PathOf<TaskPath>,
) -> ApiResult<TaskStatus> {
    change(&s, &caller, Capability::Modify, Action::UnfreezeTask, "", |s, change| async move {
        crate::operations::service::unfreeze(&s.pool, &change, id).await
    })
    .await?;
    Ok(Json(TaskStatus {
        id,
        status: "Running".into(),
    }))
}

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
