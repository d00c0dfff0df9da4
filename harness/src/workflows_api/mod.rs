//! Kustomer's workflows API under `/v1`, served through the mock's `/v1` pipeline (auth,
//! limits, journal) with the engine behind it: `GET`/`POST /v1/workflows`, `GET`/`PUT
//! /v1/workflows/{id}` (PUT takes a partial body such as `{"steps": [...]}`),
//! `POST /v1/workflows/{id}/enable` and `/disable`, and `GET`/`PUT
//! /v1/workflows/{id}/variables`. Installing through it is installing through
//! `POST /__admin/workflows`, for the caller's org, so deploy scripts aimed at Kustomer
//! work against the mock. The enable/disable routes and the role names are guesses.
//!
//! Each handler carries its `#[utoipa::path]` and is routed only through it
//! ([`documented_routes`]), so [`crate::openapi::document`] lists every route.

mod refusals;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::{Extension, Json, Router};
use kustomer_mock::{ApiError, AppState, ErrorBody, V1, parse_body};
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::openapi::workflows::{
    WorkflowCreate, WorkflowData, WorkflowIdPath, WorkflowList, WorkflowUpdate,
    WorkflowVariablesData, WorkflowVariablesUpdate,
};
use crate::workflow::{Engine, Installed, VariableDef, load_value_with};
use refusals::{Origins, WorkflowId, engine_error};

/// Roles that read workflows (any one of them; `org.admin` grants all).
const WORKFLOW_READ: &[&str] = &["org.user.workflow.read", "org.permission.workflow.read"];
/// Roles that create and change workflows.
const WORKFLOW_WRITE: &[&str] = &[
    "org.user.workflow.write",
    "org.permission.workflow.create",
    "org.permission.workflow.update",
];

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// The routes (relative to `/v1`) with the OpenAPI description of each.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(enable))
        .routes(routes!(disable))
        .routes(routes!(variables, set_variables))
}

/// The routes, relative to `/v1`, answering from `engine`.
pub fn routes(engine: Engine) -> Router<AppState> {
    // Building the documented router also builds each operation's description: the
    // routes are the same for every server of the process, so they are built once.
    static ROUTES: OnceLock<Router<AppState>> = OnceLock::new();
    ROUTES
        .get_or_init(|| documented_routes().split_for_parts().0)
        .clone()
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

/// The caller's org's workflow `id` (another org's is not found).
fn owned(engine: &Engine, v1: &V1, id: &str) -> Result<Arc<Installed>, ApiError> {
    engine
        .workflow(id)
        .filter(|w| w.org == v1.org())
        .ok_or_else(|| ApiError::not_found("workflow", id))
}

/// Loads `definition` and installs it for the caller's org, keeping `variables`; a
/// refusal points into the body through `origins`.
fn install(
    engine: &Engine,
    v1: &V1,
    definition: Value,
    origin: &str,
    variables: &BTreeMap<String, VariableDef>,
    origins: &Origins,
) -> Result<Arc<Installed>, ApiError> {
    let loaded =
        load_value_with(definition, origin, &engine.catalog()).map_err(|e| origins.refusal(&e))?;
    if let Some(existing) = engine.workflow(&loaded.id)
        && existing.org != v1.org()
    {
        return Err(ApiError::conflict(
            "duplicate_id",
            format!("another org has a workflow with id `{}`", loaded.id),
        )
        .at_pointer(origins.pointer("$.id")));
    }
    let info = engine
        .install(loaded, Some(&v1.org().to_hex()), variables)
        .map_err(|e| engine_error(e, origins))?;
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

/// Installs `installed`'s definition again with `enabled` or `variables` changed.
fn reinstall(
    engine: &Engine,
    v1: &V1,
    installed: &Installed,
    enabled: Option<bool>,
    variables: &BTreeMap<String, VariableDef>,
    origin: &str,
) -> Result<Arc<Installed>, ApiError> {
    let mut definition = json!(installed.workflow.def);
    if let Some(enabled) = enabled {
        definition["enabled"] = json!(enabled);
    }
    definition["id"] = json!(installed.workflow.id);
    install(
        engine,
        v1,
        definition,
        origin,
        variables,
        &Origins::default(),
    )
}

#[utoipa::path(
    get, path = "/workflows", tag = "workflows", operation_id = "listWorkflows",
    summary = "The org's workflows, all in one answer",
    responses((status = 200, description = "Every workflow of the key's org", body = WorkflowList)),
)]
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

#[utoipa::path(
    post, path = "/workflows", tag = "workflows", operation_id = "createWorkflow",
    summary = "Install a workflow (an export's JSON); one with the id of an installed one replaces it",
    request_body = WorkflowCreate,
    responses(
        (status = 201, description = "The workflow as installed", body = WorkflowData),
        (status = 400, description = "Not a JSON object, or a workflow that does not load (`invalid_workflow`; `source.pointer` points at the member, `meta.path` is its JSONPath in the workflow)", body = ErrorBody),
        (status = 409, description = "Another org has a workflow with this id", body = ErrorBody),
    ),
)]
async fn create(Extension(engine): Extension<Engine>, v1: V1, body: Bytes) -> Answer {
    v1.require(WORKFLOW_WRITE, "POST /v1/workflows")?;
    let definition: Map<String, Value> = parse_body(&body)?;
    let origins = Origins::of_definition(&definition);
    let installed = install(
        &engine,
        &v1,
        Value::Object(definition),
        "POST /v1/workflows",
        &BTreeMap::new(),
        &origins,
    )?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "data": resource(&installed) })),
    ))
}

#[utoipa::path(
    get, path = "/workflows/{id}", tag = "workflows", operation_id = "getWorkflow",
    params(WorkflowIdPath),
    responses((status = 200, description = "The workflow", body = WorkflowData)),
)]
async fn show(Extension(engine): Extension<Engine>, v1: V1, WorkflowId(id): WorkflowId) -> Answer {
    v1.require(WORKFLOW_READ, "GET /v1/workflows/{id}")?;
    let installed = owned(&engine, &v1, &id)?;
    Ok((
        StatusCode::OK,
        Json(json!({ "data": resource(&installed) })),
    ))
}

/// Takes the members to replace out of a `PUT` body, from Kustomer's envelope
/// (`{"data": {"attributes": {...}}}`, `{"attributes": {...}}`) when it has one, noting
/// where each came from. A member beside `data`, or given both in `attributes` and beside
/// it, is refused: one of the two would be dropped unread.
fn patch_members(mut body: Map<String, Value>) -> Result<(Map<String, Value>, Origins), ApiError> {
    let mut prefix = String::new();
    match body.remove("data") {
        Some(Value::Object(data)) => {
            if let Some(beside) = body.keys().next() {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("`{beside}` is beside `data`: give the members inside it"),
                )
                .at_pointer(format!("/{}", escaped(beside))));
            }
            body = data;
            prefix.push_str("/data");
        }
        Some(_) => return Err(not_an_object("/data")),
        None => {}
    }
    let mut origins = Origins::default();
    let attributes = body.remove("attributes");
    origins.record(&body, &prefix);
    match attributes {
        Some(Value::Object(attributes)) => {
            let at = format!("{prefix}/attributes");
            if let Some(twice) = attributes.keys().find(|name| body.contains_key(*name)) {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!("`{twice}` is given both in `attributes` and beside it"),
                )
                .at_pointer(format!("{at}/{}", escaped(twice))));
            }
            origins.record(&attributes, &at);
            body.extend(attributes);
        }
        Some(_) => return Err(not_an_object(&format!("{prefix}/attributes"))),
        None => {}
    }
    Ok((body, origins))
}

/// A member name as a JSON pointer segment.
fn escaped(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn not_an_object(pointer: &str) -> ApiError {
    ApiError::bad_request("invalid_value", format!("`{pointer}` must be an object"))
        .at_pointer(pointer)
}

#[utoipa::path(
    put, path = "/workflows/{id}", tag = "workflows", operation_id = "updateWorkflow",
    summary = "Replace the members the body names; the result is checked like a new workflow, its variables are kept",
    params(WorkflowIdPath),
    request_body = WorkflowUpdate,
    responses(
        (status = 200, description = "The workflow after the change", body = WorkflowData),
        (status = 400, description = "Not a JSON object, an `id` other than the path's, or a workflow that no longer loads (`invalid_workflow`; `source.pointer` points at the member, `meta.path` is its JSONPath in the workflow)", body = ErrorBody),
    ),
)]
async fn update(
    Extension(engine): Extension<Engine>,
    v1: V1,
    WorkflowId(id): WorkflowId,
    body: Bytes,
) -> Answer {
    v1.require(WORKFLOW_WRITE, "PUT /v1/workflows/{id}")?;
    let installed = owned(&engine, &v1, &id)?;
    let (patch, origins) = patch_members(parse_body(&body)?)?;
    if let Some(other) = patch.get("id")
        && other.as_str() != Some(id.as_str())
    {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`id` {other} is not the workflow of the path (`{id}`)"),
        )
        .at_pointer(origins.pointer("$.id")));
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
        &origins,
    )?;
    Ok((StatusCode::OK, Json(json!({ "data": resource(&updated) }))))
}

async fn set_enabled(engine: &Engine, v1: &V1, id: &str, enabled: bool) -> Answer {
    let route = if enabled {
        "POST /v1/workflows/{id}/enable"
    } else {
        "POST /v1/workflows/{id}/disable"
    };
    v1.require(WORKFLOW_WRITE, route)?;
    let installed = owned(engine, v1, id)?;
    let variables = kept_variables(&installed);
    let updated = reinstall(engine, v1, &installed, Some(enabled), &variables, route)?;
    Ok((StatusCode::OK, Json(json!({ "data": resource(&updated) }))))
}

#[utoipa::path(
    post, path = "/workflows/{id}/enable", tag = "workflows", operation_id = "enableWorkflow",
    summary = "Events start the workflow again (a guess at Kustomer's route)",
    params(WorkflowIdPath),
    responses((status = 200, description = "The workflow, enabled", body = WorkflowData)),
)]
async fn enable(
    Extension(engine): Extension<Engine>,
    v1: V1,
    WorkflowId(id): WorkflowId,
) -> Answer {
    set_enabled(&engine, &v1, &id, true).await
}

#[utoipa::path(
    post, path = "/workflows/{id}/disable", tag = "workflows", operation_id = "disableWorkflow",
    summary = "The workflow stays installed and no event starts it (a guess at Kustomer's route)",
    params(WorkflowIdPath),
    responses((status = 200, description = "The workflow, disabled", body = WorkflowData)),
)]
async fn disable(
    Extension(engine): Extension<Engine>,
    v1: V1,
    WorkflowId(id): WorkflowId,
) -> Answer {
    set_enabled(&engine, &v1, &id, false).await
}

#[utoipa::path(
    get, path = "/workflows/{id}/variables", tag = "workflows", operation_id = "getWorkflowVariables",
    params(WorkflowIdPath),
    responses((status = 200, description = "The workflow's variables, secure ones masked", body = WorkflowVariablesData)),
)]
async fn variables(
    Extension(engine): Extension<Engine>,
    v1: V1,
    WorkflowId(id): WorkflowId,
) -> Answer {
    v1.require(WORKFLOW_READ, "GET /v1/workflows/{id}/variables")?;
    let installed = owned(&engine, &v1, &id)?;
    Ok((
        StatusCode::OK,
        Json(json!({ "data": installed.variables.shown() })),
    ))
}

#[utoipa::path(
    put, path = "/workflows/{id}/variables", tag = "workflows", operation_id = "updateWorkflowVariables",
    summary = "Set the variables the body names; the others keep their values",
    params(WorkflowIdPath),
    request_body = WorkflowVariablesUpdate,
    responses(
        (status = 200, description = "The workflow's variables after the change, secure ones masked", body = WorkflowVariablesData),
        (status = 400, description = "Not a JSON object", body = ErrorBody),
    ),
)]
async fn set_variables(
    Extension(engine): Extension<Engine>,
    v1: V1,
    WorkflowId(id): WorkflowId,
    body: Bytes,
) -> Answer {
    let route = "PUT /v1/workflows/{id}/variables";
    v1.require(WORKFLOW_WRITE, route)?;
    let installed = owned(&engine, &v1, &id)?;
    let given: BTreeMap<String, VariableDef> = parse_body(&body)?;
    let mut variables = kept_variables(&installed);
    let mut merged = crate::workflow::Variables::from_defs(&variables);
    for (name, def) in given {
        merged.set(&name, def);
    }
    variables.clone_from(merged.defs());
    let updated = reinstall(&engine, &v1, &installed, None, &variables, route)?;
    Ok((
        StatusCode::OK,
        Json(json!({ "data": updated.variables.shown() })),
    ))
}
