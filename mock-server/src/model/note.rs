//! Note: an internal note on a conversation (what `kustomer.note.create` writes).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{ToOne, resource};
use super::{Conversation, Customer, Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A note as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Note {
    pub id: Id,
    pub attributes: NoteAttributes,
    pub relationships: NoteRelationships,
}

/// A note's attributes, in Kustomer's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteAttributes {
    pub body: String,
    /// `[{"user": "<user id>"}]`, as Kustomer keeps them.
    #[schema(value_type = Vec<UserMention>)]
    pub user_mentions: Vec<Value>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `{"user": "<user id>"}`: a user the note mentions.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes mentions kept as JSON values.
pub struct UserMention {
    #[schema(nullable = false)]
    pub user: Option<String>,
}

/// A note's relationships, in Kustomer's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Conversation>)]
    pub conversation: ToOne<Conversation>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Customer>)]
    pub customer: ToOne<Customer>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
}

resource!(
    Note {
        NoteAttributes,
        NoteRelationships
    },
    kind = "note",
    collection = "notes",
    read_only = ["createdAt", "updatedAt"],
);

/// The body of `POST /v1/conversations/{id}/notes` (and of `kustomer.note.create`, which
/// names the conversation in `conversation`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    #[schema(value_type = Option<Vec<UserMention>>)]
    pub user_mentions: Option<Vec<Map<String, Value>>>,
}

impl super::Writable for NoteWrite {
    type Of = Note;
}
