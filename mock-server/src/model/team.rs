//! Team: a group of users that conversations are assigned to (`assignedTeams`).
//!
//! Not in Kustomer's Core Resources reference; the attribute names follow public
//! Kustomer clients (tap-kustomer's teams stream).

use serde::{Deserialize, Serialize};

use super::resource::{ToOne, resource};
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A team as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Team {
    pub id: Id,
    pub attributes: TeamAttributes,
    pub relationships: TeamRelationships,
}

/// A team's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamAttributes {
    pub name: String,
    pub display_name: String,
    #[schema(required = true)]
    pub icon: Option<String>,
    /// The ids of the team's users.
    pub members: Vec<Id>,
    pub deleted: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub modified_at: Timestamp,
}

/// A team's relationships.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
}

resource!(
    Team {
        TeamAttributes,
        TeamRelationships
    },
    kind = "team",
    collection = "teams",
    read_only = ["deleted", "createdAt", "updatedAt", "modifiedAt"],
);

impl Team {
    /// A live team called `name` (its display name too unless one is given).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: Id,
        org: Id,
        name: &str,
        display_name: Option<&str>,
        icon: Option<String>,
        members: Vec<Id>,
        created_by: Id,
        created_at: Timestamp,
    ) -> Team {
        Team {
            id,
            attributes: TeamAttributes {
                name: name.to_string(),
                display_name: display_name.unwrap_or(name).to_string(),
                icon,
                members,
                deleted: false,
                created_at,
                updated_at: created_at,
                modified_at: created_at,
            },
            relationships: TeamRelationships {
                created_by: ToOne::new(created_by),
                modified_by: ToOne::new(created_by),
                org: ToOne::new(org),
            },
        }
    }
}
