//! `/v1/klasses` and `/v1/klasses/{name}`. Kustomer serves a klass by id and the KObjects
//! of a klass by name on the same path: `GET /v1/klasses/{key}` is the klass when `key`
//! is one of the org's klass ids, else the KObjects of the klass named `key`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::V1;
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::{KObjectWrite, KlassWrite};
use crate::openapi::doc;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

/// A path segment that is text (a klass name or id).
pub(super) fn segment(
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<String, ApiError> {
    match path {
        Ok(Path(text)) if !text.trim().is_empty() => Ok(text),
        Ok(_) => Err(
            ApiError::bad_request("invalid_parameter", "the klass name cannot be empty")
                .at_parameter("name"),
        ),
        Err(e) => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("Bad path parameter `name`: {e}"),
        )
        .at_parameter("name")),
    }
}

#[utoipa::path(
    get, path = "/klasses", tag = "klasses", operation_id = "listKlasses",
    summary = "The org's klasses, in creation order",
    params(doc::PageParams),
    responses((status = 200, description = "A page of klasses", body = doc::KlassList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::KLASS_READ, "GET /v1/klasses")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.list_klasses(v1.org(), page)?;
    Ok((
        StatusCode::OK,
        Json(envelope(
            "/v1/klasses",
            raw.as_deref(),
            &pairs,
            page,
            listing,
        )),
    ))
}

#[utoipa::path(
    post, path = "/klasses", tag = "klasses", operation_id = "createKlass",
    summary = "Define a klass (a custom object type); its name must be free",
    request_body = KlassWrite,
    responses(
        (status = 200, description = "The new klass (200, as the reference answers it)", body = doc::KlassData),
        (status = 409, description = "The org already has a klass of this name", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::KLASS_CREATE, "POST /v1/klasses")?;
    let write: KlassWrite = parse_write(&body)?;
    data(
        StatusCode::OK,
        app.store.create_klass(&v1.actor(), write, None, None)?,
    )
}

#[utoipa::path(
    get, path = "/klasses/{name}", tag = "klasses", operation_id = "getKlassOrKObjects",
    summary = "The klass with this id; for a klass name, the klass's KObjects (a page, in creation order)",
    params(doc::KlassPath, doc::PageParams),
    responses(
        (status = 200, description = "The klass (by id), or a page of its KObjects (by name)", body = doc::KlassOrKObjects),
        (status = 404, description = "No klass has this id or name", body = doc::ErrorBody),
    ),
)]
pub async fn get(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let key = segment(path)?;
    // The paging parameters are checked whichever answer this is: the route has them.
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    if app.store.is_klass_id(v1.org(), &key)? {
        v1.require(roles::KLASS_READ, "GET /v1/klasses/{id}")?;
        return data(StatusCode::OK, app.store.get_klass(v1.org(), &key)?);
    }
    v1.require(roles::KOBJECT_READ, "GET /v1/klasses/{name}")?;
    let listing = app.store.list_kobjects(v1.org(), &key, None, page)?;
    let path = format!("/v1/klasses/{key}");
    Ok((
        StatusCode::OK,
        Json(envelope(&path, raw.as_deref(), &pairs, page, listing)),
    ))
}

#[utoipa::path(
    post, path = "/klasses/{name}", tag = "kobjects", operation_id = "createKObject",
    summary = "Create a KObject of the klass; `custom` is checked against the klass",
    params(doc::KlassPath),
    request_body = KObjectWrite,
    responses(
        (status = 201, description = "The new KObject", body = doc::KObjectData),
        (status = 404, description = "No klass has this name", body = doc::ErrorBody),
        (status = 409, description = "A KObject of this klass already has this `externalId`", body = doc::ErrorBody),
    ),
)]
pub async fn create_object(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    body: Bytes,
) -> Answer {
    v1.require(roles::KOBJECT_CREATE, "POST /v1/klasses/{name}")?;
    let klass = segment(path)?;
    let write: KObjectWrite = parse_write(&body)?;
    data(
        StatusCode::CREATED,
        app.store
            .create_kobject(&v1.actor(), &klass, write, None, None)?,
    )
}

#[utoipa::path(
    put, path = "/klasses/{name}", tag = "klasses", operation_id = "updateKlass",
    summary = "Change the klass (by id or name) as the body says; `name` stays",
    params(doc::KlassPath),
    request_body = KlassWrite,
    responses(
        (status = 200, description = "The klass after the change", body = doc::KlassData),
        (status = 404, description = "No such klass", body = doc::ErrorBody),
    ),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    body: Bytes,
) -> Answer {
    v1.require(roles::KLASS_UPDATE, "PUT /v1/klasses/{id}")?;
    let key = segment(path)?;
    let write: KlassWrite = parse_write(&body)?;
    data(
        StatusCode::OK,
        app.store.update_klass(&v1.actor(), &key, write)?,
    )
}

#[utoipa::path(
    delete, path = "/klasses/{name}", tag = "klasses", operation_id = "deleteKlass",
    summary = "Delete a klass (by id or name) that has no KObjects",
    params(doc::KlassPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such klass", body = doc::ErrorBody),
        (status = 409, description = "The klass still has KObjects", body = doc::ErrorBody),
    ),
)]
pub async fn delete(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<StatusCode, ApiError> {
    v1.require(roles::KLASS_DELETE, "DELETE /v1/klasses/{id}")?;
    let key = segment(path)?;
    app.store.delete_klass(&v1.actor(), &key)?;
    Ok(StatusCode::NO_CONTENT)
}
