//! Klasses over HTTP: create, list, read by id, change, delete (refused while the klass
//! has KObjects), their checks, roles and events.

use kustomer_mock::{BusItem, Subscription};
use reqwest::Method;
use serde_json::json;

use crate::common::*;

fn names(sub: &mut Subscription) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(item) = sub.try_recv() {
        if let BusItem::Event(e) = item {
            out.push(e.name.clone());
        }
    }
    out
}

#[tokio::test]
async fn a_klass_is_created_listed_read_changed_and_deleted() {
    let server = server().await;
    let mut sub = server.bus().subscribe(None);
    let created = post(
        &server,
        "/v1/klasses",
        ADMIN,
        &json!({"name": "subscription", "displayName": "Subscription", "icon": "repeat", "color": "#aa0000", "mixins": ["editable"]}).to_string(),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let klass = created.data();
    assert_eq!(klass["type"], "klass");
    let attributes = &klass["attributes"];
    assert_eq!(attributes["name"], "subscription");
    assert_eq!(attributes["displayName"], "Subscription");
    assert_eq!(attributes["status"], "enabled");
    assert_eq!(attributes["mixins"], json!(["editable"]));
    assert_eq!(attributes["appDisabled"], false);
    let id = klass["id"].as_str().unwrap().to_string();
    assert_eq!(klass["links"]["self"], format!("/v1/klasses/{id}"));

    let listed = get(&server, "/v1/klasses", ADMIN).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(listed.each("id").contains(&id.as_str()));

    let read = get(&server, &format!("/v1/klasses/{id}"), READONLY_KLASS).await;
    assert_eq!(read.status, 403, "{}", read.body);
    let read = get(&server, &format!("/v1/klasses/{id}"), ADMIN).await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.data()["attributes"]["name"], "subscription");

    let changed = put(
        &server,
        &format!("/v1/klasses/{id}"),
        ADMIN,
        &json!({"displayName": "Subscriptions", "status": "disabled"}).to_string(),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.data()["attributes"]["displayName"], "Subscriptions");
    assert_eq!(changed.data()["attributes"]["status"], "disabled");

    let renamed = put(
        &server,
        &format!("/v1/klasses/{id}"),
        ADMIN,
        &json!({"name": "other"}).to_string(),
    )
    .await;
    assert_eq!(
        renamed.expect_error(400, "invalid_value")["source"]["pointer"],
        "/name"
    );

    let deleted = delete(&server, &format!("/v1/klasses/{id}"), ADMIN, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    get(&server, &format!("/v1/klasses/{id}"), ADMIN)
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        names(&mut sub),
        vec![
            "kustomer.klass.create",
            "kustomer.klass.update",
            "kustomer.klass.delete"
        ]
    );
}

/// A key without klass roles (`acme-weekly`: conversation read/write, tag read).
const READONLY_KLASS: &str = "kmk_acme_weekly_9d4b6f8e2a1c3e57";

#[tokio::test]
async fn bad_klasses_are_refused_with_the_member_named() {
    let server = server().await;
    for (body, status, code, pointer) in [
        (json!({"displayName": "x"}), 400, "required", "/name"),
        (json!({"name": "has space"}), 400, "invalid_value", "/name"),
        (json!({"name": "order"}), 409, "duplicate_klass", "/name"),
        (
            json!({"name": "ok", "colour": "red"}),
            400,
            "unknown_attribute",
            "/colour",
        ),
        (
            json!({"name": "ok", "createdAt": "2026-01-01T00:00:00Z"}),
            400,
            "read_only_attribute",
            "/createdAt",
        ),
        (
            json!({"name": "ok", "mixins": ["flying"]}),
            400,
            "invalid_type",
            "/mixins/0",
        ),
    ] {
        let answer = post(&server, "/v1/klasses", ADMIN, &body.to_string()).await;
        assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.body);
        let error = answer.error();
        assert_eq!(error["code"], code, "{body}: {}", answer.body);
        assert_eq!(
            error["source"]["pointer"], pointer,
            "{body}: {}",
            answer.body
        );
    }
    post(&server, "/v1/klasses", WORKFLOW, r#"{"name": "x"}"#)
        .await
        .expect_error(403, "missing_role");
}

#[tokio::test]
async fn a_klass_with_kobjects_cannot_be_deleted() {
    let server = server().await;
    let answer = delete(&server, "/v1/klasses/order", ADMIN, None).await;
    answer.expect_error(409, "klass_in_use");
    let still = admin(&server, Method::GET, "/state", None).await;
    assert_eq!(still.status, 200, "{}", still.body);
    let klasses = &still.body["orgs"][0]["klasses"];
    assert!(
        klasses
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["attributes"]["name"] == "order"),
        "{klasses}"
    );
}

#[tokio::test]
async fn an_apps_klasses_are_created_when_it_loads() {
    use kustomer_harness::harness::Harness;
    use kustomer_harness::workflow::apps::{App, SettingValues};
    let definition = json!({
        "app": "calendly",
        "version": "2.1.0",
        "klasses": [
            {"name": "calendly-event", "displayName": "Calendly event", "icon": "calendar",
             "metadata": {"properties": {"customersCompanyStr": {"displayName": "Company"}}}},
            {"name": "order", "displayName": "Not the fixture's"}
        ]
    });
    let app = App::load_value(definition, "calendly.json", &SettingValues::new()).unwrap();
    let harness = Harness::builder()
        .fixtures(acme())
        .seed(1)
        .app(app)
        .start()
        .await
        .expect("harness starts");
    let server = harness.server();
    let listed = get(server, "/v1/klasses", ADMIN).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let klasses = listed.data().as_array().unwrap();
    let calendly = klasses
        .iter()
        .find(|k| k["attributes"]["name"] == "calendly-event")
        .unwrap_or_else(|| panic!("the app's klass is there: {}", listed.body));
    assert_eq!(calendly["attributes"]["displayName"], "Calendly event");
    assert_eq!(calendly["attributes"]["appVersion"], "2.1.0");
    let order = klasses
        .iter()
        .find(|k| k["attributes"]["name"] == "order")
        .unwrap();
    assert_eq!(
        order["attributes"]["displayName"], "Order",
        "a klass the org has is left alone"
    );
    assert_eq!(klasses.len(), 2);
    let created = post(
        server,
        "/v1/klasses/calendly-event",
        ADMIN,
        &json!({"title": "Intro call", "custom": {"customersCompanyStr": "Acme"}}).to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
}

/// Found by schemathesis: a klass's `jsonSchema` must be an object, and the klass route
/// checks its paging parameters whether it answers the klass or its KObjects.
#[tokio::test]
async fn klass_bodies_and_paging_are_checked() {
    let server = server().await;
    let array = post(
        &server,
        "/v1/klasses",
        ADMIN,
        r#"{"name": "bad", "jsonSchema": [null, null]}"#,
    )
    .await;
    assert_eq!(array.status, 400, "{}", array.body);
    assert_eq!(array.body["errors"][0]["source"]["pointer"], "/jsonSchema");
    for path in [
        "/v1/klasses/64a0c0ffee00000000001a01?pageSize=0",
        "/v1/klasses/order?pageSize=0",
    ] {
        get(&server, path, ADMIN)
            .await
            .expect_error(400, "invalid_parameter");
    }
}

/// A klass's bulk routes take its id as well as its name, as `GET /v1/klasses/{name}` does.
#[tokio::test]
async fn klass_bulk_routes_take_a_klass_id() {
    let server = server().await;
    let body = r#"[{"title": "Bulk by id"}]"#;
    let answer = post(
        &server,
        "/v1/klasses/64a0c0ffee00000000001a01/bulk",
        ADMIN,
        body,
    )
    .await;
    assert!(answer.status.is_success(), "{}", answer.body);
    let listed = get(&server, "/v1/klasses/order?pageSize=100", ADMIN).await;
    let titles: Vec<&str> = listed
        .data()
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["attributes"]["title"].as_str())
        .collect();
    assert!(titles.contains(&"Bulk by id"), "{titles:?}");
    let unknown = post(
        &server,
        "/v1/klasses/64a0c0ffee0000000000ffff/bulk",
        ADMIN,
        body,
    )
    .await;
    unknown.expect_error(404, "not_found");
}
