//! Saved state: a lossless round trip, the id sequence continued, corrupt files refused
//! untouched, and runs that never vanish on shutdown.

use std::path::PathBuf;
use std::time::Duration;

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{EngineConfig, RunState, load_value};
use kustomer_mock::{MockServer, StartError};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

/// A state file's path in a fresh directory, removed when the returned guard is dropped.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("state.json");
    (dir, path)
}

/// The answers a client would compare.
async fn observe(server: &MockServer) -> Vec<String> {
    let mut out = Vec::new();
    for path in [
        "/v1/conversations?pageSize=50",
        "/v1/tags",
        "/v1/users/current",
        "/v1/auth/tokens/current",
        &format!("/v1/customers/{CUSTOMER_ADA}"),
    ] {
        let answer = get(server, path, ADMIN).await;
        out.push(format!("{} {}", answer.status, answer.body));
    }
    out
}

#[tokio::test]
async fn a_saved_state_loads_back_identically_and_continues_the_id_sequence() {
    let (_dir, path) = scratch();
    // Session A: some writes, save, then one more create (the id B must reproduce).
    let a = builder().state_file(&path).start().await.unwrap();
    post(
        &a,
        &format!("/v1/conversations/{CONV_1}/tags"),
        WORKFLOW,
        r#"["brand-new-tag"]"#,
    )
    .await;
    post(
        &a,
        "/v1/customers",
        WORKFLOW,
        r#"{"name":"Saved Customer","emails":[{"email":"s@example.com"}]}"#,
    )
    .await;
    let key = admin(
        &a,
        Method::POST,
        "/keys",
        Some(r#"{"name":"saved-key","roles":["org.admin"]}"#),
    )
    .await;
    let saved_token = key.body["token"].as_str().unwrap().to_string();
    a.clock().advance(5_000);
    let saved = admin(&a, Method::POST, "/snapshot", None).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let before = observe(&a).await;
    let next_a = post(
        &a,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA}).to_string(),
    )
    .await;
    drop(a); // no save on drop: the file holds the snapshot taken above

    // Session B starts from the file (its fixtures are not applied again).
    let b = builder().state_file(&path).start().await.unwrap();
    assert_eq!(observe(&b).await, before, "identical API answers");
    let next_b = post(
        &b,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA}).to_string(),
    )
    .await;
    assert_eq!(
        next_b.data()["id"],
        next_a.data()["id"],
        "the id sequence continues where it was"
    );
    assert_eq!(
        next_b.data()["attributes"]["createdAt"],
        next_a.data()["attributes"]["createdAt"],
        "the virtual clock too"
    );
    assert_eq!(
        get(&b, "/v1/tags", &saved_token).await.status,
        200,
        "keys come back (by digest)"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [WORKFLOW, ADMIN, saved_token.as_str()] {
        assert!(!text.contains(secret), "the state file holds no token");
    }
    b.shutdown().await.unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("\"idPosition\""),
        "saved again on shutdown"
    );
}

#[tokio::test]
async fn a_corrupt_state_file_is_refused_and_left_untouched() {
    let (_dir, path) = scratch();
    std::fs::write(&path, b"{\"version\": 1, \"orgs\": [oops").unwrap();
    match builder().state_file(&path).start().await {
        Err(StartError::State(e)) => {
            let message = e.to_string();
            assert!(
                message.contains("is not a kustomer-mock state")
                    && message.contains("left untouched"),
                "{message}"
            );
        }
        other => panic!("expected a state error, got {other:?}"),
    }
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"version\": 1, \"orgs\": [oops"
    );
    let server = server().await;
    admin(&server, Method::POST, "/snapshot", None)
        .await
        .expect_error(400, "no_state_file");
    let shown = admin(&server, Method::GET, "/snapshot", None).await;
    assert_eq!(shown.body["version"], 1);
    assert!(!shown.body.to_string().contains(WORKFLOW));
}

#[tokio::test]
async fn stopping_marks_unfinished_runs_interrupted_and_saves_them() {
    // A REST step that never gets an answer keeps its run in flight.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/slow", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let slow = load_value(
        json!({"name": "slow", "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "wait"}]},
               "steps": [{"id": "wait", "action": "kustomer.rest-api.json", "params": {"uri": url}}]}),
        "slow",
    )
    .unwrap();
    let (_dir, path) = scratch();
    let start = || {
        Harness::builder()
            .fixtures(acme())
            .server(|s| s.state_file(&path))
            .engine(EngineConfig {
                rest_timeout: Duration::from_secs(60),
                ..EngineConfig::default()
            })
            .workflow(slow.clone())
            .start()
    };
    let harness = start().await.unwrap();
    // Two updates of one record: the first run hangs, the second waits in its queue.
    put(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        ADMIN,
        "{}",
    )
    .await;
    put(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        ADMIN,
        "{}",
    )
    .await;
    // While it drains, requests nobody's run made are turned away.
    let url = harness.url();
    let stopping =
        tokio::spawn(async move { harness.stop(Duration::from_millis(300)).await.unwrap() });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let response = reqwest::Client::new()
            .get(format!("{url}/v1/tags"))
            .header("authorization", format!("Bearer {ADMIN}"))
            .send()
            .await;
        match response {
            Ok(r) if r.status() == 503 => {
                let answer = answer(r).await;
                answer.expect_error(503, "shutting_down");
                break;
            }
            Err(_) => break, // already stopped: nothing to observe
            Ok(_) => {}
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never started draining"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stopped = stopping.await.unwrap();
    assert!(!stopped.settled);
    assert_eq!(
        stopped.interrupted, 2,
        "the run in flight and the one still queued"
    );

    let again = start().await.unwrap();
    let runs = again.runs_of("slow");
    assert_eq!(runs.len(), 2, "no run vanished");
    assert!(
        runs.iter().all(|r| r.state == RunState::Interrupted),
        "{runs:?}"
    );
    assert!(runs.iter().all(|r| r.summary.contains("interrupted")));
    again.shutdown().await;
}
