//! The actions a step can run. An unknown action name is a load-time error.

mod native;
mod regex_match;
mod rest;

use std::time::Duration;

use kustomer_mock::{Actor, Cause, Id, Store};
use serde_json::Value;

pub use native::Native;
pub use rest::rewrite_kustomer_host;

/// A step's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `kustomer.rest-api.json`: JSON in, JSON out, over real HTTP.
    RestJson,
    /// `kustomer.rest-api.generic`: the body sent as a string.
    RestGeneric,
    /// `kustomer.regex-match.generic`.
    RegexMatch,
    /// A native `kustomer.*` action on the mock's store.
    Native(Native),
    /// `kustomer.workflow.call` (the harness's choice of name): start a callable workflow.
    CallWorkflow,
}

/// Every action name the engine runs.
pub const ACTIONS: &[(&str, Action)] = &[
    ("kustomer.rest-api.json", Action::RestJson),
    ("kustomer.rest-api.generic", Action::RestGeneric),
    ("kustomer.regex-match.generic", Action::RegexMatch),
    ("kustomer.workflow.call", Action::CallWorkflow),
    (
        "kustomer.conversation.find-by-id",
        Action::Native(Native::ConversationFindById),
    ),
    (
        "kustomer.conversation.create",
        Action::Native(Native::ConversationCreate),
    ),
    (
        "kustomer.conversation.update",
        Action::Native(Native::ConversationUpdate),
    ),
    (
        "kustomer.conversation.add-tags",
        Action::Native(Native::ConversationAddTags),
    ),
    (
        "kustomer.conversation.append-tags",
        Action::Native(Native::ConversationAddTags),
    ),
    (
        "kustomer.conversation.remove-tags",
        Action::Native(Native::ConversationRemoveTags),
    ),
    (
        "kustomer.customer.find-by-id",
        Action::Native(Native::CustomerFindById),
    ),
    (
        "kustomer.customer.create",
        Action::Native(Native::CustomerCreate),
    ),
    (
        "kustomer.customer.update",
        Action::Native(Native::CustomerUpdate),
    ),
    (
        "kustomer.tag.find-by-name",
        Action::Native(Native::TagFindByName),
    ),
    (
        "kustomer.user.find-by-id",
        Action::Native(Native::UserFindById),
    ),
];

impl Action {
    /// The action called `name`, if the engine knows it.
    pub fn named(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
    }
}

/// What an action may use.
pub struct ActionEnv<'a> {
    pub http: &'a reqwest::Client,
    /// The mock's base URL (`http://127.0.0.1:<port>`).
    pub base_url: &'a str,
    /// Send `api.kustomerapp.com` requests to the mock instead.
    pub rewrite_kustomer_hosts: bool,
    /// The cause the run's requests carry (`x-kmock-cause`, `traceparent`).
    pub cause: &'a Cause,
    pub timeout: Duration,
    pub store: &'a Store,
    pub org: Id,
    /// The workflow machine user, acting for native actions.
    pub actor: Actor,
}

/// Runs a REST, regex or native action on resolved params. `Err` is the step's error:
/// a JSON object with at least `message`.
pub async fn execute(action: Action, params: Value, env: &ActionEnv<'_>) -> Result<Value, Value> {
    match action {
        Action::RestJson => rest::call(&params, false, env).await,
        Action::RestGeneric => rest::call(&params, true, env).await,
        Action::RegexMatch => regex_match::run(&params),
        Action::Native(native) => native.run(params, env),
        Action::CallWorkflow => {
            Err(serde_json::json!({"message": "kustomer.workflow.call is run by the engine"}))
        }
    }
}

/// A record's resource flattened the way workflows read it: `id`, every attribute at the
/// top level, each to-one relationship's id (`customer`), and `relationships`.
pub fn flatten(resource: &Value) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("id".into(), resource["id"].clone());
    if let Some(attributes) = resource["attributes"].as_object() {
        for (k, v) in attributes {
            out.insert(k.clone(), v.clone());
        }
    }
    if let Some(relationships) = resource["relationships"].as_object() {
        for (k, v) in relationships {
            if let Some(id) = v.pointer("/data/id") {
                out.entry(k.clone()).or_insert_with(|| id.clone());
            }
        }
        out.insert("relationships".into(), Value::Object(relationships.clone()));
    }
    Value::Object(out)
}
