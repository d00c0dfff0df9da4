//! A soak: the same workload over and over must not grow memory, because the journal,
//! the event log, the kept runs and every counter are bounded.
//!
//! Short by default (CI); `KMOCK_SOAK_SECS=1800 cargo test -p kustomer-mock-tests --test soak
//! -- --nocapture` runs the 30-minute version. Its own test binary, so no other test's
//! allocations are counted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kustomer_harness::harness::Harness;
use kustomer_harness::workflow::{EngineConfig, load_file};
use kustomer_mock::FixtureBundle;
use serde_json::{Value, json};

const ADMIN: &str = "kmk_acme_admin_7c3e9a1f5d2b8e64";
const WORKFLOW: &str = "kmk_acme_workflow_3f9c2a7e5b1d4c8a";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// Resident memory of this process, in bytes (Linux).
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client
        .request(method, url)
        .header("authorization", format!("Bearer {token}"));
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request.send().await.expect("the server keeps answering");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_flat_under_a_long_soak() {
    let Some(_) = rss() else {
        eprintln!("no /proc/self/statm on this system: nothing to measure");
        return;
    };
    let harness = Harness::builder()
        .fixtures(FixtureBundle::from_file(&fixtures().join("acme.json")).unwrap())
        .server(|s| s.capacity(500, 500))
        .engine(EngineConfig {
            max_runs_kept: 500,
            ..EngineConfig::default()
        })
        .workflow(load_file(&fixtures().join("workflows/close-on-tag.json")).unwrap())
        .workflow(load_file(&fixtures().join("workflows/vip-priority.json")).unwrap())
        .start()
        .await
        .unwrap();
    let url = harness.url();
    let client = reqwest::Client::new();
    let soak = std::env::var("KMOCK_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let cycles_default = 800u64;
    let started = Instant::now();
    let done = |cycle: u64| match soak {
        Some(secs) => started.elapsed() >= Duration::from_secs(secs),
        None => cycle >= cycles_default,
    };
    let mut warm: Option<u64> = None;
    let mut cycle = 0u64;
    while !done(cycle) {
        // One conversation's life: created, tagged (a REST workflow closes it), made VIP (a
        // native workflow), deleted. Nothing accumulates in the store.
        let (status, created) = call(
            &client,
            reqwest::Method::POST,
            format!("{url}/v1/conversations"),
            WORKFLOW,
            Some(json!({"customer": "64a0c0ffee00000000000c01", "name": format!("soak {cycle}")})),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let id = created["data"]["id"].as_str().unwrap().to_string();
        let (status, _) = call(
            &client,
            reqwest::Method::POST,
            format!("{url}/v1/conversations/{id}/tags"),
            ADMIN,
            Some(json!(["auto-close", "vip"])),
        )
        .await;
        assert_eq!(status, 200);
        harness.settled().await.unwrap();
        let (status, after) = call(
            &client,
            reqwest::Method::GET,
            format!("{url}/v1/conversations/{id}"),
            ADMIN,
            None,
        )
        .await;
        assert_eq!(status, 200);
        let attributes = &after["data"]["attributes"];
        if attributes["status"] != "done" || attributes["priority"] != 5 {
            let runs: Vec<Value> = harness
                .runs()
                .into_iter()
                .filter(|run| run.record.to_string() == id)
                .map(|run| serde_json::to_value(run).unwrap_or_default())
                .collect();
            panic!(
                "cycle {cycle}: conversation {id} is not done with priority 5: the workflows stopped working.\n\
                 conversation: {after}\nits runs: {}",
                serde_json::to_string_pretty(&runs).unwrap_or_default()
            );
        }
        let (status, _) = call(
            &client,
            reqwest::Method::DELETE,
            format!("{url}/v1/conversations/{id}"),
            ADMIN,
            None,
        )
        .await;
        assert_eq!(status, 204);
        cycle += 1;
        if cycle % 100 == 0 {
            // A new minute: rate-limit windows roll over, as they would in a long run.
            harness.server().clock().advance(60_000);
        }
        let target = match soak {
            Some(_) => started.elapsed() >= Duration::from_secs(20) && warm.is_none(),
            None => cycle == cycles_default / 4,
        };
        if target {
            warm = rss();
            eprintln!("warm after {cycle} cycles: {} MiB", warm.unwrap_or(0) >> 20);
        }
    }
    let end = rss().unwrap();
    let warm = warm.expect("the soak ran past its warm-up");
    eprintln!(
        "end after {cycle} cycles: {} MiB (warm {} MiB)",
        end >> 20,
        warm >> 20
    );
    // The rings (500 entries each) fill within the first 100 cycles; after the warm-up
    // every ring, book and counter is at its bound: what is left is allocator slack.
    let allowed = (16u64 << 20).max(warm / 4);
    assert!(
        end <= warm + allowed,
        "memory grew from {} MiB to {} MiB over {cycle} cycles",
        warm >> 20,
        end >> 20
    );
    let journal = harness.server().journal().query(&Default::default());
    assert!(
        journal.0.len() <= 500 && journal.1 > 0,
        "the journal is a bounded ring that dropped {} entries",
        journal.1
    );
    assert!(harness.runs().len() <= 500);
    harness.shutdown().await;
}
