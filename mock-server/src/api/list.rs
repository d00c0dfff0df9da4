//! Paging parameters and the list envelope with its `links`.

use serde_json::{Value, json};

use crate::error::ApiError;
use crate::store::{Listing, Page};

/// The largest page Kustomer serves (larger values are clamped to it).
pub const MAX_PAGE_SIZE: usize = 100;
/// The page size when none is asked for.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The query string as ordered pairs.
pub fn query_pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    match raw {
        None | Some("") => Ok(Vec::new()),
        Some(raw) => serde_urlencoded::from_str(raw).map_err(|e| {
            ApiError::bad_request(
                "invalid_query",
                format!("The query string is not valid: {e}"),
            )
        }),
    }
}

fn positive(pairs: &[(String, String)], name: &str) -> Result<Option<usize>, ApiError> {
    match pairs.iter().rev().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) => match v.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("`{name}` must be a whole number of 1 or more, not `{v}`"),
            )
            .at_parameter(name)),
        },
    }
}

/// `page` (from 1) and `pageSize` (clamped to `max_size`).
pub fn parse_page(pairs: &[(String, String)], max_size: usize) -> Result<Page, ApiError> {
    let number = positive(pairs, "page")?.unwrap_or(1);
    let size = positive(pairs, "pageSize")?
        .unwrap_or(DEFAULT_PAGE_SIZE.min(max_size))
        .min(max_size);
    Ok(Page { number, size })
}

/// `sort=asc|desc` of a list: whether the newest come first (`asc`, the default, is
/// oldest first).
pub fn newest_first(pairs: &[(String, String)]) -> Result<bool, ApiError> {
    match pairs.iter().rev().find(|(k, _)| k == "sort") {
        None => Ok(false),
        Some((_, v)) => match v.as_str() {
            "asc" => Ok(false),
            "desc" => Ok(true),
            _ => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("`sort` must be `asc` or `desc`, not `{v}`"),
            )
            .at_parameter("sort")),
        },
    }
}

/// A boolean query parameter (`true`/`false`).
pub fn bool_param(pairs: &[(String, String)], name: &str) -> Result<Option<bool>, ApiError> {
    match pairs.iter().rev().find(|(k, _)| k == name) {
        None => Ok(None),
        Some((_, v)) => match v.as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("`{name}` must be `true` or `false`, not `{v}`"),
            )
            .at_parameter(name)),
        },
    }
}

/// `path?query` with `page` set to `page` (other parameters kept in order).
fn link(path: &str, pairs: &[(String, String)], page: usize) -> String {
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len() + 1);
    let mut placed = false;
    for (k, v) in pairs {
        if k == "page" {
            if !placed {
                out.push((k.clone(), page.to_string()));
                placed = true;
            }
        } else {
            out.push((k.clone(), v.clone()));
        }
    }
    if !placed {
        out.push(("page".into(), page.to_string()));
    }
    let query = serde_urlencoded::to_string(&out).unwrap_or_default();
    format!("{path}?{query}")
}

/// The list envelope: `meta`, `links` (`prev` null on page 1, `next` null on the last
/// page, the query string kept) and `data`.
pub fn envelope(
    path: &str,
    raw_query: Option<&str>,
    pairs: &[(String, String)],
    page: Page,
    listing: Listing,
) -> Value {
    let self_link = match raw_query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_string(),
    };
    let has_next = page.number.saturating_mul(page.size) < listing.total;
    json!({
        "meta": { "page": page.number, "pageSize": page.size, "total": listing.total },
        "links": {
            "self": self_link,
            "first": link(path, pairs, 1),
            "prev": if page.number > 1 { Value::String(link(path, pairs, page.number - 1)) } else { Value::Null },
            "next": if has_next { Value::String(link(path, pairs, page.number + 1)) } else { Value::Null },
        },
        "data": listing.data,
    })
}

/// Adds what Kustomer's customer list has beyond the common envelope: `meta.totalPages`
/// and `links.last` (the reference documents them there and not on the conversation list).
pub fn with_last_page(mut list: Value, path: &str, pairs: &[(String, String)]) -> Value {
    let page_size = list["meta"]["pageSize"].as_u64().unwrap_or(1).max(1);
    let total = list["meta"]["total"].as_u64().unwrap_or(0);
    let total_pages = total.div_ceil(page_size).max(1);
    list["meta"]["totalPages"] = json!(total_pages);
    list["links"]["last"] = json!(link(path, pairs, total_pages as usize));
    list
}

/// Adds `meta.aggregations` of Kustomer's search answers: the mock computes none, so it
/// is always `{}`.
pub fn with_aggregations(mut list: Value) -> Value {
    list["meta"]["aggregations"] = json!({});
    list
}

/// Adds the `included` member of Kustomer's message and draft lists: the records the
/// listed ones refer to (their attachments), which the mock does not keep, so it is
/// always empty.
pub fn with_included(mut list: Value) -> Value {
    list["included"] = json!([]);
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_page_counts_partial_pages() {
        let pairs = query_pairs(Some("pageSize=2")).unwrap();
        let list = json!({"meta": {"page": 1, "pageSize": 2, "total": 5}, "links": {}});
        let list = with_last_page(list, "/v1/customers", &pairs);
        assert_eq!(list["meta"]["totalPages"], 3);
        assert_eq!(list["links"]["last"], "/v1/customers?pageSize=2&page=3");
        let empty = json!({"meta": {"page": 1, "pageSize": 2, "total": 0}, "links": {}});
        let empty = with_last_page(empty, "/v1/customers", &pairs);
        assert_eq!(empty["meta"]["totalPages"], 1);
    }

    #[test]
    fn links_keep_other_parameters() {
        let pairs = query_pairs(Some("pageSize=2&page=2&sort=x")).unwrap();
        let page = parse_page(&pairs, 100).unwrap();
        let listing = Listing {
            data: vec![],
            total: 5,
        };
        let env = envelope(
            "/v1/tags",
            Some("pageSize=2&page=2&sort=x"),
            &pairs,
            page,
            listing,
        );
        assert_eq!(env["links"]["next"], "/v1/tags?pageSize=2&page=3&sort=x");
        assert_eq!(env["links"]["prev"], "/v1/tags?pageSize=2&page=1&sort=x");
        assert_eq!(env["links"]["first"], "/v1/tags?pageSize=2&page=1&sort=x");
        assert_eq!(env["links"]["self"], "/v1/tags?pageSize=2&page=2&sort=x");
    }

    #[test]
    fn last_page_has_no_next_and_sizes_clamp() {
        let pairs = query_pairs(Some("pageSize=500&page=1")).unwrap();
        let page = parse_page(&pairs, 100).unwrap();
        assert_eq!(page.size, 100);
        let env = envelope(
            "/v1/tags",
            None,
            &pairs,
            page,
            Listing {
                data: vec![],
                total: 100,
            },
        );
        assert!(env["links"]["next"].is_null());
        assert!(env["links"]["prev"].is_null());
        assert!(parse_page(&query_pairs(Some("page=0")).unwrap(), 100).is_err());
        assert!(parse_page(&query_pairs(Some("page=x")).unwrap(), 100).is_err());
    }
}
