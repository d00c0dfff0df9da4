//! The request fuzzer: seeded random and mutated requests across every route of the
//! OpenAPI document, against a real server over loopback.
//!
//! Invariants, checked on every answer: no 5xx, no panic, the server keeps answering,
//! every request is answered (also on a pooled keep-alive connection after an answer
//! that did not need the body), a body over the limit is a 413 that closes the
//! connection and no other body is, every error body has Kustomer's shape, and a
//! record's `rev` never goes back. Between rounds (nothing in flight) the list totals
//! must equal the records the store holds.
//!
//! `FUZZ_REQUESTS` (default 2,000 here; `make fuzz` sends 100,000) and `FUZZ_SEED` set
//! the run: the same seed sends the same requests.

mod generate;
mod known_ids;
mod targets;
mod totals;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use generate::Generator;
use known_ids::KnownIds;
use kustomer_harness::Harness;
use kustomer_mock::FixtureBundle;
use kustomer_mock::model::LimitsPatch;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;
use targets::{ADMIN_TOKEN, FuzzRequest, Namespace, documented_routes, is_page};
use totals::{alive, check_totals};

const WORKERS: u64 = 4;
const BODY_LIMIT: usize = 1024 * 1024;

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one worker saw.
#[derive(Default)]
struct Tally {
    sent: u64,
    by_status: HashMap<u16, u64>,
    /// Requests sent to `/v1`, `/__admin` and the fallback.
    by_namespace: [u64; 3],
    /// Bodies over the limit (each must be a 413 with `Connection: close`).
    oversized: u64,
    skipped: u64,
    /// Documented operations that answered 2xx at least once.
    served: std::collections::BTreeSet<String>,
    violations: Vec<String>,
}

struct Worker {
    generator: Generator,
    ids: KnownIds,
    /// The highest `rev` this worker has seen, by record id.
    revs: HashMap<String, u64>,
    client: reqwest::Client,
    tally: Tally,
    /// The request sent before this one (on the same pooled connection, most likely).
    previous: Option<String>,
}

impl Worker {
    async fn run(&mut self, base: &str, count: u64) {
        for _ in 0..count {
            let request = self.generator.request(&self.ids);
            self.send(base, request).await;
        }
    }

    async fn send(&mut self, base: &str, request: FuzzRequest) {
        let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
            self.tally.skipped += 1;
            return;
        };
        let Ok(url) = reqwest::Url::parse(&format!("{base}{}", request.target)) else {
            self.tally.skipped += 1;
            return;
        };
        let mut builder = self.client.request(method, url);
        for (name, value) in &request.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(value),
            ) {
                builder = builder.header(name, value);
            }
        }
        let body_len = request.body.as_ref().map_or(0, Vec::len);
        let this = format!(
            "{} {} {:?} body {}B",
            request.method,
            request.target,
            request
                .headers
                .iter()
                .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(&v[..v.len().min(40)])))
                .collect::<Vec<_>>(),
            body_len
        );
        let before = self.previous.replace(this).unwrap_or_default();
        if let Some(body) = request.body.clone() {
            builder = builder.body(body);
        }
        self.tally.sent += 1;
        self.tally.by_namespace[request.namespace as usize] += 1;
        let response = match builder.send().await {
            Ok(response) => response,
            Err(error) => {
                self.violation(
                    &request,
                    &format!(
                        "no answer: {} (the request before: {before})",
                        chain(&error)
                    ),
                );
                return;
            }
        };
        let status = response.status();
        let closes = response
            .headers()
            .get("connection")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        if body_len > BODY_LIMIT {
            self.tally.oversized += 1;
            if status.as_u16() != 413 || !closes {
                let problem = format!(
                    "a {body_len}-byte body (over the {BODY_LIMIT}-byte limit) got {status}, `Connection: close` {closes}"
                );
                self.violation(&request, &problem);
            }
        } else if status.as_u16() == 413 {
            self.violation(&request, &format!("413 for a {body_len}-byte body"));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => {
                self.violation(&request, &format!("answer cut: {error}"));
                return;
            }
        };
        *self.tally.by_status.entry(status.as_u16()).or_default() += 1;
        if status.is_server_error() {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            self.violation(&request, &format!("{status}: {text}"));
            return;
        }
        // The dashboard's pages and assets are HTML, CSS and JavaScript.
        if status.is_success() && is_page(&request.target) {
            return;
        }
        if request.method == "HEAD" || status.as_u16() == 204 {
            if !bytes.is_empty() {
                self.violation(&request, &format!("{status} with a body"));
            }
            return;
        }
        let body: Value = match serde_json::from_slice(&bytes) {
            Ok(body) => body,
            Err(_) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                self.violation(&request, &format!("{status}, not JSON: {text}"));
                return;
            }
        };
        if !content_type.starts_with("application/json") {
            self.violation(&request, &format!("{status} as `{content_type}`"));
        }
        if status.is_client_error() {
            if let Err(problem) = error_shape(&body, status.as_u16()) {
                self.violation(&request, &format!("{status}: {problem}: {body}"));
            }
            return;
        }
        // Admin answers (the journal, events) quote records as they were: only `/v1`
        // answers say what a record is now.
        if request.namespace != Namespace::V1 {
            return;
        }
        if status.is_success()
            && let Some(route) = &request.route
            && route.starts_with(&format!("{} ", request.method))
        {
            self.tally.served.insert(route.clone());
        }
        let data = &body["data"];
        let resources: Vec<&Value> = match data {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => vec![data],
            _ => Vec::new(),
        };
        for resource in resources {
            self.ids.learn(resource);
            self.check_rev(&request, resource);
        }
    }

    fn check_rev(&mut self, request: &FuzzRequest, resource: &Value) {
        let (Some(id), Some(rev)) = (
            resource["id"].as_str(),
            resource["attributes"]["rev"].as_u64(),
        ) else {
            return;
        };
        let seen = self.revs.entry(id.to_string()).or_insert(rev);
        if rev < *seen {
            let message = format!("rev of {id} went back from {seen} to {rev}");
            self.violation(request, &message);
        } else {
            *seen = rev;
        }
    }

    fn violation(&mut self, request: &FuzzRequest, problem: &str) {
        if self.tally.violations.len() >= 20 {
            return;
        }
        let body = request
            .body
            .as_ref()
            .map(|b| String::from_utf8_lossy(&b[..b.len().min(120)]).into_owned())
            .unwrap_or_default();
        let problem: String = problem.chars().take(600).collect();
        self.tally.violations.push(format!(
            "{} {} (route {:?}, body {body:?}): {problem}",
            request.method, request.target, request.route
        ));
    }
}

/// An error and its causes, one after the other.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Kustomer's error body: `{"errors": [{"status": <code>, "code", "title", "detail", "source"}]}`,
/// `status` an integer as Kustomer's reference writes it.
fn error_shape(body: &Value, status: u16) -> Result<(), String> {
    let errors = body["errors"]
        .as_array()
        .filter(|errors| !errors.is_empty())
        .ok_or("no `errors` array")?;
    for error in errors {
        if error["status"].as_u64() != Some(u64::from(status)) {
            return Err(format!("`status` is {} for a {status}", error["status"]));
        }
        for member in ["code", "title", "detail"] {
            if error[member].as_str().is_none_or(str::is_empty) {
                return Err(format!("no `{member}`"));
            }
        }
        if !error["source"].is_object() {
            return Err("no `source` object".into());
        }
    }
    Ok(())
}

/// The workflows API is served, not only documented: a valid install and a change of it
/// answer 2xx before the random rounds, whose draw may or may not land a valid one (it
/// depends on the seed and on how many operations the document lists).
async fn reach_workflows_api(base: &str) {
    let client = reqwest::Client::new();
    let id = known_ids::WORKFLOW_IDS[0];
    let workflow = serde_json::json!({
        "id": id,
        "name": "fuzz reach",
        "trigger": {"id": "1", "eventName": "kustomer.fuzz.never", "transitions": []},
        "steps": []
    });
    let calls = [
        (reqwest::Method::POST, "/v1/workflows".to_string(), workflow),
        (
            reqwest::Method::PUT,
            format!("/v1/workflows/{id}"),
            serde_json::json!({"name": "fuzz reach 2"}),
        ),
    ];
    for (method, path, body) in calls {
        let answer = client
            .request(method.clone(), format!("{base}{path}"))
            .bearer_auth(targets::ADMIN)
            .json(&body)
            .send()
            .await
            .expect("the workflows API answers");
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_requests_never_break_the_server() {
    count_panics();
    let total = env_number("FUZZ_REQUESTS", 2_000);
    let seed = env_number("FUZZ_SEED", 20_261_126);
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let lifted = Some(1_000_000_000);
    // The harness's server: the mock with the engine, so the workflows API is served.
    let harness = Harness::builder()
        .server(|s| {
            s.seed(1)
                .fixtures(FixtureBundle::from_file(&fixtures.join("acme.json")).expect("fixtures"))
                .limits(LimitsPatch {
                    requests_per_window: lifted,
                    object_updates_per_window: lifted,
                    customer_creates_per_window: lifted,
                    search_per_window: lifted,
                    ..LimitsPatch::default()
                })
                .body_limit(BODY_LIMIT)
                .admin_token(ADMIN_TOKEN)
                // Admin reads return the whole journal and event log: keep them small.
                .capacity(1_000, 1_000)
                .journal_bytes(4 * 1024 * 1024)
        })
        .start()
        .await
        .expect("server starts");
    let server = harness.server();
    let base = server.url();
    let routes = documented_routes();
    assert!(routes.len() >= 20, "the document lists the routes");
    assert!(
        routes
            .iter()
            .any(|r| r.template.starts_with("/v1/workflows")),
        "the document lists the workflows API"
    );

    reach_workflows_api(&base).await;

    let mut workers: Vec<Worker> = (0..WORKERS)
        .map(|n| Worker {
            generator: Generator::new(seed.wrapping_mul(31).wrapping_add(n), routes.clone()),
            ids: KnownIds::fixtures(),
            revs: HashMap::new(),
            client: reqwest::Client::new(),
            tally: Tally::default(),
            previous: None,
        })
        .collect();
    let checker = reqwest::Client::new();
    let rounds = (total / 2_000).clamp(1, 25);
    let per_worker = total.div_ceil(rounds * WORKERS);

    for round in 0..rounds {
        futures::future::join_all(workers.iter_mut().map(|w| w.run(&base, per_worker))).await;
        let violations: Vec<&String> = workers
            .iter()
            .flat_map(|w| w.tally.violations.iter())
            .collect();
        assert!(
            violations.is_empty(),
            "round {round}: {} violation(s):\n{}",
            violations.len(),
            violations
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
        check_totals(server, &checker).await;
    }

    assert!(alive(&checker, &base).await, "the server still answers");
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "no panic");
    let sent: u64 = workers.iter().map(|w| w.tally.sent).sum();
    let skipped: u64 = workers.iter().map(|w| w.tally.skipped).sum();
    let oversized: u64 = workers.iter().map(|w| w.tally.oversized).sum();
    let mut by_namespace = [0u64; 3];
    for worker in &workers {
        for (total, n) in by_namespace.iter_mut().zip(worker.tally.by_namespace) {
            *total += n;
        }
    }
    let mut by_status: HashMap<u16, u64> = HashMap::new();
    for worker in &workers {
        for (status, n) in &worker.tally.by_status {
            *by_status.entry(*status).or_default() += n;
        }
    }
    let mut statuses: Vec<_> = by_status.into_iter().collect();
    statuses.sort();
    eprintln!(
        "fuzz: seed {seed}, {sent} requests sent ({skipped} not sendable; /v1 {}, /__admin {}, fallback {}), {oversized} bodies over the limit (all 413); by status: {statuses:?}",
        by_namespace[0], by_namespace[1], by_namespace[2]
    );
    assert!(sent >= total, "sent {sent} of {total}");
    let served: std::collections::BTreeSet<&String> =
        workers.iter().flat_map(|w| &w.tally.served).collect();
    eprintln!(
        "fuzz: {} of {} documented operations served a 2xx",
        served.len(),
        routes.len()
    );
    let successes: u64 = statuses
        .iter()
        .filter(|(s, _)| (200..300).contains(s))
        .map(|(_, n)| n)
        .sum();
    assert!(successes > 0, "some requests were valid and served");
}
