//! Conversation: the record workflows act on most.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Record, audit_relationship, fields, opt_ts, to_one};
use crate::clock::Timestamp;
use crate::ids::Id;
use crate::json_object::{object, string};
use crate::nullable::nullable;

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

/// A conversation as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: Id,
    pub org: Id,
    pub customer: Id,
    pub name: Option<String>,
    pub status: ConversationStatus,
    pub priority: u8,
    pub direction: Direction,
    pub tags: Vec<Id>,
    pub assigned_users: Vec<Id>,
    pub assigned_teams: Vec<Id>,
    pub custom: Map<String, Value>,
    pub external_id: Option<String>,
    pub snooze: Option<Value>,
    pub ended: bool,
    pub ended_at: Option<Timestamp>,
    pub done_count: u32,
    pub reopen_count: u32,
    pub rev: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
    pub imported_at: Option<Timestamp>,
    pub modification_history: BTreeMap<String, Timestamp>,
    pub created_by: Id,
    pub modified_by: Id,
}

impl Conversation {
    /// A new open conversation with every optional field empty, as a create starts it
    /// (before the write's fields are applied).
    pub fn open(id: Id, org: Id, customer: Id, actor: Id, at: Timestamp) -> Conversation {
        Conversation {
            id,
            org,
            customer,
            name: None,
            status: ConversationStatus::Open,
            priority: 3,
            direction: Direction::In,
            tags: Vec::new(),
            assigned_users: Vec::new(),
            assigned_teams: Vec::new(),
            custom: Map::new(),
            external_id: None,
            snooze: None,
            ended: false,
            ended_at: None,
            done_count: 0,
            reopen_count: 0,
            rev: 1,
            created_at: at,
            updated_at: at,
            modified_at: at,
            imported_at: None,
            modification_history: BTreeMap::new(),
            created_by: actor,
            modified_by: actor,
        }
    }
}

/// The attributes of a conversation's JSON form, in Kustomer's order.
const ATTRIBUTES: &[&str] = &[
    "name",
    "status",
    "priority",
    "direction",
    "tags",
    "assignedUsers",
    "assignedTeams",
    "custom",
    "externalId",
    "snooze",
    "ended",
    "endedAt",
    "doneCount",
    "reopenCount",
    "rev",
    "createdAt",
    "updatedAt",
    "modifiedAt",
    "importedAt",
    "modificationHistory",
];

/// The relationships of a conversation's JSON form, in Kustomer's order.
const RELATIONSHIPS: &[&str] = &["customer", "createdBy", "modifiedBy", "org", "messages"];

impl Record for Conversation {
    const KIND: &'static str = "conversation";
    const COLLECTION: &'static str = "conversations";

    fn id(&self) -> Id {
        self.id
    }

    fn attributes(&self) -> Map<String, Value> {
        fields(ATTRIBUTES, |name| self.attribute(name))
    }

    fn attribute(&self, name: &str) -> Option<Value> {
        let ids = |ids: &[Id]| Value::Array(ids.iter().map(|id| string(id.to_hex())).collect());
        let text = |t: &Option<String>| t.clone().map(Value::String).unwrap_or(Value::Null);
        Some(match name {
            "name" => text(&self.name),
            "status" => string(self.status.as_str()),
            "priority" => self.priority.into(),
            "direction" => string(self.direction.as_str()),
            "tags" => ids(&self.tags),
            "assignedUsers" => ids(&self.assigned_users),
            "assignedTeams" => ids(&self.assigned_teams),
            "custom" => Value::Object(self.custom.clone()),
            "externalId" => text(&self.external_id),
            "snooze" => self.snooze.clone().unwrap_or(Value::Null),
            "ended" => self.ended.into(),
            "endedAt" => opt_ts(self.ended_at),
            "doneCount" => self.done_count.into(),
            "reopenCount" => self.reopen_count.into(),
            "rev" => self.rev.into(),
            "createdAt" => string(self.created_at.to_iso()),
            "updatedAt" => string(self.updated_at.to_iso()),
            "modifiedAt" => string(self.modified_at.to_iso()),
            "importedAt" => opt_ts(self.imported_at),
            "modificationHistory" => Value::Object(
                self.modification_history
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.to_iso())))
                    .collect(),
            ),
            _ => return None,
        })
    }

    /// The lists and the custom map: what costs most to render (ids are rendered one to
    /// one, and maps compare as maps either way).
    fn same_attribute(&self, other: &Self, name: &str) -> Option<bool> {
        Some(match name {
            "tags" => self.tags == other.tags,
            "assignedUsers" => self.assigned_users == other.assigned_users,
            "assignedTeams" => self.assigned_teams == other.assigned_teams,
            "custom" => self.custom == other.custom,
            _ => return None,
        })
    }

    fn relationships(&self) -> Map<String, Value> {
        fields(RELATIONSHIPS, |name| self.relationship(name))
    }

    fn relationship(&self, name: &str) -> Option<Value> {
        match name {
            "customer" => Some(to_one("customer", Some("customers"), self.customer)),
            "messages" => Some(object([(
                "links",
                object([(
                    "self",
                    string(format!("/v1/conversations/{}/messages", self.id)),
                )]),
            )])),
            _ => audit_relationship(name, self.created_by, self.modified_by, self.org),
        }
    }
}

/// The flat body of `POST`/`PUT`/`PATCH /v1/conversations`. Unknown fields are ignored;
/// `null` clears a nullable field.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
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
    #[schema(value_type = Option<Vec<crate::openapi::schemas::Id>>)]
    pub tags: Option<Vec<String>>,
    /// User ids.
    #[serde(default)]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::Id>>)]
    pub assigned_users: Option<Vec<String>>,
    /// Team ids.
    #[serde(default)]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::Id>>)]
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
    /// When the conversation was imported (create only).
    #[serde(default)]
    #[schema(value_type = Option<crate::openapi::schemas::Instant>)]
    pub imported_at: Option<Timestamp>,
}
