//! `{"data": <schedule>, "included": []}`: a single schedule's read, with the holidays
//! Kustomer includes (the mock keeps none).

use std::borrow::Cow;

use serde_json::json;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::resources::One;

pub struct ScheduleRead;

impl PartialSchema for ScheduleRead {
    fn schema() -> RefOr<Schema> {
        let value = json!({
            "type": "object",
            "properties": {
                "data": {"$ref": "#/components/schemas/Schedule"},
                "included": {"type": "array", "maxItems": 0, "items": {}},
            },
            "required": ["data", "included"],
            "additionalProperties": false,
        });
        serde_json::from_value(value).unwrap_or_else(|_| RefOr::T(Schema::default()))
    }
}

impl ToSchema for ScheduleRead {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ScheduleRead")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        One::<crate::model::Schedule>::schemas(schemas);
    }
}
