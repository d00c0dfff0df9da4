//! Note: an internal note on a conversation (what `kustomer.note.create` writes), served
//! on its conversation, its customer and at `/v1/notes`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::listed::ToManyListed;
use super::resource::{ToOne, resource};
use super::{Conversation, Customer, Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;

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
    #[serde(default)]
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// `[{"_id", "name", "contentType", "contentLength"}]`, as written (the mock keeps
    /// no files).
    #[serde(default)]
    #[schema(value_type = Vec<NoteAttachment>)]
    pub attachments: Vec<Map<String, Value>>,
    #[serde(default)]
    #[schema(required = true)]
    pub lang: Option<String>,
    /// Set by an edit's `deleted: true` (`DELETE` removes the note instead).
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    #[schema(required = true)]
    pub imported_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Notes saved before it existed read back the epoch.
    #[serde(default)]
    pub modified_at: Timestamp,
}

/// `{"_id", "name", "contentType", "contentLength"}`: a file attached to a note.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)] // Describes attachments kept as JSON objects.
pub struct NoteAttachment {
    #[schema(rename = "_id")]
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub content_length: f64,
    #[schema(nullable = false)]
    pub source_id: Option<String>,
}

/// `{"user": "<user id>"}` or `{"team": "<team id>"}`: whom the note mentions.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes mentions kept as JSON values.
pub struct UserMention {
    #[schema(nullable = false)]
    pub user: Option<String>,
    #[schema(nullable = false)]
    pub team: Option<String>,
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
    /// The users the note mentions (the `user` members of `userMentions`), as Kustomer
    /// answers them.
    #[schema(schema_with = crate::openapi::resources::to_many_listed::<User>)]
    #[serde(default = "no_mentions")]
    pub user_mentions: ToManyListed<User>,
}

/// Notes saved before mentions were a relationship.
fn no_mentions() -> ToManyListed<User> {
    ToManyListed::new(Vec::new())
}

/// The users of `userMentions` entries (`{"user": "<id>"}`); team mentions and entries
/// without a valid id are not users.
pub fn mentioned_users(mentions: &[Value]) -> ToManyListed<User> {
    let ids = mentions
        .iter()
        .filter_map(|m| m.get("user")?.as_str().and_then(Id::parse))
        .collect();
    ToManyListed::new(ids)
}

resource!(
    Note {
        NoteAttributes,
        NoteRelationships
    },
    kind = "note",
    collection = "notes",
    read_only = ["createdAt", "updatedAt", "modifiedAt"],
);

impl Note {
    /// The conversation the note is on.
    pub fn conversation(&self) -> Id {
        self.relationships.conversation.id
    }
}

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
    #[schema(value_type = Option<Vec<UserMention>>, max_items = 20)]
    pub user_mentions: Option<Vec<Map<String, Value>>>,
    #[serde(default)]
    #[schema(max_length = 256)]
    pub external_id: Option<String>,
    /// Each entry needs string `_id`, `name` and `contentType`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<NoteAttachment>>)]
    pub attachments: Option<Vec<Map<String, Value>>>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub lang: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Timestamp>)]
    pub imported_at: Option<Timestamp>,
}

impl super::Writable for NoteWrite {
    type Of = Note;
}

/// The body of `PUT`/`PATCH /v1/notes/{id}` (and of `kustomer.note.update`): what an
/// edit may change. A note stays on its conversation; `null` clears a nullable field.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteEdit {
    /// The note's own conversation (a note cannot move).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub conversation: Option<String>,
    /// Not blank.
    #[serde(default)]
    #[schema(pattern = "\\S", max_length = 10240)]
    pub body: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<UserMention>>, max_items = 20)]
    pub user_mentions: Option<Vec<Map<String, Value>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 256)]
    pub external_id: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<NoteAttachment>>)]
    pub attachments: Option<Vec<Map<String, Value>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub lang: Option<Option<String>>,
    /// `null` is `false`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub deleted: Option<Option<bool>>,
}

impl super::Writable for NoteEdit {
    type Of = Note;
}
