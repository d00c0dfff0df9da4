//! The actions a step can run. An unknown action name is a load-time error.

mod generic;
mod lookups;
pub mod mock_client;
pub mod mock_origin;
mod native;
mod objects;
mod regex_match;
pub(crate) mod rest;

use std::time::Duration;

use std::sync::Arc;

use kustomer_mock::{Actor, Cause, Id, LazyJson, Store};
use serde_json::Value;

use super::apps::{AppAction, AppCatalog};
use super::template::Templates;

pub use lookups::Lookup;
pub use mock_client::MockClient;
pub use mock_origin::MockOrigin;
pub use native::Native;
pub use objects::ObjectAction;
pub use rest::rewrite_kustomer_host;

/// A step's action.
#[derive(Debug, Clone)]
pub enum Action {
    /// `kustomer.rest-api.json`: JSON in, JSON out, over real HTTP.
    RestJson,
    /// `kustomer.rest-api.generic`: the body sent as a string.
    RestGeneric,
    /// `kustomer.regex-match.generic`.
    RegexMatch,
    /// A native `kustomer.*` action on the mock's store.
    Native(Native),
    /// `kustomer.workflow.call` (the harness's choice of name): start a callable workflow now.
    CallWorkflow,
    /// `kustomer.app.scheduler.schedule-workflow`: start a callable workflow later, on the
    /// mock's clock.
    ScheduleWorkflow,
    /// A native action that finds a record by a natural key or adds a contact.
    Lookup(Lookup),
    /// A native action on a company, note, klass or KObject.
    Object(ObjectAction),
    /// `kustomer.event.publish`: an event on the mock's bus.
    PublishEvent,
    /// `kustomer.transform.generic`: the resolved `input` as the output.
    Transform,
    /// `kustomer.responsive-workflow.respond`.
    Respond,
    /// A `rest_api` action of a loaded Kustomer app.
    App(Arc<AppAction>),
}

/// Every built-in action name.
pub const BUILTIN_ACTIONS: &[&str] = &[
    "kustomer.rest-api.json",
    "kustomer.rest-api.generic",
    "kustomer.regex-match.generic",
    "kustomer.event.publish",
    "kustomer.transform.generic",
    "kustomer.responsive-workflow.respond",
    "kustomer.workflow.call",
    "kustomer.app.scheduler.schedule-workflow",
    "kustomer.conversation.find-by-id",
    "kustomer.conversation.find-by-external-id",
    "kustomer.conversation.create",
    "kustomer.conversation.update",
    "kustomer.conversation.add-tags",
    "kustomer.conversation.append-tags",
    "kustomer.conversation.remove-tags",
    "kustomer.customer.find-by-id",
    "kustomer.customer.find",
    "kustomer.customer.find-by-phone",
    "kustomer.customer.append-email",
    "kustomer.customer.append-phone",
    "kustomer.message.find-by-external",
    "kustomer.conversation.find-body",
    "kustomer.customer.find-by-external-id",
    "kustomer.customer.find-by-email",
    "kustomer.customer.create",
    "kustomer.customer.update",
    "kustomer.customer.merge",
    "kustomer.note.create",
    "kustomer.tag.find-by-name",
    "kustomer.user.find-by-id",
    "kustomer.user.find-by-email",
    "kustomer.conversation.assign-user",
    "kustomer.conversation.assign-team",
    "kustomer.org.current",
    "kustomer.message.create",
    "kustomer.message.update",
    "kustomer.message.find-by-id",
    "kustomer.message.find-last",
    "kustomer.company.create",
    "kustomer.company.update",
    "kustomer.company.find",
    "kustomer.company.find-by-external-id",
    "kustomer.note.update",
    "kustomer.note.find-by-id",
    "kustomer.note.find-by-external",
    "kustomer.klass.create",
    "kustomer.klass.find-by-klassname",
    "kustomer.kobject.create",
    "kustomer.kobject.create-with-customer",
    "kustomer.kobject.find",
    "kustomer.kobject.find-by-external-id",
    "kustomer.kobject.update",
    "kustomer.kobject.delete",
    "kustomer.kobject.add-relationship",
];

impl Action {
    /// The built-in action called `name`.
    pub fn builtin(name: &str) -> Option<Action> {
        Some(match name {
            "kustomer.rest-api.json" => Action::RestJson,
            "kustomer.rest-api.generic" => Action::RestGeneric,
            "kustomer.regex-match.generic" => Action::RegexMatch,
            "kustomer.event.publish" => Action::PublishEvent,
            "kustomer.transform.generic" => Action::Transform,
            "kustomer.responsive-workflow.respond" => Action::Respond,
            "kustomer.workflow.call" => Action::CallWorkflow,
            "kustomer.app.scheduler.schedule-workflow" => Action::ScheduleWorkflow,
            "kustomer.conversation.find-by-id" => Action::Native(Native::ConversationFindById),
            "kustomer.conversation.find-by-external-id" => {
                Action::Native(Native::ConversationFindByExternalId)
            }
            "kustomer.conversation.create" => Action::Native(Native::ConversationCreate),
            "kustomer.conversation.update" => Action::Native(Native::ConversationUpdate),
            "kustomer.conversation.add-tags" | "kustomer.conversation.append-tags" => {
                Action::Native(Native::ConversationAddTags)
            }
            "kustomer.conversation.remove-tags" => Action::Native(Native::ConversationRemoveTags),
            "kustomer.customer.find-by-id" => Action::Native(Native::CustomerFindById),
            "kustomer.customer.find" => Action::Lookup(Lookup::CustomerFind),
            "kustomer.customer.find-by-phone" => Action::Lookup(Lookup::CustomerFindByPhone),
            "kustomer.customer.append-email" => Action::Lookup(Lookup::CustomerAppendEmail),
            "kustomer.customer.append-phone" => Action::Lookup(Lookup::CustomerAppendPhone),
            "kustomer.message.find-by-external" => Action::Lookup(Lookup::MessageFindByExternal),
            "kustomer.conversation.find-body" => Action::Lookup(Lookup::ConversationFindBody),
            "kustomer.customer.find-by-external-id" => {
                Action::Native(Native::CustomerFindByExternalId)
            }
            "kustomer.customer.find-by-email" => Action::Native(Native::CustomerFindByEmail),
            "kustomer.customer.create" => Action::Native(Native::CustomerCreate),
            "kustomer.customer.update" => Action::Native(Native::CustomerUpdate),
            "kustomer.customer.merge" => Action::Native(Native::CustomerMerge),
            "kustomer.note.create" => Action::Native(Native::NoteCreate),
            "kustomer.tag.find-by-name" => Action::Native(Native::TagFindByName),
            "kustomer.user.find-by-id" => Action::Native(Native::UserFindById),
            "kustomer.user.find-by-email" => Action::Native(Native::UserFindByEmail),
            "kustomer.conversation.assign-user" => Action::Native(Native::ConversationAssignUser),
            "kustomer.conversation.assign-team" => Action::Native(Native::ConversationAssignTeam),
            "kustomer.org.current" => Action::Native(Native::OrgCurrent),
            "kustomer.message.create" => Action::Native(Native::MessageCreate),
            "kustomer.message.update" => Action::Native(Native::MessageUpdate),
            "kustomer.message.find-by-id" => Action::Native(Native::MessageFindById),
            "kustomer.message.find-last" => Action::Native(Native::MessageFindLast),
            other => return ObjectAction::named(other).map(Action::Object),
        })
    }

    /// The action called `name`: a built-in one, or an action of a loaded app.
    pub fn resolve(name: &str, apps: &AppCatalog) -> Option<Action> {
        Action::builtin(name).or_else(|| apps.resolve(name).map(Action::App))
    }
}

/// What an action may use.
pub struct ActionEnv<'a> {
    /// For requests to other hosts than the mock.
    pub http: &'a reqwest::Client,
    /// Keep-alive connections to the mock.
    pub mock: &'a MockClient,
    /// The mock's base URL (`http://127.0.0.1:<port>`).
    pub base_url: &'a str,
    /// Its origin (`http://127.0.0.1:<port>`), to tell requests aimed at the mock.
    pub mock_origin: &'a MockOrigin,
    /// Send `api.kustomerapp.com` requests to the mock instead.
    pub rewrite_kustomer_hosts: bool,
    /// The cause the run's requests carry (`x-kmock-cause`, `traceparent`).
    pub cause: &'a Cause,
    pub timeout: Duration,
    pub store: &'a Store,
    pub org: Id,
    /// The workflow machine user, acting for native actions.
    pub user: Id,
    /// The request id a native action's change carries.
    pub request_id: Id,
    /// For app actions' templates.
    pub templates: &'a Templates,
    /// Fault rules, also applied to REST steps that call other hosts than the mock.
    pub faults: &'a kustomer_mock::Faults,
}

impl ActionEnv<'_> {
    /// Who a native action acts as (built only when one runs: a REST step has no use for
    /// a copy of the cause).
    pub fn actor(&self) -> Actor {
        Actor::new(
            self.org,
            self.user,
            "workflow",
            Some(self.request_id),
            self.cause.child(),
        )
    }
}

/// Runs a REST, regex or native action on resolved params. `Err` is the step's error:
/// a JSON object with at least `message`.
/// A REST step's output stays the JSON text it was received as until something reads it.
pub async fn execute(
    action: Action,
    params: &Value,
    env: &ActionEnv<'_>,
) -> Result<LazyJson, Value> {
    match action {
        Action::RestJson => rest::call(params, false, env).await,
        Action::RestGeneric => rest::call(params, true, env).await,
        Action::RegexMatch => regex_match::run(params).map(LazyJson::from),
        Action::PublishEvent => generic::publish(params, env).map(LazyJson::from),
        Action::Transform => generic::transform(params).map(LazyJson::from),
        Action::Respond => generic::respond(params).map(LazyJson::from),
        Action::Native(native) => native.run(params.clone(), env).map(LazyJson::from),
        Action::Lookup(lookup) => lookup.run(params.clone(), env).map(LazyJson::from),
        Action::Object(object) => object.run(params.clone(), env).map(LazyJson::from),
        Action::App(app) => {
            let request = app.request(params, env.templates)?;
            let output = rest::call(&request, false, env).await?;
            Ok(app.output(output.into_value(), env.templates).into())
        }
        Action::CallWorkflow | Action::ScheduleWorkflow => {
            Err(serde_json::json!({"message": "this action is run by the engine itself"}))
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
