//! Customers, tags, and who-am-I routes.

use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn customers_create_get_update() {
    let server = server().await;
    let created = post(
        &server,
        "/v1/customers",
        WORKFLOW,
        r#"{"name":"Katherine Johnson","emails":[{"type":"work","email":"kj@example.com"}],"externalId":"kj-1"}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.data()["type"], "customer");
    assert_eq!(
        created.data()["attributes"]["displayName"],
        "Katherine Johnson"
    );
    let id = created.data()["id"].as_str().unwrap().to_string();
    let fetched = get(&server, &format!("/v1/customers/{id}"), READONLY).await;
    assert_eq!(fetched.body, created.body);
    let empty = post(&server, "/v1/customers", WORKFLOW, "{}").await;
    assert_eq!(empty.status, 201, "every field is optional");

    let updated = put(
        &server,
        &format!("/v1/customers/{id}"),
        WORKFLOW,
        r#"{"custom":{"tierStr":"gold"}}"#,
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.data()["attributes"]["rev"], 2);
    assert_eq!(updated.data()["attributes"]["name"], "Katherine Johnson");

    let dup = post(
        &server,
        "/v1/customers",
        WORKFLOW,
        r#"{"externalId":"kj-1"}"#,
    )
    .await;
    dup.expect_error(409, "duplicate_external_id");
    let bad_email = post(
        &server,
        "/v1/customers",
        WORKFLOW,
        r#"{"emails":[{"type":"home"}]}"#,
    )
    .await;
    assert_eq!(
        bad_email.expect_error(400, "invalid_value")["source"]["pointer"],
        "/emails/0/email"
    );
}

#[tokio::test]
async fn tags_crud_with_soft_delete() {
    let server = server().await;
    let created = post(
        &server,
        "/v1/tags",
        WORKFLOW,
        r##"{"name":"urgent","color":"#ff0000"}"##,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.data()["id"].as_str().unwrap().to_string();
    assert_eq!(created.data()["attributes"]["deleted"], false);

    let renamed = put(
        &server,
        &format!("/v1/tags/{id}"),
        WORKFLOW,
        r#"{"name":"very-urgent"}"#,
    )
    .await;
    assert_eq!(renamed.data()["attributes"]["name"], "very-urgent");
    assert_eq!(renamed.data()["attributes"]["color"], "#ff0000");

    let dup = post(&server, "/v1/tags", WORKFLOW, r#"{"name":"vip"}"#).await;
    dup.expect_error(409, "duplicate_tag");
    let missing = post(&server, "/v1/tags", WORKFLOW, r##"{"color":"#000"}"##).await;
    assert_eq!(
        missing.expect_error(400, "required")["source"]["pointer"],
        "/name"
    );

    server.clock().advance(1000);
    let deleted = delete(&server, &format!("/v1/tags/{id}"), WORKFLOW, None).await;
    assert_eq!(deleted.status, 204);
    let after = get(&server, &format!("/v1/tags/{id}"), WORKFLOW).await;
    assert_eq!(after.data()["attributes"]["deleted"], true);
    assert_eq!(
        after.data()["attributes"]["deletedAt"],
        server.clock().now().to_iso()
    );

    let live = get(&server, "/v1/tags?deleted=false", WORKFLOW).await;
    assert_eq!(live.body["meta"]["total"], 3);
    let gone = get(&server, "/v1/tags?deleted=true", WORKFLOW).await;
    assert_eq!(gone.body["meta"]["total"], 1);
    let all = get(&server, "/v1/tags", WORKFLOW).await;
    assert_eq!(all.body["meta"]["total"], 4);
    // A deleted tag's name is free again.
    assert_eq!(
        post(&server, "/v1/tags", WORKFLOW, r#"{"name":"very-urgent"}"#)
            .await
            .status,
        201
    );
    get(&server, "/v1/tags?deleted=maybe", WORKFLOW)
        .await
        .expect_error(400, "invalid_parameter");
}

#[tokio::test]
async fn current_user_and_token() {
    let server = server().await;
    let user = get(&server, "/v1/users/current", READONLY).await;
    assert_eq!(user.status, 200);
    assert_eq!(user.data()["type"], "user");
    assert_eq!(user.data()["attributes"]["name"], "acme-readonly");
    assert_eq!(user.data()["attributes"]["userType"], "machine");
    let token = get(&server, "/v1/auth/tokens/current", READONLY).await;
    assert_eq!(token.status, 200);
    let a = &token.data()["attributes"];
    assert_eq!(a["name"], "acme-readonly");
    assert_eq!(a["lastTokenChars"], "7e40");
    assert_eq!(
        a["roles"],
        json!([
            "org.user.conversation.read",
            "org.user.customer.read",
            "org.user.tag.read",
            "org.user.company.read",
            "org.user.klass.read",
            "org.user.kobject.read"
        ])
    );
    assert!(
        !token.body.to_string().contains(READONLY),
        "the token itself is never shown"
    );
    assert_eq!(
        token.data()["relationships"]["user"]["data"]["id"],
        user.data()["id"]
    );
    assert_ne!(a["createdAt"], Value::Null);
}
