//! `/v1/tags` handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::{IdParam, V1};
use super::list::{MAX_PAGE_SIZE, bool_param, envelope, parse_page, query_pairs};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::TagWrite;
use crate::openapi::doc;
use crate::store::DeletedFilter;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

#[utoipa::path(
    get, path = "/tags", tag = "tags", operation_id = "listTags",
    params(
        doc::PageParams,
        ("deleted" = Option<bool>, Query, description = "`true`: only deleted tags; `false`: none of them; absent: all"),
    ),
    responses((status = 200, description = "A page of tags", body = doc::TagList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::TAG_READ, "GET /v1/tags")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let deleted = match bool_param(&pairs, "deleted")? {
        None => DeletedFilter::All,
        Some(true) => DeletedFilter::Only,
        Some(false) => DeletedFilter::Exclude,
    };
    let listing = app.store.list_tags(v1.org(), page, deleted)?;
    Ok((
        StatusCode::OK,
        Json(envelope("/v1/tags", raw.as_deref(), &pairs, page, listing)),
    ))
}

#[utoipa::path(
    post, path = "/tags", tag = "tags", operation_id = "createTag",
    summary = "Create a tag (`name` is required)",
    request_body = doc::TagCreate,
    responses(
        (status = 201, description = "The new tag", body = doc::TagData),
        (status = 409, description = "A tag of that name exists", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::TAG_CREATE, "POST /v1/tags")?;
    let write: TagWrite = parse_write(&body)?;
    let resource = app.store.create_tag(&v1.actor(), write, None, None)?;
    Ok((StatusCode::CREATED, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    get, path = "/tags/{id}", tag = "tags", operation_id = "getTag",
    params(doc::IdPath),
    responses((status = 200, description = "The tag (deleted ones too)", body = doc::TagData)),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::TAG_READ, "GET /v1/tags/{id}")?;
    let resource = app.store.get_tag(v1.org(), id)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    put, path = "/tags/{id}", tag = "tags", operation_id = "updateTag",
    params(doc::IdPath),
    request_body = TagWrite,
    responses(
        (status = 200, description = "The tag after the change", body = doc::TagData),
        (status = 409, description = "A tag of that name exists", body = doc::ErrorBody),
    ),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(roles::TAG_UPDATE, "PUT /v1/tags/{id}")?;
    let write: TagWrite = parse_write(&body)?;
    let resource = app.store.update_tag(&v1.actor(), id, write)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    delete, path = "/tags/{id}", tag = "tags", operation_id = "deleteTag",
    summary = "Delete a tag (soft: it stays readable with `deleted: true`)",
    params(doc::IdPath),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
) -> Result<StatusCode, ApiError> {
    v1.require(roles::TAG_DELETE, "DELETE /v1/tags/{id}")?;
    app.store.delete_tag(&v1.actor(), id)?;
    Ok(StatusCode::NO_CONTENT)
}
