//! Events: one per committed change, with exactly the fields that changed, in commit
//! order, with their causal chain.

use std::time::Duration;

use kustomer_mock::{BusItem, Event, MockServer, Subscription};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// The next event, waiting at most 5 s.
async fn next_event(sub: &mut Subscription) -> std::sync::Arc<Event> {
    match tokio::time::timeout(Duration::from_secs(5), sub.recv()).await {
        Ok(Some(BusItem::Event(e))) => e,
        other => panic!("expected an event, got {other:?}"),
    }
}

/// Every event already published, without waiting.
fn drain(sub: &mut Subscription) -> Vec<std::sync::Arc<Event>> {
    let mut out = Vec::new();
    while let Some(item) = sub.try_recv() {
        match item {
            BusItem::Event(e) => out.push(e),
            BusItem::Lagged(n) => panic!("lagged by {n}"),
        }
    }
    out
}

fn changed_fields(event: &Event) -> Vec<String> {
    event.changes.as_ref().unwrap()["attributes"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn marking_done_emits_one_update_with_exactly_what_changed() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    server.clock().advance(1000);
    let answer = put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    assert_eq!(answer.status, 200);
    let events = drain(&mut sub);
    assert_eq!(events.len(), 1, "one event per committed change");
    let event = &events[0];
    assert_eq!(event.name, "kustomer.conversation.update");
    assert_eq!(event.data_id.to_hex(), CONV_1);
    let changes = &event.changes.as_ref().unwrap()["attributes"];
    assert_eq!(
        changes["status"],
        json!({"op": "replace", "before": "open", "after": "done"})
    );
    assert_eq!(
        changes["rev"],
        json!({"op": "replace", "before": 1, "after": 2})
    );
    assert_eq!(
        changes["ended"],
        json!({"op": "replace", "before": false, "after": true})
    );
    assert_eq!(changes["endedAt"]["op"], "add");
    assert_eq!(changes["firstDone"]["after"], changes["lastDone"]["after"]);
    assert!(changes["firstDone"]["after"]["time"].is_u64());
    let mut fields = changed_fields(event);
    fields.sort();
    assert_eq!(
        fields,
        [
            "doneCount",
            "ended",
            "endedAt",
            "endedBy",
            "endedByType",
            "firstDone",
            "lastDone",
            "modificationHistory",
            "modifiedAt",
            "rev",
            "status",
            "updatedAt"
        ],
        "nothing unrelated"
    );
    // The fixture's System user wrote it before; now the key's user did.
    let moved = &event.changes.as_ref().unwrap()["relationships"]["modifiedBy"];
    assert_eq!(moved["op"], "replace");
    assert_eq!(
        event.data["attributes"]["status"], "done",
        "data is the snapshot after the change"
    );
    assert_eq!(event.data["attributes"], answer.data()["attributes"]);
}

#[tokio::test]
async fn tag_append_shows_tag_ids_before_and_after() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    tag_auto_close(&server, CONV_2, WORKFLOW).await;
    let event = next_event(&mut sub).await;
    let tags = &event.changes.as_ref().unwrap()["attributes"]["tags"];
    assert_eq!(tags["before"], json!([]));
    assert_eq!(tags["after"], json!([TAG_AUTO_CLOSE]));
    assert_eq!(tags["op"], "replace");

    // A new tag name first creates the tag (its own create event), then updates the conversation.
    post(
        &server,
        &format!("/v1/conversations/{CONV_2}/tags"),
        WORKFLOW,
        r#"["fresh"]"#,
    )
    .await;
    let created = next_event(&mut sub).await;
    assert_eq!(created.name, "kustomer.tag.create");
    assert!(created.changes.is_none(), "create events carry no changes");
    let updated = next_event(&mut sub).await;
    assert_eq!(
        updated.changes.as_ref().unwrap()["attributes"]["tags"]["after"],
        json!([TAG_AUTO_CLOSE, created.data_id])
    );
}

#[tokio::test]
async fn repeating_a_value_is_still_an_update_with_only_server_fields() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    put(&server, &path, WORKFLOW, r#"{"status":"done"}"#).await;
    let mut sub = server.bus().subscribe(None);
    let again = put(&server, &path, WORKFLOW, r#"{"status":"done"}"#).await;
    assert_eq!(again.data()["attributes"]["rev"], 3);
    let event = next_event(&mut sub).await;
    assert_eq!(event.name, "kustomer.conversation.update");
    let mut fields = changed_fields(&event);
    fields.sort();
    assert_eq!(
        fields,
        ["modifiedAt", "rev", "updatedAt"],
        "no status: it did not change"
    );
    assert_eq!(
        event.changes.as_ref().unwrap()["attributes"]["rev"],
        json!({"op": "replace", "before": 2, "after": 3})
    );
    assert_eq!(event.changes.as_ref().unwrap()["relationships"], json!({}));
}

#[tokio::test]
async fn every_kind_of_write_emits_its_event() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    let customer = post(&server, "/v1/customers", WORKFLOW, r#"{"name":"Ev"}"#).await;
    let customer_id = customer.data()["id"].as_str().unwrap().to_string();
    put(
        &server,
        &format!("/v1/customers/{customer_id}"),
        WORKFLOW,
        r#"{"custom":{"vipBool":true}}"#,
    )
    .await;
    let conversation = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": customer_id}).to_string(),
    )
    .await;
    let conversation_id = conversation.data()["id"].as_str().unwrap().to_string();
    put(
        &server,
        &format!("/v1/conversations/{conversation_id}"),
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA}).to_string(),
    )
    .await;
    let tag = post(&server, "/v1/tags", WORKFLOW, r#"{"name":"ev-tag"}"#).await;
    let tag_id = tag.data()["id"].as_str().unwrap().to_string();
    put(
        &server,
        &format!("/v1/tags/{tag_id}"),
        WORKFLOW,
        r#"{"color":"red"}"#,
    )
    .await;
    delete(&server, &format!("/v1/tags/{tag_id}"), WORKFLOW, None).await;
    delete(
        &server,
        &format!("/v1/conversations/{conversation_id}"),
        ADMIN,
        None,
    )
    .await;
    // Refused writes emit nothing.
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        READONLY,
        r#"{"status":"done"}"#,
    )
    .await;
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"priority":0}"#,
    )
    .await;

    let events = drain(&mut sub);
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "kustomer.customer.create",
            "kustomer.customer.update",
            "kustomer.conversation.create",
            "kustomer.conversation.update",
            "kustomer.tag.create",
            "kustomer.tag.update",
            "kustomer.tag.update",
            "kustomer.conversation.delete",
        ]
    );
    assert!(events[1].meta.custom_changed);
    assert!(!events[3].meta.custom_changed);
    let customer_moved = &events[3].changes.as_ref().unwrap()["relationships"]["customer"];
    assert_eq!(customer_moved["before"]["id"], customer_id.as_str());
    assert_eq!(customer_moved["after"]["id"], CUSTOMER_ADA);
    assert_eq!(
        events[6].changes.as_ref().unwrap()["attributes"]["deleted"]["after"],
        true
    );
    for event in &events {
        let envelope = serde_json::to_value(event.as_ref()).unwrap();
        for field in [
            "id",
            "name",
            "org",
            "orgName",
            "partition",
            "dataId",
            "data",
            "createdAt",
            "client",
            "persist",
            "meta",
            "_mock",
        ] {
            assert!(
                envelope.get(field).is_some(),
                "{field} missing from {envelope}"
            );
        }
        assert_eq!(envelope["orgName"], "acme");
        assert_eq!(envelope["partition"], envelope["org"]);
        assert_eq!(envelope["client"], "api-gw");
        assert_eq!(envelope["persist"], true);
        assert!(envelope["_mock"]["requestId"].is_string());
    }
}

#[tokio::test]
async fn concurrent_updates_keep_rev_and_event_order() {
    let server = builder()
        .limits(serde_json::from_value(json!({"requestsPerWindow": 100000})).unwrap())
        .start()
        .await
        .unwrap();
    let mut sub = server.bus().subscribe(None);
    let url = format!("{}/v1/conversations/{CONV_1}", server.url());
    let client = reqwest::Client::new();
    let tokens = [WORKFLOW, ADMIN];
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let client = client.clone();
            let url = url.clone();
            let token = tokens[i % 2];
            tokio::spawn(async move {
                client
                    .put(&url)
                    .header("authorization", format!("Bearer {token}"))
                    .body(format!(r#"{{"priority":{}}}"#, i % 5 + 1))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        let status = task.await.unwrap();
        assert!(status == 200 || status == 429, "{status}");
        if status == 200 {
            ok += 1;
        }
    }
    // Two users × 30 updates per record per window: the per-object limit shapes the outcome.
    assert_eq!(ok, 60);
    let current = get(&server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW).await;
    assert_eq!(current.data()["attributes"]["rev"], 1 + ok);
    let events = drain(&mut sub);
    assert_eq!(events.len(), ok as usize);
    let revs: Vec<u64> = events
        .iter()
        .map(|e| e.data["attributes"]["rev"].as_u64().unwrap())
        .collect();
    assert_eq!(
        revs,
        (2..=1 + ok).collect::<Vec<u64>>(),
        "events arrive in rev order"
    );
}

#[tokio::test]
async fn cause_header_extends_the_chain_by_one_hop() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"priority":2}"#,
    )
    .await;
    let root_event = next_event(&mut sub).await;
    assert_eq!(root_event.mock.cause.depth, 0);
    assert_eq!(
        Some(root_event.mock.cause.root),
        root_event.mock.request_id,
        "a new chain is rooted at its request"
    );

    let cause = format!(
        "root={}; depth=2; run=run-7; workflow=wf-1; step=closeIt; chain=wf-1@{CONV_1}",
        root_event.mock.cause.root
    );
    let response = reqwest::Client::new()
        .put(format!("{}/v1/conversations/{CONV_1}", server.url()))
        .header("authorization", format!("Bearer {WORKFLOW}"))
        .header("x-kmock-cause", &cause)
        .body(r#"{"status":"done"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let child = next_event(&mut sub).await;
    assert_eq!(child.mock.cause.depth, 3, "parent depth + 1");
    assert_eq!(child.mock.cause.root, root_event.mock.cause.root);
    assert_eq!(child.mock.cause.run.as_deref(), Some("run-7"));
    assert_eq!(child.mock.cause.step.as_deref(), Some("closeIt"));
    assert_eq!(child.mock.cause.chain.len(), 1);
    assert_eq!(child.mock.cause.chain[0].workflow, "wf-1");

    let traced = reqwest::Client::new()
        .put(format!("{}/v1/conversations/{CONV_1}", server.url()))
        .header("authorization", format!("Bearer {WORKFLOW}"))
        .header(
            "traceparent",
            "00-0000000064a0c0ffee0000000000beef-00f067aa0ba902b7-01",
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(traced.status(), 200);
    let traced_event = next_event(&mut sub).await;
    assert_eq!(traced_event.mock.cause.depth, 1);
    assert_eq!(
        traced_event.mock.cause.root.to_hex(),
        "64a0c0ffee0000000000beef"
    );

    let bad = reqwest::Client::new()
        .put(format!("{}/v1/conversations/{CONV_1}", server.url()))
        .header("authorization", format!("Bearer {WORKFLOW}"))
        .header("x-kmock-cause", "depth=1")
        .body("{}")
        .send()
        .await
        .unwrap();
    answer(bad).await.expect_error(400, "invalid_cause_header");
    assert!(sub.try_recv().is_none(), "a refused request emits nothing");
}

#[tokio::test]
async fn a_slow_subscriber_is_told_how_many_events_it_missed() {
    let server = builder().capacity(100, 8).start().await.unwrap();
    let mut slow = server.bus().subscribe(None);
    for n in 0..20 {
        put(
            &server,
            &format!("/v1/conversations/{CONV_1}"),
            ADMIN,
            &format!(r#"{{"name":"n{n}"}}"#),
        )
        .await;
    }
    match slow.try_recv() {
        Some(BusItem::Lagged(missed)) => assert_eq!(missed, 12),
        other => panic!("expected a lag report, got {other:?}"),
    }
    let rest = drain(&mut slow);
    assert_eq!(rest.len(), 8);
    assert_eq!(rest[0].data["attributes"]["name"], "n12");
    assert_eq!(slow.lagged(), 12);
    assert_eq!(server.bus().lagged_total(), 12);
    let log = admin(&server, Method::GET, "/events", None).await;
    // 20 fixture events (3 customers, 3 tags, 4 conversations, a company, 2 notes, a
    // draft, the order klass with its 3 KObjects, a brand and a schedule) + 20 updates
    // through a log of 8.
    assert_eq!(
        log.body["meta"]["dropped"],
        20 + 20 - 8,
        "the log says how many fell off"
    );
}

#[tokio::test]
async fn subscribers_see_only_their_org() {
    let server = server().await;
    admin(&server, Method::POST, "/seed", Some(r#"{"orgs":[{"name":"globex","keys":[{"name":"g","token":"globex-t","roles":["org.admin"]}]}]}"#)).await;
    let acme_org = kustomer_mock::Id::parse("64a0c0ffee00000000000001").unwrap();
    let mut acme_only = server.bus().subscribe(Some(acme_org));
    post(&server, "/v1/tags", "globex-t", r#"{"name":"theirs"}"#).await;
    post(&server, "/v1/tags", WORKFLOW, r#"{"name":"ours"}"#).await;
    let event = next_event(&mut acme_only).await;
    assert_eq!(event.data["attributes"]["name"], "ours");
    assert!(acme_only.try_recv().is_none());
}

#[tokio::test]
async fn event_log_filters_and_sse_stream() {
    let server = server().await;
    let since = server.clock().now();
    server.clock().advance(10);
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    put(
        &server,
        &format!("/v1/conversations/{CONV_2}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    let by_record = admin(
        &server,
        Method::GET,
        &format!("/events?dataId={CONV_2}&name=kustomer.conversation.update"),
        None,
    )
    .await;
    assert_eq!(by_record.data().as_array().unwrap().len(), 1);
    assert_eq!(by_record.data()[0]["dataId"], CONV_2);
    let recent = admin(
        &server,
        Method::GET,
        &format!("/events?since={}", since.plus_millis(1).to_iso()),
        None,
    )
    .await;
    assert_eq!(
        recent.data().as_array().unwrap().len(),
        2,
        "fixture events are older"
    );
    admin(&server, Method::GET, "/events?dataId=zzz", None)
        .await
        .expect_error(400, "invalid_id");

    // SSE: open the stream, write, read the event off the wire.
    let mut stream = reqwest::Client::new()
        .get(format!(
            "{}/__admin/events/stream?name=kustomer.tag.create",
            server.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    post(&server, "/v1/tags", WORKFLOW, r#"{"name":"streamed"}"#).await;
    let mut text = String::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        while !text.contains("\n\n") || !text.contains("data:") {
            match stream.chunk().await.unwrap() {
                Some(chunk) => text.push_str(&String::from_utf8_lossy(&chunk)),
                None => break,
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no event within 5 s: {text:?}");
    assert!(text.contains("event: kustomer.tag.create"), "{text}");
    let data_line = text.lines().find(|l| l.starts_with("data:")).unwrap();
    let event: Value = serde_json::from_str(data_line.trim_start_matches("data:").trim()).unwrap();
    assert_eq!(event["data"]["attributes"]["name"], "streamed");
}

/// A short seeded session's events, snapshot: byte-stable across runs.
#[tokio::test]
async fn event_stream_snapshot() {
    let server: MockServer = builder().seed(99).start().await.unwrap();
    let mut sub = server.bus().subscribe(None);
    let conversation = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "name": "Snapshot me"}).to_string(),
    )
    .await;
    let id = conversation.data()["id"].as_str().unwrap().to_string();
    server.clock().advance(60_000);
    tag_auto_close(&server, &id, WORKFLOW).await;
    server.clock().advance(1_500);
    put(
        &server,
        &format!("/v1/conversations/{id}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    put(
        &server,
        &format!("/v1/conversations/{id}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    let events: Vec<Event> = drain(&mut sub).into_iter().map(|e| (*e).clone()).collect();
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_yaml_snapshot!("event_stream_of_a_seeded_session", events);
    });
}
