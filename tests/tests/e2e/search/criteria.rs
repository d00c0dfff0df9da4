//! Search criteria: every operator on every conversation field and declared attribute,
//! nested `and`/`or`, and the customer query context.

use serde_json::{Value, json};

use super::{CONV_4, CUSTOMER_ALAN, CUSTOMER_GRACE, expect_matches, ids, search, seeded};
use crate::common::*;

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
