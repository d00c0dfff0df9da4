//! Admin: reset, seed, state and keys.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::parse_body;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::store::KeySpec;
use crate::store::fixtures::{FixtureBundle, parse_cidr};
use crate::support::clock::{Timestamp, parse_duration};
use crate::support::ids::Id;

use super::secrets_match;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResetBody {
    /// Re-apply the fixtures loaded at start (default true).
    #[serde(default)]
    fixtures: Option<bool>,
}

/// `POST /__admin/reset`: back to the state at start (fixtures re-applied, id sequence
/// restarted, journal, events and limit windows cleared). The clock is left alone.
pub async fn reset(State(app): State<AppState>, body: Bytes) -> Result<Json<Value>, ApiError> {
    let body: ResetBody = if body.iter().all(u8::is_ascii_whitespace) {
        ResetBody::default()
    } else {
        parse_body(&body)?
    };
    crate::server::reset_state(&app, body.fixtures.unwrap_or(true))
        .map_err(|e| ApiError::internal(format!("the start-up fixtures no longer apply: {e}")))?;
    Ok(Json(
        json!({ "reset": true, "fixtures": body.fixtures.unwrap_or(true) }),
    ))
}

/// `POST /__admin/seed`: applies a fixture bundle.
pub async fn seed(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let value: Value = parse_body(&body)?;
    let bundle = FixtureBundle::from_value(value, "request body").map_err(|e| {
        ApiError::bad_request("invalid_fixture", e.message.clone()).at_pointer(e.pointer)
    })?;
    let report = bundle.apply(&app.store).map_err(|e| {
        ApiError::bad_request("invalid_fixture", e.message.clone()).at_pointer(e.pointer)
    })?;
    Ok((StatusCode::CREATED, Json(json!(report))))
}

/// `GET /__admin/state`.
pub async fn state(State(app): State<AppState>) -> Json<Value> {
    Json(app.store.state_view())
}

/// `GET /__admin/snapshot`: the whole state as the state file holds it (keys by digest,
/// never by token).
pub async fn snapshot(State(app): State<AppState>) -> Json<Value> {
    Json(json!(app.state_snapshot()))
}

/// `POST /__admin/snapshot`: saves the state to the server's state file, atomically.
pub async fn save_snapshot(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    match crate::server::save_state(&app) {
        Ok(Some((path, bytes))) => Ok(Json(
            json!({ "saved": path.display().to_string(), "bytes": bytes }),
        )),
        Ok(None) => Err(ApiError::bad_request(
            "no_state_file",
            "The server has no state file: start it with `kmock serve --state FILE` (GET /__admin/snapshot returns the state instead)",
        )),
        Err(e) => Err(ApiError::internal(e.to_string())),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyBody {
    name: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    org: Option<String>,
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    expires_at: Option<Timestamp>,
    #[serde(default)]
    expires_in: Option<String>,
    #[serde(default)]
    allowed_cidrs: Vec<String>,
}

/// `POST /__admin/keys`: creates a key; the answer is the only place its token is shown.
pub async fn create_key(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: KeyBody = parse_body(&body)?;
    let org = app.store.resolve_org(body.org.as_deref())?;
    if let (Some(token), Some(admin)) = (&body.token, &app.config.admin_token)
        && secrets_match(token, admin)
    {
        return Err(ApiError::bad_request(
            "invalid_value",
            "a /v1 key cannot use the admin token as its token",
        )
        .at_pointer("/token"));
    }
    let expires_at = match (body.expires_at, body.expires_in.as_deref()) {
        (Some(at), _) => Some(at),
        (None, Some(d)) => Some(app.store.now().plus_millis(parse_duration(d).map_err(|e| {
            ApiError::bad_request("invalid_value", e.to_string()).at_pointer("/expiresIn")
        })?)),
        (None, None) => None,
    };
    let allowed_cidrs = body
        .allowed_cidrs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            parse_cidr(c).map_err(|e| {
                ApiError::bad_request("invalid_value", e.to_string())
                    .at_pointer(format!("/allowedCidrs/{i}"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (info, token) = app.store.create_key(KeySpec {
        org,
        id: None,
        name: body.name,
        roles: body.roles,
        token: body.token,
        expires_at,
        allowed_cidrs,
    })?;
    let mut value = json!(info);
    value["token"] = Value::String(token);
    Ok((StatusCode::CREATED, Json(value)))
}

fn org_param(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let pairs = crate::api::query_pairs(raw)?;
    Ok(pairs
        .into_iter()
        .rev()
        .find(|(k, _)| k == "org")
        .map(|(_, v)| v))
}

/// `GET /__admin/keys?org=`: the keys, without tokens.
pub async fn list_keys(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let org = app
        .store
        .resolve_org(org_param(raw.as_deref())?.as_deref())?;
    Ok(Json(json!({ "data": app.store.keys(org)? })))
}

/// `DELETE /__admin/keys/{id}?org=`: revokes a key.
pub async fn revoke_key(
    State(app): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<StatusCode, ApiError> {
    let org = app
        .store
        .resolve_org(org_param(raw.as_deref())?.as_deref())?;
    let id = Id::parse(&id).ok_or_else(|| {
        ApiError::bad_request("invalid_id", format!("`{id}` is not a valid id")).at_parameter("id")
    })?;
    app.store.revoke_key(org, id)?;
    Ok(StatusCode::NO_CONTENT)
}
