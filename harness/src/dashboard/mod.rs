//! The dashboard at `/`: a server-rendered page, its embedded assets, and the JSON twins
//! under `/__admin` that it reads (the page shows only what the admin API answers).

pub mod assets;
pub mod live;
pub mod page;
pub mod twins;

use axum::routing::get;
use axum::{Extension, Router};
use kustomer_mock::AppState;

use crate::workflow::Engine;
pub use twins::SessionStart;

/// The page and its assets, served at the root beside `/v1` and `/__admin`.
pub fn page_routes() -> Router<AppState> {
    page::routes()
}

/// The twins, merged under `/__admin` (behind its guard): `/tree` and
/// `/dashboard/stream` (`PATCH /workflows/{id}` is with the other workflow routes).
pub fn admin_routes(engine: Engine, start: SessionStart) -> Router<AppState> {
    Router::new()
        .route("/tree", get(twins::tree))
        .route("/dashboard/stream", get(live::stream))
        .layer(Extension(engine))
        .layer(Extension(start))
}
