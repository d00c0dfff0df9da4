//! A harness server serves the document with the workflows API's operations, and each of
//! them answers as that document describes, its refusals included (a 400 points at the
//! member of the body it refuses).

use reqwest::Method;
use serde_json::json;

use super::conformance::{Conformance, Row, call_each};
use crate::common::*;

const ID: &str = "64a0c0ffee0000000000beef";

/// The workflows API's operations.
const OPERATIONS: [&str; 8] = [
    "GET /v1/workflows",
    "POST /v1/workflows",
    "GET /v1/workflows/{id}",
    "PUT /v1/workflows/{id}",
    "POST /v1/workflows/{id}/enable",
    "POST /v1/workflows/{id}/disable",
    "GET /v1/workflows/{id}/variables",
    "PUT /v1/workflows/{id}/variables",
];

fn row<'a>(
    method: Method,
    template: &'a str,
    path: &str,
    body: Option<String>,
    status: u16,
) -> Row<'a> {
    (method, template, path.to_string(), body, status)
}

#[tokio::test]
async fn the_workflows_operations_are_served_and_answer_as_documented() {
    let harness = harness_with(vec![]).await;
    let s = harness.server();
    let served = admin(s, Method::GET, "/openapi.json", None).await;
    assert_eq!(served.status, 200);
    assert_eq!(&served.body, kustomer_harness::openapi::document());
    let mut doc = Conformance::of(served.body.clone());
    let documented = doc.operations();
    for operation in OPERATIONS {
        assert!(
            documented.contains(operation),
            "{operation} is not served in the document"
        );
    }
    // The workflow POST creates links to the operations on it, by operation ids that exist.
    let links = served.body["paths"]["/v1/workflows"]["post"]["responses"]["201"]["links"]
        .as_object()
        .expect("links from the created workflow");
    let operation_ids: Vec<&serde_json::Value> = served.body["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|operation| &operation["operationId"])
        .collect();
    assert_eq!(links.len(), 6);
    for link in links.values() {
        assert!(operation_ids.contains(&&link["operationId"]), "{link}");
        assert_eq!(link["parameters"]["id"], "$response.body#/data/id");
    }
    // The mock's own operations are all there too.
    let mock = Conformance::new().operations();
    assert!(mock.is_subset(&documented));

    let one = format!("/v1/workflows/{ID}");
    let variables = format!("{one}/variables");
    let t = Some(ADMIN);
    let a = call_each(
        &mut doc,
        s,
        t,
        vec![
            row(
                Method::POST,
                "/v1/workflows",
                "/v1/workflows",
                Some(workflow_json("close-on-tag").to_string()),
                201,
            ),
            row(Method::GET, "/v1/workflows", "/v1/workflows", None, 200),
            row(Method::GET, "/v1/workflows/{id}", &one, None, 200),
            row(
                Method::PUT,
                "/v1/workflows/{id}",
                &one,
                Some(json!({"data": {"attributes": {"name": "renamed"}}}).to_string()),
                200,
            ),
            row(
                Method::POST,
                "/v1/workflows/{id}/disable",
                &format!("{one}/disable"),
                None,
                200,
            ),
            row(
                Method::POST,
                "/v1/workflows/{id}/enable",
                &format!("{one}/enable"),
                None,
                200,
            ),
            row(
                Method::PUT,
                "/v1/workflows/{id}/variables",
                &variables,
                Some(json!({"threshold": 3}).to_string()),
                200,
            ),
            row(
                Method::GET,
                "/v1/workflows/{id}/variables",
                &variables,
                None,
                200,
            ),
        ],
    )
    .await;
    assert_eq!(a[1].each("id"), [ID]);
    assert_eq!(a[3].data()["attributes"]["name"], "renamed");
    assert_eq!(a[4].data()["attributes"]["enabled"], false);
    assert_eq!(a[5].data()["attributes"]["enabled"], true);
    assert_eq!(a[7].data()["threshold"], 3);
    assert_eq!(a[7].data()["API_Key"], "[secure:API_Key]");

    let covered: Vec<&str> = OPERATIONS
        .into_iter()
        .filter(|op| !doc.covered.contains(*op))
        .collect();
    assert!(
        covered.is_empty(),
        "operations this test does not call: {covered:?}"
    );
}

#[tokio::test]
async fn the_workflows_refusals_answer_as_documented() {
    let harness = harness_with(vec![workflow("close-on-tag")]).await;
    let s = harness.server();
    let mut doc = Conformance::of(kustomer_harness::openapi::document().clone());
    let one = format!("/v1/workflows/{ID}");
    let twice = json!({
        "name": "twice",
        "trigger": {"eventName": "kustomer.conversation.update"},
        "steps": [{"id": "a"}, {"id": "a"}],
    });
    let bad_step = json!({"data": {"attributes": {"steps": [{"id": "1"}]}}});
    let a = call_each(
        &mut doc,
        s,
        Some(ADMIN),
        vec![
            row(
                Method::POST,
                "/v1/workflows",
                "/v1/workflows",
                Some(twice.to_string()),
                400,
            ),
            row(
                Method::POST,
                "/v1/workflows",
                "/v1/workflows",
                Some(json!({"data": twice}).to_string()),
                400,
            ),
            row(
                Method::PUT,
                "/v1/workflows/{id}",
                &one,
                Some(bad_step.to_string()),
                400,
            ),
            row(
                Method::PUT,
                "/v1/workflows/{id}",
                &one,
                Some(r#"{"id": 5}"#.into()),
                400,
            ),
            row(
                Method::PUT,
                "/v1/workflows/{id}",
                &one,
                Some(r#"{"attributes": []}"#.into()),
                400,
            ),
            row(
                Method::PUT,
                "/v1/workflows/{id}",
                &one,
                Some(r#"{"data": {}, "name": 5}"#.into()),
                400,
            ),
            row(
                Method::PUT,
                "/v1/workflows/{id}",
                &one,
                Some(r#"{"name": "a", "attributes": {"name": "b"}}"#.into()),
                400,
            ),
            row(
                Method::PUT,
                "/v1/workflows/{id}/variables",
                &format!("{one}/variables"),
                Some("[1]".into()),
                400,
            ),
            row(
                Method::GET,
                "/v1/workflows/{id}",
                "/v1/workflows/no-such-workflow",
                None,
                404,
            ),
            row(
                Method::POST,
                "/v1/workflows/{id}/disable",
                "/v1/workflows/%FF/disable",
                None,
                400,
            ),
        ],
    )
    .await;
    let pointers: Vec<&serde_json::Value> = a[..5]
        .iter()
        .map(|a| &a.error()["source"]["pointer"])
        .collect();
    assert_eq!(
        pointers,
        [
            "/steps/1/id",
            "/data/steps/1/id",
            "/data/attributes/steps/0/id",
            "/id",
            "/attributes"
        ]
    );
    assert_eq!(a[0].error()["meta"]["path"], "$.steps[1].id");
    a[8].expect_error(404, "not_found");
    assert_eq!(a[9].error()["source"]["parameter"], "id");

    // A key without the workflow roles.
    let a = call_each(
        &mut doc,
        s,
        Some(READONLY),
        vec![row(
            Method::POST,
            "/v1/workflows/{id}/disable",
            &format!("{one}/disable"),
            None,
            403,
        )],
    )
    .await;
    assert_eq!(a[0].status, 403);
    // Nothing refused changed the workflow.
    let kept = get(s, &one, ADMIN).await;
    assert_eq!(kept.data()["attributes"]["name"], "close-on-tag");
    assert_eq!(kept.data()["attributes"]["enabled"], true);
}
