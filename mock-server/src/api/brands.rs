//! `/v1/brands` handlers.

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
use crate::model::BrandWrite;
use crate::openapi::doc;
use crate::store::CreateOptions;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    get, path = "/brands", tag = "brands", operation_id = "listBrands",
    summary = "List the org's brands, oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of brands", body = doc::BrandList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::BRAND_READ, "GET /v1/brands")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.list_brands(v1.org(), page)?;
    Ok((
        StatusCode::OK,
        Json(envelope(
            "/v1/brands",
            raw.as_deref(),
            &pairs,
            page,
            listing,
        )),
    ))
}

#[utoipa::path(
    post, path = "/brands", tag = "brands", operation_id = "createBrand",
    summary = "Create a brand (`name` and `iconUrl` are required); the org's first is its default",
    request_body = BrandWrite,
    responses(
        (status = 201, description = "The new brand", body = doc::BrandData),
        (status = 400, description = "A missing or bad field, named", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::BRAND_CREATE, "POST /v1/brands")?;
    let write: BrandWrite = parse_write(&body)?;
    let resource = app
        .store
        .create_brand(&v1.actor(), write, CreateOptions::default())?;
    data(StatusCode::CREATED, resource)
}

#[utoipa::path(
    get, path = "/brands/default", tag = "brands", operation_id = "getDefaultBrand",
    responses(
        (status = 200, description = "The org's default brand", body = doc::BrandData),
        (status = 404, description = "The org has no brand", body = doc::ErrorBody),
    ),
)]
pub async fn default(State(app): State<AppState>, v1: V1) -> Answer {
    v1.require(roles::BRAND_READ, "GET /v1/brands/default")?;
    data(StatusCode::OK, app.store.default_brand(v1.org())?)
}

#[utoipa::path(
    get, path = "/brands/{id}", tag = "brands", operation_id = "getBrand",
    params(doc::IdPath),
    responses(
        (status = 200, description = "The brand", body = doc::BrandData),
        (status = 404, description = "No such brand", body = doc::ErrorBody),
    ),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::BRAND_READ, "GET /v1/brands/{id}")?;
    data(StatusCode::OK, app.store.get_brand(v1.org(), id)?)
}

#[utoipa::path(
    patch, path = "/brands/{id}", tag = "brands", operation_id = "patchBrand",
    summary = "Change the fields the body names",
    params(doc::IdPath),
    request_body = BrandWrite,
    responses(
        (status = 200, description = "The brand after the change", body = doc::BrandData),
        (status = 404, description = "No such brand", body = doc::ErrorBody),
    ),
)]
pub async fn patch(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(roles::BRAND_UPDATE, "PATCH /v1/brands/{id}")?;
    let write: BrandWrite = parse_write(&body)?;
    data(
        StatusCode::OK,
        app.store.update_brand(&v1.actor(), id, write)?,
    )
}
