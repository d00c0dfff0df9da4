//! `/v1/conversations/{id}/notes` handlers.

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
use crate::model::NoteWrite;
use crate::openapi::doc;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

#[utoipa::path(
    get, path = "/conversations/{id}/notes", tag = "notes", operation_id = "listConversationNotes",
    params(doc::IdPath, doc::PageParams),
    responses((status = 200, description = "A page of the conversation's notes", body = doc::NoteList)),
)]
pub async fn list(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::CONVERSATION_READ, "GET /v1/conversations/{id}/notes")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.conversation_notes(v1.org(), id, page)?;
    let path = format!("/v1/conversations/{id}/notes");
    Ok((
        StatusCode::OK,
        Json(envelope(&path, raw.as_deref(), &pairs, page, listing)),
    ))
}

#[utoipa::path(
    post, path = "/conversations/{id}/notes", tag = "notes", operation_id = "createConversationNote",
    params(doc::IdPath),
    request_body = NoteWrite,
    responses((status = 201, description = "The new note", body = doc::NoteData)),
)]
pub async fn create(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    v1.require(
        roles::CONVERSATION_UPDATE,
        "POST /v1/conversations/{id}/notes",
    )?;
    let write: NoteWrite = parse_write(&body)?;
    let resource = app.store.create_note(&v1.actor(), write, Some(id))?;
    Ok((StatusCode::CREATED, Json(json!({ "data": resource }))))
}
