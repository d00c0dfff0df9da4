//! Kustomer's workflows API under `/v1`, served through the mock's `/v1` pipeline (auth,
//! limits, journal) with the engine behind it: `GET`/`POST /v1/workflows`, `GET`/`PUT
//! /v1/workflows/{id}` (PUT takes a partial body such as `{"steps": [...]}`),
//! `POST /v1/workflows/{id}/enable` and `/disable`, and `GET`/`PUT
//! /v1/workflows/{id}/variables`. Installing through it is installing through
//! `POST /__admin/workflows`, for the caller's org, so deploy scripts aimed at Kustomer
//! work against the mock. The enable/disable routes and the role names are guesses.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use kustomer_mock::{ApiError, AppState, V1, parse_body};
use serde_json::{Map, Value, json};

use crate::workflow::{Engine, EngineError, Installed, VariableDef, load_value_with};

/// Roles that read workflows (any one of them; `org.admin` grants all).
const WORKFLOW_READ: &[&str] = &["org.user.workflow.read", "org.permission.workflow.read"];
/// Roles that create and change workflows.
const WORKFLOW_WRITE: &[&str] = &[
    "org.user.workflow.write",
    "org.permission.workflow.create",
    "org.permission.workflow.update",
];

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// The routes, relative to `/v1`.
pub fn routes(engine: Engine) -> Router<AppState> {
    Router::new()
        .route("/workflows", get(list).post(create))
        .route("/workflows/{id}", get(show).put(update))
        .route("/workflows/{id}/enable", post(enable))
        .route("/workflows/{id}/disable", post(disable))
        .route(
            "/workflows/{id}/variables",
            get(variables).put(set_variables),
        )
        .layer(Extension(engine))
}

/// A workflow as Kustomer's API answers it: `{type, id, attributes}`, secure variables
/// masked.
fn resource(installed: &Installed) -> Value {
    let mut attributes = json!(installed.workflow.def);
    if let Value::Object(map) = &mut attributes {
        map.remove("id");
        map.insert("variables".into(), installed.variables.shown());
        map.insert("eventName".into(), json!(installed.workflow.event_name));
    }
    json!({"type": "workflow", "id": installed.workflow.id, "attributes": attributes})
}

fn engine_error(e: EngineError) -> ApiError {
    match e {
        EngineError::UnknownWorkflow(id) => ApiError::not_found("workflow", &id),
        EngineError::Load(load) => ApiError::bad_request("invalid_workflow", load.to_string())
            .with_meta(json!({"path": load.path})),
        other => ApiError::bad_request("invalid_workflow", other.to_string()),
    }
}

/// The caller's org's workflow `id` (another org's is not found).
fn owned(engine: &Engine, v1: &V1, id: &str) -> Result<std::sync::Arc<Installed>, ApiError> {
    engine
        .workflow(id)
        .filter(|w| w.org == v1.org())
        .ok_or_else(|| ApiError::not_found("workflow", id))
}

/// Loads `definition` and installs it for the caller's org, keeping `variables`.
fn install(
    engine: &Engine,
    v1: &V1,
    definition: Value,
    origin: &str,
    variables: &BTreeMap<String, VariableDef>,
) -> Result<std::sync::Arc<Installed>, ApiError> {
    let loaded = load_value_with(definition, origin, &engine.catalog()).map_err(|e| {
        ApiError::bad_request("invalid_workflow", format!("{}: {}", e.path, e.message))
            .with_meta(json!({"path": e.path}))
    })?;
    if let Some(existing) = engine.workflow(&loaded.id)
        && existing.org != v1.org()
    {
        return Err(ApiError::conflict(
            "duplicate_id",
            format!("another org has a workflow with id `{}`", loaded.id),
        ));
    }
    let info = engine
        .install(loaded, Some(&v1.org().to_hex()), variables)
        .map_err(engine_error)?;
    engine
        .workflow(&info.id)
        .ok_or_else(|| ApiError::not_found("workflow", &info.id))
}

/// The variables an installed workflow runs with, less the mock's own `baseUrl`.
fn kept_variables(installed: &Installed) -> BTreeMap<String, VariableDef> {
    let mut defs = installed.variables.defs().clone();
    defs.remove("baseUrl");
    defs
}

/// `GET /v1/workflows`: the caller's org's workflows.
async fn list(Extension(engine): Extension<Engine>, v1: V1) -> Answer {
    v1.require(WORKFLOW_READ, "GET /v1/workflows")?;
    let data: Vec<Value> = engine
        .workflows()
        .iter()
        .filter(|w| w.org == v1.org())
        .map(|w| resource(w))
        .collect();
    Ok((StatusCode::OK, Json(json!({ "data": data }))))
}

/// `POST /v1/workflows`: a workflow (Kustomer's export JSON, or `{"data": {...}}`) → 201.
async fn create(Extension(engine): Extension<Engine>, v1: V1, body: Bytes) -> Answer {
    v1.require(WORKFLOW_WRITE, "POST /v1/workflows")?;
    let definition: Value = parse_body::<Map<String, Value>>(&body).map(Value::Object)?;
    let installed = install(
        &engine,
        &v1,
        definition,
        "POST /v1/workflows",
        &BTreeMap::new(),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "data": resource(&installed) })),
    ))
}

/// `GET /v1/workflows/{id}`.
async fn show(Extension(engine): Extension<Engine>, v1: V1, Path(id): Path<String>) -> Answer {
    v1.require(WORKFLOW_READ, "GET /v1/workflows/{id}")?;
    let installed = owned(&engine, &v1, &id)?;
    Ok((
        StatusCode::OK,
        Json(json!({ "data": resource(&installed) })),
    ))
}

/// `PUT /v1/workflows/{id}`: the body's members replace the workflow's (`{"steps": [...]}`,
/// `{"enabled": false}`); the result is loaded and checked like a new workflow.
async fn update(
    Extension(engine): Extension<Engine>,
    v1: V1,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    v1.require(WORKFLOW_WRITE, "PUT /v1/workflows/{id}")?;
    let installed = owned(&engine, &v1, &id)?;
    let mut patch: Map<String, Value> = parse_body(&body)?;
    // A body in Kustomer's envelope: `{"data": {"attributes": {...}}}` or `{"attributes"}`.
    if let Some(Value::Object(data)) = patch.remove("data") {
        patch = data;
    }
    if let Some(Value::Object(attributes)) = patch.remove("attributes") {
        patch.extend(attributes);
    }
    if let Some(other) = patch.get("id").and_then(Value::as_str)
        && other != id
    {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`id` `{other}` is not the workflow of the path (`{id}`)"),
        )
        .at_pointer("/id"));
    }
    let mut definition = json!(installed.workflow.def);
    if let Value::Object(map) = &mut definition {
        map.extend(patch);
        map.insert("id".into(), json!(id));
    }
    let updated = install(
        &engine,
        &v1,
        definition,
        "PUT /v1/workflows/{id}",
        &kept_variables(&installed),
    )?;
    Ok((StatusCode::OK, Json(json!({ "data": resource(&updated) }))))
}

async fn set_enabled(engine: &Engine, v1: &V1, id: &str, enabled: bool) -> Answer {
    v1.require(WORKFLOW_WRITE, "POST /v1/workflows/{id}/enable")?;
    let installed = owned(engine, v1, id)?;
    let mut definition = json!(installed.workflow.def);
    definition["enabled"] = json!(enabled);
    definition["id"] = json!(id);
    let updated = install(
        engine,
        v1,
        definition,
        "/v1/workflows/{id}",
        &kept_variables(&installed),
    )?;
    Ok((StatusCode::OK, Json(json!({ "data": resource(&updated) }))))
}

/// `POST /v1/workflows/{id}/enable`.
async fn enable(Extension(engine): Extension<Engine>, v1: V1, Path(id): Path<String>) -> Answer {
    set_enabled(&engine, &v1, &id, true).await
}

/// `POST /v1/workflows/{id}/disable`: the workflow stays, and no event starts it.
async fn disable(Extension(engine): Extension<Engine>, v1: V1, Path(id): Path<String>) -> Answer {
    set_enabled(&engine, &v1, &id, false).await
}

/// `GET /v1/workflows/{id}/variables`: `{name: value}`, secure values masked.
async fn variables(Extension(engine): Extension<Engine>, v1: V1, Path(id): Path<String>) -> Answer {
    v1.require(WORKFLOW_READ, "GET /v1/workflows/{id}/variables")?;
    let installed = owned(&engine, &v1, &id)?;
    Ok((
        StatusCode::OK,
        Json(json!({ "data": installed.variables.shown() })),
    ))
}

/// `PUT /v1/workflows/{id}/variables {name: value | {value, secure}}`: sets those
/// variables (a secure one stays secure); the others keep their values.
async fn set_variables(
    Extension(engine): Extension<Engine>,
    v1: V1,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    v1.require(WORKFLOW_WRITE, "PUT /v1/workflows/{id}/variables")?;
    let installed = owned(&engine, &v1, &id)?;
    let given: BTreeMap<String, VariableDef> = parse_body(&body)?;
    let mut variables = kept_variables(&installed);
    let mut merged = crate::workflow::Variables::from_defs(&variables);
    for (name, def) in given {
        merged.set(&name, def);
    }
    variables.clone_from(merged.defs());
    let mut definition = json!(installed.workflow.def);
    definition["id"] = json!(id);
    let updated = install(
        &engine,
        &v1,
        definition,
        "PUT /v1/workflows/{id}/variables",
        &variables,
    )?;
    Ok((
        StatusCode::OK,
        Json(json!({ "data": updated.variables.shown() })),
    ))
}
