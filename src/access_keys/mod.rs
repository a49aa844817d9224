//! AccessKeys (SPEC §12): credentials for the API and the CLI. The account root creates up to two
//! for itself or any RAM user; the secret is shown once and only a slow hash of it is kept. A key
//! acts with exactly its user's permissions, and can be disabled or deleted.
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

/// At most this many AccessKeys per user.
pub const MAX_PER_USER: i64 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct AccessKey {
    /// The AccessKey ID (public).
    pub id: String,
    pub user_id: i64,
    /// The sign-in name of its user.
    pub user: String,
    pub enabled: bool,
    pub created_at: i64,
}

/// A key just created: the only time its secret is ever seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct CreatedAccessKey {
    pub id: String,
    pub secret: String,
    pub user: String,
}

#[server(prefix = "/api", endpoint = "list_access_keys", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_access_keys() -> Result<Vec<AccessKey>, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::ManageUsers, |s, p| async move {
        service::list(&s.pool, &p).await
    })
    .await
}

/// For one of the account's RAM users, or (no `user_id`) for the root itself.
#[server(prefix = "/api", endpoint = "create_access_key", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn create_access_key(
    #[server(default)] user_id: Option<i64>,
) -> Result<CreatedAccessKey, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::CreateAccessKey,
        "",
        |s, change| async move {
            let user_id = user_id.unwrap_or(change.principal.user_id);
            let create = service::create(&s.pool, &change, user_id);
            s.password_gate.run(create).await
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "set_access_key_enabled", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn set_access_key_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    let action = if enabled {
        Action::EnableAccessKey
    } else {
        Action::DisableAccessKey
    };
    changing(
        Capability::ManageUsers,
        action,
        "",
        |s, change| async move { service::set_enabled(&s.pool, &change, &id, enabled).await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "delete_access_key", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn delete_access_key(id: String) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::DeleteAccessKey,
        "",
        |s, change| async move { service::delete(&s.pool, &change, &id).await },
    )
    .await
}
