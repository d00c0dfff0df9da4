//! The OpenAPI document of `/v1` as a harness server answers it: the mock's operations
//! and the workflows API's ([`crate::workflows_api`]), merged into one document. `kmock
//! openapi` writes it to docs/openapi.json and `GET /__admin/openapi.json` serves it, so
//! the fuzzers and the end-to-end test that the committed copy is current see every route.

pub mod workflows;

use std::sync::OnceLock;

use serde_json::Value;
use utoipa::openapi::tag::TagBuilder;

/// The document (built once: it depends only on the code).
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut workflows = crate::workflows_api::documented_routes().into_openapi();
        workflows.tags = Some(vec![
            TagBuilder::new()
                .name("workflows")
                .description(Some(
                    "Workflows, run by the harness's engine (the routes and roles are guesses: Kustomer's reference does not publish them)",
                ))
                .build(),
        ]);
        kustomer_mock::openapi_document_with(Some(workflows))
    })
}

/// The document, pretty-printed, with a final newline.
pub fn rendered() -> String {
    let mut text = serde_json::to_string_pretty(document()).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
