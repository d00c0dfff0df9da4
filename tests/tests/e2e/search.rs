//! `POST /v1/customers/search`: criteria on every field with every operator, sorting with
//! stable ties, paging and its depth limit, the search budget, errors and roles.

use kustomer_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

const CONV_3: &str = "64a0c0ffee00000000000b03";
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

#[tokio::test]
async fn every_operator_on_every_conversation_field() {
    let (server, new) = seeded().await;
    let n = new.as_str();
    let all = vec![CONV_1, CONV_2, CONV_3, CONV_4, n];
    let cases = vec![
        // Timestamps compare as instants, whatever their offset or precision.
        (
            json!({"conversation_created_at": {"gte": "2026-11-22T00:00:00Z"}}),
            vec![CONV_3, CONV_4, n],
        ),
        (
            json!({"conversation_created_at": {"lt": "2026-11-22T00:00:00.000000Z"}}),
            vec![CONV_1, CONV_2],
        ),
        (
            json!({"conversation_created_at": {"equals": "2026-11-21T12:30:00+01:00"}}),
            vec![CONV_2],
        ),
        (
            json!({"conversation_created_at": {"in": ["2026-11-21T10:00:00.000Z", "2026-11-23T16:45:00.000Z"]}}),
            vec![CONV_1, CONV_4],
        ),
        (
            json!({"conversation_created_at": {"exists": true}}),
            all.clone(),
        ),
        (
            json!({"conversation_updated_at": {"gt": "2026-11-24T00:00:00.000Z"}}),
            vec![CONV_2, CONV_3, n],
        ),
        (
            json!({"conversation_updated_at": {"lte": "2026-11-23T16:45:00.000Z"}}),
            vec![CONV_1, CONV_4],
        ),
        (
            json!({"conversation_updated_at": {"not_equals": "2026-11-23T16:45:00.000Z"}}),
            vec![CONV_1, CONV_2, CONV_3, n],
        ),
        (
            json!({"conversation_status": {"equals": "done"}}),
            vec![CONV_2],
        ),
        (
            json!({"conversation_status": {"not_equals": "done"}}),
            vec![CONV_1, CONV_3, CONV_4, n],
        ),
        (
            json!({"conversation_status": {"in": ["snoozed", "done"]}}),
            vec![CONV_2],
        ),
        // Tags: by id or by name; on a list, eq/contains/in ask whether it holds the value.
        (
            json!({"conversation_tags": {"contains": TAG_VIP}}),
            vec![CONV_3],
        ),
        (
            json!({"conversation_tags": {"equals": "billing"}}),
            vec![CONV_1],
        ),
        (
            json!({"conversation_tags": {"in": ["vip", TAG_BILLING]}}),
            vec![CONV_1, CONV_3],
        ),
        (
            json!({"conversation_tags": {"not_equals": "billing"}}),
            vec![CONV_2, CONV_3, CONV_4, n],
        ),
        (
            json!({"conversation_tags": {"exists": true}}),
            vec![CONV_1, CONV_3],
        ),
        (
            json!({"conversation_tags": {"exists": false}}),
            vec![CONV_2, CONV_4, n],
        ),
        (
            json!({"conversation_tags": {"contains": "no-such-tag"}}),
            vec![],
        ),
        // Text: contains is a case-insensitive substring, eq is exact.
        (
            json!({"conversation_name": {"contains": "ORDER"}}),
            vec![CONV_1],
        ),
        (
            json!({"conversation_name": {"equals": "Cannot log in"}}),
            vec![CONV_2],
        ),
        (
            json!({"conversation_name": {"equals": "cannot log in"}}),
            vec![],
        ),
        (
            json!({"conversation_name": {"in": ["Cannot log in", "Where is my parcel?"]}}),
            vec![CONV_2, CONV_4],
        ),
        (json!({"conversation_name": {"exists": false}}), vec![n]),
        (
            json!({"conversation_name": {"not_equals": "Cannot log in"}}),
            vec![CONV_1, CONV_3, CONV_4, n],
        ),
        (json!({"conversation_priority": {"gt": 3}}), vec![CONV_2]),
        (
            json!({"conversation_priority": {"gte": 3}}),
            vec![CONV_1, CONV_2, CONV_4, n],
        ),
        (json!({"conversation_priority": {"lt": 3}}), vec![CONV_3]),
        (json!({"conversation_priority": {"lte": 2}}), vec![CONV_3]),
        (
            json!({"conversation_priority": {"equals": 3}}),
            vec![CONV_1, CONV_4, n],
        ),
        (
            json!({"conversation_priority": {"in": [2, 4]}}),
            vec![CONV_2, CONV_3],
        ),
        (
            json!({"conversation_customer_id": {"equals": CUSTOMER_ADA}}),
            vec![CONV_1, CONV_4],
        ),
        (
            json!({"conversation_customer_id": {"in": [CUSTOMER_GRACE, CUSTOMER_ALAN]}}),
            vec![CONV_2, CONV_3, n],
        ),
        (
            json!({"conversation_customer_id": {"not_equals": CUSTOMER_ADA}}),
            vec![CONV_2, CONV_3, n],
        ),
        // Custom attributes read `custom.<name>`.
        (
            json!({"conversation_custom_orderNumber": {"gte": 100}}),
            vec![CONV_2],
        ),
        (
            json!({"conversation_custom_orderNumber": {"lt": 100}}),
            vec![CONV_3],
        ),
        (
            json!({"conversation_custom_orderNumber": {"equals": 7}}),
            vec![CONV_3],
        ),
        (
            json!({"conversation_custom_orderNumber": {"in": [1042, 5]}}),
            vec![CONV_2],
        ),
        (
            json!({"conversation_custom_orderNumber": {"exists": true}}),
            vec![CONV_2, CONV_3],
        ),
        (
            json!({"conversation_custom_orderNumber": {"exists": false}}),
            vec![CONV_1, CONV_4, n],
        ),
        (
            json!({"conversation_custom_orderNumber": {"not_equals": 7}}),
            vec![CONV_1, CONV_2, CONV_4, n],
        ),
        (
            json!({"conversation_custom_channel": {"contains": "MAIL"}}),
            vec![CONV_2],
        ),
        (
            json!({"conversation_custom_labels": {"contains": "b"}}),
            vec![CONV_3],
        ),
        (
            json!({"conversation_custom_seenAt": {"gt": "2026-11-23T23:00:00-01:00"}}),
            vec![CONV_2],
        ),
        (
            json!({"conversation_custom_seenAt": {"lte": "2026-11-24T00:00:00.999Z"}}),
            vec![],
        ),
    ];
    expect_matches(&server, &cases).await;
}

#[tokio::test]
async fn nested_and_or_and_top_level_combination() {
    let (server, new) = seeded().await;
    // No criteria: every conversation, in creation order.
    let answer = search(&server, "", WORKFLOW, json!({})).await;
    assert_eq!(ids(&answer), [CONV_1, CONV_2, CONV_3, CONV_4, new.as_str()]);

    let nested = json!({"and": [
        {"or": [{"conversation_priority": {"gte": 4}}, {"conversation_tags": {"contains": "vip"}}]},
        {"conversation_customer_id": {"not_equals": CUSTOMER_ALAN}},
    ]});
    assert_eq!(ids(&search(&server, "", WORKFLOW, nested).await), [CONV_2]);

    let deeper = json!({"or": [
        {"and": [{"conversation_status": {"equals": "open"}}, {"or": [{"conversation_name": {"contains": "parcel"}}]}]},
        {"conversation_custom_orderNumber": {"equals": 1042}},
    ]});
    assert_eq!(
        ids(&search(&server, "", WORKFLOW, deeper).await),
        [CONV_2, CONV_4]
    );

    // Both present: (all of `and`) and (any of `or`).
    let both = json!({
        "and": [{"conversation_status": {"not_equals": "done"}}],
        "or": [{"conversation_priority": {"equals": 2}}, {"conversation_name": {"contains": "parcel"}}, {"conversation_priority": {"equals": 4}}],
    });
    assert_eq!(
        ids(&search(&server, "", WORKFLOW, both).await),
        [CONV_3, CONV_4]
    );

    // Several operators on one field, and several fields in one criterion: all must hold.
    let range = json!({"and": [{
        "conversation_created_at": {"gte": "2026-11-21T11:00:00Z", "lt": "2026-11-23T00:00:00Z"},
        "conversation_priority": {"lte": 3},
    }]});
    assert_eq!(ids(&search(&server, "", WORKFLOW, range).await), [CONV_3]);

    // An empty `or` asks nothing; unknown top-level members are ignored.
    let empty_or =
        json!({"and": [{"conversation_priority": {"equals": 2}}], "or": [], "timeZone": "UTC"});
    assert_eq!(
        ids(&search(&server, "", WORKFLOW, empty_or).await),
        [CONV_3]
    );
}

#[tokio::test]
async fn sort_ascending_and_descending_with_stable_ties() {
    let (server, new) = seeded().await;
    let n = new.as_str();
    let sorted = |sort: Value| json!({ "sort": sort });
    let cases = vec![
        // Priorities 3, 4, 2, 3, 3: ties keep creation order in both directions.
        (
            sorted(json!([{"conversation_priority": "asc"}])),
            vec![CONV_3, CONV_1, CONV_4, n, CONV_2],
        ),
        (
            sorted(json!([{"conversation_priority": "desc"}])),
            vec![CONV_2, CONV_1, CONV_4, n, CONV_3],
        ),
        (
            sorted(json!([{"conversation_priority": "desc"}, {"conversation_created_at": "desc"}])),
            vec![CONV_2, n, CONV_4, CONV_1, CONV_3],
        ),
        (
            sorted(json!([{"conversation_updated_at": "asc"}])),
            vec![CONV_1, CONV_4, CONV_2, CONV_3, n],
        ),
        (
            sorted(json!([{"conversation_updated_at": "DESC"}])),
            vec![n, CONV_3, CONV_2, CONV_4, CONV_1],
        ),
        // Absent values first ascending, last descending.
        (
            sorted(json!([{"conversation_name": "asc"}])),
            vec![n, CONV_2, CONV_1, CONV_3, CONV_4],
        ),
        (
            sorted(json!({"conversation_name": "desc"})),
            vec![CONV_4, CONV_3, CONV_1, CONV_2, n],
        ),
        (
            sorted(json!([{"conversation_custom_orderNumber": "desc"}])),
            vec![CONV_2, CONV_3, CONV_1, CONV_4, n],
        ),
        // Statuses as text: done < open; the four open ones tie and keep creation order.
        (
            sorted(json!([{"conversation_status": "asc"}])),
            vec![CONV_2, CONV_1, CONV_3, CONV_4, n],
        ),
    ];
    for (body, expected) in cases {
        let answer = search(&server, "", WORKFLOW, body.clone()).await;
        assert_eq!(ids(&answer), expected, "{body}");
    }
    // Several records with the very same updatedAt (a standing virtual clock): creation
    // order decides, whatever the direction.
    for id in [CONV_4, CONV_1] {
        let answer = put(
            &server,
            &format!("/v1/conversations/{id}"),
            WORKFLOW,
            r#"{"priority":1}"#,
        )
        .await;
        assert_eq!(answer.status, 200);
    }
    for direction in ["asc", "desc"] {
        let answer = search(
            &server,
            "",
            WORKFLOW,
            json!({"and": [{"conversation_priority": {"equals": 1}}], "sort": [{"conversation_updated_at": direction}]}),
        )
        .await;
        assert_eq!(ids(&answer), [CONV_1, CONV_4], "{direction}");
    }
}

#[tokio::test]
async fn pages_with_exact_next_links() {
    let server = server().await;
    for _ in 0..2 {
        server.clock().advance(1000);
        let created = post(
            &server,
            "/v1/conversations",
            WORKFLOW,
            &json!({ "customer": CUSTOMER_ADA }).to_string(),
        )
        .await;
        assert_eq!(created.status, 201);
    }
    let body = json!({
        "and": [{"conversation_updated_at": {"gte": "2026-01-01T00:00:00.000Z"}}],
        "sort": [{"conversation_updated_at": "asc"}],
        "queryContext": "conversation",
    });
    let mut path = "/v1/customers/search?pageSize=2".to_string();
    let mut pages = Vec::new();
    let mut seen = Vec::new();
    loop {
        let answer = post(&server, &path, WORKFLOW, &body.to_string()).await;
        seen.extend(ids(&answer));
        let next = answer.body["links"]["next"].as_str().map(str::to_string);
        pages.push(answer.body.clone());
        match next {
            Some(next) => path = next,
            None => break,
        }
        assert!(pages.len() < 10, "paging does not end");
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(seen.len(), 6);
    assert_eq!(&seen[..4], [CONV_1, CONV_2, CONV_3, CONV_4]);
    let links = |i: usize| &pages[i]["links"];
    assert_eq!(links(0)["self"], "/v1/customers/search?pageSize=2");
    assert_eq!(links(0)["next"], "/v1/customers/search?pageSize=2&page=2");
    assert_eq!(links(0)["prev"], Value::Null);
    assert_eq!(links(0)["first"], "/v1/customers/search?pageSize=2&page=1");
    assert_eq!(links(1)["next"], "/v1/customers/search?pageSize=2&page=3");
    assert_eq!(links(1)["prev"], "/v1/customers/search?pageSize=2&page=1");
    assert_eq!(links(2)["next"], Value::Null);
    assert_eq!(links(2)["prev"], "/v1/customers/search?pageSize=2&page=2");
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(page["meta"]["page"], i + 1);
        assert_eq!(page["meta"]["pageSize"], 2);
        assert_eq!(page["meta"]["total"], 6);
    }

    // pageSize is clamped to 500 (the list routes clamp to 100).
    let big = search(&server, "?pageSize=5000", WORKFLOW, body.clone()).await;
    assert_eq!(big.body["meta"]["pageSize"], 500);
    assert_eq!(ids(&big).len(), 6);
    assert_eq!(big.body["links"]["next"], Value::Null);
    let listed = get(&server, "/v1/conversations?pageSize=5000", WORKFLOW).await;
    assert_eq!(listed.body["meta"]["pageSize"], 100);
}

#[tokio::test]
async fn pages_past_the_read_cap_are_refused_and_say_to_narrow_the_query() {
    let server = server().await;
    // Kustomer reads at most 10,000 matches: page 20 of 500 ends on the last of them.
    let last = search(&server, "?page=20&pageSize=500", WORKFLOW, json!({})).await;
    assert_eq!(ids(&last), Vec::<String>::new());
    assert_eq!(last.body["meta"]["page"], 20);
    let last = search(&server, "?page=100", WORKFLOW, json!({})).await;
    assert_eq!(last.status, 200, "{}", last.body);

    let refused = search(&server, "?page=21&pageSize=500", WORKFLOW, json!({})).await;
    let e = refused.expect_error(400, "page_too_deep");
    assert_eq!(e["source"]["parameter"], "page");
    let detail = e["detail"].as_str().unwrap();
    assert!(detail.contains("conversation_updated_at"), "{detail}");
    assert!(detail.contains("page 21"), "{detail}");
    assert!(detail.contains("10000"), "{detail}");
    let refused = search(&server, "?page=101", WORKFLOW, json!({})).await;
    refused.expect_error(400, "page_too_deep");

    let customers = search(
        &server,
        "?page=250",
        WORKFLOW,
        json!({"queryContext": "customer"}),
    )
    .await;
    let e = customers.expect_error(400, "page_too_deep");
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("customer_updated_at"),
        "{}",
        customers.body
    );
    // A page that is not a number is refused like on the list routes.
    search(&server, "?page=0", WORKFLOW, json!({}))
        .await
        .expect_error(400, "invalid_parameter");
}

#[tokio::test]
async fn the_search_budget_its_headers_and_its_reset() {
    let server = server().await;
    // The virtual clock starts on a minute boundary: the window ends 60 s later.
    let reset = (server.clock().now().millis() / 1000 + 60).to_string();
    for used in 1..=100u32 {
        let answer = search(&server, "", READONLY, json!({})).await;
        assert_eq!(answer.status, 200, "search {used}: {}", answer.body);
        assert_eq!(answer.header("x-ratelimit-search-limit"), Some("100"));
        assert_eq!(
            answer.header("x-ratelimit-search-remaining"),
            Some((100 - used).to_string().as_str())
        );
        assert_eq!(
            answer.header("x-ratelimit-search-reset"),
            Some(reset.as_str())
        );
        // Searches count against the org budget too.
        assert_eq!(
            answer.header("x-ratelimit-remaining"),
            Some((1000 - used).to_string().as_str())
        );
    }
    // The budget is the org's: another key is refused as well.
    let refused = search(&server, "", WORKFLOW, json!({})).await;
    let e = refused.expect_error(429, "rate_limit_search");
    assert_eq!(e["meta"]["limit"], "search");
    assert_eq!(e["meta"]["max"], 100);
    assert_eq!(refused.header("retry-after"), Some("60"));
    assert_eq!(refused.header("x-ratelimit-search-remaining"), Some("0"));
    assert_eq!(refused.header("x-ratelimit-limit"), Some("1000"));
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("899"));
    // Other routes are not held back by the search budget, and carry no search headers.
    let listed = get(&server, "/v1/conversations", WORKFLOW).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.header("x-ratelimit-search-remaining"), None);

    server.clock().advance(30_000);
    let still = search(&server, "", WORKFLOW, json!({})).await;
    still.expect_error(429, "rate_limit_search");
    assert_eq!(still.header("retry-after"), Some("30"));

    server.clock().advance(30_000);
    let again = search(&server, "", WORKFLOW, json!({})).await;
    assert_eq!(again.status, 200, "the window reset: {}", again.body);
    assert_eq!(again.header("x-ratelimit-search-remaining"), Some("99"));
    let next_reset = (server.clock().now().millis() / 1000 + 60).to_string();
    assert_eq!(
        again.header("x-ratelimit-search-reset"),
        Some(next_reset.as_str())
    );
}

#[tokio::test]
async fn the_search_budget_is_configurable_and_refused_searches_do_not_spend_it() {
    let server = server().await;
    let set = admin(
        &server,
        Method::PUT,
        "/limits",
        Some(r#"{"searchPerWindow": 2}"#),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    // A bad search is answered 400 and leaves the budget as it was.
    let bad = search(
        &server,
        "",
        WORKFLOW,
        json!({"and": [{"conversation_colour": {"equals": "red"}}]}),
    )
    .await;
    bad.expect_error(400, "unknown_field");
    assert_eq!(bad.header("x-ratelimit-search-remaining"), Some("2"));
    assert_eq!(bad.header("x-ratelimit-search-limit"), Some("2"));
    for remaining in ["1", "0"] {
        let answer = search(&server, "", WORKFLOW, json!({})).await;
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.header("x-ratelimit-search-remaining"),
            Some(remaining)
        );
    }
    search(&server, "", WORKFLOW, json!({}))
        .await
        .expect_error(429, "rate_limit_search");
}

#[tokio::test]
async fn bad_criteria_name_the_field_and_point_at_it() {
    let server = server().await;
    let cases = [
        (
            json!({"and": [{"conversation_colour": {"equals": "red"}}]}),
            "unknown_field",
            "/and/0/conversation_colour",
            "conversation_colour",
        ),
        (
            json!({"or": [{"and": [{"conversation_status": {"eq": "open"}}]}]}),
            "unknown_operator",
            "/or/0/and/0/conversation_status/eq",
            "eq",
        ),
        (
            json!({"and": [{"conversation_updated_at": {"gte": "yesterday"}}]}),
            "invalid_type",
            "/and/0/conversation_updated_at/gte",
            "conversation_updated_at",
        ),
        (
            json!({"and": [{"conversation_created_at": {"lt": 1767225600000u64}}]}),
            "invalid_type",
            "/and/0/conversation_created_at/lt",
            "conversation_created_at",
        ),
        (
            json!({"and": [{"conversation_status": {"in": "open"}}]}),
            "invalid_type",
            "/and/0/conversation_status/in",
            "conversation_status",
        ),
        (
            json!({"and": [{"conversation_priority": {"in": [1, "high"]}}]}),
            "invalid_type",
            "/and/0/conversation_priority/in/1",
            "conversation_priority",
        ),
        (
            json!({"and": [{"conversation_status": {"gt": "open"}}]}),
            "invalid_operator",
            "/and/0/conversation_status/gt",
            "conversation_status",
        ),
        (
            json!({"and": [{"conversation_status": {"equals": "closed"}}]}),
            "invalid_value",
            "/and/0/conversation_status/equals",
            "conversation_status",
        ),
        (
            json!({"and": [{"conversation_tags": {"exists": "yes"}}]}),
            "invalid_type",
            "/and/0/conversation_tags/exists",
            "conversation_tags",
        ),
        (
            json!({"and": [{"conversation_customer_id": {"equals": "ada"}}]}),
            "invalid_type",
            "/and/0/conversation_customer_id/equals",
            "conversation_customer_id",
        ),
        (
            json!({"and": [{"conversation_name": "Cannot log in"}]}),
            "invalid_type",
            "/and/0/conversation_name",
            "conversation_name",
        ),
        (
            json!({"and": [{"conversation_custom_orderNumber": {"gt": true}}]}),
            "invalid_type",
            "/and/0/conversation_custom_orderNumber/gt",
            "conversation_custom_orderNumber",
        ),
        (
            json!({"and": {"conversation_status": {"equals": "open"}}}),
            "invalid_type",
            "/and",
            "and",
        ),
        (json!({"and": [{}]}), "invalid_value", "/and/0", "/and/0"),
        (
            json!({"queryContext": "customer", "and": [{"conversation_status": {"equals": "open"}}]}),
            "unknown_field",
            "/and/0/conversation_status",
            "conversation_status",
        ),
        (
            json!({"queryContext": "customer", "or": [{"customer_email": {"gt": "a"}}]}),
            "invalid_operator",
            "/or/0/customer_email/gt",
            "customer_email",
        ),
        (
            json!({"sort": [{"conversation_colour": "asc"}]}),
            "unknown_field",
            "/sort/0/conversation_colour",
            "conversation_colour",
        ),
        (
            json!({"sort": [{"conversation_updated_at": "up"}]}),
            "invalid_value",
            "/sort/0/conversation_updated_at",
            "conversation_updated_at",
        ),
        (
            json!({"sort": [{"conversation_tags": "asc"}]}),
            "invalid_value",
            "/sort/0/conversation_tags",
            "conversation_tags",
        ),
        (
            json!({"queryContext": "ticket"}),
            "invalid_value",
            "/queryContext",
            "ticket",
        ),
    ];
    for (body, code, pointer, named) in cases {
        let answer = search(&server, "", WORKFLOW, body.clone()).await;
        let e = answer.expect_error(400, code);
        assert_eq!(e["source"]["pointer"], pointer, "{body}: {}", answer.body);
        assert!(
            e["detail"].as_str().unwrap().contains(named),
            "{body}: the detail should name `{named}`: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn malformed_bodies_are_400_with_a_pointer() {
    let server = server().await;
    for (body, code) in [
        ("{\"and\": [", "invalid_json"),
        ("not json", "invalid_json"),
        ("", "invalid_json"),
        ("[1, 2]", "invalid_type"),
        ("{} trailing", "invalid_json"),
    ] {
        let answer = post(&server, "/v1/customers/search", WORKFLOW, body).await;
        let e = answer.expect_error(400, code);
        assert!(
            e["source"]["pointer"].is_string(),
            "{body:?}: {}",
            answer.body
        );
        assert!(
            answer.header("x-ratelimit-search-remaining").is_some(),
            "{}",
            answer.body
        );
    }
    let answer = post(
        &server,
        "/v1/customers/search",
        WORKFLOW,
        r#"{"and": [{"conversation_status": {"equals": "open"}}], "sort": [}"#,
    )
    .await;
    let e = answer.expect_error(400, "invalid_json");
    assert!(
        e["detail"].as_str().unwrap().contains("line 1"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn customer_query_context() {
    let server = server().await;
    server.clock().advance(1000);
    let updated = put(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}"),
        WORKFLOW,
        r#"{"name":"Grace Brewster Hopper"}"#,
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    server.clock().advance(1000);
    let created = post(&server, "/v1/customers", WORKFLOW, r#"{"name":"Edsger"}"#).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let edsger = created.data()["id"].as_str().unwrap().to_string();
    let e = edsger.as_str();

    let customers = |criterion: Value| json!({"queryContext": "customer", "and": [criterion]});
    let cases = vec![
        (
            customers(json!({"customer_name": {"contains": "hopper"}})),
            vec![CUSTOMER_GRACE],
        ),
        (
            customers(json!({"customer_name": {"equals": "Ada Lovelace"}})),
            vec![CUSTOMER_ADA],
        ),
        (
            customers(json!({"customer_email": {"contains": "ADA@example.com"}})),
            vec![CUSTOMER_ADA],
        ),
        (
            customers(json!({"customer_email": {"in": ["alan@example.com", "grace@example.com"]}})),
            vec![CUSTOMER_GRACE, CUSTOMER_ALAN],
        ),
        (
            customers(json!({"customer_email": {"exists": false}})),
            vec![e],
        ),
        (
            customers(json!({"customer_created_at": {"gt": "2026-11-20T09:05:00.000Z"}})),
            vec![CUSTOMER_ALAN, e],
        ),
        (
            customers(json!({"customer_updated_at": {"gte": "2026-11-24T00:00:00.000Z"}})),
            vec![CUSTOMER_GRACE, e],
        ),
        (
            json!({"queryContext": "customer", "sort": [{"customer_name": "desc"}]}),
            vec![CUSTOMER_GRACE, e, CUSTOMER_ALAN, CUSTOMER_ADA],
        ),
        (
            json!({"queryContext": "customer", "sort": [{"customer_updated_at": "desc"}]}),
            vec![e, CUSTOMER_GRACE, CUSTOMER_ALAN, CUSTOMER_ADA],
        ),
    ];
    for (body, expected) in cases {
        let answer = search(&server, "", WORKFLOW, body.clone()).await;
        assert_eq!(ids(&answer), expected, "{body}");
    }
    let answer = search(&server, "", WORKFLOW, json!({"queryContext": "customer"})).await;
    let first = &answer.body["data"][0];
    assert_eq!(first["type"], "customer");
    assert_eq!(
        first["links"]["self"],
        format!("/v1/customers/{CUSTOMER_ADA}")
    );
    assert_eq!(first["attributes"]["emails"][0]["email"], "ada@example.com");
}

#[tokio::test]
async fn roles_decide_by_query_context() {
    let server = server().await;
    // acme-weekly reads conversations but not customers.
    assert_eq!(
        search(&server, "", WEEKLY, json!({"queryContext": "conversation"}))
            .await
            .status,
        200
    );
    let refused = search(&server, "", WEEKLY, json!({"queryContext": "customer"})).await;
    let e = refused.expect_error(403, "missing_role");
    assert_eq!(
        e["meta"]["requiredRoles"],
        json!(["org.user.customer.read", "org.permission.customer.read"])
    );

    // A key with customer read only: conversations are refused, customers served.
    let created = admin(
        &server,
        Method::POST,
        "/keys",
        Some(r#"{"name":"customers-only","roles":["org.user.customer.read"]}"#),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_string();
    let refused = search(&server, "", &token, json!({})).await;
    let e = refused.expect_error(403, "missing_role");
    assert_eq!(
        e["meta"]["requiredRoles"],
        json!([
            "org.user.conversation.read",
            "org.permission.conversation.read"
        ])
    );
    assert!(
        e["detail"].as_str().unwrap().contains("customers-only"),
        "{}",
        refused.body
    );
    let served = search(&server, "", &token, json!({"queryContext": "customer"})).await;
    assert_eq!(ids(&served).len(), 3);

    // Without a token: 401 before anything else.
    let anonymous = send(
        &server,
        Method::POST,
        "/v1/customers/search",
        None,
        Some("{}"),
    )
    .await;
    anonymous.expect_error(401, "missing_authorization");
}

/// Every attribute and to-one relationship a conversation declares is a search field,
/// typed by its declaration: counters as numbers, instants as timestamps, enums by their
/// values.
#[tokio::test]
async fn every_declared_attribute_is_a_search_field() {
    let (server, new) = seeded().await;
    let all = vec![CONV_1, CONV_2, CONV_3, CONV_4, new.as_str()];
    expect_matches(
        &server,
        &[
            (json!({"conversation_done_count": {"gte": 1}}), vec![CONV_2]),
            (
                json!({"conversation_ended": {"equals": true}}),
                vec![CONV_2],
            ),
            (
                json!({"conversation_ended_at": {"exists": true}}),
                vec![CONV_2],
            ),
            (json!({"conversation_rev": {"gt": 1}}), vec![CONV_2, CONV_3]),
            (
                json!({"conversation_direction": {"equals": "in"}}),
                all.clone(),
            ),
            (
                json!({"conversation_created_by_id": {"equals": CONV_1}}),
                vec![],
            ),
        ],
    )
    .await;
    let bad = search(
        &server,
        "",
        WORKFLOW,
        json!({"and": [{"conversation_direction": {"equals": "sideways"}}]}),
    )
    .await;
    bad.expect_error(400, "invalid_value");
    let detail = bad.body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("in or out"), "{detail}");
    let unknown = search(
        &server,
        "",
        WORKFLOW,
        json!({"and": [{"conversation_colour": {"equals": "red"}}]}),
    )
    .await;
    unknown.expect_error(400, "unknown_field");
    let detail = unknown.body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("conversation_done_count"), "{detail}");
}
