//! Lookups by a natural key, with Kustomer's own path templates: `/v1/customers/email=…`,
//! `/externalId=…`, `/phone=…` and `/v1/conversations/externalId=…`. The value is the rest
//! of the path segment, percent-decoded; no match is a 404 naming the value.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::extract::V1;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::openapi::doc;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn found(resource: Value) -> Answer {
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

/// The path's value, or a 400 naming the parameter when it is missing or not text.
fn value(
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    name: &str,
) -> Result<String, ApiError> {
    match path {
        Ok(Path(text)) if !text.trim().is_empty() => Ok(text),
        Ok(_) => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("`{name}` cannot be empty"),
        )
        .at_parameter(name)),
        Err(e) => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("Bad path parameter `{name}`: {e}"),
        )
        .at_parameter(name)),
    }
}

#[utoipa::path(
    get, path = "/customers/email={email}", tag = "customers", operation_id = "getCustomerByEmail",
    summary = "The customer with this email (any of its `emails`, compared without case)",
    params(("email" = String, Path, description = "An email address")),
    responses(
        (status = 200, description = "The customer", body = doc::CustomerData),
        (status = 404, description = "No customer has this email", body = doc::ErrorBody),
    ),
)]
pub async fn customer_by_email(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Answer {
    v1.require(roles::CUSTOMER_READ, "GET /v1/customers/email={email}")?;
    let email = value(path, "email")?;
    found(app.store.customer_by_email(v1.org(), &email)?)
}

#[utoipa::path(
    get, path = "/customers/externalId={externalId}", tag = "customers", operation_id = "getCustomerByExternalId",
    params(("externalId" = String, Path, description = "The customer's `externalId`")),
    responses(
        (status = 200, description = "The customer", body = doc::CustomerData),
        (status = 404, description = "No customer has this `externalId`", body = doc::ErrorBody),
    ),
)]
pub async fn customer_by_external_id(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Answer {
    v1.require(
        roles::CUSTOMER_READ,
        "GET /v1/customers/externalId={externalId}",
    )?;
    let external_id = value(path, "externalId")?;
    found(app.store.customer_by_external_id(v1.org(), &external_id)?)
}

#[utoipa::path(
    get, path = "/customers/phone={phone}", tag = "customers", operation_id = "getCustomerByPhone",
    summary = "The customer with this phone number (any of its `phones`, compared by digits)",
    params(("phone" = String, Path, description = "A phone number, e.g. E.164")),
    responses(
        (status = 200, description = "The customer", body = doc::CustomerData),
        (status = 404, description = "No customer has this phone number", body = doc::ErrorBody),
    ),
)]
pub async fn customer_by_phone(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Answer {
    v1.require(roles::CUSTOMER_READ, "GET /v1/customers/phone={phone}")?;
    let phone = value(path, "phone")?;
    found(app.store.customer_by_phone(v1.org(), &phone)?)
}

#[utoipa::path(
    get, path = "/conversations/externalId={externalId}", tag = "conversations", operation_id = "getConversationByExternalId",
    params(("externalId" = String, Path, description = "The conversation's `externalId`")),
    responses(
        (status = 200, description = "The conversation", body = doc::ConversationData),
        (status = 404, description = "No conversation has this `externalId`", body = doc::ErrorBody),
    ),
)]
pub async fn conversation_by_external_id(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Answer {
    v1.require(
        roles::CONVERSATION_READ,
        "GET /v1/conversations/externalId={externalId}",
    )?;
    let external_id = value(path, "externalId")?;
    found(
        app.store
            .conversation_by_external_id(v1.org(), &external_id)?,
    )
}
