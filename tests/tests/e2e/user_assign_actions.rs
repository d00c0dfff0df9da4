//! The native user and assignment actions on a message trigger: `kustomer.user.find-by-id`,
//! `.find-by-email`, `kustomer.conversation.assign-user` and `.assign-team`, what they
//! write to the store (through the one update path, with `changes`) and what the run log
//! shows when a user, team or email is unknown.

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{Run, RunState, load_value};
use kustomer_mock::{BusItem, MockServer};
use serde_json::{Value, json};

use crate::common::*;

const JORDAN: &str = "64a0c0ffee00000000000d01";
const PRIYA: &str = "64a0c0ffee00000000000d02";
const BILLING: &str = "64a0c0ffee00000000000e01";
const UNKNOWN: &str = "0123456789abcdef01234567";

/// A step running `action` on `params`, then going on to `next` (if any).
fn step(id: &str, action: &str, params: Value, next: Option<&str>) -> Value {
    let transitions = match next {
        Some(target) => json!([{"target": target, "condition": {"op": "true", "values": [true]}}]),
        None => json!([]),
    };
    json!({"id": id, "action": action, "params": params, "transitions": transitions, "errorCases": []})
}

/// A workflow called `name` on `kustomer.message.create` whose steps run in order.
async fn harness_on_message(name: &str, steps: Vec<Value>) -> Harness {
    let first = steps[0]["id"].clone();
    let definition = json!({
        "id": "64a0c0ffee0000000000b555",
        "name": name,
        "trigger": {
            "id": "1",
            "eventName": "kustomer.message.create",
            "transitions": [{"target": first, "condition": {"op": "true", "values": [true]}}]
        },
        "steps": steps
    });
    harness_with(vec![load_value(definition, name).unwrap()]).await
}

/// Posts an inbound email on CONV_2 and waits for the runs it starts.
async fn trigger(harness: &Harness) {
    let body = r#"{"channel": "email", "app": "postmark", "direction": "in", "preview": "hi"}"#;
    let created = post(
        harness.server(),
        &format!("/v1/conversations/{CONV_2}/messages"),
        WORKFLOW,
        body,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    settle(harness).await;
}

/// The one run of `name`.
fn only_run(harness: &Harness, name: &str) -> Run {
    let runs = harness.runs_of(name);
    assert_eq!(runs.len(), 1, "{runs:#?}");
    runs[0].clone()
}

fn output(run: &Run, step: &str) -> Value {
    let log = run.steps.iter().find(|s| s.id == step).unwrap();
    log.output
        .as_ref()
        .expect("the step has an output")
        .value()
        .clone()
}

async fn assignees(server: &MockServer) -> (Value, Value) {
    let answer = get(server, &format!("/v1/conversations/{CONV_2}"), WORKFLOW).await;
    let attributes = &answer.data()["attributes"];
    (
        attributes["assignedUsers"].clone(),
        attributes["assignedTeams"].clone(),
    )
}

#[tokio::test]
async fn users_are_found_by_email_and_id_and_assigned_with_a_team() {
    let harness = harness_on_message(
        "assign",
        vec![
            step(
                "byEmail",
                "kustomer.user.find-by-email",
                json!({"email": "PRIYA@Acme.Example"}),
                Some("byId"),
            ),
            step(
                "byId",
                "kustomer.user.find-by-id",
                json!({"id": "/#steps.byEmail.id"}),
                Some("user"),
            ),
            step(
                "user",
                "kustomer.conversation.assign-user",
                json!({"id": "/#steps.1.conversation", "user": "/#steps.byId.id"}),
                Some("team"),
            ),
            step(
                "team",
                "kustomer.conversation.assign-team",
                json!({"id": "/#steps.1.conversation", "team": BILLING}),
                None,
            ),
        ],
    )
    .await;
    let server = harness.server();
    // Jordan is already assigned: assigning adds to the list, it does not replace it.
    let jordan = put(
        server,
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        &json!({"assignedUsers": [JORDAN]}).to_string(),
    )
    .await;
    assert_eq!(jordan.status, 200, "{}", jordan.body);
    let mut sub = server.bus().subscribe(None);
    trigger(&harness).await;

    let run = only_run(&harness, "assign");
    assert_eq!(run.state, RunState::Completed, "{run:#?}");
    let by_email = output(&run, "byEmail");
    assert_eq!(by_email["id"], PRIYA);
    assert_eq!(
        by_email["name"], "Priya Natarajan",
        "flattened: attributes on top"
    );
    assert_eq!(by_email["email"], "priya@acme.example");
    assert_eq!(output(&run, "byId")["email"], "priya@acme.example");
    assert_eq!(
        output(&run, "user")["assignedUsers"],
        json!([JORDAN, PRIYA])
    );
    assert_eq!(output(&run, "team")["assignedTeams"], json!([BILLING]));
    assert_eq!(
        assignees(server).await,
        (json!([JORDAN, PRIYA]), json!([BILLING]))
    );

    // Each assignment is an ordinary conversation update, with its `changes`.
    let mut changed = Vec::new();
    while let Some(item) = sub.try_recv() {
        if let BusItem::Event(e) = item
            && e.name == "kustomer.conversation.update"
            && let Some(changes) = e.changes.as_ref()
        {
            let attributes = changes.value()["attributes"].clone();
            for key in ["assignedUsers", "assignedTeams"] {
                if let Some(change) = attributes.get(key) {
                    changed.push((key, change["after"].clone()));
                }
            }
        }
    }
    assert_eq!(
        changed,
        [
            ("assignedUsers", json!([JORDAN, PRIYA])),
            ("assignedTeams", json!([BILLING]))
        ]
    );
}

#[tokio::test]
async fn assigning_someone_already_assigned_changes_nothing() {
    let harness = harness_on_message(
        "again",
        vec![step(
            "team",
            "kustomer.conversation.assign-team",
            json!({"id": "/#steps.1.conversation", "team": BILLING}),
            None,
        )],
    )
    .await;
    trigger(&harness).await;
    trigger(&harness).await;
    let runs = harness.runs_of("again");
    assert_eq!(runs.len(), 2);
    assert!(
        runs.iter().all(|r| r.state == RunState::Completed),
        "{runs:#?}"
    );
    assert_eq!(assignees(harness.server()).await.1, json!([BILLING]));
}

#[tokio::test]
async fn an_unknown_user_is_the_stores_400_in_the_run_log() {
    let harness = harness_on_message(
        "unknown-user",
        vec![step(
            "user",
            "kustomer.conversation.assign-user",
            json!({"id": "/#steps.1.conversation", "user": UNKNOWN}),
            None,
        )],
    )
    .await;
    trigger(&harness).await;
    let run = only_run(&harness, "unknown-user");
    assert_eq!(run.state, RunState::Failed);
    let error = run.steps[0].error.as_ref().expect("the step failed");
    assert_eq!(error["status"], 400, "{error}");
    assert_eq!(error["body"]["errors"][0]["code"], "unknown_user");
    assert_eq!(assignees(harness.server()).await.0, json!([]));
}

#[tokio::test]
async fn an_unknown_team_is_the_stores_400_in_the_run_log() {
    let harness = harness_on_message(
        "unknown-team",
        vec![step(
            "team",
            "kustomer.conversation.assign-team",
            json!({"id": "/#steps.1.conversation", "team": UNKNOWN}),
            None,
        )],
    )
    .await;
    trigger(&harness).await;
    let run = only_run(&harness, "unknown-team");
    assert_eq!(run.state, RunState::Failed);
    let error = run.steps[0].error.as_ref().expect("the step failed");
    assert_eq!(error["status"], 400, "{error}");
    assert_eq!(error["body"]["errors"][0]["code"], "unknown_team");
    assert_eq!(assignees(harness.server()).await.1, json!([]));
}

#[tokio::test]
async fn unknown_emails_and_ids_are_404s_and_a_missing_param_is_named() {
    for (name, action, params, status) in [
        (
            "no-email",
            "kustomer.user.find-by-email",
            json!({"email": "nobody@acme.example"}),
            404,
        ),
        (
            "no-id",
            "kustomer.user.find-by-id",
            json!({"id": UNKNOWN}),
            404,
        ),
        (
            "no-user-param",
            "kustomer.conversation.assign-user",
            json!({"id": "/#steps.1.conversation"}),
            400,
        ),
    ] {
        let harness = harness_on_message(name, vec![step("s", action, params, None)]).await;
        trigger(&harness).await;
        let run = only_run(&harness, name);
        assert_eq!(run.state, RunState::Failed, "{name}");
        let error = run.steps[0].error.as_ref().expect("the step failed");
        assert_eq!(error["status"], status, "{name}: {error}");
        if status == 400 {
            let message = error["message"].as_str().unwrap();
            assert!(message.contains("`user`"), "{name}: {message}");
        }
    }
}
