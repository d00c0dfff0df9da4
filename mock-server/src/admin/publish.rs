//! `POST /__admin/events`: publishes any event, as an app (`kustomer.app.<app>.<event>`)
//! or a test would, onto the bus that record events take; workflows listening to its
//! name start as for any event. `POST /__admin/hooks/email/{id}` stands for a mail to an
//! email hook's address.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::parse_body;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::model::HookType;
use crate::support::ids::Id;

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

/// `POST /__admin/hooks/email/{id}`: the body (a JSON object: what Kustomer makes of the
/// mail, e.g. `{"subject", "text", "from"}`) as received by the email hook → 202, and
/// `kustomer.hooks.email.<id>.receive` is published.
pub async fn receive_email(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = Id::parse(&id).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_id",
            format!("`{id}` is not a valid id (expected 24 hexadecimal characters)"),
        )
        .at_parameter("id")
    })?;
    let data = crate::api::posted_data(&headers, &body)?;
    let event = app
        .store
        .receive_hook(None, HookType::Email, id, None, data, None)?;
    Ok((StatusCode::ACCEPTED, Json(crate::api::hook_receipt(&event))))
}
