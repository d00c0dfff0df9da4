//! `/v1`: the Kustomer API the mock serves. One file per resource; every request first
//! passes [`pipeline::v1_pipeline`] (auth → org budget → handler → journal).

mod body;
mod brands;
mod bulk;
mod bulk_objects;
mod bulk_routes;
mod companies;
mod conversations;
mod customer_merges;
mod customers;
mod drafts;
mod extract;
mod hooks;
mod klasses;
mod kobjects;
mod list;
mod lookups;
mod me;
mod messages;
mod notes;
pub mod pipeline;
mod raw_json;
mod record_events;
mod schedules;
mod search;
mod search_query;
mod search_time;
mod shortcuts;
mod tags;
mod users;

use axum::Router;
use axum::extract::OriginalUri;
use axum::http::Method;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::http::app::AppState;

pub use body::{
    parse_body, parse_value, parse_write, parse_write_value, pointer_of as path_pointer,
};
pub use extract::V1;
pub use hooks::{posted_data, receipt as hook_receipt};
pub use list::query_pairs;

/// The `/v1` routes (relative to `/v1`) with the OpenAPI description of each: a handler
/// is routed only through its `#[utoipa::path]`, so the document lists every route.
pub fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(conversations::list, conversations::create))
        .routes(routes!(
            conversations::get,
            conversations::update,
            conversations::patch,
            conversations::delete
        ))
        .routes(routes!(
            conversations::append_tags,
            conversations::remove_tags
        ))
        .routes(routes!(notes::list, notes::create))
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(search::search))
        .routes(routes!(
            customers::get,
            customers::update,
            customers::patch,
            customers::delete
        ))
        .routes(routes!(
            customers::conversations,
            customers::create_conversation
        ))
        .routes(routes!(customer_merges::create))
        .routes(routes!(customer_merges::get))
        .routes(routes!(customer_merges::of_customer))
        .routes(routes!(tags::list, tags::create))
        .routes(routes!(tags::get, tags::update, tags::delete))
        .routes(routes!(me::current_user))
        .routes(routes!(me::current_token))
        .routes(routes!(
            messages::conversation_list,
            messages::conversation_create
        ))
        .routes(routes!(messages::customer_list, customers::create_message))
        .routes(routes!(messages::by_external_id))
        .routes(routes!(record_events::conversation_events))
        .routes(routes!(record_events::customer_events))
        .routes(routes!(record_events::customer_event))
        .routes(routes!(record_events::conversation_event))
        .routes(routes!(kobjects::company_list))
        .routes(routes!(messages::list, messages::create))
        .routes(routes!(messages::get, messages::update, messages::patch))
        .routes(routes!(users::list))
        .routes(routes!(users::get))
        .routes(routes!(users::teams))
        .routes(routes!(users::list_teams))
        .routes(routes!(users::get_team))
        .routes(routes!(shortcuts::list))
        .routes(routes!(lookups::customer_by_email))
        .routes(routes!(lookups::customer_by_external_id))
        .routes(routes!(lookups::customer_by_phone))
        .routes(routes!(lookups::conversation_by_external_id))
        .routes(routes!(companies::list, companies::create))
        .routes(routes!(companies::get, companies::update, companies::patch))
        .routes(routes!(notes::org_list, notes::org_create))
        .routes(routes!(
            notes::get,
            notes::update,
            notes::patch,
            notes::delete
        ))
        .routes(routes!(notes::customer_list))
        .routes(routes!(drafts::customer_list, drafts::customer_create))
        .routes(routes!(drafts::update, drafts::delete))
        .routes(routes!(drafts::outbound_accounts))
        .routes(routes!(klasses::list, klasses::create))
        .routes(routes!(
            klasses::get,
            klasses::create_object,
            klasses::update,
            klasses::delete
        ))
        .routes(routes!(
            kobjects::get,
            kobjects::update,
            kobjects::patch,
            kobjects::delete
        ))
        .routes(routes!(kobjects::by_external_id))
        .routes(routes!(kobjects::customer_list, kobjects::customer_create))
        .routes(routes!(
            bulk_routes::conversations_create,
            bulk_routes::conversations_update
        ))
        .routes(routes!(
            bulk_routes::customers_create,
            bulk_routes::customers_update,
            bulk_routes::customers_delete
        ))
        .routes(routes!(
            bulk_routes::companies_create,
            bulk_routes::companies_update
        ))
        .routes(routes!(
            bulk_routes::messages_create,
            bulk_routes::messages_update
        ))
        .routes(routes!(
            bulk_routes::notes_create,
            bulk_routes::notes_update
        ))
        .routes(routes!(
            bulk_routes::kobjects_create,
            bulk_routes::kobjects_update,
            bulk_routes::kobjects_delete
        ))
        .routes(routes!(brands::list, brands::create))
        .routes(routes!(brands::default))
        .routes(routes!(brands::get, brands::patch))
        .routes(routes!(schedules::list, schedules::create))
        .routes(routes!(schedules::default))
        .routes(routes!(
            schedules::get,
            schedules::update,
            schedules::delete
        ))
        .routes(routes!(hooks::list))
        .routes(routes!(hooks::create))
        .routes(routes!(hooks::receive_web))
        .routes(routes!(hooks::receive_form))
}

/// The `/v1` routes (relative to `/v1`) with any `extra` ones, and Kustomer errors for
/// unknown routes and wrong methods.
pub fn routes(extra: Option<Router<AppState>>) -> Router<AppState> {
    // Building the documented router also builds each operation's OpenAPI description,
    // which grew with every object to most of a server's start-up; the routes are the
    // same for every server of the process, so they are built once and cloned.
    static ROUTES: std::sync::OnceLock<Router<AppState>> = std::sync::OnceLock::new();
    let router = ROUTES
        .get_or_init(|| documented_routes().split_for_parts().0)
        .clone();
    // Routes another crate serves under `/v1` (the engine's workflows API) take the same
    // pipeline: they are merged before it is layered on.
    let router = match extra {
        Some(extra) => router.merge(extra),
        None => router,
    };
    router
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
}

async fn no_route(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::no_route(method.as_str(), uri.path())
}

async fn wrong_method(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::method_not_allowed(method.as_str(), uri.path())
}
