//! Customer: just enough to own conversations.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Record, audit_relationship, fields};
use crate::clock::Timestamp;
use crate::ids::Id;
use crate::nullable::nullable;

/// A customer as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: Id,
    pub org: Id,
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub emails: Vec<ContactEntry>,
    pub phones: Vec<ContactEntry>,
    pub external_id: Option<String>,
    pub tags: Vec<Id>,
    pub custom: Map<String, Value>,
    pub rev: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
    pub created_by: Id,
    pub modified_by: Id,
}

/// One email or phone entry: `{"type": "home", "email": "..."}` / `{"type", "phone"}`.
/// Kept as the object the client sent (validated to carry its value as a string).
pub type ContactEntry = Map<String, Value>;

/// The attributes of a customer's JSON form, in Kustomer's order.
const ATTRIBUTES: &[&str] = &[
    "name",
    "displayName",
    "emails",
    "phones",
    "externalId",
    "tags",
    "custom",
    "rev",
    "createdAt",
    "updatedAt",
    "modifiedAt",
];

/// The relationships of a customer's JSON form, in Kustomer's order.
const RELATIONSHIPS: &[&str] = &["createdBy", "modifiedBy", "org", "conversations"];

impl Record for Customer {
    const KIND: &'static str = "customer";
    const COLLECTION: &'static str = "customers";

    fn id(&self) -> Id {
        self.id
    }

    fn attributes(&self) -> Map<String, Value> {
        fields(ATTRIBUTES, |name| self.attribute(name))
    }

    fn attribute(&self, name: &str) -> Option<Value> {
        Some(match name {
            "name" => json!(self.name),
            "displayName" => json!(self.display_name.as_ref().or(self.name.as_ref())),
            "emails" => json!(self.emails),
            "phones" => json!(self.phones),
            "externalId" => json!(self.external_id),
            "tags" => json!(self.tags),
            "custom" => json!(self.custom),
            "rev" => json!(self.rev),
            "createdAt" => json!(self.created_at),
            "updatedAt" => json!(self.updated_at),
            "modifiedAt" => json!(self.modified_at),
            _ => return None,
        })
    }

    fn relationships(&self) -> Map<String, Value> {
        fields(RELATIONSHIPS, |name| self.relationship(name))
    }

    fn relationship(&self, name: &str) -> Option<Value> {
        match name {
            "conversations" => Some(
                json!({ "links": { "self": format!("/v1/customers/{}/conversations", self.id) } }),
            ),
            _ => audit_relationship(name, self.created_by, self.modified_by, self.org),
        }
    }
}

/// The flat body of `POST /v1/customers` and `PUT`/`PATCH /v1/customers/{id}`; every field
/// is optional.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerWrite {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// `[{"type": "home", "email": "..."}]`: each entry needs a string `email`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::EmailEntry>>)]
    pub emails: Option<Vec<ContactEntry>>,
    /// `[{"type": "mobile", "phone": "..."}]`: each entry needs a string `phone`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::PhoneEntry>>)]
    pub phones: Option<Vec<ContactEntry>>,
    /// Unique within the org.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
    /// Tag ids of this org.
    #[serde(default)]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::Id>>)]
    pub tags: Option<Vec<String>>,
    /// Custom attributes, merged into the existing ones.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
}
