//! `/v1/schedules` handlers. A single schedule's read carries `included` (the holidays
//! Kustomer attaches; the mock keeps none, so it is always empty).

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
use crate::model::ScheduleWrite;
use crate::openapi::doc;
use crate::store::CreateOptions;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

fn data(resource: Value) -> Answer {
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

fn with_included(resource: Value) -> Answer {
    Ok((
        StatusCode::OK,
        Json(json!({ "data": resource, "included": [] })),
    ))
}

#[utoipa::path(
    get, path = "/schedules", tag = "schedules", operation_id = "listSchedules",
    summary = "List the org's schedules, oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of schedules", body = doc::ScheduleList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::SCHEDULE_READ, "GET /v1/schedules")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.list_schedules(v1.org(), page)?;
    Ok((
        StatusCode::OK,
        Json(envelope(
            "/v1/schedules",
            raw.as_deref(),
            &pairs,
            page,
            listing,
        )),
    ))
}

#[utoipa::path(
    post, path = "/schedules", tag = "schedules", operation_id = "createSchedule",
    summary = "Create a schedule (`name`, `hours`, `timezone` required); answers 200 as the reference documents",
    request_body = ScheduleWrite,
    responses(
        (status = 200, description = "The new schedule", body = doc::ScheduleData),
        (status = 400, description = "A missing or bad field, named", body = doc::ErrorBody),
    ),
)]
pub async fn create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::SCHEDULE_CREATE, "POST /v1/schedules")?;
    let write: ScheduleWrite = parse_write(&body)?;
    data(
        app.store
            .create_schedule(&v1.actor(), write, CreateOptions::default())?,
    )
}

#[utoipa::path(
    get, path = "/schedules/default", tag = "schedules", operation_id = "getDefaultSchedule",
    responses(
        (status = 200, description = "The org's default schedule", body = doc::ScheduleRead),
        (status = 404, description = "The org has no schedule", body = doc::ErrorBody),
    ),
)]
pub async fn default(State(app): State<AppState>, v1: V1) -> Answer {
    v1.require(roles::SCHEDULE_READ, "GET /v1/schedules/default")?;
    with_included(app.store.default_schedule(v1.org())?)
}

#[utoipa::path(
    get, path = "/schedules/{id}", tag = "schedules", operation_id = "getSchedule",
    params(doc::IdPath),
    responses(
        (status = 200, description = "The schedule", body = doc::ScheduleRead),
        (status = 404, description = "No such schedule", body = doc::ErrorBody),
    ),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::SCHEDULE_READ, "GET /v1/schedules/{id}")?;
    with_included(app.store.get_schedule(v1.org(), id)?)
}

#[utoipa::path(
    put, path = "/schedules/{id}", tag = "schedules", operation_id = "updateSchedule",
    summary = "Change the fields the body names; `default: true` makes it the default",
    params(doc::IdPath),
    request_body = ScheduleWrite,
    responses(
        (status = 200, description = "The schedule after the change", body = doc::ScheduleData),
        (status = 404, description = "No such schedule", body = doc::ErrorBody),
    ),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(roles::SCHEDULE_UPDATE, "PUT /v1/schedules/{id}")?;
    let write: ScheduleWrite = parse_write(&body)?;
    data(app.store.update_schedule(&v1.actor(), id, write)?)
}

#[utoipa::path(
    delete, path = "/schedules/{id}", tag = "schedules", operation_id = "deleteSchedule",
    summary = "Remove the schedule; answers it marked deleted (200, as the reference documents)",
    params(doc::IdPath),
    responses(
        (status = 200, description = "The schedule, marked deleted", body = doc::ScheduleData),
        (status = 404, description = "No such schedule", body = doc::ErrorBody),
        (status = 409, description = "The default schedule", body = doc::ErrorBody),
    ),
)]
pub async fn delete(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::SCHEDULE_DELETE, "DELETE /v1/schedules/{id}")?;
    data(app.store.delete_schedule(&v1.actor(), id)?)
}
