//! The bulk routes: every item goes through its object's single-record write (its own
//! events), the answer is Kustomer's bulk job, a bad item refuses the whole body.

use kustomer_mock::EventQuery;
use serde_json::{Value, json};

use crate::common::*;

const UNKNOWN: &str = "64a0c0ffee0000000000ffff";

fn job_ids(answer: &Answer) -> Vec<String> {
    let ids = answer.data()["attributes"]["ids"].as_array().unwrap();
    ids.iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect()
}

fn events_named(server: &kustomer_mock::MockServer, name: &str) -> usize {
    let query = EventQuery {
        name: Some(name.to_string()),
        ..Default::default()
    };
    server.bus().query(&query).events.len()
}

async fn customer_total(server: &kustomer_mock::MockServer) -> Value {
    get(server, "/v1/customers", ADMIN).await.body["meta"]["total"].clone()
}

#[tokio::test]
async fn customers_are_created_changed_and_deleted_in_bulk_each_with_its_events() {
    let server = server().await;
    let creates = events_named(&server, "kustomer.customer.create");
    let updates = events_named(&server, "kustomer.customer.update");
    let body = json!([{"name": "Bulk One"}, {"name": "Bulk Two", "externalId": "bulk-2"}]);
    let created = post(&server, "/v1/customers/bulk", ADMIN, &body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let job = created.data();
    assert_eq!(job["type"], "bulk");
    assert_eq!(job["attributes"]["status"], "complete");
    assert_eq!(
        job["attributes"]["context"],
        "api.sobjects.customers.bulk-create"
    );
    assert_eq!(job["attributes"]["payload"]["api"]["data"], body);
    assert_eq!(job["attributes"]["payload"]["api"]["method"], "POST");
    let ids = job_ids(&created);
    assert_eq!(ids.len(), 2);
    assert_eq!(
        events_named(&server, "kustomer.customer.create"),
        creates + 2
    );
    let second = get(&server, &format!("/v1/customers/{}", ids[1]), ADMIN).await;
    assert_eq!(second.data()["attributes"]["externalId"], "bulk-2");

    // Each item names its record; or `ids` names them and the one item applies to each.
    let change = json!([{"id": ids[0], "name": "Bulk First"}]).to_string();
    let changed = put(&server, "/v1/customers/bulk", ADMIN, &change).await;
    assert_eq!(changed.status, 201, "{}", changed.body);
    let first = get(&server, &format!("/v1/customers/{}", ids[0]), ADMIN).await;
    assert_eq!(first.data()["attributes"]["name"], "Bulk First");
    let both = format!("/v1/customers/bulk?ids={},{}", ids[0], ids[1]);
    let changed = put(&server, &both, ADMIN, r#"{"name": "Same"}"#).await;
    assert_eq!(job_ids(&changed), ids);
    assert_eq!(
        events_named(&server, "kustomer.customer.update"),
        updates + 3
    );

    let deleted = delete(&server, &both, ADMIN, None).await;
    assert_eq!(deleted.status, 201, "{}", deleted.body);
    assert_eq!(
        deleted.data()["attributes"]["payload"]["api"]["data"]["ids"],
        json!(ids)
    );
    assert_eq!(events_named(&server, "kustomer.customer.delete"), 2);
    get(&server, &format!("/v1/customers/{}", ids[0]), ADMIN)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn a_bad_item_refuses_the_whole_body_and_a_failed_item_is_listed() {
    let server = server().await;
    let before = customer_total(&server).await;
    let body = json!([{"name": "Fine"}, {"nmae": "Typo"}]).to_string();
    let refused = post(&server, "/v1/customers/bulk", ADMIN, &body).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.error()["source"]["pointer"], "/1/nmae");
    assert_eq!(customer_total(&server).await, before);
    let not_a_list = post(&server, "/v1/companies/bulk", ADMIN, "42").await;
    not_a_list.expect_error(400, "invalid_type");
    let no_id = put(&server, "/v1/notes/bulk", ADMIN, r#"[{"body": "x"}]"#).await;
    assert_eq!(
        no_id.expect_error(400, "required")["source"]["pointer"],
        "/0/id"
    );
    delete(&server, "/v1/customers/bulk", ADMIN, None)
        .await
        .expect_error(400, "required");

    // An unknown id is an item that fails: the job lists it, the others are written.
    let change = json!([{"id": UNKNOWN, "name": "Ghost"}, {"id": CUSTOMER_ADA, "name": "Ada L."}]);
    let partly = put(&server, "/v1/customers/bulk", ADMIN, &change.to_string()).await;
    assert_eq!(partly.status, 201, "{}", partly.body);
    let attributes = &partly.data()["attributes"];
    assert_eq!(attributes["status"], "failed");
    assert_eq!(attributes["ids"], json!([CUSTOMER_ADA]));
    assert_eq!(attributes["errors"][0]["index"], 0);
    assert_eq!(attributes["errors"][0]["status"], 404);
}

#[tokio::test]
async fn every_object_has_its_bulk_routes() {
    let server = server().await;
    let conversations = post(
        &server,
        "/v1/conversations/bulk",
        ADMIN,
        &json!([{"customer": CUSTOMER_ADA, "name": "Bulk"}]).to_string(),
    )
    .await;
    assert_eq!(conversations.status, 201, "{}", conversations.body);
    let conversation = job_ids(&conversations)[0].clone();
    let message = json!([{"conversation": conversation, "channel": "email", "app": "postmark", "direction": "in"}]);
    let messages = post(&server, "/v1/messages/bulk", ADMIN, &message.to_string()).await;
    assert_eq!(messages.status, 200, "{}", messages.body);
    assert_eq!(job_ids(&messages).len(), 1);
    let note = json!([{"conversation": conversation, "body": "Bulk note"}]);
    let notes = post(&server, "/v1/notes/bulk", ADMIN, &note.to_string()).await;
    assert_eq!(notes.status, 201, "{}", notes.body);
    let after = get(&server, &format!("/v1/conversations/{conversation}"), ADMIN).await;
    assert_eq!(after.data()["attributes"]["messageCount"], 1);
    assert_eq!(after.data()["attributes"]["noteCount"], 1);

    let objects = post(
        &server,
        "/v1/klasses/order/bulk",
        ADMIN,
        r#"[{"title": "Bulk order"}]"#,
    )
    .await;
    assert_eq!(objects.status, 201, "{}", objects.body);
    assert_eq!(
        objects.data()["attributes"]["context"],
        "api.sobjects.kobjects.bulk-create"
    );
    let object = job_ids(&objects)[0].clone();
    let renamed = put(
        &server,
        "/v1/klasses/order/bulk",
        ADMIN,
        &json!([{"id": object, "title": "Renamed"}]).to_string(),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let gone = delete(
        &server,
        &format!("/v1/klasses/order/bulk?ids={object}"),
        ADMIN,
        None,
    )
    .await;
    assert_eq!(gone.data()["attributes"]["status"], "complete");
    get(&server, &format!("/v1/klasses/order/{object}"), ADMIN)
        .await
        .expect_error(404, "not_found");
    post(
        &server,
        "/v1/klasses/nothing/bulk",
        ADMIN,
        r#"[{"title": "x"}]"#,
    )
    .await
    .expect_error(404, "not_found");
    let company = post(
        &server,
        "/v1/companies/bulk",
        ADMIN,
        r#"[{"name": "Bulk Co"}]"#,
    )
    .await;
    assert_eq!(company.status, 201, "{}", company.body);
}
