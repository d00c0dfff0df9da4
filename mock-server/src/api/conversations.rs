//! `/v1/conversations` handlers: parse, check the role, call the store, shape the answer.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::{parse_json, parse_write};
use super::extract::{IdParam, V1};
use super::list::{MAX_PAGE_SIZE, bool_param, parse_page, query_pairs};
use super::raw_json::{RawJson, envelope_json};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::ConversationWrite;
use crate::model::resource::{data_json, write_resource};
use crate::openapi::doc;
use crate::store::{CreateOptions, TagOp};

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    get, path = "/conversations", tag = "conversations", operation_id = "listConversations",
    summary = "List the org's conversations, oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of conversations", body = doc::ConversationList)),
)]
pub async fn list(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
) -> Result<RawJson, ApiError> {
    v1.require(roles::CONVERSATION_READ, "GET /v1/conversations")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let (items, total) = app.store.list_conversations_as(v1.org(), page, |c| {
        let mut out = Vec::with_capacity(1200);
        write_resource(c, &mut out);
        out
    })?;
    Ok(RawJson(
        StatusCode::OK,
        envelope_json(
            "/v1/conversations",
            raw.as_deref(),
            &pairs,
            page,
            total,
            &items,
        ),
    ))
}

#[utoipa::path(
    post, path = "/conversations", tag = "conversations", operation_id = "createConversation",
    summary = "Create a conversation (`customer` is required)",
    request_body = doc::ConversationCreate,
    responses(
        (status = 201, description = "The new conversation", body = doc::ConversationData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::CONVERSATION_CREATE, "POST /v1/conversations")?;
    let write: ConversationWrite = parse_write(&body)?;
    let resource = app
        .store
        .create_conversation(&v1.actor(), write, CreateOptions::default())?;
    data(StatusCode::CREATED, resource)
}

#[utoipa::path(
    get, path = "/conversations/{id}", tag = "conversations", operation_id = "getConversation",
    params(doc::IdPath),
    responses((status = 200, description = "The conversation", body = doc::ConversationData)),
)]
pub async fn get(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
) -> Result<RawJson, ApiError> {
    v1.require(roles::CONVERSATION_READ, "GET /v1/conversations/{id}")?;
    let body = app.store.get_conversation_as(v1.org(), id, data_json)?;
    Ok(RawJson(StatusCode::OK, body))
}

#[utoipa::path(
    put, path = "/conversations/{id}", tag = "conversations", operation_id = "updateConversation",
    summary = "Change the fields the body names (or, with `replace=true`, reset the rest)",
    params(doc::IdPath, doc::UpdateParams),
    request_body = ConversationWrite,
    responses(
        (status = 200, description = "The conversation after the change", body = doc::ConversationData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<RawJson, ApiError> {
    change(
        &app,
        &v1,
        id,
        raw.as_deref(),
        &body,
        "PUT /v1/conversations/{id}",
    )
}

#[utoipa::path(
    patch, path = "/conversations/{id}", tag = "conversations", operation_id = "patchConversation",
    summary = "The same as PUT: change the fields the body names",
    params(doc::IdPath, doc::UpdateParams),
    request_body = ConversationWrite,
    responses(
        (status = 200, description = "The conversation after the change", body = doc::ConversationData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn patch(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<RawJson, ApiError> {
    change(
        &app,
        &v1,
        id,
        raw.as_deref(),
        &body,
        "PATCH /v1/conversations/{id}",
    )
}

/// PUT and PATCH: a merge update, or with `?replace=true` a reset of the writable fields.
fn change(
    app: &AppState,
    v1: &V1,
    id: crate::support::ids::Id,
    raw: Option<&str>,
    body: &[u8],
    route: &str,
) -> Result<RawJson, ApiError> {
    v1.require(roles::CONVERSATION_UPDATE, route)?;
    let pairs = query_pairs(raw)?;
    let replace = bool_param(&pairs, "replace")?.unwrap_or(false);
    let write: ConversationWrite = parse_write(body)?;
    let body = app
        .store
        .update_conversation_as(&v1.actor(), id, write, replace, data_json)?;
    Ok(RawJson(StatusCode::OK, body))
}

#[utoipa::path(
    delete, path = "/conversations/{id}", tag = "conversations", operation_id = "deleteConversation",
    params(doc::IdPath),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
) -> Result<StatusCode, ApiError> {
    v1.require(roles::CONVERSATION_DELETE, "DELETE /v1/conversations/{id}")?;
    app.store.delete_conversation(&v1.actor(), id)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/conversations/{id}/tags", tag = "conversations", operation_id = "tagConversation",
    summary = "Add tags by name (unknown names are created)",
    params(doc::IdPath),
    request_body = doc::TagNames,
    responses((status = 200, description = "The conversation after the change", body = doc::ConversationData)),
)]
pub async fn append_tags(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Result<RawJson, ApiError> {
    v1.require(
        roles::CONVERSATION_UPDATE,
        "POST /v1/conversations/{id}/tags",
    )?;
    let names = tag_names(&body)?;
    let body =
        app.store
            .change_conversation_tags_as(&v1.actor(), id, &names, TagOp::Append, data_json)?;
    Ok(RawJson(StatusCode::OK, body))
}

#[utoipa::path(
    delete, path = "/conversations/{id}/tags", tag = "conversations", operation_id = "untagConversation",
    summary = "Remove tags by name",
    params(doc::IdPath),
    request_body = doc::TagNames,
    responses((status = 200, description = "The conversation after the change", body = doc::ConversationData)),
)]
pub async fn remove_tags(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Result<RawJson, ApiError> {
    v1.require(
        roles::CONVERSATION_UNTAG,
        "DELETE /v1/conversations/{id}/tags",
    )?;
    let names = tag_names(&body)?;
    let body =
        app.store
            .change_conversation_tags_as(&v1.actor(), id, &names, TagOp::Remove, data_json)?;
    Ok(RawJson(StatusCode::OK, body))
}

/// The tag routes take a JSON array of names (`{"tags": [...]}` is accepted too).
fn tag_names(body: &[u8]) -> Result<Vec<String>, ApiError> {
    let value = parse_json(body)?;
    let (items, base) = match &value {
        Value::Array(items) => (items, ""),
        Value::Object(map) => match map.get("tags") {
            Some(Value::Array(items)) => (items, "/tags"),
            _ => {
                return Err(ApiError::bad_request(
                    "invalid_type",
                    "The body must be a JSON array of tag names, e.g. [\"billing\", \"vip\"]",
                )
                .at_pointer(""));
            }
        },
        _ => {
            return Err(ApiError::bad_request(
                "invalid_type",
                "The body must be a JSON array of tag names, e.g. [\"billing\", \"vip\"]",
            )
            .at_pointer(""));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item.as_str() {
            Some(name) if !name.trim().is_empty() => Ok(name.to_string()),
            _ => Err(ApiError::bad_request(
                "invalid_type",
                "each tag name must be a non-empty string",
            )
            .at_pointer(format!("{base}/{i}"))),
        })
        .collect()
}
