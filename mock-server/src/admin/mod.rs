//! `/__admin`: the mock's own API (never Kustomer's): reset, seed, keys, state, clock,
//! limits, journal, events, webhooks, plus any routes the harness adds (workflows, runs).
//!
//! Guarded by its own token (`Authorization: Bearer <admin token>`) or, when none is
//! set, open to loopback callers only. A `/v1` API key never opens it, and the admin
//! token is no `/v1` key.

mod data;
mod directory;
mod faults;
mod logs;
mod publish;
mod settings;
mod webhooks;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::OriginalUri;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::app::AppState;

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

/// Compares two secrets in time that does not depend on where they differ.
pub fn secrets_match(presented: &str, expected: &str) -> bool {
    let a = Sha256::digest(presented.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The admin guard.
pub async fn guard(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match &app.config.admin_token {
        Some(expected) => {
            let presented = request
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if presented.is_empty() || !secrets_match(presented, expected) {
                return ApiError::unauthorized(
                    "admin_unauthorized",
                    "The admin API needs `Authorization: Bearer <admin token>` (the token given to --admin-token); /v1 API keys do not open it",
                )
                .into_response();
            }
        }
        None => {
            if !peer.ip().is_loopback() {
                return ApiError::forbidden(
                    "admin_loopback_only",
                    format!(
                        "The admin API answers loopback callers only when no admin token is set (the caller is {}); start the server with --admin-token to reach it from elsewhere",
                        peer.ip()
                    ),
                )
                .into_response();
            }
        }
    }
    next.run(request).await
}
