//! Brand: a name and icon an org shows its customers; one brand is the org's default.
//! The attributes are those Kustomer's reference lists for a brand.

use serde::{Deserialize, Serialize};

use super::resource::{ToOne, resource};
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;

/// A brand as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Brand {
    pub id: Id,
    pub attributes: BrandAttributes,
    pub relationships: BrandRelationships,
}

/// A brand's attributes, in the reference's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BrandAttributes {
    pub name: String,
    #[schema(required = true)]
    pub icon_url: Option<String>,
    /// The org's default brand (the first one made; exactly one brand has it).
    pub default: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// A brand's relationships, in the reference's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BrandRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
}

resource!(
    Brand {
        BrandAttributes,
        BrandRelationships
    },
    kind = "brand",
    collection = "brands",
    read_only = ["default", "createdAt", "updatedAt", "modifiedAt"],
);

impl Brand {
    /// A new brand named `name`, not the default.
    pub fn new(id: Id, org: Id, actor: Id, name: String, at: Timestamp) -> Brand {
        Brand {
            id,
            attributes: BrandAttributes {
                name,
                icon_url: None,
                default: false,
                created_at: at,
                updated_at: at,
                modified_at: at,
            },
            relationships: BrandRelationships {
                org: ToOne::new(org),
                created_by: ToOne::new(actor),
                modified_by: ToOne::new(actor),
            },
        }
    }
}

/// The body of `POST /v1/brands` (both fields required, as the reference has them) and
/// `PATCH /v1/brands/{id}` (a merge of the fields it names).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BrandWrite {
    /// At least 1 character.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 256)]
    pub name: Option<String>,
    /// At least 1 character.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 2048)]
    pub icon_url: Option<Option<String>>,
}

impl super::Writable for BrandWrite {
    type Of = Brand;
}
