//! API keys and the machine users they act as.
//!
//! A key never stores its token, only the token's SHA-256 digest: lookups hash the
//! presented token and compare digests, so the token itself is never kept, logged or
//! compared byte by byte.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::resource::ToOne;
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// An API key of one org.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: Id,
    pub org: Id,
    pub name: String,
    pub roles: Vec<String>,
    pub expires_at: Option<Timestamp>,
    pub allowed_cidrs: Vec<IpNet>,
    #[serde(with = "digest_hex")]
    pub token_digest: [u8; 32],
    pub last_token_chars: String,
    /// The machine user that shows as `createdBy`/`modifiedBy` on what the key writes.
    pub user: Id,
    pub created_at: Timestamp,
}

impl ApiKey {
    /// Whether any of `roles` is granted (`org.admin` grants everything).
    pub fn has_any_role(&self, roles: &[&str]) -> bool {
        self.roles
            .iter()
            .any(|r| r == "org.admin" || roles.contains(&r.as_str()))
    }

    /// The public description (no token): what the admin API and
    /// `/v1/auth/tokens/current` show.
    pub fn info(&self) -> ApiKeyInfo {
        ApiKeyInfo {
            id: self.id,
            org: self.org,
            name: self.name.clone(),
            roles: self.roles.clone(),
            expires_at: self.expires_at,
            allowed_cidrs: self.allowed_cidrs.iter().map(|c| c.to_string()).collect(),
            last_token_chars: self.last_token_chars.clone(),
            user: self.user,
            created_at: self.created_at,
        }
    }

    /// The `GET /v1/auth/tokens/current` resource.
    pub fn resource(&self) -> ApiToken {
        ApiToken {
            kind: "apiToken",
            id: self.id,
            attributes: ApiTokenAttributes {
                name: self.name.clone(),
                roles: self.roles.clone(),
                last_token_chars: self.last_token_chars.clone(),
                expires_at: self.expires_at,
                allowed_cidrs: self.allowed_cidrs.iter().map(|c| c.to_string()).collect(),
                created_at: self.created_at,
            },
            relationships: ApiTokenRelationships {
                user: ToOne::new(self.user),
                org: ToOne::new(self.org),
            },
            links: CurrentTokenLink {
                self_: "/v1/auth/tokens/current",
            },
        }
    }
}

/// `{"data": <apiToken>}`: the answer of `GET /v1/auth/tokens/current`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenData {
    pub data: ApiToken,
}

/// The API key of the request as its holder sees it (`type` is `apiToken`): never the
/// secret, only its last characters.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiToken {
    #[serde(rename = "type")]
    #[schema(pattern = "^apiToken$")]
    kind: &'static str,
    id: Id,
    attributes: ApiTokenAttributes,
    relationships: ApiTokenRelationships,
    links: CurrentTokenLink,
}

/// An API key's attributes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiTokenAttributes {
    name: String,
    /// Roles such as `org.permission.conversation.read`.
    roles: Vec<String>,
    last_token_chars: String,
    #[schema(required = true)]
    expires_at: Option<Timestamp>,
    /// CIDR blocks the key may be used from; empty means anywhere.
    allowed_cidrs: Vec<String>,
    created_at: Timestamp,
}

/// An API key's relationships.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    user: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    org: ToOne<Org>,
}

/// `{"self": "/v1/auth/tokens/current"}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentTokenLink {
    #[serde(rename = "self")]
    self_: &'static str,
}

/// A key without its secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInfo {
    pub id: Id,
    pub org: Id,
    pub name: String,
    pub roles: Vec<String>,
    pub expires_at: Option<Timestamp>,
    pub allowed_cidrs: Vec<String>,
    pub last_token_chars: String,
    pub user: Id,
    pub created_at: Timestamp,
}

mod digest_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(digest: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        let text: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(serde::de::Error::custom(
                "token digest must be 64 hex characters",
            ));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let pair = std::str::from_utf8(pair).map_err(serde::de::Error::custom)?;
            out[i] = u8::from_str_radix(pair, 16).map_err(serde::de::Error::custom)?;
        }
        Ok(out)
    }
}
