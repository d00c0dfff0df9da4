//! Users: agents (from fixtures) and machine users (one per API key, plus each org's
//! "Workflow" and "System" users), who show as `createdBy`/`modifiedBy`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::to_one;
use crate::clock::Timestamp;
use crate::ids::Id;

/// `user` (a person, e.g. an agent) or `machine` (an API key or the platform).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UserType {
    User,
    Machine,
}

/// A user of an org.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Id,
    pub org: Id,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub user_type: UserType,
    pub created_at: Timestamp,
}

impl User {
    /// A machine user.
    pub fn machine(id: Id, org: Id, name: &str, created_at: Timestamp) -> User {
        User {
            id,
            org,
            name: name.to_string(),
            email: None,
            user_type: UserType::Machine,
            created_at,
        }
    }

    /// The `GET /v1/users/current` resource.
    pub fn resource(&self) -> Value {
        json!({
            "type": "user",
            "id": self.id,
            "attributes": {
                "name": self.name,
                "displayName": self.name,
                "email": self.email,
                "userType": self.user_type,
                "createdAt": self.created_at,
                "updatedAt": self.created_at,
            },
            "relationships": { "org": to_one("org", None, self.org) },
            "links": { "self": format!("/v1/users/{}", self.id) },
        })
    }
}
