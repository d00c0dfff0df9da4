//! The dashboard without a browser: the page's headers and assets, and the JSON twins it
//! reads (the tree, workflow enabling, the change stream).

use kustomer_harness::harness::Harness;
use serde_json::json;

use super::browser::DEADLINE;
use crate::common::*;

#[tokio::test]
async fn the_page_forbids_inline_script_and_loads_only_its_own_assets() {
    let harness = harness_with(vec![]).await;
    let page = reqwest::get(format!("{}/", harness.url())).await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<script src="/assets/dashboard.js" defer></script>"#));
    assert_eq!(html.matches("<script").count(), 1, "no inline script");
    for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!html.contains(external), "the page loads `{external}`");
    }
    for (asset, kind) in [
        ("dashboard.js", "text/javascript"),
        ("dashboard.css", "text/css"),
    ] {
        let answer = reqwest::get(format!("{}/assets/{asset}", harness.url()))
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        let text = answer.text().await.unwrap();
        assert!(!text.contains("innerHTML"), "{asset} never writes markup");
    }
    // Beside the page, the usual Kustomer-shaped answers.
    let server = harness.server();
    send(server, reqwest::Method::POST, "/", None, Some("{}"))
        .await
        .expect_error(405, "method_not_allowed");
    send(server, reqwest::Method::GET, "/assets/other.js", None, None)
        .await
        .expect_error(404, "route_not_found");
    harness.shutdown().await;
}

#[tokio::test]
async fn the_tree_twin_groups_by_root_filters_and_explains_loops() {
    let harness = harness_with(vec![story("infinite-loop")]).await;
    let server = harness.server();
    assert_eq!(get(server, "/v1/conversations", READONLY).await.status, 200);
    assert_eq!(
        get(server, "/v1/conversations", "kmk_nobody").await.status,
        401
    );
    tag_auto_close(server, CONV_1, ADMIN).await;
    settle(&harness).await;

    let all = admin(server, reqwest::Method::GET, "/tree", None).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.body["meta"]["roots"], 3, "{}", all.body["meta"]);
    let roots = all.data().as_array().unwrap();
    // Newest first: the tag, then the 401, then the list.
    assert_eq!(roots[0]["method"], "POST");
    assert_eq!(roots[1]["status"], 401);
    assert_eq!(roots[0]["children"][0]["kind"], "event");
    assert_eq!(roots[0]["children"][0]["children"][0]["kind"], "run");
    assert_eq!(all.body["meta"]["alerts"], 1);
    let loops = all.body["loops"].as_array().unwrap();
    assert_eq!(loops.len(), 1);
    assert_eq!(
        loops[0]["explanation"],
        json!(harness.loops()[0].explanation)
    );

    let problems = admin(server, reqwest::Method::GET, "/tree?problems=true", None).await;
    assert_eq!(problems.body["meta"]["matching"], 2, "the 401 and the loop");
    let unauthorized = admin(server, reqwest::Method::GET, "/tree?status=401", None).await;
    assert_eq!(unauthorized.body["meta"]["matching"], 1);
    assert_eq!(unauthorized.data()[0]["status"], 401);
    let by_workflow = admin(server, reqwest::Method::GET, "/tree?workflow=naive", None).await;
    assert_eq!(by_workflow.body["meta"]["matching"], 1);
    let by_record = admin(
        server,
        reqwest::Method::GET,
        &format!("/tree?record={CONV_2}"),
        None,
    )
    .await;
    assert_eq!(by_record.body["meta"]["matching"], 0);
    let limited = admin(server, reqwest::Method::GET, "/tree?limit=1", None).await;
    assert_eq!(limited.body["meta"]["shown"], 1);
    assert_eq!(limited.body["meta"]["matching"], 3);

    let bad = admin(server, reqwest::Method::GET, "/tree?status=often", None).await;
    assert_eq!(
        bad.expect_error(400, "invalid_parameter")["source"]["parameter"],
        "status"
    );
    let bad = admin(server, reqwest::Method::GET, "/tree?problems=maybe", None).await;
    bad.expect_error(400, "invalid_parameter");
    harness.shutdown().await;
}

#[tokio::test]
async fn a_disabled_workflow_does_not_run_and_can_be_enabled_again() {
    let harness = harness_with(vec![story("infinite-loop")]).await;
    let server = harness.server();
    let id = harness.workflow_id("naive-close-on-tag").unwrap();
    let off = admin(
        server,
        reqwest::Method::PATCH,
        &format!("/workflows/{id}"),
        Some(r#"{"enabled": false}"#),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.body);
    assert_eq!(off.body["enabled"], false);
    tag_auto_close(server, CONV_1, ADMIN).await;
    settle(&harness).await;
    assert!(harness.runs_of("naive-close-on-tag").is_empty());
    let on = admin(
        server,
        reqwest::Method::PATCH,
        &format!("/workflows/{id}"),
        Some(r#"{"enabled": true}"#),
    )
    .await;
    assert_eq!(on.body["enabled"], true);
    tag_auto_close(server, CONV_2, ADMIN).await;
    settle(&harness).await;
    assert!(!harness.runs_of("naive-close-on-tag").is_empty());

    let unknown = admin(
        server,
        reqwest::Method::PATCH,
        "/workflows/nope",
        Some(r#"{"enabled": true}"#),
    )
    .await;
    unknown.expect_error(404, "not_found");
    let wrong = admin(
        server,
        reqwest::Method::PATCH,
        &format!("/workflows/{id}"),
        Some(r#"{"enabled": "yes"}"#),
    )
    .await;
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    harness.shutdown().await;
}

#[tokio::test]
async fn the_change_stream_speaks_first_and_ends_when_the_server_stops() {
    let harness = Harness::builder()
        .fixtures(acme())
        .seed(1)
        .server(|s| s.admin_token("s3cret-admin"))
        .start()
        .await
        .unwrap();
    let url = format!("{}/__admin/dashboard/stream", harness.url());
    let refused = reqwest::get(&url).await.unwrap();
    assert_eq!(
        refused.status(),
        401,
        "the stream is behind the admin guard"
    );
    let page = reqwest::get(format!("{}/", harness.url())).await.unwrap();
    assert_eq!(page.status(), 200, "the page itself holds no data");
    let answer = reqwest::Client::new()
        .get(&url)
        .header("authorization", "Bearer s3cret-admin")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let mut body = answer;
    let first = tokio::time::timeout(DEADLINE, body.chunk())
        .await
        .expect("a first message")
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&first);
    assert!(
        text.starts_with("event: change\ndata: {\"events\":"),
        "{text}"
    );
    // Shutting down ends the stream instead of waiting for it forever.
    tokio::time::timeout(DEADLINE, harness.shutdown())
        .await
        .expect("the server stops with a stream open");
    let rest = tokio::time::timeout(DEADLINE, async {
        while let Ok(Some(_)) = body.chunk().await {}
    })
    .await;
    assert!(rest.is_ok(), "the stream ended");
}
