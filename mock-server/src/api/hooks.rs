//! `/v1/hooks`: inbound hooks. `POST /v1/hooks/{type}` creates one; posting to its URL
//! publishes `kustomer.hooks.<type>.<id>.receive` with the posted data. A form hook
//! takes posts without an API key (the pipeline lets `/v1/hooks/form/{id}/{hash}`
//! through), a web hook takes them with one.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::body::{parse_body, parse_write};
use super::extract::V1;
use super::list::{MAX_PAGE_SIZE, envelope, parse_page, query_pairs};
use super::pipeline::RequestCtx;
use crate::error::ApiError;
use crate::events::Event;
use crate::http::app::AppState;
use crate::http::auth::roles;
use crate::model::{HookType, HookWrite};
use crate::openapi::doc;
use crate::store::HookOptions;
use crate::support::ids::Id;

type Answer = Result<(StatusCode, Json<Value>), ApiError>;

/// The hook type in the path.
#[derive(Deserialize, utoipa::IntoParams)]
#[allow(dead_code)] // Describes the path for the document; handlers read it as text.
#[into_params(parameter_in = Path)]
pub struct HookTypePath {
    /// `form`, `web` or `email`.
    #[param(pattern = "^(form|web|email)$")]
    #[serde(rename = "type")]
    pub hook_type: String,
}

/// A form hook's address.
#[derive(Deserialize, utoipa::IntoParams)]
#[allow(dead_code)] // Describes the path for the document; handlers read it as text.
#[into_params(parameter_in = Path)]
pub struct FormHookPath {
    /// 24 hexadecimal characters.
    #[param(pattern = "^[0-9a-fA-F]{24}$")]
    pub id: String,
    /// The hook's secret segment.
    pub hash: String,
}

fn hook_type(text: &str) -> Result<HookType, ApiError> {
    HookType::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_hook_type",
            format!("`{text}` is no hook type: use form, web or email"),
        )
        .at_parameter("type")
    })
}

fn hook_id(text: &str) -> Result<Id, ApiError> {
    Id::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_id",
            format!("`{text}` is not a valid id (expected 24 hexadecimal characters)"),
        )
        .at_parameter("id")
    })
}

/// The posted data: a JSON object, or a urlencoded form as an object of strings.
pub fn posted_data(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return parse_body::<Map<String, Value>>(body).map(Value::Object);
    }
    let text = std::str::from_utf8(body).map_err(|_| {
        ApiError::bad_request("invalid_body", "the form body is not UTF-8 text").at_pointer("")
    })?;
    let pairs = query_pairs(Some(text))?;
    Ok(Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    ))
}

/// The answer to data posted to a hook: the event it published (its shape is a guess).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HookReceipt {
    pub data: HookReceiptData,
}

/// What a hook's post made.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HookReceiptData {
    pub event: PublishedEvent,
}

/// An event published by a hook.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishedEvent {
    #[schema(pattern = "^[0-9a-f]{24}$")]
    pub id: String,
    /// `kustomer.hooks.<type>.<id>.receive`.
    pub name: String,
}

/// The 202 answer naming the event a post published.
pub fn receipt(event: &Event) -> Value {
    json!(HookReceipt {
        data: HookReceiptData {
            event: PublishedEvent {
                id: event.id.to_hex(),
                name: event.name.clone(),
            },
        },
    })
}

fn received(event: Event) -> Answer {
    Ok((StatusCode::ACCEPTED, Json(receipt(&event))))
}

#[utoipa::path(
    get, path = "/hooks", tag = "hooks", operation_id = "listHooks",
    params(doc::PageParams),
    responses((status = 200, description = "A page of the org's inbound hooks", body = doc::HookList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    v1.require(roles::HOOK_READ, "GET /v1/hooks")?;
    let pairs = query_pairs(raw.as_deref())?;
    let page = parse_page(&pairs, MAX_PAGE_SIZE)?;
    let listing = app.store.list_hooks(v1.org(), page)?;
    Ok((
        StatusCode::OK,
        Json(envelope("/v1/hooks", raw.as_deref(), &pairs, page, listing)),
    ))
}

#[utoipa::path(
    post, path = "/hooks/{type}", tag = "hooks", operation_id = "createHook",
    params(HookTypePath),
    request_body = HookWrite,
    responses((status = 201, description = "The new hook, with its URL or address", body = doc::HookData)),
)]
pub async fn create(
    State(app): State<AppState>,
    v1: V1,
    Path(kind): Path<String>,
    body: Bytes,
) -> Answer {
    v1.require(roles::HOOK_WRITE, "POST /v1/hooks/{type}")?;
    let kind = hook_type(&kind)?;
    let write: HookWrite = parse_write(&body)?;
    let resource = app
        .store
        .create_hook(&v1.actor(), kind, write, HookOptions::default())?;
    Ok((StatusCode::CREATED, Json(json!({ "data": resource }))))
}

#[utoipa::path(
    post, path = "/hooks/web/{id}", tag = "hooks", operation_id = "receiveWebHook",
    params(doc::IdPath),
    request_body(content = Object, description = "Any JSON object: the event's data"),
    responses((status = 202, description = "The event published", body = HookReceipt)),
)]
pub async fn receive_web(
    State(app): State<AppState>,
    v1: V1,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    v1.require(roles::HOOK_POST, "POST /v1/hooks/web/{id}")?;
    let id = hook_id(&id)?;
    let data = posted_data(&headers, &body)?;
    let cause = Some((*v1.ctx.cause).clone());
    received(
        app.store
            .receive_hook(Some(v1.org()), HookType::Web, id, None, data, cause)?,
    )
}

#[utoipa::path(
    post, path = "/hooks/form/{id}/{hash}", tag = "hooks", operation_id = "receiveFormHook",
    params(FormHookPath),
    request_body(content = Object, description = "A JSON object or a urlencoded form: the event's data"),
    responses((status = 202, description = "The event published", body = HookReceipt)),
    security(()),
)]
pub async fn receive_form(
    State(app): State<AppState>,
    Path((id, hash)): Path<(String, String)>,
    ctx: Option<axum::Extension<Arc<RequestCtx>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let id = hook_id(&id)?;
    let data = posted_data(&headers, &body)?;
    let cause = ctx.map(|c| (*c.0.cause).clone());
    received(
        app.store
            .receive_hook(None, HookType::Form, id, Some(&hash), data, cause)?,
    )
}
