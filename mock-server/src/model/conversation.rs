//! Conversation: the record workflows act on most.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::insights::{Milestone, Queue, Sentiment, SuggestedTag};
use super::resource::{ToMany, ToOne, resource};
use super::{Customer, LastMessage, Message, MessageChannel, Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;

/// `open`, `snoozed` or `done`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatus {
    Open,
    Snoozed,
    Done,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Open => "open",
            ConversationStatus::Snoozed => "snoozed",
            ConversationStatus::Done => "done",
        }
    }
}

/// `in` (customer started it) or `out` (the org started it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// A conversation as stored: its id, attributes and relationships, each rendered by its
/// derived serializer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Conversation {
    pub id: Id,
    pub attributes: ConversationAttributes,
    pub relationships: ConversationRelationships,
}

/// A conversation's attributes, in Kustomer's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConversationAttributes {
    #[schema(required = true)]
    pub name: Option<String>,
    pub status: ConversationStatus,
    #[schema(minimum = 1, maximum = 5)]
    pub priority: u8,
    pub direction: Direction,
    /// Tag ids.
    pub tags: Vec<Id>,
    /// As an analysis wrote them (the mock suggests none).
    #[serde(default)]
    pub suggested_tags: Vec<SuggestedTag>,
    /// User ids.
    pub assigned_users: Vec<Id>,
    /// Team ids.
    pub assigned_teams: Vec<Id>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// When the snooze ends and what then, as written.
    #[schema(required = true, value_type = Option<Object>)]
    pub snooze: Option<Value>,
    pub ended: bool,
    #[schema(required = true)]
    pub ended_at: Option<Timestamp>,
    /// Why it ended, as written.
    #[serde(default)]
    #[schema(required = true)]
    pub ended_reason: Option<String>,
    /// Who marked it done last (`null` while it is not done).
    #[serde(default)]
    #[schema(required = true, value_type = Option<Id>)]
    pub ended_by: Option<Id>,
    /// `user` while `endedBy` is set (the mock's writers are users).
    #[serde(default)]
    #[schema(required = true)]
    pub ended_by_type: Option<String>,
    /// As written; the mock does not enforce it.
    #[serde(default)]
    pub locked: bool,
    pub done_count: u32,
    pub reopen_count: u32,
    /// Kept by the store from the conversation's messages (read-only).
    #[serde(default)]
    pub message_count: u32,
    #[serde(default)]
    pub outbound_message_count: u32,
    /// Kept by the store from the conversation's notes (read-only).
    #[serde(default)]
    pub note_count: u32,
    /// The channels of its messages, in the order they first appeared.
    #[serde(default)]
    pub channels: Vec<MessageChannel>,
    #[serde(default)]
    pub last_message_in: LastMessage,
    #[serde(default)]
    pub last_message_out: LastMessage,
    /// When a message was last added (`null` until one is).
    #[serde(default)]
    #[schema(required = true)]
    pub last_activity_at: Option<Timestamp>,
    /// The first outbound message: when, by whom, how long after the conversation began.
    #[serde(default)]
    pub first_response: Milestone,
    /// The first and the latest time it was marked done (`{}` until then).
    #[serde(default)]
    pub first_done: Milestone,
    #[serde(default)]
    pub last_done: Milestone,
    /// Customer satisfaction, -1 to 1, as written (Kustomer's default is 0).
    #[serde(default = "neutral")]
    #[schema(required = true, minimum = -1, maximum = 1)]
    pub satisfaction: Option<i8>,
    /// As an analysis wrote it; `{}` until then.
    #[serde(default)]
    pub sentiment: Sentiment,
    /// As written (the mock routes nothing).
    #[serde(default)]
    #[schema(required = true)]
    pub queue: Option<Queue>,
    /// Set by Kustomer's external routing; always `null` in the mock.
    #[serde(default)]
    #[schema(required = true)]
    pub external_queue: Option<String>,
    /// A status' sub-status id, as written.
    #[serde(default)]
    #[schema(required = true)]
    pub sub_status: Option<String>,
    /// A brand id, as written.
    #[serde(default)]
    #[schema(required = true)]
    pub brand: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub reply_channel: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub default_lang: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub locale: Option<String>,
    /// Grows by one on every change.
    #[schema(minimum = 1)]
    pub rev: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
    #[schema(required = true)]
    pub imported_at: Option<Timestamp>,
    /// When each attribute last changed, by `<attribute>At`.
    pub modification_history: BTreeMap<String, Timestamp>,
}

/// A conversation's relationships, in Kustomer's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConversationRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Customer>)]
    pub customer: ToOne<Customer>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_many)]
    pub messages: ToMany<Conversation, Message>,
}

resource!(
    Conversation {
        ConversationAttributes,
        ConversationRelationships
    },
    kind = "conversation",
    collection = "conversations",
    read_only = [
        "ended",
        "endedAt",
        "endedBy",
        "endedByType",
        "doneCount",
        "reopenCount",
        "messageCount",
        "outboundMessageCount",
        "noteCount",
        "channels",
        "lastMessageIn",
        "lastMessageOut",
        "lastActivityAt",
        "firstResponse",
        "firstDone",
        "lastDone",
        "externalQueue",
        "rev",
        "createdAt",
        "updatedAt",
        "modifiedAt",
        "modificationHistory"
    ],
);

/// Kustomer's satisfaction before anyone rates: 0.
fn neutral() -> Option<i8> {
    Some(0)
}

impl Conversation {
    /// A new open conversation with every optional field empty, as a create starts it
    /// (before the write's fields are applied).
    pub fn open(id: Id, org: Id, customer: Id, actor: Id, at: Timestamp) -> Conversation {
        Conversation {
            id,
            attributes: ConversationAttributes {
                name: None,
                status: ConversationStatus::Open,
                priority: 3,
                direction: Direction::In,
                tags: Vec::new(),
                suggested_tags: Vec::new(),
                assigned_users: Vec::new(),
                assigned_teams: Vec::new(),
                custom: Map::new(),
                external_id: None,
                snooze: None,
                ended: false,
                ended_at: None,
                ended_reason: None,
                ended_by: None,
                ended_by_type: None,
                locked: false,
                done_count: 0,
                reopen_count: 0,
                message_count: 0,
                outbound_message_count: 0,
                note_count: 0,
                channels: Vec::new(),
                last_message_in: LastMessage::default(),
                last_message_out: LastMessage::default(),
                last_activity_at: None,
                first_response: Milestone::default(),
                first_done: Milestone::default(),
                last_done: Milestone::default(),
                satisfaction: neutral(),
                sentiment: Sentiment::default(),
                queue: None,
                external_queue: None,
                sub_status: None,
                brand: None,
                reply_channel: None,
                default_lang: None,
                locale: None,
                rev: 1,
                created_at: at,
                updated_at: at,
                modified_at: at,
                imported_at: None,
                modification_history: BTreeMap::new(),
            },
            relationships: ConversationRelationships {
                customer: ToOne::new(customer),
                created_by: ToOne::new(actor),
                modified_by: ToOne::new(actor),
                org: ToOne::new(org),
                messages: ToMany::new(id),
            },
        }
    }

    /// The customer who owns the conversation.
    pub fn customer(&self) -> Id {
        self.relationships.customer.id
    }

    /// The org the conversation belongs to.
    pub fn org(&self) -> Id {
        self.relationships.org.id
    }
}

/// The flat body of `POST`/`PUT`/`PATCH /v1/conversations`: the writable attributes. An
/// attribute the conversation does not have, or one only the server sets, is refused;
/// `null` clears a nullable field.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConversationWrite {
    /// The customer's id; required on create, fixed after.
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$", example = "64a0c0ffee00000000000c01")]
    pub customer: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default)]
    pub status: Option<ConversationStatus>,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub priority: Option<i64>,
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Tag ids of this org (not names: the tag routes take names).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Id>>)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub suggested_tags: Option<Vec<SuggestedTag>>,
    /// User ids.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Id>>)]
    pub assigned_users: Option<Vec<String>>,
    /// Team ids.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Id>>)]
    pub assigned_teams: Option<Vec<String>>,
    /// Custom attributes, merged into the existing ones.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
    /// Unique within the org.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    /// When the snooze ends and what then, e.g. `{"time": "...", "status": "open"}`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Object>)]
    pub snooze: Option<Option<Map<String, Value>>>,
    /// Why it ended.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub ended_reason: Option<Option<String>>,
    #[serde(default)]
    pub locked: Option<bool>,
    /// -1 to 1; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i8>, minimum = -1, maximum = 1)]
    pub satisfaction: Option<Option<i8>>,
    /// `{"polarity": 1, "confidence": 0.8}`; `null` empties it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Sentiment>)]
    pub sentiment: Option<Option<Sentiment>>,
    /// `{"id": "<queue id>"}` or `{"external": "amazon-connect"}`; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Queue>)]
    pub queue: Option<Option<Queue>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub sub_status: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub brand: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub reply_channel: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub default_lang: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub locale: Option<Option<String>>,
    /// When the conversation was imported (create only).
    #[serde(default)]
    #[schema(value_type = Option<Timestamp>)]
    pub imported_at: Option<Timestamp>,
}

impl super::Writable for ConversationWrite {
    type Of = Conversation;
}
