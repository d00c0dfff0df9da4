//! The customer list and the lookups written as Kustomer writes them:
//! `/v1/customers/email=…`, `/externalId=…`, `/phone=…`, `/v1/conversations/externalId=…`.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn customers_list_is_paged_like_conversations() {
    let server = server().await;
    let all = get(&server, "/v1/customers", READONLY).await;
    assert_eq!(all.status, 200, "{}", all.body);
    let ids = all.each("id");
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], CUSTOMER_ADA);
    assert_eq!(
        all.body["meta"],
        json!({"page": 1, "pageSize": 100, "total": 3, "totalPages": 1})
    );
    assert_eq!(all.body["links"]["last"], "/v1/customers?page=1");
    assert_eq!(all.data()[0]["type"], "customer");

    let created = post(&server, "/v1/customers", WORKFLOW, r#"{"name": "Newest"}"#).await;
    assert_eq!(created.status, 201);
    let page = get(&server, "/v1/customers?pageSize=2&page=2", READONLY).await;
    assert_eq!(page.body["meta"]["total"], 4);
    assert_eq!(
        page.each("id"),
        vec![ids[2], created.data()["id"].as_str().unwrap()]
    );
    assert_eq!(
        page.body["links"]["prev"],
        "/v1/customers?pageSize=2&page=1"
    );
    assert!(page.body["links"]["next"].is_null());
    assert_eq!(page.body["meta"]["totalPages"], 2);
    assert_eq!(
        page.body["links"]["last"],
        "/v1/customers?pageSize=2&page=2"
    );

    get(&server, "/v1/customers?pageSize=x", READONLY)
        .await
        .expect_error(400, "invalid_parameter");
    // The weekly key has no customer read role.
    get(&server, "/v1/customers", "kmk_acme_weekly_9d4b6f8e2a1c3e57")
        .await
        .expect_error(403, "missing_role");
}

#[tokio::test]
async fn customers_are_found_by_email_external_id_and_phone() {
    let server = server().await;
    let by_email = get(&server, "/v1/customers/email=ada@example.com", READONLY).await;
    assert_eq!(by_email.status, 200, "{}", by_email.body);
    assert_eq!(by_email.data()["id"], CUSTOMER_ADA);
    // Compared without case; the value is percent-decoded.
    let upper = get(&server, "/v1/customers/email=ADA%40Example.com", READONLY).await;
    assert_eq!(upper.data()["id"], CUSTOMER_ADA);

    let by_external = get(&server, "/v1/customers/externalId=cust-ada", READONLY).await;
    assert_eq!(by_external.status, 200, "{}", by_external.body);
    assert_eq!(by_external.data()["id"], CUSTOMER_ADA);

    let created = post(
        &server,
        "/v1/customers",
        WORKFLOW,
        r#"{"name": "Phoebe", "phones": [{"type": "mobile", "phone": "+1 800 555 1212"}]}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let by_phone = get(&server, "/v1/customers/phone=18005551212", READONLY).await;
    assert_eq!(by_phone.status, 200, "{}", by_phone.body);
    assert_eq!(by_phone.data()["id"], created.data()["id"]);
    let e164 = get(&server, "/v1/customers/phone=+18005551212", READONLY).await;
    assert_eq!(e164.data()["id"], created.data()["id"]);

    for (path, value) in [
        (
            "/v1/customers/email=nobody@example.com",
            "nobody@example.com",
        ),
        ("/v1/customers/externalId=nope", "nope"),
        ("/v1/customers/phone=19995550000", "19995550000"),
    ] {
        let missing = get(&server, path, READONLY).await;
        let e = missing.expect_error(404, "not_found");
        assert!(
            e["detail"].as_str().unwrap().contains(value),
            "{}",
            missing.body
        );
    }
    // An empty value, or a selector Kustomer does not have, is a bad id.
    get(&server, "/v1/customers/email=", READONLY)
        .await
        .expect_error(400, "invalid_id");
    get(&server, "/v1/customers/name=Ada", READONLY)
        .await
        .expect_error(400, "invalid_id");
    // The lookups need the customer read role.
    get(
        &server,
        "/v1/customers/email=ada@example.com",
        "kmk_acme_weekly_9d4b6f8e2a1c3e57",
    )
    .await
    .expect_error(403, "missing_role");
}

#[tokio::test]
async fn conversations_are_found_by_external_id() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_2}");
    let tagged = put(&server, &path, WORKFLOW, r#"{"externalId": "zendesk-42"}"#).await;
    assert_eq!(tagged.status, 200, "{}", tagged.body);
    let found = get(&server, "/v1/conversations/externalId=zendesk-42", READONLY).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.data()["id"], CONV_2);
    assert_eq!(found.data()["attributes"]["externalId"], "zendesk-42");
    let missing = get(&server, "/v1/conversations/externalId=zendesk-43", READONLY).await;
    assert!(
        missing.expect_error(404, "not_found")["detail"]
            .as_str()
            .unwrap()
            .contains("zendesk-43")
    );
}
