//! Fault injection: seeded rules that answer a status, delay, or drop the connection —
//! on /v1 and on workflow REST steps — with the run log naming the fault.

use std::time::Duration;

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{EngineConfig, RunState};
use kustomer_mock::MockServer;
use reqwest::Method;
use serde_json::json;

use crate::common::*;

async fn add_rule(server: &MockServer, rule: serde_json::Value) -> String {
    let created = admin(server, Method::POST, "/faults", Some(&rule.to_string())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_nth_status_fault_with_counters_and_log() {
    let server = server().await;
    let rule = add_rule(&server, json!({"method": "PUT", "path": "/v1/conversations/*", "every": 2, "action": {"kind": "status", "status": 503}})).await;
    let path = format!("/v1/conversations/{CONV_1}");
    assert_eq!(put(&server, &path, WORKFLOW, "{}").await.status, 200);
    let faulted = put(&server, &path, WORKFLOW, "{}").await;
    let e = faulted.expect_error(503, "injected_fault");
    assert_eq!(e["meta"]["faultRule"], rule.as_str());
    assert_eq!(faulted.header("x-kmock-fault"), Some(rule.as_str()));
    assert_eq!(put(&server, &path, WORKFLOW, "{}").await.status, 200);
    assert_eq!(
        get(&server, &path, WORKFLOW).await.status,
        200,
        "the method must match"
    );
    let conversation = get(&server, &path, WORKFLOW).await;
    assert_eq!(
        conversation.data()["attributes"]["rev"],
        3,
        "the faulted PUT changed nothing"
    );

    let listed = admin(&server, Method::GET, "/faults", None).await;
    assert_eq!(listed.data()[0]["matched"], 3);
    assert_eq!(listed.data()[0]["fired"], 1);
    assert_eq!(listed.body["hits"][0]["path"], path);
    assert_eq!(
        admin(&server, Method::DELETE, &format!("/faults/{rule}"), None)
            .await
            .status,
        204
    );
    assert_eq!(put(&server, &path, WORKFLOW, "{}").await.status, 200);
    let bad = admin(
        &server,
        Method::POST,
        "/faults",
        Some(r#"{"path":"/v1/**","probability":2,"action":{"kind":"drop"}}"#),
    )
    .await;
    assert_eq!(
        bad.expect_error(400, "invalid_value")["source"]["pointer"],
        "/probability"
    );
    let unknown = admin(
        &server,
        Method::POST,
        "/faults",
        Some(r#"{"path":"/v1/**","action":{"kind":"explode"}}"#),
    )
    .await;
    unknown.expect_error(400, "invalid_type");
}

#[tokio::test]
async fn a_dropped_connection_gets_no_answer_and_is_journaled() {
    let server = server().await;
    add_rule(
        &server,
        json!({"method": "GET", "path": "/v1/tags", "times": 1, "action": {"kind": "drop"}}),
    )
    .await;
    let dropped = reqwest::Client::new()
        .get(format!("{}/v1/tags", server.url()))
        .header("authorization", format!("Bearer {WORKFLOW}"))
        .send()
        .await;
    assert!(dropped.is_err(), "no response at all: {dropped:?}");
    assert_eq!(
        get(&server, "/v1/tags", WORKFLOW).await.status,
        200,
        "`times: 1` — and the server keeps answering"
    );
    let journal = server.journal().entries();
    assert_eq!(journal[0].status, 0, "journaled as dropped");
    assert_eq!(journal[1].status, 200);
}

#[tokio::test]
async fn seeded_probability_reproduces_the_same_failures() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let server = server().await;
        add_rule(&server, json!({"path": "/v1/conversations/*", "probability": 0.3, "seed": seed, "action": {"kind": "status", "status": 502}})).await;
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(
                get(&server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW)
                    .await
                    .status
                    .as_u16(),
            );
        }
        out
    }
    let a = statuses(11).await;
    assert_eq!(a, statuses(11).await, "same seed, same failures");
    assert!(a.contains(&502) && a.contains(&200));
    assert_ne!(a, statuses(12).await, "another seed, other failures");
}

#[tokio::test]
async fn rest_steps_fail_clearly_on_each_fault_kind_and_name_it() {
    let harness = Harness::builder()
        .fixtures(acme())
        .engine(EngineConfig {
            rest_timeout: Duration::from_millis(150),
            ..EngineConfig::default()
        })
        .workflow(workflow("close-on-tag"))
        .start()
        .await
        .unwrap();
    let server = harness.server();
    let cases = [
        (
            CONV_1,
            json!({"kind": "status", "status": 500}),
            "http-status",
        ),
        (CONV_2, json!({"kind": "drop"}), "transport"),
        (
            "64a0c0ffee00000000000b03",
            json!({"kind": "latency", "ms": 600}),
            "timeout",
        ),
    ];
    for (conversation, action, kind) in &cases {
        let rule = add_rule(server, json!({"method": "PUT", "path": format!("/v1/conversations/{conversation}"), "fromWorkflows": true, "action": action})).await;
        tag_auto_close(server, conversation, ADMIN).await;
        settle(&harness).await;
        let run = harness
            .runs_of("close-on-tag")
            .into_iter()
            .find(|r| r.record.to_hex() == *conversation)
            .unwrap();
        assert_eq!(run.state, RunState::Failed, "{kind}: {}", run.summary);
        let error = run.error.as_ref().unwrap();
        assert_eq!(error["kind"], *kind, "{error}");
        assert_eq!(
            error["fault"]["rule"],
            rule.as_str(),
            "the run log names the fault: {error}"
        );
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains(&format!("fault rule {rule}")),
            "{error}"
        );
    }
    // The user's own request was not faulted (`fromWorkflows`).
    assert!(
        server
            .journal()
            .entries()
            .iter()
            .filter(|e| e.method == "POST")
            .all(|e| e.status == 200)
    );
}

#[tokio::test]
async fn faults_apply_to_rest_steps_on_other_hosts_and_come_from_scenarios() {
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/crm/sync", gone.local_addr().unwrap());
    drop(gone);
    let scenario = kustomer_harness::scenario::Scenario::from_value(
        json!({
            "server": {"faults": [{"path": "/crm/**", "action": {"kind": "status", "status": 429}}]},
            "fixtures": [fixtures_dir().join("acme.json").display().to_string()],
            "workflows": [{"name": "sync", "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "post"}]},
                           "steps": [{"id": "post", "action": "kustomer.rest-api.json", "params": {"method": "POST", "uri": url, "data": {"id": "/#steps.1.id"}}}]}],
            "steps": [{"request": {"method": "PUT", "path": format!("/v1/conversations/{CONV_1}"), "key": "acme-admin", "body": {}}}],
            "expect": [{"runs": "sync", "lastState": "failed"}]
        }),
        "faults.json",
        std::path::Path::new("."),
        "faults",
    )
    .unwrap();
    let outcome = scenario.run().await.unwrap();
    assert!(outcome.passed(), "{:?}", outcome.report.expectations);
    let run = &outcome.report.runs[0];
    let error = run.error.as_ref().unwrap();
    assert_eq!(
        error["status"], 429,
        "answered by the rule, no connection attempted: {error}"
    );
    assert!(error["fault"]["rule"].is_string());
    let bad = kustomer_harness::scenario::Scenario::from_value(
        json!({"server": {"faults": [{"path": "crm", "action": {"kind": "drop"}}]}}),
        "bad.json",
        std::path::Path::new("."),
        "bad",
    )
    .unwrap_err();
    assert_eq!(bad.path, "$.server.faults[0].path");
}
