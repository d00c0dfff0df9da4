//! The OpenAPI document of `/v1` as `kmock openapi` writes it to docs/openapi.json, so the
//! end-to-end test that the committed copy is current compares the same text.

/// The document, pretty-printed, with a final newline.
pub fn rendered() -> String {
    let mut text = serde_json::to_string_pretty(kustomer_mock::openapi_document())
        .unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
