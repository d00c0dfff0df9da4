//! Users: agents (from fixtures) and machine users (one per API key, plus each org's
//! "Workflow" and "System" users), who show as `createdBy`/`modifiedBy`.

use serde::{Deserialize, Serialize};

use super::Org;
use super::resource::{ToOne, resource};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// `user` (a person, e.g. an agent) or `machine` (an API key or the platform).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UserType {
    User,
    Machine,
}

/// A user of an org.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: Id,
    pub attributes: UserAttributes,
    pub relationships: UserRelationships,
}

/// A user's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserAttributes {
    pub name: String,
    pub display_name: String,
    #[schema(required = true)]
    pub email: Option<String>,
    pub user_type: UserType,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A user's relationships.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
}

resource!(
    User {
        UserAttributes,
        UserRelationships
    },
    kind = "user",
    collection = "users",
    read_only = ["userType", "createdAt", "updatedAt"],
);

impl User {
    /// A user named `name` (its display name too).
    pub fn new(
        id: Id,
        org: Id,
        name: &str,
        email: Option<String>,
        user_type: UserType,
        created_at: Timestamp,
    ) -> User {
        User {
            id,
            attributes: UserAttributes {
                name: name.to_string(),
                display_name: name.to_string(),
                email,
                user_type,
                created_at,
                updated_at: created_at,
            },
            relationships: UserRelationships {
                org: ToOne::new(org),
            },
        }
    }

    /// A machine user.
    pub fn machine(id: Id, org: Id, name: &str, created_at: Timestamp) -> User {
        User::new(id, org, name, None, UserType::Machine, created_at)
    }
}
