//! The OpenAPI schemas of the declared objects, built from the same types the answers
//! serialize: each object's attributes and relationships derive `ToSchema`; the shapes
//! every object shares (an id, an instant, a relationship, the resource object and its
//! single and list envelopes) are described here once, generically.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde_json::{Value, json};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::model::{Kind, Resource, ToMany, ToOne};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// A schema written as JSON (the builders spell the same thing at three times the length).
pub(super) fn schema(value: Value) -> RefOr<Schema> {
    // Every caller passes a literal valid schema; a mistake shows as an empty schema in
    // the document, which the document test refuses.
    serde_json::from_value(value).unwrap_or_else(|_| RefOr::T(Schema::default()))
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

impl PartialSchema for Id {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "string",
            "description": "A record id: 24 hexadecimal characters (MongoDB ObjectId style).",
            "pattern": "^[0-9a-f]{24}$",
            "example": "64a0c0ffee000000000000b1",
        }))
    }
}

impl ToSchema for Id {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Id")
    }
}

impl PartialSchema for Timestamp {
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "string",
            "format": "date-time",
            "description": "An instant in UTC, ISO 8601 with milliseconds.",
            "example": "2026-01-05T09:00:00.000Z",
        }))
    }
}

impl ToSchema for Timestamp {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Instant")
    }
}

fn self_link() -> Value {
    json!({
        "type": "object",
        "properties": { "self": { "type": "string" } },
        "required": ["self"],
        "additionalProperties": false,
    })
}

/// A record's `links`: `self`, and `related` for the objects that have one (messages).
fn record_links() -> Value {
    json!({
        "type": "object",
        "properties": { "self": { "type": "string" }, "related": { "type": "string" } },
        "required": ["self"],
        "additionalProperties": false,
    })
}

fn reference_to(kind: &str) -> Value {
    json!({
        "type": "object",
        "properties": {
            "type": { "type": "string", "pattern": format!("^{kind}$") },
            "id": reference("Id"),
        },
        "required": ["type", "id"],
        "additionalProperties": false,
    })
}

/// The schema of a [`ToOne`] relationship to a `K` (for `#[schema(schema_with)]`).
pub fn to_one<K: Kind>() -> RefOr<Schema> {
    ToOne::<K>::schema()
}

/// The schema of a [`ToMany`] relationship (for `#[schema(schema_with)]`).
pub fn to_many() -> RefOr<Schema> {
    schema(json!({
        "type": "object",
        "properties": { "links": self_link() },
        "required": ["links"],
        "additionalProperties": false,
    }))
}

/// The schema of a [`ToManyUnkept`](crate::model::unkept::ToManyUnkept) relationship: its
/// link and an always empty `data`.
pub fn to_many_unkept() -> RefOr<Schema> {
    schema(json!({
        "type": "object",
        "properties": {
            "links": self_link(),
            "data": { "type": "array", "maxItems": 0, "items": {} },
        },
        "required": ["links", "data"],
        "additionalProperties": false,
    }))
}

/// The schema of a [`ToManyListed`](crate::model::listed::ToManyListed) relationship: the
/// references alone.
pub fn to_many_listed<K: Kind>() -> RefOr<Schema> {
    schema(json!({
        "type": "object",
        "properties": { "data": { "type": "array", "items": reference_to(K::KIND) } },
        "required": ["data"],
        "additionalProperties": false,
    }))
}

impl<K: Kind> PartialSchema for ToOne<K> {
    fn schema() -> RefOr<Schema> {
        schema(match K::COLLECTION {
            Some(_) => json!({
                "type": "object",
                "properties": { "data": reference_to(K::KIND), "links": self_link() },
                "required": ["data", "links"],
                "additionalProperties": false,
            }),
            None => json!({
                "type": "object",
                "properties": { "data": reference_to(K::KIND) },
                "required": ["data"],
                "additionalProperties": false,
            }),
        })
    }
}

impl<P: Kind, C: Kind> PartialSchema for ToMany<P, C> {
    fn schema() -> RefOr<Schema> {
        to_many()
    }
}

/// The member names of an object schema, in declared order (`T`'s fields, as the wire
/// names them).
pub(crate) fn schema_properties<T: PartialSchema>() -> Vec<String> {
    match as_json(&T::schema()) {
        Some(Value::Object(mut schema)) => match schema.remove("properties") {
            Some(Value::Object(properties)) => properties.into_iter().map(|(k, _)| k).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn as_json(schema: &RefOr<Schema>) -> Option<Value> {
    serde_json::to_value(schema).ok()
}

/// The schema name of object `R`: its `type` with a capital (`Conversation`).
pub(crate) fn resource_name<R: Resource>() -> String {
    let mut chars = R::KIND.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The resource object of `R` and the schemas it refers to.
pub(crate) fn push_resource<R>(schemas: &mut Vec<(String, RefOr<Schema>)>)
where
    R: Resource,
    R::Attributes: ToSchema,
    R::Relationships: ToSchema,
{
    let attributes = <R::Attributes as ToSchema>::name();
    let relationships = <R::Relationships as ToSchema>::name();
    schemas.push((
        resource_name::<R>(),
        schema(json!({
            "type": "object",
            "description": format!("A {} (`type` is `{}`).", R::KIND, R::KIND),
            "properties": {
                "type": { "type": "string", "pattern": format!("^{}$", R::KIND) },
                "id": reference("Id"),
                "attributes": reference(&attributes),
                "relationships": reference(&relationships),
                "links": record_links(),
            },
            "required": ["type", "id", "attributes", "relationships", "links"],
            "additionalProperties": false,
        })),
    ));
    schemas.push((attributes.into_owned(), R::Attributes::schema()));
    R::Attributes::schemas(schemas);
    schemas.push((relationships.into_owned(), R::Relationships::schema()));
    R::Relationships::schemas(schemas);
    schemas.push(("Id".into(), Id::schema()));
    schemas.push(("Instant".into(), Timestamp::schema()));
}

/// `{"data": <R>}`: the answer of the single-record routes of `R`.
pub struct One<R>(PhantomData<R>);

/// A page of `R`: `{"meta", "links", "data": [<R>]}`.
pub struct Page<R>(PhantomData<R>);

impl<R: Resource> PartialSchema for One<R>
where
    R::Attributes: ToSchema,
    R::Relationships: ToSchema,
{
    fn schema() -> RefOr<Schema> {
        schema(json!({
            "type": "object",
            "properties": { "data": reference(&resource_name::<R>()) },
            "required": ["data"],
            "additionalProperties": false,
        }))
    }
}

impl<R: Resource> ToSchema for One<R>
where
    R::Attributes: ToSchema,
    R::Relationships: ToSchema,
{
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Data", resource_name::<R>()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        push_resource::<R>(schemas);
    }
}

impl<R: Resource> PartialSchema for Page<R>
where
    R::Attributes: ToSchema,
    R::Relationships: ToSchema,
{
    fn schema() -> RefOr<Schema> {
        list_schema(reference(&resource_name::<R>()))
    }
}

impl<R: Resource> ToSchema for Page<R>
where
    R::Attributes: ToSchema,
    R::Relationships: ToSchema,
{
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}List", resource_name::<R>()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        push_resource::<R>(schemas);
    }
}

/// A page whose `data` items are `item`: `meta` (the page served and how many records
/// match in all) and `links` (`prev` null on page 1, `next` null on the last page). The
/// customer list adds `meta.totalPages` and `links.last`, and message lists `included`
/// (always empty: the attachments the mock does not keep), as Kustomer's do.
pub(crate) fn list_schema(item: Value) -> RefOr<Schema> {
    let link = json!({ "type": ["string", "null"] });
    schema(json!({
        "type": "object",
        "properties": {
            "meta": {
                "type": "object",
                "properties": {
                    "page": { "type": "integer", "minimum": 1 },
                    "pageSize": { "type": "integer", "minimum": 1 },
                    "total": { "type": "integer", "minimum": 0 },
                    "totalPages": { "type": "integer", "minimum": 1 },
                    "aggregations": { "type": "object", "maxProperties": 0 },
                },
                "required": ["page", "pageSize", "total"],
                "additionalProperties": false,
            },
            "links": {
                "type": "object",
                "properties": {
                    "self": { "type": "string" },
                    "first": { "type": "string" },
                    "prev": link,
                    "next": link,
                    "last": { "type": "string" },
                },
                "required": ["self", "first", "prev", "next"],
                "additionalProperties": false,
            },
            "data": { "type": "array", "items": item },
            "included": { "type": "array", "maxItems": 0, "items": {} },
        },
        "required": ["meta", "links", "data"],
        "additionalProperties": false,
    }))
}

/// One search hit: a record of the `queryContext`'s object; a page of them.
pub struct SearchResults;

impl PartialSchema for SearchResults {
    fn schema() -> RefOr<Schema> {
        let objects: Vec<Value> = crate::store::OBJECT_CONTEXTS
            .iter()
            .map(|context| reference(&(context.schema_name)()))
            .collect();
        list_schema(json!({ "oneOf": objects }))
    }
}

impl ToSchema for SearchResults {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SearchResults")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for context in crate::store::OBJECT_CONTEXTS {
            (context.schemas)(schemas);
        }
    }
}

/// The answer types the handlers name in their `#[utoipa::path]` (the macro wants a
/// plain path).
pub type ConversationData = One<crate::model::Conversation>;
pub type ConversationList = Page<crate::model::Conversation>;
pub type CustomerData = One<crate::model::Customer>;
pub type TagData = One<crate::model::Tag>;
pub type TagList = Page<crate::model::Tag>;
pub type NoteData = One<crate::model::Note>;
pub type NoteList = Page<crate::model::Note>;
pub type UserData = One<crate::model::User>;
pub type MessageData = One<crate::model::Message>;
pub type MessageList = Page<crate::model::Message>;
pub type UserList = Page<crate::model::User>;
pub type CustomerList = Page<crate::model::Customer>;
pub type CustomerMergeData = One<crate::model::CustomerMerge>;
pub type CustomerMergeList = Page<crate::model::CustomerMerge>;
pub type TeamData = One<crate::model::Team>;
pub type TeamList = Page<crate::model::Team>;
pub type ShortcutList = Page<crate::model::Shortcut>;
pub type CompanyData = One<crate::model::Company>;
pub type CompanyList = Page<crate::model::Company>;
pub type DraftData = One<crate::model::Draft>;
pub type DraftList = Page<crate::model::Draft>;
pub type OutboundAccountList = Page<crate::model::OutboundAccount>;
pub type KlassData = One<crate::model::Klass>;
pub type KlassList = Page<crate::model::Klass>;
pub type KObjectData = One<crate::model::KObject>;
pub type KObjectList = Page<crate::model::KObject>;
pub type HookData = One<crate::model::Hook>;
pub type HookList = Page<crate::model::Hook>;
pub type BrandData = One<crate::model::Brand>;
pub type BrandList = Page<crate::model::Brand>;
pub type ScheduleData = One<crate::model::Schedule>;
pub type ScheduleList = Page<crate::model::Schedule>;
pub use crate::model::key::ApiTokenData;

/// `GET /v1/klasses/{name}`: the klass (by id) or a page of its KObjects (by name).
pub struct KlassOrKObjects;

impl PartialSchema for KlassOrKObjects {
    fn schema() -> RefOr<Schema> {
        schema(json!({ "oneOf": [
            reference(&One::<crate::model::Klass>::name()),
            reference(&Page::<crate::model::KObject>::name()),
        ] }))
    }
}

impl ToSchema for KlassOrKObjects {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("KlassOrKObjects")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            One::<crate::model::Klass>::name().into_owned(),
            One::<crate::model::Klass>::schema(),
        ));
        One::<crate::model::Klass>::schemas(schemas);
        schemas.push((
            Page::<crate::model::KObject>::name().into_owned(),
            Page::<crate::model::KObject>::schema(),
        ));
        Page::<crate::model::KObject>::schemas(schemas);
    }
}
