//! Conversations: every route's happy path and Kustomer's server-maintained rules.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn get_returns_the_json_api_resource() {
    let server = server().await;
    let answer = get(&server, &format!("/v1/conversations/{CONV_1}"), WORKFLOW).await;
    assert_eq!(answer.status, 200);
    let data = answer.data();
    assert_eq!(data["type"], "conversation");
    assert_eq!(data["id"], CONV_1);
    assert_eq!(data["links"]["self"], format!("/v1/conversations/{CONV_1}"));
    let attributes = &data["attributes"];
    for field in [
        "name",
        "status",
        "priority",
        "direction",
        "tags",
        "assignedUsers",
        "assignedTeams",
        "custom",
        "externalId",
        "snooze",
        "ended",
        "endedAt",
        "doneCount",
        "reopenCount",
        "rev",
        "createdAt",
        "updatedAt",
        "modifiedAt",
        "modificationHistory",
    ] {
        assert!(
            attributes.get(field).is_some(),
            "attribute {field} missing: {attributes}"
        );
    }
    assert_eq!(attributes["status"], "open");
    assert_eq!(attributes["rev"], 1);
    assert_eq!(attributes["tags"], json!([TAG_BILLING]));
    assert_eq!(
        data["relationships"]["customer"]["data"]["id"],
        CUSTOMER_ADA
    );
    assert_eq!(
        data["relationships"]["org"]["data"]["id"],
        "64a0c0ffee00000000000001"
    );
    assert!(
        data["relationships"]["messages"]["links"]["self"]
            .as_str()
            .unwrap()
            .ends_with("/messages")
    );
}

#[tokio::test]
async fn create_sets_rev_timestamps_and_creator() {
    let server = server().await;
    let now = server.clock().now().to_iso();
    let me = get(&server, "/v1/users/current", WORKFLOW).await;
    let answer = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "name": "New one", "tags": [TAG_VIP], "custom": {"orderNum": 7}}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let attributes = &answer.data()["attributes"];
    assert_eq!(attributes["rev"], 1);
    assert_eq!(attributes["status"], "open");
    assert_eq!(attributes["priority"], 3);
    assert_eq!(attributes["direction"], "in");
    assert_eq!(attributes["createdAt"], now);
    assert_eq!(attributes["updatedAt"], now);
    assert_eq!(attributes["tags"], json!([TAG_VIP]));
    assert_eq!(attributes["custom"]["orderNum"], 7);
    assert_eq!(
        answer.data()["relationships"]["createdBy"]["data"]["id"],
        me.data()["id"]
    );

    let done = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "status": "done"}).to_string(),
    )
    .await;
    assert_eq!(done.status, 201);
    assert_eq!(done.data()["attributes"]["ended"], true);
    assert_eq!(done.data()["attributes"]["endedAt"], now);
    assert_eq!(done.data()["attributes"]["doneCount"], 1);
}

#[tokio::test]
async fn done_and_reopen_bookkeeping() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    server.clock().advance(5_000);
    let t1 = server.clock().now().to_iso();
    let done = put(&server, &path, WORKFLOW, r#"{"status":"done"}"#).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let a = &done.data()["attributes"];
    assert_eq!(a["rev"], 2);
    assert_eq!(a["status"], "done");
    assert_eq!(a["ended"], true);
    assert_eq!(a["endedAt"], t1);
    assert_eq!(a["doneCount"], 1);
    assert_eq!(a["updatedAt"], t1);
    assert_eq!(a["modifiedAt"], t1);
    assert_eq!(a["modificationHistory"], json!({"statusAt": t1}));

    server.clock().advance(5_000);
    let t2 = server.clock().now().to_iso();
    let reopened = put(
        &server,
        &path,
        WORKFLOW,
        r#"{"status":"open","priority":5}"#,
    )
    .await;
    let a = &reopened.data()["attributes"];
    assert_eq!(a["rev"], 3);
    assert_eq!(a["ended"], false);
    assert_eq!(a["endedAt"], Value::Null);
    assert_eq!(a["reopenCount"], 1);
    assert_eq!(a["doneCount"], 1);
    assert_eq!(a["priority"], 5);
    assert_eq!(
        a["modificationHistory"],
        json!({"statusAt": t2, "priorityAt": t2})
    );

    // Setting what the record already has is still an update: rev moves, history does not.
    server.clock().advance(5_000);
    let t3 = server.clock().now().to_iso();
    let same = put(&server, &path, WORKFLOW, r#"{"status":"open"}"#).await;
    let a = &same.data()["attributes"];
    assert_eq!(a["rev"], 4);
    assert_eq!(a["updatedAt"], t3);
    assert_eq!(a["modificationHistory"]["statusAt"], t2);
    let me = get(&server, "/v1/users/current", WORKFLOW).await;
    assert_eq!(
        same.data()["relationships"]["modifiedBy"]["data"]["id"],
        me.data()["id"]
    );
}

#[tokio::test]
async fn patch_merges_and_accepts_json_patch_content_type() {
    let server = server().await;
    let client = reqwest::Client::new();
    let response = client
        .patch(format!("{}/v1/conversations/{CONV_1}", server.url()))
        .header("authorization", format!("Bearer {WORKFLOW}"))
        .header("content-type", "application/json-patch+json")
        .body(r#"{"custom":{"reasonStr":"late"}}"#)
        .send()
        .await
        .unwrap();
    let answer = answer(response).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let a = &answer.data()["attributes"];
    assert_eq!(a["custom"], json!({"reasonStr": "late"}));
    assert_eq!(
        a["name"], "Refund for order #1042",
        "merge keeps other fields"
    );
    assert_eq!(a["tags"], json!([TAG_BILLING]));
}

#[tokio::test]
async fn replace_resets_writable_attributes() {
    let server = server().await;
    let answer = put(
        &server,
        &format!("/v1/conversations/{CONV_1}?replace=true"),
        WORKFLOW,
        r#"{"priority":1}"#,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let a = &answer.data()["attributes"];
    assert_eq!(a["priority"], 1);
    assert_eq!(a["name"], Value::Null);
    assert_eq!(a["tags"], json!([]));
    assert_eq!(a["rev"], 2);
}

#[tokio::test]
async fn tags_are_ids_and_unknown_ids_point_at_the_member() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_2}");
    let ok = put(
        &server,
        &path,
        WORKFLOW,
        &json!({"tags": [TAG_VIP, TAG_VIP, TAG_BILLING]}).to_string(),
    )
    .await;
    assert_eq!(
        ok.data()["attributes"]["tags"],
        json!([TAG_VIP, TAG_BILLING]),
        "duplicates dropped, order kept"
    );

    let unknown = put(
        &server,
        &path,
        WORKFLOW,
        &json!({"tags": [TAG_VIP, "64a0c0ffee0000000000dead"]}).to_string(),
    )
    .await;
    let e = unknown.expect_error(400, "unknown_tag");
    assert_eq!(e["source"]["pointer"], "/tags/1");

    let malformed = put(&server, &path, WORKFLOW, r#"{"tags": ["not-an-id"]}"#).await;
    let e = malformed.expect_error(400, "invalid_id");
    assert_eq!(e["source"]["pointer"], "/tags/0");
    let unchanged = get(&server, &path, WORKFLOW).await;
    assert_eq!(
        unchanged.data()["attributes"]["rev"],
        2,
        "failed updates change nothing"
    );
}

#[tokio::test]
async fn append_and_remove_tags_by_name() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_2}/tags");
    let added = post(
        &server,
        &path,
        WORKFLOW,
        r#"["auto-close", "vip", "brand-new", "vip"]"#,
    )
    .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let tags = added.data()["attributes"]["tags"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(tags.len(), 3);
    assert_eq!(tags[0], TAG_AUTO_CLOSE);
    assert_eq!(tags[1], TAG_VIP);
    let new_tag = tags[2].as_str().unwrap().to_string();
    let created = get(&server, &format!("/v1/tags/{new_tag}"), WORKFLOW).await;
    assert_eq!(created.data()["attributes"]["name"], "brand-new");
    assert_eq!(added.data()["attributes"]["rev"], 2);

    let removed = delete(&server, &path, WORKFLOW, Some(r#"["vip", "no-such-tag"]"#)).await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(
        removed.data()["attributes"]["tags"],
        json!([TAG_AUTO_CLOSE, new_tag])
    );
    assert_eq!(removed.data()["attributes"]["rev"], 3);

    let bad = post(&server, &path, WORKFLOW, r#"["ok", 5]"#).await;
    assert_eq!(
        bad.expect_error(400, "invalid_type")["source"]["pointer"],
        "/1"
    );
    let object = post(&server, &path, WORKFLOW, r#"{"tags": ["billing"]}"#).await;
    assert_eq!(
        object.status, 200,
        "{{\"tags\": [...]}} is accepted too: {}",
        object.body
    );
}

#[tokio::test]
async fn delete_then_not_found() {
    let server = server().await;
    let path = format!("/v1/conversations/{CONV_1}");
    let deleted = delete(&server, &path, ADMIN, None).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.body, Value::Null);
    get(&server, &path, WORKFLOW)
        .await
        .expect_error(404, "not_found");
    delete(&server, &path, ADMIN, None)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn pagination_links_across_pages() {
    let server = server().await;
    for n in 0..5 {
        let created = post(
            &server,
            "/v1/conversations",
            WORKFLOW,
            &json!({"customer": CUSTOMER_ADA, "name": format!("extra {n}")}).to_string(),
        )
        .await;
        assert_eq!(created.status, 201);
    }
    // 4 fixture conversations + 5 = 9; pages of 4: 4, 4, 1.
    let page1 = get(&server, "/v1/conversations?pageSize=4", WORKFLOW).await;
    assert_eq!(
        page1.body["meta"],
        json!({"page": 1, "pageSize": 4, "total": 9})
    );
    assert_eq!(page1.body["links"]["self"], "/v1/conversations?pageSize=4");
    assert_eq!(
        page1.body["links"]["first"],
        "/v1/conversations?pageSize=4&page=1"
    );
    assert_eq!(page1.body["links"]["prev"], Value::Null);
    assert_eq!(
        page1.body["links"]["next"],
        "/v1/conversations?pageSize=4&page=2"
    );
    assert_eq!(page1.data().as_array().unwrap().len(), 4);
    assert_eq!(page1.data()[0]["id"], CONV_1, "creation order");

    let page2 = get(
        &server,
        page1.body["links"]["next"].as_str().unwrap(),
        WORKFLOW,
    )
    .await;
    assert_eq!(
        page2.body["links"]["prev"],
        "/v1/conversations?pageSize=4&page=1"
    );
    assert_eq!(
        page2.body["links"]["next"],
        "/v1/conversations?pageSize=4&page=3"
    );
    let page3 = get(
        &server,
        page2.body["links"]["next"].as_str().unwrap(),
        WORKFLOW,
    )
    .await;
    assert_eq!(page3.body["links"]["next"], Value::Null);
    assert_eq!(page3.data().as_array().unwrap().len(), 1);
    assert_eq!(page3.data()[0]["attributes"]["name"], "extra 4");

    let mut seen: Vec<Value> = Vec::new();
    for page in [&page1, &page2, &page3] {
        seen.extend(
            page.data()
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].clone()),
        );
    }
    seen.sort_by_key(|v| v.to_string());
    seen.dedup();
    assert_eq!(seen.len(), 9, "every conversation exactly once");

    let beyond = get(&server, "/v1/conversations?pageSize=4&page=9", WORKFLOW).await;
    assert_eq!(beyond.data(), &json!([]));
    assert_eq!(beyond.body["links"]["next"], Value::Null);
    let clamped = get(&server, "/v1/conversations?pageSize=1000", WORKFLOW).await;
    assert_eq!(clamped.body["meta"]["pageSize"], 100);
}

#[tokio::test]
async fn customer_conversations_are_paginated() {
    let server = server().await;
    let answer = get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}/conversations?pageSize=1"),
        WORKFLOW,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["meta"]["total"], 2);
    assert_eq!(answer.data()[0]["id"], CONV_1);
    assert_eq!(
        answer.body["links"]["next"],
        format!("/v1/customers/{CUSTOMER_ADA}/conversations?pageSize=1&page=2")
    );
}

#[tokio::test]
async fn trailing_slash_is_accepted_everywhere() {
    let server = server().await;
    for path in [
        "/v1/conversations/".to_string(),
        format!("/v1/conversations/{CONV_1}/"),
        "/v1/tags/".to_string(),
        format!("/v1/customers/{CUSTOMER_ADA}/"),
        "/v1/users/current/".to_string(),
    ] {
        let answer = get(&server, &path, WORKFLOW).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
    let created = send(
        &server,
        Method::POST,
        "/v1/tags/",
        Some(WORKFLOW),
        Some(r#"{"name":"slashed"}"#),
    )
    .await;
    assert_eq!(created.status, 201);
}

#[tokio::test]
async fn another_orgs_records_are_not_found() {
    let server = server().await;
    let seeded = admin(
        &server,
        Method::POST,
        "/seed",
        Some(&json!({"orgs": [{"name": "globex", "keys": [{"name": "globex-admin", "token": "globex-token-1", "roles": ["org.admin"]}],
            "customers": [{"id": "65b0c0ffee00000000000c01", "name": "Hank"}]}]}).to_string()),
    )
    .await;
    assert_eq!(seeded.status, 201, "{}", seeded.body);
    get(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        "globex-token-1",
    )
    .await
    .expect_error(404, "not_found");
    get(
        &server,
        &format!("/v1/customers/{CUSTOMER_ADA}"),
        "globex-token-1",
    )
    .await
    .expect_error(404, "not_found");
    put(
        &server,
        &format!("/v1/conversations/{CONV_1}"),
        "globex-token-1",
        r#"{"status":"done"}"#,
    )
    .await
    .expect_error(404, "not_found");
    let list = get(&server, "/v1/conversations", "globex-token-1").await;
    assert_eq!(list.body["meta"]["total"], 0);
    get(&server, "/v1/customers/65b0c0ffee00000000000c01", WORKFLOW)
        .await
        .expect_error(404, "not_found");
    // A conversation of globex cannot name an acme tag.
    let cross = post(
        &server,
        "/v1/conversations",
        "globex-token-1",
        &json!({"customer": "65b0c0ffee00000000000c01", "tags": [TAG_VIP]}).to_string(),
    )
    .await;
    assert_eq!(
        cross.expect_error(400, "unknown_tag")["source"]["pointer"],
        "/tags/0"
    );
}

/// A write naming an attribute the conversation does not have, or one only the server
/// sets, is refused with a 400 naming it, and the record is left as it was.
#[tokio::test]
async fn unknown_and_read_only_attributes_are_refused_and_change_nothing() {
    let server = server().await;
    let created = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": CUSTOMER_ADA, "nmae": "typo"}).to_string(),
    )
    .await;
    created.expect_error(400, "unknown_attribute");
    assert_eq!(created.body["errors"][0]["source"]["pointer"], "/nmae");
    let path = format!("/v1/conversations/{CONV_1}");
    let before = get(&server, &path, WORKFLOW).await;
    for (body, code, pointer) in [
        (
            json!({"status": "done", "subStatusTypo": "x"}),
            "unknown_attribute",
            "/subStatusTypo",
        ),
        (json!({"rev": 99}), "read_only_attribute", "/rev"),
        (
            json!({"createdAt": "2020-01-01T00:00:00.000Z"}),
            "read_only_attribute",
            "/createdAt",
        ),
    ] {
        let answer = put(&server, &path, WORKFLOW, &body.to_string()).await;
        answer.expect_error(400, code);
        assert_eq!(answer.body["errors"][0]["source"]["pointer"], pointer);
        let detail = answer.body["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(&pointer[1..]), "{detail}");
    }
    let after = get(&server, &path, WORKFLOW).await;
    assert_eq!(after.data()["attributes"], before.data()["attributes"]);
    assert_eq!(
        after.data()["attributes"]["rev"],
        before.data()["attributes"]["rev"]
    );
}
