//! The bulk routes, one handler per route (each documented), all running
//! [`bulk::run`] over the object's single-record writes (`bulk_objects.rs`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::bulk::{BulkOp, BulkRequest, run};
use super::bulk_objects::{Companies, Conversations, Customers, KObjects, Messages, Notes};
use super::extract::V1;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::openapi::doc;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// The klass name of the path, which must name a klass of the org (else 404).
fn klass(
    app: &AppState,
    v1: &V1,
    path: Result<Path<String>, PathRejection>,
) -> Result<String, ApiError> {
    let Path(name) = path.map_err(|e| {
        ApiError::bad_request(
            "invalid_parameter",
            format!("Bad path parameter `name`: {e}"),
        )
        .at_parameter("name")
    })?;
    if app.store.is_klass_id(v1.org(), &name)? {
        // A klass id names the klass too, as on `GET /v1/klasses/{name}`.
        let klass = app.store.get_klass(v1.org(), &name)?;
        if let Some(name) = klass["attributes"]["name"].as_str() {
            return Ok(name.to_string());
        }
    }
    if !app.store.has_klass(v1.org(), &name)? {
        return Err(ApiError::not_found("klass", &name));
    }
    Ok(name)
}

#[utoipa::path(
    post, path = "/conversations/bulk", tag = "conversations", operation_id = "bulkCreateConversations",
    summary = "Create conversations, each through `POST /v1/conversations`",
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn conversations_create(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::CONVERSATION_CREATE, "POST /v1/conversations/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Create,
        path: "/v1/conversations".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Conversations>(&app, &v1, request)
}

#[utoipa::path(
    put, path = "/conversations/bulk", tag = "conversations", operation_id = "bulkUpdateConversations",
    summary = "Change conversations, each through `PUT /v1/conversations/{id}`",
    params(("ids" = Option<String>, Query, description = "Comma-separated record ids: the body's one change is made to each")),
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn conversations_update(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::CONVERSATION_UPDATE, "PUT /v1/conversations/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Update,
        path: "/v1/conversations".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Conversations>(&app, &v1, request)
}

#[utoipa::path(
    post, path = "/customers/bulk", tag = "customers", operation_id = "bulkCreateCustomers",
    summary = "Create customers, each through `POST /v1/customers`",
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn customers_create(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::CUSTOMER_CREATE, "POST /v1/customers/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Create,
        path: "/v1/customers".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Customers>(&app, &v1, request)
}

#[utoipa::path(
    put, path = "/customers/bulk", tag = "customers", operation_id = "bulkUpdateCustomers",
    summary = "Change customers, each through `PUT /v1/customers/{id}`",
    params(("ids" = Option<String>, Query, description = "Comma-separated record ids: the body's one change is made to each")),
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn customers_update(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::CUSTOMER_UPDATE, "PUT /v1/customers/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Update,
        path: "/v1/customers".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Customers>(&app, &v1, request)
}

#[utoipa::path(
    delete, path = "/customers/bulk", tag = "customers", operation_id = "bulkDeleteCustomers",
    summary = "Delete the customers `ids` names, each through `DELETE /v1/customers/{id}`",
    params(("ids" = Option<String>, Query, description = "Comma-separated record ids: the records to delete")),
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn customers_delete(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::CUSTOMER_DELETE, "DELETE /v1/customers/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Delete,
        path: "/v1/customers".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &[],
    };
    run::<Customers>(&app, &v1, request)
}

#[utoipa::path(
    post, path = "/companies/bulk", tag = "companies", operation_id = "bulkCreateCompanies",
    summary = "Create companies, each through `POST /v1/companies`",
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn companies_create(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::COMPANY_CREATE, "POST /v1/companies/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Create,
        path: "/v1/companies".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Companies>(&app, &v1, request)
}

#[utoipa::path(
    put, path = "/companies/bulk", tag = "companies", operation_id = "bulkUpdateCompanies",
    summary = "Change companies, each through `PUT /v1/companies/{id}`",
    params(("ids" = Option<String>, Query, description = "Comma-separated record ids: the body's one change is made to each")),
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn companies_update(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::COMPANY_UPDATE, "PUT /v1/companies/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Update,
        path: "/v1/companies".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Companies>(&app, &v1, request)
}

#[utoipa::path(
    post, path = "/messages/bulk", tag = "messages", operation_id = "bulkCreateMessages",
    summary = "Record messages, each through `POST /v1/messages`",
    request_body = doc::BulkItems,
    responses(
        (status = 200, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn messages_create(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::MESSAGE_CREATE, "POST /v1/messages/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Create,
        path: "/v1/messages".to_string(),
        scope: "",
        status: StatusCode::OK,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Messages>(&app, &v1, request)
}

#[utoipa::path(
    put, path = "/messages/bulk", tag = "messages", operation_id = "bulkUpdateMessages",
    summary = "Change messages, each through `PUT /v1/messages/{id}`",
    params(("ids" = Option<String>, Query, description = "Comma-separated record ids: the body's one change is made to each")),
    request_body = doc::BulkItems,
    responses(
        (status = 200, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn messages_update(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::MESSAGE_UPDATE, "PUT /v1/messages/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Update,
        path: "/v1/messages".to_string(),
        scope: "",
        status: StatusCode::OK,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Messages>(&app, &v1, request)
}

#[utoipa::path(
    post, path = "/notes/bulk", tag = "notes", operation_id = "bulkCreateNotes",
    summary = "Create notes, each through `POST /v1/notes`",
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn notes_create(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::NOTE_CREATE, "POST /v1/notes/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Create,
        path: "/v1/notes".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Notes>(&app, &v1, request)
}

#[utoipa::path(
    put, path = "/notes/bulk", tag = "notes", operation_id = "bulkUpdateNotes",
    summary = "Change notes, each through `PUT /v1/notes/{id}`",
    params(("ids" = Option<String>, Query, description = "Comma-separated record ids: the body's one change is made to each")),
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
    ),
)]
pub async fn notes_update(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::NOTE_UPDATE, "PUT /v1/notes/bulk")?;
    let request = BulkRequest {
        op: BulkOp::Update,
        path: "/v1/notes".to_string(),
        scope: "",
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<Notes>(&app, &v1, request)
}

#[utoipa::path(
    post, path = "/klasses/{name}/bulk", tag = "kobjects", operation_id = "bulkCreateKObjects",
    summary = "Create KObjects of the klass, each through `POST /v1/klasses/{name}`",
    params(("name" = String, Path, description = "The klass's `name`")),
    request_body = doc::BulkItems,
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
        (status = 404, description = "No klass has this name or id", body = doc::ErrorBody),
    ),
)]
pub async fn kobjects_create(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::KOBJECT_CREATE, "POST /v1/klasses/{name}/bulk")?;
    let name = klass(&app, &v1, path)?;
    let request = BulkRequest {
        op: BulkOp::Create,
        path: format!("/v1/klasses/{name}"),
        scope: &name,
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<KObjects>(&app, &v1, request)
}

#[utoipa::path(
    put, path = "/klasses/{name}/bulk", tag = "kobjects", operation_id = "bulkUpdateKObjects",
    summary = "Change KObjects of the klass, each through `PUT /v1/klasses/{name}/{id}`",
    params(("name" = String, Path, description = "The klass's `name`"), ("ids" = Option<String>, Query, description = "Comma-separated record ids: the body's one change is made to each")),
    request_body = doc::BulkItems,
    responses(
        (status = 200, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
        (status = 404, description = "No klass has this name or id", body = doc::ErrorBody),
    ),
)]
pub async fn kobjects_update(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Answer {
    v1.require(roles::KOBJECT_UPDATE, "PUT /v1/klasses/{name}/bulk")?;
    let name = klass(&app, &v1, path)?;
    let request = BulkRequest {
        op: BulkOp::Update,
        path: format!("/v1/klasses/{name}"),
        scope: &name,
        status: StatusCode::OK,
        raw_query: raw.as_deref(),
        body: &body,
    };
    run::<KObjects>(&app, &v1, request)
}

#[utoipa::path(
    delete, path = "/klasses/{name}/bulk", tag = "kobjects", operation_id = "bulkDeleteKObjects",
    summary = "Delete the KObjects `ids` names, each through `DELETE /v1/klasses/{name}/{id}`",
    params(("name" = String, Path, description = "The klass's `name`"), ("ids" = Option<String>, Query, description = "Comma-separated record ids: the records to delete")),
    responses(
        (status = 201, description = "The bulk job, complete", body = doc::BulkJobData),
        (status = 400, description = "A bad item, named by its index", body = doc::ErrorBody),
        (status = 404, description = "No klass has this name or id", body = doc::ErrorBody),
    ),
)]
pub async fn kobjects_delete(
    State(app): State<AppState>,
    v1: V1,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::KOBJECT_DELETE, "DELETE /v1/klasses/{name}/bulk")?;
    let name = klass(&app, &v1, path)?;
    let request = BulkRequest {
        op: BulkOp::Delete,
        path: format!("/v1/klasses/{name}"),
        scope: &name,
        status: StatusCode::CREATED,
        raw_query: raw.as_deref(),
        body: &[],
    };
    run::<KObjects>(&app, &v1, request)
}
