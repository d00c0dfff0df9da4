//! Same seed and clock → byte-identical responses.

use serde_json::json;

use crate::common::*;

/// A short session: creates, updates, tags, lists.
async fn session(seed: u64) -> Vec<String> {
    let server = builder().seed(seed).start().await.unwrap();
    let mut out = Vec::new();
    let created = post(&server, "/v1/customers", WORKFLOW, r#"{"name":"Det"}"#).await;
    out.push(created.body.to_string());
    let customer = created.data()["id"].as_str().unwrap().to_string();
    let conversation = post(
        &server,
        "/v1/conversations",
        WORKFLOW,
        &json!({"customer": customer, "name": "d"}).to_string(),
    )
    .await;
    out.push(conversation.body.to_string());
    let id = conversation.data()["id"].as_str().unwrap().to_string();
    server.clock().advance(1234);
    out.push(
        post(
            &server,
            &format!("/v1/conversations/{id}/tags"),
            WORKFLOW,
            r#"["fresh","vip"]"#,
        )
        .await
        .body
        .to_string(),
    );
    out.push(
        put(
            &server,
            &format!("/v1/conversations/{id}"),
            WORKFLOW,
            r#"{"status":"done"}"#,
        )
        .await
        .body
        .to_string(),
    );
    out.push(
        get(&server, "/v1/conversations?pageSize=3&page=2", READONLY)
            .await
            .body
            .to_string(),
    );
    out.push(get(&server, "/v1/tags", READONLY).await.body.to_string());
    out.push(serde_json::to_string(&server.journal().entries()).unwrap());
    out
}

#[tokio::test]
async fn same_seed_gives_identical_bodies() {
    let (a, b) = tokio::join!(session(42), session(42));
    assert_eq!(a, b);
    let c = session(43).await;
    assert_ne!(a[1], c[1], "another seed gives other ids");
}
