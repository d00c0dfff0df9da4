//! `/v1/customers` handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_body;
use super::extract::{IdParam, V1};
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs};
use crate::app::AppState;
use crate::auth::roles;
use crate::error::ApiError;
use crate::model::CustomerWrite;
use crate::store::CreateOptions;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::CUSTOMER_CREATE, "POST /v1/customers")?;
    let write: CustomerWrite = parse_body(&body)?;
    let resource = app
        .store
        .create_customer(&v1.actor(), write, CreateOptions::default())?;
    Ok((StatusCode::CREATED, Json(json!({ "data": resource }))))
}

pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::CUSTOMER_READ, "GET /v1/customers/{id}")?;
    let resource = app.store.get_customer(v1.org(), id)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(roles::CUSTOMER_UPDATE, "PUT /v1/customers/{id}")?;
    let write: CustomerWrite = parse_body(&body)?;
    let resource = app.store.update_customer(&v1.actor(), id, write)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

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
