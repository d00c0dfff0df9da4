//! `/v1/messages`, `/v1/conversations/{id}/messages` and `/v1/customers/{id}/messages`
//! handlers. A message is recorded, never sent.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::{IdParam, V1};
use super::list::{MAX_PAGE_SIZE, envelope, newest_first, parse_page, query_pairs, with_included};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::{MessageEdit, MessageWrite};
use crate::openapi::doc;
use crate::store::MessagesOf;
use crate::support::ids::Id;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

fn list_of(app: &AppState, v1: &V1, raw: Option<&str>, of: MessagesOf, path: &str) -> Answer {
    let pairs = query_pairs(raw)?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.list_messages(v1.org(), of, page)?;
    Ok((
        StatusCode::OK,
        Json(with_included(envelope(path, raw, &pairs, page, listing))),
    ))
}

fn create_on(app: &AppState, v1: &V1, body: &[u8], conversation: Option<Id>) -> Answer {
    let write: MessageWrite = parse_write(body)?;
    let resource = app.store.create_message(&v1.actor(), write, conversation)?;
    data(StatusCode::CREATED, resource)
}

#[utoipa::path(
    get, path = "/conversations/{id}/messages", tag = "messages", operation_id = "listConversationMessages",
    summary = "The conversation's messages, oldest first",
    params(doc::IdPath, doc::PageParams),
    responses((status = 200, description = "A page of the conversation's messages", body = doc::MessageList)),
)]
pub async fn conversation_list(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::MESSAGE_READ, "GET /v1/conversations/{id}/messages")?;
    let path = format!("/v1/conversations/{id}/messages");
    list_of(
        &app,
        &v1,
        raw.as_deref(),
        MessagesOf::Conversation(id),
        &path,
    )
}

#[utoipa::path(
    post, path = "/conversations/{id}/messages", tag = "messages", operation_id = "createConversationMessage",
    summary = "Record a message on the conversation (it is not sent)",
    params(doc::IdPath),
    request_body = MessageWrite,
    responses(
        (status = 201, description = "The new message", body = doc::MessageData),
        (status = 404, description = "No such conversation", body = doc::ErrorBody),
    ),
)]
pub async fn conversation_create(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(
        roles::MESSAGE_CREATE,
        "POST /v1/conversations/{id}/messages",
    )?;
    create_on(&app, &v1, &body, Some(id))
}

#[utoipa::path(
    get, path = "/customers/{id}/messages", tag = "messages", operation_id = "listCustomerMessages",
    summary = "The customer's messages on all their conversations, oldest first",
    params(doc::IdPath, doc::PageParams),
    responses((status = 200, description = "A page of the customer's messages", body = doc::MessageList)),
)]
pub async fn customer_list(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::MESSAGE_READ, "GET /v1/customers/{id}/messages")?;
    let path = format!("/v1/customers/{id}/messages");
    list_of(&app, &v1, raw.as_deref(), MessagesOf::Customer(id), &path)
}

#[utoipa::path(
    get, path = "/messages", tag = "messages", operation_id = "listMessages",
    summary = "The org's messages, oldest first (`sort=desc`: newest first)",
    params(
        doc::PageParams,
        ("sort" = Option<String>, Query, description = "`asc` (the default) or `desc`, by creation"),
        ("include" = Option<String>, Query, description = "`attachments`: accepted; the mock keeps none, so `included` is always empty"),
    ),
    responses(
        (status = 200, description = "A page of the org's messages", body = doc::MessageList),
        (status = 400, description = "A bad `page`, `pageSize` or `sort`", body = doc::ErrorBody),
    ),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::MESSAGE_READ, "GET /v1/messages")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app
        .store
        .org_messages(v1.org(), page, newest_first(&pairs)?)?;
    let list = envelope("/v1/messages", raw.as_deref(), &pairs, page, listing);
    Ok((StatusCode::OK, Json(with_included(list))))
}

#[utoipa::path(
    post, path = "/messages", tag = "messages", operation_id = "createMessage",
    summary = "Record a message on the conversation the body names (it is not sent)",
    request_body = MessageWrite,
    responses(
        (status = 201, description = "The new message", body = doc::MessageData),
        (status = 404, description = "No such conversation", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::MESSAGE_CREATE, "POST /v1/messages")?;
    create_on(&app, &v1, &body, None)
}

#[utoipa::path(
    get, path = "/messages/externalid={externalId}", tag = "messages", operation_id = "getMessageByExternalId",
    summary = "The message with this `externalId` (the path is written `externalid=` in lower case, as Kustomer's reference writes it)",
    params(("externalId" = String, Path, description = "The message's `externalId`")),
    responses(
        (status = 200, description = "The message", body = doc::MessageData),
        (status = 404, description = "No message has this externalId", body = doc::ErrorBody),
    ),
)]
pub async fn by_external_id(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, PathRejection>,
) -> Answer {
    v1.require(
        roles::MESSAGE_READ,
        "GET /v1/messages/externalid={externalId}",
    )?;
    let external_id = path.map(|Path(text)| text).map_err(|e| {
        ApiError::bad_request(
            "invalid_parameter",
            format!("Bad path parameter `externalId`: {e}"),
        )
        .at_parameter("externalId")
    })?;
    data(
        StatusCode::OK,
        app.store.message_by_external_id(v1.org(), &external_id)?,
    )
}

#[utoipa::path(
    get, path = "/messages/{id}", tag = "messages", operation_id = "getMessage",
    params(doc::IdPath),
    responses((status = 200, description = "The message", body = doc::MessageData)),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::MESSAGE_READ, "GET /v1/messages/{id}")?;
    data(StatusCode::OK, app.store.get_message(v1.org(), id)?)
}

#[utoipa::path(
    put, path = "/messages/{id}", tag = "messages", operation_id = "updateMessage",
    summary = "Change the fields the body names",
    params(doc::IdPath),
    request_body = MessageEdit,
    responses((status = 200, description = "The message after the change", body = doc::MessageData)),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, id, &body, "PUT /v1/messages/{id}")
}

#[utoipa::path(
    patch, path = "/messages/{id}", tag = "messages", operation_id = "patchMessage",
    summary = "The same as PUT: change the fields the body names",
    params(doc::IdPath),
    request_body = MessageEdit,
    responses((status = 200, description = "The message after the change", body = doc::MessageData)),
)]
pub async fn patch(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, id, &body, "PATCH /v1/messages/{id}")
}

fn edit(app: &AppState, v1: &V1, id: Id, body: &[u8], route: &str) -> Answer {
    v1.require(roles::MESSAGE_UPDATE, route)?;
    let edit: MessageEdit = parse_write(body)?;
    data(
        StatusCode::OK,
        app.store.update_message(&v1.actor(), id, edit)?,
    )
}
