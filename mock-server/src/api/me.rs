//! `/v1/users/current` and `/v1/auth/tokens/current`: who the key is.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::extract::V1;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::model::Record;
use crate::model::key::ApiTokenData;
use crate::openapi::doc;

#[utoipa::path(
    get, path = "/users/current", tag = "identity", operation_id = "getCurrentUser",
    summary = "The user the API key acts as",
    responses((status = 200, description = "The key's user", body = doc::UserData)),
)]
pub async fn current_user(State(app): State<AppState>, v1: V1) -> Result<Json<Value>, ApiError> {
    let user = app.store.user(v1.org(), v1.caller.key.user)?;
    Ok(Json(json!({ "data": user.resource() })))
}

#[utoipa::path(
    get, path = "/auth/tokens/current", tag = "identity", operation_id = "getCurrentToken",
    summary = "The API key of the request (never its secret)",
    responses((status = 200, description = "The key", body = doc::ApiTokenData)),
)]
pub async fn current_token(v1: V1) -> Json<ApiTokenData> {
    Json(ApiTokenData {
        data: v1.caller.key.resource(),
    })
}
