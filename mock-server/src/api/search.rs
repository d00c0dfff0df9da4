//! `POST /v1/customers/search`: Kustomer's search, the way ETL taps and reporting scripts
//! read conversations and customers (incrementally, by `*_updated_at`).
//!
//! Order of checks: query string → body → `queryContext` → role → criteria → page depth →
//! search budget → run. Only a search that runs spends the search budget (the pipeline has
//! already counted the request against the org budget); every answer of this handler
//! carries the search budget's headers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::extract::V1;
use super::list::{envelope, parse_page, query_pairs, with_aggregations, with_last_page};
use super::search_query::{compile, query_context, read_body};
use crate::error::ApiError;
use crate::http::app::AppState;
use crate::http::limits::{Allowance, LimitKey, rate_limited};
use crate::openapi::doc;
use crate::store::{Page, READ_CAP, SearchContext};

/// The route's path, for the envelope's links (a next page is the same POST and body).
const PATH: &str = "/v1/customers/search";
/// The largest page search serves (larger values are clamped to it).
pub const MAX_SEARCH_PAGE_SIZE: usize = 500;

#[utoipa::path(
    post, path = "/customers/search", tag = "search", operation_id = "search",
    summary = "Search the records of a `queryContext` (conversation, customer, message, kobject, kobject_<klass>); counts against the search budget",
    params(doc::SearchPageParams),
    request_body = doc::SearchBody,
    responses((status = 200, description = "A page of hits", body = doc::SearchResults,
        headers(
            ("x-ratelimit-search-limit" = u64, description = "Searches allowed per window"),
            ("x-ratelimit-search-remaining" = u64, description = "Searches left in this window"),
            ("x-ratelimit-search-reset" = u64, description = "When the window resets (epoch seconds)"),
        ))),
)]
pub async fn search(
    State(app): State<AppState>,
    v1: V1,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let mut spent: Option<Allowance> = None;
    let answer = run(&app, &v1, raw.as_deref(), &body, &mut spent);
    let allowance = spent.unwrap_or_else(|| {
        let limits = &v1.caller.org.limits;
        app.store.limiter().peek(
            LimitKey::Search(v1.org()),
            limits.search_per_window,
            limits.window_seconds,
            app.store.now(),
        )
    });
    let mut response = match answer {
        Ok(envelope) => (StatusCode::OK, Json(envelope)).into_response(),
        Err(error) => error.into_response(),
    };
    for (name, value) in allowance.search_headers() {
        response.headers_mut().insert(name, value);
    }
    response
}

/// The search itself; `spent` is set once the search budget has been counted (or refused).
fn run(
    app: &AppState,
    v1: &V1,
    raw: Option<&str>,
    body: &[u8],
    spent: &mut Option<Allowance>,
) -> Result<Value, ApiError> {
    let pairs = query_pairs(raw)?;
    let page = parse_page(&pairs, MAX_SEARCH_PAGE_SIZE)?;
    let body = read_body(body)?;
    let context = query_context(&body)?;
    v1.require(
        context.object().read_roles,
        &format!(
            "POST /v1/customers/search (queryContext {})",
            context.name()
        ),
    )?;
    let query = compile(&body, context.clone())?;
    too_deep(page, &context)?;
    if let Some(klass) = context.klass()
        && !app.store.has_klass(v1.org(), klass)?
    {
        // Refused before the search budget is counted, as every 400 is.
        return Err(ApiError::bad_request(
            "invalid_value",
            format!("`queryContext` `kobject_{klass}` names no klass of the org (`GET /v1/klasses` lists them)"),
        )
        .at_pointer("/queryContext"));
    }

    let limits = &v1.caller.org.limits;
    let key = LimitKey::Search(v1.org());
    let counted = app.store.limiter().hit(
        key,
        limits.search_per_window,
        limits.window_seconds,
        app.store.now(),
    );
    match counted {
        Ok(allowance) => *spent = Some(allowance),
        Err(refused) => {
            *spent = Some(refused);
            return Err(rate_limited(
                key,
                &refused,
                limits.window_seconds,
                "the org's search budget is spent",
            ));
        }
    }

    let listing = app.store.search(v1.org(), &query, page)?;
    let list = with_last_page(envelope(PATH, raw, &pairs, page, listing), PATH, &pairs);
    Ok(with_aggregations(list))
}

/// A page that starts past Kustomer's read cap ([`READ_CAP`] matches) is refused: the
/// detail tells a sync client how to narrow the query instead.
fn too_deep(page: Page, context: &SearchContext) -> Result<(), ApiError> {
    let first = (page.number - 1).saturating_mul(page.size);
    if first < READ_CAP {
        return Ok(());
    }
    let field = format!("{}_updated_at", context.object().name);
    let max_page = READ_CAP.div_ceil(page.size);
    Err(ApiError::bad_request(
        "page_too_deep",
        format!(
            "Search reads at most {READ_CAP} records: page {} of {} records starts past them (the last page is {max_page}). Narrow the query instead: sort by `{field}` ascending, add {{\"{field}\": {{\"gte\": \"<updatedAt of the last record read>\"}}}} to `and`, and start again at page 1",
            page.number, page.size
        ),
    )
    .at_parameter("page")
    .with_meta(serde_json::json!({ "maxPage": max_page, "readCap": READ_CAP })))
}
