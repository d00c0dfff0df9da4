//! Tag: a named label; conversations hold tag ids.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Record, insert_audit_relationships, opt_ts};
use crate::clock::Timestamp;
use crate::ids::Id;
use crate::nullable::nullable;

/// A tag as stored. Deleting a tag is soft: `deleted` and `deletedAt` are set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    pub id: Id,
    pub org: Id,
    pub name: String,
    pub color: Option<String>,
    pub deleted: bool,
    pub deleted_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
    pub created_by: Id,
    pub modified_by: Id,
}

impl Record for Tag {
    const KIND: &'static str = "tag";
    const COLLECTION: &'static str = "tags";

    fn id(&self) -> Id {
        self.id
    }

    fn attributes(&self) -> Map<String, Value> {
        let value = json!({
            "name": self.name,
            "color": self.color,
            "deleted": self.deleted,
            "deletedAt": opt_ts(self.deleted_at),
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "modifiedAt": self.modified_at,
        });
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn relationships(&self) -> Map<String, Value> {
        let mut map = Map::new();
        insert_audit_relationships(&mut map, self.created_by, self.modified_by, self.org);
        map
    }
}

/// The body of `POST /v1/tags` (`name` required) and `PUT /v1/tags/{id}`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagWrite {
    /// Unique within the org; required on create, not blank.
    #[serde(default)]
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub color: Option<Option<String>>,
}
