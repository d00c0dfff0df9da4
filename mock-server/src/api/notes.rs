//! `/v1/notes`, `/v1/conversations/{id}/notes` and `/v1/customers/{id}/notes` handlers.

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
use crate::model::{NoteEdit, NoteWrite};
use crate::openapi::doc;
use crate::store::NotesOf;
use crate::support::ids::Id;

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

fn data(status: StatusCode, resource: Value) -> Answer {
    Ok((status, Json(json!({ "data": resource }))))
}

fn list_of(app: &AppState, v1: &V1, raw: Option<&str>, of: NotesOf, path: &str) -> Answer {
    super::users::paged(path, raw, |page| app.store.list_notes(v1.org(), of, page))
}

#[utoipa::path(
    get, path = "/notes", tag = "notes", operation_id = "listNotes",
    summary = "The org's notes, oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of notes", body = doc::NoteList)),
)]
pub async fn org_list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::NOTE_READ, "GET /v1/notes")?;
    list_of(&app, &v1, raw.as_deref(), NotesOf::Org, "/v1/notes")
}

#[utoipa::path(
    post, path = "/notes", tag = "notes", operation_id = "createNote",
    summary = "Add a note to the conversation the body names",
    request_body = NoteWrite,
    responses(
        (status = 201, description = "The new note", body = doc::NoteData),
        (status = 404, description = "No such conversation", body = doc::ErrorBody),
    ),
)]
pub async fn org_create(State(app): State<AppState>, v1: V1, body: Bytes) -> Answer {
    v1.require(roles::NOTE_CREATE, "POST /v1/notes")?;
    let write: NoteWrite = parse_write(&body)?;
    data(
        StatusCode::CREATED,
        app.store.create_note(&v1.actor(), write, None)?,
    )
}

#[utoipa::path(
    get, path = "/customers/{id}/notes", tag = "notes", operation_id = "listCustomerNotes",
    summary = "The notes on all the customer's conversations, oldest first",
    params(doc::IdPath, doc::PageParams),
    responses((status = 200, description = "A page of the customer's notes", body = doc::NoteList)),
)]
pub async fn customer_list(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::NOTE_READ, "GET /v1/customers/{id}/notes")?;
    let path = format!("/v1/customers/{id}/notes");
    list_of(&app, &v1, raw.as_deref(), NotesOf::Customer(id), &path)
}

#[utoipa::path(
    get, path = "/notes/{id}", tag = "notes", operation_id = "getNote",
    params(doc::IdPath),
    responses((status = 200, description = "The note", body = doc::NoteData)),
)]
pub async fn get(State(app): State<AppState>, v1: V1, IdParam(id): IdParam) -> Answer {
    v1.require(roles::NOTE_READ, "GET /v1/notes/{id}")?;
    data(StatusCode::OK, app.store.get_note(v1.org(), id)?)
}

#[utoipa::path(
    put, path = "/notes/{id}", tag = "notes", operation_id = "updateNote",
    summary = "Change the fields the body names",
    params(doc::IdPath),
    request_body = NoteEdit,
    responses((status = 200, description = "The note after the change", body = doc::NoteData)),
)]
pub async fn update(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, id, &body, "PUT /v1/notes/{id}")
}

#[utoipa::path(
    patch, path = "/notes/{id}", tag = "notes", operation_id = "patchNote",
    summary = "The same as PUT: change the fields the body names",
    params(doc::IdPath),
    request_body = NoteEdit,
    responses((status = 200, description = "The note after the change", body = doc::NoteData)),
)]
pub async fn patch(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    body: Bytes,
) -> Answer {
    edit(&app, &v1, id, &body, "PATCH /v1/notes/{id}")
}

fn edit(app: &AppState, v1: &V1, id: Id, body: &[u8], route: &str) -> Answer {
    v1.require(roles::NOTE_UPDATE, route)?;
    let edit: NoteEdit = parse_write(body)?;
    data(
        StatusCode::OK,
        app.store.update_note(&v1.actor(), id, edit)?,
    )
}

#[utoipa::path(
    delete, path = "/notes/{id}", tag = "notes", operation_id = "deleteNote",
    summary = "Remove the note (its conversation's noteCount goes down)",
    params(doc::IdPath),
    responses((status = 204, description = "Deleted")),
)]
pub async fn delete(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
) -> Result<StatusCode, ApiError> {
    v1.require(roles::NOTE_DELETE, "DELETE /v1/notes/{id}")?;
    app.store.delete_note(&v1.actor(), id)?;
    Ok(StatusCode::NO_CONTENT)
}
