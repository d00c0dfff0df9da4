//! The errors the pipeline and the handlers answer (400, 401, 403, 404, 409, 413, 503,
//! 429) are the documented ones, in the documented shape.

use kustomer_mock::model::LimitsPatch;
use reqwest::Method;
use serde_json::json;

use super::conformance::{Conformance, call};
use crate::common::*;

#[tokio::test]
async fn errors_answer_as_documented() {
    let server = builder().body_limit(4096).start().await.unwrap();
    let mut doc = Conformance::new();
    let s = &server;
    let t = Some(ADMIN);

    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/conversations",
        "/v1/conversations",
        t,
        Some("{"),
    )
    .await;
    assert_eq!(a.status, 400);
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/tags",
        "/v1/tags?page=0",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 400);
    let a = call(&mut doc, s, Method::GET, "/v1/tags", "/v1/tags", None, None).await;
    assert_eq!(a.status, 401);
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/tags",
        "/v1/tags",
        Some(READONLY),
        Some(r#"{"name": "x"}"#),
    )
    .await;
    assert_eq!(a.status, 403);
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/conversations/{id}",
        "/v1/conversations/0123456789abcdef01234567",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/tags",
        "/v1/tags",
        t,
        Some(r#"{"name": "billing"}"#),
    )
    .await;
    assert_eq!(a.status, 409);
    let big = json!({ "name": "x".repeat(5000) }).to_string();
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/customers",
        "/v1/customers",
        t,
        Some(&big),
    )
    .await;
    assert_eq!(a.status, 413);
    server.drain();
    let a = call(&mut doc, s, Method::GET, "/v1/tags", "/v1/tags", t, None).await;
    assert_eq!(a.status, 503);

    let limited = builder()
        .limits(LimitsPatch {
            requests_per_window: Some(1),
            ..LimitsPatch::default()
        })
        .start()
        .await
        .unwrap();
    let first = get(&limited, "/v1/tags", ADMIN).await;
    assert_eq!(first.status, 200);
    let a = call(
        &mut doc,
        &limited,
        Method::GET,
        "/v1/tags",
        "/v1/tags",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 429);
}
