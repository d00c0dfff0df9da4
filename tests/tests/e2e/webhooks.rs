//! Outbound webhooks: signed deliveries, retried until the receiver accepts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post as post_route;
use hmac::{Hmac, KeyInit, Mac};
use kustomer_mock::RetryPolicy;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::common::*;

#[derive(Default)]
struct Receiver {
    /// (event header, signature header, body) of every delivery attempt.
    seen: Mutex<Vec<(String, String, Bytes)>>,
    /// How many attempts to refuse with 503 first.
    refuse: Mutex<u32>,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    receiver.seen.lock().unwrap().push((
        header("x-kustomer-webhook-event"),
        header("x-kustomer-webhook-signature"),
        body,
    ));
    let mut refuse = receiver.refuse.lock().unwrap();
    if *refuse > 0 {
        *refuse -= 1;
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

async fn start_receiver(refuse: u32) -> (String, Arc<Receiver>) {
    let receiver = Arc::new(Receiver {
        seen: Mutex::new(Vec::new()),
        refuse: Mutex::new(refuse),
    });
    let app = Router::new()
        .route("/hook", post_route(receive))
        .with_state(Arc::clone(&receiver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

/// Polls the deliveries until `done` holds (at most 10 s).
async fn wait_for_deliveries(
    server: &kustomer_mock::MockServer,
    hook: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let answer = admin(
            server,
            Method::GET,
            &format!("/webhooks/{hook}/deliveries"),
            None,
        )
        .await;
        if done(answer.data()) {
            return answer.data().clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries never settled: {}",
            answer.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        timeout: Duration::from_secs(5),
    }
}

#[tokio::test]
async fn deliveries_are_signed_with_the_secret() {
    let (url, receiver) = start_receiver(0).await;
    let server = builder().webhook_retry(fast_retry()).start().await.unwrap();
    let created = admin(
        &server,
        Method::POST,
        "/webhooks",
        Some(
            &json!({"url": url, "events": ["kustomer.conversation.*"], "secret": "s3cret"})
                .to_string(),
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(
        !created.body.to_string().contains("s3cret"),
        "the secret is never shown"
    );
    let hook = created.body["id"].as_str().unwrap().to_string();

    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    post(
        &server,
        "/v1/tags",
        WORKFLOW,
        r#"{"name":"not-for-the-hook"}"#,
    )
    .await;
    let deliveries = wait_for_deliveries(&server, &hook, |d| {
        d.as_array()
            .is_some_and(|a| a.len() == 1 && a[0]["state"] == "delivered")
    })
    .await;
    assert_eq!(deliveries[0]["event"], "kustomer.conversation.update");

    let seen = receiver.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the tag event does not match the hook");
    let (event_header, signature, body) = &seen[0];
    assert_eq!(event_header, "kustomer.conversation.update");
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"s3cret").unwrap();
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        signature, &expected,
        "lowercase hex HMAC-SHA256 of the raw body"
    );
    let event: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(event["dataId"], CONV_1);
    assert_eq!(event["changes"]["attributes"]["status"]["after"], "done");
}

#[tokio::test]
async fn a_failing_receiver_is_retried_until_it_accepts() {
    let (url, receiver) = start_receiver(2).await;
    let server = builder().webhook_retry(fast_retry()).start().await.unwrap();
    let created = admin(
        &server,
        Method::POST,
        "/webhooks",
        Some(&json!({"url": url, "events": ["*"], "secret": "k"}).to_string()),
    )
    .await;
    let hook = created.body["id"].as_str().unwrap().to_string();
    post(&server, "/v1/tags", WORKFLOW, r#"{"name":"retry-me"}"#).await;
    let deliveries = wait_for_deliveries(&server, &hook, |d| {
        d.as_array()
            .is_some_and(|a| a.len() == 1 && a[0]["state"] == "delivered")
    })
    .await;
    let attempts = deliveries[0]["attempts"].as_array().unwrap();
    let statuses: Vec<u64> = attempts
        .iter()
        .map(|a| a["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(receiver.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn an_unreachable_receiver_fails_after_its_attempts() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/gone", listener.local_addr().unwrap());
    drop(listener);
    let server = builder().webhook_retry(fast_retry()).start().await.unwrap();
    let created = admin(
        &server,
        Method::POST,
        "/webhooks",
        Some(&json!({"url": url, "events": ["kustomer.tag.create"], "secret": "k"}).to_string()),
    )
    .await;
    let hook = created.body["id"].as_str().unwrap().to_string();
    post(&server, "/v1/tags", WORKFLOW, r#"{"name":"nobody-home"}"#).await;
    let deliveries = wait_for_deliveries(&server, &hook, |d| {
        d.as_array()
            .is_some_and(|a| a.len() == 1 && a[0]["state"] == "failed")
    })
    .await;
    let attempts = deliveries[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4);
    assert!(attempts.iter().all(|a| a["error"].is_string()));

    let bad = admin(
        &server,
        Method::POST,
        "/webhooks",
        Some(r#"{"url":"ftp://x","events":["*"],"secret":"k"}"#),
    )
    .await;
    assert_eq!(
        bad.expect_error(400, "invalid_value")["source"]["pointer"],
        "/url"
    );
    let listed = admin(&server, Method::GET, "/webhooks", None).await;
    assert_eq!(listed.data().as_array().unwrap().len(), 1);
    assert_eq!(
        admin(&server, Method::DELETE, &format!("/webhooks/{hook}"), None)
            .await
            .status,
        204
    );
    admin(
        &server,
        Method::GET,
        &format!("/webhooks/{hook}/deliveries"),
        None,
    )
    .await
    .expect_error(404, "not_found");
}
