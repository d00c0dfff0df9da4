//! The request shapes the handlers parse by hand (query parameters, the tag routes' name
//! lists, the search body) and Kustomer's error body, for the OpenAPI document. Record
//! shapes are not here: they come from the objects' own declarations (`model`).
#![allow(dead_code)] // Each type describes input parsed by hand; none is built.

use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

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
    /// The HTTP status, as an integer (`401`), as Kustomer's reference writes it.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// A stable slug naming the case (`missing_bearer_prefix`, `unknown_tag`, ...).
    pub code: String,
    /// The status' reason phrase (`Unauthorized`).
    pub title: String,
    /// What went wrong and how to fix it.
    pub detail: String,
    /// Always present; `{}` when the error points at nothing.
    pub source: ErrorSource,
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
    /// The page to serve, from 1; a page starting past the first 10,000 matches is
    /// refused (narrow the query).
    #[param(minimum = 1)]
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

/// A klass in the path: its name (`order`), or for the klass routes its id.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KlassPath {
    /// A klass's `name`, or (for `GET`, `PUT` and `DELETE` of the klass itself) its id.
    #[param(pattern = "^[0-9a-zA-Z_-]+$")]
    pub name: String,
}

/// A KObject in the path: its klass's name and its id.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct KObjectPath {
    /// The klass's `name`.
    #[param(pattern = "^[0-9a-zA-Z_-]+$")]
    pub name: String,
    /// 24 hexadecimal characters.
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    pub id: String,
}
