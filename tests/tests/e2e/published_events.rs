//! Events nobody's record change made: `POST /__admin/events` (an app's event, a test's),
//! `kustomer.event.publish` from a workflow, and callable workflows as exports write
//! them (the id only in `kustomer.workflow.<id>.call`, `schema.required` checked).

use axum::http::Method;
use kustomer_harness::workflow::{RunState, load_value};
use serde_json::{Value, json};

use crate::common::*;

fn go(target: &str) -> Value {
    json!([{"target": target, "condition": {"op": "true", "values": [true]}}])
}

/// On the app event: shape the posted data, then publish a follow-up event with it.
fn on_update_event() -> Value {
    json!({
        "id": "64a0c0ffee0000000000b601",
        "name": "ecomm-update",
        "trigger": {"id": "1", "eventName": "kustomer.app.ecomm.update-event", "transitions": go("shape")},
        "steps": [
            {"id": "shape", "action": "kustomer.transform.generic",
             "params": {"input": {"order": "/#steps.1.order.id", "total": "{{math steps.1.order.total \"*\" 2}}"}},
             "transitions": go("publish")},
            {"id": "publish", "action": "kustomer.event.publish",
             "params": {"name": "kustomer.app.ecomm.shaped", "data": {"order": "/#steps.shape.order"}},
             "transitions": []}
        ]
    })
}

fn on_shaped() -> Value {
    json!({
        "id": "64a0c0ffee0000000000b602",
        "name": "ecomm-shaped",
        "trigger": {"id": "1", "eventName": "kustomer.app.ecomm.shaped",
                    "transitions": [{"target": "keep", "condition": {"op": "exists", "values": ["/#steps.1.order", true]}}]},
        "steps": [{"id": "keep", "action": "kustomer.transform.generic", "params": {"input": {"seen": "/#steps.1.order"}}, "transitions": []}]
    })
}

#[tokio::test]
async fn an_admin_published_app_event_runs_its_workflows_and_event_publish_chains_them() {
    let harness = harness_with(vec![
        load_value(on_update_event(), "a").unwrap(),
        load_value(on_shaped(), "b").unwrap(),
    ])
    .await;
    let body = r#"{"name": "kustomer.app.ecomm.update-event", "data": {"order": {"id": "o-17", "total": "21"}}}"#;
    let published = admin(harness.server(), Method::POST, "/events", Some(body)).await;
    assert_eq!(published.status, 201, "{}", published.body);
    assert_eq!(published.body["name"], "kustomer.app.ecomm.update-event");
    settle(&harness).await;

    let first = harness.runs_of("ecomm-update");
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0].state, RunState::Completed, "{:#?}", first[0]);
    let shaped = first[0].steps[0].output.as_ref().unwrap().value().clone();
    assert_eq!(shaped, json!({"order": "o-17", "total": "42"}));

    let second = harness.runs_of("ecomm-shaped");
    assert_eq!(second.len(), 1, "{second:#?}");
    assert_eq!(second[0].state, RunState::Completed);
    assert_eq!(
        second[0].steps[0].output.as_ref().unwrap().value()["seen"],
        "o-17"
    );
    assert_eq!(
        second[0].cause.root, first[0].cause.root,
        "the published event is in the first run's causal chain"
    );
    assert_eq!(second[0].cause.depth, 1);

    // The events are in the log like any other.
    let log = admin(
        harness.server(),
        Method::GET,
        "/events?name=kustomer.app.ecomm.shaped",
        None,
    )
    .await;
    assert_eq!(log.body["data"][0]["data"], json!({"order": "o-17"}));
}

#[tokio::test]
async fn a_bad_published_event_is_a_kustomer_shaped_400() {
    let server = server().await;
    for (body, pointer) in [
        (r#"{"name": "has space", "data": {}}"#, "/name"),
        (r#"{"name": "a..b"}"#, "/name"),
        (r#"{"data": {}}"#, ""),
        (r#"{"name": "x.y", "extra": 1}"#, ""),
    ] {
        let answer = admin(&server, Method::POST, "/events", Some(body)).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_error_shape(&answer.body, reqwest::StatusCode::BAD_REQUEST);
        if !pointer.is_empty() {
            assert_eq!(answer.error()["source"]["pointer"], pointer, "{body}");
        }
    }
    let unknown_org = admin(
        &server,
        Method::POST,
        "/events",
        Some(r#"{"name": "x.y", "org": "nope"}"#),
    )
    .await;
    assert_eq!(unknown_org.status, 400);
}

#[tokio::test]
async fn an_exported_callable_takes_its_id_from_the_event_name_and_checks_required_inputs() {
    let callable = json!({
        "name": "Escalate later",
        "trigger": {"id": "1", "callable": true, "eventName": "kustomer.workflow.64a0c0ffee0000000000c0de.call",
                    "schema": {"type": "object", "required": ["conversationId"]},
                    "transitions": go("echo")},
        "steps": [{"id": "echo", "action": "kustomer.transform.generic", "params": {"input": {"got": "/#steps.1.conversationId"}}, "transitions": []}]
    });
    let harness = harness_with(vec![load_value(callable, "c").unwrap()]).await;
    harness
        .call("64a0c0ffee0000000000c0de", json!({"conversationId": "c-1"}))
        .expect("callable by the id in its event name");
    harness
        .call("64a0c0ffee0000000000c0de", json!({"other": 1}))
        .expect("queued; the run itself fails");
    settle(&harness).await;
    let runs = harness.runs_of("Escalate later");
    assert_eq!(runs.len(), 2, "{runs:#?}");
    let ok = runs
        .iter()
        .find(|r| r.state == RunState::Completed)
        .unwrap();
    assert_eq!(ok.steps[0].output.as_ref().unwrap().value()["got"], "c-1");
    let failed = runs.iter().find(|r| r.state == RunState::Failed).unwrap();
    assert!(
        failed
            .summary
            .contains("missing required input(s) conversationId"),
        "{}",
        failed.summary
    );
    assert!(failed.steps.is_empty(), "no step ran");
}
