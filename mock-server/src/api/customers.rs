//! `/v1/customers` handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::{IdParam, V1};
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs, with_last_page};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::{ConversationWrite, CustomerWrite, MessageWrite};
use crate::openapi::doc;
use crate::store::CreateOptions;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

#[utoipa::path(
    get, path = "/customers", tag = "customers", operation_id = "listCustomers",
    summary = "List the org's customers, oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of customers", body = doc::CustomerList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::CUSTOMER_READ, "GET /v1/customers")?;
    let (status, Json(list)) = super::users::paged("/v1/customers", raw.as_deref(), |page| {
        app.store.list_customers(v1.org(), page)
    })?;
    let pairs = query_pairs(raw.as_deref())?;
    Ok((status, Json(with_last_page(list, "/v1/customers", &pairs))))
}

#[utoipa::path(
    post, path = "/customers", tag = "customers", operation_id = "createCustomer",
    request_body = CustomerWrite,
    responses(
        (status = 201, description = "The new customer", body = doc::CustomerData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::CUSTOMER_CREATE, "POST /v1/customers")?;
    let write: CustomerWrite = parse_write(&body)?;
    let resource = app
        .store
        .create_customer(&v1.actor(), write, CreateOptions::default())?;
    Ok((StatusCode::CREATED, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    get, path = "/customers/{id}", tag = "customers", operation_id = "getCustomer",
    params(doc::IdPath),
    responses((status = 200, description = "The customer", body = doc::CustomerData)),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::CUSTOMER_READ, "GET /v1/customers/{id}")?;
    let resource = app.store.get_customer(v1.org(), id)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    put, path = "/customers/{id}", tag = "customers", operation_id = "updateCustomer",
    summary = "Change the fields the body names",
    params(doc::IdPath),
    request_body = CustomerWrite,
    responses(
        (status = 200, description = "The customer after the change", body = doc::CustomerData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    change(&app, &v1, id, &body, "PUT /v1/customers/{id}")
}

#[utoipa::path(
    patch, path = "/customers/{id}", tag = "customers", operation_id = "patchCustomer",
    summary = "The same as PUT: change the fields the body names",
    params(doc::IdPath),
    request_body = CustomerWrite,
    responses(
        (status = 200, description = "The customer after the change", body = doc::CustomerData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn patch(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    change(&app, &v1, id, &body, "PATCH /v1/customers/{id}")
}

/// PUT and PATCH: change the fields the body names.
fn change(
    app: &AppState,
    v1: &V1,
    id: crate::support::ids::Id,
    body: &[u8],
    route: &str,
) -> Answer {
    v1.require(roles::CUSTOMER_UPDATE, route)?;
    let write: CustomerWrite = parse_write(body)?;
    let resource = app.store.update_customer(&v1.actor(), id, write)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    get, path = "/customers/{id}/conversations", tag = "customers", operation_id = "listCustomerConversations",
    params(doc::IdPath, doc::PageParams),
    responses((status = 200, description = "A page of the customer's conversations", body = doc::ConversationList)),
)]
pub async fn conversations(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(
        roles::CONVERSATION_READ,
        "GET /v1/customers/{id}/conversations",
    )?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.customer_conversations(v1.org(), id, page)?;
    let path = format!("/v1/customers/{id}/conversations");
    Ok((
        StatusCode::OK,
        Json(envelope(&path, raw.as_deref(), &pairs, page, listing)),
    ))
}

#[utoipa::path(
    post, path = "/customers/{id}/conversations", tag = "customers", operation_id = "createCustomerConversation",
    summary = "Create a conversation owned by the customer",
    params(doc::IdPath),
    request_body = ConversationWrite,
    responses(
        (status = 201, description = "The new conversation", body = doc::ConversationData),
        (status = 400, description = "A bad body, or a body `customer` other than the path's", body = doc::ErrorBody),
        (status = 404, description = "No such customer", body = doc::ErrorBody),
        (status = 409, description = "Another conversation already has this `externalId`", body = doc::ErrorBody),
    ),
)]
pub async fn create_conversation(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(
        roles::CONVERSATION_CREATE,
        "POST /v1/customers/{id}/conversations",
    )?;
    let write: ConversationWrite = parse_write(&body)?;
    // The path names the customer; a body that names one must name the same.
    let named = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("customer").cloned());
    if let Some(named) = named
        && named != Value::String(id.to_hex())
    {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`customer` must be the path's customer `{id}`, or left out"),
        )
        .at_pointer("/customer"));
    }
    let resource = app
        .store
        .create_customer_conversation(&v1.actor(), id, write)?;
    Ok((StatusCode::CREATED, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    post, path = "/customers/{id}/messages", tag = "messages", operation_id = "createCustomerMessage",
    summary = "Record a message for the customer, on the body's `conversation` or on a new one (it is not sent)",
    params(doc::IdPath),
    request_body = MessageWrite,
    responses(
        (status = 201, description = "The new message", body = doc::MessageData),
        (status = 404, description = "No such customer or conversation", body = doc::ErrorBody),
    ),
)]
pub async fn create_message(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(roles::MESSAGE_CREATE, "POST /v1/customers/{id}/messages")?;
    let write: MessageWrite = parse_write(&body)?;
    let resource = app.store.create_customer_message(&v1.actor(), id, write)?;
    Ok((StatusCode::CREATED, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    delete, path = "/customers/{id}", tag = "customers", operation_id = "deleteCustomer",
    summary = "Remove the customer (its conversations stay)",
    params(doc::IdPath),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such customer", body = doc::ErrorBody),
    ),
)]
pub async fn delete(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
) -> Result<StatusCode, ApiError> {
    v1.require(roles::CUSTOMER_DELETE, "DELETE /v1/customers/{id}")?;
    app.store.delete_customer(&v1.actor(), id)?;
    Ok(StatusCode::NO_CONTENT)
}
