//! The schema of the bulk routes' answer: Kustomer's bulk job (see `api/bulk.rs`).

use std::borrow::Cow;

use serde_json::json;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// `{"data": <bulk job>}`.
pub struct BulkJobData;

impl PartialSchema for BulkJobData {
    fn schema() -> RefOr<Schema> {
        let relationship = json!({
            "type": "object",
            "properties": {
                "links": {"type": "object", "properties": {"self": {"type": "string"}}, "required": ["self"], "additionalProperties": false},
                "data": {"type": "object", "properties": {"type": {"type": "string"}, "id": {"type": "string"}}, "required": ["type", "id"], "additionalProperties": false},
            },
            "required": ["links", "data"],
            "additionalProperties": false,
        });
        let instant = json!({"type": "string", "format": "date-time"});
        let value = json!({
            "type": "object",
            "properties": {"data": {
                "type": "object",
                "properties": {
                    "type": {"type": "string", "const": "bulk"},
                    "id": {"type": "string"},
                    "attributes": {
                        "type": "object",
                        "properties": {
                            "ids": {"type": "array", "items": {"type": "string"}, "description": "The records written, in the body's order (without the items that failed)."},
                            "context": {"type": "string", "example": "api.sobjects.customers.bulk-create"},
                            "status": {"type": "string", "enum": ["complete", "failed"], "description": "`failed` when any item failed (see `errors`)."},
                            "v2": {"type": "boolean"},
                            "payload": {
                                "type": "object",
                                "properties": {"api": {
                                    "type": "object",
                                    "properties": {
                                        "data": {"type": ["array", "object"], "description": "The request's items, or `{ids}` for a delete."},
                                        "path": {"type": "string"},
                                        "user": {
                                            "type": "object",
                                            "properties": {
                                                "id": {"type": "string"},
                                                "userType": {"type": "string"},
                                                "roles": {"type": "array", "items": {"type": "string"}},
                                                "orgName": {"type": "string"},
                                                "subject": {"type": "string"},
                                                "org": {"type": "string"},
                                            },
                                            "required": ["id", "userType", "roles", "orgName", "subject", "org"],
                                            "additionalProperties": false,
                                        },
                                        "requestId": {"type": "string"},
                                        "service": {"type": "string"},
                                        "method": {"type": "string"},
                                    },
                                    "required": ["data", "path", "user", "requestId", "service", "method"],
                                    "additionalProperties": false,
                                }},
                                "required": ["api"],
                                "additionalProperties": false,
                            },
                            "errors": {
                                "type": "array",
                                "description": "The items that failed: index, status, code, detail (the mock's addition).",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "index": {"type": "integer"},
                                        "status": {"type": "integer"},
                                        "code": {"type": "string"},
                                        "detail": {"type": "string"},
                                    },
                                    "required": ["index", "status", "code", "detail"],
                                    "additionalProperties": false,
                                },
                            },
                            "createdAt": instant,
                            "updatedAt": instant,
                            "completed": {"type": "boolean"},
                        },
                        "required": ["ids", "context", "status", "v2", "payload", "errors", "createdAt", "updatedAt", "completed"],
                        "additionalProperties": false,
                    },
                    "relationships": {
                        "type": "object",
                        "properties": {"org": relationship, "createdBy": relationship},
                        "required": ["org", "createdBy"],
                        "additionalProperties": false,
                    },
                    "links": {"type": "object", "properties": {"self": {"type": "string"}}, "required": ["self"], "additionalProperties": false},
                },
                "required": ["type", "id", "attributes", "relationships", "links"],
                "additionalProperties": false,
            }},
            "required": ["data"],
            "additionalProperties": false,
        });
        serde_json::from_value(value).unwrap_or_else(|_| RefOr::T(Schema::default()))
    }
}

impl ToSchema for BulkJobData {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("BulkJobData")
    }
}

/// A bulk body: an array of objects (or one), each as the route's single-record write
/// takes it.
/// The items are checked one by one as the job runs and a refused item is listed in the
/// job's `errors`, as Kustomer's asynchronous jobs report it, so the document does not
/// hold each item to the single-record schema.
pub struct BulkItems;

impl PartialSchema for BulkItems {
    fn schema() -> RefOr<Schema> {
        // One object stands for one item (or, with `?ids=`, the change each id takes).
        let value = serde_json::json!({
            "oneOf": [
                { "type": "array", "items": { "type": "object" } },
                { "type": "object" },
            ],
        });
        serde_json::from_value(value).unwrap_or_else(|_| RefOr::T(Schema::default()))
    }
}

impl ToSchema for BulkItems {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("BulkItems")
    }
}
