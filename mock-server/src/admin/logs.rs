//! Admin: the request journal and the event log (also streamed as Server-Sent Events).

use std::convert::Infallible;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use serde_json::{Value, json};

use crate::api::query_pairs;
use crate::error::ApiError;
use crate::events::{BusItem, EventQuery};
use crate::http::app::AppState;
use crate::journal::JournalQuery;
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn number<T: std::str::FromStr>(
    pairs: &[(String, String)],
    name: &str,
) -> Result<Option<T>, ApiError> {
    match param(pairs, name) {
        None => Ok(None),
        Some(text) => text.parse::<T>().map(Some).map_err(|_| {
            ApiError::bad_request(
                "invalid_parameter",
                format!("`{name}` must be a number, not `{text}`"),
            )
            .at_parameter(name)
        }),
    }
}

/// `GET /__admin/journal?method=&path=&status=&after=&limit=`.
pub async fn journal(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(raw.as_deref())?;
    let query = JournalQuery {
        method: param(&pairs, "method").map(str::to_string),
        path: param(&pairs, "path").map(str::to_string),
        status: number(&pairs, "status")?,
        after_seq: number(&pairs, "after")?,
        limit: number(&pairs, "limit")?,
    };
    let (entries, dropped) = app.journal.query(&query);
    let data: Vec<Value> = entries
        .into_iter()
        .map(|(seq, entry)| {
            let mut value = json!(entry);
            value["seq"] = json!(seq);
            value
        })
        .collect();
    Ok(Json(json!({
        "meta": { "count": data.len(), "dropped": dropped, "enabled": app.journal.is_enabled() },
        "data": data,
    })))
}

/// `DELETE /__admin/journal`.
pub async fn clear_journal(State(app): State<AppState>) -> StatusCode {
    app.journal.clear();
    StatusCode::NO_CONTENT
}

fn event_query(app: &AppState, pairs: &[(String, String)]) -> Result<EventQuery, ApiError> {
    let data_id = match param(pairs, "dataId") {
        None => None,
        Some(text) => Some(Id::parse(text).ok_or_else(|| {
            ApiError::bad_request("invalid_id", format!("`dataId` `{text}` is not a valid id"))
                .at_parameter("dataId")
        })?),
    };
    let since = match param(pairs, "since") {
        None => None,
        Some(text) => Some(Timestamp::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_parameter",
                format!("`since` `{text}` is not an ISO-8601 timestamp"),
            )
            .at_parameter("since")
        })?),
    };
    let org = match param(pairs, "org") {
        None => None,
        Some(name) => Some(app.store.resolve_org(Some(name))?),
    };
    Ok(EventQuery {
        org,
        name: param(pairs, "name").map(str::to_string),
        data_id,
        since,
        after_seq: number(pairs, "after")?,
        limit: number(pairs, "limit")?,
    })
}

/// `GET /__admin/events?name=&dataId=&since=&after=&org=&limit=`.
pub async fn events(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(raw.as_deref())?;
    let query = event_query(&app, &pairs)?;
    let page = app.store.bus().query(&query);
    let data: Vec<Value> = page.events.iter().map(|(_, e)| json!(e.as_ref())).collect();
    let seqs: Vec<u64> = page.events.iter().map(|(s, _)| *s).collect();
    Ok(Json(json!({
        "meta": { "count": data.len(), "dropped": page.dropped, "lastSeq": page.last_seq, "seqs": seqs },
        "data": data,
    })))
}

/// `GET /__admin/events/stream`: new events as Server-Sent Events (`event:` the name,
/// `id:` the sequence number, `data:` the event). `Last-Event-ID` resumes after that
/// event; a subscriber that fell behind the log gets an `event: lagged` with the count.
pub async fn event_stream(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let pairs = query_pairs(raw.as_deref())?;
    let query = event_query(&app, &pairs)?;
    let bus = app.store.bus();
    let subscription = match headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(last) => bus.subscribe_from(last + 1, query.org),
        None => bus.subscribe(query.org),
    };
    let stream = futures::stream::unfold(subscription, |mut sub| async move {
        let item = sub.recv().await?;
        let seq = sub.cursor() - 1;
        Some(((seq, item), sub))
    })
    .filter_map(move |(seq, item)| {
        let query = query.clone();
        async move {
            match item {
                BusItem::Lagged(n) => Some(Ok(SseEvent::default()
                    .event("lagged")
                    .data(json!({ "missed": n }).to_string()))),
                BusItem::Event(event) => {
                    let wanted = query.name.as_deref().is_none_or(|n| n == event.name)
                        && query.data_id.is_none_or(|d| d == event.data_id);
                    wanted.then(|| {
                        Ok(SseEvent::default()
                            .event(event.name.clone())
                            .id(seq.to_string())
                            .data(serde_json::to_string(event.as_ref()).unwrap_or_default()))
                    })
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
