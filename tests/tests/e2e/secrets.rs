//! Secrets never leave: API tokens, the admin token, secure variables, app secrets and
//! webhook secrets appear in no log, journal, event, run, report, snapshot, admin answer or
//! error body.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use kustomer_harness::harness::Harness;
use kustomer_harness::report::text::render_report;
use kustomer_harness::report::{Report, ScenarioInfo};
use kustomer_harness::workflow::apps::{App, SettingValues};
use kustomer_harness::workflow::load_file;
use reqwest::Method;
use serde_json::json;

use crate::common::*;

const ADMIN_TOKEN: &str = "admin-secret-4f1e9c2b";
const EXPLICIT_TOKEN: &str = "explicit-token-7a6b5c4d";
const WEBHOOK_SECRET: &str = "whsec-8d7c6b5a4e3f";
const APP_SECRET: &str = "app-secret-1c2d3e4f5a";

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary, at every level.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let capture = Capture(Arc::clone(&buffer));
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || capture.clone())
            .try_init();
        buffer
    })
    .clone()
}

async fn admin_get(server: &kustomer_mock::MockServer, path: &str) -> String {
    send(
        server,
        Method::GET,
        &format!("/__admin{path}"),
        Some(ADMIN_TOKEN),
        None,
    )
    .await
    .body
    .to_string()
}

#[tokio::test]
async fn no_secret_appears_anywhere() {
    let logs = logs();
    let mut app_settings = SettingValues::new();
    app_settings
        .entry("default".into())
        .or_default()
        .insert("authToken".into(), json!(APP_SECRET));
    let harness = Harness::builder()
        .fixtures(acme())
        .server(|s| {
            s.admin_token(ADMIN_TOKEN)
                .webhook_retry(kustomer_mock::RetryPolicy {
                    max_attempts: 2,
                    first_delay: std::time::Duration::from_millis(5),
                    max_delay: std::time::Duration::from_millis(5),
                    timeout: std::time::Duration::from_secs(2),
                })
        })
        .app(App::load_file(&fixtures_dir().join("apps/sla-timer.json"), &app_settings).unwrap())
        .workflow(workflow("close-on-tag"))
        .workflow(load_file(&fixtures_dir().join("stories/missing-bearer.json")).unwrap())
        .start()
        .await
        .unwrap();
    let server = harness.server();
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut record = |name: &str, text: String| outputs.push((name.to_string(), text));

    // Keys made at run time: one with a generated token, one with a chosen one.
    let generated = send(
        server,
        Method::POST,
        "/__admin/keys",
        Some(ADMIN_TOKEN),
        Some(r#"{"name":"gen","roles":["org.admin"]}"#),
    )
    .await;
    let generated_token = generated.body["token"].as_str().unwrap().to_string();
    let explicit = send(
        server,
        Method::POST,
        "/__admin/keys",
        Some(ADMIN_TOKEN),
        Some(
            &json!({"name": "explicit", "roles": ["org.admin"], "token": EXPLICIT_TOKEN})
                .to_string(),
        ),
    )
    .await;
    assert_eq!(explicit.status, 201);
    let hook = send(
        server,
        Method::POST,
        "/__admin/webhooks",
        Some(ADMIN_TOKEN),
        Some(
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["*"], "secret": WEBHOOK_SECRET})
                .to_string(),
        ),
    )
    .await;
    record("webhook answer", hook.body.to_string());

    // Every way a token is sent, right and wrong.
    for (token, auth) in [
        (WORKFLOW, format!("Bearer {WORKFLOW}")),
        (WORKFLOW, WORKFLOW.to_string()),
        (WORKFLOW, format!("Basic {WORKFLOW}")),
        (EXPIRED, format!("Bearer {EXPIRED}")),
        (OFFICE, format!("Bearer {OFFICE}")),
        (READONLY, format!("Bearer {READONLY}")),
        (ADMIN_TOKEN, format!("Bearer {ADMIN_TOKEN}")),
        (EXPLICIT_TOKEN, EXPLICIT_TOKEN.to_string()),
        (&generated_token, format!("Bearer {generated_token}x")),
    ] {
        for (method, path, body) in [
            (Method::GET, format!("/v1/conversations/{CONV_3}"), None),
            (
                Method::PUT,
                format!("/v1/conversations/{CONV_3}"),
                Some("{\"priority\":\"oops\"}"),
            ),
        ] {
            let mut request = reqwest::Client::new()
                .request(method, format!("{}{}", server.url(), path))
                .header("authorization", &auth);
            if let Some(body) = body {
                request = request.body(body);
            }
            let answer = answer(request.send().await.unwrap()).await;
            record(
                &format!("{path} answer with {}", &token[..4]),
                format!("{:?} {}", answer.headers, answer.body),
            );
        }
    }
    // The admin API with a /v1 key.
    record(
        "admin with a v1 key",
        send(server, Method::GET, "/__admin/state", Some(WORKFLOW), None)
            .await
            .body
            .to_string(),
    );

    // Workflows run: the seed story, the missing-bearer story, the app's scheduled check.
    post(
        server,
        &format!("/v1/conversations/{CONV_1}/tags"),
        &generated_token,
        r#"["auto-close"]"#,
    )
    .await;
    put(
        server,
        &format!("/v1/conversations/{CONV_2}"),
        ADMIN,
        &json!({"assignedUsers": ["64a0c0ffee00000000000d01"]}).to_string(),
    )
    .await;
    put(
        server,
        &format!("/v1/conversations/{CONV_2}"),
        ADMIN,
        &json!({"custom": {"@slaTimerBool": true, "@slaTimerStartAt": "2026-11-24T00:00:00.000Z"}})
            .to_string(),
    )
    .await;
    harness.settled().await.unwrap();
    server.clock().advance(30 * 60_000);
    harness.settled().await.unwrap();
    // The app action sent its (unknown) secret token: the mock answered 401.
    let check = &harness.runs_of("sla-timer-check")[0];
    assert_eq!(check.steps.last().unwrap().id, "recordDuration");
    assert_eq!(
        check.error.as_ref().unwrap()["status"],
        401,
        "{}",
        check.summary
    );
    assert!(
        harness
            .runs_of("close-on-tag-missing-bearer")
            .iter()
            .any(|r| r.error.is_some()),
        "the 401 story ran"
    );

    for path in [
        "/state",
        "/keys",
        "/journal",
        "/events",
        "/runs",
        "/loops",
        "/workflows",
        "/workflows/64a0c0ffee0000000000beef",
        "/apps",
        "/schedules",
        "/webhooks",
        "/snapshot",
        "/limits",
    ] {
        record(
            &format!("GET /__admin{path}"),
            admin_get(server, path).await,
        );
    }
    let facts = harness.facts();
    record("runs", serde_json::to_string(&harness.runs()).unwrap());
    record(
        "session journal",
        serde_json::to_string(&harness.journal()).unwrap(),
    );
    let report = Report::new(
        ScenarioInfo {
            name: "secrets".into(),
            file: "-".into(),
            description: None,
        },
        vec![],
        &facts,
        vec![],
        &harness.url(),
    );
    record("report json", report.to_json());
    record("report text", render_report(&report));
    record("snapshot", harness.journal().to_pretty_json());
    record("engine state", harness.engine().state_value().to_string());
    record(
        "logs",
        String::from_utf8_lossy(&logs.lock().unwrap()).into_owned(),
    );
    assert!(
        outputs
            .iter()
            .any(|(name, text)| name == "logs" && text.contains("/v1 request")),
        "request logs were captured"
    );

    let secrets = [
        WORKFLOW,
        READONLY,
        EXPIRED,
        OFFICE,
        ADMIN,
        "kmk_acme_weekly_9d4b6f8e2a1c3e57",
        ADMIN_TOKEN,
        EXPLICIT_TOKEN,
        &generated_token,
        WEBHOOK_SECRET,
        APP_SECRET,
    ];
    for secret in secrets {
        for (name, text) in &outputs {
            assert!(
                !text.contains(secret),
                "`{}…` leaked into {name}",
                &secret[..8]
            );
        }
    }
}
