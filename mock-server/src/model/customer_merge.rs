//! Customer merge: the record of one customer (the source) merged into another (the
//! target), as `POST /v1/customers/merges` answers it. The merge itself changes the
//! customers and their records (see the store's `customer_merges`); this record only says
//! what was merged, by whom and how it went.

use serde::{Deserialize, Serialize};

use super::resource::{ToOne, resource};
use super::{Customer, Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A customer merge as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerMerge {
    pub id: Id,
    pub attributes: CustomerMergeAttributes,
    pub relationships: CustomerMergeRelationships,
}

/// How a merge went: the mock merges at once, so always `success`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MergeStatus {
    Success,
}

/// A merge's attributes, in the reference's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerMergeAttributes {
    pub status: MergeStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A merge's relationships, in the reference's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerMergeRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    /// The customer merged away (deleted by the merge).
    #[schema(schema_with = crate::openapi::resources::to_one::<Customer>)]
    pub source: ToOne<Customer>,
    /// The customer that holds both afterwards.
    #[schema(schema_with = crate::openapi::resources::to_one::<Customer>)]
    pub target: ToOne<Customer>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
}

resource!(
    CustomerMerge {
        CustomerMergeAttributes,
        CustomerMergeRelationships
    },
    kind = "customer_merge",
    collection = "customers/merges",
    read_only = ["status", "createdAt", "updatedAt"],
);

impl CustomerMerge {
    /// A finished merge of `source` into `target`.
    pub fn new(id: Id, org: Id, actor: Id, source: Id, target: Id, at: Timestamp) -> Self {
        CustomerMerge {
            id,
            attributes: CustomerMergeAttributes {
                status: MergeStatus::Success,
                created_at: at,
                updated_at: at,
            },
            relationships: CustomerMergeRelationships {
                org: ToOne::new(org),
                source: ToOne::new(source),
                target: ToOne::new(target),
                created_by: ToOne::new(actor),
            },
        }
    }

    /// Whether the merge involved `customer`, as source or target.
    pub fn involves(&self, customer: Id) -> bool {
        self.relationships.source.id == customer || self.relationships.target.id == customer
    }
}

/// The body of `POST /v1/customers/merges`: both ids required, nothing else.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerMergeWrite {
    /// The customer merged away.
    #[schema(value_type = Id)]
    pub source: String,
    /// The customer kept.
    #[schema(value_type = Id)]
    pub target: String,
}

impl super::Writable for CustomerMergeWrite {
    type Of = CustomerMerge;
}
