//! The Audit Log (SPEC §10): who changed what, when, from where, and who tried and was refused.
//! Events are written by the services with their changes (`server::audit`); this feature reads them.
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

/// Events per page.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub user_name: String,
    pub action: String,
    pub workspace: String,
    pub source: String,
    pub client_ip: String,
    pub result: String,
    /// In English, as recorded.
    pub message: String,
}

/// What the filters select; an empty field selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    pub action: String,
    pub user: String,
    pub workspace: String,
}

/// Where a page starts: the newest events, those older than an event, or those newer than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    Newest,
    Before(i64),
    After(i64),
    /// The n-th page of `PAGE_SIZE` from the newest (the API's `page`; the console pages by id).
    Page(i64),
}

/// One page of events, newest first, with the cursors of the pages around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// Set when newer events exist: the page before this one starts after this id.
    pub newer: Option<i64>,
    /// Set when older events exist: the next page starts before this id.
    pub older: Option<i64>,
}

/// A page of events as the console's own door answers it: the API's page, and for each event (in
/// its order) its message's key and parameters, to word it in the reader's language (none for an
/// event recorded before the console spoke two languages: its English is shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct AuditAnswer {
    pub page: AuditPage,
    pub worded: Vec<Option<crate::i18n::Worded>>,
}

#[server(prefix = "/api", endpoint = "list_audit_events", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_audit_events(
    #[server(default)] filter: AuditFilter,
    cursor: Cursor,
) -> Result<AuditAnswer, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::View, |s, p| async move {
        service::answer(&s.pool, &p, &filter, cursor, PAGE_SIZE).await
    })
    .await
}
