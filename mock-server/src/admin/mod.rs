//! `/__admin`: the mock's own API (never Kustomer's): reset, seed, keys, state, clock,
//! limits, journal, events, webhooks, plus any routes the harness adds (workflows, runs).
//!
//! Guarded by its own token (`Authorization: Bearer <admin token>`) or, when none is
//! set, open to loopback callers only. A `/v1` API key never opens it, and the admin
//! token is no `/v1` key.

mod data;
mod directory;
mod faults;
mod guard;
mod logs;
mod publish;
mod settings;
mod webhooks;

use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::http::Method;
use axum::routing::{delete, get, post};

use crate::error::ApiError;
use crate::http::app::AppState;

pub use guard::{guard, secrets_match};

/// The admin routes (relative to `/__admin`), with the harness's `extra` routes merged in.
pub fn routes(extra: Option<Router<AppState>>) -> Router<AppState> {
    let router = Router::new()
        .route("/reset", post(data::reset))
        .route("/seed", post(data::seed))
        .route("/state", get(data::state))
        .route("/snapshot", get(data::snapshot).post(data::save_snapshot))
        .route("/keys", post(data::create_key).get(data::list_keys))
        .route("/keys/{id}", delete(data::revoke_key))
        .route("/users", post(directory::create_user))
        .route("/teams", post(directory::create_team))
        .route("/clock", get(settings::get_clock).post(settings::set_clock))
        .route(
            "/limits",
            get(settings::get_limits).put(settings::put_limits),
        )
        .route("/journal", get(logs::journal).delete(logs::clear_journal))
        .route("/events", get(logs::events).post(publish::publish))
        .route("/events/stream", get(logs::event_stream))
        .route("/hooks/email/{id}", post(publish::receive_email))
        .route(
            "/faults",
            post(faults::create).get(faults::list).delete(faults::clear),
        )
        .route("/faults/{id}", delete(faults::remove))
        .route("/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/webhooks/{id}", delete(webhooks::remove))
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route("/openapi.json", get(openapi));
    let router = match extra {
        Some(extra) => router.merge(extra),
        None => router,
    };
    router
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
}

/// `GET /__admin/openapi.json`: the OpenAPI document of `/v1`, with the operations of
/// the routes added there when the server was given their document.
async fn openapi(State(app): State<AppState>) -> axum::Json<&'static serde_json::Value> {
    axum::Json(app.config.openapi.unwrap_or_else(crate::openapi::document))
}

async fn no_route(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::no_route(method.as_str(), uri.path())
}

async fn wrong_method(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::method_not_allowed(method.as_str(), uri.path())
}
