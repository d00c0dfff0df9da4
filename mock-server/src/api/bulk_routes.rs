//! The bulk routes, one handler per route (each documented), all running
//! [`bulk::run`] over the object's single-record writes (`bulk_objects.rs`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::bulk::{BulkObject, BulkOp, BulkRequest, run};
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

/// What sets one bulk route apart: the roles it takes, its method and path (as a missing
/// role's error names them; they also give the operation and the single-record path) and
/// the status of its answer.
struct BulkRoute {
    roles: &'static [&'static str],
    route: &'static str,
    status: StatusCode,
}

impl BulkRoute {
    /// Checks the caller's roles, then runs the items through `T`'s single-record writes.
    /// `klass_path` is the `{name}` of a KObject route, resolved after the role check.
    fn run<T: BulkObject>(
        &self,
        app: &AppState,
        v1: &V1,
        klass_path: Option<Result<Path<String>, PathRejection>>,
        raw_query: Option<&str>,
        body: &[u8],
    ) -> Answer {
        v1.require(self.roles, self.route)?;
        let scope = match klass_path {
            Some(path) => klass(app, v1, path)?,
            None => String::new(),
        };
        let (method, template) = self.route.split_once(' ').unwrap_or_default();
        let op = match method {
            "POST" => BulkOp::Create,
            "PUT" => BulkOp::Update,
            _ => BulkOp::Delete,
        };
        let request = BulkRequest {
            op,
            path: template.trim_end_matches("/bulk").replace("{name}", &scope),
            scope: &scope,
            status: self.status,
            raw_query,
            body,
        };
        run::<T>(app, v1, request)
    }
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
    let route = BulkRoute {
        roles: roles::CONVERSATION_CREATE,
        route: "POST /v1/conversations/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Conversations>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::CONVERSATION_UPDATE,
        route: "PUT /v1/conversations/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Conversations>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::CUSTOMER_CREATE,
        route: "POST /v1/customers/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Customers>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::CUSTOMER_UPDATE,
        route: "PUT /v1/customers/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Customers>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::CUSTOMER_DELETE,
        route: "DELETE /v1/customers/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Customers>(&app, &v1, None, raw.as_deref(), &[])
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
    let route = BulkRoute {
        roles: roles::COMPANY_CREATE,
        route: "POST /v1/companies/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Companies>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::COMPANY_UPDATE,
        route: "PUT /v1/companies/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Companies>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::MESSAGE_CREATE,
        route: "POST /v1/messages/bulk",
        status: StatusCode::OK,
    };
    route.run::<Messages>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::MESSAGE_UPDATE,
        route: "PUT /v1/messages/bulk",
        status: StatusCode::OK,
    };
    route.run::<Messages>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::NOTE_CREATE,
        route: "POST /v1/notes/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Notes>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::NOTE_UPDATE,
        route: "PUT /v1/notes/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<Notes>(&app, &v1, None, raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::KOBJECT_CREATE,
        route: "POST /v1/klasses/{name}/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<KObjects>(&app, &v1, Some(path), raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::KOBJECT_UPDATE,
        route: "PUT /v1/klasses/{name}/bulk",
        status: StatusCode::OK,
    };
    route.run::<KObjects>(&app, &v1, Some(path), raw.as_deref(), &body)
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
    let route = BulkRoute {
        roles: roles::KOBJECT_DELETE,
        route: "DELETE /v1/klasses/{name}/bulk",
        status: StatusCode::CREATED,
    };
    route.run::<KObjects>(&app, &v1, Some(path), raw.as_deref(), &[])
}
