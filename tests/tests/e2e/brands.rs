//! Brands over HTTP: the fixture's default brand, create, read, list, patch with its
//! update event, and the errors for bad bodies and unknown ids.

use serde_json::json;

use crate::common::*;

const BRAND_ACME: &str = "64a0c0ffee00000000001e01";
const UNKNOWN: &str = "64a0c0ffee0000000000ffff";

#[tokio::test]
async fn the_first_brand_is_the_default_and_brands_are_created_read_and_patched() {
    let server = server().await;
    let default = get(&server, "/v1/brands/default", ADMIN).await;
    assert_eq!(default.status, 200, "{}", default.body);
    assert_eq!(default.data()["id"], BRAND_ACME);
    assert_eq!(default.data()["type"], "brand");
    assert_eq!(default.data()["attributes"]["default"], true);

    let body = json!({"name": "Acme Outlet", "iconUrl": "https://acme.example/outlet.svg"});
    let created = post(&server, "/v1/brands", ADMIN, &body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.data()["id"].as_str().unwrap().to_string();
    assert_eq!(created.data()["attributes"]["default"], false);
    assert_eq!(created.data()["links"]["self"], format!("/v1/brands/{id}"));
    let listed = get(&server, "/v1/brands", ADMIN).await;
    assert_eq!(listed.each("id"), [BRAND_ACME, id.as_str()]);

    let patched = send(
        &server,
        reqwest::Method::PATCH,
        &format!("/v1/brands/{id}"),
        Some(ADMIN),
        Some(r#"{"name": "Acme Outlet VIP"}"#),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.data()["attributes"]["name"], "Acme Outlet VIP");
    assert_eq!(
        patched.data()["attributes"]["iconUrl"],
        "https://acme.example/outlet.svg"
    );
    let events = server.bus().query(&kustomer_mock::EventQuery {
        name: Some("kustomer.brand.update".into()),
        ..Default::default()
    });
    assert_eq!(events.events.len(), 1);
    let changes = events.events[0].1.changes.as_ref().unwrap().value().clone();
    assert_eq!(changes["attributes"]["name"]["after"], "Acme Outlet VIP");
    let read = get(&server, &format!("/v1/brands/{id}"), ADMIN).await;
    assert_eq!(read.data()["attributes"]["name"], "Acme Outlet VIP");
    // The default stays where it was.
    let default = get(&server, "/v1/brands/default", ADMIN).await;
    assert_eq!(default.data()["id"], BRAND_ACME);
}

#[tokio::test]
async fn brand_errors_name_the_attribute_or_the_id() {
    let server = server().await;
    let missing = post(&server, "/v1/brands", ADMIN, r#"{"name": "No icon"}"#).await;
    let error = missing.expect_error(400, "required");
    assert_eq!(error["source"]["pointer"], "/iconUrl");
    let unknown = post(
        &server,
        "/v1/brands",
        ADMIN,
        r#"{"name": "X", "colour": "red"}"#,
    )
    .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(unknown.error()["source"]["pointer"], "/colour");
    let blank = send(
        &server,
        reqwest::Method::PATCH,
        &format!("/v1/brands/{BRAND_ACME}"),
        Some(ADMIN),
        Some(r#"{"name": " "}"#),
    )
    .await;
    assert_eq!(
        blank.expect_error(400, "required")["source"]["pointer"],
        "/name"
    );
    get(&server, &format!("/v1/brands/{UNKNOWN}"), ADMIN)
        .await
        .expect_error(404, "not_found");
    let patch_unknown = send(
        &server,
        reqwest::Method::PATCH,
        &format!("/v1/brands/{UNKNOWN}"),
        Some(ADMIN),
        Some(r#"{"name": "Ghost"}"#),
    )
    .await;
    patch_unknown.expect_error(404, "not_found");
}

/// Found by schemathesis: `iconUrl` is at most 2048 characters, `name` 256.
#[tokio::test]
async fn brand_lengths_are_checked() {
    let server = server().await;
    let long_icon = json!({"name": "Long", "iconUrl": "x".repeat(2049)}).to_string();
    let answer = post(&server, "/v1/brands", ADMIN, &long_icon).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/iconUrl");
    let long_name =
        json!({"name": "n".repeat(257), "iconUrl": "https://x.example/i.png"}).to_string();
    let answer = post(&server, "/v1/brands", ADMIN, &long_name).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["errors"][0]["source"]["pointer"], "/name");
}
