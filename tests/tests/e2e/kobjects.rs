//! KObjects over HTTP: the routes per klass and per customer, the lookup by
//! `externalId`, the custom attribute checks against the klass, and the
//! `kustomer.kobject.<klass>.*` events with their `changes`.

use std::sync::Arc;

use kustomer_mock::{BusItem, Event, Subscription};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

const ORDER_KLASS: &str = "64a0c0ffee00000000001a01";
const ORDER_1042: &str = "64a0c0ffee00000000001b01";
const CUSTOMER_GRACE: &str = "64a0c0ffee00000000000c02";

fn drain(sub: &mut Subscription) -> Vec<Arc<Event>> {
    let mut out = Vec::new();
    while let Some(item) = sub.try_recv() {
        if let BusItem::Event(e) = item {
            out.push(e);
        }
    }
    out
}

async fn patch(server: &kustomer_mock::MockServer, path: &str, body: &Value) -> Answer {
    send(
        server,
        Method::PATCH,
        path,
        Some(ADMIN),
        Some(&body.to_string()),
    )
    .await
}

#[tokio::test]
async fn the_fixture_orders_are_served_by_klass_id_external_id_and_customer() {
    let server = server().await;
    let listed = get(&server, "/v1/klasses/order", ADMIN).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["meta"]["total"], 3);
    let one = get(&server, &format!("/v1/klasses/order/{ORDER_1042}"), ADMIN).await;
    assert_eq!(one.status, 200, "{}", one.body);
    let order = one.data();
    assert_eq!(order["type"], "kobject");
    assert_eq!(order["attributes"]["title"], "Order #1042");
    assert_eq!(order["attributes"]["custom"]["totalNum"], 129.5);
    assert_eq!(order["relationships"]["klass"]["data"]["id"], ORDER_KLASS);
    assert_eq!(
        order["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
    assert_eq!(
        order["links"]["self"],
        format!("/v1/klasses/order/{ORDER_1042}")
    );

    let by_external = get(&server, "/v1/klasses/order/externalId=order-1042", ADMIN).await;
    assert_eq!(by_external.status, 200, "{}", by_external.body);
    assert_eq!(by_external.data()["id"], ORDER_1042);
    get(&server, "/v1/klasses/order/externalId=order-9", ADMIN)
        .await
        .expect_error(404, "not_found");

    let ada = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/klasses/order"),
        ADMIN,
    )
    .await;
    assert_eq!(ada.status, 200, "{}", ada.body);
    assert_eq!(ada.body["meta"]["total"], 2);
    let grace = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/klasses/order"),
        ADMIN,
    )
    .await;
    assert_eq!(grace.body["meta"]["total"], 1);

    get(&server, "/v1/klasses/booking", ADMIN)
        .await
        .expect_error(404, "not_found");
    get(&server, &format!("/v1/klasses/booking/{ORDER_1042}"), ADMIN)
        .await
        .expect_error(404, "not_found");
    get(&server, "/v1/klasses/order/nope", ADMIN)
        .await
        .expect_error(400, "invalid_id");
}

#[tokio::test]
async fn create_change_and_delete_emit_kobject_events_with_changes() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    let created = post(
        &server,
        &format!("/v1/customers/{CUSTOMER_GRACE}/klasses/order"),
        ADMIN,
        &json!({"title": "Order #2001", "externalId": "order-2001", "custom": {"statusStr": "paid", "totalNum": 10}, "tags": ["web"]}).to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.data()["id"].as_str().unwrap().to_string();
    assert_eq!(created.data()["attributes"]["rev"], 1);
    assert_eq!(
        created.data()["relationships"]["customer"]["data"]["id"],
        CUSTOMER_GRACE
    );

    let changed = patch(
        &server,
        &format!("/v1/klasses/order/{id}"),
        &json!({"custom": {"statusStr": "shipped"}}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    let attributes = &changed.data()["attributes"];
    assert_eq!(attributes["custom"]["statusStr"], "shipped");
    assert_eq!(attributes["custom"]["totalNum"], 10, "custom is merged");
    assert_eq!(attributes["rev"], 2);

    let put_answer = put(
        &server,
        &format!("/v1/klasses/order/{id}"),
        ADMIN,
        &json!({"description": "two boxes"}).to_string(),
    )
    .await;
    assert_eq!(put_answer.status, 200, "{}", put_answer.body);

    let deleted = delete(&server, &format!("/v1/klasses/order/{id}"), ADMIN, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    get(&server, &format!("/v1/klasses/order/{id}"), ADMIN)
        .await
        .expect_error(404, "not_found");

    let events = drain(&mut sub);
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "kustomer.kobject.order.create",
            "kustomer.kobject.order.update",
            "kustomer.kobject.order.update",
            "kustomer.kobject.order.delete"
        ]
    );
    let changes = events[1].changes.as_ref().unwrap().value();
    assert_eq!(
        changes["attributes"]["custom"]["after"]["statusStr"], "shipped",
        "{changes}"
    );
    assert_eq!(changes["attributes"]["rev"]["after"], 2, "{changes}");
    assert!(changes["attributes"].get("title").is_none(), "{changes}");
    assert!(events[1].meta.custom_changed);
    assert!(!events[2].meta.custom_changed);
}

#[tokio::test]
async fn custom_attributes_are_checked_against_the_klass() {
    let server = server().await;
    for (custom, code, pointer) in [
        (
            json!({"totalNum": "lots"}),
            "invalid_type",
            "/custom/totalNum",
        ),
        (
            json!({"giftBool": "yes"}),
            "invalid_type",
            "/custom/giftBool",
        ),
        (
            json!({"paidAt": "tuesday"}),
            "invalid_type",
            "/custom/paidAt",
        ),
        (
            json!({"trackingUrl": "not a url"}),
            "invalid_type",
            "/custom/trackingUrl",
        ),
        (
            json!({"colourStr": "red"}),
            "unknown_attribute",
            "/custom/colourStr",
        ),
    ] {
        let body = json!({"title": "Order", "custom": custom});
        let answer = post(&server, "/v1/klasses/order", ADMIN, &body.to_string()).await;
        let error = answer.expect_error(400, code);
        assert_eq!(error["source"]["pointer"], pointer, "{}", answer.body);
        let name = pointer.rsplit('/').next().unwrap();
        assert!(
            error["detail"].as_str().unwrap().contains(name),
            "{}",
            answer.body
        );
    }
    let changed = patch(
        &server,
        &format!("/v1/klasses/order/{ORDER_1042}"),
        &json!({"custom": {"totalNum": true}}),
    )
    .await;
    changed.expect_error(400, "invalid_type");
    let unchanged = get(&server, &format!("/v1/klasses/order/{ORDER_1042}"), ADMIN).await;
    assert_eq!(unchanged.data()["attributes"]["custom"]["totalNum"], 129.5);
}

#[tokio::test]
async fn bad_kobject_writes_are_refused() {
    let server = server().await;
    for (path, body, status, code) in [
        (
            "/v1/klasses/order",
            json!({"description": "no title"}),
            400,
            "required",
        ),
        (
            "/v1/klasses/order",
            json!({"title": "x", "rev": 3}),
            400,
            "read_only_attribute",
        ),
        (
            "/v1/klasses/order",
            json!({"title": "x", "colour": 3}),
            400,
            "unknown_attribute",
        ),
        (
            "/v1/klasses/order",
            json!({"title": "x", "externalId": "order-1042"}),
            409,
            "duplicate_external_id",
        ),
        (
            "/v1/klasses/order",
            json!({"title": "x", "customer": "64a0c0ffee00000000000fff"}),
            400,
            "invalid_value",
        ),
        (
            "/v1/klasses/booking",
            json!({"title": "x"}),
            404,
            "not_found",
        ),
        (
            "/v1/customers/64a0c0ffee00000000000fff/klasses/order",
            json!({"title": "x"}),
            404,
            "not_found",
        ),
    ] {
        let answer = post(&server, path, ADMIN, &body.to_string()).await;
        assert_eq!(
            answer.status.as_u16(),
            status,
            "{path} {body}: {}",
            answer.body
        );
        assert_eq!(
            answer.error()["code"],
            code,
            "{path} {body}: {}",
            answer.body
        );
    }
    post(&server, "/v1/klasses/order", READONLY, r#"{"title": "x"}"#)
        .await
        .expect_error(403, "missing_role");
    let listed = get(&server, "/v1/klasses/order", ADMIN).await;
    assert_eq!(listed.body["meta"]["total"], 3, "nothing was written");
}
