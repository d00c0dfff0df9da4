//! Messages over HTTP: the routes, what a message does to its conversation (counters,
//! channels, last-message times, the reopen rule), its events, the per-customer limit,
//! the native message actions and the shipped refund scenario's workflow.

use kustomer_harness::workflow::{RunState, load_value};
use kustomer_mock::{BusItem, Event, MockServer, Subscription};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Grace Hopper, who owns CONV_2.
const CUSTOMER_GRACE: &str = "64a0c0ffee00000000000c02";

fn inbound_email(preview: &str) -> String {
    json!({"channel": "email", "app": "postmark", "direction": "in", "subject": "Hello", "preview": preview})
        .to_string()
}

async fn message_on(server: &MockServer, conversation: &str, body: &str) -> Answer {
    post(
        server,
        &format!("/v1/conversations/{conversation}/messages"),
        WORKFLOW,
        body,
    )
    .await
}

async fn conversation(server: &MockServer, id: &str) -> Value {
    let answer = get(server, &format!("/v1/conversations/{id}"), WORKFLOW).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.data()["attributes"].clone()
}

/// Every event already published, without waiting.
fn drain(sub: &mut Subscription) -> Vec<std::sync::Arc<Event>> {
    let mut out = Vec::new();
    while let Some(item) = sub.try_recv() {
        if let BusItem::Event(e) = item {
            out.push(e);
        }
    }
    out
}

#[tokio::test]
async fn messages_are_recorded_listed_read_and_edited() {
    let server = server().await;
    let created = message_on(&server, CONV_2, &inbound_email("I cannot log in")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let message = created.data();
    assert_eq!(message["type"], "message");
    assert_eq!(message["attributes"]["channel"], "email");
    assert_eq!(message["attributes"]["direction"], "in");
    assert_eq!(message["attributes"]["status"], "received");
    assert_eq!(message["attributes"]["preview"], "I cannot log in");
    assert_eq!(
        message["relationships"]["conversation"]["data"]["id"],
        CONV_2
    );
    assert_eq!(
        message["relationships"]["customer"]["data"]["id"],
        CUSTOMER_GRACE
    );
    let first = message["id"].as_str().unwrap().to_string();
    assert_eq!(message["links"]["self"], format!("/v1/messages/{first}"));

    let second = post(
        &server,
        "/v1/messages",
        WORKFLOW,
        &json!({"conversation": CONV_2, "channel": "chat", "app": "chat", "direction": "out", "preview": "Try resetting it"}).to_string(),
    )
    .await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.data()["attributes"]["status"], "sent");

    let listed = get(
        &server,
        &format!("/v1/conversations/{CONV_2}/messages"),
        WORKFLOW,
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.data().as_array().unwrap().len(), 2);
    assert_eq!(listed.data()[0]["id"], first.as_str());
    let of_customer = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/messages"),
        WORKFLOW,
    )
    .await;
    assert_eq!(of_customer.data().as_array().unwrap().len(), 2);
    let of_ada = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/messages"),
        WORKFLOW,
    )
    .await;
    assert_eq!(of_ada.data().as_array().unwrap().len(), 0);

    let read = get(&server, &format!("/v1/messages/{first}"), READONLY).await;
    assert_eq!(read.data()["attributes"]["subject"], "Hello");
    let patched = send(
        &server,
        Method::PATCH,
        &format!("/v1/messages/{first}"),
        Some(WORKFLOW),
        Some(r#"{"preview": "I still cannot log in", "lang": "en_us"}"#),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(
        patched.data()["attributes"]["preview"],
        "I still cannot log in"
    );
    let put_answer = put(
        &server,
        &format!("/v1/messages/{first}"),
        WORKFLOW,
        r#"{"subject": null}"#,
    )
    .await;
    assert_eq!(put_answer.status, 200, "{}", put_answer.body);
    assert_eq!(put_answer.data()["attributes"]["subject"], Value::Null);
    assert_eq!(put_answer.data()["attributes"]["lang"], "en_us");
}

#[tokio::test]
async fn bad_message_bodies_are_kustomer_errors() {
    let server = server().await;
    let missing = message_on(&server, CONV_2, r#"{"app": "postmark", "direction": "in"}"#).await;
    assert_eq!(
        missing.expect_error(400, "required")["source"]["pointer"],
        "/channel"
    );
    let unknown = message_on(
        &server,
        CONV_2,
        r#"{"channel": "email", "app": "x", "direction": "in", "colour": 1}"#,
    )
    .await;
    unknown.expect_error(400, "unknown_attribute");
    let read_only = message_on(&server, CONV_2, r#"{"channel": "email", "app": "x", "direction": "in", "createdAt": "2026-01-01T00:00:00.000Z"}"#).await;
    read_only.expect_error(400, "read_only_attribute");
    let bad_channel = message_on(
        &server,
        CONV_2,
        r#"{"channel": "pigeon", "app": "x", "direction": "in"}"#,
    )
    .await;
    assert_eq!(bad_channel.status, 400, "{}", bad_channel.body);
    let no_conversation = post(
        &server,
        "/v1/messages",
        WORKFLOW,
        r#"{"channel": "sms", "app": "x", "direction": "in"}"#,
    )
    .await;
    assert_eq!(
        no_conversation.expect_error(400, "required")["source"]["pointer"],
        "/conversation"
    );
    let wrong_customer = message_on(
        &server,
        CONV_2,
        &json!({"customer": CUSTOMER_ADA, "channel": "sms", "app": "x", "direction": "in"})
            .to_string(),
    )
    .await;
    wrong_customer.expect_error(400, "invalid_value");
    let nowhere = message_on(&server, "64a0c0ffee0000000000dead", &inbound_email("hi")).await;
    nowhere.expect_error(404, "not_found");
    let no_message = get(&server, "/v1/messages/64a0c0ffee0000000000dead", WORKFLOW).await;
    no_message.expect_error(404, "not_found");
    let readonly = post(&server, "/v1/messages", READONLY, &inbound_email("hi")).await;
    assert_eq!(readonly.status, 403, "{}", readonly.body);
    assert_eq!(
        conversation(&server, CONV_2).await["messageCount"],
        0,
        "nothing was recorded"
    );
}

#[tokio::test]
async fn messages_keep_the_conversation_counters_channels_and_times() {
    let server = server().await;
    let fresh = conversation(&server, CONV_2).await;
    assert_eq!(fresh["messageCount"], 0);
    assert_eq!(fresh["channels"], json!([]));
    assert_eq!(fresh["lastMessageIn"], json!({}));
    assert_eq!(fresh["lastActivityAt"], Value::Null);

    server.clock().advance(5_000);
    let inbound = message_on(&server, CONV_2, &inbound_email("help")).await;
    let inbound_id = inbound.data()["id"].clone();
    let sent_at = inbound.data()["attributes"]["sentAt"].clone();
    server.clock().advance(5_000);
    let outbound = message_on(
        &server,
        CONV_2,
        r#"{"channel": "sms", "app": "twilio", "direction": "out", "preview": "on it"}"#,
    )
    .await;
    let outbound_id = outbound.data()["id"].clone();
    message_on(&server, CONV_2, &inbound_email("thanks")).await;

    let after = conversation(&server, CONV_2).await;
    assert_eq!(after["messageCount"], 3);
    assert_eq!(after["outboundMessageCount"], 1);
    assert_eq!(after["channels"], json!(["email", "sms"]));
    assert_ne!(
        after["lastMessageIn"]["id"], inbound_id,
        "the newest inbound one"
    );
    assert_eq!(after["lastMessageOut"]["id"], outbound_id);
    assert_eq!(after["lastMessageOut"]["channel"], "sms");
    assert_ne!(after["lastMessageOut"]["sentAt"], sent_at);
    assert_eq!(
        after["lastActivityAt"],
        outbound.data()["attributes"]["createdAt"]
    );
    assert_eq!(after["rev"], 4, "one conversation update per message");
    let written = put(
        &server,
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        r#"{"messageCount": 9}"#,
    )
    .await;
    written.expect_error(400, "read_only_attribute");
}

#[tokio::test]
async fn an_inbound_message_reopens_a_done_conversation_an_outbound_one_does_not() {
    let server = server().await;
    let done = put(
        &server,
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        r#"{"status": "done"}"#,
    )
    .await;
    assert_eq!(done.status, 200);
    message_on(
        &server,
        CONV_2,
        r#"{"channel": "email", "app": "postmark", "direction": "out", "preview": "closing"}"#,
    )
    .await;
    let still = conversation(&server, CONV_2).await;
    assert_eq!(still["status"], "done");
    assert_eq!(still["reopenCount"], 0);

    message_on(&server, CONV_2, &inbound_email("wait, one more thing")).await;
    let reopened = conversation(&server, CONV_2).await;
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["ended"], false);
    assert_eq!(reopened["reopenCount"], 1);
}

#[tokio::test]
async fn creating_and_editing_emit_events_with_changes() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    server.clock().advance(1000);
    let created = message_on(&server, CONV_2, &inbound_email("hello")).await;
    let id = created.data()["id"].as_str().unwrap().to_string();
    let events = drain(&mut sub);
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["kustomer.message.create", "kustomer.conversation.update"]
    );
    assert_eq!(events[0].data_id.to_hex(), id);
    assert_eq!(events[0].data.value()["attributes"]["preview"], "hello");
    let changes = &events[1].changes.as_ref().unwrap().value()["attributes"];
    assert_eq!(
        changes["messageCount"],
        json!({"op": "replace", "before": 0, "after": 1})
    );
    assert_eq!(changes["channels"]["after"], json!(["email"]));
    assert_eq!(changes["lastMessageIn"]["after"]["id"], id.as_str());
    assert!(changes.get("outboundMessageCount").is_none(), "{changes}");

    server.clock().advance(1000);
    let edited = put(
        &server,
        &format!("/v1/messages/{id}"),
        WORKFLOW,
        r#"{"preview": "hello again"}"#,
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let events = drain(&mut sub);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].name, "kustomer.message.update");
    let changes = &events[0].changes.as_ref().unwrap().value()["attributes"];
    assert_eq!(
        changes["preview"],
        json!({"op": "replace", "before": "hello", "after": "hello again"})
    );
    assert!(changes.get("channel").is_none(), "{changes}");
}

#[tokio::test]
async fn the_per_customer_message_limit_answers_429() {
    let server = server().await;
    let limits = admin(&server, Method::GET, "/limits", None).await;
    assert_eq!(
        limits.body["limits"]["customerMessagesPerWindow"], 120,
        "Kustomer's default"
    );
    let set = admin(
        &server,
        Method::PUT,
        "/limits",
        Some(r#"{"customerMessagesPerWindow": 2}"#),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    for _ in 0..2 {
        assert_eq!(
            message_on(&server, CONV_2, &inbound_email("hi"))
                .await
                .status,
            201
        );
    }
    let refused = message_on(&server, CONV_2, &inbound_email("hi")).await;
    let error = refused.expect_error(429, "rate_limit_customer_message");
    assert_eq!(error["meta"]["limit"], "customer-message");
    assert_eq!(error["meta"]["max"], 2);
    assert!(refused.header("retry-after").is_some());
    assert_eq!(
        conversation(&server, CONV_2).await["messageCount"],
        2,
        "the refused one is not recorded"
    );
    // Another customer has their own allowance; the next window resets it.
    assert_eq!(
        message_on(&server, CONV_1, &inbound_email("hi"))
            .await
            .status,
        201
    );
    server.clock().advance(60_000);
    assert_eq!(
        message_on(&server, CONV_2, &inbound_email("hi"))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn native_message_actions_find_edit_and_create() {
    let definition = json!({
        "id": "64a0c0ffee0000000000b444",
        "name": "acknowledge",
        "trigger": {
            "id": "1",
            "eventName": "kustomer.message.create",
            "transitions": [{"target": "find", "condition": {"op": "eq", "values": ["/#steps.1.direction", "in"]}}]
        },
        "steps": [
            {"id": "find", "action": "kustomer.message.find-by-id", "params": {"id": "/#steps.1.id"},
             "transitions": [{"target": "last", "condition": {"op": "true", "values": [true]}}], "errorCases": []},
            {"id": "last", "action": "kustomer.message.find-last", "params": {"conversation": "/#steps.1.conversation", "direction": "in"},
             "transitions": [{"target": "edit", "condition": {"op": "true", "values": [true]}}], "errorCases": []},
            {"id": "edit", "action": "kustomer.message.update", "params": {"id": "/#steps.last.id", "lang": "en_us"},
             "transitions": [{"target": "reply", "condition": {"op": "true", "values": [true]}}], "errorCases": []},
            {"id": "reply", "action": "kustomer.message.create",
             "params": {"conversation": "/#steps.1.conversation", "channel": "/#steps.find.channel", "app": "workflow", "direction": "out", "auto": true, "preview": "We got your message"},
             "transitions": [], "errorCases": []}
        ]
    });
    let harness = harness_with(vec![load_value(definition, "acknowledge").unwrap()]).await;
    let server = harness.server();
    let created = message_on(server, CONV_2, &inbound_email("anyone there?")).await;
    let id = created.data()["id"].as_str().unwrap().to_string();
    settle(&harness).await;
    let runs = harness.runs_of("acknowledge");
    let completed: Vec<_> = runs
        .iter()
        .filter(|r| r.state == RunState::Completed)
        .collect();
    assert_eq!(completed.len(), 1, "{runs:#?}");
    let run = completed[0];
    let find = run.steps.iter().find(|s| s.id == "find").unwrap();
    let found = find.output.as_ref().unwrap().value();
    assert_eq!(
        found["id"],
        id.as_str(),
        "steps.1 is the message, flattened"
    );
    assert_eq!(found["conversation"], CONV_2);
    assert_eq!(
        runs.len(),
        2,
        "the reply triggers a run that does not match"
    );

    let edited = get(server, &format!("/v1/messages/{id}"), WORKFLOW).await;
    assert_eq!(edited.data()["attributes"]["lang"], "en_us");
    let after = conversation(server, CONV_2).await;
    assert_eq!(after["messageCount"], 2);
    assert_eq!(after["outboundMessageCount"], 1);
    let replies = get(
        server,
        &format!("/v1/conversations/{CONV_2}/messages"),
        WORKFLOW,
    )
    .await;
    let reply = &replies.data()[1]["attributes"];
    assert_eq!(reply["auto"], true);
    assert_eq!(reply["channel"], "email");
    assert_eq!(
        replies.data()[1]["relationships"]["createdBy"]["data"]["id"],
        harness_workflow_user(server)
    );
}

fn harness_workflow_user(server: &MockServer) -> String {
    let store = server.store();
    let org = store.org_by_name("acme").unwrap();
    store.org_state(org).unwrap().org().workflow_user.to_hex()
}

#[tokio::test]
async fn the_shipped_refund_workflow_tags_inbound_refund_emails_billing() {
    let harness = harness_with(vec![workflow("refund-email-billing")]).await;
    let server = harness.server();
    // CONV_2 has no tags; an outbound refund email and an inbound chat leave it alone.
    message_on(server, CONV_2, r#"{"channel": "email", "app": "postmark", "direction": "out", "preview": "Your refund is on its way"}"#).await;
    message_on(
        server,
        CONV_2,
        r#"{"channel": "chat", "app": "chat", "direction": "in", "preview": "refund please"}"#,
    )
    .await;
    settle(&harness).await;
    assert_eq!(conversation(server, CONV_2).await["tags"], json!([]));
    message_on(
        server,
        CONV_2,
        &inbound_email("Can I get a REFUND for this?"),
    )
    .await;
    settle(&harness).await;
    assert_eq!(
        conversation(server, CONV_2).await["tags"],
        json!([TAG_BILLING])
    );
    let states: Vec<RunState> = harness
        .runs_of("refund-email-billing")
        .iter()
        .map(|r| r.state)
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == RunState::Completed).count(),
        1,
        "{states:?}"
    );
}

#[tokio::test]
async fn the_orgs_messages_are_listed_oldest_or_newest_first() {
    let server = server().await;
    let inbound =
        r#"{"channel": "email", "app": "postmark", "direction": "in", "preview": "First"}"#;
    let outbound =
        r#"{"channel": "sms", "app": "twilio", "direction": "out", "preview": "Second"}"#;
    let first = message_on(&server, CONV_1, inbound).await;
    let second = message_on(&server, CONV_2, outbound).await;
    let ids = [
        first.data()["id"].as_str().unwrap(),
        second.data()["id"].as_str().unwrap(),
    ];

    let oldest = get(&server, "/v1/messages", READONLY).await;
    assert_eq!(oldest.status, 200, "{}", oldest.body);
    assert_eq!(oldest.body["meta"]["total"], 2);
    assert_eq!(oldest.each("id"), ids);
    assert_eq!(oldest.body["included"], json!([]));
    let newest = get(&server, "/v1/messages?sort=desc&pageSize=1", READONLY).await;
    assert_eq!(newest.each("id"), [ids[1]]);
    assert!(newest.body["links"]["next"].is_string(), "{}", newest.body);

    let bad = get(&server, "/v1/messages?sort=newest", READONLY).await;
    assert_eq!(
        bad.expect_error(400, "invalid_parameter")["source"]["parameter"],
        "sort"
    );
    get(&server, "/v1/messages", EXPIRED)
        .await
        .expect_error(401, "expired_token");
}
