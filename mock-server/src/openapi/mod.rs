//! The OpenAPI 3.1 document of `/v1`, generated from the code.
//!
//! Each handler carries its `#[utoipa::path]`, and `/v1` is routed only through those
//! annotations ([`crate::api::documented_routes`]), so every route is in the document.
//! Request bodies are the types the handlers parse (`model::*Write`); answers are the
//! objects' own declarations ([`resources`]). What every `/v1` request may meet on its way through the
//! pipeline (400, 401, 403, 413, 429, 503, the rate-limit and request-id headers) is added
//! to every operation here, once.

pub mod bulk_job;
pub mod record_events;
pub mod requests;
pub mod resources;
pub mod schedule_read;

/// Every type the handlers' `#[utoipa::path]` annotations name.
pub mod doc {
    pub use super::bulk_job::{BulkItems, BulkJobData};
    pub use super::record_events::{RecordEventData, RecordEventList};
    pub use super::requests::*;
    pub use super::resources::*;
    pub use super::schedule_read::ScheduleRead;
}

use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use utoipa::OpenApi;

/// The root of the document; paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "kustomer-mock /v1",
        description = "The part of Kustomer's REST API that kustomer-mock serves: conversations, customers, companies, messages, notes, drafts, tags, search, users, teams, shortcuts and the caller's identity. Errors use Kustomer's body (`{\"errors\": [{\"status\": <integer>, \"code\", \"title\", \"detail\", \"source\"}]}`).",
        license(name = "MIT OR Apache-2.0"),
    ),
    components(schemas(requests::ErrorBody)),
    tags(
        (name = "conversations", description = "Conversations: what workflows act on most"),
        (name = "customers", description = "Customers, who own conversations"),
        (name = "tags", description = "Tags, held by id on conversations and customers"),
        (name = "notes", description = "Internal notes on a conversation, also served by id and per customer"),
        (name = "messages", description = "Messages on a conversation, recorded (never sent)"),
        (name = "search", description = "Kustomer's search (`POST /v1/customers/search`)"),
        (name = "identity", description = "Who the API key is"),
        (name = "users", description = "Users (agents and machine users), who create, change and are assigned records"),
        (name = "teams", description = "Teams of users, assigned to conversations"),
        (name = "shortcuts", description = "Saved replies (served from the fixtures)"),
        (name = "companies", description = "Companies, which customers belong to"),
        (name = "drafts", description = "Outbound drafts; sending one records its message (nothing leaves the machine)"),
        (name = "klasses", description = "Klasses: the org's custom object types"),
        (name = "kobjects", description = "KObjects: records of a klass (orders, bookings), optionally of a customer"),
        (name = "hooks", description = "Inbound hooks: data posted to them starts workflows"),
    ),
)]
struct ApiDoc;

/// The document as JSON (built once: it depends only on the code).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| document_with(None))
}

/// The document with the operations of routes another crate adds under `/v1`
/// ([`crate::MockServerBuilder::v1_routes`]): `extra`'s paths (relative to `/v1`), schemas
/// and tags join the mock's, and its operations get the pipeline's answers and headers
/// like the mock's own.
pub fn document_with(extra: Option<utoipa::openapi::OpenApi>) -> Value {
    let mut v1 = crate::api::documented_routes().into_openapi();
    if let Some(extra) = extra {
        v1.merge(extra);
    }
    let mut openapi = ApiDoc::openapi().nest("/v1", v1);
    openapi.info.version = env!("CARGO_PKG_VERSION").to_string();
    let mut doc = serde_json::to_value(&openapi).unwrap_or_else(|_| json!({}));
    add_components(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                add_pipeline_responses(path, operation);
            }
        }
    }
    doc
}

/// The answers the pipeline can give before (or instead of) the handler, by status.
const PIPELINE_ERRORS: [(&str, &str, &str); 6] = [
    (
        "400",
        "BadRequest",
        "Malformed request: bad JSON, a wrong type, a bad id or query parameter, or a bad `x-kmock-cause` header; `source` points at the culprit",
    ),
    (
        "401",
        "Unauthorized",
        "No API key, a key without the `Bearer ` prefix, or an unknown or expired key",
    ),
    (
        "403",
        "Forbidden",
        "The key lacks the role this route needs, or the caller's address is outside the key's CIDR blocks",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than the server's limit (1 MiB by default)",
    ),
    (
        "429",
        "TooManyRequests",
        "A rate limit is spent (the org's, the record's, or search's); `Retry-After` says when to retry",
    ),
    (
        "503",
        "Unavailable",
        "The server is shutting down, or a fault rule injected this answer (`x-kmock-fault` names it)",
    ),
];

/// Routes with an `{id}` may also answer this.
const NOT_FOUND: (&str, &str, &str) =
    ("404", "NotFound", "No record with this id in the key's org");

/// The headers of every `/v1` answer (the rate-limit ones once the key is known).
const COMMON_HEADERS: [(&str, &str); 4] = [
    (
        "x-kmock-request-id",
        "The request's id: its journal entry's and its events' id",
    ),
    ("x-ratelimit-limit", "Requests the org may make per window"),
    ("x-ratelimit-remaining", "Requests left in this window"),
    (
        "x-ratelimit-reset",
        "When the window resets, in epoch seconds",
    ),
];

/// Security (`Authorization: Bearer <API key>` on every request), the shared error
/// responses and the shared headers.
fn add_components(doc: &mut Value) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    root.insert("security".into(), json!([{ "bearer": [] }]));
    let Some(components) = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    else {
        return;
    };
    components.insert(
        "securitySchemes".into(),
        json!({
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key of the org: `Authorization: Bearer <key>`. Keys carry roles, may expire and may be limited to CIDR blocks."
            }
        }),
    );
    let headers: Map<String, Value> = COMMON_HEADERS
        .iter()
        .map(|(name, description)| {
            let schema = if *name == "x-kmock-request-id" {
                json!({ "type": "string", "pattern": "^[0-9a-f]{24}$" })
            } else {
                json!({ "type": "integer", "minimum": 0 })
            };
            (
                name.to_string(),
                json!({ "description": description, "schema": schema }),
            )
        })
        .collect();
    components.insert("headers".into(), Value::Object(headers));
    let responses: Map<String, Value> = PIPELINE_ERRORS
        .iter()
        .chain([&NOT_FOUND])
        .map(|(_, name, description)| {
            let mut response = json!({
                "description": description,
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
            });
            if let Some(response) = response.as_object_mut() {
                add_header_refs(response);
            }
            (name.to_string(), response)
        })
        .collect();
    components.insert("responses".into(), Value::Object(responses));
}

/// Refers every answer of `operation` to the shared headers, and adds the pipeline's
/// errors it does not describe itself.
fn add_pipeline_responses(path: &str, operation: &mut Map<String, Value>) {
    let Some(responses) = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    else {
        return;
    };
    for response in responses.values_mut().filter_map(Value::as_object_mut) {
        add_header_refs(response);
    }
    let not_found = path.contains("{id}").then_some(&NOT_FOUND);
    for (status, name, _) in PIPELINE_ERRORS.iter().chain(not_found) {
        responses
            .entry(status.to_string())
            .or_insert_with(|| json!({ "$ref": format!("#/components/responses/{name}") }));
    }
}

fn add_header_refs(response: &mut Map<String, Value>) {
    let Some(headers) = response
        .entry("headers")
        .or_insert_with(|| json!({}))
        .as_object_mut()
    else {
        return;
    };
    for (name, _) in COMMON_HEADERS {
        headers
            .entry(name.to_string())
            .or_insert_with(|| json!({ "$ref": format!("#/components/headers/{name}") }));
    }
}
