//! `POST /__admin/events`: publishes any event, as an app (`kustomer.app.<app>.<event>`)
//! or a test would, onto the bus that record events take; workflows listening to its
//! name start as for any event.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::parse_body;
use crate::error::ApiError;
use crate::http::app::AppState;

/// The body of `POST /__admin/events`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    name: String,
    /// What the event carries; a workflow it triggers reads it as `steps.1`.
    #[serde(default)]
    data: Value,
    /// The org's name or id; the default org when absent.
    #[serde(default)]
    org: Option<String>,
}

/// `POST /__admin/events {name, data, org?}` → 201 with the published event.
pub async fn publish(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: PublishBody = parse_body(&body)?;
    let org = app.store.resolve_org(body.org.as_deref())?;
    let data = match body.data {
        Value::Null => json!({}),
        data => data,
    };
    let event = app.store.publish_event(org, &body.name, data, None)?;
    Ok((StatusCode::CREATED, Json(json!(event))))
}
