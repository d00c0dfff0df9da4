//! The state every handler shares, and the router assembled in one place.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

use crate::error::ApiError;
use crate::events::webhooks::Webhooks;
use crate::journal::Journal;
use crate::store::Store;
use crate::store::fixtures::FixtureBundle;

/// Settings fixed when the server starts.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest accepted request body, in bytes (larger → 413).
    pub body_limit: usize,
    /// The admin API's token; `None` means loopback callers only.
    pub admin_token: Option<String>,
    /// Where the state is saved (`kmock serve --state FILE`).
    pub state_file: Option<std::path::PathBuf>,
    /// The document `GET /__admin/openapi.json` serves when routes added under `/v1` have
    /// their own operations; `None`: the mock's.
    pub openapi: Option<&'static serde_json::Value>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 1024 * 1024,
            admin_token: None,
            state_file: None,
            openapi: None,
        }
    }
}

/// What every handler can reach.
#[derive(Debug)]
pub struct Shared {
    pub store: Store,
    pub journal: Journal,
    pub config: ServerConfig,
    /// The fixtures loaded at start, re-applied by `POST /__admin/reset`.
    pub fixtures: Vec<FixtureBundle>,
    pub webhooks: Arc<Webhooks>,
    /// Fault rules for `/v1` (and workflow REST steps).
    pub faults: crate::http::faults::Faults,
    /// While draining (shutting down), `/v1` requests nobody's workflow caused get 503.
    pub draining: std::sync::atomic::AtomicBool,
    /// Extra sections saved with the state, by name.
    pub state_sections: parking_lot::Mutex<Vec<(String, StateSection)>>,
    /// The extra sections of the state loaded at start.
    pub restored_sections: serde_json::Map<String, serde_json::Value>,
}

/// Produces one extra section of the saved state.
#[derive(Clone)]
pub struct StateSection(pub Arc<dyn Fn() -> serde_json::Value + Send + Sync>);

impl std::fmt::Debug for StateSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateSection")
    }
}

impl Shared {
    /// The state to save: the store and every registered section.
    pub fn state_snapshot(&self) -> crate::store::StoreSnapshot {
        let mut snapshot = self.store.snapshot();
        let sections = self.state_sections.lock();
        for (name, section) in sections.iter() {
            snapshot.extra.insert(name.clone(), (section.0)());
        }
        snapshot
    }
}

/// The handlers' state: a cheap handle on `Shared`.
pub type AppState = Arc<Shared>;

/// The whole application: `/v1`, `/__admin` (with any extra admin routes), any page
/// routes (the dashboard), and Kustomer 404s for everything else, all behind the body gate (every body read up to the limit
/// before any of them answers: see [`crate::http::body_gate`]).
pub fn router(
    state: AppState,
    extra_admin: Option<Router<AppState>>,
    pages: Option<Router<AppState>>,
    extra_v1: Option<Router<AppState>>,
) -> Router {
    let v1 = crate::api::routes(extra_v1).layer(middleware::from_fn_with_state(
        state.clone(),
        crate::api::pipeline::v1_pipeline,
    ));
    let admin = crate::admin::routes(extra_admin).layer(middleware::from_fn_with_state(
        state.clone(),
        crate::admin::guard,
    ));
    let router = Router::new().nest("/v1", v1).nest("/__admin", admin);
    let router = match pages {
        Some(pages) => router.merge(pages),
        None => router,
    };
    router
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::http::body_gate::gate,
        ))
        // The gate holds bodies to the server's limit; axum's own default (2 MiB, with a
        // plain-text 413) would otherwise refuse admin bodies the limit allows.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

async fn not_found(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::no_route(method.as_str(), uri.path())
}
