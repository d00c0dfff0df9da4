//! The OpenAPI document of `/v1` as a harness server answers it: the mock's operations
//! and the workflows API's ([`crate::workflows_api`]), merged into one document. `kmock
//! openapi` writes it to docs/openapi.json and `GET /__admin/openapi.json` serves it, so
//! the fuzzers and the end-to-end test that the committed copy is current see every route.

pub mod workflows;

use std::sync::OnceLock;

use serde_json::{Value, json};
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
        let mut document = kustomer_mock::openapi_document_with(Some(workflows));
        link_created_workflow(&mut document);
        document
    })
}

/// The operations on one workflow, by operation id.
const ON_ONE_WORKFLOW: [&str; 6] = [
    "getWorkflow",
    "updateWorkflow",
    "enableWorkflow",
    "disableWorkflow",
    "getWorkflowVariables",
    "updateWorkflowVariables",
];

/// OpenAPI links from the workflow `POST /v1/workflows` created to the operations on it,
/// so a client (schemathesis's stateful phase) can follow the new id to them.
fn link_created_workflow(document: &mut Value) {
    let Some(created) = document
        .pointer_mut("/paths/~1v1~1workflows/post/responses/201")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let links: serde_json::Map<String, Value> = ON_ONE_WORKFLOW
        .iter()
        .map(|operation| {
            (
                operation.to_string(),
                json!({
                    "operationId": operation,
                    "parameters": { "id": "$response.body#/data/id" },
                }),
            )
        })
        .collect();
    created.insert("links".into(), Value::Object(links));
}

/// The document, pretty-printed, with a final newline.
pub fn rendered() -> String {
    let mut text = serde_json::to_string_pretty(document()).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
