//! `GET /v1/shortcuts`: the saved replies the fixtures give the org, for sync clients.

use axum::extract::{RawQuery, State};

use super::extract::V1;
use super::users::{Answer, paged};
use crate::http::app::AppState;
use crate::openapi::doc;

#[utoipa::path(
    get, path = "/shortcuts", tag = "shortcuts", operation_id = "listShortcuts",
    summary = "List the org's shortcuts (saved replies), oldest first",
    params(doc::PageParams),
    responses((status = 200, description = "A page of shortcuts", body = doc::ShortcutList)),
)]
pub async fn list(State(app): State<AppState>, v1: V1, RawQuery(raw): RawQuery) -> Answer {
    paged("/v1/shortcuts", raw.as_deref(), |page| {
        app.store.list_shortcuts(v1.org(), page)
    })
}
