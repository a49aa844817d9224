//! Sign-in, sign-up, sign-out and the account root's RAM user management.
use crate::domain::Viewer;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod service;
pub mod ui;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, miniserde::Deserialize)]
pub struct RamUser {
    pub id: i64,
    pub name: String,
    pub sign_in_name: String,
    pub policies: Vec<String>,
    pub created_at: i64,
}

/// Who is signed in, or nothing.
#[server(prefix = "/api", endpoint = "current_viewer", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    use crate::server::{guard, public};
    public(|state| async move { Ok(guard::current_principal(&state).await?.map(|p| p.viewer())) })
        .await
}

#[server(prefix = "/api", endpoint = "sign_in", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn sign_in(username: String, password: String) -> Result<(), AppError> {
    use crate::server::{guard, public};
    public(|state| async move {
        let client = guard::client_ip(&state);
        let user = service::sign_in(
            &state.pool,
            &state.password_gate,
            state.clock.now(),
            &username,
            &password,
            &client,
        )
        .await?;
        guard::begin_session(user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "sign_up", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn sign_up(account_name: String, password: String) -> Result<(), AppError> {
    use crate::server::{guard, public};
    public(|state| async move {
        let client = guard::client_ip(&state);
        let user = service::sign_up(
            &state.pool,
            &state.password_gate,
            state.clock.now(),
            &account_name,
            &password,
            &client,
        )
        .await?;
        guard::begin_session(user).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "sign_out", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{guard, public};
    public(|_| async move { guard::end_session().await }).await
}

#[server(prefix = "/api", endpoint = "list_ram_users", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn list_ram_users() -> Result<Vec<RamUser>, AppError> {
    use crate::domain::Capability;
    use crate::server::guarded;
    guarded(Capability::ManageUsers, |s, p| async move {
        service::list_ram_users(&s.pool, &p).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "create_ram_user", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn create_ram_user(
    name: String,
    password: String,
    policy: Option<String>,
) -> Result<RamUser, AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::CreateRamUser,
        "",
        |s, change| async move {
            let create =
                service::create_ram_user(&s.pool, &change, &name, &password, policy.as_deref());
            s.password_gate.run(create).await
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "set_ram_user_password", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn set_ram_user_password(user_id: i64, password: String) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::SetRamUserPassword,
        "",
        |s, change| async move {
            let set = service::set_password(&s.pool, &change, user_id, &password);
            s.password_gate.run(set).await
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "set_ram_user_policy", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn set_ram_user_policy(
    user_id: i64,
    policy: String,
    attached: bool,
) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        if attached {
            Action::AttachPolicy
        } else {
            Action::DetachPolicy
        },
        "",
        |s, change| async move {
            service::set_policy(&s.pool, &change, user_id, &policy, attached).await
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "delete_ram_user", input = crate::codec::Form, output = crate::codec::Json)]
pub async fn delete_ram_user(user_id: i64) -> Result<(), AppError> {
    use crate::domain::Capability;
    use crate::domain::audit::Action;
    use crate::server::changing;
    changing(
        Capability::ManageUsers,
        Action::DeleteRamUser,
        "",
        |s, change| async move { service::delete_ram_user(&s.pool, &change, user_id).await },
    )
    .await
}
