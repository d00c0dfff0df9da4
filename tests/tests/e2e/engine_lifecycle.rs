//! Workflows installed and removed over the admin API, the cause chain of a run's events,
//! and what a stopped harness or dropped engine lets go of.

use std::time::Duration;

use kustomer_harness::workflow::{Engine, EngineConfig, RunState};
use kustomer_mock::{BusItem, MockServer};
use reqwest::Method;
use serde_json::json;

use crate::common::*;
use crate::engine::states;

#[tokio::test]
async fn workflows_are_installed_listed_and_removed_over_the_admin_api() {
    let harness = harness_with(vec![]).await;
    let server = harness.server();
    let body = json!({"workflow": workflow_json("close-on-tag"), "variables": {"API_Key": {"value": ADMIN, "secure": true}}});
    let installed = admin(server, Method::POST, "/workflows", Some(&body.to_string())).await;
    assert_eq!(installed.status, 201, "{}", installed.body);
    assert_eq!(installed.body["eventName"], "kustomer.conversation.update");
    assert_eq!(installed.body["variables"]["API_Key"], "[secure:API_Key]");
    assert_eq!(installed.body["variables"]["baseUrl"], harness.url());
    let listed = admin(server, Method::GET, "/workflows", None).await;
    assert_eq!(listed.data().as_array().unwrap().len(), 1);
    let shown = admin(
        server,
        Method::GET,
        "/workflows/64a0c0ffee0000000000beef",
        None,
    )
    .await;
    assert!(
        !shown.body.to_string().contains(ADMIN),
        "secure values are never shown"
    );
    assert!(!shown.body.to_string().contains(WORKFLOW));

    tag_auto_close(server, CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let runs = admin(
        server,
        Method::GET,
        "/runs?workflow=close-on-tag&state=completed",
        None,
    )
    .await;
    assert_eq!(runs.data().as_array().unwrap().len(), 1);
    let run_id = runs.data()[0]["id"].as_str().unwrap();
    let run = admin(server, Method::GET, &format!("/runs/{run_id}"), None).await;
    assert_eq!(run.data()["steps"][0]["id"], "closeIt");
    // The closing run and the not-matched one on the workflow's own update, oldest first;
    // `limit` keeps the first of those that match.
    let of_record = admin(server, Method::GET, &format!("/runs?record={CONV_1}"), None).await;
    assert_eq!(of_record.each("state"), ["completed", "not-matched"]);
    let first = admin(
        server,
        Method::GET,
        &format!("/runs?record={CONV_1}&limit=1"),
        None,
    )
    .await;
    assert_eq!(first.data().as_array().unwrap().len(), 1);
    assert_eq!(first.data()[0]["id"], run_id);
    assert_eq!(first.body["meta"]["count"], 1);
    admin(server, Method::GET, "/runs?state=bogus", None)
        .await
        .expect_error(400, "invalid_parameter");
    admin(server, Method::GET, "/runs?record=not-an-id", None)
        .await
        .expect_error(400, "invalid_parameter");
    admin(server, Method::GET, "/runs/nope", None)
        .await
        .expect_error(404, "not_found");

    let bad = admin(server, Method::POST, "/workflows", Some(r#"{"name":"x","trigger":{"eventName":"e","transitions":[{"target":"ghost"}]},"steps":[]}"#)).await;
    let e = bad.expect_error(400, "invalid_workflow");
    assert_eq!(e["meta"]["path"], "$.trigger.transitions[0].target");
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("missing step `ghost`")
    );

    assert_eq!(
        admin(
            server,
            Method::DELETE,
            "/workflows/64a0c0ffee0000000000beef",
            None
        )
        .await
        .status,
        204
    );
    admin(
        server,
        Method::DELETE,
        "/workflows/64a0c0ffee0000000000beef",
        None,
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn events_caused_by_a_run_carry_its_chain() {
    let harness = harness_with(vec![workflow("close-on-tag")]).await;
    let server: &MockServer = harness.server();
    let mut sub = server.bus().subscribe(None);
    tag_auto_close(server, CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let mut events = Vec::new();
    while let Some(BusItem::Event(e)) = sub.try_recv() {
        events.push(e);
    }
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].mock.cause.depth, 0);
    let caused = &events[1].mock.cause;
    assert_eq!(caused.depth, 1);
    assert_eq!(caused.root, events[0].mock.cause.root);
    assert_eq!(caused.chain.len(), 1);
    assert_eq!(caused.chain[0].workflow, "64a0c0ffee0000000000beef");
    assert_eq!(caused.chain[0].record, CONV_1);
    assert_eq!(caused.step.as_deref(), Some("closeIt"));
}

/// A stopped harness frees what it held: the server's state and the engine, once the
/// connections it opened are closed. (The engine's saved-state section held the engine
/// strongly from inside the server's state, which the engine holds: every harness a test
/// suite started stayed in memory.)
#[tokio::test]
async fn a_stopped_harness_frees_its_server_state_and_engine() {
    let harness = harness_with(vec![workflow("close-on-tag")]).await;
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    assert_eq!(
        states(&harness, "close-on-tag"),
        [RunState::Completed, RunState::NotMatched],
        "the engine made its REST call, so it holds a connection to the server"
    );
    let state = std::sync::Arc::downgrade(harness.server().state());
    harness.shutdown().await;
    assert_freed(state, "the harness").await;

    let server = server().await;
    let state = std::sync::Arc::downgrade(server.state());
    server.shutdown().await.expect("the server stops");
    assert_freed(state, "a bare server").await;
}

/// Waits (at most 10 s) until nothing holds the state any more.
async fn assert_freed<T>(state: std::sync::Weak<T>, what: &str) {
    let freed = tokio::time::timeout(Duration::from_secs(10), async {
        while state.upgrade().is_some() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(
        freed.is_ok(),
        "the server's state is still held {} time(s) after {what} stopped",
        state.strong_count()
    );
}

#[tokio::test]
async fn an_engine_dropped_before_its_server_stops_listening_to_its_events() {
    let server = server().await;
    let bus = std::sync::Arc::clone(server.state().store.bus());
    let before = bus.listener_count();
    let engine = Engine::new(EngineConfig::default());
    engine.attach(&server);
    assert_eq!(bus.listener_count(), before + 1);
    drop(engine);
    assert_eq!(
        bus.listener_count(),
        before,
        "the dropped engine left no listener on the server"
    );
    let tagged = tag_auto_close(&server, CONV_1, WORKFLOW).await;
    assert_eq!(
        tagged.status, 200,
        "the server serves on: {:?}",
        tagged.body
    );
}
