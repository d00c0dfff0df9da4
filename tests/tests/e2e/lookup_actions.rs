//! The lookup actions and contact appends: `kustomer.customer.find {identifier}`,
//! `.find-by-phone`, `.append-email`, `.append-phone`, `kustomer.message.find-by-external`
//! and `kustomer.conversation.find-body`, each with its failing case (the step's error,
//! and its `errorCases` taken).

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{Run, RunState, load_value};
use serde_json::{Value, json};

use crate::common::*;

const UNKNOWN: &str = "0123456789abcdef01234567";

fn go(target: &str) -> Value {
    json!([{"target": target, "condition": {"op": "true", "values": [true]}}])
}

/// A workflow on `kustomer.message.create` running `steps` in order.
async fn harness_on_message(name: &str, steps: Vec<Value>) -> Harness {
    let definition = json!({
        "id": "64a0c0ffee0000000000b777",
        "name": name,
        "trigger": {"id": "1", "eventName": "kustomer.message.create", "transitions": go(steps[0]["id"].as_str().unwrap())},
        "steps": steps
    });
    harness_with(vec![load_value(definition, name).unwrap()]).await
}

fn step(id: &str, action: &str, params: Value, next: Option<&str>) -> Value {
    let transitions = next.map(go).unwrap_or_else(|| json!([]));
    json!({"id": id, "action": action, "params": params, "transitions": transitions, "errorCases": []})
}

/// Posts an inbound email (external id `mail-1`) on CONV_2 and waits for the runs.
async fn trigger(harness: &Harness) {
    let body = r#"{"channel": "email", "app": "postmark", "direction": "in", "preview": "Where is my refund?", "subject": "Refund", "externalId": "mail-1"}"#;
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

fn only_run(harness: &Harness, name: &str) -> Run {
    let runs = harness.runs_of(name);
    assert_eq!(runs.len(), 1, "{runs:#?}");
    runs[0].clone()
}

fn output(run: &Run, step: &str) -> Value {
    let log = run.steps.iter().find(|s| s.id == step).unwrap();
    log.output.as_ref().expect("an output").value().clone()
}

#[tokio::test]
async fn customers_are_found_by_any_identifier_and_gain_contacts() {
    let harness = harness_on_message(
        "lookups",
        vec![
            step(
                "byId",
                "kustomer.customer.find",
                json!({"identifier": CUSTOMER_ADA}),
                Some("byEmail"),
            ),
            step(
                "byEmail",
                "kustomer.customer.find",
                json!({"identifier": "grace@example.com"}),
                Some("byExternal"),
            ),
            step(
                "byExternal",
                "kustomer.customer.find",
                json!({"identifier": "cust-alan"}),
                Some("email"),
            ),
            step(
                "email",
                "kustomer.customer.append-email",
                json!({"id": CUSTOMER_ADA, "email": "ada@work.example", "type": "work"}),
                Some("again"),
            ),
            step(
                "again",
                "kustomer.customer.append-email",
                json!({"id": CUSTOMER_ADA, "email": "ADA@work.example"}),
                Some("phone"),
            ),
            step(
                "phone",
                "kustomer.customer.append-phone",
                json!({"id": CUSTOMER_ADA, "phone": "+1 800 555 1212"}),
                Some("byPhone"),
            ),
            step(
                "byPhone",
                "kustomer.customer.find-by-phone",
                json!({"phone": "18005551212"}),
                Some("message"),
            ),
            step(
                "message",
                "kustomer.message.find-by-external",
                json!({"externalId": "mail-1"}),
                Some("body"),
            ),
            step(
                "body",
                "kustomer.conversation.find-body",
                json!({"id": "/#steps.1.conversation"}),
                None,
            ),
        ],
    )
    .await;
    trigger(&harness).await;
    let run = only_run(&harness, "lookups");
    assert_eq!(run.state, RunState::Completed, "{run:#?}");
    assert_eq!(output(&run, "byId")["name"], "Ada Lovelace");
    assert_eq!(output(&run, "byEmail")["name"], "Grace Hopper");
    assert_eq!(output(&run, "byExternal")["name"], "Alan Turing");
    let emails = output(&run, "again")["emails"].clone();
    assert_eq!(
        emails,
        json!([{"type": "home", "email": "ada@example.com"}, {"email": "ada@work.example", "type": "work"}]),
        "appended once; the same email in other case is not appended again"
    );
    assert_eq!(output(&run, "byPhone")["id"], CUSTOMER_ADA);
    assert_eq!(output(&run, "message")["externalId"], "mail-1");
    let body = output(&run, "body");
    assert_eq!(body["body"], "Where is my refund?");
    assert_eq!(body["subject"], "Refund");
    assert_eq!(body["messageId"], output(&run, "message")["id"]);
    // The appends went through the store: the customer holds them.
    let ada = get(
        harness.server(),
        &format!("/v1/customers/{CUSTOMER_ADA}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(
        ada.data()["attributes"]["phones"][0]["phone"],
        "+1 800 555 1212"
    );
}

#[tokio::test]
async fn each_lookup_that_finds_nothing_fails_its_step_and_takes_its_error_case() {
    for (action, params) in [
        (
            "kustomer.customer.find",
            json!({"identifier": "nobody@nowhere.example"}),
        ),
        ("kustomer.customer.find-by-phone", json!({"phone": "999"})),
        (
            "kustomer.customer.append-email",
            json!({"id": UNKNOWN, "email": "x@y.example"}),
        ),
        (
            "kustomer.customer.append-phone",
            json!({"id": UNKNOWN, "phone": "123"}),
        ),
        (
            "kustomer.message.find-by-external",
            json!({"externalId": "no-such-mail"}),
        ),
        ("kustomer.conversation.find-body", json!({"id": UNKNOWN})),
    ] {
        let mut failing = step("s", action, params, None);
        failing["errorCases"] = go("handled");
        let handled = step(
            "handled",
            "kustomer.transform.generic",
            json!({"input": {"handled": true}}),
            None,
        );
        let harness = harness_on_message(action, vec![failing, handled]).await;
        trigger(&harness).await;
        let run = only_run(&harness, action);
        let error = run.steps[0].error.as_ref().expect("the step failed");
        assert_eq!(error["status"], 404, "{action}: {error}");
        assert_eq!(run.steps.len(), 2, "{action}: the error case ran: {run:#?}");
        assert_eq!(output(&run, "handled")["handled"], true, "{action}");
    }
}
