//! `POST /v1/customers/search`: criteria on every field with every operator, sorting with
//! stable ties, paging and its depth limit, the search budget, errors and roles.
//!
//! The helpers and the seeded conversations are here; the tests are in one module per concern.

mod criteria;
mod limits;
mod order_and_pages;
mod refusals;

use kustomer_mock::MockServer;
use serde_json::{Value, json};

use crate::common::*;

const CONV_4: &str = "64a0c0ffee00000000000b04";
const CUSTOMER_GRACE: &str = "64a0c0ffee00000000000c02";
const CUSTOMER_ALAN: &str = "64a0c0ffee00000000000c03";
/// conversation read/write and tag read, no customer read (fixtures/acme.json).
const WEEKLY: &str = "kmk_acme_weekly_9d4b6f8e2a1c3e57";

async fn search(server: &MockServer, query: &str, token: &str, body: Value) -> Answer {
    post(
        server,
        &format!("/v1/customers/search{query}"),
        token,
        &body.to_string(),
    )
    .await
}

fn ids(answer: &Answer) -> Vec<String> {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {}", answer.body))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The fixtures' four conversations plus a fifth, with distinct update times:
///
/// | id | customer | name | tags | priority | status | custom | updatedAt |
/// |---|---|---|---|---|---|---|---|
/// | b01 | Ada | Refund for order #1042 | billing | 3 | open | | 11-21T10:00 |
/// | b02 | Grace | Cannot log in | | 4 | done | orderNumber 1042, channel Email, seenAt | T0+1s |
/// | b03 | Alan | Upgrade to the annual plan | vip | 2 | open | orderNumber 7, labels [a, b] | T0+2s |
/// | b04 | Ada | Where is my parcel? | | 3 | open | | 11-23T16:45 |
/// | new | Grace | (none) | | 3 | open | | T0+3s |
///
/// where T0 is the virtual clock's start, 2026-11-24T00:00:00.000Z.
async fn seeded() -> (MockServer, String) {
    let server = server().await;
    server.clock().advance(1000);
    let b02 = put(
        &server,
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        r#"{"status":"done","custom":{"orderNumber":1042,"channel":"Email","seenAt":"2026-11-24T00:00:01.000Z"}}"#,
    )
    .await;
    assert_eq!(b02.status, 200, "{}", b02.body);
    server.clock().advance(1000);
    let b03 = put(
        &server,
        &format!("/v1/conversations/{CONV_3}"),
        WORKFLOW,
        r#"{"custom":{"orderNumber":7,"labels":["a","b"]}}"#,
    )
    .await;
    assert_eq!(b03.status, 200, "{}", b03.body);
    server.clock().advance(1000);
    let created = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({ "customer": CUSTOMER_GRACE }).to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let new = created.data()["id"].as_str().unwrap().to_string();
    (server, new)
}

/// Asserts that each `and` criterion finds exactly `expected` (in creation order).
async fn expect_matches(server: &MockServer, cases: &[(Value, Vec<&str>)]) {
    for (criterion, expected) in cases {
        let answer = search(server, "", WORKFLOW, json!({ "and": [criterion] })).await;
        assert_eq!(ids(&answer), *expected, "criterion {criterion}");
        assert_eq!(
            answer.body["meta"]["total"],
            expected.len(),
            "criterion {criterion}"
        );
    }
}
