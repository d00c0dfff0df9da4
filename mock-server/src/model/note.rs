//! Note: an internal note on a conversation (what `kustomer.note.create` writes).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Record, insert_audit_relationships, to_one};
use crate::clock::Timestamp;
use crate::ids::Id;

/// A note as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: Id,
    pub org: Id,
    pub conversation: Id,
    pub customer: Id,
    pub body: String,
    /// `[{"user": "<user id>"}]`, as Kustomer keeps them.
    pub user_mentions: Vec<Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Id,
    pub modified_by: Id,
}

impl Record for Note {
    const KIND: &'static str = "note";
    const COLLECTION: &'static str = "notes";

    fn id(&self) -> Id {
        self.id
    }

    fn attributes(&self) -> Map<String, Value> {
        let value = json!({
            "body": self.body,
            "userMentions": self.user_mentions,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        });
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn relationships(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert(
            "conversation".into(),
            to_one("conversation", Some("conversations"), self.conversation),
        );
        map.insert(
            "customer".into(),
            to_one("customer", Some("customers"), self.customer),
        );
        insert_audit_relationships(&mut map, self.created_by, self.modified_by, self.org);
        map
    }
}

/// The body of `POST /v1/conversations/{id}/notes` (and of `kustomer.note.create`, which
/// names the conversation in `conversation`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteWrite {
    /// The conversation's id (the path names it on `/v1/conversations/{id}/notes`).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub conversation: Option<String>,
    /// The note's text; required, not blank.
    #[serde(default)]
    #[schema(pattern = "\\S", required = true, nullable = false)]
    pub body: Option<String>,
    /// `[{"user": "<user id>"}]`: each entry an object.
    #[serde(default)]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::UserMention>>)]
    pub user_mentions: Option<Vec<Map<String, Value>>>,
}
