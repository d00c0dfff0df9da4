//! Search limits: the paging depth (read cap) and the search budget with its headers.

use reqwest::Method;
use serde_json::json;

use super::{ids, search};
use crate::common::*;

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
