//! Shortcut: a saved reply agents insert into a message. The mock serves the fixtures'
//! shortcuts for sync clients; it does not expand them.
//!
//! Not in Kustomer's Core Resources reference; the attribute names follow public
//! Kustomer clients (tap-kustomer's shortcuts stream).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{ToOne, resource};
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A shortcut as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Shortcut {
    pub id: Id,
    pub attributes: ShortcutAttributes,
    pub relationships: ShortcutRelationships,
}

/// A shortcut's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShortcutAttributes {
    pub name: String,
    /// What the shortcut inserts, as written (e.g. `{"text": "..."}`).
    #[schema(value_type = Object)]
    pub payload: Map<String, Value>,
    pub is_private: bool,
    pub deleted: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// A shortcut's relationships.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShortcutRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
}

resource!(
    Shortcut {
        ShortcutAttributes,
        ShortcutRelationships
    },
    kind = "shortcut",
    collection = "shortcuts",
    read_only = ["deleted", "createdAt", "updatedAt", "modifiedAt"],
);

impl Shortcut {
    /// A live, shared shortcut.
    pub fn new(
        id: Id,
        org: Id,
        name: &str,
        payload: Map<String, Value>,
        created_by: Id,
        created_at: Timestamp,
    ) -> Shortcut {
        Shortcut {
            id,
            attributes: ShortcutAttributes {
                name: name.to_string(),
                payload,
                is_private: false,
                deleted: false,
                created_at,
                updated_at: created_at,
                modified_at: created_at,
            },
            relationships: ShortcutRelationships {
                created_by: ToOne::new(created_by),
                modified_by: ToOne::new(created_by),
                org: ToOne::new(org),
            },
        }
    }
}
