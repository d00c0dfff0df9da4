//! KObject: a record of a custom object type (a [`Klass`]): an order, a booking, a
//! subscription. Served under its klass's name (`/v1/klasses/order/{id}`), and its events
//! carry the klass too (`kustomer.kobject.order.create`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{SelfLink, ToOne, resource};
use super::{Company, Customer, Klass, Org};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A KObject as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KObject {
    pub id: Id,
    pub attributes: KObjectAttributes,
    pub relationships: KObjectRelationships,
    /// The klass's `name`, for the record's link and its event names (the answer names
    /// the klass by id in `relationships.klass`).
    pub klass: String,
}

/// A KObject's attributes, in Kustomer's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KObjectAttributes {
    pub title: String,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(required = true)]
    pub external_id: Option<String>,
    #[schema(required = true)]
    pub icon: Option<String>,
    pub images: Vec<String>,
    /// Always null in the mock (Kustomer keeps large `data` there).
    #[schema(required = true)]
    pub s3_data_url: Option<String>,
    /// Free-form data, as written.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
    /// Custom attributes, typed by their name's suffix (`orderStatusStr`, `totalNum`).
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    /// Tag names, as written.
    pub tags: Vec<String>,
    pub updated_at: Timestamp,
    pub created_at: Timestamp,
    #[schema(required = true)]
    pub imported_at: Option<Timestamp>,
    pub rev: u64,
    /// Task klasses' done history; null in the mock.
    #[schema(required = true, value_type = Option<Object>)]
    pub first_done: Option<Value>,
    #[schema(required = true, value_type = Option<Object>)]
    pub last_done: Option<Value>,
    pub done_count: u64,
    pub reopen_count: u64,
    pub reopen_from_done_count: u64,
    #[schema(required = true)]
    pub queue: Option<String>,
    #[schema(required = true)]
    pub assigned_user: Option<String>,
    #[schema(required = true)]
    pub status: Option<String>,
}

/// A KObject's relationships, in Kustomer's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KObjectRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_one::<Klass>)]
    pub klass: ToOne<Klass>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::resources::to_one::<Customer>)]
    pub customer: Option<ToOne<Customer>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::resources::to_one::<Company>)]
    pub company: Option<ToOne<Company>>,
}

resource!(
    KObject {
        KObjectAttributes,
        KObjectRelationships
    },
    kind = "kobject",
    collection = "kobjects",
    read_only = [
        "createdAt",
        "updatedAt",
        "rev",
        "s3DataUrl",
        "firstDone",
        "lastDone",
        "doneCount",
        "reopenCount",
        "reopenFromDoneCount"
    ],
    overrides = {
        fn event_kind(&self) -> Cow<'_, str> {
            Cow::Owned(format!("kobject.{}", self.klass))
        }

        fn self_link(&self) -> SelfLink {
            SelfLink::new(klass_path(&self.klass), self.id, None)
        }
    },
);

/// `klasses/<name>`, kept for the life of the program: links are built from `'static`
/// parts, and an org has a handful of klasses.
pub fn klass_path(name: &str) -> &'static str {
    static PATHS: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);
    let path = format!("klasses/{name}");
    let mut paths = PATHS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match paths.get(path.as_str()) {
        Some(known) => known,
        None => {
            let leaked: &'static str = Box::leak(path.into_boxed_str());
            paths.insert(leaked);
            leaked
        }
    }
}

/// The body of `POST /v1/klasses/{name}` (`title` required) and of `PUT`/`PATCH
/// /v1/klasses/{name}/{id}` (each changes only what it names).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KObjectWrite {
    /// The customer's id (the path names it on `/v1/customers/{id}/klasses/{name}`).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub customer: Option<String>,
    /// The company's id (taken as written: the mock does not check it).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-fA-F]{24}$")]
    pub company: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 256)]
    pub external_id: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 256)]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(max_length = 10240)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub images: Option<Vec<String>>,
    #[serde(default)]
    #[schema(max_length = 64)]
    pub icon: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub data: Option<Map<String, Value>>,
    /// Custom attributes; each name ends in its type (`Str`, `Txt`, `Num`, `Bool`,
    /// `At`, `Url`, `Tree`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub custom: Option<Map<String, Value>>,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Option<Vec<String>>,
    /// When the object was created in another system (on create only).
    #[serde(default)]
    #[schema(value_type = Option<Timestamp>)]
    pub created_at: Option<Timestamp>,
    #[serde(default)]
    #[schema(value_type = Option<Timestamp>)]
    pub imported_at: Option<Timestamp>,
}

impl super::Writable for KObjectWrite {
    type Of = KObject;
}
