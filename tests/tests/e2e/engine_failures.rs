//! Workflow REST steps that fail: the mock's 401 and 403 in the run log, timeouts,
//! refused connections and bad URIs.

use std::time::Duration;

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{EngineConfig, RunState, VariableDef, load_value};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn a_missing_bearer_prefix_fails_the_step_with_the_mocks_401() {
    let mut json = workflow_json("close-on-tag");
    json["steps"][0]["params"]["headers"]["Authorization"] = json!("{{{variables.API_Key}}}");
    let harness = harness_with(vec![load_value(json, "missing-bearer").unwrap()]).await;
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let runs = harness.runs_of("close-on-tag");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.state, RunState::Failed);
    let error = run.error.as_ref().unwrap();
    assert_eq!(error["status"], 401);
    assert_eq!(error["body"]["errors"][0]["code"], "missing_bearer_prefix");
    assert!(
        error["body"]["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("Bearer ")
    );
    assert!(run.summary.contains("401"), "{}", run.summary);
    assert_eq!(
        run.steps[0].params["headers"]["Authorization"],
        "[secure:API_Key]"
    );
    let conversation = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(conversation.data()["attributes"]["status"], "open");
}

/// Credentials in a step's URL are sent as Basic auth (as reqwest sends them), which the
/// mock refuses naming the scheme.
#[tokio::test]
async fn url_credentials_are_sent_as_basic_auth() {
    let harness = harness_with(vec![]).await;
    let server = harness.server();
    let address = harness.url().trim_start_matches("http://").to_string();
    let mut json = workflow_json("close-on-tag");
    let params = &mut json["steps"][0]["params"];
    params["uri"] = json!(format!(
        "http://agent:hunter22@{address}/v1/conversations/{{{{{{steps.1.id}}}}}}"
    ));
    params["headers"] = json!({"Accept": "application/json"});
    let body = json!({"workflow": json, "variables": {}});
    let installed = admin(server, Method::POST, "/workflows", Some(&body.to_string())).await;
    assert_eq!(installed.status, 201, "{}", installed.body);
    tag_auto_close(server, CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let runs = harness.runs_of("close-on-tag");
    assert_eq!(runs.len(), 1);
    let error = runs[0].error.as_ref().expect("the step failed");
    assert_eq!(error["status"], 401, "{error}");
    assert_eq!(error["body"]["errors"][0]["code"], "missing_bearer_prefix");
    let detail = error["body"]["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("`Basic` scheme"), "{detail}");
    let journal = admin(server, Method::GET, "/journal?status=401", None).await;
    assert_eq!(
        journal.data()[0]["requestHeaders"]["authorization"],
        "Basic [masked]"
    );
}

#[tokio::test]
async fn a_key_without_the_update_role_gives_403_in_the_run_log() {
    let harness = Harness::builder()
        .fixtures(acme())
        .workflow(workflow("close-on-tag"))
        .variable("API_Key", VariableDef::Plain(json!(READONLY)))
        .start()
        .await
        .unwrap();
    tag_auto_close(harness.server(), CONV_1, WORKFLOW).await;
    settle(&harness).await;
    let run = &harness.runs_of("close-on-tag")[0];
    assert_eq!(run.state, RunState::Failed);
    let error = run.error.as_ref().unwrap();
    assert_eq!(error["status"], 403);
    assert_eq!(error["body"]["errors"][0]["code"], "missing_role");
    assert_eq!(
        run.steps[0].params["headers"]["Authorization"], "Bearer [secure:API_Key]",
        "an override stays secure"
    );
    assert!(
        !serde_json::to_string(&harness.runs())
            .unwrap()
            .contains(READONLY)
    );
}

#[tokio::test]
async fn rest_steps_fail_cleanly_on_timeouts_and_refused_connections() {
    // A listener that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let refused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let refused_url = format!("http://{}", refused.local_addr().unwrap());
    drop(refused);

    let make = |name: &str, url: &str| {
        load_value(
            json!({"name": name, "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "call"}]},
                   "steps": [{"id": "call", "action": "kustomer.rest-api.json", "params": {"method": "GET", "uri": url}}]}),
            name,
        )
        .unwrap()
    };
    let harness = Harness::builder()
        .fixtures(acme())
        .engine(EngineConfig {
            rest_timeout: Duration::from_millis(200),
            ..EngineConfig::default()
        })
        .workflow(make("times-out", &silent_url))
        .workflow(make("refused", &refused_url))
        .workflow(make("bad-uri", "not a url"))
        .workflow(make(
            "kustomer-host",
            &format!("https://api.kustomerapp.com/v1/conversations/{CONV_1}"),
        ))
        .start()
        .await
        .unwrap();
    put(
        harness.server(),
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        "{}",
    )
    .await;
    settle(&harness).await;
    let error_kind = |name: &str| {
        harness.runs_of(name)[0]
            .error
            .as_ref()
            .map(|e| e["kind"].clone())
    };
    assert_eq!(error_kind("times-out"), Some(json!("timeout")));
    assert_eq!(error_kind("refused"), Some(json!("connection")));
    assert_eq!(error_kind("bad-uri"), Some(json!("invalid-uri")));
    // Kustomer's own host goes to the mock (here without a key: 401).
    let kustomer = &harness.runs_of("kustomer-host")[0];
    assert_eq!(
        kustomer.error.as_ref().unwrap()["status"],
        401,
        "{}",
        kustomer.summary
    );
}
