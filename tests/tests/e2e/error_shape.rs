//! Every namespace answers errors as Kustomer's reference writes them: `status` an integer
//! (a client checking `errors[0].status == 401` passes against Kustomer and here), `code`,
//! `title`, `source` always an object, and the mock's `detail` (and `meta` where it has some).

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Reads the first error from the raw bytes (not through the shared helpers) and checks the
/// members the reference lists, with the types it gives them.
fn reference_error(answer: &Answer, status: u16, what: &str) -> Value {
    assert_eq!(answer.status.as_u16(), status, "{what}: {}", answer.body);
    let errors = answer.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no `errors` array: {}", answer.body));
    assert_eq!(errors.len(), 1, "{what}: {}", answer.body);
    let error = &errors[0];
    assert_eq!(
        error["status"].as_u64(),
        Some(u64::from(status)),
        "{what}: `status` is the integer {status}: {error}"
    );
    assert!(
        !error["status"].is_string(),
        "{what}: `status` is not text: {error}"
    );
    for member in ["code", "title", "detail"] {
        assert!(
            error[member].as_str().is_some_and(|text| !text.is_empty()),
            "{what}: `{member}` is non-empty text: {error}"
        );
    }
    assert!(
        error["source"].is_object(),
        "{what}: `source` is an object: {error}"
    );
    error.clone()
}

#[tokio::test]
async fn v1_401_has_an_integer_status_and_points_at_the_header() {
    let server = server().await;
    let answer = send(
        &server,
        Method::GET,
        &format!("/v1/conversations/{CONV_1}"),
        None,
        None,
    )
    .await;
    let error = reference_error(&answer, 401, "/v1 without a key");
    assert_eq!(error["status"], json!(401));
    assert_eq!(error["title"], "Unauthorized");
    assert_eq!(error["source"]["header"], "Authorization");
}

#[tokio::test]
async fn admin_401_has_an_integer_status() {
    let server = builder()
        .admin_token("admin-secret-2")
        .start()
        .await
        .unwrap();
    let answer = admin(&server, Method::GET, "/state", None).await;
    let error = reference_error(&answer, 401, "/__admin without the admin token");
    assert_eq!(error["code"], "admin_unauthorized");
}

#[tokio::test]
async fn fallback_404_has_an_integer_status_and_an_empty_source() {
    let server = server().await;
    let answer = get(&server, "/no/such/route", WORKFLOW).await;
    let error = reference_error(&answer, 404, "an unknown route");
    assert_eq!(error["code"], "route_not_found");
    assert_eq!(error["source"], json!({}), "it points at nothing");
    assert!(error.get("meta").is_none(), "no meta to give: {error}");
}

#[tokio::test]
async fn body_gate_413_has_an_integer_status() {
    let server = builder().body_limit(1024).start().await.unwrap();
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(4096));
    let answer = post(&server, "/v1/tags", WORKFLOW, &big).await;
    let error = reference_error(&answer, 413, "a body over the limit");
    assert_eq!(error["code"], "payload_too_large");
}

#[tokio::test]
async fn rate_limit_429_has_an_integer_status_and_keeps_meta() {
    let server = server().await;
    let limits = admin(
        &server,
        Method::PUT,
        "/limits",
        Some(&json!({"requestsPerWindow": 1}).to_string()),
    )
    .await;
    assert_eq!(limits.status, 200, "{}", limits.body);
    assert_eq!(get(&server, "/v1/tags", WORKFLOW).await.status, 200);
    let answer = get(&server, "/v1/tags", WORKFLOW).await;
    let error = reference_error(&answer, 429, "the org budget spent");
    assert_eq!(error["meta"]["limit"], "org");
}

#[tokio::test]
async fn injected_fault_has_an_integer_status() {
    let server = server().await;
    let rule = json!({"path": "/v1/tags", "action": {"kind": "status", "status": 502}});
    let created = admin(&server, Method::POST, "/faults", Some(&rule.to_string())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let answer = get(&server, "/v1/tags", WORKFLOW).await;
    let error = reference_error(&answer, 502, "an injected fault");
    assert_eq!(error["meta"]["faultRule"], created.body["id"]);
}
