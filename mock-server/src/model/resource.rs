//! What every Kustomer object shares: its declaration as a [`Resource`] and the JSON:API
//! shapes built from that declaration by serde's derived serializers.
//!
//! An object is declared once: a record struct holding its id, an attributes struct and a
//! relationships struct. The attributes and relationships structs derive `Serialize`
//! (the wire shape), `Deserialize` (saved state) and `ToSchema` (the OpenAPI document);
//! everything else (the answer, one attribute by name, `changes`, events, search fields)
//! is generic code over this trait.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::support::ids::Id;

/// A Kustomer object type: its JSON:API `type` and where the API serves it.
pub trait Kind {
    /// The JSON:API `type` and the event name's middle part (`conversation`).
    const KIND: &'static str;
    /// The collection path segment under `/v1` (`conversations`); `None` for types the
    /// API links to without serving (`org`).
    const COLLECTION: Option<&'static str>;
}

/// A Kustomer object the store keeps, declared by its three parts.
pub trait Resource: Kind + Clone + Send + Sync + 'static {
    /// The attributes, in Kustomer's order (the struct's field order).
    type Attributes: Serialize + Clone + Send + Sync;
    /// The relationships, in Kustomer's order.
    type Relationships: Serialize + Clone + Send + Sync;
    /// Attributes only the server sets (ids, `rev`, timestamps, counters): a write that
    /// names one is refused.
    const READ_ONLY: &'static [&'static str];

    fn id(&self) -> Id;
    fn attributes(&self) -> &Self::Attributes;
    fn relationships(&self) -> &Self::Relationships;

    /// `links.related`, for the objects Kustomer gives one (a message: its channel's view
    /// of it); set in `resource!`'s `overrides`.
    fn related_link(&self) -> Option<String> {
        None
    }

    /// The event name's middle part (`kustomer.<event kind>.create`): the `type` for most
    /// objects; a KObject adds its klass (`kobject.order`).
    fn event_kind(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(Self::KIND)
    }

    /// The record's `links.self`: `/v1/<collection>/<id>` for most objects.
    fn self_link(&self) -> SelfLink {
        SelfLink::new(Self::COLLECTION.unwrap_or(Self::KIND), self.id(), None)
    }
}

/// Declares a record struct with `id`, `attributes` and `relationships` fields as a Kustomer
/// object: its [`Kind`] (`type` and collection) and its [`Resource`] parts.
macro_rules! resource {
    (
        $record:ty { $attributes:ty, $relationships:ty },
        kind = $kind:literal,
        collection = $collection:literal,
        read_only = [$($read_only:literal),* $(,)?]
        $(, overrides = { $($overrides:tt)* })? $(,)?
    ) => {
        impl $crate::model::Kind for $record {
            const KIND: &'static str = $kind;
            const COLLECTION: Option<&'static str> = Some($collection);
        }

        impl $crate::model::Resource for $record {
            type Attributes = $attributes;
            type Relationships = $relationships;
            const READ_ONLY: &'static [&'static str] = &[$($read_only),*];

            fn id(&self) -> $crate::support::ids::Id {
                self.id
            }

            fn attributes(&self) -> &$attributes {
                &self.attributes
            }

            fn relationships(&self) -> &$relationships {
                &self.relationships
            }

            $($($overrides)*)?
        }
    };
}
pub(crate) use resource;

/// `{"type", "id", "attributes", "relationships", "links"}`: one record on the wire,
/// borrowed from the stored record.
#[derive(Serialize)]
pub struct ResourceObject<'a, R: Resource> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: Id,
    attributes: &'a R::Attributes,
    relationships: &'a R::Relationships,
    links: ObjectLinks,
}

/// A record's `links`: `self`, and `related` where its object has one.
#[derive(Serialize)]
struct ObjectLinks {
    #[serde(rename = "self", serialize_with = "link_only")]
    self_: SelfLink,
    #[serde(skip_serializing_if = "Option::is_none")]
    related: Option<String>,
}

/// A [`SelfLink`]'s text alone (its own `Serialize` writes `{"self": ...}`).
fn link_only<S: Serializer>(link: &SelfLink, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0; MAX_LINK];
    match link.write(&mut buf) {
        Some(text) => serializer.serialize_str(text),
        None => serializer.collect_str(link),
    }
}

impl<'a, R: Resource> ResourceObject<'a, R> {
    pub fn of(record: &'a R) -> ResourceObject<'a, R> {
        ResourceObject {
            kind: R::KIND,
            id: record.id(),
            attributes: record.attributes(),
            relationships: record.relationships(),
            links: ObjectLinks {
                self_: record.self_link(),
                related: record.related_link(),
            },
        }
    }
}

/// `{"data": ...}`: the body of every single-record answer.
#[derive(Serialize)]
pub struct Data<T> {
    pub data: T,
}

/// The record as a `serde_json::Value` (for events, saved state and native actions).
pub fn resource_value<R: Resource>(record: &R) -> Value {
    serde_json::to_value(ResourceObject::of(record)).unwrap_or(Value::Null)
}

/// Appends the record's JSON to `out`, as an answer writes it.
pub fn write_resource<R: Resource>(record: &R, out: &mut Vec<u8>) {
    // Writing derived `Serialize` output into a Vec cannot fail: every key is a string.
    let _ = serde_json::to_writer(out, &ResourceObject::of(record));
}

/// `{"data": <record>}` as bytes.
pub fn data_json<R: Resource>(record: &R) -> Vec<u8> {
    let mut out = Vec::with_capacity(1280);
    let _ = serde_json::to_writer(
        &mut out,
        &Data {
            data: ResourceObject::of(record),
        },
    );
    out
}

/// The attributes as a JSON object.
pub fn attributes_map<R: Resource>(record: &R) -> Map<String, Value> {
    match serde_json::to_value(record.attributes()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The relationships as a JSON object.
pub fn relationships_map<R: Resource>(record: &R) -> Map<String, Value> {
    match serde_json::to_value(record.relationships()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// `{"self": "/v1/<collection>/<id>[/<child>]"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfLink {
    collection: &'static str,
    id: Id,
    child: Option<&'static str>,
}

impl SelfLink {
    pub fn new(collection: &'static str, id: Id, child: Option<&'static str>) -> SelfLink {
        SelfLink {
            collection,
            id,
            child,
        }
    }
}

impl fmt::Display for SelfLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/v1/{}/{}", self.collection, self.id)?;
        match self.child {
            Some(child) => write!(f, "/{child}"),
            None => Ok(()),
        }
    }
}

/// The longest link a [`SelfLink`] writes on the stack; longer ones (no collection name is
/// near this) go through `Display`.
const MAX_LINK: usize = 128;

impl SelfLink {
    /// The link written into `buf`, without the formatting machinery: every answer holds
    /// several of them.
    fn write<'b>(&self, buf: &'b mut [u8; MAX_LINK]) -> Option<&'b str> {
        let mut hex = [0; 24];
        let parts = [
            "/v1/",
            self.collection,
            "/",
            self.id.hex_str(&mut hex),
            if self.child.is_some() { "/" } else { "" },
            self.child.unwrap_or(""),
        ];
        let mut len = 0;
        for part in parts {
            buf.get_mut(len..len + part.len())?
                .copy_from_slice(part.as_bytes());
            len += part.len();
        }
        std::str::from_utf8(&buf[..len]).ok()
    }
}

impl Serialize for SelfLink {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        let mut buf = [0; MAX_LINK];
        match self.write(&mut buf) {
            Some(link) => map.serialize_entry("self", link)?,
            None => map.serialize_entry("self", &format_args!("{self}"))?,
        }
        map.end()
    }
}

/// `{"type", "id"}` of a related record.
#[derive(Serialize, Deserialize)]
struct Reference<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
    id: Id,
}

/// A to-one relationship: `{"data": {"type", "id"}, "links": {"self"}}` (no `links` for a
/// type the API does not serve).
pub struct ToOne<K: Kind> {
    pub id: Id,
    kind: PhantomData<fn() -> K>,
}

impl<K: Kind> ToOne<K> {
    pub fn new(id: Id) -> ToOne<K> {
        ToOne {
            id,
            kind: PhantomData,
        }
    }
}

impl<K: Kind> Clone for ToOne<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: Kind> Copy for ToOne<K> {}

impl<K: Kind> PartialEq for ToOne<K> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<K: Kind> fmt::Debug for ToOne<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ToOne<{}>({})", K::KIND, self.id)
    }
}

impl<K: Kind> Serialize for ToOne<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let reference = Reference {
            kind: K::KIND.into(),
            id: self.id,
        };
        match K::COLLECTION {
            Some(collection) => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("data", &reference)?;
                map.serialize_entry("links", &SelfLink::new(collection, self.id, None))?;
                map.end()
            }
            None => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("data", &reference)?;
                map.end()
            }
        }
    }
}

impl<'de, K: Kind> Deserialize<'de> for ToOne<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(borrow)]
            data: Reference<'a>,
        }
        let wire = Wire::deserialize(deserializer)?;
        if wire.data.kind != K::KIND {
            return Err(de::Error::custom(format_args!(
                "a relationship to `{}` holds a `{}`",
                K::KIND,
                wire.data.kind
            )));
        }
        Ok(ToOne::new(wire.data.id))
    }
}

/// A to-many relationship known by its link only: `{"links": {"self":
/// "/v1/<parent collection>/<parent id>/<child collection>"}}` (a conversation's
/// `messages`).
pub struct ToMany<P: Kind, C: Kind> {
    parent: Id,
    kinds: PhantomData<fn() -> (P, C)>,
}

impl<P: Kind, C: Kind> ToMany<P, C> {
    pub fn new(parent: Id) -> ToMany<P, C> {
        ToMany {
            parent,
            kinds: PhantomData,
        }
    }

    pub(crate) fn link(&self) -> SelfLink {
        SelfLink::new(
            P::COLLECTION.unwrap_or(P::KIND),
            self.parent,
            Some(C::COLLECTION.unwrap_or(C::KIND)),
        )
    }
}

impl<P: Kind, C: Kind> Clone for ToMany<P, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Kind, C: Kind> Copy for ToMany<P, C> {}

impl<P: Kind, C: Kind> PartialEq for ToMany<P, C> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent
    }
}

impl<P: Kind, C: Kind> fmt::Debug for ToMany<P, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ToMany({})", self.link())
    }
}

impl<P: Kind, C: Kind> Serialize for ToMany<P, C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("links", &self.link())?;
        map.end()
    }
}

impl<'de, P: Kind, C: Kind> Deserialize<'de> for ToMany<P, C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Links {
            #[serde(rename = "self")]
            self_: String,
        }
        #[derive(Deserialize)]
        struct Wire {
            links: Links,
        }
        let wire = Wire::deserialize(deserializer)?;
        // `/v1/<collection>/<id>/<child>`: the parent id is the fourth segment.
        wire.links
            .self_
            .split('/')
            .nth(3)
            .and_then(Id::parse)
            .map(ToMany::new)
            .ok_or_else(|| {
                de::Error::custom(format_args!(
                    "`{}` is not a link to a record's related records",
                    wire.links.self_
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Customer;
    impl Kind for Customer {
        const KIND: &'static str = "customer";
        const COLLECTION: Option<&'static str> = Some("customers");
    }
    struct Org;
    impl Kind for Org {
        const KIND: &'static str = "org";
        const COLLECTION: Option<&'static str> = None;
    }
    struct Message;
    impl Kind for Message {
        const KIND: &'static str = "message";
        const COLLECTION: Option<&'static str> = Some("messages");
    }

    fn id() -> Id {
        Id::parse("64a0c0ffee00000000000c01").unwrap()
    }

    #[test]
    fn relationships_render_and_read_back() {
        let customer = ToOne::<Customer>::new(id());
        let text = serde_json::to_value(customer).unwrap();
        assert_eq!(
            text,
            json!({"data": {"type": "customer", "id": "64a0c0ffee00000000000c01"},
                   "links": {"self": "/v1/customers/64a0c0ffee00000000000c01"}})
        );
        assert_eq!(
            serde_json::from_value::<ToOne<Customer>>(text).unwrap(),
            customer
        );
        let org = serde_json::to_value(ToOne::<Org>::new(id())).unwrap();
        assert_eq!(
            org,
            json!({"data": {"type": "org", "id": "64a0c0ffee00000000000c01"}})
        );
        let messages = ToMany::<Customer, Message>::new(id());
        let text = serde_json::to_value(messages).unwrap();
        assert_eq!(
            text,
            json!({"links": {"self": "/v1/customers/64a0c0ffee00000000000c01/messages"}})
        );
        assert_eq!(
            serde_json::from_value::<ToMany<Customer, Message>>(text).unwrap(),
            messages
        );
    }

    #[test]
    fn a_link_written_on_the_stack_is_its_display() {
        let long: &'static str = Box::leak("x".repeat(200).into_boxed_str());
        for link in [
            SelfLink::new("conversations", id(), None),
            SelfLink::new("customers", id(), Some("conversations")),
            SelfLink::new(long, id(), None),
        ] {
            let written = serde_json::to_value(link).unwrap();
            assert_eq!(written, json!({ "self": link.to_string() }));
        }
    }

    #[test]
    fn a_relationship_to_another_type_is_refused() {
        let wrong = json!({"data": {"type": "org", "id": "64a0c0ffee00000000000c01"}});
        let err = serde_json::from_value::<ToOne<Customer>>(wrong).unwrap_err();
        assert!(err.to_string().contains("holds a `org`"), "{err}");
        let bad_link = json!({"links": {"self": "/v1/customers/nope/messages"}});
        assert!(serde_json::from_value::<ToMany<Customer, Message>>(bad_link).is_err());
    }
}
