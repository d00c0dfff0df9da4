//! Message: what a customer or an agent said on a conversation, on one channel. The mock
//! records messages; it never sends them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{ToOne, resource};
use super::unkept::ToManyUnkept;
use super::{Conversation, Customer, Direction, Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;

/// The channels Kustomer names on a message (`twitter-dm`, not `twitterDm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MessageChannel {
    Email,
    Sms,
    Chat,
    Facebook,
    TwitterDm,
    TwitterTweet,
    Voice,
    Instagram,
    Whatsapp,
}

/// `sent` (outbound), `received` (inbound) or `error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    Sent,
    Received,
    Error,
}

/// A message as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub id: Id,
    pub attributes: MessageAttributes,
    pub relationships: MessageRelationships,
}

/// A message's attributes, in Kustomer's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageAttributes {
    #[schema(required = true)]
    pub external_id: Option<String>,
    pub channel: MessageChannel,
    /// The app that carried the message (`postmark`, `gmail`, `chat`…), as written.
    pub app: String,
    pub size: u64,
    pub direction: Direction,
    #[schema(required = true)]
    pub preview: Option<String>,
    #[schema(required = true)]
    pub subject: Option<String>,
    /// `{"polarity", "confidence"}` as written (the mock does not analyse text).
    #[schema(required = true, value_type = Option<Object>)]
    pub sentiment: Option<Value>,
    /// The channel's own fields (`from`, `to`, `cc`…), as written.
    #[schema(value_type = Object)]
    pub meta: Map<String, Value>,
    pub status: MessageStatus,
    /// True when a workflow or an auto-response wrote it.
    pub auto: bool,
    #[schema(required = true)]
    pub lang: Option<String>,
    #[schema(required = true)]
    pub sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// A message's relationships, in Kustomer's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Customer>)]
    pub customer: ToOne<Customer>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Conversation>)]
    pub conversation: ToOne<Conversation>,
    /// Always empty: the mock keeps no attachments.
    #[schema(schema_with = crate::openapi::resources::to_many_unkept)]
    pub attachments: ToManyUnkept<Message, Attachment>,
}

/// A file attached to a message: linked to, not kept.
pub struct Attachment;

impl super::Kind for Attachment {
    const KIND: &'static str = "attachment";
    const COLLECTION: Option<&'static str> = Some("attachments");
}

resource!(
    Message {
        MessageAttributes,
        MessageRelationships
    },
    kind = "message",
    collection = "messages",
    read_only = ["createdAt", "updatedAt", "modifiedAt"],
    overrides = {
        /// Kustomer links a message to its channel app's view of it:
        /// `/v1/<app>/messages/<id>`.
        fn related_link(&self) -> Option<String> {
            Some(format!("/v1/{}/messages/{}", self.attributes.app, self.id))
        }
    },
);

impl Message {
    /// The conversation the message is on.
    pub fn conversation(&self) -> Id {
        self.relationships.conversation.id
    }

    /// When the message was sent, or else recorded (what the conversation's
    /// `lastMessageIn`/`lastMessageOut` hold).
    pub fn sent_or_created(&self) -> Timestamp {
        self.attributes
            .sent_at
            .unwrap_or(self.attributes.created_at)
    }
}

/// The body of `POST /v1/messages` and `POST /v1/conversations/{id}/messages` (and of
/// `kustomer.message.create`). `channel`, `app` and `direction` are required.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageWrite {
    /// The conversation's id (the path names it on `/v1/conversations/{id}/messages`).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub conversation: Option<String>,
    /// The customer's id; when given, it must own the conversation.
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub customer: Option<String>,
    #[serde(default)]
    #[schema(max_length = 256)]
    pub external_id: Option<String>,
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub channel: Option<MessageChannel>,
    #[serde(default)]
    #[schema(required = true, nullable = false, min_length = 1)]
    pub app: Option<String>,
    #[serde(default)]
    #[schema(required = true, nullable = false)]
    pub direction: Option<Direction>,
    #[serde(default)]
    #[schema(max_length = 10240)]
    pub preview: Option<String>,
    #[serde(default)]
    #[schema(max_length = 256)]
    pub subject: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    /// Defaults to `received` for `in`, `sent` for `out`.
    #[serde(default)]
    pub status: Option<MessageStatus>,
    #[serde(default)]
    pub auto: Option<bool>,
    #[serde(default)]
    #[schema(value_type = Option<Timestamp>)]
    pub sent_at: Option<Timestamp>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub meta: Option<Map<String, Value>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub sentiment: Option<Map<String, Value>>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub lang: Option<String>,
}

impl super::Writable for MessageWrite {
    type Of = Message;
}

/// The body of `PUT`/`PATCH /v1/messages/{id}` (and of `kustomer.message.update`): what
/// an edit may change. A message stays on its conversation, channel and direction;
/// `null` clears a nullable field.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageEdit {
    /// The message's own conversation (a message cannot move).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub conversation: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 256)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 10240)]
    pub preview: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 256)]
    pub subject: Option<Option<String>>,
    #[serde(default)]
    pub status: Option<MessageStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub sent_at: Option<Option<Timestamp>>,
    #[serde(default)]
    pub size: Option<u64>,
    /// Replaces the message's `meta`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub meta: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Object>)]
    pub sentiment: Option<Option<Map<String, Value>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub lang: Option<Option<String>>,
}

impl super::Writable for MessageEdit {
    type Of = Message;
}

/// `lastMessageIn`/`lastMessageOut` of a conversation: which message, on which channel,
/// sent when. `{}` until there is one (as Kustomer answers a new conversation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LastMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>, nullable = false)]
    pub id: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub channel: Option<MessageChannel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Timestamp>, nullable = false)]
    pub sent_at: Option<Timestamp>,
}

impl LastMessage {
    pub fn of(message: &Message) -> LastMessage {
        LastMessage {
            id: Some(message.id),
            channel: Some(message.attributes.channel),
            sent_at: Some(message.sent_or_created()),
        }
    }
}
