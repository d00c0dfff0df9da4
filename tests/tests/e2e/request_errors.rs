//! 400, 404, 405, 409, 413: bad input always gets a Kustomer error, never a 5xx.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn malformed_json_and_wrong_types_point_at_the_problem() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    let e = put(&server, &path, WORKFLOW, r#"{"status": "done""#)
        .await
        .expect_error(400, "invalid_json")
        .clone();
    assert!(e["detail"].as_str().unwrap().contains("line 1"), "{e}");
    assert!(e["source"].get("pointer").is_some(), "{e}");

    let e = put(&server, &path, WORKFLOW, r#"{"priority": "high"}"#)
        .await
        .expect_error(400, "invalid_type")
        .clone();
    assert_eq!(e["source"]["pointer"], "/priority");
    let e = put(&server, &path, WORKFLOW, r#"{"status": "closed"}"#)
        .await
        .expect_error(400, "invalid_type")
        .clone();
    assert_eq!(e["source"]["pointer"], "/status");
    assert!(e["detail"].as_str().unwrap().contains("closed"));
    let e = put(&server, &path, WORKFLOW, r#"{"priority": 9}"#)
        .await
        .expect_error(400, "invalid_value")
        .clone();
    assert_eq!(e["source"]["pointer"], "/priority");
    let e = put(&server, &path, WORKFLOW, r#"{"custom": [1]}"#)
        .await
        .expect_error(400, "invalid_type")
        .clone();
    assert_eq!(e["source"]["pointer"], "/custom");
    put(&server, &path, WORKFLOW, "[]")
        .await
        .expect_error(400, "invalid_type");
    put(&server, &path, WORKFLOW, "")
        .await
        .expect_error(400, "invalid_json");
    let e = put(
        &server,
        &path,
        WORKFLOW,
        r#"{"assignedUsers": ["64a0c0ffee00000000000001", "x"]}"#,
    )
    .await
    .expect_error(400, "invalid_id")
    .clone();
    assert_eq!(e["source"]["pointer"], "/assignedUsers/1");
    let eleven: Vec<String> = (0..11)
        .map(|i| format!("64a0c0ffee0000000000{i:04x}"))
        .collect();
    put(
        &server,
        &path,
        WORKFLOW,
        &json!({"assignedTeams": eleven}).to_string(),
    )
    .await
    .expect_error(400, "too_many_values");
}

#[tokio::test]
async fn create_requires_a_known_customer_and_a_create_status() {
    let server = server().await;
    let e = post(&server, "/v1/conversations", WORKFLOW, r#"{"name":"x"}"#)
        .await
        .expect_error(400, "required")
        .clone();
    assert_eq!(e["source"]["pointer"], "/customer");
    let e = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        r#"{"customer":"64a0c0ffee0000000000beef"}"#,
    )
    .await
    .expect_error(400, "unknown_customer")
    .clone();
    assert_eq!(e["source"]["pointer"], "/customer");
    post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        r#"{"customer":"nope"}"#,
    )
    .await
    .expect_error(400, "invalid_id");
    let e = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "status": "snoozed"}).to_string(),
    )
    .await
    .expect_error(400, "invalid_value")
    .clone();
    assert_eq!(e["source"]["pointer"], "/status");
}

#[tokio::test]
async fn bad_ids_unknown_ids_and_unknown_routes() {
    let server = server().await;
    let e = get(&server, "/v1/conversations/not-an-id", WORKFLOW)
        .await
        .expect_error(400, "invalid_id")
        .clone();
    assert_eq!(e["source"]["parameter"], "id");
    get(
        &server,
        "/v1/conversations/64a0c0ffee0000000000dead",
        WORKFLOW,
    )
    .await
    .expect_error(404, "not_found");
    get(&server, "/v1/tags/64a0c0ffee0000000000dead", WORKFLOW)
        .await
        .expect_error(404, "not_found");
    get(&server, "/v1/customers/64a0c0ffee0000000000dead", WORKFLOW)
        .await
        .expect_error(404, "not_found");
    get(&server, "/v1/nothing-here", WORKFLOW)
        .await
        .expect_error(404, "route_not_found");
    get(&server, "/elsewhere", WORKFLOW)
        .await
        .expect_error(404, "route_not_found");
    get(&server, "/v1/conversations?page=0", WORKFLOW)
        .await
        .expect_error(400, "invalid_parameter");
    get(&server, "/v1/conversations?pageSize=abc", WORKFLOW)
        .await
        .expect_error(400, "invalid_parameter");
}

#[tokio::test]
async fn wrong_method_is_405() {
    let server = server().await;
    let answer = send(
        &server,
        Method::PATCH,
        "/v1/tags",
        Some(WORKFLOW),
        Some("{}"),
    )
    .await;
    answer.expect_error(405, "method_not_allowed");
    send(
        &server,
        Method::POST,
        &format!("/v1/conversations/{CONV_1}"),
        Some(WORKFLOW),
        Some("{}"),
    )
    .await
    .expect_error(405, "method_not_allowed");
    send(
        &server,
        Method::DELETE,
        "/v1/customers",
        Some(WORKFLOW),
        None,
    )
    .await
    .expect_error(405, "method_not_allowed");
}

#[tokio::test]
async fn duplicates_are_409() {
    let server = server().await;
    post(&server, "/v1/tags", WORKFLOW, r#"{"name":"billing"}"#)
        .await
        .expect_error(409, "duplicate_tag");
    let body = json!({"customer": CUSTOMER_ADA, "externalId": "ext-1"}).to_string();
    assert_eq!(
        post(&server, "/v1/conversations", WORKFLOW, &body)
            .await
            .status,
        201
    );
    let e = post(&server, "/v1/conversations", WORKFLOW, &body)
        .await
        .expect_error(409, "duplicate_external_id")
        .clone();
    assert_eq!(e["source"]["pointer"], "/externalId");
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"externalId":"ext-1"}"#,
    )
    .await
    .expect_error(409, "duplicate_external_id");
    put(
        &server,
        &format!("/v1/tags/{TAG_VIP}"),
        WORKFLOW,
        r#"{"name":"billing"}"#,
    )
    .await
    .expect_error(409, "duplicate_tag");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let server = server().await;
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(1024 * 1024 + 10));
    let answer = put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        &big,
    )
    .await;
    answer.expect_error(413, "payload_too_large");
    // The rest of the body is never read, so the connection must not be reused: a client
    // that pooled it would fail its next request (the fuzzer found this).
    assert_eq!(answer.header("connection"), Some("close"));
    let unchanged = get(&server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW).await;
    assert_eq!(unchanged.data()["attributes"]["rev"], 1);
}

#[tokio::test]
async fn a_pooled_client_keeps_working_after_a_413() {
    let server = server().await;
    let client = reqwest::Client::new();
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    for _ in 0..5 {
        let refused = client
            .post(format!("{}/v1/tags", server.url()))
            .bearer_auth(WORKFLOW)
            .body(big.clone())
            .send()
            .await
            .expect("the 413 is answered");
        assert_eq!(refused.status(), 413);
        let next = client
            .get(format!("{}/v1/tags", server.url()))
            .bearer_auth(WORKFLOW)
            .send()
            .await
            .expect("the next request on the same client is answered");
        assert_eq!(next.status(), 200);
    }
}

#[tokio::test]
async fn garbage_never_yields_a_server_error() {
    let server = server().await;
    let bodies = [
        "",
        "null",
        "0",
        "\"text\"",
        "[",
        "{",
        "{]",
        "{\"a\":}",
        "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
        "\u{0}\u{1}",
        "{\"tags\":{}}",
        "{\"tags\":[null]}",
        "{\"custom\":null}",
        "{\"name\":123}",
        "{\"snooze\":\"x\"}",
        "{\"customer\":[]}",
        "{\"priority\":1.5}",
        "{\"priority\":-1}",
        "{\"emails\":\"x\"}",
        "{\"name\":\"\u{1F600}\"}",
        "[\"\"]",
        "[1,2,3]",
        "{\"status\":\"done\"} trailing",
    ];
    let paths = [
        (Method::POST, "/v1/conversations".to_string()),
        (Method::PUT, format!("/v1/conversations/{CONV_1}")),
        (Method::PATCH, format!("/v1/conversations/{CONV_2}")),
        (Method::POST, format!("/v1/conversations/{CONV_1}/tags")),
        (Method::DELETE, format!("/v1/conversations/{CONV_1}/tags")),
        (Method::POST, "/v1/customers".to_string()),
        (Method::PUT, format!("/v1/customers/{CUSTOMER_ADA}")),
        (Method::POST, "/v1/tags".to_string()),
        (Method::PUT, format!("/v1/tags/{TAG_BILLING}")),
    ];
    for (method, path) in &paths {
        for body in bodies {
            let answer = send(&server, method.clone(), path, Some(ADMIN), Some(body)).await;
            assert!(
                answer.status.as_u16() < 500,
                "{method} {path} with {body:?} gave {}: {}",
                answer.status,
                answer.body
            );
            if !answer.status.is_success() {
                assert_error_shape(&answer.body, answer.status);
            }
        }
    }
}
