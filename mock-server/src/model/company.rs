//! Company: an organisation customers belong to (a customer's `company` relationship).
//!
//! The attributes are the union of what Kustomer's reference lists for a company's
//! answer and its create/update bodies; contact lists are kept as written, as a
//! customer's are.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::customer::{ContactEntry, EmailEntry, PhoneEntry};
use super::resource::{ToOne, resource};
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;

/// A company as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Company {
    pub id: Id,
    pub attributes: CompanyAttributes,
    pub relationships: CompanyRelationships,
}

/// A company's attributes, in the reference's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompanyAttributes {
    pub name: String,
    /// Unique within the org.
    #[schema(required = true)]
    pub external_id: Option<String>,
    #[schema(required = true)]
    pub avatar_url: Option<String>,
    #[schema(value_type = Vec<EmailEntry>)]
    pub emails: Vec<ContactEntry>,
    #[schema(value_type = Vec<PhoneEntry>)]
    pub phones: Vec<ContactEntry>,
    #[schema(value_type = Vec<PhoneEntry>)]
    pub whatsapps: Vec<ContactEntry>,
    /// `[{"type": "twitter", "username": "..."}]`.
    #[schema(value_type = Vec<Object>)]
    pub socials: Vec<ContactEntry>,
    /// `[{"type": "website", "url": "..."}]`.
    #[schema(value_type = Vec<Object>)]
    pub urls: Vec<ContactEntry>,
    /// `[{"domain": "acme.example"}]`.
    #[schema(value_type = Vec<Object>)]
    pub domains: Vec<ContactEntry>,
    #[schema(value_type = Vec<Object>)]
    pub locations: Vec<ContactEntry>,
    /// As written (Kustomer does not count the customers for it).
    #[schema(required = true)]
    pub employee_count: Option<f64>,
    /// Tag ids.
    pub tags: Vec<Id>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    #[schema(required = true)]
    pub default_lang: Option<String>,
    #[schema(required = true)]
    pub imported_at: Option<Timestamp>,
    /// Set by an update's `deleted: true`; the company stays readable.
    pub deleted: bool,
    #[schema(minimum = 1)]
    pub rev: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// A company's relationships, in the reference's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompanyRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
}

resource!(
    Company {
        CompanyAttributes,
        CompanyRelationships
    },
    kind = "company",
    collection = "companies",
    read_only = ["rev", "createdAt", "updatedAt", "modifiedAt"],
);

impl Company {
    /// A new company with every optional field empty (before the write's fields apply).
    pub fn new(id: Id, org: Id, actor: Id, at: Timestamp) -> Company {
        Company {
            id,
            attributes: CompanyAttributes {
                name: String::new(),
                external_id: None,
                avatar_url: None,
                emails: Vec::new(),
                phones: Vec::new(),
                whatsapps: Vec::new(),
                socials: Vec::new(),
                urls: Vec::new(),
                domains: Vec::new(),
                locations: Vec::new(),
                employee_count: None,
                tags: Vec::new(),
                custom: Map::new(),
                default_lang: None,
                imported_at: None,
                deleted: false,
                rev: 1,
                created_at: at,
                updated_at: at,
                modified_at: at,
            },
            relationships: CompanyRelationships {
                org: ToOne::new(org),
                created_by: ToOne::new(actor),
                modified_by: ToOne::new(actor),
            },
        }
    }
}

/// The body of `POST /v1/companies` and `PUT`/`PATCH /v1/companies/{id}`: a merge of the
/// fields it names (`name` is required on create); `null` clears a nullable field.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompanyWrite {
    /// 3 to 256 characters.
    #[serde(default)]
    #[schema(min_length = 3, max_length = 256)]
    pub name: Option<String>,
    /// Unique within the org.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 256)]
    pub external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub avatar_url: Option<Option<String>>,
    /// At most 10, each with a string `email`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<EmailEntry>>, max_items = 10)]
    pub emails: Option<Vec<ContactEntry>>,
    /// At most 10, each with a string `phone`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<PhoneEntry>>, max_items = 10)]
    pub phones: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<PhoneEntry>>, max_items = 10)]
    pub whatsapps: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>, max_items = 10)]
    pub socials: Option<Vec<ContactEntry>>,
    /// At most 10, each with a string `url`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>, max_items = 10)]
    pub urls: Option<Vec<ContactEntry>>,
    /// At most 10, each with a string `domain`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>, max_items = 10)]
    pub domains: Option<Vec<ContactEntry>>,
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>, max_items = 10)]
    pub locations: Option<Vec<ContactEntry>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub employee_count: Option<Option<f64>>,
    /// Tag ids of this org (at most 20).
    #[serde(default)]
    #[schema(value_type = Option<Vec<Id>>, max_items = 20)]
    pub tags: Option<Vec<String>>,
    /// Custom attributes, merged into the existing ones (`null` removes one).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub default_lang: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub imported_at: Option<Option<Timestamp>>,
    /// Marks the company deleted (it stays readable); `null` is `false`.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub deleted: Option<Option<bool>>,
}

impl super::Writable for CompanyWrite {
    type Of = Company;
}
