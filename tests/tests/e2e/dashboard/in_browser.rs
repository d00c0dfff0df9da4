//! The dashboard page in Chromium: live runs, loops, errors and hostile names as text,
//! workflow and event controls, and the admin-token login.

use std::path::PathBuf;

use fantoccini::Client;
use kustomer_harness::harness::Harness;
use serde_json::json;

use super::browser::{click, fill_and_submit, has_node, wait_until, with_browser};
use crate::common::*;

#[tokio::test]
async fn the_dashboard_shows_runs_loops_errors_and_names_live_and_as_text() {
    with_browser(shows_runs_loops_errors_and_names).await;
}

async fn shows_runs_loops_errors_and_names(client: Client) {
    let close_on_tag =
        kustomer_harness::workflow::load_file(&fixtures_dir().join("workflows/close-on-tag.json"))
            .unwrap();
    let harness: Harness = harness_with(vec![close_on_tag]).await;
    let server = harness.server();
    client.goto(&format!("{}/", harness.url())).await.unwrap();
    wait_until(&client, "!document.getElementById('app').hidden && document.getElementById('live').textContent === 'live'", "the live dashboard").await;

    // A tag: the close-on-tag run, its PUT and the update event appear without a reload.
    let tagged = tag_auto_close(server, CONV_1, ADMIN).await;
    assert_eq!(tagged.status, 200);
    wait_until(
        &client,
        &has_node(".node.run", "run close-on-tag → completed"),
        "the close-on-tag run",
    )
    .await;
    wait_until(
        &client,
        &has_node(".node.request", &format!("PUT /v1/conversations/{CONV_1}")),
        "the run's PUT",
    )
    .await;
    wait_until(
        &client,
        &has_node(".node.event", "event kustomer.conversation.update"),
        "the update event",
    )
    .await;
    // The run's detail: its trigger and its steps' params.
    click(&client, ".node.run").await;
    wait_until(
        &client,
        "document.getElementById('run-detail').textContent.includes('Trigger transitions tried')",
        "the run detail",
    )
    .await;

    // A name that is markup stays text: nothing runs, no element is made of it.
    let hostile = "<img src=x onerror=alert(1)>";
    let renamed = put(
        server,
        &format!("/v1/conversations/{CONV_3}"),
        ADMIN,
        &json!({"name": hostile}).to_string(),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    click(&client, "button[data-tab=records]").await;
    wait_until(
        &client,
        &has_node("#record-list button", hostile),
        "the hostile name as text",
    )
    .await;
    click(
        &client,
        &format!("#record-list button[data-record='{CONV_3}']"),
    )
    .await;
    wait_until(
        &client,
        &has_node("#record-detail pre.diff-after", hostile),
        "the rename's before/after",
    )
    .await;
    let images = client
        .execute("return document.querySelectorAll('img').length;", vec![])
        .await
        .unwrap();
    assert_eq!(images, json!(0), "the name became an element");
    assert!(
        client.get_alert_text().await.is_err(),
        "a script ran: an alert is open"
    );

    // Turn close-on-tag off, install the looping story through the page, and tag again.
    click(&client, "button[data-tab=workflows]").await;
    wait_until(
        &client,
        &has_node("#workflow-table button", "Disable"),
        "the workflow list",
    )
    .await;
    click(&client, "#workflow-table button").await;
    wait_until(
        &client,
        &has_node("#workflow-table td", "disabled"),
        "close-on-tag disabled",
    )
    .await;
    let story = std::fs::read_to_string(fixtures_dir().join("stories/infinite-loop.json")).unwrap();
    fill_and_submit(&client, "install-form", &[("[name=definition]", &story)]).await;
    wait_until(
        &client,
        &has_node(
            "#install-form [data-result]",
            "installed naive-close-on-tag",
        ),
        "the story installed",
    )
    .await;

    // A broken definition is refused, and the page shows the error at its JSONPath.
    let broken = json!({"name": "broken", "trigger": {"eventName": "kustomer.conversation.update"},
                        "steps": [{"id": "a", "action": "no-such-action"}]});
    let broken = broken.to_string();
    fill_and_submit(&client, "install-form", &[("[name=definition]", &broken)]).await;
    wait_until(
        &client,
        &has_node("#install-form .result.error", "(at $.steps[0].action)"),
        "the JSONPath error",
    )
    .await;

    // Publishing an event: bad data is refused on the page, good data reaches the bus.
    click(&client, "button[data-tab=controls]").await;
    let event = |data| {
        [
            ("[name=name]", "kustomer.app.dashboard.ping"),
            ("[name=data]", data),
        ]
    };
    fill_and_submit(&client, "event-form", &event("{oops")).await;
    wait_until(
        &client,
        &has_node("#event-form .result.error", "the data is not JSON"),
        "the event data error",
    )
    .await;
    fill_and_submit(&client, "event-form", &event(r#"{"id": "p1"}"#)).await;
    wait_until(
        &client,
        &has_node("#event-form [data-result]", "kustomer.app.dashboard.ping"),
        "the published event",
    )
    .await;
    let query = kustomer_mock::EventQuery {
        name: Some("kustomer.app.dashboard.ping".into()),
        ..Default::default()
    };
    let published = server.bus().query(&query).events.len();
    assert_eq!(published, 1, "the event reached the bus once");

    click(&client, "button[data-tab=timeline]").await;
    let tagged = tag_auto_close(server, CONV_2, ADMIN).await;
    assert_eq!(tagged.status, 200);
    wait_until(
        &client,
        &has_node(".node.run.loop", "run naive-close-on-tag → halted"),
        "the loop node",
    )
    .await;
    wait_until(
        &client,
        &has_node(".loop-explanation", CONV_2),
        "the loop's explanation",
    )
    .await;
    let explanation = wait_until(
        &client,
        "document.querySelector('.loop-explanation').textContent",
        "the explanation",
    )
    .await;
    let loops = harness.loops();
    assert_eq!(loops.len(), 1);
    assert_eq!(explanation, json!(loops[0].explanation));

    // The screenshot for the docs: the timeline with the loop, without the run panel.
    click(&client, "#run-detail button").await;
    wait_until(
        &client,
        "document.getElementById('run-detail').hidden",
        "the run panel closed",
    )
    .await;
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    // Every run saves it under the build's scratch directory; the README's copy changes
    // only when asked (KMOCK_UPDATE_SCREENSHOT=1), so a test run leaves the tree clean.
    std::fs::write(
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard.png"),
        &png,
    )
    .unwrap();
    if std::env::var_os("KMOCK_UPDATE_SCREENSHOT").is_some() {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/dashboard.png");
        std::fs::write(&docs, png).unwrap();
    }
    harness.shutdown().await;
}

#[tokio::test]
async fn with_an_admin_token_the_page_asks_for_it_and_token_in_the_url_logs_in() {
    with_browser(asks_for_the_token).await;
}

async fn asks_for_the_token(client: Client) {
    let harness = Harness::builder()
        .fixtures(acme())
        .seed(1)
        .server(|s| s.admin_token("s3cret-admin"))
        .start()
        .await
        .unwrap();
    client.goto(&format!("{}/", harness.url())).await.unwrap();
    wait_until(
        &client,
        "!document.getElementById('login').hidden && document.getElementById('app').hidden",
        "the login form",
    )
    .await;
    client
        .goto(&format!("{}/?token=s3cret-admin", harness.url()))
        .await
        .unwrap();
    wait_until(&client, "!document.getElementById('app').hidden && document.getElementById('live').textContent === 'live'", "logged in").await;
    let address = client.current_url().await.unwrap();
    assert!(
        !address.as_str().contains("s3cret"),
        "the token left the address bar: {address}"
    );
    harness.shutdown().await;
}
