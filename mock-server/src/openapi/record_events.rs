//! The schema of `GET /v1/customers/{id}/events` and `/v1/conversations/{id}/events`:
//! a page of Kustomer's `customer_event` resources (see `store/record_events.rs`).

use std::borrow::Cow;

use serde_json::{Value, json};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::resources::list_schema;

/// A page of a record's events.
pub struct RecordEventList;

/// One event of a record: `{"data": <customer_event>}`.
pub struct RecordEventData;

/// A relationship member of an event: the related record, or `null` when it has none.
fn relationship() -> Value {
    json!({
        "type": ["object", "null"],
        "properties": {
            "links": {
                "type": "object",
                "properties": {"self": {"type": "string"}},
                "required": ["self"],
                "additionalProperties": false,
            },
            "data": {
                "type": "object",
                "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
                "required": ["type", "id"],
                "additionalProperties": false,
            },
        },
        "required": ["links", "data"],
        "additionalProperties": false,
    })
}

fn event() -> Value {
    let instant = json!({"type": "string", "format": "date-time"});
    let relations = [
        "org",
        "createdBy",
        "modifiedBy",
        "customer",
        "conversation",
        "message",
    ];
    let relationships: serde_json::Map<String, Value> = relations
        .iter()
        .map(|name| ((*name).to_string(), relationship()))
        .collect();
    json!({
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["customer_event"]},
            "id": {"type": "string"},
            "attributes": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "example": "kustomer.conversation.update"},
                    "type": {"type": "string", "example": "conversation"},
                    "publishedAt": instant,
                    "createdAt": instant,
                    "updatedAt": instant,
                    "modifiedAt": instant,
                    "changes": {
                        "type": "object",
                        "description": "`{attributes, relationships}`, each member `{op, before, after}`; empty on a create or delete.",
                        "properties": {
                            "attributes": {"type": "object"},
                            "relationships": {"type": "object"},
                        },
                    },
                    "location": {"type": "null"},
                    "meta": {"type": "null"},
                },
                "required": ["name", "type", "publishedAt", "createdAt", "updatedAt", "modifiedAt", "changes", "location", "meta"],
                "additionalProperties": false,
            },
            "relationships": {
                "type": "object",
                "properties": relationships,
                "required": relations,
                "additionalProperties": false,
            },
            "links": {
                "type": "object",
                "properties": {"self": {"type": "string"}},
                "required": ["self"],
                "additionalProperties": false,
            },
        },
        "required": ["type", "id", "attributes", "relationships", "links"],
        "additionalProperties": false,
    })
}

impl PartialSchema for RecordEventList {
    fn schema() -> RefOr<Schema> {
        list_schema(event())
    }
}

impl ToSchema for RecordEventList {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RecordEventList")
    }
}

impl PartialSchema for RecordEventData {
    fn schema() -> RefOr<Schema> {
        super::resources::schema(json!({
            "type": "object",
            "properties": {"data": event()},
            "required": ["data"],
            "additionalProperties": false,
        }))
    }
}

impl ToSchema for RecordEventData {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RecordEventData")
    }
}
