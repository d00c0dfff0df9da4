//! Admin: outbound webhooks and their deliveries.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::parse_body;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::support::ids::Id;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HookBody {
    url: String,
    events: Vec<String>,
    secret: String,
    #[serde(default)]
    org: Option<String>,
}

fn hook_id(text: &str) -> Result<Id, ApiError> {
    Id::parse(text).ok_or_else(|| {
        ApiError::bad_request("invalid_id", format!("`{text}` is not a valid id"))
            .at_parameter("id")
    })
}

/// `POST /__admin/webhooks {url, events[], secret, org?}`.
pub async fn create(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: HookBody = parse_body(&body)?;
    let url = reqwest::Url::parse(&body.url).map_err(|e| {
        ApiError::bad_request("invalid_value", format!("`url` is not a URL: {e}"))
            .at_pointer("/url")
    })?;
    if url.scheme() != "http" {
        return Err(ApiError::bad_request(
            "invalid_value",
            "`url` must be an http:// URL (the mock runs offline, without TLS)",
        )
        .at_pointer("/url"));
    }
    if body.events.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_value",
            "`events` must name at least one event (or `*`)",
        )
        .at_pointer("/events"));
    }
    if body.secret.is_empty() {
        return Err(
            ApiError::bad_request("invalid_value", "`secret` cannot be empty")
                .at_pointer("/secret"),
        );
    }
    let org = app.store.resolve_org(body.org.as_deref())?;
    let now = app.store.now();
    let id = app.store.ids().next(now);
    let hook = app
        .webhooks
        .add(id, org, body.url, body.events, body.secret, now);
    Ok((StatusCode::CREATED, Json(json!(hook))))
}

/// `GET /__admin/webhooks`.
pub async fn list(State(app): State<AppState>) -> Json<Value> {
    Json(json!({ "data": app.webhooks.list() }))
}

/// `DELETE /__admin/webhooks/{id}`.
pub async fn remove(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = hook_id(&id)?;
    if app.webhooks.remove(id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("webhook", &id.to_hex()))
    }
}

/// `GET /__admin/webhooks/{id}/deliveries`.
pub async fn deliveries(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = hook_id(&id)?;
    let deliveries = app
        .webhooks
        .deliveries(id)
        .ok_or_else(|| ApiError::not_found("webhook", &id.to_hex()))?;
    Ok(Json(json!({ "data": deliveries })))
}
