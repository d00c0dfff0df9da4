//! Kustomer's workflows API under `/v1`, through the `/v1` pipeline: install, read,
//! change (a partial PUT), disable, and set variables, with API keys and their roles.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

const ID: &str = "64a0c0ffee0000000000beef";

async fn conversation_status(server: &kustomer_mock::MockServer, id: &str) -> String {
    let answer = get(server, &format!("/v1/conversations/{id}"), ADMIN).await;
    answer.data()["attributes"]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_workflow_installed_through_v1_runs_and_is_changed_and_disabled_there() {
    let harness = harness_with(vec![]).await;
    let server = harness.server();
    let body = workflow_json("close-on-tag").to_string();
    let created = post(server, "/v1/workflows", ADMIN, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.data()["type"], "workflow");
    assert_eq!(created.data()["id"], ID);
    assert_eq!(
        created.data()["attributes"]["variables"]["API_Key"],
        "[secure:API_Key]",
        "{}",
        created.body
    );
    // The same as installing through the admin API: it is there, and it runs.
    let listed = admin(server, Method::GET, "/workflows", None).await;
    assert_eq!(listed.body["data"][0]["id"], ID);
    assert_eq!(get(server, "/v1/workflows", ADMIN).await.each("id"), [ID]);
    tag_auto_close(server, CONV_1, ADMIN).await;
    settle(&harness).await;
    assert_eq!(conversation_status(server, CONV_1).await, "done");

    // A partial PUT: new steps, the rest kept.
    let mut steps = workflow_json("close-on-tag")["steps"].clone();
    steps[0]["params"]["data"] = json!({"status": "snoozed"});
    let changed = put(
        server,
        &format!("/v1/workflows/{ID}"),
        ADMIN,
        &json!({"steps": steps}).to_string(),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.data()["attributes"]["name"], "close-on-tag");
    tag_auto_close(server, CONV_2, ADMIN).await;
    settle(&harness).await;
    assert_eq!(conversation_status(server, CONV_2).await, "snoozed");

    // Disabled, it stays and does not run.
    let disabled = post(server, &format!("/v1/workflows/{ID}/disable"), ADMIN, "").await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert_eq!(disabled.data()["attributes"]["enabled"], false);
    let before = conversation_status(server, CONV_3).await;
    tag_auto_close(server, CONV_3, ADMIN).await;
    settle(&harness).await;
    assert_eq!(conversation_status(server, CONV_3).await, before);
    let enabled = post(server, &format!("/v1/workflows/{ID}/enable"), ADMIN, "").await;
    assert_eq!(enabled.data()["attributes"]["enabled"], true);

    // The exchanges are journaled like any /v1 request.
    let journal = admin(server, Method::GET, "/journal", None).await;
    let paths: Vec<String> = journal.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["path"].as_str().map(str::to_string))
        .collect();
    assert!(
        paths.iter().any(|p| p == "/v1/workflows"),
        "journal paths: {paths:?}"
    );
}

#[tokio::test]
async fn variables_are_read_masked_and_set() {
    let harness = harness_with(vec![]).await;
    let server = harness.server();
    let body = workflow_json("close-on-tag").to_string();
    assert_eq!(
        post(server, "/v1/workflows", ADMIN, &body).await.status,
        201
    );
    let path = format!("/v1/workflows/{ID}/variables");
    let shown = get(server, &path, ADMIN).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(shown.body["data"]["API_Key"], "[secure:API_Key]");
    let set = put(
        server,
        &path,
        ADMIN,
        r#"{"API_Key": "kmk_other_key_1234", "note": "x"}"#,
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        set.body["data"]["API_Key"], "[secure:API_Key]",
        "a secure variable stays secure"
    );
    assert_eq!(set.body["data"]["note"], "x");
    // The run uses the new key: unknown to the mock, so its request is a 401.
    tag_auto_close(server, CONV_1, ADMIN).await;
    settle(&harness).await;
    let runs = harness.runs_of("close-on-tag");
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].steps[0].error.as_ref().unwrap()["status"], 401);
}

#[tokio::test]
async fn keys_roles_and_bad_workflows_get_kustomer_errors() {
    let harness = harness_with(vec![]).await;
    let server = harness.server();
    let no_key = send(server, Method::GET, "/v1/workflows", None, None).await;
    assert_eq!(no_key.status, 401);
    let read_only = post(
        server,
        "/v1/workflows",
        READONLY,
        &workflow_json("close-on-tag").to_string(),
    )
    .await;
    assert_eq!(read_only.status, 403, "{}", read_only.body);
    let missing = get(server, "/v1/workflows/nope", ADMIN).await;
    missing.expect_error(404, "not_found");
    let bad = post(
        server,
        "/v1/workflows",
        ADMIN,
        r#"{"name": "x", "trigger": {"eventName": "e", "transitions": [{"target": "nowhere"}]}, "steps": []}"#,
    )
    .await;
    bad.expect_error(400, "invalid_workflow");
    let not_object = post(server, "/v1/workflows", ADMIN, "[1]").await;
    assert_eq!(not_object.status, 400);
}
