//! Outbound account: an address or number the org sends from (what a draft's `from`
//! names). Served from the fixtures by `GET /v1/outboundAccounts`.

use serde::{Deserialize, Serialize};

use super::resource::{ToOne, resource};
use super::{MessageChannel, Org};
use crate::support::ids::Id;

/// An outbound account as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundAccount {
    pub id: Id,
    pub attributes: OutboundAccountAttributes,
    pub relationships: OutboundAccountRelationships,
}

/// An outbound account's attributes, as Kustomer's reference lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutboundAccountAttributes {
    pub channel: MessageChannel,
    /// What agents see (`Acme support`, `(800) 555-1212`).
    pub name: String,
    /// The address or number itself.
    pub account: String,
}

/// An outbound account's relationships (the reference shows none; the mock names the org).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutboundAccountRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
}

resource!(
    OutboundAccount {
        OutboundAccountAttributes,
        OutboundAccountRelationships
    },
    kind = "outbound_account",
    collection = "outboundAccounts",
    read_only = [],
);
