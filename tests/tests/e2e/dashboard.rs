//! The dashboard in a real browser: headless Chromium driven over WebDriver (chromedriver
//! on loopback). Skipped, with one line saying so, where Chromium or chromedriver is not
//! installed (`.ci/run` installs them, so CI always runs these).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use kustomer_harness::harness::Harness;
use serde_json::{Value, json};

use crate::common::*;

/// How long any one condition may take to appear in the page.
const DEADLINE: Duration = Duration::from_secs(15);

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// The chromium binary itself (Debian's /usr/bin/chromium is a wrapper script).
fn chromium() -> Option<PathBuf> {
    let real = Path::new("/usr/lib/chromium/chromium");
    if real.is_file() {
        return Some(real.to_path_buf());
    }
    which("chromium").or_else(|| which("chromium-browser"))
}

/// chromedriver on a free loopback port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(binary: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        Driver { child, port }
    }

    /// A headless session, once chromedriver answers (bounded by the deadline).
    async fn session(&self, chromium: &Path) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--no-first-run", "--no-default-browser-check"],
            }),
        );
        let started = Instant::now();
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => return client,
                Err(error) if started.elapsed() < DEADLINE => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) => panic!("no WebDriver session within {DEADLINE:?}: {error}"),
            }
        }
    }
}

/// Evaluates `script` (a JavaScript expression) until it is truthy; fails with `what`
/// and the page's text after the deadline.
async fn wait_until(client: &Client, script: &str, what: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = client
            .execute(&format!("return ({script});"), vec![])
            .await
            .expect("the script runs");
        let truthy = match &value {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::String(s) => !s.is_empty(),
            Value::Number(n) => n.as_f64() != Some(0.0),
            _ => true,
        };
        if truthy {
            return value;
        }
        if started.elapsed() > DEADLINE {
            let text = client
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap_or_default();
            panic!("{what}: not seen within {DEADLINE:?}; the page shows:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether an element holding exactly this text exists.
fn has_node(class: &str, text: &str) -> String {
    format!(
        "Array.from(document.querySelectorAll({class:?})).some(n => n.textContent.includes({text:?}))"
    )
}

/// Clicks the first element matching `css`, again if the live view replaced it between
/// finding and clicking (bounded by the deadline).
async fn click(client: &Client, css: &str) {
    let started = Instant::now();
    loop {
        let clicked = match client.find(Locator::Css(css)).await {
            Ok(element) => element.click().await.map(|_| ()),
            Err(e) => Err(e),
        };
        match clicked {
            Ok(()) => return,
            Err(e) if started.elapsed() < DEADLINE => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("click {css}: {e}"),
        }
    }
}

/// Runs `body` with a browser session, and ends the session (so Chromium exits) even
/// when the body fails; then fails as the body did.
async fn with_browser<F, Fut>(body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((driver_binary, chromium)) = tools() else {
        println!("dashboard browser tests skipped: chromium or chromedriver is not installed");
        return;
    };
    let driver = Driver::start(&driver_binary);
    let client = driver.session(&chromium).await;
    let outcome = tokio::spawn(body(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

fn tools() -> Option<(PathBuf, PathBuf)> {
    let driver = which("chromedriver").or_else(|| {
        let debian = Path::new("/usr/lib/chromium/chromedriver");
        debian.is_file().then(|| debian.to_path_buf())
    })?;
    Some((driver, chromium()?))
}

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
    client
        .execute(
            "document.getElementById('install-json').value = arguments[0];",
            vec![json!(story)],
        )
        .await
        .unwrap();
    click(&client, "#install-form button[type=submit]").await;
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
    client
        .execute(
            "document.getElementById('install-json').value = arguments[0];",
            vec![json!(broken.to_string())],
        )
        .await
        .unwrap();
    click(&client, "#install-form button[type=submit]").await;
    wait_until(
        &client,
        &has_node("#install-form .result.error", "(at $.steps[0].action)"),
        "the JSONPath error",
    )
    .await;

    // Publishing an event: bad data is refused on the page, good data reaches the bus.
    click(&client, "button[data-tab=controls]").await;
    let fill = "const f = document.getElementById('event-form'); \
                f.querySelector('[name=name]').value = arguments[0]; \
                f.querySelector('[name=data]').value = arguments[1];";
    client
        .execute(
            fill,
            vec![json!("kustomer.app.dashboard.ping"), json!("{oops")],
        )
        .await
        .unwrap();
    click(&client, "#event-form button[type=submit]").await;
    wait_until(
        &client,
        &has_node("#event-form .result.error", "the data is not JSON"),
        "the event data error",
    )
    .await;
    client
        .execute(
            fill,
            vec![
                json!("kustomer.app.dashboard.ping"),
                json!(r#"{"id": "p1"}"#),
            ],
        )
        .await
        .unwrap();
    click(&client, "#event-form button[type=submit]").await;
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

// ---- without a browser: the page's headers and the JSON twins it reads ----------------

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
