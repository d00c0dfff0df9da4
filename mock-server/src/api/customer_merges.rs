//! `/v1/customers/merges` and `/v1/customers/{id}/merges` handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::{IdParam, V1};
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::CustomerMergeWrite;
use crate::openapi::doc;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

#[utoipa::path(
    post, path = "/customers/merges", tag = "customers", operation_id = "createCustomerMerge",
    summary = "Merge the source customer into the target, by Kustomer's merge rules; the source is deleted",
    request_body = CustomerMergeWrite,
    responses(
        (status = 201, description = "The finished merge", body = doc::CustomerMergeData),
        (status = 400, description = "A bad id, or `source` and `target` the same customer", body = doc::ErrorBody),
        (status = 404, description = "No such source or target customer", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::CUSTOMER_MERGE_CREATE, "POST /v1/customers/merges")?;
    let write: CustomerMergeWrite = parse_write(&body)?;
    let merge = app.store.merge_customers(&v1.actor(), write)?;
    Ok((StatusCode::CREATED, Json(json!({ "data": merge }))))
}

#[utoipa::path(
    get, path = "/customers/merges/{id}", tag = "customers", operation_id = "getCustomerMerge",
    params(doc::IdPath),
    responses(
        (status = 200, description = "The merge", body = doc::CustomerMergeData),
        (status = 404, description = "No such merge", body = doc::ErrorBody),
    ),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::CUSTOMER_MERGE_READ, "GET /v1/customers/merges/{id}")?;
    let merge = app.store.get_customer_merge(v1.org(), id)?;
    Ok((StatusCode::OK, Json(json!({ "data": merge }))))
}

#[utoipa::path(
    get, path = "/customers/{id}/merges", tag = "customers", operation_id = "listCustomerMerges",
    summary = "The merges the customer took part in, as source or target, oldest first",
    params(doc::IdPath, doc::PageParams),
    responses(
        (status = 200, description = "A page of merges", body = doc::CustomerMergeList),
        (status = 404, description = "No such customer, and no merge names it", body = doc::ErrorBody),
    ),
)]
pub async fn of_customer(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::CUSTOMER_MERGE_LIST, "GET /v1/customers/{id}/merges")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.customer_merges_of(v1.org(), id, page)?;
    let path = format!("/v1/customers/{id}/merges");
    Ok((
        StatusCode::OK,
        Json(envelope(&path, raw.as_deref(), &pairs, page, listing)),
    ))
}
