//! Operations addressed through a record that exists: a conversation or a message for a
//! customer, deleting a customer, a company's KObjects, a message by external id, and a
//! customer's or conversation's events read back from the event log.

use serde_json::{Value, json};

use crate::common::*;

const COMPANY_ENGINES: &str = "64a0c0ffee00000000001c01";
const UNKNOWN: &str = "64a0c0ffee0000000000ffff";

fn names(answer: &Answer) -> Vec<String> {
    let items = answer.data().as_array().expect("`data` is a list");
    items
        .iter()
        .map(|e| e["attributes"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_conversation_is_created_for_the_customer_of_the_path() {
    let server = server().await;
    let path = format!("/v1/customers/{CUSTOMER_ADA}/conversations");
    let created = post(&server, &path, ADMIN, r#"{"name": "Refund"}"#).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let conversation = created.data();
    assert_eq!(conversation["attributes"]["name"], "Refund");
    assert_eq!(
        conversation["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
    let listed = get(&server, &path, ADMIN).await;
    assert!(
        listed
            .each("id")
            .contains(&conversation["id"].as_str().unwrap())
    );

    let other = json!({"customer": "64a0c0ffee00000000000c02"}).to_string();
    let wrong = post(&server, &path, ADMIN, &other).await;
    let error = wrong.expect_error(400, "invalid_value");
    assert_eq!(error["source"]["pointer"], "/customer");
    let bad = post(&server, &path, ADMIN, r#"{"statuss": "open"}"#).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.to_string().contains("statuss"), "{}", bad.body);
    let missing = post(
        &server,
        &format!("/v1/customers/{UNKNOWN}/conversations"),
        ADMIN,
        "{}",
    )
    .await;
    missing.expect_error(404, "not_found");
}

#[tokio::test]
async fn a_message_for_the_customer_goes_on_a_new_conversation_unless_one_is_named() {
    let server = server().await;
    let path = format!("/v1/customers/{CUSTOMER_ADA}/messages");
    let body = json!({"channel": "email", "app": "postmark", "direction": "in", "preview": "Hi", "externalId": "mail-77"});
    let created = post(&server, &path, ADMIN, &body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let conversation = created.data()["relationships"]["conversation"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(conversation, CONV_1);
    let owner = get(&server, &format!("/v1/conversations/{conversation}"), ADMIN).await;
    assert_eq!(
        owner.data()["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
    // The same message is found by its external id, on the path Kustomer's reference writes.
    let found = get(&server, "/v1/messages/externalid=mail-77", ADMIN).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.data()["id"], created.data()["id"]);
    get(&server, "/v1/messages/externalid=no-such-mail", ADMIN)
        .await
        .expect_error(404, "not_found");

    // A body without `channel` is refused before any conversation is made for it.
    let before = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/conversations"),
        ADMIN,
    )
    .await;
    let bad = post(
        &server,
        &path,
        ADMIN,
        r#"{"app": "postmark", "direction": "in"}"#,
    )
    .await;
    let error = bad.expect_error(400, "required");
    assert_eq!(error["source"]["pointer"], "/channel");
    let after = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/conversations"),
        ADMIN,
    )
    .await;
    assert_eq!(before.body["meta"]["total"], after.body["meta"]["total"]);
    post(
        &server,
        &format!("/v1/customers/{UNKNOWN}/messages"),
        ADMIN,
        &body.to_string(),
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn deleting_a_customer_emits_its_delete_event_and_leaves_its_conversations() {
    let server = server().await;
    let created = post(
        &server,
        "/v1/customers",
        ADMIN,
        r#"{"name": "Short Lived"}"#,
    )
    .await;
    let id = created.data()["id"].as_str().unwrap().to_string();
    let conversation = post(
        &server,
        &format!("/v1/customers/{id}/conversations"),
        ADMIN,
        "{}",
    )
    .await;
    let conversation = conversation.data()["id"].as_str().unwrap().to_string();

    let deleted = delete(&server, &format!("/v1/customers/{id}"), ADMIN, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    get(&server, &format!("/v1/customers/{id}"), ADMIN)
        .await
        .expect_error(404, "not_found");
    let kept = get(&server, &format!("/v1/conversations/{conversation}"), ADMIN).await;
    assert_eq!(kept.status, 200, "{}", kept.body);
    let events = server.bus().query(&kustomer_mock::EventQuery {
        name: Some("kustomer.customer.delete".into()),
        ..Default::default()
    });
    assert_eq!(events.events.len(), 1);
    assert_eq!(events.events[0].1.data_id.to_hex(), id);
    delete(&server, &format!("/v1/customers/{id}"), ADMIN, None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_companys_kobjects_of_a_klass_are_those_naming_it() {
    let server = server().await;
    let body = json!({"title": "Order #2001", "company": COMPANY_ENGINES}).to_string();
    let created = post(&server, "/v1/klasses/order", ADMIN, &body).await;
    assert!(
        created.status == 200 || created.status == 201,
        "{}",
        created.body
    );
    let path = format!("/v1/companies/{COMPANY_ENGINES}/klasses/order");
    let listed = get(&server, &path, ADMIN).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let ids = listed.each("id");
    assert!(ids.contains(&created.data()["id"].as_str().unwrap()));
    for item in listed.data().as_array().unwrap() {
        assert_eq!(
            item["relationships"]["company"]["data"]["id"],
            COMPANY_ENGINES
        );
    }
    get(
        &server,
        &format!("/v1/companies/{UNKNOWN}/klasses/order"),
        ADMIN,
    )
    .await
    .expect_error(404, "not_found");
    get(
        &server,
        &format!("/v1/companies/{COMPANY_ENGINES}/klasses/nothing"),
        ADMIN,
    )
    .await
    .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_records_events_are_read_back_in_kustomers_shape() {
    let server = server().await;
    let path = format!("/v1/customers/{CUSTOMER_ADA}/conversations");
    let created = post(&server, &path, ADMIN, r#"{"name": "Events"}"#).await;
    let conversation = created.data()["id"].as_str().unwrap().to_string();
    let update = put(
        &server,
        &format!("/v1/conversations/{conversation}"),
        ADMIN,
        r#"{"status": "done"}"#,
    )
    .await;
    assert_eq!(update.status, 200, "{}", update.body);

    let events = get(
        &server,
        &format!("/v1/conversations/{conversation}/events"),
        ADMIN,
    )
    .await;
    assert_eq!(events.status, 200, "{}", events.body);
    assert_eq!(
        names(&events),
        [
            "kustomer.conversation.create",
            "kustomer.conversation.update"
        ]
    );
    let update_event: &Value = &events.data()[1];
    // Its `links.self` is served, as the customer's are.
    let one = get(
        &server,
        update_event["links"]["self"].as_str().unwrap(),
        ADMIN,
    )
    .await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.data(), update_event);
    assert_eq!(update_event["type"], "customer_event");
    assert_eq!(update_event["attributes"]["type"], "conversation");
    assert_eq!(
        update_event["attributes"]["changes"]["attributes"]["status"]["after"],
        "done"
    );
    assert_eq!(
        update_event["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );

    // The customer's list holds its conversation's events; `name` filters it.
    let customer_events = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/events?name=kustomer.conversation.create"),
        ADMIN,
    )
    .await;
    assert_eq!(customer_events.status, 200, "{}", customer_events.body);
    let about: Vec<&Value> = customer_events
        .data()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["relationships"]["conversation"]["data"]["id"] == conversation.as_str())
        .collect();
    assert_eq!(about.len(), 1);
    assert!(
        names(&customer_events)
            .iter()
            .all(|n| n == "kustomer.conversation.create")
    );
    get(
        &server,
        &format!("/v1/conversations/{UNKNOWN}/events"),
        ADMIN,
    )
    .await
    .expect_error(404, "not_found");
    get(&server, &format!("/v1/customers/{UNKNOWN}/events"), ADMIN)
        .await
        .expect_error(404, "not_found");

    // One event by id, at the `links.self` its list gives; not through another customer.
    let listed = &customer_events.data()[0];
    let one = get(&server, listed["links"]["self"].as_str().unwrap(), ADMIN).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.data(), listed);
    let event = listed["id"].as_str().unwrap();
    let grace = "64a0c0ffee00000000000c02";
    get(
        &server,
        &format!("/v1/customers/{grace}/events/{event}"),
        ADMIN,
    )
    .await
    .expect_error(404, "not_found");
    get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/events/{UNKNOWN}"),
        ADMIN,
    )
    .await
    .expect_error(404, "not_found");
    // An id that is not UTF-8 once percent-decoded is named too.
    let undecodable = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/events/%FF"),
        ADMIN,
    )
    .await;
    assert_eq!(
        undecodable.expect_error(400, "invalid_id")["source"]["parameter"],
        "eventId"
    );
    let bad = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/events/nope"),
        ADMIN,
    )
    .await;
    assert_eq!(
        bad.expect_error(400, "invalid_id")["source"]["parameter"],
        "eventId"
    );
}

/// Found by schemathesis: on `POST /v1/customers/{id}/conversations` the path names the
/// customer, so a body `customer` other than it (or `null`) is refused.
#[tokio::test]
async fn a_body_customer_must_be_the_paths() {
    let server = server().await;
    let path = format!("/v1/customers/{CUSTOMER_ADA}/conversations");
    for body in [
        r#"{"customer": null}"#,
        r#"{"customer": "64a0c0ffee00000000000c02"}"#,
    ] {
        let answer = post(&server, &path, ADMIN, body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/customer");
    }
    let same = format!(r#"{{"customer": "{CUSTOMER_ADA}", "name": "Same"}}"#);
    assert_eq!(post(&server, &path, ADMIN, &same).await.status, 201);
}
