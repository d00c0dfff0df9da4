//! `/v1`: the Kustomer API the mock serves. One file per resource; every request first
//! passes [`pipeline::v1_pipeline`] (auth → org budget → handler → journal).

mod body;
mod conversations;
mod customers;
mod extract;
mod list;
mod me;
mod notes;
pub mod pipeline;
mod raw_json;
mod search;
mod search_query;
mod tags;

use axum::Router;
use axum::extract::OriginalUri;
use axum::http::Method;
use axum::routing::{get, post};

use crate::app::AppState;
use crate::error::ApiError;

pub use body::{parse_body, parse_value, pointer_of as path_pointer};
pub use list::{parse_page, query_pairs};

/// The `/v1` routes (relative to `/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/conversations",
            get(conversations::list).post(conversations::create),
        )
        .route(
            "/conversations/{id}",
            get(conversations::get)
                .put(conversations::update)
                .patch(conversations::update)
                .delete(conversations::delete),
        )
        .route(
            "/conversations/{id}/tags",
            post(conversations::append_tags).delete(conversations::remove_tags),
        )
        .route(
            "/conversations/{id}/notes",
            get(notes::list).post(notes::create),
        )
        .route("/customers", post(customers::create))
        .route("/customers/search", post(search::search))
        .route(
            "/customers/{id}",
            get(customers::get)
                .put(customers::update)
                .patch(customers::update),
        )
        .route(
            "/customers/{id}/conversations",
            get(customers::conversations),
        )
        .route("/tags", get(tags::list).post(tags::create))
        .route(
            "/tags/{id}",
            get(tags::get).put(tags::update).delete(tags::delete),
        )
        .route("/users/current", get(me::current_user))
        .route("/auth/tokens/current", get(me::current_token))
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
}

async fn no_route(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::no_route(method.as_str(), uri.path())
}

async fn wrong_method(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::method_not_allowed(method.as_str(), uri.path())
}
