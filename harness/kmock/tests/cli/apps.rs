//! `kmock serve --apps`: bad apps reported, the rest served, scheduled workflows on the virtual clock.

use crate::support::{admin_get, admin_post, scratch, serve, sigterm_and_wait, wait_for_a_run};

/// An app whose workflows are: one scheduling a callable 60 seconds on (on an app event),
/// the callable, and one using an action nobody has.
fn scheduling_app() -> serde_json::Value {
    let go = |target: &str| serde_json::json!([{"target": target, "condition": {"op": "true", "values": [true]}}]);
    serde_json::json!({
        "app": "mixed",
        "version": "0.1.0",
        "workflows": [
            {"id": "64a0c0ffee0000000000f001", "name": "mixed-start",
             "trigger": {"id": "1", "eventName": "kustomer.app.mixed.start", "transitions": go("later")},
             "steps": [{"id": "later", "action": "kustomer.app.scheduler.schedule-workflow",
                        "params": {"runAt": {"type": "relative", "value": 60}, "workflowId": "64a0c0ffee0000000000f00d", "inputs": {}},
                        "transitions": []}]},
            {"name": "mixed-later",
             "trigger": {"id": "1", "callable": true, "eventName": "kustomer.workflow.64a0c0ffee0000000000f00d.call", "transitions": go("noop")},
             "steps": [{"id": "noop", "action": "kustomer.transform.generic", "params": {"input": {"ok": true}}, "transitions": []}]},
            {"name": "mixed-broken",
             "trigger": {"id": "1", "eventName": "kustomer.app.mixed.start", "transitions": go("x")},
             "steps": [{"id": "x", "action": "kustomer.nope.nothing", "params": {}, "transitions": []}]}
        ]
    })
}

#[tokio::test]
async fn bad_apps_are_reported_the_rest_serve_and_the_virtual_clock_starts_what_is_due() {
    let dir = scratch("apps");
    std::fs::write(dir.path().join("broken.json"), "{ not json").unwrap();
    std::fs::write(dir.path().join("mixed.json"), scheduling_app().to_string()).unwrap();
    let apps = dir.path().to_str().unwrap();
    let (mut child, url) = serve(&["--apps", apps, "--clock", "virtual"]);
    let listed = admin_get(&url, "/apps").await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    let rejected = listed["meta"]["rejectedWorkflows"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{listed}");
    assert!(
        rejected[0]
            .as_str()
            .unwrap()
            .contains("kustomer.nope.nothing"),
        "{listed}"
    );
    let workflows = admin_get(&url, "/workflows").await.to_string();
    assert!(workflows.contains("mixed-start") && workflows.contains("mixed-later"));
    assert!(!workflows.contains("mixed-broken"));

    // An app event schedules the callable 60 seconds on; the clock moves, it runs.
    let event = r#"{"name": "kustomer.app.mixed.start", "data": {}}"#;
    assert_eq!(admin_post(&url, "/events", event).await, 201);
    wait_for_a_run(&url, "workflow=mixed-start", "the app event's run").await;
    assert_eq!(
        admin_post(&url, "/clock", r#"{"advance": "59s"}"#).await,
        200
    );
    let pending = admin_get(&url, "/schedules").await;
    assert_eq!(
        pending["data"].as_array().unwrap().len(),
        1,
        "not due yet: {pending}"
    );
    assert_eq!(
        admin_post(&url, "/clock", r#"{"advance": "1s"}"#).await,
        200
    );
    wait_for_a_run(
        &url,
        "workflow=mixed-later",
        "the scheduled run after the clock moved",
    )
    .await;
    assert!(sigterm_and_wait(&mut child).success());

    // --no-workflows: the app's actions load, none of its workflows.
    let (mut child, url) = serve(&["--apps", apps, "--no-workflows"]);
    let workflows = admin_get(&url, "/workflows").await;
    assert_eq!(
        workflows["data"].as_array().unwrap().len(),
        0,
        "{workflows}"
    );
    assert_eq!(
        admin_get(&url, "/apps").await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(sigterm_and_wait(&mut child).success());
}
