//! Customer: just enough to own conversations.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{ToMany, ToOne, resource};
use super::{Conversation, Org, User};
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
    /// As written.
    #[schema(value_type = Vec<EmailEntry>)]
    pub emails: Vec<ContactEntry>,
    /// As written.
    #[schema(value_type = Vec<PhoneEntry>)]
    pub phones: Vec<ContactEntry>,
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// Tag ids.
    pub tags: Vec<Id>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    #[schema(minimum = 1)]
    pub rev: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
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
}

resource!(
    Customer {
        CustomerAttributes,
        CustomerRelationships
    },
    kind = "customer",
    collection = "customers",
    read_only = ["rev", "createdAt", "updatedAt", "modifiedAt"],
);

impl Customer {
    /// A new customer with every optional field empty (before the write's fields apply).
    pub fn new(id: Id, org: Id, actor: Id, at: Timestamp) -> Customer {
        Customer {
            id,
            attributes: CustomerAttributes {
                name: None,
                display_name: None,
                emails: Vec::new(),
                phones: Vec::new(),
                external_id: None,
                tags: Vec::new(),
                custom: Map::new(),
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
}

impl super::Writable for CustomerWrite {
    type Of = Customer;
}
