//! The admin API: its guard both ways, and each route.

use std::time::Duration;

use kustomer_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn admin_token_guards_admin_and_never_opens_v1() {
    let server = builder()
        .admin_token("admin-secret-1")
        .start()
        .await
        .unwrap();
    let without = admin(&server, Method::GET, "/state", None).await;
    without.expect_error(401, "admin_unauthorized");
    // A /v1 key does not open the admin API.
    let with_key = send(&server, Method::GET, "/__admin/state", Some(ADMIN), None).await;
    with_key.expect_error(401, "admin_unauthorized");
    let with_admin = send(
        &server,
        Method::GET,
        "/__admin/state",
        Some("admin-secret-1"),
        None,
    )
    .await;
    assert_eq!(with_admin.status, 200);
    // The admin token does not open /v1.
    get(&server, "/v1/conversations", "admin-secret-1")
        .await
        .expect_error(401, "invalid_token");
    // And it cannot become a /v1 key.
    let reuse = send(
        &server,
        Method::POST,
        "/__admin/keys",
        Some("admin-secret-1"),
        Some(r#"{"name":"x","token":"admin-secret-1"}"#),
    )
    .await;
    reuse.expect_error(400, "invalid_value");
    assert!(!with_admin.body.to_string().contains("admin-secret-1"));
}

#[tokio::test]
async fn without_a_token_admin_is_loopback_only() {
    // Loopback callers get in; the non-loopback branch is exercised by binding 0.0.0.0 and
    // calling through a non-loopback local address when the machine has one.
    let server = builder()
        .host("0.0.0.0".parse().unwrap())
        .start()
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}/__admin/state", server.addr().port());
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    if let Some(ip) = non_loopback_ip() {
        let url = format!("http://{ip}:{}/__admin/state", server.addr().port());
        let response = reqwest::get(&url).await.unwrap();
        let answer = answer(response).await;
        answer.expect_error(403, "admin_loopback_only");
    }
}

/// A local non-loopback IPv4 address, if the machine has one.
fn non_loopback_ip() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("10.255.255.255:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn keys_are_created_listed_and_tokens_shown_once() {
    let server = server().await;
    let created = admin(
        &server,
        Method::POST,
        "/keys",
        Some(r#"{"name":"ci","roles":["org.user.tag.read"],"expiresAt":"2030-01-01T00:00:00.000Z","allowedCidrs":["127.0.0.1"]}"#),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("kmk_"));
    assert_eq!(created.body["allowedCidrs"], json!(["127.0.0.1/32"]));
    let tags = get(&server, "/v1/tags", &token).await;
    assert_eq!(tags.status, 200);
    let listed = admin(&server, Method::GET, "/keys", None).await;
    let names = listed.each("name");
    assert!(names.contains(&"ci") && names.contains(&"acme-workflow"));
    assert!(
        !listed.body.to_string().contains(&token),
        "tokens are never listed"
    );
    let bad = admin(
        &server,
        Method::POST,
        "/keys",
        Some(r#"{"name":"x","allowedCidrs":["office"]}"#),
    )
    .await;
    assert_eq!(
        bad.expect_error(400, "invalid_value")["source"]["pointer"],
        "/allowedCidrs/0"
    );
    let dup = admin(
        &server,
        Method::POST,
        "/keys",
        Some(&json!({"name":"dup","token": WORKFLOW}).to_string()),
    )
    .await;
    dup.expect_error(409, "duplicate_token");
}

#[tokio::test]
async fn clock_advance_and_set() {
    let server = server().await;
    let before = server.clock().now();
    let moved = admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"advance":"90s"}"#),
    )
    .await;
    assert_eq!(moved.body["now"], before.plus_millis(90_000).to_iso());
    assert_eq!(moved.body["virtual"], true);
    let set = admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"set":"2027-02-03T04:05:06.007Z"}"#),
    )
    .await;
    assert_eq!(set.body["now"], "2027-02-03T04:05:06.007Z");
    assert_eq!(
        admin(&server, Method::GET, "/clock", None).await.body["now"],
        "2027-02-03T04:05:06.007Z"
    );
    admin(
        &server,
        Method::POST,
        "/clock",
        Some(r#"{"advance":"soon"}"#),
    )
    .await
    .expect_error(400, "invalid_value");
    admin(&server, Method::POST, "/clock", Some(r#"{}"#))
        .await
        .expect_error(400, "invalid_value");
}

#[tokio::test]
async fn journal_masks_authorization() {
    let server = server().await;
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    let raw = reqwest::Client::new()
        .get(format!("{}/v1/tags", server.url()))
        .header("authorization", WORKFLOW)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 401);
    let journal = admin(&server, Method::GET, "/journal", None).await;
    let entries = journal.data().as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let put_entry = &entries[0];
    assert_eq!(put_entry["method"], "PUT");
    assert_eq!(put_entry["path"], format!("/v1/conversations/{CONV_1}"));
    assert_eq!(put_entry["status"], 200);
    assert_eq!(
        put_entry["requestHeaders"]["authorization"],
        "Bearer [key:acme-workflow]"
    );
    assert_eq!(put_entry["requestBody"], json!({"status": "done"}));
    assert_eq!(
        put_entry["responseBody"]["data"]["attributes"]["status"],
        "done"
    );
    assert_eq!(put_entry["responseHeaders"]["x-ratelimit-limit"], "1000");
    assert_eq!(
        entries[1]["requestHeaders"]["authorization"],
        "[key:acme-workflow]"
    );
    assert_eq!(entries[1]["status"], 401);
    assert!(
        !journal.body.to_string().contains(WORKFLOW),
        "no token in the journal"
    );
    let filtered = admin(&server, Method::GET, "/journal?status=401", None).await;
    assert_eq!(filtered.data().as_array().unwrap().len(), 1);
    assert_eq!(
        admin(&server, Method::DELETE, "/journal", None)
            .await
            .status,
        204
    );
    assert_eq!(
        admin(&server, Method::GET, "/journal", None).await.data(),
        &json!([])
    );
}

#[tokio::test]
async fn the_journal_keeps_to_its_byte_budget_and_counts_what_fell_off() {
    let server = builder().journal_bytes(4096).start().await.unwrap();
    let path = format!("/v1/conversations/{CONV_1}");
    for n in 0..6 {
        put(&server, &path, ADMIN, &format!(r#"{{"name":"n{n}"}}"#)).await;
    }
    let journal = admin(&server, Method::GET, "/journal", None).await;
    let entries = journal.data().as_array().unwrap();
    let dropped = journal.body["meta"]["dropped"].as_u64().unwrap();
    assert!(!entries.is_empty() && dropped > 0, "{}", journal.body);
    assert_eq!(entries.len() as u64 + dropped, 6);
    // The newest are kept, whole.
    let last = entries.last().unwrap();
    assert_eq!(last["seq"], 6);
    assert_eq!(last["requestBody"], json!({"name": "n5"}));
    assert_eq!(last["responseBody"]["data"]["attributes"]["name"], "n5");

    // An exchange larger than the whole budget is kept without its bodies, never lost.
    let long = "x".repeat(5000);
    let body = format!(r#"{{"name":"{long}"}}"#);
    assert_eq!(put(&server, &path, ADMIN, &body).await.status, 200);
    let journal = admin(&server, Method::GET, "/journal", None).await;
    let last = journal.data().as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["seq"], 7);
    assert_eq!(last["status"], 200);
    assert_eq!(
        last["requestHeaders"]["authorization"],
        "Bearer [key:acme-admin]"
    );
    assert_eq!(
        last["requestBody"],
        format!(
            "({} bytes, not kept: larger than the journal's byte budget)",
            body.len()
        )
    );
    assert!(
        last["responseBody"]
            .as_str()
            .unwrap()
            .ends_with("bytes, not kept: larger than the journal's byte budget)"),
        "{last}"
    );
}

#[tokio::test]
async fn reset_restores_the_start_state_and_seed_adds() {
    let server = server().await;
    let start = admin(&server, Method::GET, "/state", None).await.body;
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    post(&server, "/v1/tags", WORKFLOW, r#"{"name":"temp"}"#).await;
    assert_ne!(
        admin(&server, Method::GET, "/state", None).await.body,
        start
    );
    let reset = admin(&server, Method::POST, "/reset", None).await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(
        admin(&server, Method::GET, "/state", None).await.body,
        start
    );
    assert_eq!(
        admin(&server, Method::GET, "/journal", None).await.data(),
        &json!([])
    );

    let empty = admin(
        &server,
        Method::POST,
        "/reset",
        Some(r#"{"fixtures":false}"#),
    )
    .await;
    assert_eq!(empty.status, 200);
    assert_eq!(
        admin(&server, Method::GET, "/state", None).await.body["orgs"],
        json!([])
    );
    get(&server, "/v1/tags", WORKFLOW)
        .await
        .expect_error(401, "invalid_token");

    let seeded = admin(
        &server,
        Method::POST,
        "/seed",
        Some(&std::fs::read_to_string(fixtures_dir().join("acme.json")).unwrap()),
    )
    .await;
    assert_eq!(seeded.status, 201, "{}", seeded.body);
    assert_eq!(seeded.body["conversations"], 4);
    assert_eq!(get(&server, "/v1/tags", WORKFLOW).await.status, 200);
    let bad = admin(&server, Method::POST, "/seed", Some(r#"{"orgs":[{"name":"acme","conversations":[{"customer":"64a0c0ffee0000000000dead"}]}]}"#)).await;
    let e = bad.expect_error(400, "invalid_fixture");
    assert_eq!(e["source"]["pointer"], "/orgs/0/conversations/0/customer");
}

#[tokio::test]
async fn limits_read_back_and_unknown_admin_routes() {
    let server = server().await;
    let limits = admin(&server, Method::GET, "/limits", None).await;
    assert_eq!(limits.body["org"], "acme");
    assert_eq!(limits.body["limits"]["requestsPerWindow"], 1000);
    assert_eq!(limits.body["limits"]["objectUpdatesPerWindow"], 30);
    assert_eq!(limits.body["limits"]["customerCreatesPerWindow"], 120);
    admin(&server, Method::GET, "/nope", None)
        .await
        .expect_error(404, "route_not_found");
    admin(&server, Method::DELETE, "/state", None)
        .await
        .expect_error(405, "method_not_allowed");
    admin(&server, Method::GET, "/limits?org=nobody", None)
        .await
        .expect_error(400, "unknown_org");
}

#[tokio::test]
async fn many_servers_run_at_once_and_shut_down() {
    let servers: Vec<MockServer> =
        futures::future::join_all((0..8).map(|_| async { server().await })).await;
    let mut ports: Vec<u16> = servers.iter().map(|s| s.addr().port()).collect();
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), 8);
    put(
        &servers[0],
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
        r#"{"status":"done"}"#,
    )
    .await;
    let other = get(
        &servers[1],
        &format!("/v1/conversations/{CONV_1}"),
        WORKFLOW,
    )
    .await;
    assert_eq!(
        other.data()["attributes"]["status"],
        "open",
        "servers share nothing"
    );
    let url = servers[0].url();
    for server in servers {
        server.shutdown().await.unwrap();
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(
        client.get(format!("{url}/v1/tags")).send().await.is_err(),
        "a shut-down server refuses connections"
    );
    let _: Value = json!(null);
}
