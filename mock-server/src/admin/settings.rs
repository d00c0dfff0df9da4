//! Admin: the clock and the rate limits.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::{parse_body, query_pairs};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::model::LimitsPatch;
use crate::support::clock::{Timestamp, parse_duration};

fn clock_view(app: &AppState) -> Json<Value> {
    Json(json!({ "now": app.store.now(), "virtual": app.store.clock().is_virtual() }))
}

/// `GET /__admin/clock`.
pub async fn get_clock(State(app): State<AppState>) -> Json<Value> {
    clock_view(&app)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockBody {
    #[serde(default)]
    advance: Option<String>,
    #[serde(default)]
    set: Option<Timestamp>,
}

/// `POST /__admin/clock`: `{"advance": "60s"}` or `{"set": "<timestamp>"}`.
pub async fn set_clock(State(app): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body: ClockBody = parse_body(&body)?;
    match (body.advance, body.set) {
        (Some(advance), None) => {
            let millis = parse_duration(&advance).map_err(|e| {
                ApiError::bad_request("invalid_value", e.to_string()).at_pointer("/advance")
            })?;
            if millis < 0 {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    "the clock only advances forwards",
                )
                .at_pointer("/advance"));
            }
            app.store.clock().advance(millis);
        }
        (None, Some(set)) => {
            app.store.clock().set(set);
        }
        _ => {
            return Err(ApiError::bad_request(
                "invalid_value",
                "send exactly one of {\"advance\": \"60s\"} or {\"set\": \"2026-11-24T00:00:00.000Z\"}",
            )
            .at_pointer(""));
        }
    }
    // Drafts scheduled up to the new time are sent now, in `sendAt` order.
    app.store.send_due_drafts();
    Ok(clock_view(&app))
}

fn org_of(app: &AppState, org: Option<&str>) -> Result<crate::support::ids::Id, ApiError> {
    app.store.resolve_org(org)
}

/// `GET /__admin/limits?org=`.
pub async fn get_limits(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(raw.as_deref())?;
    let org_name = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "org")
        .map(|(_, v)| v.as_str());
    let org = org_of(&app, org_name)?;
    let state = app.store.org_state(org)?.org();
    Ok(Json(json!({ "org": state.name, "limits": state.limits })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LimitsBody {
    #[serde(default)]
    org: Option<String>,
    #[serde(flatten)]
    patch: serde_json::Map<String, Value>,
}

/// `PUT /__admin/limits`: `{"org"?, "plan"?, "requestsPerWindow"?, "objectUpdatesPerWindow"?,
/// "customerCreatesPerWindow"?, "searchPerWindow"?, "windowSeconds"?}`; restarts the windows.
pub async fn put_limits(State(app): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body: LimitsBody = parse_body(&body)?;
    let patch: LimitsPatch = crate::api::parse_value(Value::Object(body.patch))?;
    let org = org_of(&app, body.org.as_deref())?;
    let mut limits = app.store.org_state(org)?.org().limits.clone();
    patch.apply(&mut limits).map_err(|(pointer, message)| {
        ApiError::bad_request("invalid_value", message).at_pointer(pointer)
    })?;
    app.store.set_limits(org, limits.clone())?;
    let name = app.store.org_state(org)?.org().name.clone();
    Ok(Json(json!({ "org": name, "limits": limits })))
}
