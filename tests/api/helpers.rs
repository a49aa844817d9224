//! What the HTTP tests share: the engines and fresh databases (`tests/common/engines.rs`, shared
//! with the db binary), the live stream reader (`tests/common/sse.rs`), the app under test
//! (`app.rs`), the demo's callers, lookups of principals and AccessKeys, and the API client that
//! checks every answer against the served OpenAPI document.
#[macro_use]
#[path = "../common/engines.rs"]
mod engines;
#[path = "../common/sse.rs"]
pub mod sse;

pub use crate::app::{TestApp, spawn_app, spawn_with};
pub use engines::*;

/// What `on_both_engines!` runs each test of this binary on: a fresh database of `engine`,
/// holding the demo data at `T0` (what `spawn_app` serves).
pub async fn on_fresh_database<F, Fut>(engine: workspace_console::store::Engine, test: F)
where
    F: FnOnce(workspace_console::store::Pool) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    on_copy_of(engine, Start::Demo, test).await
}

use reqwest::{Method, StatusCode};
use serde_json::Value;
use workspace_console::access_keys::service as keys;
use workspace_console::identity::service as identity;
use workspace_console::store::Pool;

/// `v` as the text of an argument.
pub fn s(v: impl ToString) -> String {
    v.to_string()
}

/// The demo's callers: signed out, acme's RAM users carol (no policy), bob (ReadOnly) and alice
/// (FullAccess), globex (the root of another account) and acme's root.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Who {
    SignedOut,
    Carol,
    Bob,
    Globex,
    Alice,
    Root,
}

impl Who {
    pub fn credentials(self) -> Option<(&'static str, &'static str)> {
        match self {
            Who::SignedOut => None,
            Who::Carol => Some(("carol@acme", "carol-demo-1")),
            Who::Bob => Some(("bob@acme", "bob-demo-1")),
            Who::Globex => Some(("globex", "globex-demo-1")),
            Who::Alice => Some(("alice@acme", "alice-demo-1")),
            Who::Root => Some(("acme", "acme-demo-1")),
        }
    }
    pub fn tag(self) -> &'static str {
        match self {
            Who::SignedOut => "anon",
            Who::Carol => "carol",
            Who::Bob => "bob",
            Who::Globex => "globex",
            Who::Alice => "alice",
            Who::Root => "root",
        }
    }
}

/// Whether account acme has an active workspace `name`.
pub async fn active(app: &TestApp, name: &str) -> bool {
    sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM workspaces WHERE account_id = 1 AND name = $1 AND deleted_at IS NULL",
    )
    .bind(name)
    .fetch_one(&app.pool)
    .await
    .unwrap()
        == 1
}

/// The principal of a sign-in name (`acme`, `alice@acme`).
pub async fn principal(pool: &Pool, sign_in: &str) -> workspace_console::domain::Principal {
    let (user, account) = sign_in.split_once('@').unwrap_or((sign_in, sign_in));
    let id: i64 = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.name = $1 AND u.name = $2",
    )
    .bind(account)
    .bind(user)
    .fetch_one(pool)
    .await
    .unwrap();
    identity::load_principal(pool, id).await.unwrap().unwrap()
}

/// A new AccessKey of the user `sign_in`, made by the root of its account: `id:secret`.
pub async fn key_for(pool: &Pool, sign_in: &str) -> String {
    let user = principal(pool, sign_in).await;
    let account = sign_in.split_once('@').map_or(sign_in, |(_, a)| a);
    let root = principal(pool, account).await;
    let key = keys::create(pool, &by(&root, T0), user.user_id)
        .await
        .unwrap()
        .into_inner();
    format!("{}:{}", key.id, key.secret)
}

/// What no refusal of any door may show: Rust's type names and the framework's or parsers' own
/// texts (a refusal names the field or parameter in plain words instead).
pub const LEAKS: [&str; 22] = [
    "i64",
    "u64",
    "i32",
    "u32",
    "f64",
    "usize",
    "bool",
    "String",
    "Invalid URL",
    "Cannot parse",
    "Failed to deserialize",
    "query string",
    "invalid type",
    "invalid value",
    "invalid digit",
    "number too large",
    "provided string",
    "expected",
    "Expected",
    "struct ",
    "enum ",
    "serde",
];

/// Panics if `message` shows any of [`LEAKS`].
pub fn assert_plain(message: &str, context: &str) {
    for leak in LEAKS {
        assert!(
            !message.contains(leak),
            "{context}: {message:?} shows {leak:?}"
        );
    }
}

/// An API call sent as it is (`body` as raw text, e.g. JSON that repeats a key), with the root's
/// `key`: the status and the JSON error or answer.
pub async fn raw_api(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .request(method, format!("{}/openapi/v1{path}", app.url))
        .header("Authorization", format!("Bearer {key}"))
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{status} {text:?} is not JSON: {error}"));
    (status, json)
}

/// The id of node `name` in acme's workspace `workspace`.
pub async fn acme_node(pool: &Pool, workspace: &str, name: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT a.id FROM assets a JOIN workspaces w ON w.id = a.workspace_id
         WHERE w.account_id = 1 AND w.name = $1 AND a.name = $2",
    )
    .bind(workspace)
    .bind(name)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The OpenAPI document `app` serves.
pub async fn served_document(app: &TestApp) -> Value {
    reqwest::get(format!("{}/openapi/v1/openapi.json", app.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The parameter `name` of the operation `method` `path` in the served document `doc`.
pub fn document_parameter(doc: &Value, path: &str, method: &str, name: &str) -> Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
        .clone()
}

/// The served document, and a check of every answer against it.
struct Contract(Value);

impl Contract {
    async fn load(app: &TestApp) -> Contract {
        Contract(served_document(app).await)
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap();
                &self.0["components"]["schemas"][name]
            }
            None => schema,
        }
    }

    /// `value` fits `schema`: types, required properties, array items, nullable and oneOf.
    fn fits(&self, schema: &Value, value: &Value, at: &str) {
        let schema = self.resolve(schema);
        if let Some(any) = schema
            .get("oneOf")
            .or(schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            assert!(
                any.iter()
                    .any(|s| std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                        || self.fits(s, value, at)
                    ))
                    .is_ok()),
                "{at}: {value} fits none of {any:?}"
            );
            return;
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if value.is_null() {
            assert!(
                types.contains(&"null") || schema["nullable"] == true,
                "{at}: null where {schema}"
            );
            return;
        }
        if types.is_empty() {
            return;
        }
        let kind = match value {
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Null => "null",
        };
        assert!(
            types.contains(&kind) || (kind == "integer" && types.contains(&"number")),
            "{at}: a {kind} where the document says {types:?}: {value}"
        );
        if let (Value::Object(map), Some(props)) = (value, schema["properties"].as_object()) {
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap();
                assert!(
                    map.contains_key(name),
                    "{at}: required {name} missing in {value}"
                );
            }
            for (name, v) in map {
                if let Some(s) = props.get(name) {
                    self.fits(s, v, &format!("{at}.{name}"));
                }
            }
        }
        if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
            for (i, v) in items.iter().enumerate() {
                self.fits(s, v, &format!("{at}[{i}]"));
            }
        }
    }

    /// The answer `status`/`body` of `method` on `template` is one the document lists, and fits it.
    fn check(&self, method: &Method, template: &str, status: StatusCode, body: &Value) {
        let op = &self.0["paths"][template][method.as_str().to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the document");
        let answer = &op["responses"][status.as_str()];
        assert!(
            answer.is_object(),
            "{method} {template} answered {status}, which the document does not list"
        );
        let schema = &answer["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} {status}: no JSON schema"
        );
        self.fits(schema, body, &format!("{method} {template} {status}"));
    }
}

/// A client of the API that checks every answer against the served document.
pub struct Api<'a> {
    app: &'a TestApp,
    contract: Contract,
    client: reqwest::Client,
}

impl<'a> Api<'a> {
    pub async fn new(app: &'a TestApp) -> Api<'a> {
        Api {
            app,
            contract: Contract::load(app).await,
            client: reqwest::Client::new(),
        }
    }

    /// Sends `method path` with `key`; checks the answer against the document (as `template`) and
    /// its request id; answers the status and the JSON.
    pub async fn call(
        &self,
        key: Option<&str>,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
        idempotency: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method.clone(), format!("{}/openapi/v1{path}", self.app.url));
        if let Some(key) = key {
            request = request.header("Authorization", format!("Bearer {key}"));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(k) = idempotency {
            request = request.header("Idempotency-Key", k);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let request_id = response
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned())
            .expect("every answer carries X-Request-Id");
        let json: Value = response.json().await.unwrap();
        if !status.is_success() {
            assert_eq!(json["request_id"], request_id, "{json}");
            assert!(
                json["code"].is_string() && json["message"].is_string(),
                "{json}"
            );
        }
        self.contract.check(&method, template, status, &json);
        (status, json)
    }
}

/// The server functions' JSON error: `(status, kind, message)`.
pub async fn console_error(res: reqwest::Response) -> (reqwest::StatusCode, String, String) {
    let status = res.status();
    let text = res.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{status} {text:?} is not JSON: {error}"));
    (
        status,
        body["kind"].as_str().unwrap_or_default().to_owned(),
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}
