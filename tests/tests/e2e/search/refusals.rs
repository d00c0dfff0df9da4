//! Refused searches: bad criteria named and pointed at, malformed bodies, and the roles
//! each query context needs.

use reqwest::Method;
use serde_json::json;

use super::{WEEKLY, ids, search};
use crate::common::*;

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
