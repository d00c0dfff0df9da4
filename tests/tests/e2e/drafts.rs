//! Drafts over HTTP: the routes and their events with `changes`; sending a draft (now, or
//! when the mock's clock reaches its `sendAt`) records the outbound message on its
//! conversation with its events; the per-customer draft limit; outbound accounts and the
//! fixtures' company, notes and draft.

use kustomer_mock::{BusItem, Event, MockServer, Subscription};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Grace Hopper, who owns CONV_2.
const CUSTOMER_GRACE: &str = "64a0c0ffee00000000000c02";
/// Ada's second conversation, which the fixtures' notes are on.
const CONV_4: &str = "64a0c0ffee00000000000b04";
/// The fixtures' draft to Grace on CONV_2.
const DRAFT_GRACE: &str = "64a0c0ffee00000000002b01";

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

fn names(events: &[std::sync::Arc<Event>]) -> Vec<&str> {
    events.iter().map(|e| e.name.as_str()).collect()
}

async fn create(server: &MockServer, customer: &str, body: &Value) -> Answer {
    post(
        server,
        &format!("/v1/customers/{customer}/drafts"),
        ADMIN,
        &body.to_string(),
    )
    .await
}

async fn messages(server: &MockServer, conversation: &str) -> Vec<Value> {
    let answer = get(
        server,
        &format!("/v1/conversations/{conversation}/messages"),
        ADMIN,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.data().as_array().unwrap().clone()
}

fn email(body: &str) -> Value {
    json!({"channel": "email", "conversation": CONV_2, "subject": "Re: Cannot log in", "body": body,
           "to": [{"email": "grace@example.com"}], "from": {"email": "support@acme.example"}})
}

#[tokio::test]
async fn drafts_are_created_listed_edited_and_deleted_with_events() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    let created = create(&server, CUSTOMER_GRACE, &email("First try")).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let draft = created.data().clone();
    let id = draft["id"].as_str().unwrap().to_string();
    assert_eq!(draft["type"], "draft");
    assert_eq!(draft["attributes"]["status"], "draft");
    assert_eq!(draft["attributes"]["sendAt"], Value::Null);
    assert_eq!(
        draft["relationships"]["customer"]["data"]["id"],
        CUSTOMER_GRACE
    );
    assert_eq!(draft["relationships"]["conversation"]["data"]["id"], CONV_2);
    assert!(draft["relationships"].get("message").is_none());

    let list = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/drafts"),
        ADMIN,
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(
        list.each("id"),
        [DRAFT_GRACE, id.as_str()],
        "the fixture's, then the new one"
    );
    let ada = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/drafts"),
        ADMIN,
    )
    .await;
    assert_eq!(ada.data(), &json!([]));

    let path = format!("/v1/drafts/{id}");
    let edited = put(&server, &path, ADMIN, r#"{"body": "Second try"}"#).await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.data()["attributes"]["body"], "Second try");
    assert_eq!(
        edited.data()["attributes"]["subject"],
        "Re: Cannot log in",
        "kept"
    );
    let deleted = delete(&server, &path, ADMIN, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let events = drain(&mut sub);
    assert_eq!(
        names(&events),
        [
            "kustomer.draft.create",
            "kustomer.draft.update",
            "kustomer.draft.delete"
        ]
    );
    let changes = events[1].changes.as_ref().unwrap()["attributes"].clone();
    assert_eq!(
        changes["body"],
        json!({"op": "replace", "before": "First try", "after": "Second try"})
    );
    assert!(changes.get("subject").is_none(), "{changes}");
    let list = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/drafts"),
        ADMIN,
    )
    .await;
    assert_eq!(list.each("id"), [DRAFT_GRACE]);
    put(&server, &path, ADMIN, r#"{"body": "x"}"#)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn sending_a_draft_records_the_outbound_message_with_its_events() {
    let server = server().await;
    let before = messages(&server, CONV_2).await.len();
    let mut sub = server.bus().subscribe(None);
    let path = format!("/v1/drafts/{DRAFT_GRACE}");
    let sent = put(&server, &path, ADMIN, r#"{"status": "sent"}"#).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let draft = sent.data();
    assert_eq!(draft["attributes"]["status"], "sent");
    assert!(draft["attributes"]["sentAt"].is_string(), "{draft}");
    let message_id = draft["relationships"]["message"]["data"]["id"]
        .as_str()
        .unwrap();

    let after = messages(&server, CONV_2).await;
    assert_eq!(after.len(), before + 1);
    let message = after
        .iter()
        .find(|m| m["id"] == message_id)
        .expect("the message is on the conversation");
    let a = &message["attributes"];
    assert_eq!(a["direction"], "out");
    assert_eq!(a["status"], "sent");
    assert_eq!(a["channel"], "email");
    assert_eq!(a["app"], "postmark");
    assert_eq!(a["subject"], "Re: Cannot log in");
    assert_eq!(a["preview"], "Hi Grace, here is a new password reset link.");
    assert_eq!(
        a["meta"]["to"],
        json!([{"email": "grace@example.com", "name": "Grace Hopper"}])
    );

    let events = drain(&mut sub);
    assert_eq!(
        names(&events),
        [
            "kustomer.message.create",
            "kustomer.conversation.update",
            "kustomer.draft.update"
        ]
    );
    assert_eq!(events[0].data["attributes"]["status"], "sent");
    let changes = events[1].changes.as_ref().unwrap()["attributes"].clone();
    assert_eq!(
        changes["outboundMessageCount"]["op"], "replace",
        "{changes}"
    );
    let changes = events[2].changes.as_ref().unwrap()["attributes"].clone();
    assert_eq!(
        changes["status"],
        json!({"op": "replace", "before": "draft", "after": "sent"})
    );

    put(&server, &path, ADMIN, r#"{"body": "again"}"#)
        .await
        .expect_error(409, "draft_sent");
    // A draft may also be sent as it is created.
    let mut body = email("Sent at once");
    body["status"] = json!("sent");
    let created = create(&server, CUSTOMER_GRACE, &body).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.data()["attributes"]["status"], "sent");
    assert_eq!(messages(&server, CONV_2).await.len(), before + 2);
}

#[tokio::test]
async fn a_scheduled_draft_is_sent_when_the_clock_reaches_its_send_at() {
    let server = server().await;
    let now = server.clock().now();
    let send_at = now.plus_millis(10 * 60_000).to_iso();
    let mut body = email("Scheduled");
    body["sendAt"] = json!(send_at);
    let created = create(&server, CUSTOMER_GRACE, &body).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.data()["attributes"]["status"], "scheduled");
    let id = created.data()["id"].as_str().unwrap().to_string();
    // A second one, unscheduled again: it must not go out.
    let mut other = email("Never mind");
    other["sendAt"] = json!(send_at);
    let other = create(&server, CUSTOMER_GRACE, &other).await;
    let other_path = format!("/v1/drafts/{}", other.data()["id"].as_str().unwrap());
    let unscheduled = put(&server, &other_path, ADMIN, r#"{"sendAt": null}"#).await;
    assert_eq!(
        unscheduled.data()["attributes"]["status"],
        "draft",
        "{}",
        unscheduled.body
    );
    let before = messages(&server, CONV_2).await.len();

    let status_of = |list: &Answer, id: &str| -> Value {
        list.data()
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["attributes"]["status"]
            .clone()
    };
    let drafts = format!("/v1/customers/{CUSTOMER_GRACE}/drafts");
    let early = admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"advance": "5m"}"#),
    )
    .await;
    assert_eq!(early.status, 200, "{}", early.body);
    assert_eq!(messages(&server, CONV_2).await.len(), before, "not due yet");
    assert_eq!(
        status_of(&get(&server, &drafts, ADMIN).await, &id),
        "scheduled"
    );

    let mut sub = server.bus().subscribe(None);
    let due = admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"advance": "5m"}"#),
    )
    .await;
    assert_eq!(due.status, 200, "{}", due.body);
    let events = drain(&mut sub);
    assert_eq!(
        names(&events),
        [
            "kustomer.message.create",
            "kustomer.conversation.update",
            "kustomer.draft.update"
        ],
        "sent by the clock's move, before its answer"
    );
    let after = messages(&server, CONV_2).await;
    assert_eq!(after.len(), before + 1, "only the scheduled one went out");
    assert_eq!(after.last().unwrap()["attributes"]["preview"], "Scheduled");
    assert_eq!(after.last().unwrap()["attributes"]["sentAt"], send_at);
    let list = get(&server, &drafts, ADMIN).await;
    assert_eq!(status_of(&list, &id), "sent");
    // Later moves send nothing more.
    admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"advance": "1h"}"#),
    )
    .await;
    assert_eq!(messages(&server, CONV_2).await.len(), before + 1);
}

#[tokio::test]
async fn bad_draft_bodies_and_unknown_ids_are_refused() {
    let server = server().await;
    let cases = [
        (
            json!({"channel": "email", "mood": "sunny"}),
            "unknown_attribute",
            "/mood",
        ),
        (
            json!({"channel": "email", "createdAt": "2026-01-01T00:00:00Z"}),
            "read_only_attribute",
            "/createdAt",
        ),
        (json!({"channel": "pigeon"}), "invalid_type", "/channel"),
        (
            json!({"channel": "email", "auto": "yes"}),
            "invalid_type",
            "/auto",
        ),
        (json!({"body": "hi"}), "required", "/channel"),
        (
            json!({"channel": "email", "status": "sent"}),
            "required",
            "/conversation",
        ),
        (
            json!({"channel": "email", "conversation": CONV_1}),
            "invalid_value",
            "/conversation",
        ),
        (
            json!({"channel": "email", "conversation": "0123456789abcdef01234567"}),
            "unknown_conversation",
            "/conversation",
        ),
        (
            json!({"channel": "email", "conversation": CONV_2, "status": "scheduled"}),
            "required",
            "/sendAt",
        ),
        (
            json!({"channel": "email", "shortcuts": ["0123456789abcdef01234567"]}),
            "unknown_shortcut",
            "/shortcuts/0",
        ),
    ];
    for (body, code, pointer) in cases {
        let answer = create(&server, CUSTOMER_GRACE, &body).await;
        let error = answer.expect_error(400, code);
        assert_eq!(
            error["source"]["pointer"], pointer,
            "{body}: {}",
            answer.body
        );
    }
    let missing = "0123456789abcdef01234567";
    create(&server, missing, &email("x"))
        .await
        .expect_error(404, "not_found");
    get(&server, &format!("/v1/customers/{missing}/drafts"), ADMIN)
        .await
        .expect_error(404, "not_found");
    delete(&server, &format!("/v1/drafts/{missing}"), ADMIN, None)
        .await
        .expect_error(404, "not_found");
    let readonly = create_as(&server, READONLY).await;
    assert_eq!(readonly.status, 403, "{}", readonly.body);
}

async fn create_as(server: &MockServer, token: &str) -> Answer {
    post(
        server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/drafts"),
        token,
        &email("x").to_string(),
    )
    .await
}

#[tokio::test]
async fn the_per_customer_draft_limit_answers_429() {
    let server = server().await;
    let limits = admin(&server, Method::GET, "/limits", None).await;
    assert_eq!(
        limits.body["limits"]["customerDraftsPerWindow"], 120,
        "Kustomer's published limit"
    );
    let set = admin(
        &server,
        Method::PUT,
        "/limits",
        Some(r#"{"customerDraftsPerWindow": 2}"#),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    for _ in 0..2 {
        assert_eq!(
            create(&server, CUSTOMER_GRACE, &email("x")).await.status,
            200
        );
    }
    let refused = create(&server, CUSTOMER_GRACE, &email("x")).await;
    let error = refused.expect_error(429, "rate_limit_customer_draft");
    assert_eq!(error["meta"]["limit"], "customer-draft");
    assert!(refused.header("retry-after").is_some());
    let list = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/drafts"),
        ADMIN,
    )
    .await;
    assert_eq!(
        list.data().as_array().unwrap().len(),
        3,
        "the fixture's and two: the refused one is not kept"
    );
    // Another customer has their own allowance; the next window resets it.
    let ada = json!({"channel": "email", "conversation": CONV_1});
    assert_eq!(create(&server, CUSTOMER_ADA, &ada).await.status, 200);
    admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"advance": "60s"}"#),
    )
    .await;
    assert_eq!(
        create(&server, CUSTOMER_GRACE, &email("x")).await.status,
        200
    );
}

#[tokio::test]
async fn outbound_accounts_and_the_new_fixtures_are_served() {
    let server = server().await;
    let accounts = get(&server, "/v1/outboundAccounts", ADMIN).await;
    assert_eq!(accounts.status, 200, "{}", accounts.body);
    let items = accounts.data().as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["type"], "outbound_account");
    assert_eq!(
        items[0]["attributes"],
        json!({"channel": "email", "name": "Acme Support", "account": "support@acme.example"})
    );
    assert_eq!(items[1]["attributes"]["channel"], "sms");

    let ada = get(&server, &format!("/v1/customers/{CUSTOMER_ADA}"), ADMIN).await;
    let company = ada.data()["relationships"]["company"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let company = get(&server, &format!("/v1/companies/{company}"), ADMIN).await;
    assert_eq!(company.status, 200, "{}", company.body);
    assert_eq!(
        company.data()["attributes"]["name"],
        "Analytical Engines Ltd"
    );

    let notes = get(&server, &format!("/v1/conversations/{CONV_4}/notes"), ADMIN).await;
    assert_eq!(
        notes.each("id"),
        ["64a0c0ffee00000000001d01", "64a0c0ffee00000000001d02"]
    );
    let conversation = get(&server, &format!("/v1/conversations/{CONV_4}"), ADMIN).await;
    let a = &conversation.data()["attributes"];
    assert_eq!(a["noteCount"], 2, "fixture notes are counted at start");
    assert_eq!(a["rev"], 1, "not as updates");
    let drafts = get(
        &server,
        "/v1/customers/64a0c0ffee00000000000c02/drafts",
        ADMIN,
    )
    .await;
    assert_eq!(drafts.each("id"), [DRAFT_GRACE]);
}

#[tokio::test]
async fn on_a_real_clock_a_scheduled_draft_goes_out_by_itself() {
    let server = builder()
        .clock(kustomer_mock::Clock::real())
        .start()
        .await
        .expect("server starts");
    let before = messages(&server, CONV_2).await.len();
    let mut sub = server.bus().subscribe(None);
    let mut body = email("On time");
    body["sendAt"] = json!(server.clock().now().plus_millis(200).to_iso());
    let created = create(&server, CUSTOMER_GRACE, &body).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.data()["attributes"]["status"], "scheduled");
    // No request moves it: the server's ticker sends it. Wait on the bus, with a deadline.
    let deadline = std::time::Duration::from_secs(10);
    let sent = tokio::time::timeout(deadline, async {
        loop {
            match sub.recv().await {
                Some(BusItem::Event(e)) if e.name == "kustomer.draft.update" => return e,
                Some(_) => {}
                None => panic!("the bus closed"),
            }
        }
    })
    .await
    .expect("the draft is sent within the deadline");
    assert_eq!(sent.data["attributes"]["status"], "sent");
    assert_eq!(messages(&server, CONV_2).await.len(), before + 1);
}

/// Found by schemathesis: `cc`, `bcc` and `headers` take objects only.
#[tokio::test]
async fn draft_address_lists_and_headers_take_objects() {
    let server = server().await;
    let draft = "/v1/drafts/64a0c0ffee00000000002b01";
    for member in ["cc", "bcc", "headers"] {
        let body = json!({ member: [4.5] }).to_string();
        let answer = put(&server, draft, ADMIN, &body).await;
        assert_eq!(answer.status, 400, "{member}: {}", answer.body);
        assert_eq!(
            answer.body["errors"][0]["source"]["pointer"],
            format!("/{member}/0")
        );
    }
    let good = json!({"headers": [{"name": "X-Ticket", "value": "42"}]}).to_string();
    let answer = put(&server, draft, ADMIN, &good).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.data()["attributes"]["headers"][0]["name"],
        "X-Ticket"
    );
}
