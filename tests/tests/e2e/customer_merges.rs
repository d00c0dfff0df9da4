//! Customer merges: `POST /v1/customers/merges` merges the source into the target by
//! Kustomer's rules and deletes the source; its records move with their own update events;
//! the merge is read back by id and by either customer; bad merges are refused whole.

use kustomer_mock::{EventQuery, MockServer};
use serde_json::{Value, json};

use kustomer_harness::workflow::load_value;

use crate::common::*;
use crate::object_actions::{go, on_message, output, run_steps, step, trigger};

const CUSTOMER_GRACE: &str = "64a0c0ffee00000000000c02";
const ORDER_1043: &str = "64a0c0ffee00000000001b02";
const UNKNOWN: &str = "64a0c0ffee0000000000ffff";

/// The `data` of each event called `name` about record `id`, with its `changes`.
fn events_about(server: &MockServer, name: &str, id: &str) -> Vec<(Value, Value)> {
    let query = EventQuery {
        name: Some(name.to_string()),
        data_id: kustomer_mock::Id::parse(id),
        ..Default::default()
    };
    server
        .bus()
        .query(&query)
        .events
        .into_iter()
        .map(|(_, event)| {
            let changes = event.changes.as_ref().map(|c| c.value().clone());
            (event.data.value().clone(), changes.unwrap_or(Value::Null))
        })
        .collect()
}

async fn merge(server: &MockServer, token: &str, source: &str, target: &str) -> Answer {
    let body = json!({"source": source, "target": target}).to_string();
    post(server, "/v1/customers/merges", token, &body).await
}

#[tokio::test]
async fn the_source_is_merged_into_the_target_and_deleted() {
    let server = server().await;
    let custom = json!({"custom": {"tierStr": "gold"}, "username": "grace.h"}).to_string();
    let changed = put(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}"),
        ADMIN,
        &custom,
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let before = get(&server, &format!("/v1/customers/{CUSTOMER_ADA}"), ADMIN).await;
    let counts_before = before.data()["attributes"]["conversationCounts"]["all"]
        .as_u64()
        .unwrap();

    let merged = merge(&server, ADMIN, CUSTOMER_GRACE, CUSTOMER_ADA).await;
    assert_eq!(merged.status, 201, "{}", merged.body);
    let record = merged.data();
    assert_eq!(record["type"], "customer_merge");
    assert_eq!(record["attributes"]["status"], "success");
    assert_eq!(
        record["relationships"]["source"]["data"]["id"],
        CUSTOMER_GRACE
    );
    assert_eq!(
        record["relationships"]["target"]["data"]["id"],
        CUSTOMER_ADA
    );
    assert_eq!(
        record["relationships"]["target"]["links"]["self"],
        format!("/v1/customers/{CUSTOMER_ADA}")
    );
    let id = record["id"].as_str().unwrap();
    assert_eq!(
        record["links"]["self"],
        format!("/v1/customers/merges/{id}")
    );

    get(&server, &format!("/v1/customers/{CUSTOMER_GRACE}"), ADMIN)
        .await
        .expect_error(404, "not_found");
    let target = get(&server, &format!("/v1/customers/{CUSTOMER_ADA}"), ADMIN).await;
    let attributes = &target.data()["attributes"];
    let emails: Vec<&str> = attributes["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["ada@example.com", "grace@example.com"]);
    assert_eq!(attributes["name"], "Ada Lovelace");
    assert_eq!(attributes["externalId"], "cust-ada");
    assert_eq!(attributes["username"], "grace.h", "the target had none");
    assert_eq!(attributes["custom"]["tierStr"], "gold");
    assert_eq!(
        attributes["conversationCounts"]["all"].as_u64().unwrap(),
        counts_before + 1,
        "Grace's conversation counts for Ada now"
    );

    let moved = get(&server, &format!("/v1/conversations/{CONV_2}"), ADMIN).await;
    assert_eq!(
        moved.data()["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
    let order = get(&server, &format!("/v1/klasses/order/{ORDER_1043}"), ADMIN).await;
    assert_eq!(
        order.data()["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
}

#[tokio::test]
async fn every_changed_record_sends_its_event() {
    let server = server().await;
    let merged = merge(&server, ADMIN, CUSTOMER_GRACE, CUSTOMER_ADA).await;
    assert_eq!(merged.status, 201, "{}", merged.body);

    let moved = events_about(&server, "kustomer.conversation.update", CONV_2);
    assert_eq!(moved.len(), 1, "{moved:#?}");
    assert_eq!(
        moved[0].1["relationships"]["customer"]["after"]["id"], CUSTOMER_ADA,
        "{:#}",
        moved[0].1
    );
    let order = events_about(&server, "kustomer.kobject.order.update", ORDER_1043);
    assert_eq!(order.len(), 1, "{order:#?}");
    let target = events_about(&server, "kustomer.customer.update", CUSTOMER_ADA);
    assert_eq!(target.len(), 1, "{target:#?}");
    assert!(
        target[0].1["attributes"]["emails"].is_object(),
        "the united emails are a change: {:#}",
        target[0].1
    );
    assert!(
        target[0].1["attributes"]["conversationCounts"].is_object(),
        "the counts the moved conversation brought are a change: {:#}",
        target[0].1
    );
    let source = events_about(&server, "kustomer.customer.delete", CUSTOMER_GRACE);
    assert_eq!(source.len(), 1, "{source:#?}");
}

#[tokio::test]
async fn a_merge_is_read_back_by_id_and_by_either_customer() {
    let server = server().await;
    let merged = merge(&server, ADMIN, CUSTOMER_GRACE, CUSTOMER_ADA).await;
    let id = merged.data()["id"].as_str().unwrap().to_string();

    let read = get(&server, &format!("/v1/customers/merges/{id}"), READONLY).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body, merged.body);
    for customer in [CUSTOMER_ADA, CUSTOMER_GRACE] {
        let listed = get(
            &server,
            &format!("/v1/customers/{customer}/merges"),
            READONLY,
        )
        .await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        assert_eq!(listed.each("id"), [id.as_str()]);
        assert_eq!(listed.body["meta"]["page"], 1);
    }
    let none = get(
        &server,
        "/v1/customers/64a0c0ffee00000000000c03/merges",
        ADMIN,
    )
    .await;
    assert_eq!(none.status, 200, "{}", none.body);
    assert_eq!(none.data(), &json!([]));
    get(&server, &format!("/v1/customers/{UNKNOWN}/merges"), ADMIN)
        .await
        .expect_error(404, "not_found");
    get(&server, &format!("/v1/customers/merges/{UNKNOWN}"), ADMIN)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn bad_merges_are_refused_and_change_nothing() {
    let server = server().await;
    let same = merge(&server, ADMIN, CUSTOMER_ADA, CUSTOMER_ADA).await;
    assert_eq!(
        same.expect_error(400, "invalid_value")["source"]["pointer"],
        "/target"
    );
    let unknown = merge(&server, ADMIN, UNKNOWN, CUSTOMER_ADA).await;
    assert_eq!(
        unknown.expect_error(404, "not_found")["source"]["pointer"],
        "/source"
    );
    let unknown = merge(&server, ADMIN, CUSTOMER_GRACE, UNKNOWN).await;
    assert_eq!(
        unknown.expect_error(404, "not_found")["source"]["pointer"],
        "/target"
    );
    let bad = merge(&server, ADMIN, "grace", CUSTOMER_ADA).await;
    assert_eq!(
        bad.expect_error(400, "invalid_id")["source"]["pointer"],
        "/source"
    );
    let missing = post(
        &server,
        "/v1/customers/merges",
        ADMIN,
        &json!({"source": CUSTOMER_GRACE}).to_string(),
    )
    .await;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert!(
        missing.body.to_string().contains("target"),
        "{}",
        missing.body
    );
    let extra = json!({"source": CUSTOMER_GRACE, "target": CUSTOMER_ADA, "force": true});
    let extra = post(&server, "/v1/customers/merges", ADMIN, &extra.to_string()).await;
    assert_eq!(extra.status, 400, "{}", extra.body);
    merge(&server, READONLY, CUSTOMER_GRACE, CUSTOMER_ADA)
        .await
        .expect_error(403, "missing_role");

    // Nothing moved and nobody was deleted.
    let grace = get(&server, &format!("/v1/customers/{CUSTOMER_GRACE}"), ADMIN).await;
    assert_eq!(grace.status, 200, "{}", grace.body);
    let conversation = get(&server, &format!("/v1/conversations/{CONV_2}"), ADMIN).await;
    assert_eq!(
        conversation.data()["relationships"]["customer"]["data"]["id"],
        CUSTOMER_GRACE
    );
    assert!(events_about(&server, "kustomer.customer.delete", CUSTOMER_GRACE).is_empty());
}

#[tokio::test]
async fn the_merge_action_merges_and_its_failure_takes_the_error_case() {
    let (harness, run) = run_steps(vec![step(
        "merge",
        "kustomer.customer.merge",
        json!({"source": CUSTOMER_GRACE, "target": CUSTOMER_ADA}),
        None,
    )])
    .await;
    let merged = output(&run, "merge");
    assert_eq!(merged["status"], "success", "{merged:#}");
    assert_eq!(merged["target"], CUSTOMER_ADA, "{merged:#}");
    get(
        harness.server(),
        &format!("/v1/customers/{CUSTOMER_GRACE}"),
        ADMIN,
    )
    .await
    .expect_error(404, "not_found");

    let mut failing = step(
        "merge",
        "kustomer.customer.merge",
        json!({"source": UNKNOWN, "target": CUSTOMER_ADA}),
        None,
    );
    failing["errorCases"] = go("handled");
    let handled = step(
        "handled",
        "kustomer.transform.generic",
        json!({"input": {"handled": true}}),
        None,
    );
    let definition = on_message(
        "64a0c0ffee0000000000d001",
        "merge-fails",
        vec![failing, handled],
    );
    let harness = harness_with(vec![load_value(definition, "merge-fails").unwrap()]).await;
    trigger(&harness).await;
    let runs = harness.runs_of("merge-fails");
    assert_eq!(runs.len(), 1, "{runs:#?}");
    let error = runs[0].steps[0].error.as_ref().expect("the step failed");
    assert_eq!(error["status"], 404, "{error}");
    assert_eq!(output(&runs[0], "handled")["handled"], true);
}
