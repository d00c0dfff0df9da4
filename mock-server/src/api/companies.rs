//! `/v1/companies` handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::body::parse_write;
use super::extract::{IdParam, V1};
use super::list::query_pairs;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::CompanyWrite;
use crate::openapi::doc;
use crate::store::{CompanyFilter, CreateOptions};
use crate::support::ids::Id;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

/// `externalId` and `filter` of `GET /v1/companies`.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // Describes the query the handler reads from its pairs.
pub struct CompanyQuery {
    /// Only the company with this `externalId`.
    external_id: Option<String>,
    /// Only companies whose name contains this text (any case). With `externalId` too,
    /// both are ignored, as Kustomer does.
    filter: Option<String>,
}

#[utoipa::path(
    get, path = "/companies", tag = "companies", operation_id = "listCompanies",
    summary = "List the org's companies, oldest first",
    params(doc::PageParams, CompanyQuery),
    responses((status = 200, description = "A page of companies", body = doc::CompanyList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::COMPANY_READ, "GET /v1/companies")?;
    let pairs = query_pairs(raw.as_deref())?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let filter = CompanyFilter {
        external_id: value("externalId"),
        name: value("filter"),
    };
    super::users::paged("/v1/companies", raw.as_deref(), |page| {
        app.store.list_companies(v1.org(), &filter, page)
    })
}

#[utoipa::path(
    post, path = "/companies", tag = "companies", operation_id = "createCompany",
    request_body = CompanyWrite,
    responses(
        (status = 201, description = "The new company", body = doc::CompanyData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::COMPANY_CREATE, "POST /v1/companies")?;
    let write: CompanyWrite = parse_write(&body)?;
    let resource = app
        .store
        .create_company(&v1.actor(), write, CreateOptions::default())?;
    data(StatusCode::CREATED, resource)
}

#[utoipa::path(
    get, path = "/companies/{id}", tag = "companies", operation_id = "getCompany",
    params(doc::IdPath),
    responses((status = 200, description = "The company", body = doc::CompanyData)),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::COMPANY_READ, "GET /v1/companies/{id}")?;
    data(StatusCode::OK, app.store.get_company(v1.org(), id)?)
}

#[utoipa::path(
    put, path = "/companies/{id}", tag = "companies", operation_id = "updateCompany",
    summary = "Change the fields the body names (a merge)",
    params(doc::IdPath),
    request_body = CompanyWrite,
    responses(
        (status = 200, description = "The company after the change", body = doc::CompanyData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, id, &body, "PUT /v1/companies/{id}")
}

#[utoipa::path(
    patch, path = "/companies/{id}", tag = "companies", operation_id = "patchCompany",
    summary = "The same as PUT: change the fields the body names",
    params(doc::IdPath),
    request_body = CompanyWrite,
    responses(
        (status = 200, description = "The company after the change", body = doc::CompanyData),
        (status = 409, description = "`externalId` is taken", body = doc::ErrorBody),
    ),
)]
pub async fn patch(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, id, &body, "PATCH /v1/companies/{id}")
}

fn edit(app: &AppState, v1: &V1, id: Id, body: &[u8], route: &str) -> Answer {
    v1.require(roles::COMPANY_UPDATE, route)?;
    let write: CompanyWrite = parse_write(body)?;
    data(
        StatusCode::OK,
        app.store.update_company(&v1.actor(), id, write)?,
    )
}
