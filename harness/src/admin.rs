//! The harness's admin routes, merged under the mock's `/__admin` (behind its guard):
//! install, list and remove workflows, call callable ones, read runs, loops, apps and
//! scheduled workflows.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use kustomer_mock::AppState;
use kustomer_mock::{ApiError, Id};
use kustomer_mock::{parse_body, query_pairs};
use serde_json::{Value, json};

use crate::workflow::{Engine, EngineError, RunFilter, RunState, VariableDef, load_value_with};

/// `/workflows`, `/workflows/{id}`, `/workflows/{id}/call`, `/runs`, `/runs/{id}`, `/loops`.
pub fn routes(engine: Engine) -> Router<AppState> {
    Router::new()
        .route("/workflows", post(install).get(list))
        .route(
            "/workflows/{id}",
            get(show)
                .delete(remove)
                .patch(crate::dashboard::twins::set_enabled),
        )
        .route("/workflows/{id}/call", post(call))
        .route("/runs", get(runs))
        .route("/runs/{id}", get(run))
        .route("/loops", get(loops))
        .route("/apps", get(apps))
        .route("/schedules", get(schedules))
        .layer(Extension(engine))
}

fn engine_error(e: EngineError) -> ApiError {
    match e {
        EngineError::UnknownWorkflow(id) => ApiError::not_found("workflow", &id),
        EngineError::NotCallable(_) => ApiError::bad_request("not_callable", e.to_string()),
        EngineError::Org(message) => {
            ApiError::bad_request("unknown_org", message).at_parameter("org")
        }
        EngineError::Load(load) => ApiError::bad_request("invalid_workflow", load.to_string())
            .with_meta(json!({"path": load.path})),
        EngineError::NotAttached => ApiError::internal(e.to_string()),
    }
}

fn param(raw: Option<&str>, name: &str) -> Result<Option<String>, ApiError> {
    Ok(query_pairs(raw)?
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v))
}

/// `POST /__admin/workflows[?org=]`: the body is Kustomer's workflow JSON, or
/// `{"workflow": {...}, "variables": {...}}` to override its variables.
async fn install(
    Extension(engine): Extension<Engine>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let value: Value = parse_body(&body)?;
    let (definition, overrides) = match value {
        Value::Object(mut map) if map.contains_key("workflow") && !map.contains_key("trigger") => {
            let overrides: BTreeMap<String, VariableDef> = match map.remove("variables") {
                None => BTreeMap::new(),
                Some(v) => kustomer_mock::parse_value(v)?,
            };
            (map.remove("workflow").unwrap_or(Value::Null), overrides)
        }
        other => (other, BTreeMap::new()),
    };
    let loaded = load_value_with(definition, "request body", &engine.catalog()).map_err(|e| {
        ApiError::bad_request("invalid_workflow", format!("{}: {}", e.path, e.message))
            .with_meta(json!({"path": e.path}))
    })?;
    let org = param(raw.as_deref(), "org")?;
    let info = engine
        .install(loaded, org.as_deref(), &overrides)
        .map_err(engine_error)?;
    Ok((StatusCode::CREATED, Json(json!(info))))
}

async fn list(Extension(engine): Extension<Engine>) -> Json<Value> {
    let data: Vec<Value> = engine.workflows().iter().map(|w| json!(w.info())).collect();
    Json(json!({ "data": data }))
}

async fn show(
    Extension(engine): Extension<Engine>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let installed = engine
        .workflow(&id)
        .ok_or_else(|| ApiError::not_found("workflow", &id))?;
    let mut value = json!(installed.info());
    let mut definition = json!(installed.workflow.def);
    // The definition's own variables may hold secure values: show them masked.
    definition["variables"] = installed.variables.shown();
    value["definition"] = definition;
    Ok(Json(value))
}

async fn remove(
    Extension(engine): Extension<Engine>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if engine.uninstall(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("workflow", &id))
    }
}

/// `POST /__admin/workflows/{id}/call {"inputs": {...}}`: starts a callable workflow.
async fn call(
    Extension(engine): Extension<Engine>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let inputs = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        let value: Value = parse_body(&body)?;
        value.get("inputs").cloned().unwrap_or_else(|| json!({}))
    };
    let run = engine.call(&id, inputs, None).map_err(engine_error)?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "runId": run }))))
}

/// `GET /__admin/runs?workflow=&state=&record=&limit=`.
async fn runs(
    Extension(engine): Extension<Engine>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let raw = raw.as_deref();
    let workflow = param(raw, "workflow")?;
    let state = param(raw, "state")?;
    let record = param(raw, "record")?;
    let limit = match param(raw, "limit")? {
        None => usize::MAX,
        Some(text) => text.parse().map_err(|_| {
            ApiError::bad_request(
                "invalid_parameter",
                format!("`limit` must be a number, not `{text}`"),
            )
            .at_parameter("limit")
        })?,
    };
    let state = match state.as_deref() {
        None => None,
        Some(name) => Some(RunState::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = RunState::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::bad_request(
                "invalid_parameter",
                format!("`state` must be one of {}", known.join(", ")),
            )
            .at_parameter("state")
        })?),
    };
    let record = match record.as_deref() {
        None => None,
        Some(text) => Some(Id::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_parameter",
                format!("`record` must be a record id (24 hex digits), not `{text}`"),
            )
            .at_parameter("record")
        })?),
    };
    let filter = RunFilter {
        workflow: workflow.as_deref(),
        state,
        record,
    };
    // Filtered under the book's lock: only the runs listed are read back.
    let data: Vec<Value> = engine
        .runs_matching(&filter, limit)
        .into_iter()
        .map(|r| json!(r))
        .collect();
    let finished = data
        .iter()
        .filter(|r| r["state"] != RunState::Running.as_str())
        .count();
    Ok(Json(
        json!({ "meta": { "count": data.len(), "finished": finished }, "data": data }),
    ))
}

async fn run(
    Extension(engine): Extension<Engine>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    engine
        .run(&id)
        .map(|r| Json(json!({ "data": r })))
        .ok_or_else(|| ApiError::not_found("run", &id))
}

async fn apps(Extension(engine): Extension<Engine>) -> Json<Value> {
    Json(json!({ "data": engine.apps(), "meta": { "rejectedWorkflows": engine.app_problems() } }))
}

async fn schedules(Extension(engine): Extension<Engine>) -> Json<Value> {
    Json(json!({ "data": engine.scheduled() }))
}

async fn loops(Extension(engine): Extension<Engine>) -> Json<Value> {
    Json(json!({ "data": engine.loops() }))
}
