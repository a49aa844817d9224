//! `--demo`: seeds SPEC §8's accounts, users and workspaces (stated in `demo.toml`) into an empty
//! database, in the order written there, through the same services the console uses, so the demo
//! obeys every rule the product does.
use crate::assets::service::{self as assets, NewAsset};
use crate::deletion::service as deletion;
use crate::dependencies::service as dependencies;
use crate::domain::{Principal, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::service as identity;
use crate::operations::service as tasks;
use crate::server::audit::Change;
use crate::store::Pool;
use crate::workspaces::service::{self as workspaces, NewWorkspace};
use serde::Deserialize;
use std::collections::HashMap;

const DATA: &str = include_str!("demo.toml");
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Demo {
    accounts: Vec<Account>,
    workspaces: Vec<Workspace>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Account {
    name: String,
    password: String,
    about: String,
    created_days_ago: i64,
    #[serde(default)]
    users: Vec<RamUser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RamUser {
    name: String,
    password: String,
    policy: Option<String>,
    about: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Workspace {
    account: String,
    name: String,
    display_name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    data_modeling: bool,
    #[serde(default)]
    deletion_protection: bool,
    /// Who creates it and its assets: the account's root, or one of its RAM users.
    by: String,
    days_ago: i64,
    #[serde(default)]
    hours_ago: i64,
    /// [kind, product, name, type, detail]
    assets: Vec<[String; 5]>,
    #[serde(default)]
    steps: Vec<Step>,
    /// [node, upstream workspace, upstream node]: the node runs after that one (SPEC §16).
    #[serde(default)]
    upstream: Vec<[String; 3]>,
    deleted: Option<Deleted>,
}

/// One change to a node after the workspace exists: its code committed, committed and published
/// (which makes its task), or its task frozen.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    commit: Option<String>,
    publish: Option<String>,
    freeze: Option<String>,
    by: String,
    days_ago: i64,
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Deleted {
    by: String,
    days_ago: i64,
    #[serde(default)]
    freeze_tasks: bool,
}

fn demo() -> Demo {
    toml::from_str(DATA).expect("src/startup/demo.toml is valid")
}

/// The demo's sign-ins: (user, password, who it is).
pub fn sign_ins() -> Vec<(String, String, String)> {
    demo()
        .accounts
        .into_iter()
        .flat_map(|account| {
            let users = account.users.into_iter().map({
                let name = account.name.clone();
                move |u| (format!("{}@{name}", u.name), u.password, u.about)
            });
            std::iter::once((account.name, account.password, account.about))
                .chain(users)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Returns false (and changes nothing) when the database already holds data.
pub async fn seed(pool: &Pool, now: Timestamp) -> AppResult<bool> {
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(pool)
        .await?;
    if accounts > 0 {
        return Ok(false);
    }
    let demo = demo();
    // Everyone by the name they act under in demo.toml: "acme", or "alice" of acme.
    let mut people: HashMap<String, Principal> = HashMap::new();
    for account in &demo.accounts {
        let since = now - account.created_days_ago * DAY;
        let id = identity::create_account(pool, since, &account.name, &account.password).await?;
        let root = principal(pool, id).await?;
        for user in &account.users {
            let policy = user.policy.as_deref();
            let made = identity::create_ram_user(
                pool,
                &Change::console(now, &root),
                &user.name,
                &user.password,
                policy,
            )
            .await?;
            people.insert(user.name.clone(), principal(pool, made.id).await?);
        }
        people.insert(account.name.clone(), root);
    }
    let who = |name: &str| people.get(name).ok_or(AppError::Internal);
    for ws in &demo.workspaces {
        let by = who(&ws.by)?;
        if by.account_name != ws.account {
            return Err(AppError::Internal);
        }
        let t = now - ws.days_ago * DAY - ws.hours_ago * HOUR;
        let input = NewWorkspace {
            name: ws.name.clone(),
            display_name: ws.display_name.clone(),
            description: ws.description.clone(),
            data_modeling: ws.data_modeling,
            deletion_protection: ws.deletion_protection,
        };
        workspaces::create(pool, &Change::console(t, by), input).await?;
        for [kind, product, name, subtype, detail] in &ws.assets {
            let input = NewAsset {
                kind: kind.clone(),
                product: product.clone(),
                name: name.clone(),
                subtype: subtype.clone(),
                detail: detail.clone(),
            };
            assets::add(pool, &Change::console(t, by), &ws.name, input).await?;
        }
        for step in &ws.steps {
            let (by, t) = (who(&step.by)?, now - step.days_ago * DAY);
            match (&step.commit, &step.publish, &step.freeze) {
                (Some(node), None, None) => {
                    commit(pool, t, by, &ws.name, node, &step.code).await?;
                }
                (None, Some(node), None) => {
                    let id = commit(pool, t, by, &ws.name, node, &step.code).await?;
                    assets::publish(pool, &Change::console(t, by), &ws.name, id).await?;
                }
                (None, None, Some(node)) => {
                    let node = node_id(pool, by, &ws.name, node).await?;
                    let task: i64 = sqlx::query_scalar("SELECT id FROM tasks WHERE node_id = $1")
                        .bind(node)
                        .fetch_one(pool)
                        .await?;
                    tasks::freeze(pool, &Change::console(t, by), task).await?;
                }
                _ => return Err(AppError::Internal),
            }
        }
        for [node, up_ws, up_node] in &ws.upstream {
            let node = node_id(pool, by, &ws.name, node).await?;
            let upstream = node_id(pool, by, up_ws, up_node).await?;
            dependencies::add(pool, &Change::console(t, by), node, upstream).await?;
        }
        if let Some(deleted) = &ws.deleted {
            let (by, t) = (who(&deleted.by)?, now - deleted.days_ago * DAY);
            deletion::delete(
                pool,
                &Change::console(t, by),
                &ws.name,
                &ws.name,
                deleted.freeze_tasks,
            )
            .await?;
        }
    }
    Ok(true)
}

async fn principal(pool: &Pool, user_id: i64) -> AppResult<Principal> {
    identity::load_principal(pool, user_id)
        .await?
        .ok_or(AppError::Internal)
}

async fn node_id(pool: &Pool, p: &Principal, ws: &str, node: &str) -> AppResult<i64> {
    let nodes = assets::list_nodes(pool, p, ws).await?;
    nodes
        .into_iter()
        .find(|n| n.name == node)
        .map(|n| n.id)
        .ok_or(AppError::Internal)
}

/// Saves and commits a node's code; answers the node's id.
async fn commit(
    pool: &Pool,
    now: Timestamp,
    p: &Principal,
    ws: &str,
    node: &str,
    code: &str,
) -> AppResult<i64> {
    let id = node_id(pool, p, ws, node).await?;
    assets::save_code(pool, &Change::console(now, p), ws, id, code).await?;
    assets::commit(pool, &Change::console(now, p), ws, id).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_data_reads_and_names_its_five_sign_ins() {
        let demo = super::demo();
        // SPEC §25 adds four Recycle Bin entries (sandbox_a, sandbox_b, tmp_join_test, poc_2025).
        assert_eq!(demo.workspaces.len(), 38);
        let users: Vec<String> = super::sign_ins().into_iter().map(|(u, _, _)| u).collect();
        assert_eq!(
            users,
            ["acme", "alice@acme", "bob@acme", "carol@acme", "globex"]
        );
    }
}
