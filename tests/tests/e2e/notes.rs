//! Notes over HTTP: on a conversation, by id, per customer and for the org; their edit
//! and delete events with `changes`; the conversation's `noteCount` following creates
//! and deletes; the errors for bad bodies and unknown ids.

use kustomer_mock::{BusItem, Event, MockServer, Subscription};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Grace Hopper, who owns CONV_2.
const CUSTOMER_GRACE: &str = "64a0c0ffee00000000000c02";
/// Alan Turing, who owns CONV_3.
const CUSTOMER_ALAN: &str = "64a0c0ffee00000000000c03";

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

async fn note_count(server: &MockServer, conversation: &str) -> u64 {
    let answer = get(server, &format!("/v1/conversations/{conversation}"), ADMIN).await;
    answer.data()["attributes"]["noteCount"].as_u64().unwrap()
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.each("id").into_iter().map(String::from).collect()
}

#[tokio::test]
async fn notes_are_created_read_listed_edited_and_deleted() {
    let server = server().await;
    let count = note_count(&server, CONV_2).await;
    let body = json!({
        "conversation": CONV_2,
        "body": "Customer called about the login",
        "externalId": "note-1",
        "userMentions": [{"user": "64a0c0ffee00000000000d01"}],
        "lang": "en",
    });
    let created = post(&server, "/v1/notes", ADMIN, &body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let note = created.data().clone();
    let id = note["id"].as_str().unwrap().to_string();
    assert_eq!(note["type"], "note");
    assert_eq!(note["attributes"]["externalId"], "note-1");
    assert_eq!(note["attributes"]["lang"], "en");
    assert_eq!(note["attributes"]["deleted"], false);
    assert_eq!(
        note["relationships"]["customer"]["data"]["id"],
        CUSTOMER_GRACE
    );
    assert_eq!(note["links"]["self"], format!("/v1/notes/{id}"));
    // The mentioned users are a relationship too, as Kustomer answers them.
    assert_eq!(
        note["relationships"]["userMentions"],
        json!({"data": [{"type": "user", "id": "64a0c0ffee00000000000d01"}]})
    );
    let on_path = post(
        &server,
        &format!("/v1/conversations/{CONV_2}/notes"),
        WORKFLOW,
        r#"{"body": "second"}"#,
    )
    .await;
    assert_eq!(on_path.status, 201, "{}", on_path.body);
    let second = on_path.data()["id"].as_str().unwrap().to_string();
    assert_eq!(note_count(&server, CONV_2).await, count + 2);

    let path = format!("/v1/notes/{id}");
    let read = get(&server, &path, ADMIN).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.data(), &note);
    let of_org = get(&server, "/v1/notes", ADMIN).await;
    assert_eq!(of_org.status, 200, "{}", of_org.body);
    assert!(ids(&of_org).contains(&id) && ids(&of_org).contains(&second));
    let of_grace = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/notes"),
        ADMIN,
    )
    .await;
    assert_eq!(of_grace.status, 200, "{}", of_grace.body);
    assert_eq!(ids(&of_grace), [id.clone(), second.clone()]);
    let of_alan = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ALAN}/notes"),
        ADMIN,
    )
    .await;
    assert_eq!(of_alan.data(), &json!([]), "Alan has no notes");
    let of_conversation = get(&server, &format!("/v1/conversations/{CONV_2}/notes"), ADMIN).await;
    assert_eq!(ids(&of_conversation), [id.clone(), second.clone()]);

    let mut sub = server.bus().subscribe(None);
    let edited = put(
        &server,
        &path,
        ADMIN,
        r#"{"body": "Customer called twice"}"#,
    )
    .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.data()["attributes"]["body"], "Customer called twice");
    assert_eq!(edited.data()["attributes"]["externalId"], "note-1", "kept");
    let patched = send(
        &server,
        Method::PATCH,
        &path,
        Some(ADMIN),
        Some(r#"{"lang": null}"#),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.data()["attributes"]["lang"], Value::Null);
    let events = drain(&mut sub);
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["kustomer.note.update", "kustomer.note.update"]);
    let changes = events[0].changes.as_ref().unwrap()["attributes"].clone();
    assert_eq!(
        changes["body"],
        json!({"op": "replace", "before": "Customer called about the login", "after": "Customer called twice"})
    );
    assert!(changes.get("lang").is_none(), "{changes}");
    let changes = events[1].changes.as_ref().unwrap()["attributes"].clone();
    assert_eq!(changes["lang"]["before"], "en", "{changes}");

    let deleted = delete(&server, &path, ADMIN, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let events = drain(&mut sub);
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["kustomer.note.delete", "kustomer.conversation.update"]
    );
    assert_eq!(events[0].data_id.to_hex(), id);
    let changes = events[1].changes.as_ref().unwrap();
    assert_eq!(
        changes["attributes"]["noteCount"],
        json!({"op": "replace", "before": count + 2, "after": count + 1})
    );
    assert_eq!(note_count(&server, CONV_2).await, count + 1);
    get(&server, &path, ADMIN)
        .await
        .expect_error(404, "not_found");
    let of_grace = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/notes"),
        ADMIN,
    )
    .await;
    assert_eq!(ids(&of_grace), [second]);
}

#[tokio::test]
async fn bad_note_bodies_and_unknown_ids_are_refused() {
    let server = server().await;
    let cases = [
        (
            json!({"conversation": CONV_2, "body": "x", "colour": "red"}),
            400,
            "unknown_attribute",
            "/colour",
        ),
        (
            json!({"conversation": CONV_2, "body": "x", "createdAt": "2026-01-01T00:00:00Z"}),
            400,
            "read_only_attribute",
            "/createdAt",
        ),
        (
            json!({"conversation": CONV_2, "body": 7}),
            400,
            "invalid_type",
            "/body",
        ),
        (
            json!({"conversation": CONV_2, "body": "x", "userMentions": [{"user": 3}]}),
            400,
            "invalid_type",
            "/userMentions/0/user",
        ),
        (
            json!({"conversation": CONV_2, "body": "  "}),
            400,
            "required",
            "/body",
        ),
        (json!({"body": "x"}), 400, "required", "/conversation"),
        (
            json!({"conversation": "nope", "body": "x"}),
            400,
            "invalid_id",
            "/conversation",
        ),
    ];
    for (body, status, code, pointer) in cases {
        let answer = post(&server, "/v1/notes", ADMIN, &body.to_string()).await;
        let error = answer.expect_error(status, code);
        assert_eq!(
            error["source"]["pointer"], pointer,
            "{body}: {}",
            answer.body
        );
    }
    let unknown_conversation = json!({"conversation": "0123456789abcdef01234567", "body": "x"});
    post(
        &server,
        "/v1/notes",
        ADMIN,
        &unknown_conversation.to_string(),
    )
    .await
    .expect_error(404, "not_found");

    let created = post(
        &server,
        "/v1/notes",
        ADMIN,
        &json!({"conversation": CONV_2, "body": "x"}).to_string(),
    )
    .await;
    let path = format!("/v1/notes/{}", created.data()["id"].as_str().unwrap());
    let edits = [
        (json!({"pinned": true}), "unknown_attribute", "/pinned"),
        (json!({"deleted": "yes"}), "invalid_type", "/deleted"),
        (
            json!({"conversation": CONV_1}),
            "invalid_value",
            "/conversation",
        ),
        (json!({"body": ""}), "invalid_value", "/body"),
    ];
    for (body, code, pointer) in edits {
        let answer = put(&server, &path, ADMIN, &body.to_string()).await;
        let error = answer.expect_error(400, code);
        assert_eq!(
            error["source"]["pointer"], pointer,
            "{body}: {}",
            answer.body
        );
    }

    let missing = "/v1/notes/0123456789abcdef01234567";
    get(&server, missing, ADMIN)
        .await
        .expect_error(404, "not_found");
    put(&server, missing, ADMIN, r#"{"body": "x"}"#)
        .await
        .expect_error(404, "not_found");
    delete(&server, missing, ADMIN, None)
        .await
        .expect_error(404, "not_found");
    get(
        &server,
        "/v1/customers/0123456789abcdef01234567/notes",
        ADMIN,
    )
    .await
    .expect_error(404, "not_found");
    let readonly = delete(&server, &path, READONLY, None).await;
    assert_eq!(readonly.status, 403, "{}", readonly.body);
}

#[tokio::test]
async fn the_per_customer_note_limit_answers_429() {
    let server = server().await;
    let limits = admin(&server, Method::GET, "/limits", None).await;
    assert_eq!(
        limits.body["limits"]["customerNotesPerWindow"], 120,
        "Kustomer's published limit"
    );
    let set = admin(
        &server,
        Method::PUT,
        "/limits",
        Some(r#"{"customerNotesPerWindow": 2}"#),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let note = |conversation: &str| json!({"conversation": conversation, "body": "x"}).to_string();
    let count = note_count(&server, CONV_2).await;
    for _ in 0..2 {
        assert_eq!(
            post(&server, "/v1/notes", ADMIN, &note(CONV_2))
                .await
                .status,
            201
        );
    }
    let refused = post(&server, "/v1/notes", ADMIN, &note(CONV_2)).await;
    let error = refused.expect_error(429, "rate_limit_customer_note");
    assert_eq!(error["meta"]["limit"], "customer-note");
    assert!(refused.header("retry-after").is_some());
    assert_eq!(
        note_count(&server, CONV_2).await,
        count + 2,
        "the refused one is not kept"
    );
    // Another customer has their own allowance; the next window resets it.
    assert_eq!(
        post(&server, "/v1/notes", ADMIN, &note(CONV_1))
            .await
            .status,
        201
    );
    admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"advance": "60s"}"#),
    )
    .await;
    assert_eq!(
        post(&server, "/v1/notes", ADMIN, &note(CONV_2))
            .await
            .status,
        201
    );
}
