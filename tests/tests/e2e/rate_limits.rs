//! The three rate limits, their headers, and their windows on the virtual clock.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

async fn set_limits(server: &kustomer_mock::MockServer, body: serde_json::Value) {
    let answer = admin(server, Method::PUT, "/limits", Some(&body.to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn org_budget_headers_429_and_window_reset() {
    let server = server().await;
    set_limits(&server, json!({"requestsPerWindow": 3})).await;
    // The default virtual clock starts on a minute boundary: the window ends 60 s later.
    let reset = (server.clock().now().millis() / 1000 + 60).to_string();
    for remaining in ["2", "1", "0"] {
        let answer = get(&server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(answer.header("x-ratelimit-remaining"), Some(remaining));
        assert_eq!(answer.header("x-ratelimit-reset"), Some(reset.as_str()));
    }
    // The budget is the org's: another key of the org is refused too.
    let refused = get(&server, "/v1/tags", READONLY).await;
    let e = refused.expect_error(429, "rate_limit_org");
    assert_eq!(e["meta"]["limit"], "org");
    assert_eq!(e["meta"]["max"], 3);
    assert_eq!(refused.header("retry-after"), Some("60"));
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(refused.header("x-ratelimit-reset"), Some(reset.as_str()));

    server.clock().advance(30_000);
    let still = get(&server, "/v1/tags", READONLY).await;
    assert_eq!(still.status, 429);
    assert_eq!(still.header("retry-after"), Some("30"));

    server.clock().advance(30_000);
    let again = get(&server, "/v1/tags", READONLY).await;
    assert_eq!(again.status, 200, "the window reset: {}", again.body);
    assert_eq!(again.header("x-ratelimit-remaining"), Some("2"));
}

#[tokio::test]
async fn every_authenticated_response_carries_the_headers() {
    let server = server().await;
    for answer in [
        get(
            &server,
            "/v1/conversations/64a0c0ffee0000000000dead",
            WORKFLOW,
        )
        .await,
        put(
            &server,
            &format!("/v1/conversations/{CONV_1}"),
            WORKFLOW,
            "{",
        )
        .await,
        put(
            &server,
            &format!("/v1/conversations/{CONV_1}"),
            READONLY,
            "{}",
        )
        .await,
        get(&server, "/v1/nowhere", WORKFLOW).await,
    ] {
        assert!(answer.status.is_client_error());
        assert_eq!(
            answer.header("x-ratelimit-limit"),
            Some("1000"),
            "{}",
            answer.body
        );
        assert!(answer.header("x-ratelimit-remaining").is_some());
        assert!(answer.header("x-ratelimit-reset").is_some());
    }
}

#[tokio::test]
async fn per_object_update_limit() {
    let server = server().await;
    set_limits(&server, json!({"objectUpdatesPerWindow": 2})).await;
    let path = format!("/v1/conversations/{CONV_1}");
    assert_eq!(
        put(&server, &path, WORKFLOW, r#"{"priority":2}"#)
            .await
            .status,
        200
    );
    assert_eq!(
        post(&server, &format!("{path}/tags"), WORKFLOW, r#"["vip"]"#)
            .await
            .status,
        200
    );
    let refused = put(&server, &path, WORKFLOW, r#"{"priority":4}"#).await;
    let e = refused.expect_error(429, "rate_limit_object");
    assert_eq!(e["meta"]["limit"], "object");
    assert!(refused.header("retry-after").is_some());
    assert_eq!(
        refused.header("x-ratelimit-limit"),
        Some("1000"),
        "the org budget headers are still there"
    );
    // Tag routes count as updates too, and a refused update changes nothing.
    post(
        &server,
        &format!("{path}/tags"),
        WORKFLOW,
        r#"["new-tag-never-made"]"#,
    )
    .await
    .expect_error(429, "rate_limit_object");
    let tags = get(&server, "/v1/tags", WORKFLOW).await;
    assert_eq!(
        tags.body["meta"]["total"], 3,
        "the refused append created no tag"
    );
    let current = get(&server, &path, WORKFLOW).await;
    assert_eq!(current.data()["attributes"]["rev"], 3);

    // Another record, and another user on this record, have their own counters.
    assert_eq!(
        put(
            &server,
            &format!("/v1/conversations/{CONV_2}"),
            WORKFLOW,
            "{}"
        )
        .await
        .status,
        200
    );
    assert_eq!(
        put(&server, &path, ADMIN, r#"{"priority":5}"#).await.status,
        200
    );

    server.clock().advance(60_000);
    assert_eq!(
        put(&server, &path, WORKFLOW, r#"{"priority":1}"#)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn per_customer_create_limit_exempts_imports() {
    let server = server().await;
    set_limits(&server, json!({"customerCreatesPerWindow": 2})).await;
    let body = json!({"customer": CUSTOMER_ADA}).to_string();
    assert_eq!(
        post(&server, "/v1/conversations", WORKFLOW, &body)
            .await
            .status,
        201
    );
    assert_eq!(
        post(&server, "/v1/conversations", WORKFLOW, &body)
            .await
            .status,
        201
    );
    let refused = post(&server, "/v1/conversations", WORKFLOW, &body).await;
    assert_eq!(
        refused.expect_error(429, "rate_limit_customer_create")["meta"]["limit"],
        "customer-create"
    );
    let imported =
        json!({"customer": CUSTOMER_ADA, "importedAt": "2020-01-01T00:00:00.000Z"}).to_string();
    assert_eq!(
        post(&server, "/v1/conversations", WORKFLOW, &imported)
            .await
            .status,
        201
    );
    let grace = json!({"customer": "64a0c0ffee00000000000c02"}).to_string();
    assert_eq!(
        post(&server, "/v1/conversations", WORKFLOW, &grace)
            .await
            .status,
        201
    );
    server.clock().advance(60_000);
    assert_eq!(
        post(&server, "/v1/conversations", WORKFLOW, &body)
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn plans_set_the_org_budget() {
    let server = server().await;
    set_limits(&server, json!({"plan": "business"})).await;
    let answer = get(&server, "/v1/tags", WORKFLOW).await;
    assert_eq!(answer.header("x-ratelimit-limit"), Some("500"));
    let bad = admin(&server, Method::PUT, "/limits", Some(r#"{"plan":"gold"}"#)).await;
    assert_eq!(
        bad.expect_error(400, "invalid_value")["source"]["pointer"],
        "/plan"
    );
    let unknown = admin(
        &server,
        Method::PUT,
        "/limits",
        Some(r#"{"requestsPerMinute":5}"#),
    )
    .await;
    unknown.expect_error(400, "unknown_attribute");
    assert_eq!(
        unknown.body["errors"][0]["source"]["pointer"],
        "/requestsPerMinute"
    );
}
