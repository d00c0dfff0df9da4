//! Draft: an outbound message an agent or a workflow prepared for a customer. Sending it
//! (now, or at `sendAt` on the mock's clock) records the outbound message on its
//! conversation; nothing leaves the machine.
//!
//! Kustomer's reference gives one body per channel; the mock keeps one draft shape with
//! the union of their fields, each kept as written.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{ToOne, resource};
use super::{Conversation, Customer, Message, MessageChannel, Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;

/// `draft` (being written), `scheduled` (has a `sendAt`) or `sent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DraftStatus {
    Draft,
    Scheduled,
    Sent,
}

/// A draft as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Draft {
    pub id: Id,
    pub attributes: DraftAttributes,
    pub relationships: DraftRelationships,
}

/// A draft's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftAttributes {
    pub channel: MessageChannel,
    /// The app that will carry it (`postmark`, `twilio`…), as written.
    #[schema(required = true)]
    pub app: Option<String>,
    #[schema(required = true)]
    pub body: Option<String>,
    #[schema(required = true)]
    pub html_body: Option<String>,
    #[schema(required = true)]
    pub subject: Option<String>,
    /// An address, a list of `{"email", "name"}` or one of them, as the channel writes it.
    #[schema(required = true, value_type = Option<serde_json::Value>)]
    pub to: Option<Value>,
    #[schema(required = true, value_type = Option<serde_json::Value>)]
    pub from: Option<Value>,
    #[schema(value_type = Vec<Object>)]
    pub cc: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub bcc: Vec<Value>,
    #[schema(required = true)]
    pub reply_to: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub headers: Vec<Value>,
    /// The editor's state (`{"draftJs": ...}`), as written.
    #[schema(value_type = Object)]
    pub payload: Map<String, Value>,
    pub status: DraftStatus,
    /// When the draft is to be sent; `null` when it is not scheduled.
    #[schema(required = true)]
    pub send_at: Option<Timestamp>,
    /// When it was sent (the mock's name).
    #[schema(required = true)]
    pub sent_at: Option<Timestamp>,
    pub auto: bool,
    /// `bulk`, `satisfaction` or `biz-rules`, as written.
    #[schema(required = true)]
    pub source: Option<String>,
    #[schema(required = true)]
    pub lang: Option<String>,
    #[schema(required = true)]
    pub template: Option<String>,
    pub shortcuts: Vec<Id>,
    pub kb_articles: Vec<Id>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// A draft's relationships.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Customer>)]
    pub customer: ToOne<Customer>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    /// The conversation it goes out on; absent until one is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::resources::to_one::<Conversation>, required = false)]
    pub conversation: Option<ToOne<Conversation>>,
    /// The message sending it recorded (the mock's name); absent until sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::resources::to_one::<Message>, required = false)]
    pub message: Option<ToOne<Message>>,
}

resource!(
    Draft {
        DraftAttributes,
        DraftRelationships
    },
    kind = "draft",
    collection = "drafts",
    read_only = ["sentAt", "createdAt", "updatedAt", "modifiedAt"],
);

impl Draft {
    /// The customer the draft is for.
    pub fn customer(&self) -> Id {
        self.relationships.customer.id
    }

    /// The conversation it goes out on, if named.
    pub fn conversation(&self) -> Option<Id> {
        self.relationships.conversation.map(|c| c.id)
    }
}

/// The body of `POST /v1/customers/{id}/drafts` and `PUT /v1/drafts/{id}`: the fields it
/// names (`channel` is required on create). `status: "sent"` sends the draft now;
/// `sendAt` schedules it, `sendAt: null` unschedules it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DraftWrite {
    #[serde(default)]
    pub channel: Option<MessageChannel>,
    /// A conversation of the draft's customer.
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub conversation: Option<String>,
    /// The draft's own customer (the path names it).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub customer: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 256)]
    pub app: Option<String>,
    #[serde(default)]
    #[schema(max_length = 10240)]
    pub body: Option<String>,
    #[serde(default)]
    #[schema(max_length = 10240)]
    pub html_body: Option<String>,
    #[serde(default)]
    #[schema(max_length = 256)]
    pub subject: Option<String>,
    /// An address or number, `{"email", "name"}` or a list of them.
    #[serde(default)]
    #[schema(value_type = Option<serde_json::Value>)]
    pub to: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<serde_json::Value>)]
    pub from: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub cc: Option<Vec<Map<String, Value>>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub bcc: Option<Vec<Map<String, Value>>>,
    #[serde(default)]
    #[schema(max_length = 256)]
    pub reply_to: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub headers: Option<Vec<Map<String, Value>>>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub payload: Option<Map<String, Value>>,
    /// `sent` sends the draft now; `draft` or `scheduled` are kept as they follow
    /// `sendAt`.
    #[serde(default)]
    pub status: Option<DraftStatus>,
    /// Schedules the draft (`null` unschedules it).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub send_at: Option<Option<Timestamp>>,
    /// `false` unschedules the draft, as `sendAt: null` does.
    #[serde(default)]
    pub scheduled: Option<bool>,
    #[serde(default)]
    pub auto: Option<bool>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub lang: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub template: Option<Option<String>>,
    /// `email-reply`, `email-autoresponse` or `email-satisfaction`, accepted and not kept.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub template_type: Option<Option<String>>,
    /// Shortcut ids.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Id>>)]
    pub shortcuts: Option<Vec<String>>,
    /// Knowledge-base article ids.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Id>>)]
    pub kb_articles: Option<Vec<String>>,
}

impl super::Writable for DraftWrite {
    type Of = Draft;
}
