//! Tag: a named label; conversations hold tag ids.

use super::resource::{ToOne, resource};
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::nullable::nullable;
use serde::{Deserialize, Serialize};

/// A tag as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tag {
    pub id: Id,
    pub attributes: TagAttributes,
    pub relationships: TagRelationships,
}

/// A tag's attributes. Deleting a tag is soft: `deleted` and `deletedAt` are set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagAttributes {
    pub name: String,
    #[schema(required = true)]
    pub color: Option<String>,
    pub deleted: bool,
    #[schema(required = true)]
    pub deleted_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// A tag's relationships.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
}

resource!(
    Tag {
        TagAttributes,
        TagRelationships
    },
    kind = "tag",
    collection = "tags",
    read_only = [
        "deleted",
        "deletedAt",
        "createdAt",
        "updatedAt",
        "modifiedAt"
    ],
);

/// The body of `POST /v1/tags` (`name` required) and `PUT /v1/tags/{id}`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagWrite {
    /// Unique within the org; required on create, not blank.
    #[serde(default)]
    #[schema(pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub color: Option<Option<String>>,
}

impl super::Writable for TagWrite {
    type Of = Tag;
}
