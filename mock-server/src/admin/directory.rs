//! Admin: add users (agents) and teams to an org, as fixtures do, so tests can assign
//! conversations to people the fixtures do not have.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api::parse_body;
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::model::Record;
use crate::store::TeamSpec;
use crate::support::ids::Id;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UserBody {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    org: Option<String>,
}

/// `POST /__admin/users`: adds a person; answers the user as `/v1/users/{id}` shows it.
pub async fn create_user(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: UserBody = parse_body(&body)?;
    let org = app.store.resolve_org(body.org.as_deref())?;
    let user = app
        .store
        .create_user(org, body.id, &body.name, body.email)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "data": user.resource() })),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TeamBody {
    name: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    icon: Option<String>,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    org: Option<String>,
}

/// `POST /__admin/teams`: adds a team of existing users.
pub async fn create_team(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: TeamBody = parse_body(&body)?;
    let org = app.store.resolve_org(body.org.as_deref())?;
    let team = app.store.create_team(
        org,
        TeamSpec {
            id: body.id,
            name: body.name,
            display_name: body.display_name,
            icon: body.icon,
            members: body.members,
        },
    )?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "data": team.resource() })),
    ))
}
