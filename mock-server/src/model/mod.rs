//! The records the mock keeps and their JSON:API shapes.
//!
//! Each record type knows how to render itself (`attributes`, `relationships`,
//! `resource`) and which request body it accepts; the rules for *changing* records live
//! in `store`, the single writer.

pub mod conversation;
pub mod conversation_json;
pub mod customer;
pub mod key;
pub mod note;
pub mod org;
pub mod tag;
pub mod user;

use serde_json::{Map, Value};

use crate::ids::Id;
use crate::json_object::{object, string};

pub use conversation::{Conversation, ConversationStatus, ConversationWrite};
pub use customer::{Customer, CustomerWrite};
pub use key::{ApiKey, ApiKeyInfo};
pub use note::{Note, NoteWrite};
pub use org::{LimitsPatch, Org, OrgLimits};
pub use tag::{Tag, TagWrite};
pub use user::{User, UserType};

/// What every stored record offers to the single writer and the renderers.
pub trait Record: Clone {
    /// The JSON:API `type` and the event name's middle part (`conversation`).
    const KIND: &'static str;
    /// The collection path segment (`conversations`).
    const COLLECTION: &'static str;

    fn id(&self) -> Id;
    /// Attributes in their JSON form, in a fixed key order.
    fn attributes(&self) -> Map<String, Value>;
    /// Relationships in their JSON:API form, in a fixed key order.
    fn relationships(&self) -> Map<String, Value>;

    /// One attribute, as `attributes()` has it (`None`: no such attribute). Records that
    /// workflows read often render just the one asked for.
    fn attribute(&self, name: &str) -> Option<Value> {
        self.attributes().remove(name)
    }

    /// Whether attribute `name` renders the same in `self` and `other`, told from the typed
    /// fields without rendering; `None` (the default) when only rendering tells. Only for
    /// attributes every record of the type has (`attribute` gives `Some`).
    fn same_attribute(&self, _other: &Self, _name: &str) -> Option<bool> {
        None
    }

    /// One relationship, as `relationships()` has it.
    fn relationship(&self, name: &str) -> Option<Value> {
        self.relationships().remove(name)
    }

    /// `/v1/<collection>/<id>`.
    fn self_link(&self) -> String {
        format!("/v1/{}/{}", Self::COLLECTION, self.id())
    }

    /// The whole JSON:API resource object.
    fn resource(&self) -> Value {
        object([
            ("type", string(Self::KIND)),
            ("id", string(self.id().to_hex())),
            ("attributes", Value::Object(self.attributes())),
            ("relationships", Value::Object(self.relationships())),
            ("links", object([("self", string(self.self_link()))])),
        ])
    }
}

/// The map of `names` (in that order) to what `field` renders for each: how records that
/// render one field by name build their `attributes()` and `relationships()` from it.
pub fn fields(names: &[&str], field: impl Fn(&str) -> Option<Value>) -> Map<String, Value> {
    let mut map = Map::with_capacity(names.len());
    for name in names {
        if let Some(value) = field(name) {
            map.insert((*name).to_string(), value);
        }
    }
    map
}

/// A to-one relationship: `{"data": {"type", "id"}, "links": {"self"}}`.
pub fn to_one(kind: &str, collection: Option<&str>, id: Id) -> Value {
    let data = object([("type", string(kind)), ("id", string(id.to_hex()))]);
    match collection {
        Some(collection) => object([
            ("data", data),
            (
                "links",
                object([("self", string(format!("/v1/{collection}/{id}")))]),
            ),
        ]),
        None => object([("data", data)]),
    }
}

/// The relationships every record has, in Kustomer's order.
pub const AUDIT_RELATIONSHIPS: [&str; 3] = ["createdBy", "modifiedBy", "org"];

/// One of the [`AUDIT_RELATIONSHIPS`]: `createdBy`, `modifiedBy` (users) or `org`.
pub fn audit_relationship(name: &str, created_by: Id, modified_by: Id, org: Id) -> Option<Value> {
    Some(match name {
        "createdBy" => to_one("user", Some("users"), created_by),
        "modifiedBy" => to_one("user", Some("users"), modified_by),
        "org" => to_one("org", None, org),
        _ => return None,
    })
}

/// Appends the relationships every record has, in Kustomer's order: `createdBy`,
/// `modifiedBy` (users) and `org`.
pub fn insert_audit_relationships(
    map: &mut Map<String, Value>,
    created_by: Id,
    modified_by: Id,
    org: Id,
) {
    for name in AUDIT_RELATIONSHIPS {
        if let Some(relationship) = audit_relationship(name, created_by, modified_by, org) {
            map.insert(name.into(), relationship);
        }
    }
}

/// Renders an optional timestamp as JSON (`null` when absent).
pub fn opt_ts(ts: Option<crate::clock::Timestamp>) -> Value {
    ts.map(|t| Value::String(t.to_iso())).unwrap_or(Value::Null)
}
