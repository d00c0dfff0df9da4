//! The standard attributes of conversations and customers from Kustomer's reference:
//! each is present with its default, the writable ones survive a `PUT`, and the
//! server-kept ones (`noteCount`, `firstResponse`, the done milestones) follow the store.

use kustomer_mock::MockServer;
use serde_json::{Value, json};

use crate::common::*;

async fn attributes(server: &kustomer_mock::MockServer, path: &str) -> Value {
    let answer = get(server, path, WORKFLOW).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.data()["attributes"].clone()
}

#[tokio::test]
async fn a_new_conversation_shows_every_standard_attribute_with_its_default() {
    let server = server().await;
    let created = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA}).to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.data()["id"].as_str().unwrap().to_string();
    let a = attributes(&server, &format!("/v1/conversations/{id}")).await;
    let defaults = json!({
        "noteCount": 0,
        "satisfaction": 0,
        "sentiment": {},
        "suggestedTags": [],
        "firstResponse": {},
        "firstDone": {},
        "lastDone": {},
        "queue": null,
        "externalQueue": null,
        "subStatus": null,
        "brand": null,
        "replyChannel": null,
        "defaultLang": null,
        "locale": null,
        "endedReason": null,
        "endedBy": null,
        "endedByType": null,
        "locked": false,
    });
    for (name, value) in defaults.as_object().unwrap() {
        assert_eq!(a.get(name), Some(value), "conversation `{name}` in {a}");
    }
}

#[tokio::test]
async fn a_new_customer_shows_every_standard_attribute_with_its_default() {
    let server = server().await;
    let created = post(
        &server,
        "/v1/customers",
        WORKFLOW,
        &json!({"name": "Edsger"}).to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.data()["id"].as_str().unwrap().to_string();
    let answer = get(&server, &format!("/v1/customers/{id}"), WORKFLOW).await;
    let a = answer.data()["attributes"].clone();
    for list in [
        "externalIds",
        "sharedExternalIds",
        "sharedEmails",
        "sharedPhones",
        "whatsapps",
        "facebookIds",
        "instagramIds",
        "socials",
        "sharedSocials",
        "urls",
        "locations",
        "activeUsers",
        "watchers",
    ] {
        assert_eq!(a[list], json!([]), "customer `{list}` in {a}");
    }
    for empty in [
        "recentLocation",
        "lastMessageIn",
        "lastConversation",
        "preview",
        "sentiment",
    ] {
        assert_eq!(a[empty], json!({}), "customer `{empty}` in {a}");
    }
    for null in [
        "displayColor",
        "displayIcon",
        "company",
        "signedUpAt",
        "avatarUrl",
        "username",
        "locale",
        "defaultLang",
        "timeZone",
        "birthdayAt",
        "gender",
        "lastSeenAt",
        "lastActivityAt",
        "lastCustomerActivityAt",
        "progressiveStatus",
    ] {
        assert_eq!(a.get(null), Some(&Value::Null), "customer `{null}` in {a}");
    }
    assert_eq!(a["presence"], "offline");
    assert_eq!(a["verified"], false);
    assert_eq!(
        a["conversationCounts"],
        json!({"all": 0, "snoozed": 0, "open": 0, "done": 0})
    );
    assert_eq!(
        answer.data()["relationships"]["messages"]["links"]["self"],
        format!("/v1/customers/{id}/messages")
    );
}

#[tokio::test]
async fn a_put_keeps_queue_sub_status_brand_and_locale() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    let body = json!({
        "queue": {"id": "64a0c0ffee0000000000f001"},
        "subStatus": "64a0c0ffee0000000000f002",
        "brand": "64a0c0ffee0000000000f003",
        "locale": "fr-CA",
        "defaultLang": "fr",
        "satisfaction": 1,
        "sentiment": {"polarity": -1, "confidence": 0.75},
        "suggestedTags": [{"tag": "refund", "confidence": 0.5}],
    });
    let answer = put(&server, &path, WORKFLOW, &body.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let a = attributes(&server, &path).await;
    for (name, value) in body.as_object().unwrap() {
        assert_eq!(&a[name], value, "`{name}` kept");
    }
    assert!(
        a["modificationHistory"]["queueAt"].is_string(),
        "a written attribute is in the history: {a}"
    );
    // A later write that names other attributes leaves these alone; `null` clears one.
    let answer = put(
        &server,
        &path,
        WORKFLOW,
        &json!({"priority": 4, "queue": null}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let a = attributes(&server, &path).await;
    assert_eq!(a["queue"], Value::Null);
    assert_eq!(a["subStatus"], "64a0c0ffee0000000000f002");
    assert_eq!(a["brand"], "64a0c0ffee0000000000f003");
    assert_eq!(a["locale"], "fr-CA");
}

#[tokio::test]
async fn out_of_range_standard_attributes_are_refused() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    let cases = [
        (json!({"satisfaction": 3}), "/satisfaction"),
        (
            json!({"sentiment": {"polarity": 2, "confidence": 0}}),
            "/sentiment/polarity",
        ),
        (json!({"queue": {}}), "/queue"),
        (json!({"locale": "x".repeat(17)}), "/locale"),
    ];
    for (body, pointer) in cases {
        let answer = put(&server, &path, WORKFLOW, &body.to_string()).await;
        let error = answer.expect_error(400, "invalid_value");
        assert_eq!(error["source"]["pointer"], pointer, "{body}");
    }
    let answer = put(
        &server,
        &path,
        WORKFLOW,
        &json!({"noteCount": 5}).to_string(),
    )
    .await;
    assert_eq!(
        answer.status, 400,
        "noteCount is the server's: {}",
        answer.body
    );
    let customer = format!("/v1/customers/{CUSTOMER_ADA}");
    let answer = put(
        &server,
        &customer,
        WORKFLOW,
        &json!({"gender": "x"}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    let answer = put(
        &server,
        &customer,
        WORKFLOW,
        &json!({"urls": [{"type": "website"}]}).to_string(),
    )
    .await;
    assert_eq!(
        answer.status, 400,
        "a url entry needs `url`: {}",
        answer.body
    );
}

#[tokio::test]
async fn customer_identities_and_profile_are_kept_as_written() {
    let server = server().await;
    let path = format!("/v1/customers/{CUSTOMER_ADA}");
    let body = json!({
        "externalIds": [{"externalId": "ada-1", "verified": true}],
        "sharedEmails": [{"type": "work", "email": "team@example.com"}],
        "socials": [{"type": "twitter", "username": "ada"}],
        "locations": [{"type": "home", "name": "London"}],
        "locale": "en-GB",
        "timeZone": "Europe/London",
        "gender": "f",
        "birthdayAt": "1815-12-10T00:00:00.000Z",
    });
    let answer = put(&server, &path, WORKFLOW, &body.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let a = attributes(&server, &path).await;
    for (name, value) in body.as_object().unwrap() {
        assert_eq!(&a[name], value, "`{name}` kept");
    }
}

#[tokio::test]
async fn note_count_follows_the_notes_and_emits_the_conversation_update() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_2}");
    let before = attributes(&server, &path).await;
    let mut sub = server.bus().subscribe(None);
    for text in ["first", "second"] {
        let answer = post(
            &server,
            &format!("{path}/notes"),
            WORKFLOW,
            &json!({"body": text}).to_string(),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
    }
    let after = attributes(&server, &path).await;
    let count = |a: &Value| a["noteCount"].as_u64().unwrap();
    assert_eq!(count(&after), count(&before) + 2);
    let mut counts = Vec::new();
    while let Some(item) = sub.try_recv() {
        if let kustomer_mock::BusItem::Event(e) = item
            && e.name == "kustomer.conversation.update"
        {
            counts.push(e.changes.as_ref().unwrap()["attributes"]["noteCount"]["after"].clone());
        }
    }
    assert_eq!(
        counts,
        [json!(count(&before) + 1), json!(count(&before) + 2)],
        "one conversation update per note, with the new count in `changes`"
    );
}

#[tokio::test]
async fn the_first_outbound_message_stamps_first_response_once() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_2}");
    let reply =
        json!({"channel": "email", "app": "postmark", "direction": "out", "preview": "On it"});
    let mut seen = Vec::new();
    for _ in 0..2 {
        let answer = post(
            &server,
            &format!("{path}/messages"),
            WORKFLOW,
            &reply.to_string(),
        )
        .await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        seen.push(attributes(&server, &path).await["firstResponse"].clone());
    }
    let first = &seen[0];
    assert!(first["createdAt"].is_string(), "{first}");
    assert!(first["time"].is_u64(), "{first}");
    assert!(first["createdBy"].is_string(), "{first}");
    assert_eq!(
        &seen[1], first,
        "a later reply leaves the first response alone"
    );
}

async fn read(server: &MockServer, id: String) -> Value {
    let path = format!("/v1/customers/{id}");
    get(server, &path, READONLY).await.data()["attributes"].clone()
}

async fn create(server: &MockServer, body: String) -> String {
    let answer = post(server, "/v1/conversations", WORKFLOW, &body).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.data()["id"].as_str().unwrap().to_string()
}

/// `conversationCounts` and `lastConversation` follow the customer's conversations: create,
/// status changes, delete; the customer's `rev` stays.
#[tokio::test]
async fn conversation_counts_follow_the_customers_conversations() {
    let server = server().await;
    let customer = post(&server, "/v1/customers", WORKFLOW, r#"{"name": "Counted"}"#).await;
    assert_eq!(customer.status, 201, "{}", customer.body);
    let id = customer.data()["id"].as_str().unwrap().to_string();
    let first = create(&server, json!({"customer": id, "name": "one"}).to_string()).await;
    let second = create(
        &server,
        json!({"customer": id, "name": "two", "status": "done"}).to_string(),
    )
    .await;
    let a = read(&server, id.clone()).await;
    assert_eq!(
        a["conversationCounts"],
        json!({"all": 2, "snoozed": 0, "open": 1, "done": 1})
    );
    assert_eq!(a["lastConversation"]["id"], second.as_str());
    assert_eq!(a["rev"], customer.data()["attributes"]["rev"]);

    let path = format!("/v1/conversations/{first}");
    let snoozed = put(&server, &path, WORKFLOW, r#"{"status": "snoozed"}"#).await;
    assert_eq!(snoozed.status, 200, "{}", snoozed.body);
    let a = read(&server, id.clone()).await;
    assert_eq!(
        a["conversationCounts"],
        json!({"all": 2, "snoozed": 1, "open": 0, "done": 1})
    );

    let gone = delete(&server, &format!("/v1/conversations/{second}"), ADMIN, None).await;
    assert!(gone.status.is_success(), "{}", gone.body);
    let a = read(&server, id.clone()).await;
    assert_eq!(
        a["conversationCounts"],
        json!({"all": 1, "snoozed": 1, "open": 0, "done": 0})
    );
    assert_eq!(a["lastConversation"]["id"], first.as_str());
}

/// A queue needs an `id` or a known `external` queue (the reference's `anyOf` and enum),
/// and a sentiment member written as `null` is left unset.
#[tokio::test]
async fn queues_are_checked_and_null_sentiment_members_are_unset() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    let unknown = put(&server, &path, WORKFLOW, r#"{"queue": {"external": ""}}"#).await;
    unknown.expect_error(400, "invalid_type");
    assert_eq!(unknown.body["errors"][0]["source"]["pointer"], "/queue");
    let detail = unknown.body["errors"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("`external`"), "{detail}");
    let neither = put(&server, &path, WORKFLOW, r#"{"queue": {}}"#).await;
    neither.expect_error(400, "invalid_value");
    let external = put(
        &server,
        &path,
        WORKFLOW,
        r#"{"queue": {"external": "amazon-connect"}}"#,
    )
    .await;
    assert_eq!(external.status, 200, "{}", external.body);
    assert_eq!(
        external.data()["attributes"]["queue"],
        json!({"id": null, "external": "amazon-connect"})
    );
    let customer = format!("/v1/customers/{CUSTOMER_ADA}");
    let body = r#"{"sentiment": {"polarity": 1, "confidence": null}}"#;
    let answer = put(&server, &customer, WORKFLOW, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.data()["attributes"]["sentiment"],
        json!({"polarity": 1})
    );
}

/// A value object written as an array is refused (serde would read a struct from one).
#[tokio::test]
async fn value_objects_written_as_arrays_are_refused() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    for body in [
        r#"{"sentiment": [null, null]}"#,
        r#"{"queue": ["q"]}"#,
        r#"{"suggestedTags": [["vip", 0.5]]}"#,
    ] {
        let answer = put(&server, &path, WORKFLOW, body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_error_shape(&answer.body, answer.status);
    }
    let after = get(&server, &path, READONLY).await;
    assert_eq!(after.data()["attributes"]["rev"], 1);
}
