//! Customer: just enough to own conversations.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::insights::Sentiment;
use super::resource::{ToMany, ToOne, resource};
use super::{Company, Conversation, LastMessage, Message, Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;

/// A customer as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: Id,
    pub attributes: CustomerAttributes,
    pub relationships: CustomerRelationships,
    /// Whether `displayName` was written; if not, it follows `name`.
    #[serde(default)]
    pub display_name_written: bool,
}

/// One email or phone entry: `{"type": "home", "email": "..."}` / `{"type", "phone"}`.
/// Kept as the object the client sent (validated to carry its value as a string).
pub type ContactEntry = Map<String, Value>;

/// A customer's attributes, in Kustomer's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerAttributes {
    #[schema(required = true)]
    pub name: Option<String>,
    /// `displayName` as written, else `name`.
    #[schema(required = true)]
    pub display_name: Option<String>,
    /// Kustomer picks a colour and icon for its avatar; the mock leaves them `null`.
    #[serde(default)]
    #[schema(required = true)]
    pub display_color: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub display_icon: Option<String>,
    /// The id of the customer's company (see the `company` relationship).
    #[serde(default)]
    #[schema(required = true)]
    pub company: Option<String>,
    /// `[{"externalId": "...", "verified": true}]`, as written (also below: every list
    /// of entries is kept as written).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub external_ids: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub shared_external_ids: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(required = true)]
    pub signed_up_at: Option<Timestamp>,
    #[serde(default)]
    #[schema(required = true)]
    pub avatar_url: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub username: Option<String>,
    /// As written.
    #[schema(value_type = Vec<EmailEntry>)]
    pub emails: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<EmailEntry>)]
    pub shared_emails: Vec<ContactEntry>,
    /// As written.
    #[schema(value_type = Vec<PhoneEntry>)]
    pub phones: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<PhoneEntry>)]
    pub shared_phones: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<PhoneEntry>)]
    pub whatsapps: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub facebook_ids: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub instagram_ids: Vec<ContactEntry>,
    /// `[{"type": "twitter", "userid": "...", "username": "..."}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub socials: Vec<ContactEntry>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub shared_socials: Vec<ContactEntry>,
    /// `[{"type": "website", "url": "..."}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub urls: Vec<ContactEntry>,
    /// `[{"type": "home", "name": "...", "address": "..."}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub locations: Vec<ContactEntry>,
    /// Users looking at the customer now; the mock has no sessions, so none.
    #[serde(default)]
    pub active_users: Vec<Id>,
    #[serde(default)]
    pub watchers: Vec<Id>,
    /// Where the customer was last seen; `{}` in the mock.
    #[serde(default)]
    pub recent_location: RecentLocation,
    #[serde(default)]
    #[schema(required = true)]
    pub locale: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub default_lang: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub time_zone: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub birthday_at: Option<Timestamp>,
    /// `m`, `f` or `null`, as written.
    #[serde(default)]
    #[schema(required = true)]
    pub gender: Option<Gender>,
    /// `offline`: the mock has no live sessions.
    #[serde(default)]
    pub presence: Presence,
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// Tag ids.
    pub tags: Vec<Id>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// As written (the mock tracks no sessions or visits).
    #[serde(default)]
    #[schema(required = true)]
    pub last_seen_at: Option<Timestamp>,
    #[serde(default)]
    #[schema(required = true)]
    pub last_activity_at: Option<Timestamp>,
    #[serde(default)]
    #[schema(required = true)]
    pub last_customer_activity_at: Option<Timestamp>,
    /// `{}` in the mock (kept on the conversation, not the customer).
    #[serde(default)]
    pub last_message_in: LastMessage,
    /// The customer's newest conversation, kept as its conversations change.
    #[serde(default)]
    pub last_conversation: LastConversation,
    /// Kept as its conversations are created, deleted, change status or move.
    #[serde(default)]
    pub conversation_counts: ConversationCounts,
    /// `{}` in the mock.
    #[serde(default)]
    pub preview: Preview,
    /// As an analysis wrote it; `{}` until then.
    #[serde(default)]
    pub sentiment: Sentiment,
    /// `null` in the mock.
    #[serde(default)]
    #[schema(required = true)]
    pub progressive_status: Option<String>,
    /// `false`: the mock verifies no one.
    #[serde(default)]
    pub verified: bool,
    #[schema(minimum = 1)]
    pub rev: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// `m` or `f`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    M,
    F,
}

/// Whether the customer is online; always `offline` in the mock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    #[default]
    Offline,
    Online,
}

/// `{"updatedAt": ...}` once a location is known; `{}` in the mock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecentLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Timestamp>, nullable = false)]
    pub updated_at: Option<Timestamp>,
}

/// The customer's latest conversation; `{}` while it has none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LastConversation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>, nullable = false)]
    pub id: Option<Id>,
}

/// How many of the customer's conversations are in each status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationCounts {
    pub all: u32,
    pub snoozed: u32,
    pub open: u32,
    pub done: u32,
}

/// The latest message's preview; `{}` in the mock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preview {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Timestamp>, nullable = false)]
    pub preview_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub text: Option<String>,
}

/// `{"type": "home", "email": "..."}`; other members are kept as written.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes entries kept as `ContactEntry` maps.
pub struct EmailEntry {
    pub email: String,
    #[schema(rename = "type", nullable = false)]
    pub kind: Option<String>,
}

/// `{"type": "mobile", "phone": "..."}`; other members are kept as written.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes entries kept as `ContactEntry` maps.
pub struct PhoneEntry {
    pub phone: String,
    #[schema(rename = "type", nullable = false)]
    pub kind: Option<String>,
}

/// A customer's relationships, in Kustomer's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_many)]
    pub conversations: ToMany<Customer, Conversation>,
    #[schema(schema_with = crate::openapi::resources::to_many)]
    pub messages: ToMany<Customer, Message>,
    /// The company the customer's `company` names; absent until one is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::resources::to_one::<Company>, required = false)]
    pub company: Option<ToOne<Company>>,
}

resource!(
    Customer {
        CustomerAttributes,
        CustomerRelationships
    },
    kind = "customer",
    collection = "customers",
    read_only = [
        "displayColor",
        "displayIcon",
        "activeUsers",
        "watchers",
        "recentLocation",
        "presence",
        "lastMessageIn",
        "lastConversation",
        "conversationCounts",
        "preview",
        "progressiveStatus",
        "verified",
        "rev",
        "createdAt",
        "updatedAt",
        "modifiedAt"
    ],
);

impl Customer {
    /// A new customer with every optional field empty (before the write's fields apply).
    pub fn new(id: Id, org: Id, actor: Id, at: Timestamp) -> Customer {
        Customer {
            id,
            attributes: CustomerAttributes {
                name: None,
                display_name: None,
                display_color: None,
                display_icon: None,
                company: None,
                external_ids: Vec::new(),
                shared_external_ids: Vec::new(),
                signed_up_at: None,
                avatar_url: None,
                username: None,
                emails: Vec::new(),
                shared_emails: Vec::new(),
                phones: Vec::new(),
                shared_phones: Vec::new(),
                whatsapps: Vec::new(),
                facebook_ids: Vec::new(),
                instagram_ids: Vec::new(),
                socials: Vec::new(),
                shared_socials: Vec::new(),
                urls: Vec::new(),
                locations: Vec::new(),
                active_users: Vec::new(),
                watchers: Vec::new(),
                recent_location: RecentLocation::default(),
                locale: None,
                default_lang: None,
                time_zone: None,
                birthday_at: None,
                gender: None,
                presence: Presence::Offline,
                external_id: None,
                tags: Vec::new(),
                custom: Map::new(),
                last_seen_at: None,
                last_activity_at: None,
                last_customer_activity_at: None,
                last_message_in: LastMessage::default(),
                last_conversation: LastConversation::default(),
                conversation_counts: ConversationCounts::default(),
                preview: Preview::default(),
                sentiment: Sentiment::default(),
                progressive_status: None,
                verified: false,
                rev: 1,
                created_at: at,
                updated_at: at,
                modified_at: at,
            },
            relationships: CustomerRelationships {
                created_by: ToOne::new(actor),
                modified_by: ToOne::new(actor),
                org: ToOne::new(org),
                conversations: ToMany::new(id),
                messages: ToMany::new(id),
                company: None,
            },
            display_name_written: false,
        }
    }
}

/// The flat body of `POST /v1/customers` and `PUT`/`PATCH /v1/customers/{id}`; every field
/// is optional; an attribute the customer does not have, or one only the server sets, is
/// refused.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerWrite {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// `[{"type": "home", "email": "..."}]`: each entry needs a string `email`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<EmailEntry>>)]
    pub emails: Option<Vec<ContactEntry>>,
    /// `[{"type": "mobile", "phone": "..."}]`: each entry needs a string `phone`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<PhoneEntry>>)]
    pub phones: Option<Vec<ContactEntry>>,
    /// Unique within the org.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    /// Tag ids of this org.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Id>>)]
    pub tags: Option<Vec<String>>,
    /// Custom attributes, merged into the existing ones.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
    /// The id of a company of this org (links the `company` relationship); `null`
    /// unlinks it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Id>)]
    pub company: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub external_ids: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub shared_external_ids: Option<Vec<ContactEntry>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub signed_up_at: Option<Option<Timestamp>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub username: Option<Option<String>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<EmailEntry>>)]
    pub shared_emails: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<PhoneEntry>>)]
    pub shared_phones: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<PhoneEntry>>)]
    pub whatsapps: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub facebook_ids: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub instagram_ids: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub socials: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub shared_socials: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub urls: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub locations: Option<Vec<ContactEntry>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub locale: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub default_lang: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub time_zone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub birthday_at: Option<Option<Timestamp>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub last_seen_at: Option<Option<Timestamp>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub last_activity_at: Option<Option<Timestamp>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub last_customer_activity_at: Option<Option<Timestamp>>,
    /// `{"polarity": 1, "confidence": 0.8}`; `null` empties it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Sentiment>)]
    pub sentiment: Option<Option<Sentiment>>,
}

impl super::Writable for CustomerWrite {
    type Of = Customer;
}
