//! Admin: fault rules and the faults that fired.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::api::parse_body;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::faults::FaultSpec;
use crate::support::ids::Id;

/// `POST /__admin/faults {method?, path, probability? | every?, times?, fromWorkflows?, seed?, action}`.
pub async fn create(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let spec: FaultSpec = parse_body(&body)?;
    let refused =
        |(pointer, message)| ApiError::bad_request("invalid_value", message).at_pointer(pointer);
    // Checked before an id is taken: a refused rule does not move the id sequence.
    spec.check().map_err(refused)?;
    let id = app.store.ids().next(app.store.now());
    let rule = app.faults.add(id, spec).map_err(refused)?;
    Ok((StatusCode::CREATED, Json(json!(rule))))
}

/// `GET /__admin/faults`: the rules with their counters, and the faults that fired.
pub async fn list(State(app): State<AppState>) -> Json<Value> {
    Json(json!({ "data": app.faults.list(), "hits": app.faults.log() }))
}

/// `DELETE /__admin/faults`: removes every rule.
pub async fn clear(State(app): State<AppState>) -> StatusCode {
    app.faults.clear();
    StatusCode::NO_CONTENT
}

/// `DELETE /__admin/faults/{id}`.
pub async fn remove(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Id::parse(&id).ok_or_else(|| {
        ApiError::bad_request("invalid_id", format!("`{id}` is not a valid id")).at_parameter("id")
    })?;
    if app.faults.remove(id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("fault rule", &id.to_hex()))
    }
}
