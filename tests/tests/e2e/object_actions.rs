//! The actions on companies, notes, klasses and KObjects (`kustomer.company.*`,
//! `kustomer.note.update` / `.find-by-id` / `.find-by-external`, `kustomer.klass.*`,
//! `kustomer.kobject.*`): each one working, and each one failing (the step's error, and its
//! `errorCases` taken).

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{Run, RunState, load_value};
use serde_json::{Value, json};

use crate::common::*;

const UNKNOWN: &str = "0123456789abcdef01234567";
const COMPANY: &str = "64a0c0ffee00000000001c01";
const NOTE: &str = "64a0c0ffee00000000001d01";
const ORDER_1042: &str = "64a0c0ffee00000000001b01";

pub(crate) fn go(target: &str) -> Value {
    json!([{"target": target, "condition": {"op": "true", "values": [true]}}])
}

pub(crate) fn step(id: &str, action: &str, params: Value, next: Option<&str>) -> Value {
    let transitions = next.map(go).unwrap_or_else(|| json!([]));
    json!({"id": id, "action": action, "params": params, "transitions": transitions, "errorCases": []})
}

/// A workflow on `kustomer.message.create` running `steps` in order.
pub(crate) fn on_message(id: &str, name: &str, steps: Vec<Value>) -> Value {
    json!({
        "id": id,
        "name": name,
        "trigger": {"id": "1", "eventName": "kustomer.message.create", "transitions": go(steps[0]["id"].as_str().unwrap())},
        "steps": steps
    })
}

/// Runs `steps` in order on one inbound message and returns the run.
pub(crate) async fn run_steps(steps: Vec<Value>) -> (Harness, Run) {
    let definition = on_message("64a0c0ffee0000000000b778", "objects", steps);
    let harness = harness_with(vec![load_value(definition, "objects").unwrap()]).await;
    trigger(&harness).await;
    let runs = harness.runs_of("objects");
    assert_eq!(runs.len(), 1, "{runs:#?}");
    let run = runs[0].clone();
    assert_eq!(run.state, RunState::Completed, "{run:#?}");
    (harness, run)
}

/// Posts an inbound message on CONV_2 and waits for the runs.
pub(crate) async fn trigger(harness: &Harness) {
    let body = r#"{"channel": "email", "app": "postmark", "direction": "in", "preview": "Hello"}"#;
    let path = format!("/v1/conversations/{CONV_2}/messages");
    let created = post(harness.server(), &path, WORKFLOW, body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    settle(harness).await;
}

pub(crate) fn output(run: &Run, step: &str) -> Value {
    let log = run.steps.iter().find(|s| s.id == step).unwrap();
    log.output.as_ref().expect("an output").value().clone()
}

#[tokio::test]
async fn companies_are_created_updated_and_found() {
    let (harness, run) = run_steps(vec![
        step(
            "create",
            "kustomer.company.create",
            json!({"name": "Difference Engines", "externalId": "comp-diff"}),
            Some("update"),
        ),
        step(
            "update",
            "kustomer.company.update",
            json!({"id": "/#steps.create.id", "employeeCount": 40}),
            Some("byId"),
        ),
        step(
            "byId",
            "kustomer.company.find",
            json!({"identifier": COMPANY}),
            Some("byExternal"),
        ),
        step(
            "byExternal",
            "kustomer.company.find",
            json!({"identifier": "comp-diff"}),
            Some("external"),
        ),
        step(
            "external",
            "kustomer.company.find-by-external-id",
            json!({"externalId": "comp-engines"}),
            None,
        ),
    ])
    .await;
    assert_eq!(output(&run, "create")["name"], "Difference Engines");
    assert_eq!(output(&run, "update")["employeeCount"], 40.0);
    assert_eq!(output(&run, "byId")["name"], "Analytical Engines Ltd");
    assert_eq!(
        output(&run, "byExternal")["id"],
        output(&run, "create")["id"]
    );
    assert_eq!(output(&run, "external")["id"], COMPANY);
    // The update went through the store.
    let id = output(&run, "create")["id"].as_str().unwrap().to_string();
    let company = get(harness.server(), &format!("/v1/companies/{id}"), WORKFLOW).await;
    assert_eq!(company.data()["attributes"]["employeeCount"], 40.0);
}

#[tokio::test]
async fn notes_are_updated_and_found() {
    let (harness, run) = run_steps(vec![
        step(
            "update",
            "kustomer.note.update",
            json!({"id": NOTE, "body": "The carrier found the parcel.", "externalId": "trace-1"}),
            Some("byId"),
        ),
        step(
            "byId",
            "kustomer.note.find-by-id",
            json!({"id": NOTE}),
            Some("byExternal"),
        ),
        step(
            "byExternal",
            "kustomer.note.find-by-external",
            json!({"externalId": "trace-1"}),
            None,
        ),
    ])
    .await;
    assert_eq!(
        output(&run, "update")["body"],
        "The carrier found the parcel."
    );
    assert_eq!(output(&run, "byId")["externalId"], "trace-1");
    assert_eq!(output(&run, "byExternal")["id"], NOTE);
    assert_eq!(
        output(&run, "byExternal")["conversation"],
        "64a0c0ffee00000000000b04"
    );
    let note = get(harness.server(), &format!("/v1/notes/{NOTE}"), WORKFLOW).await;
    assert_eq!(
        note.data()["attributes"]["body"],
        "The carrier found the parcel."
    );
}

#[tokio::test]
async fn klasses_and_kobjects_are_created_found_changed_and_deleted() {
    let (harness, run) = run_steps(vec![
        step(
            "klass",
            "kustomer.klass.create",
            json!({"name": "subscription", "displayName": "Subscription"}),
            Some("klassByName"),
        ),
        step(
            "klassByName",
            "kustomer.klass.find-by-klassname",
            json!({"klassName": "subscription"}),
            Some("plain"),
        ),
        step(
            "plain",
            "kustomer.kobject.create",
            json!({"klassName": "subscription", "title": "Plan A", "externalId": "sub-1"}),
            Some("withCustomer"),
        ),
        step(
            "withCustomer",
            "kustomer.kobject.create-with-customer",
            json!({"klassName": "order", "customer": CUSTOMER_ADA, "title": "Order #2001", "externalId": "order-2001", "custom": {"statusStr": "new"}}),
            Some("find"),
        ),
        step(
            "find",
            "kustomer.kobject.find",
            json!({"klassName": "order", "identifier": "order-1042"}),
            Some("findById"),
        ),
        step(
            "findById",
            "kustomer.kobject.find",
            json!({"klassName": "order", "id": ORDER_1042}),
            Some("external"),
        ),
        step(
            "external",
            "kustomer.kobject.find-by-external-id",
            json!({"klassName": "order", "externalId": "order-2001"}),
            Some("update"),
        ),
        step(
            "update",
            "kustomer.kobject.update",
            json!({"klassName": "order", "id": "/#steps.withCustomer.id", "custom": {"statusStr": "paid"}}),
            Some("relate"),
        ),
        step(
            "relate",
            "kustomer.kobject.add-relationship",
            json!({"klassName": "order", "id": "/#steps.withCustomer.id", "company": COMPANY}),
            Some("delete"),
        ),
        step(
            "delete",
            "kustomer.kobject.delete",
            json!({"klassName": "subscription", "id": "/#steps.plain.id"}),
            None,
        ),
    ])
    .await;
    assert_eq!(
        output(&run, "klassByName")["id"],
        output(&run, "klass")["id"]
    );
    assert_eq!(output(&run, "plain")["klass"], output(&run, "klass")["id"]);
    assert_eq!(output(&run, "withCustomer")["customer"], CUSTOMER_ADA);
    assert_eq!(output(&run, "find")["id"], ORDER_1042);
    assert_eq!(output(&run, "findById")["title"], "Order #1042");
    assert_eq!(
        output(&run, "external")["id"],
        output(&run, "withCustomer")["id"]
    );
    assert_eq!(output(&run, "update")["custom"]["statusStr"], "paid");
    assert_eq!(output(&run, "relate")["company"], COMPANY);
    assert_eq!(output(&run, "delete")["deleted"], true);
    // The writes went through the store.
    let order = output(&run, "withCustomer")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let server = harness.server();
    let stored = get(server, &format!("/v1/klasses/order/{order}"), ADMIN).await;
    let stored = stored.data();
    assert_eq!(stored["attributes"]["custom"]["statusStr"], "paid");
    assert_eq!(stored["relationships"]["company"]["data"]["id"], COMPANY);
    assert_eq!(
        stored["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
    let plain = output(&run, "plain")["id"].as_str().unwrap().to_string();
    let gone = get(server, &format!("/v1/klasses/subscription/{plain}"), ADMIN).await;
    assert_eq!(gone.status, 404, "{}", gone.body);
}

#[tokio::test]
async fn each_object_action_that_fails_takes_its_error_case() {
    let cases = [
        (
            "kustomer.company.create",
            json!({"externalId": "no-name"}),
            400,
        ),
        (
            "kustomer.company.update",
            json!({"id": UNKNOWN, "name": "Nobody Inc"}),
            404,
        ),
        (
            "kustomer.company.find",
            json!({"identifier": "no-such-company"}),
            404,
        ),
        (
            "kustomer.company.find-by-external-id",
            json!({"externalId": "no-such"}),
            404,
        ),
        (
            "kustomer.note.update",
            json!({"id": UNKNOWN, "body": "x"}),
            404,
        ),
        ("kustomer.note.find-by-id", json!({"id": UNKNOWN}), 404),
        (
            "kustomer.note.find-by-external",
            json!({"externalId": "no-such"}),
            404,
        ),
        ("kustomer.klass.create", json!({"name": "order"}), 409),
        (
            "kustomer.klass.find-by-klassname",
            json!({"klassName": "no-such"}),
            404,
        ),
        (
            "kustomer.kobject.create",
            json!({"klassName": "no-such", "title": "x"}),
            404,
        ),
        (
            "kustomer.kobject.create-with-customer",
            json!({"klassName": "order", "customer": UNKNOWN, "title": "x"}),
            404,
        ),
        (
            "kustomer.kobject.find",
            json!({"klassName": "order", "identifier": UNKNOWN}),
            404,
        ),
        (
            "kustomer.kobject.find-by-external-id",
            json!({"klassName": "order", "externalId": "no-such"}),
            404,
        ),
        (
            "kustomer.kobject.update",
            json!({"klassName": "order", "id": UNKNOWN, "title": "x"}),
            404,
        ),
        (
            "kustomer.kobject.delete",
            json!({"klassName": "order", "id": UNKNOWN}),
            404,
        ),
        (
            "kustomer.kobject.add-relationship",
            json!({"klassName": "order", "id": UNKNOWN, "company": COMPANY}),
            404,
        ),
    ];
    // One workflow per action, all on the same trigger, in one harness.
    let workflows = cases
        .iter()
        .enumerate()
        .map(|(n, (action, params, _))| {
            let mut failing = step("s", action, params.clone(), None);
            failing["errorCases"] = go("handled");
            let handled = step(
                "handled",
                "kustomer.transform.generic",
                json!({"input": {"handled": true}}),
                None,
            );
            let id = format!("64a0c0ffee0000000000c{n:03x}");
            load_value(on_message(&id, action, vec![failing, handled]), action).unwrap()
        })
        .collect();
    let harness = harness_with(workflows).await;
    trigger(&harness).await;
    for (action, _, status) in cases {
        let runs = harness.runs_of(action);
        assert_eq!(runs.len(), 1, "{action}: {runs:#?}");
        let run = &runs[0];
        let error = run.steps[0].error.as_ref().expect("the step failed");
        assert_eq!(error["status"], status, "{action}: {error}");
        assert_eq!(run.steps.len(), 2, "{action}: the error case ran: {run:#?}");
        assert_eq!(output(run, "handled")["handled"], true, "{action}");
    }
}
