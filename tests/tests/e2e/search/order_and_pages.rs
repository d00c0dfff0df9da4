//! Search sorting (ascending, descending, stable ties) and paging with exact next links.

use serde_json::{Value, json};

use super::{CONV_4, ids, search, seeded};
use crate::common::*;

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
