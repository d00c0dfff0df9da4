//! `GET /v1/customers/{id}/events` and `GET /v1/conversations/{id}/events`: the record's
//! events, read back from the event log (see `store/record_events.rs`).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::ids::Id;

use super::extract::{IdPairParam, IdParam, V1};
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::openapi::doc;
use crate::store::EventsOf;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// One of the record's events, for the route `route` names.
fn one_of(app: &AppState, v1: &V1, of: EventsOf, event: Id, route: &str) -> Answer {
    v1.require(roles::EVENT_READ, route)?;
    let resource = app.store.record_event(v1.org(), of, event)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource }))))
}

fn list_of(app: &AppState, v1: &V1, raw: Option<&str>, of: EventsOf, path: &str) -> Answer {
    let pairs = query_pairs(raw)?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let name = pairs
        .iter()
        .find(|(key, _)| key == "name")
        .map(|(_, value)| value.as_str());
    let listing = app.store.record_events(v1.org(), of, name, page)?;
    Ok((
        StatusCode::OK,
        Json(envelope(path, raw, &pairs, page, listing)),
    ))
}

#[utoipa::path(
    get, path = "/customers/{id}/events", tag = "events", operation_id = "listCustomerEvents",
    summary = "The customer's events and those of its conversations and messages, oldest first (those the event log still holds)",
    params(
        doc::IdPath,
        doc::PageParams,
        ("name" = Option<String>, Query, description = "Only events of this name, e.g. `kustomer.conversation.create`"),
    ),
    responses(
        (status = 200, description = "A page of `customer_event` resources", body = doc::RecordEventList),
        (status = 404, description = "No such customer", body = doc::ErrorBody),
    ),
)]
pub async fn customer_events(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::EVENT_READ, "GET /v1/customers/{id}/events")?;
    let path = format!("/v1/customers/{id}/events");
    list_of(&app, &v1, raw.as_deref(), EventsOf::Customer(id), &path)
}

#[utoipa::path(
    get, path = "/customers/{id}/events/{eventId}", tag = "events", operation_id = "getCustomerEvent",
    summary = "One of the customer's events (or of its conversations and messages), while the event log holds it",
    params(
        doc::IdPath,
        ("eventId" = String, Path, description = "The event's id: 24 hexadecimal characters", pattern = "^[0-9a-fA-F]{24}$"),
    ),
    responses(
        (status = 200, description = "The `customer_event` resource", body = doc::RecordEventData),
        (status = 404, description = "No such customer, or no such event of it", body = doc::ErrorBody),
    ),
)]
pub async fn customer_event(
    State(app): State<AppState>,
    v1: V1,
    IdPairParam(id, event): IdPairParam,
) -> Answer {
    let route = "GET /v1/customers/{id}/events/{eventId}";
    one_of(&app, &v1, EventsOf::Customer(id), event, route)
}

#[utoipa::path(
    get, path = "/conversations/{id}/events", tag = "events", operation_id = "listConversationEvents",
    summary = "The conversation's events and those of its messages and notes, oldest first (those the event log still holds)",
    params(doc::IdPath, doc::PageParams),
    responses(
        (status = 200, description = "A page of `customer_event` resources", body = doc::RecordEventList),
        (status = 404, description = "No such conversation", body = doc::ErrorBody),
    ),
)]
pub async fn conversation_events(
    State(app): State<AppState>,
    v1: V1,
    IdParam(id): IdParam,
    RawQuery(raw): RawQuery,
) -> Answer {
    v1.require(roles::EVENT_READ, "GET /v1/conversations/{id}/events")?;
    let path = format!("/v1/conversations/{id}/events");
    list_of(&app, &v1, raw.as_deref(), EventsOf::Conversation(id), &path)
}

#[utoipa::path(
    get, path = "/conversations/{id}/events/{eventId}", tag = "events", operation_id = "getConversationEvent",
    summary = "One of the conversation's events (or of its messages and notes), at the `links.self` its list gives, while the event log holds it",
    params(
        doc::IdPath,
        ("eventId" = String, Path, description = "The event's id: 24 hexadecimal characters", pattern = "^[0-9a-fA-F]{24}$"),
    ),
    responses(
        (status = 200, description = "The `customer_event` resource", body = doc::RecordEventData),
        (status = 404, description = "No such conversation, or no such event of it", body = doc::ErrorBody),
    ),
)]
pub async fn conversation_event(
    State(app): State<AppState>,
    v1: V1,
    IdPairParam(id, event): IdPairParam,
) -> Answer {
    let route = "GET /v1/conversations/{id}/events/{eventId}";
    one_of(&app, &v1, EventsOf::Conversation(id), event, route)
}
