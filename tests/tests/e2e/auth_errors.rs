//! 401 and 403: every way a key can fail, in Kustomer's error body.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

async fn raw_auth(server: &kustomer_mock::MockServer, value: &str) -> Answer {
    let response = reqwest::Client::new()
        .get(format!("{}/v1/conversations", server.url()))
        .header("authorization", value)
        .send()
        .await
        .unwrap();
    answer(response).await
}

#[tokio::test]
async fn no_authorization_header() {
    let server = server().await;
    let answer = send(&server, Method::GET, "/v1/conversations", None, None).await;
    let e = answer.expect_error(401, "missing_authorization");
    assert!(e["detail"].as_str().unwrap().contains("Bearer"));
    assert_eq!(e["source"]["header"], "Authorization");
    assert!(
        answer.header("x-ratelimit-limit").is_none(),
        "no org is known before authentication"
    );
}

#[tokio::test]
async fn token_without_bearer_prefix_says_so() {
    let server = server().await;
    let answer = raw_auth(&server, WORKFLOW).await;
    let e = answer.expect_error(401, "missing_bearer_prefix");
    let detail = e["detail"].as_str().unwrap();
    assert!(detail.contains("missing the `Bearer ` prefix"), "{detail}");
    assert!(
        detail.contains("acme-workflow"),
        "names the key it recognised: {detail}"
    );
    assert!(
        !answer.body.to_string().contains(WORKFLOW),
        "never echoes the token"
    );

    let basic = raw_auth(&server, &format!("Basic {WORKFLOW}")).await;
    let detail = basic.expect_error(401, "missing_bearer_prefix")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("`Basic`"), "{detail}");
    raw_auth(&server, "Bearer")
        .await
        .expect_error(401, "invalid_token");
    raw_auth(&server, "Bearer    ")
        .await
        .expect_error(401, "invalid_token");
}

#[tokio::test]
async fn unknown_and_revoked_tokens() {
    let server = server().await;
    let e = get(&server, "/v1/conversations", "kmk_nobody")
        .await
        .expect_error(401, "invalid_token")
        .clone();
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("unknown or was revoked")
    );

    let created = admin(
        &server,
        Method::POST,
        "/keys",
        Some(r#"{"name":"temp","roles":["org.admin"]}"#),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_string();
    assert_eq!(get(&server, "/v1/conversations", &token).await.status, 200);
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(
        admin(&server, Method::DELETE, &format!("/keys/{id}"), None)
            .await
            .status,
        204
    );
    get(&server, "/v1/conversations", &token)
        .await
        .expect_error(401, "invalid_token");
}

#[tokio::test]
async fn expired_token() {
    let server = server().await;
    let e = get(&server, "/v1/conversations", EXPIRED)
        .await
        .expect_error(401, "expired_token")
        .clone();
    assert!(
        e["detail"].as_str().unwrap().contains("Expired token"),
        "{e}"
    );

    // A key that expires in a week works until the clock passes its expiry.
    let created = admin(
        &server,
        Method::POST,
        "/keys",
        Some(r#"{"name":"week","roles":["org.admin"],"expiresIn":"7d"}"#),
    )
    .await;
    let token = created.body["token"].as_str().unwrap().to_string();
    assert_eq!(get(&server, "/v1/conversations", &token).await.status, 200);
    server.clock().advance(7 * 86_400_000 + 1);
    get(&server, "/v1/conversations", &token)
        .await
        .expect_error(401, "expired_token");
}

#[tokio::test]
async fn missing_role_names_the_role() {
    let server = server().await;
    assert_eq!(
        get(&server, &format!("/v1/conversations/{CONV_1}"), READONLY)
            .await
            .status,
        200
    );
    let answer = put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        READONLY,
        r#"{"status":"done"}"#,
    )
    .await;
    let e = answer.expect_error(403, "missing_role");
    let detail = e["detail"].as_str().unwrap();
    assert!(detail.contains("org.user.conversation.write"), "{detail}");
    assert!(
        detail.contains("org.permission.conversation.update"),
        "{detail}"
    );
    assert!(detail.contains("acme-readonly"), "{detail}");
    assert_eq!(
        e["meta"]["requiredRoles"],
        json!([
            "org.user.conversation.write",
            "org.permission.conversation.update"
        ])
    );
    let unchanged = get(&server, &format!("/v1/conversations/{CONV_1}"), READONLY).await;
    assert_eq!(unchanged.data()["attributes"]["status"], "open");

    // Authentication comes first: an expired key is 401 even where it would lack a role.
    get(&server, "/v1/tags", EXPIRED)
        .await
        .expect_error(401, "expired_token");
    // Every write route checks its role.
    for (method, path, body) in [
        (
            Method::POST,
            "/v1/conversations".to_string(),
            format!(r#"{{"customer":"{CUSTOMER_ADA}"}}"#),
        ),
        (
            Method::POST,
            format!("/v1/conversations/{CONV_1}/tags"),
            r#"["vip"]"#.to_string(),
        ),
        (
            Method::DELETE,
            format!("/v1/conversations/{CONV_1}/tags"),
            r#"["vip"]"#.to_string(),
        ),
        (
            Method::DELETE,
            format!("/v1/conversations/{CONV_1}"),
            String::new(),
        ),
        (Method::POST, "/v1/customers".to_string(), "{}".to_string()),
        (
            Method::PUT,
            format!("/v1/customers/{CUSTOMER_ADA}"),
            "{}".to_string(),
        ),
        (
            Method::POST,
            "/v1/tags".to_string(),
            r#"{"name":"x"}"#.to_string(),
        ),
        (
            Method::PUT,
            format!("/v1/tags/{TAG_VIP}"),
            r#"{"name":"x"}"#.to_string(),
        ),
        (Method::DELETE, format!("/v1/tags/{TAG_VIP}"), String::new()),
    ] {
        let body = (!body.is_empty()).then_some(body.as_str());
        let answer = send(&server, method.clone(), &path, Some(READONLY), body).await;
        answer.expect_error(403, "missing_role");
    }
}

#[tokio::test]
async fn caller_outside_the_keys_cidr() {
    let server = server().await;
    let answer = get(&server, "/v1/conversations", OFFICE).await;
    let e = answer.expect_error(403, "ip_not_allowed");
    let detail = e["detail"].as_str().unwrap();
    assert!(
        detail.contains("127.0.0.1") && detail.contains("10.20.0.0/16"),
        "{detail}"
    );

    let loopback = admin(
        &server,
        Method::POST,
        "/keys",
        Some(r#"{"name":"local","roles":["org.admin"],"allowedCidrs":["127.0.0.0/8"]}"#),
    )
    .await;
    let token = loopback.body["token"].as_str().unwrap().to_string();
    assert_eq!(get(&server, "/v1/conversations", &token).await.status, 200);
}
