//! The schemas of the workflows API's bodies and answers. Kustomer publishes no schema for
//! its workflow JSON, so these name the members the engine reads, with the types it
//! refuses others of, and leave the rest open (exports carry `_id`, `rev`, settings, ...):
//! every body these schemas refuse, the API refuses too, with a pointer at the member.

use std::borrow::Cow;

use serde_json::{Value, json};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// A schema written as JSON.
fn schema(value: Value) -> RefOr<Schema> {
    // Every caller passes a literal valid schema; a mistake shows as an empty schema,
    // which the document test refuses.
    serde_json::from_value(value).unwrap_or_else(|_| RefOr::T(Schema::default()))
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A value of any type, or none (`null`): the engine keeps these as given.
fn anything(description: &str) -> Value {
    json!({ "description": description })
}

/// A string or `null` (an absent member).
fn optional_string(description: &str) -> Value {
    json!({ "type": ["string", "null"], "description": description })
}

fn transitions(description: &str) -> Value {
    json!({
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "required": ["target"],
            "properties": {
                "target": { "type": "string", "description": "The step to go to" },
                "condition": anything("Kustomer's condition tree; none means always"),
                "meta": anything("Kustomer's own data (`name` labels the branch)"),
            },
        },
    })
}

fn trigger() -> Value {
    json!({
        "type": "object",
        "description": "Which event starts a run (`eventName`, needed unless `callable`), and which transitions decide whether it runs",
        "properties": {
            "id": optional_string("Always `\"1\"` in Kustomer"),
            "eventName": optional_string("e.g. `kustomer.conversation.update`"),
            "transitions": transitions("Where a run starts"),
            "callable": { "type": "boolean", "description": "Started by a call with inputs rather than an event" },
            "schema": anything("A callable workflow's input schema"),
            "meta": anything("Kustomer's own data"),
            "appVersion": optional_string("Accepted and ignored"),
        },
    })
}

fn steps() -> Value {
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": { "type": "string" },
                "action": optional_string("The action's name (`kustomer.conversation.update`, an app's); none for a branching step"),
                "params": anything("The action's parameters, with `{{{...}}}` templates"),
                "transitions": transitions("Where to go after the step"),
                "errorCases": transitions("Where to go when the action fails"),
                "meta": anything("Kustomer's own data"),
                "appVersion": optional_string("Accepted and ignored"),
            },
        },
    })
}

/// The members of a workflow the engine reads, with `required` ones.
fn definition(required: &[&str], description: &str) -> Value {
    json!({
        "type": "object",
        "description": description,
        "required": required,
        "properties": {
            "id": optional_string("Kustomer's workflow id; the name stands in when absent"),
            "name": { "type": "string" },
            "description": optional_string("What the workflow does"),
            "enabled": { "type": "boolean", "description": "Whether events start it (default true)" },
            "trigger": trigger(),
            "steps": steps(),
            "variables": {
                "type": "object",
                "description": "Variables by name: a value, or `{\"value\": ..., \"secure\": true}`",
                "additionalProperties": true,
            },
            "response": anything("A callable workflow's response schema (kept, not enforced)"),
            "meta": anything("Kustomer's own data"),
        },
    })
}

/// Declares a named component from a JSON schema, with the components it refers to.
macro_rules! component {
    ($(#[$doc:meta])* $name:ident, $build:expr $(, uses $($used:ident),+)?) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                schema($build)
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            #[allow(unused_variables)]
            fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
                $($(schemas.push(($used::name().into(), $used::schema()));)+)?
            }
        }
    };
}

component!(
    /// The body of `POST /v1/workflows`: a workflow as Kustomer exports it.
    WorkflowCreate,
    definition(
        &["name", "trigger"],
        "A workflow as Kustomer exports it; also accepted wrapped as Kustomer answers it (`{\"data\": {...}}`, `{\"type\": \"workflow\", \"id\", \"attributes\": {...}}`). Other members are accepted and ignored.",
    )
);

component!(
    /// The body of `PUT /v1/workflows/{id}`: the members to replace.
    WorkflowUpdate,
    {
        let mut body = definition(
            &[],
            "The members to replace (`{\"steps\": [...]}`, `{\"enabled\": false}`); the others are kept. Also accepted inside `data` (then alone) and `attributes` (then not also beside it). The result is checked like a new workflow.",
        );
        body["properties"]["id"] = json!({
            "type": "string",
            "description": "When given, the id of the path",
        });
        body["properties"]["data"] = json!({
            "type": "object",
            "description": "Kustomer's envelope: the members (or `attributes`) to replace",
        });
        body["properties"]["attributes"] = json!({
            "type": "object",
            "description": "The members to replace",
        });
        body
    }
);

component!(
    /// A workflow as the API answers it.
    Workflow,
    json!({
        "type": "object",
        "required": ["type", "id", "attributes"],
        "additionalProperties": false,
        "properties": {
            "type": { "type": "string", "enum": ["workflow"] },
            "id": { "type": "string" },
            "attributes": {
                "type": "object",
                "description": "The definition as installed (secure variables masked as `[secure:<name>]`) and the event that starts it",
                "required": ["name", "enabled", "trigger", "steps", "variables", "eventName"],
                "properties": {
                    "name": { "type": "string" },
                    "description": { "type": "string" },
                    "enabled": { "type": "boolean" },
                    "trigger": { "type": "object" },
                    "steps": { "type": "array", "items": { "type": "object" } },
                    "variables": { "type": "object" },
                    "eventName": { "type": "string" },
                },
            },
        },
    })
);

component!(
    /// `{"data": <workflow>}`.
    WorkflowData,
    json!({
        "type": "object",
        "required": ["data"],
        "additionalProperties": false,
        "properties": { "data": reference("Workflow") },
    }),
    uses Workflow
);

component!(
    /// `{"data": [<workflow>, ...]}`: every workflow of the org, in one answer.
    WorkflowList,
    json!({
        "type": "object",
        "required": ["data"],
        "additionalProperties": false,
        "properties": { "data": { "type": "array", "items": reference("Workflow") } },
    }),
    uses Workflow
);

component!(
    /// The body of `PUT /v1/workflows/{id}/variables`.
    WorkflowVariablesUpdate,
    json!({
        "type": "object",
        "description": "Variables to set, by name: a value, or `{\"value\": ..., \"secure\": true}` (a secure variable stays secure); the others keep their values",
        "additionalProperties": true,
    })
);

component!(
    /// `{"data": {name: value}}`, secure values masked.
    WorkflowVariablesData,
    json!({
        "type": "object",
        "required": ["data"],
        "additionalProperties": false,
        "properties": {
            "data": {
                "type": "object",
                "description": "The values by name; a secure one is `[secure:<name>]`",
                "additionalProperties": true,
            },
        },
    })
);

/// A workflow id in the path: Kustomer's id, or the name of a workflow installed without
/// one.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WorkflowIdPath {
    /// The workflow's id.
    #[param(min_length = 1)]
    pub id: String,
}
