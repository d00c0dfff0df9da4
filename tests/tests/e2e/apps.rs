//! Kustomer apps, scheduled workflows, notes and agents.

use std::time::Duration;

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::apps::{App, AppCatalog, SettingValues};
use kustomer_harness::workflow::{RunState, load_value, load_value_with};
use kustomer_mock::Clock;
use reqwest::Method;
use serde_json::json;

use crate::common::*;

const AGENT: &str = "64a0c0ffee00000000000d01";

fn sla_app(settings: SettingValues) -> App {
    App::load_file(&fixtures_dir().join("apps/sla-timer.json"), &settings).unwrap()
}

async fn start_timer(harness: &Harness) {
    let server = harness.server();
    put(
        server,
        &format!("/v1/conversations/{CONV_2}"),
        ADMIN,
        &json!({"assignedUsers": [AGENT]}).to_string(),
    )
    .await;
    let started = server.clock().now().to_iso();
    let body = json!({"custom": {"@slaTimerBool": true, "@slaTimerStartAt": started}});
    assert_eq!(
        put(
            server,
            &format!("/v1/conversations/{CONV_2}"),
            ADMIN,
            &body.to_string()
        )
        .await
        .status,
        200
    );
    settle(harness).await;
}

#[tokio::test]
async fn scheduled_workflows_wait_for_the_virtual_clock() {
    let harness = Harness::builder()
        .fixtures(acme())
        .app(sla_app(SettingValues::new()))
        .start()
        .await
        .unwrap();
    start_timer(&harness).await;
    let scheduled = harness.engine().scheduled();
    assert_eq!(scheduled.len(), 1);
    assert_eq!(scheduled[0].workflow, "64a0c0ffee0000000000e002");
    assert_eq!(
        scheduled[0].due.to_iso(),
        "2026-11-24T00:30:00.000Z",
        "30 minutes after it was scheduled"
    );

    harness.server().clock().advance(29 * 60_000);
    settle(&harness).await;
    assert!(harness.runs_of("sla-timer-check").is_empty(), "not due yet");

    harness.server().clock().advance(60_000);
    settle(&harness).await;
    let runs = harness.runs_of("sla-timer-check");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.state, RunState::Completed, "{}", run.summary);
    assert!(harness.engine().scheduled().is_empty());
    let taken: Vec<&str> = run.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        taken,
        [
            "findConversation",
            "findAgent",
            "noteIt",
            "currentTime",
            "elapsed",
            "recordDuration"
        ]
    );
    assert_eq!(
        run.steps[1].output.as_ref().unwrap()["name"],
        "Jordan Rivers",
        "the fixture agent"
    );
    assert_eq!(run.steps[4].output.as_ref().unwrap()["match"], "30");
    assert_eq!(
        run.steps[5].params["durationNum"], 30,
        "/#fn:parseInt gave a number"
    );

    let conversation = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
    )
    .await;
    let custom = &conversation.data()["attributes"]["custom"];
    assert_eq!(custom["@slaDurationNum"], 30);
    assert_eq!(custom["@slaTimerBool"], false);
    assert_eq!(custom["@slaStoppedAt"], "2026-11-24T00:30:00.000Z");

    let notes = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_2}/notes"),
        WORKFLOW,
    )
    .await;
    assert_eq!(notes.body["meta"]["total"], 1);
    let note = &notes.data()[0];
    assert!(
        note["attributes"]["body"]
            .as_str()
            .unwrap()
            .contains("30 minutes, Jordan Rivers"),
        "{note}"
    );
    assert_eq!(note["attributes"]["userMentions"], json!([{"user": AGENT}]));
    // The app's REST action went to the mock (its Kustomer host was redirected) with the app's token.
    let puts: Vec<_> = harness
        .server()
        .journal()
        .entries()
        .into_iter()
        .filter(|e| e.method == "PUT" && e.key.as_deref() == Some("acme-workflow"))
        .collect();
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].request_body["custom"]["@slaDurationNum"], 30);
}

#[tokio::test]
async fn app_secrets_are_masked_and_settings_are_used() {
    let mut settings = SettingValues::new();
    settings
        .entry("default".into())
        .or_default()
        .insert("authToken".into(), json!(ADMIN));
    let harness = Harness::builder()
        .fixtures(acme())
        .app(sla_app(settings))
        .start()
        .await
        .unwrap();
    start_timer(&harness).await;
    harness.server().clock().advance(30 * 60_000);
    settle(&harness).await;
    let journal = harness.server().journal().entries();
    let app_put = journal.iter().find(|e| e.cause.run.is_some()).unwrap();
    assert_eq!(
        app_put.request_headers["authorization"], "Bearer [key:acme-admin]",
        "the supplied setting was used"
    );
    let everything = serde_json::to_string(&(harness.runs(), harness.journal())).unwrap();
    assert!(
        !everything.contains(ADMIN),
        "the app's secret setting never shows"
    );
    let apps = admin(harness.server(), Method::GET, "/apps", None).await;
    assert_eq!(
        apps.data()[0]["actions"],
        json!(["kustomer.app.sla_timer.record-duration"])
    );
    assert!(!apps.body.to_string().contains(ADMIN));
}

#[tokio::test]
async fn app_actions_need_their_app() {
    let app = sla_app(SettingValues::new());
    let workflow = json!({"name": "w", "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "s"}]},
                          "steps": [{"id": "s", "action": "kustomer.app.sla_timer_00ff.record-duration", "params": {}}]});
    let error = load_value(workflow.clone(), "w.json").unwrap_err();
    assert_eq!(error.path, "$.steps[0].action");
    assert!(
        error.message.contains("load the app's definition"),
        "{error}"
    );
    let mut catalog = AppCatalog::default();
    catalog.add(&app);
    assert!(
        load_value_with(workflow, "w.json", &catalog).is_ok(),
        "an org-suffixed app name resolves"
    );
}

#[tokio::test]
async fn on_a_real_clock_schedules_fire_by_themselves() {
    let scheduler = load_value(
        json!({"name": "later", "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "s", "condition": {"op": "changed", "values": ["priority"]}}]},
               "steps": [{"id": "s", "action": "kustomer.app.scheduler.schedule-workflow",
                          "params": {"runAt": {"type": "absolute", "value": "2020-01-01T00:00:00.000Z"}, "workflowId": "64a0c0ffee0000000000ca11",
                                     "inputs": {"conversationId": "/#steps.1.id", "reason": "overdue"}}}]}),
        "later",
    )
    .unwrap();
    let harness = Harness::builder()
        .fixtures(acme())
        .clock(Clock::real())
        .workflow(scheduler)
        .workflow(workflow("escalate-conversation"))
        .start()
        .await
        .unwrap();
    put(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        ADMIN,
        r#"{"priority":2}"#,
    )
    .await;
    // Nobody settles: the ticker alone must start it. Wait on the run, bounded.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if harness
            .runs_of("escalate-conversation")
            .iter()
            .any(|r| r.state == RunState::Completed)
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the scheduled workflow never ran"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let conversation = get(
        harness.server(),
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(
        conversation.data()["attributes"]["custom"]["escalationReasonStr"],
        "overdue"
    );
}

#[tokio::test]
async fn notes_over_the_api_and_as_events() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    let created = post(
        &server,
        &format!("/v1/conversations/{CONV_1}/notes"),
        WORKFLOW,
        r#"{"body":"Called the customer back"}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.data()["type"], "note");
    assert_eq!(
        created.data()["relationships"]["conversation"]["data"]["id"],
        CONV_1
    );
    assert_eq!(
        created.data()["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
    match sub.try_recv() {
        Some(kustomer_mock::BusItem::Event(e)) => assert_eq!(e.name, "kustomer.note.create"),
        other => panic!("{other:?}"),
    }
    post(
        &server,
        &format!("/v1/conversations/{CONV_1}/notes"),
        WORKFLOW,
        "{}",
    )
    .await
    .expect_error(400, "required");
    post(
        &server,
        &format!("/v1/conversations/{CONV_1}/notes"),
        READONLY,
        r#"{"body":"x"}"#,
    )
    .await
    .expect_error(403, "missing_role");
    post(
        &server,
        "/v1/conversations/64a0c0ffee0000000000dead/notes",
        WORKFLOW,
        r#"{"body":"x"}"#,
    )
    .await
    .expect_error(404, "not_found");
    let listed = get(
        &server,
        &format!("/v1/conversations/{CONV_1}/notes"),
        READONLY,
    )
    .await;
    assert_eq!(listed.body["meta"]["total"], 1);
    let state = admin(&server, Method::GET, "/state", None).await;
    let users = state.body["orgs"][0]["users"].as_array().unwrap();
    assert!(users.iter().any(|u| u["id"] == AGENT
        && u["attributes"]["userType"] == "user"
        && u["attributes"]["email"] == "jordan@acme.example"));
}
