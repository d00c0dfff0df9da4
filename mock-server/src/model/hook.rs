//! Hook: an inbound webhook. Posting to its address publishes
//! `kustomer.hooks.<type>.<id>.receive` with the posted data, which starts the workflows
//! listening to it.
//!
//! Not in Kustomer's Core Resources reference. The three types and their URLs
//! (`/v1/hooks/form/{id}/{hash}` without authentication, `/v1/hooks/web/{id}` with a key,
//! an inbound email address) follow Kustomer's public help pages; the attribute names
//! (`type`, `name`, `eventName`, `url`, `hash`, `address`) are a guess.

use serde::{Deserialize, Serialize};

use super::resource::{ToOne, resource};
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A hook as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hook {
    pub id: Id,
    pub attributes: HookAttributes,
    pub relationships: HookRelationships,
}

/// How data reaches a hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HookType {
    /// Posted without authentication to `/v1/hooks/form/{id}/{hash}` (JSON or a form).
    Form,
    /// Posted with an API key to `/v1/hooks/web/{id}`.
    Web,
    /// Mailed to its address; the mock stands for the mail with
    /// `POST /__admin/hooks/email/{id}`.
    Email,
}

impl HookType {
    /// The word in its URL and event name.
    pub fn as_str(self) -> &'static str {
        match self {
            HookType::Form => "form",
            HookType::Web => "web",
            HookType::Email => "email",
        }
    }

    /// The type named in a URL.
    pub fn parse(text: &str) -> Option<HookType> {
        match text {
            "form" => Some(HookType::Form),
            "web" => Some(HookType::Web),
            "email" => Some(HookType::Email),
            _ => None,
        }
    }
}

/// A hook's attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HookAttributes {
    #[serde(rename = "type")]
    pub hook_type: HookType,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `kustomer.hooks.<type>.<id>.receive`: what a workflow's trigger names.
    pub event_name: String,
    /// The path data is posted to (absent for email hooks).
    #[serde(default)]
    pub url: Option<String>,
    /// A form hook's secret path segment.
    #[serde(default)]
    pub hash: Option<String>,
    /// An email hook's inbound address.
    #[serde(default)]
    pub address: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A hook's relationships.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HookRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
}

resource!(
    Hook {
        HookAttributes,
        HookRelationships
    },
    kind = "hook",
    collection = "hooks",
    read_only = [
        "type",
        "eventName",
        "url",
        "hash",
        "address",
        "createdAt",
        "updatedAt"
    ],
);

/// The body of `POST /v1/hooks/{type}`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HookWrite {
    /// What the hook is for; required, not blank.
    #[serde(default)]
    #[schema(pattern = "\\S", required = true, nullable = false)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

impl super::Writable for HookWrite {
    type Of = Hook;
}
