//! `/v1/customers/{id}/drafts`, `/v1/drafts/{id}` and `/v1/outboundAccounts` handlers.
//! A sent draft's message is recorded, never sent.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::{IdParam, V1};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::DraftWrite;
use crate::openapi::doc;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    get, path = "/customers/{id}/drafts", tag = "drafts", operation_id = "listCustomerDrafts",
    summary = "The customer's drafts, oldest first",
    params(doc::IdPath, doc::PageParams),
    responses((status = 200, description = "A page of the customer's drafts", body = doc::DraftList)),
)]
pub async fn customer_list(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::DRAFT_READ, "GET /v1/customers/{id}/drafts")?;
    let path = format!("/v1/customers/{id}/drafts");
    let (status, Json(list)) = super::users::paged(&path, raw.as_deref(), |page| {
        app.store.list_drafts(v1.org(), id, page)
    })?;
    Ok((status, Json(super::list::with_included(list))))
}

#[utoipa::path(
    post, path = "/customers/{id}/drafts", tag = "drafts", operation_id = "createCustomerDraft",
    summary = "A new draft for the customer; `status: \"sent\"` records its message at once",
    params(doc::IdPath),
    request_body = DraftWrite,
    responses(
        (status = 200, description = "The new draft (200, as the reference answers it)", body = doc::DraftData),
        (status = 404, description = "No such customer", body = doc::ErrorBody),
    ),
)]
pub async fn customer_create(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(roles::DRAFT_CREATE, "POST /v1/customers/{id}/drafts")?;
    let write: DraftWrite = parse_write(&body)?;
    data(
        StatusCode::OK,
        app.store.create_draft(&v1.actor(), id, write)?,
    )
}

#[utoipa::path(
    put, path = "/drafts/{id}", tag = "drafts", operation_id = "updateDraft",
    summary = "Change the fields the body names; `status: \"sent\"` sends it, `sendAt` schedules it",
    params(doc::IdPath),
    request_body = DraftWrite,
    responses(
        (status = 200, description = "The draft after the change", body = doc::DraftData),
        (status = 409, description = "The draft was sent already", body = doc::ErrorBody),
    ),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(roles::DRAFT_UPDATE, "PUT /v1/drafts/{id}")?;
    let write: DraftWrite = parse_write(&body)?;
    data(
        StatusCode::OK,
        app.store.update_draft(&v1.actor(), id, write)?,
    )
}

#[utoipa::path(
    delete, path = "/drafts/{id}", tag = "drafts", operation_id = "deleteDraft",
    params(doc::IdPath),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
) -> Result<StatusCode, ApiError> {
    v1.require(roles::DRAFT_DELETE, "DELETE /v1/drafts/{id}")?;
    app.store.delete_draft(&v1.actor(), id)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/outboundAccounts", tag = "drafts", operation_id = "listOutboundAccounts",
    summary = "The addresses and numbers the org sends from (from the fixtures)",
    params(doc::PageParams),
    responses((status = 200, description = "A page of outbound accounts", body = doc::OutboundAccountList)),
)]
pub async fn outbound_accounts(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::OUTBOUND_ACCOUNT_READ, "GET /v1/outboundAccounts")?;
    super::users::paged("/v1/outboundAccounts", raw.as_deref(), |page| {
        app.store.list_outbound_accounts(v1.org(), page)
    })
}
