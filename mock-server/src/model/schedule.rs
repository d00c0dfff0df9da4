//! Schedule: an org's business hours (per weekday, in a time zone); one is the default.
//! The attributes are those Kustomer's reference lists for a schedule.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{ToOne, resource};
use super::{Org, User};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A schedule as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Schedule {
    pub id: Id,
    pub attributes: ScheduleAttributes,
    pub relationships: ScheduleRelationships,
}

/// A schedule's attributes, in the reference's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleAttributes {
    pub name: String,
    /// By weekday (`"0"` Sunday to `"6"` Saturday): `null` (closed) or a list of
    /// `[start, end]` minutes since midnight (0 to 1440).
    #[schema(value_type = Object)]
    pub hours: Map<String, Value>,
    /// An IANA time zone name, e.g. `America/New_York` (kept as written).
    pub timezone: String,
    /// The org's default schedule (exactly one has it once the org has a schedule).
    pub default: bool,
    /// Set only on the answer of `DELETE` (the record is gone after it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A schedule's relationships, in the reference's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub created_by: ToOne<User>,
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub modified_by: ToOne<User>,
    /// Set only on the answer of `DELETE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::resources::to_one::<User>)]
    pub deleted_by: Option<ToOne<User>>,
}

resource!(
    Schedule {
        ScheduleAttributes,
        ScheduleRelationships
    },
    kind = "schedule",
    collection = "schedules",
    read_only = [
        "deleted",
        "deletedAt",
        "createdAt",
        "modifiedAt",
        "updatedAt"
    ],
);

impl Schedule {
    /// A new schedule (before the write's fields apply).
    pub fn new(id: Id, org: Id, actor: Id, at: Timestamp) -> Schedule {
        Schedule {
            id,
            attributes: ScheduleAttributes {
                name: String::new(),
                hours: Map::new(),
                timezone: String::new(),
                default: false,
                deleted: false,
                deleted_at: None,
                created_at: at,
                modified_at: at,
                updated_at: at,
            },
            relationships: ScheduleRelationships {
                org: ToOne::new(org),
                created_by: ToOne::new(actor),
                modified_by: ToOne::new(actor),
                deleted_by: None,
            },
        }
    }
}

/// The body of `POST /v1/schedules` and `PUT /v1/schedules/{id}`. The reference marks
/// every field required on both; the mock requires them on create and merges on `PUT`.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleWrite {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 256)]
    pub name: Option<String>,
    /// `{"1": [[540, 1020]], ..., "0": null}`: weekday `"0"` (Sunday) to `"6"`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub hours: Option<Map<String, Value>>,
    #[serde(default)]
    #[schema(min_length = 1)]
    pub timezone: Option<String>,
    /// `true` makes this the org's default (the previous default loses it).
    #[serde(default)]
    pub default: Option<bool>,
}

impl super::Writable for ScheduleWrite {
    type Of = Schedule;
}
