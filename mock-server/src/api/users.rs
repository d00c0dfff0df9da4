//! `/v1/users` and `/v1/teams`: who can be `createdBy`, `modifiedBy` or assigned.
//!
//! Any valid key may read them (the mock keeps no user roles), so every user and team id
//! an answer carries can be followed with the key that received it.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::extract::{IdParam, V1};
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::openapi::doc;
use crate::store::{Listing, Page};

pub(super) type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// A paged answer: parses `page`/`pageSize`, asks `read` for the page, wraps it.
pub(super) fn paged(
    path: &str,
    raw: Option<&str>,
    read: impl FnOnce(Page) -> Result<Listing, ApiError>,
) -> Answer {
    let pairs = query_pairs(raw)?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = read(page)?;
    Ok((
        StatusCode::OK,
        Json(envelope(path, raw, &pairs, page, listing)),
    ))
}

#[utoipa::path(
    get, path = "/users", tag = "users", operation_id = "listUsers",
    summary = "List the org's users (agents and machine users), oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of users", body = doc::UserList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    paged("/v1/users", raw.as_deref(), |page| {
        app.store.list_users(v1.org(), page)
    })
}

#[utoipa::path(
    get, path = "/users/{id}", tag = "users", operation_id = "getUser",
    params(doc::IdPath),
    responses(
        (status = 200, description = "The user", body = doc::UserData),
        (status = 404, description = "No such user in this org", body = doc::ErrorBody),
    ),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    let resource = app.store.get_user(v1.org(), id)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    get, path = "/users/{id}/teams", tag = "users", operation_id = "listUserTeams",
    summary = "The teams the user is a member of",
    params(doc::IdPath, doc::PageParams),
    responses(
        (status = 200, description = "A page of teams", body = doc::TeamList),
        (status = 404, description = "No such user in this org", body = doc::ErrorBody),
    ),
)]
pub async fn teams(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    let path = format!("/v1/users/{id}/teams");
    paged(&path, raw.as_deref(), |page| {
        app.store.user_teams(v1.org(), id, page)
    })
}

#[utoipa::path(
    get, path = "/teams", tag = "teams", operation_id = "listTeams",
    summary = "List the org's teams, oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of teams", body = doc::TeamList)),
)]
pub async fn list_teams(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    paged("/v1/teams", raw.as_deref(), |page| {
        app.store.list_teams(v1.org(), page)
    })
}

#[utoipa::path(
    get, path = "/teams/{id}", tag = "teams", operation_id = "getTeam",
    params(doc::IdPath),
    responses(
        (status = 200, description = "The team", body = doc::TeamData),
        (status = 404, description = "No such team in this org", body = doc::ErrorBody),
    ),
)]
pub async fn get_team(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    let resource = app.store.get_team(v1.org(), id)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}
