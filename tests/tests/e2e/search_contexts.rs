//! Search over every `queryContext` (`message`, `kobject`, `kobject_<klass>`, and the
//! operators real clients send: `equals`, `not_equals`, `not_set`, `exists`, `in`,
//! `contains`, ranges, `not`), each with a query that must match and one that must not.

use kustomer_mock::MockServer;
use serde_json::{Value, json};

use crate::common::*;

const ORDER_1042: &str = "64a0c0ffee00000000001b01";
const ORDER_1043: &str = "64a0c0ffee00000000001b02";
const ORDER_1044: &str = "64a0c0ffee00000000001b03";
const CUSTOMER_GRACE: &str = "64a0c0ffee00000000000c02";

async fn search(server: &MockServer, body: Value) -> Answer {
    post(server, "/v1/customers/search", ADMIN, &body.to_string()).await
}

/// The ids a search answers, in order (asserting a 200).
async fn hits(server: &MockServer, body: Value) -> Vec<String> {
    let answer = search(server, body.clone()).await;
    assert_eq!(answer.status, 200, "{body}: {}", answer.body);
    answer
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn kobject_searches_take_every_operator() {
    let server = server().await;
    let order = |criterion: Value| json!({"and": [criterion], "queryContext": "kobject_order"});
    let none: Vec<String> = Vec::new();
    let cases = [
        (
            json!({"kobject_custom_order_statusStr": {"equals": "paid"}}),
            ids(&[ORDER_1043]),
        ),
        (
            json!({"kobject_custom_order_statusStr": {"equals": "refunded"}}),
            none.clone(),
        ),
        (
            json!({"kobject_custom_order_statusStr": {"not_equals": "paid"}}),
            ids(&[ORDER_1042, ORDER_1044]),
        ),
        (
            json!({"kobject_custom_order_totalNum": {"gt": 129.5}}),
            ids(&[ORDER_1044]),
        ),
        (
            json!({"kobject_custom_order_totalNum": {"gte": 129.5}}),
            ids(&[ORDER_1042, ORDER_1044]),
        ),
        (
            json!({"kobject_custom_order_totalNum": {"lt": 19.99}}),
            none.clone(),
        ),
        (
            json!({"kobject_custom_order_totalNum": {"lte": 19.99}}),
            ids(&[ORDER_1043]),
        ),
        (
            json!({"kobject_custom_order_paidAt": {"not_set": true}}),
            ids(&[ORDER_1043, ORDER_1044]),
        ),
        (
            json!({"kobject_custom_order_paidAt": {"not_set": false}}),
            ids(&[ORDER_1042]),
        ),
        (
            json!({"kobject_custom_order_paidAt": {"exists": true}}),
            ids(&[ORDER_1042]),
        ),
        (
            json!({"kobject_custom_order_trackingUrl": {"exists": true}}),
            none.clone(),
        ),
        (
            json!({"kobject_custom_order_statusStr": {"in": ["paid", "pending"]}}),
            ids(&[ORDER_1043, ORDER_1044]),
        ),
        (
            json!({"kobject_custom_order_statusStr": {"in": ["lost"]}}),
            none.clone(),
        ),
        (
            json!({"kobject_title": {"contains": "#104"}}),
            ids(&[ORDER_1042, ORDER_1043, ORDER_1044]),
        ),
        (json!({"kobject_title": {"contains": "#2"}}), none.clone()),
        (
            json!({"kobject_external_id": {"equals": "order-1044"}}),
            ids(&[ORDER_1044]),
        ),
        (
            json!({"kobject_customer_id": {"equals": CUSTOMER_GRACE}}),
            ids(&[ORDER_1043]),
        ),
        (
            json!({"kobject_customer_id": {"equals": "64a0c0ffee00000000000fff"}}),
            none.clone(),
        ),
        (
            json!({"kobject_created_at": {"gte": "2026-11-21"}}),
            ids(&[ORDER_1043, ORDER_1044]),
        ),
        (
            json!({"not": {"kobject_custom_order_giftBool": {"equals": true}}}),
            ids(&[ORDER_1042, ORDER_1044]),
        ),
        (
            json!({"or": [{"kobject_custom_order_giftBool": {"equals": true}}, {"kobject_custom_order_totalNum": {"gt": 400}}]}),
            ids(&[ORDER_1043, ORDER_1044]),
        ),
    ];
    for (criterion, expected) in cases {
        assert_eq!(
            hits(&server, order(criterion.clone())).await,
            expected,
            "{criterion}"
        );
    }
    // The plain `kobject` context reads every klass; a custom field names its klass.
    let all =
        json!({"and": [{"kobject_custom_order_totalNum": {"gt": 100}}], "queryContext": "kobject"});
    assert_eq!(hits(&server, all).await, ids(&[ORDER_1042, ORDER_1044]));
    let sorted =
        json!({"queryContext": "kobject", "sort": [{"kobject_custom_order_totalNum": "desc"}]});
    assert_eq!(
        hits(&server, sorted).await,
        ids(&[ORDER_1044, ORDER_1042, ORDER_1043])
    );
}

#[tokio::test]
async fn a_date_without_time_is_read_in_the_search_time_zone() {
    let server = server().await;
    // Order 1043 was created at 2026-11-21T10:00Z: before midnight in UTC+14, after it in UTC.
    let body = |zone: &str| {
        json!({"and": [{"kobject_created_at": {"gte": "2026-11-21"}}, {"kobject_created_at": {"lt": "2026-11-22"}}],
               "queryContext": "kobject_order", "timeZone": zone})
    };
    assert_eq!(hits(&server, body("UTC")).await, ids(&[ORDER_1043]));
    assert_eq!(hits(&server, body("+14:00")).await, Vec::<String>::new());
    // A named zone: 10:00Z is 23:00 on the 21st in Auckland (UTC+13 in November).
    assert_eq!(
        hits(&server, body("Pacific/Auckland")).await,
        ids(&[ORDER_1043])
    );
    // Kiritimati is UTC+14 all year: 10:00Z is already the 22nd.
    assert_eq!(
        hits(&server, body("Pacific/Kiritimati")).await,
        Vec::<String>::new()
    );
    let unknown = search(&server, body("Mars/Olympus_Mons")).await;
    assert_eq!(
        unknown.expect_error(400, "invalid_value")["source"]["pointer"],
        "/timeZone"
    );
    let bad = search(&server, json!({"queryContext": "kobject", "timeZone": 3})).await;
    assert_eq!(
        bad.expect_error(400, "invalid_type")["source"]["pointer"],
        "/timeZone"
    );
}

#[tokio::test]
async fn the_calendly_workflow_body_runs_on_a_klass_with_a_dash() {
    let server = server().await;
    let klass = post(
        &server,
        "/v1/klasses",
        ADMIN,
        r#"{"name": "calendly-event"}"#,
    )
    .await;
    assert_eq!(klass.status, 200, "{}", klass.body);
    let mut created = Vec::new();
    for custom in [json!({"customersCompanyStr": "Acme"}), json!({})] {
        let body = json!({"title": "Intro call", "customer": CUSTOMER_ADA, "custom": custom});
        let answer = post(
            &server,
            "/v1/klasses/calendly-event",
            ADMIN,
            &body.to_string(),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        created.push(answer.data()["id"].as_str().unwrap().to_string());
    }
    let body = json!({"and":[{"kobject_custom_calendly-event_customersCompanyStr":{"not_set":true}}],"queryContext":"kobject_calendly-event"});
    assert_eq!(hits(&server, body).await, vec![created[1].clone()]);
    let set = json!({"and":[{"kobject_custom_calendly-event_customersCompanyStr":{"not_set":false}}],"queryContext":"kobject_calendly-event"});
    assert_eq!(hits(&server, set).await, vec![created[0].clone()]);
    // The orders are KObjects too, but not of this klass.
    let orders = json!({"queryContext": "kobject_calendly-event", "and": [{"kobject_title": {"contains": "Order"}}]});
    assert_eq!(hits(&server, orders).await, Vec::<String>::new());
}

#[tokio::test]
async fn message_searches_read_messages() {
    let server = server().await;
    let mut created = Vec::new();
    for (direction, preview) in [("in", "Where is my refund?"), ("out", "On its way")] {
        let body = json!({"channel": "email", "app": "postmark", "direction": direction, "preview": preview});
        let answer = post(
            &server,
            &format!("/v1/conversations/{CONV_1}/messages"),
            ADMIN,
            &body.to_string(),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        created.push(answer.data()["id"].as_str().unwrap().to_string());
    }
    let message = |criterion: Value| json!({"and": [criterion], "queryContext": "message"});
    let cases = [
        (
            json!({"message_direction": {"equals": "in"}}),
            vec![created[0].clone()],
        ),
        (
            json!({"message_direction": {"not_equals": "in"}}),
            vec![created[1].clone()],
        ),
        (
            json!({"message_preview": {"contains": "REFUND"}}),
            vec![created[0].clone()],
        ),
        (
            json!({"message_preview": {"contains": "parcel"}}),
            Vec::new(),
        ),
        (
            json!({"message_conversation_id": {"in": [CONV_1]}}),
            created.clone(),
        ),
        (
            json!({"message_conversation_id": {"equals": CONV_2}}),
            Vec::new(),
        ),
        (
            json!({"message_subject": {"not_set": true}}),
            created.clone(),
        ),
        (json!({"message_subject": {"exists": true}}), Vec::new()),
    ];
    for (criterion, expected) in cases {
        assert_eq!(
            hits(&server, message(criterion.clone())).await,
            expected,
            "{criterion}"
        );
    }
}

#[tokio::test]
async fn customer_email_and_conversation_not_set_match_as_kustomer_names_them() {
    let server = server().await;
    let customers = |criterion: Value| json!({"and": [criterion], "queryContext": "customer"});
    assert_eq!(
        hits(
            &server,
            customers(json!({"customer_email": {"equals": "ADA@example.com"}}))
        )
        .await,
        ids(&[CUSTOMER_ADA])
    );
    assert_eq!(
        hits(
            &server,
            customers(json!({"customer_email": {"equals": "nobody@example.com"}}))
        )
        .await,
        Vec::<String>::new()
    );
    let open = json!({"and": [{"conversation_ended_at": {"not_set": true}}, {"conversation_priority": {"gte": 4}}]});
    assert_eq!(hits(&server, open).await, ids(&[CONV_2]));
    let ended = json!({"and": [{"conversation_ended_at": {"not_set": false}}]});
    assert_eq!(hits(&server, ended).await, Vec::<String>::new());
}

#[tokio::test]
async fn unknown_contexts_fields_operators_and_klasses_are_named() {
    let server = server().await;
    let remaining = |a: &Answer| a.header("x-ratelimit-search-remaining").map(str::to_string);
    let before = search(&server, json!({"queryContext": "kobject"})).await;
    let refused = search(&server, json!({"queryContext": "kobject_booking"})).await;
    assert!(remaining(&before).is_some(), "{:?}", before.headers);
    assert_eq!(
        remaining(&refused),
        remaining(&before),
        "a refused search spends nothing"
    );
    for (body, code, pointer, named) in [
        (
            json!({"queryContext": "kobject_booking"}),
            "invalid_value",
            "/queryContext",
            "booking",
        ),
        (
            json!({"queryContext": "ticket"}),
            "invalid_value",
            "/queryContext",
            "ticket",
        ),
        (
            json!({"queryContext": "kobject_order", "and": [{"kobject_colour": {"equals": 1}}]}),
            "unknown_field",
            "/and/0/kobject_colour",
            "kobject_colour",
        ),
        (
            json!({"queryContext": "kobject_order", "and": [{"kobject_custom_booking_roomStr": {"equals": "1"}}]}),
            "unknown_field",
            "/and/0/kobject_custom_booking_roomStr",
            "booking",
        ),
        (
            json!({"queryContext": "kobject_order", "and": [{"kobject_title": {"eq": "x"}}]}),
            "unknown_operator",
            "/and/0/kobject_title/eq",
            "eq",
        ),
        (
            json!({"queryContext": "message", "and": [{"message_custom_x": {"equals": 1}}]}),
            "unknown_field",
            "/and/0/message_custom_x",
            "message_custom_x",
        ),
        (
            json!({"queryContext": "customer", "and": [{"customer_emails": {"equals": "a"}}]}),
            "unknown_field",
            "/and/0/customer_emails",
            "customer_emails",
        ),
        (
            json!({"queryContext": "kobject", "and": [{"kobject_title": {"not_set": "yes"}}]}),
            "invalid_type",
            "/and/0/kobject_title/not_set",
            "not_set",
        ),
    ] {
        let answer = search(&server, body.clone()).await;
        let e = answer.expect_error(400, code);
        assert_eq!(e["source"]["pointer"], pointer, "{body}: {}", answer.body);
        assert!(
            e["detail"].as_str().unwrap().contains(named),
            "{body}: {}",
            answer.body
        );
    }
}

/// The `note` and `company` contexts: fields from their declarations, a query that must
/// match and one that must not.
#[tokio::test]
async fn note_and_company_searches_read_their_objects() {
    let server = server().await;
    let note = |criterion: Value| json!({"and": [criterion], "queryContext": "note"});
    assert_eq!(
        hits(&server, note(json!({"note_body": {"contains": "carrier"}}))).await,
        ids(&["64a0c0ffee00000000001d01"])
    );
    assert_eq!(
        hits(
            &server,
            note(json!({"note_conversation_id": {"equals": "64a0c0ffee00000000000b04"}}))
        )
        .await,
        ids(&["64a0c0ffee00000000001d01", "64a0c0ffee00000000001d02"])
    );
    assert!(
        hits(&server, note(json!({"note_body": {"contains": "refund"}})))
            .await
            .is_empty()
    );
    // The answer's envelope is the reference's: totalPages, aggregations, a last page.
    let answer = search(&server, note(json!({"note_body": {"contains": "a"}}))).await;
    assert_eq!(answer.body["meta"]["totalPages"], 1);
    assert_eq!(answer.body["meta"]["aggregations"], json!({}));
    assert_eq!(answer.body["links"]["last"], "/v1/customers/search?page=1");
    let company = |criterion: Value| json!({"and": [criterion], "queryContext": "company"});
    assert_eq!(
        hits(
            &server,
            company(json!({"company_external_id": {"equals": "comp-engines"}}))
        )
        .await,
        ids(&["64a0c0ffee00000000001c01"])
    );
    assert!(
        hits(
            &server,
            company(json!({"company_name": {"equals": "Globex"}}))
        )
        .await
        .is_empty()
    );
}
