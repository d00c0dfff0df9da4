//! The conformance walk of customer merges, and of one customer's and one conversation's
//! event read by id.

use reqwest::Method;
use serde_json::json;

use super::conformance::{Conformance, call};
use crate::common::*;

/// Two new customers merged, the merge read back by id and by customer, and one of the
/// target's events read at the `links.self` its list gives.
pub async fn merge_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let mut ids = Vec::new();
    for name in ["Merge Source", "Merge Target"] {
        let body = json!({ "name": name }).to_string();
        let a = post(s, "/v1/customers", ADMIN, &body).await;
        assert_eq!(a.status, 201, "{}", a.body);
        ids.push(a.data()["id"].as_str().unwrap().to_string());
    }
    let body = json!({"source": ids[0], "target": ids[1]}).to_string();
    let templates = [
        "/v1/customers/merges",
        "/v1/customers/merges/{id}",
        "/v1/customers/{id}/merges",
    ];
    let a = call(
        doc,
        s,
        Method::POST,
        templates[0],
        templates[0],
        t,
        Some(&body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let merge = format!("/v1/customers/merges/{}", a.data()["id"].as_str().unwrap());
    let a = call(doc, s, Method::GET, templates[1], &merge, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let listed = format!("/v1/customers/{}/merges", ids[1]);
    let a = call(doc, s, Method::GET, templates[2], &listed, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);

    let events = get(s, &format!("/v1/customers/{}/events", ids[1]), ADMIN).await;
    let event = events.data()[0]["links"]["self"]
        .as_str()
        .unwrap()
        .to_string();
    let template = "/v1/customers/{id}/events/{eventId}";
    let a = call(doc, s, Method::GET, template, &event, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let events = get(s, &format!("/v1/conversations/{CONV_1}/events"), ADMIN).await;
    let event = events.data()[0]["links"]["self"]
        .as_str()
        .unwrap()
        .to_string();
    let template = "/v1/conversations/{id}/events/{eventId}";
    let a = call(doc, s, Method::GET, template, &event, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
}
