//! `/v1/klasses/{name}/{id}`, `/v1/klasses/{name}/externalId={externalId}` and
//! `/v1/customers/{id}/klasses/{name}`: one KObject, and a customer's KObjects of a klass.
//! (Creating and listing by klass is on `/v1/klasses/{name}`, in `klasses.rs`.)

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::V1;
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::KObjectWrite;
use crate::openapi::doc;
use crate::support::ids::Id;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

/// The two path segments, as text.
fn two(path: Result<Path<(String, String)>, PathRejection>) -> Result<(String, String), ApiError> {
    path.map(|Path(pair)| pair).map_err(|e| {
        ApiError::bad_request("invalid_parameter", format!("Bad path parameters: {e}"))
    })
}

fn id_of(text: &str, parameter: &str) -> Result<Id, ApiError> {
    Id::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_id",
            format!("`{text}` is not a valid id (expected 24 hexadecimal characters)"),
        )
        .at_parameter(parameter)
    })
}

/// `(klass name, object id)` of `/klasses/{name}/{id}`.
fn object_path(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(String, Id), ApiError> {
    let (klass, id) = two(path)?;
    Ok((klass, id_of(&id, "id")?))
}

#[utoipa::path(
    get, path = "/klasses/{name}/{id}", tag = "kobjects", operation_id = "getKObject",
    params(doc::KObjectPath),
    responses(
        (status = 200, description = "The KObject", body = doc::KObjectData),
        (status = 404, description = "No such klass, or no such KObject of it", body = doc::ErrorBody),
    ),
)]
pub async fn get(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Answer {
    v1.require(roles::KOBJECT_READ, "GET /v1/klasses/{name}/{id}")?;
    let (klass, id) = object_path(path)?;
    data(StatusCode::OK, app.store.get_kobject(v1.org(), &klass, id)?)
}

#[utoipa::path(
    put, path = "/klasses/{name}/{id}", tag = "kobjects", operation_id = "updateKObject",
    summary = "Change what the body names (`custom` attributes are merged and checked)",
    params(doc::KObjectPath),
    request_body = KObjectWrite,
    responses((status = 200, description = "The KObject after the change", body = doc::KObjectData)),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, path, &body, "PUT /v1/klasses/{name}/{id}")
}

#[utoipa::path(
    patch, path = "/klasses/{name}/{id}", tag = "kobjects", operation_id = "patchKObject",
    summary = "The same as PUT: change what the body names",
    params(doc::KObjectPath),
    request_body = KObjectWrite,
    responses((status = 200, description = "The KObject after the change", body = doc::KObjectData)),
)]
pub async fn patch(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, path, &body, "PATCH /v1/klasses/{name}/{id}")
}

fn edit(
    app: &AppState,
    v1: &V1,
    path: Result<Path<(String, String)>, PathRejection>,
    body: &[u8],
    route: &str,
) -> Answer {
    v1.require(roles::KOBJECT_UPDATE, route)?;
    let (klass, id) = object_path(path)?;
    let write: KObjectWrite = parse_write(body)?;
    data(
        StatusCode::OK,
        app.store.update_kobject(&v1.actor(), &klass, id, write)?,
    )
}

#[utoipa::path(
    delete, path = "/klasses/{name}/{id}", tag = "kobjects", operation_id = "deleteKObject",
    params(doc::KObjectPath),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    v1.require(roles::KOBJECT_DELETE, "DELETE /v1/klasses/{name}/{id}")?;
    let (klass, id) = object_path(path)?;
    app.store.delete_kobject(&v1.actor(), &klass, id)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/klasses/{name}/externalId={externalId}", tag = "kobjects", operation_id = "getKObjectByExternalId",
    params(
        ("name" = String, Path, description = "The klass's `name`"),
        ("externalId" = String, Path, description = "The KObject's `externalId`"),
    ),
    responses(
        (status = 200, description = "The KObject", body = doc::KObjectData),
        (status = 404, description = "No KObject of the klass has this `externalId`", body = doc::ErrorBody),
    ),
)]
pub async fn by_external_id(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Answer {
    v1.require(
        roles::KOBJECT_READ,
        "GET /v1/klasses/{name}/externalId={externalId}",
    )?;
    let (klass, external_id) = two(path)?;
    data(
        StatusCode::OK,
        app.store
            .kobject_by_external_id(v1.org(), &klass, &external_id)?,
    )
}

#[utoipa::path(
    get, path = "/customers/{id}/klasses/{name}", tag = "kobjects", operation_id = "listCustomerKObjects",
    summary = "The customer's KObjects of the klass, in creation order",
    params(
        ("id" = String, Path, description = "The customer's id"),
        ("name" = String, Path, description = "The klass's `name`"),
        doc::PageParams,
    ),
    responses((status = 200, description = "A page of KObjects", body = doc::KObjectList)),
)]
pub async fn customer_list(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(
        roles::CUSTOMER_READ,
        "GET /v1/customers/{id}/klasses/{name}",
    )?;
    let (customer, klass) = two(path)?;
    let customer = id_of(&customer, "id")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app
        .store
        .list_kobjects(v1.org(), &klass, Some(customer), page)?;
    let path = format!("/v1/customers/{customer}/klasses/{klass}");
    Ok((
        StatusCode::OK,
        Json(envelope(&path, raw.as_deref(), &pairs, page, listing)),
    ))
}

#[utoipa::path(
    post, path = "/customers/{id}/klasses/{name}", tag = "kobjects", operation_id = "createCustomerKObject",
    summary = "Create a KObject of the klass for the customer",
    params(
        ("id" = String, Path, description = "The customer's id"),
        ("name" = String, Path, description = "The klass's `name`"),
    ),
    request_body = KObjectWrite,
    responses(
        (status = 201, description = "The new KObject", body = doc::KObjectData),
        (status = 404, description = "No such customer or klass", body = doc::ErrorBody),
        (status = 409, description = "A KObject of this klass already has this `externalId`", body = doc::ErrorBody),
    ),
)]
pub async fn customer_create(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Bytes,
) -> Answer {
    v1.require(
        roles::KOBJECT_CREATE,
        "POST /v1/customers/{id}/klasses/{name}",
    )?;
    let (customer, klass) = two(path)?;
    let customer = id_of(&customer, "id")?;
    let write: KObjectWrite = parse_write(&body)?;
    data(
        StatusCode::CREATED,
        app.store
            .create_kobject(&v1.actor(), &klass, write, Some(customer), None)?,
    )
}

#[utoipa::path(
    get, path = "/companies/{id}/klasses/{name}", tag = "kobjects", operation_id = "listCompanyKObjects",
    summary = "The KObjects of the klass whose `company` is this company, in creation order",
    params(
        ("id" = String, Path, description = "The company's id"),
        ("name" = String, Path, description = "The klass's `name`"),
        doc::PageParams,
    ),
    responses(
        (status = 200, description = "A page of KObjects", body = doc::KObjectList),
        (status = 404, description = "No such company or klass", body = doc::ErrorBody),
    ),
)]
pub async fn company_list(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::COMPANY_READ, "GET /v1/companies/{id}/klasses/{name}")?;
    let (company, klass) = two(path)?;
    let company = id_of(&company, "id")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app
        .store
        .company_kobjects(v1.org(), company, &klass, page)?;
    let path = format!("/v1/companies/{company}/klasses/{klass}");
    Ok((
        StatusCode::OK,
        Json(envelope(&path, raw.as_deref(), &pairs, page, listing)),
    ))
}
