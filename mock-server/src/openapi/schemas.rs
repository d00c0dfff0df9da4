//! The shapes of `/v1` answers, for the OpenAPI document only.
//!
//! Records render themselves as JSON (`model::Record::resource`), so these types are never
//! built: they describe what the renderers write. Every object here denies unknown members,
//! and a test validates real answers against the document, so a renderer that gains, loses
//! or retypes a member fails that test instead of drifting from the document.
#![allow(dead_code)]

use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

/// A record id: 24 hexadecimal characters (MongoDB ObjectId style).
#[derive(Deserialize, ToSchema)]
#[schema(pattern = "^[0-9a-f]{24}$", example = "64a0c0ffee000000000000b1")]
pub struct Id(String);

/// An instant in UTC, ISO 8601 with milliseconds (`2026-01-05T09:00:00.000Z`).
#[derive(Deserialize, ToSchema)]
#[schema(format = DateTime, example = "2026-01-05T09:00:00.000Z")]
pub struct Instant(String);

/// `{"self": "/v1/..."}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfLink {
    #[serde(rename = "self")]
    pub self_: String,
}

/// `{"type", "id"}` of a related record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Id,
}

/// A to-one relationship to a record the API serves (`customer`, `createdBy`, ...).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedRelation {
    pub data: ResourceRef,
    pub links: SelfLink,
}

/// A to-one relationship to a record the API does not serve (`org`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub data: ResourceRef,
}

/// A relationship known only by its link (`messages`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinksOnly {
    pub links: SelfLink,
}

/// `meta` of a list: the page served and how many records match in all.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListMeta {
    #[schema(minimum = 1)]
    pub page: u64,
    #[schema(minimum = 1)]
    pub page_size: u64,
    pub total: u64,
}

/// `links` of a list: `prev` is null on page 1, `next` null on the last page; every
/// link keeps the request's other query parameters.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListLinks {
    #[serde(rename = "self")]
    pub self_: String,
    pub first: String,
    #[schema(required = true)]
    pub prev: Option<String>,
    #[schema(required = true)]
    pub next: Option<String>,
}

/// A conversation's attributes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConversationAttributes {
    #[schema(required = true)]
    pub name: Option<String>,
    pub status: crate::model::ConversationStatus,
    #[schema(minimum = 1, maximum = 5)]
    pub priority: u8,
    pub direction: crate::model::conversation::Direction,
    /// Tag ids.
    pub tags: Vec<Id>,
    pub assigned_users: Vec<Id>,
    pub assigned_teams: Vec<Id>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    #[schema(required = true)]
    pub external_id: Option<String>,
    #[schema(required = true, value_type = Option<Object>)]
    pub snooze: Option<Value>,
    pub ended: bool,
    #[schema(required = true)]
    pub ended_at: Option<Instant>,
    pub done_count: u32,
    pub reopen_count: u32,
    /// Grows by one on every change.
    #[schema(minimum = 1)]
    pub rev: u64,
    pub created_at: Instant,
    pub updated_at: Instant,
    pub modified_at: Instant,
    #[schema(required = true)]
    pub imported_at: Option<Instant>,
    /// When each attribute last changed, by attribute name.
    #[schema(value_type = std::collections::BTreeMap<String, Instant>)]
    pub modification_history: Map<String, Value>,
}

/// A conversation's relationships.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConversationRelationships {
    pub customer: LinkedRelation,
    pub created_by: LinkedRelation,
    pub modified_by: LinkedRelation,
    pub org: Relation,
    pub messages: LinksOnly,
}

/// A conversation (`type` is `conversation`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    #[serde(rename = "type")]
    #[schema(pattern = "^conversation$")]
    pub kind: String,
    pub id: Id,
    pub attributes: ConversationAttributes,
    pub relationships: ConversationRelationships,
    pub links: SelfLink,
}

/// A customer's attributes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomerAttributes {
    #[schema(required = true)]
    pub name: Option<String>,
    /// `displayName` as written, else `name`.
    #[schema(required = true)]
    pub display_name: Option<String>,
    /// As written.
    pub emails: Vec<EmailEntry>,
    /// As written.
    pub phones: Vec<PhoneEntry>,
    #[schema(required = true)]
    pub external_id: Option<String>,
    pub tags: Vec<Id>,
    #[schema(value_type = Object)]
    pub custom: Map<String, Value>,
    #[schema(minimum = 1)]
    pub rev: u64,
    pub created_at: Instant,
    pub updated_at: Instant,
    pub modified_at: Instant,
}

/// `{"type": "home", "email": "..."}`; other members are kept as written.
#[derive(Deserialize, ToSchema)]
pub struct EmailEntry {
    pub email: String,
    #[serde(rename = "type")]
    #[schema(nullable = false)]
    pub kind: Option<String>,
}

/// `{"type": "mobile", "phone": "..."}`; other members are kept as written.
#[derive(Deserialize, ToSchema)]
pub struct PhoneEntry {
    pub phone: String,
    #[serde(rename = "type")]
    #[schema(nullable = false)]
    pub kind: Option<String>,
}

/// `{"user": "<user id>"}`: a user the note mentions.
#[derive(Deserialize, ToSchema)]
pub struct UserMention {
    #[schema(nullable = false)]
    pub user: Option<String>,
}

/// A customer's relationships.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomerRelationships {
    pub created_by: LinkedRelation,
    pub modified_by: LinkedRelation,
    pub org: Relation,
    pub conversations: LinksOnly,
}

/// A customer (`type` is `customer`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    #[serde(rename = "type")]
    #[schema(pattern = "^customer$")]
    pub kind: String,
    pub id: Id,
    pub attributes: CustomerAttributes,
    pub relationships: CustomerRelationships,
    pub links: SelfLink,
}

/// A tag's attributes. Deleting a tag is soft: `deleted` and `deletedAt` are set.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TagAttributes {
    pub name: String,
    #[schema(required = true)]
    pub color: Option<String>,
    pub deleted: bool,
    #[schema(required = true)]
    pub deleted_at: Option<Instant>,
    pub created_at: Instant,
    pub updated_at: Instant,
    pub modified_at: Instant,
}

/// A tag's relationships.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TagRelationships {
    pub created_by: LinkedRelation,
    pub modified_by: LinkedRelation,
    pub org: Relation,
}

/// A tag (`type` is `tag`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    #[serde(rename = "type")]
    #[schema(pattern = "^tag$")]
    pub kind: String,
    pub id: Id,
    pub attributes: TagAttributes,
    pub relationships: TagRelationships,
    pub links: SelfLink,
}

/// A note's attributes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NoteAttributes {
    pub body: String,
    pub user_mentions: Vec<UserMention>,
    pub created_at: Instant,
    pub updated_at: Instant,
}

/// A note's relationships.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NoteRelationships {
    pub conversation: LinkedRelation,
    pub customer: LinkedRelation,
    pub created_by: LinkedRelation,
    pub modified_by: LinkedRelation,
    pub org: Relation,
}

/// An internal note on a conversation (`type` is `note`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(rename = "type")]
    #[schema(pattern = "^note$")]
    pub kind: String,
    pub id: Id,
    pub attributes: NoteAttributes,
    pub relationships: NoteRelationships,
    pub links: SelfLink,
}

/// `user` (a person) or `machine` (an API key's user, or the platform).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserAttributes {
    pub name: String,
    pub display_name: String,
    #[schema(required = true)]
    pub email: Option<String>,
    pub user_type: crate::model::UserType,
    pub created_at: Instant,
    pub updated_at: Instant,
}

/// A user's relationships.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRelationships {
    pub org: Relation,
}

/// A user (`type` is `user`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    #[serde(rename = "type")]
    #[schema(pattern = "^user$")]
    pub kind: String,
    pub id: Id,
    pub attributes: UserAttributes,
    pub relationships: UserRelationships,
    pub links: SelfLink,
}

/// An API key as its holder sees it: never the secret, only its last characters.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApiTokenAttributes {
    pub name: String,
    /// Roles such as `org.permission.conversation.read`.
    pub roles: Vec<String>,
    pub last_token_chars: String,
    #[schema(required = true)]
    pub expires_at: Option<Instant>,
    /// CIDR blocks the key may be used from; empty means anywhere.
    pub allowed_cidrs: Vec<String>,
    pub created_at: Instant,
}

/// An API key's relationships.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenRelationships {
    pub user: LinkedRelation,
    pub org: Relation,
}

/// The API key of the request (`type` is `apiToken`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiToken {
    #[serde(rename = "type")]
    #[schema(pattern = "^apiToken$")]
    pub kind: String,
    pub id: Id,
    pub attributes: ApiTokenAttributes,
    pub relationships: ApiTokenRelationships,
    pub links: SelfLink,
}

/// `{"data": <conversation>}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationData {
    pub data: Conversation,
}

/// `{"data": <customer>}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerData {
    pub data: Customer,
}

/// `{"data": <tag>}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagData {
    pub data: Tag,
}

/// `{"data": <note>}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteData {
    pub data: Note,
}

/// `{"data": <user>}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserData {
    pub data: User,
}

/// `{"data": <apiToken>}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenData {
    pub data: ApiToken,
}

/// A page of conversations.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationList {
    pub meta: ListMeta,
    pub links: ListLinks,
    pub data: Vec<Conversation>,
}

/// A page of tags.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagList {
    pub meta: ListMeta,
    pub links: ListLinks,
    pub data: Vec<Tag>,
}

/// A page of notes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteList {
    pub meta: ListMeta,
    pub links: ListLinks,
    pub data: Vec<Note>,
}

/// One search hit: a conversation or a customer, by `queryContext`.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum SearchHit {
    Conversation(Box<Conversation>),
    Customer(Box<Customer>),
}

/// A page of search hits.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchResults {
    pub meta: ListMeta,
    pub links: ListLinks,
    pub data: Vec<SearchHit>,
}

/// The body of the tag routes: an array of tag names, or `{"tags": [...]}`.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum TagNames {
    Names(Vec<TagName>),
    Wrapped(WrappedTagNames),
}

/// A tag's name: not blank.
#[derive(Deserialize, ToSchema)]
#[schema(pattern = "\\S", example = "billing")]
pub struct TagName(String);

/// `{"tags": ["billing", "vip"]}`.
#[derive(Deserialize, ToSchema)]
pub struct WrappedTagNames {
    pub tags: Vec<TagName>,
}

/// `conversation` (the default) or `customer`: which records a search reads.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QueryContext {
    Conversation,
    Customer,
}

/// The body of `POST /v1/customers/search`. Each criterion is
/// `{"<field>": {"<operator>": <value>}}`, e.g.
/// `{"conversation_updated_at": {"gte": "2026-01-01T00:00:00.000Z"}}`; `sort` is a list
/// of `{"<field>": "asc" | "desc"}`. Unknown top-level members are ignored.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchBody {
    /// Criteria that must all hold.
    #[schema(value_type = Option<Vec<Object>>)]
    pub and: Option<Vec<Value>>,
    /// Criteria of which one must hold.
    #[schema(value_type = Option<Vec<Object>>)]
    pub or: Option<Vec<Value>>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub sort: Option<Vec<Value>>,
    pub query_context: Option<QueryContext>,
}

/// The body of `POST /v1/conversations`: the update body, with `customer` required.
#[derive(Deserialize, ToSchema)]
pub struct ConversationCreate {
    /// The customer's id.
    #[schema(pattern = "^[0-9a-fA-F]{24}$", example = "64a0c0ffee00000000000c01")]
    pub customer: String,
    #[serde(flatten)]
    pub fields: crate::model::ConversationWrite,
}

/// The body of `POST /v1/tags`: the update body, with `name` required.
#[derive(Deserialize, ToSchema)]
pub struct TagCreate {
    /// Unique within the org, not blank.
    #[schema(pattern = "\\S")]
    pub name: String,
    #[serde(flatten)]
    pub fields: crate::model::TagWrite,
}

/// Where an error points: a body member, a query parameter or a header.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorSource {
    /// A JSON pointer into the request body (`/tags/1`).
    pub pointer: Option<String>,
    pub parameter: Option<String>,
    pub header: Option<String>,
}

/// One error.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorObject {
    /// The HTTP status, as a string (`"401"`).
    #[schema(pattern = "^[1-5][0-9]{2}$")]
    pub status: String,
    /// A stable slug naming the case (`missing_bearer_prefix`, `unknown_tag`, ...).
    pub code: String,
    /// The status' reason phrase (`Unauthorized`).
    pub title: String,
    /// What went wrong and how to fix it.
    pub detail: String,
    pub source: Option<ErrorSource>,
    /// Extra facts (which rate limit, when it resets, ...).
    #[schema(value_type = Option<Object>)]
    pub meta: Option<Value>,
}

/// Kustomer's error body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    #[schema(min_items = 1)]
    pub errors: Vec<ErrorObject>,
}

/// Paging of a list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct PageParams {
    /// The page to serve, from 1.
    #[param(schema_with = positive_integer)]
    pub page: Option<u64>,
    /// Records per page (at most 100; larger values are clamped).
    #[param(schema_with = positive_integer)]
    pub page_size: Option<u64>,
}

/// Paging of a search.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct SearchPageParams {
    /// The page to serve, from 1 to 100 (deeper pages are refused: narrow the query).
    #[param(minimum = 1, maximum = 100)]
    pub page: Option<u64>,
    /// Records per page (at most 500; larger values are clamped).
    #[param(schema_with = positive_integer)]
    pub page_size: Option<u64>,
}

/// Options of a conversation update.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpdateParams {
    /// `true` replaces the conversation's writable fields with the body (absent fields
    /// reset); `false` (the default) changes only the fields the body names.
    pub replace: Option<bool>,
}

/// The record id in the path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    /// 24 hexadecimal characters.
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    pub id: String,
}

/// A whole number of 1 or more, of any size (larger page sizes are clamped).
fn positive_integer() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .minimum(Some(1))
        .build()
}
