//! A JSON response whose bytes are already written (the conversation routes render
//! straight from the record), answered exactly as `axum::Json` would answer them.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::api::list::envelope;
use crate::store::{Listing, Page};

/// A status and a JSON body.
pub struct RawJson(pub StatusCode, pub Vec<u8>);

impl IntoResponse for RawJson {
    fn into_response(self) -> Response {
        (
            self.0,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.1,
        )
            .into_response()
    }
}

/// The list envelope of [`envelope`] with `data` holding `items`, each already JSON:
/// the same bytes as serializing the envelope with the items as values.
pub fn envelope_json(
    path: &str,
    raw_query: Option<&str>,
    pairs: &[(String, String)],
    page: Page,
    total: usize,
    items: &[Vec<u8>],
) -> Vec<u8> {
    let shell = envelope(
        path,
        raw_query,
        pairs,
        page,
        Listing {
            data: Vec::new(),
            total,
        },
    );
    let mut out = serde_json::to_vec(&shell).unwrap_or_default();
    // `data` is the envelope's last member: `..."data":[]}`; put the items in the brackets.
    debug_assert!(out.ends_with(b"[]}") && matches!(shell.get("data"), Some(Value::Array(_))));
    out.truncate(out.len().saturating_sub(2));
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::list::{parse_page, query_pairs};
    use serde_json::json;

    #[test]
    fn envelope_bytes_match_the_value_envelope() {
        let items = vec![json!({"id": "a", "n": [1, 2]}), json!({"id": "b\"c"})];
        for (query, shown) in [
            (Some("pageSize=2&page=2&x=y"), items.clone()),
            (None, Vec::new()),
        ] {
            let pairs = query_pairs(query).unwrap();
            let page = parse_page(&pairs, 100).unwrap();
            let listing = Listing {
                data: shown.clone(),
                total: 7,
            };
            let canonical =
                serde_json::to_vec(&envelope("/v1/x", query, &pairs, page, listing)).unwrap();
            let raw: Vec<Vec<u8>> = shown
                .iter()
                .map(|v| serde_json::to_vec(v).unwrap())
                .collect();
            let fast = envelope_json("/v1/x", query, &pairs, page, 7, &raw);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(canonical).unwrap()
            );
        }
    }
}
