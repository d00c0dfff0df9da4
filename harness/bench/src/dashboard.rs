//! The dashboard phase: the first view of the dashboard with 10,000 runs kept. A first
//! view is what the page needs before it can draw: the page itself (`GET /`), its
//! script, and the causal tree twin (`GET /__admin/tree`, the newest 100 roots, built
//! from everything kept). Each sample uses a new connection, as a browser opening the
//! URL would.

use std::time::{Duration, Instant};

use kustomer_harness::harness::Harness;
use kustomer_workflow::{EngineConfig, load_file};

use crate::load;
use crate::setup::{self, ADMIN_TOKEN, CONVERSATION};

/// Runs kept when the view is measured.
pub const RUNS_KEPT: usize = 10_000;

/// First views measured.
const SAMPLES: usize = 20;

/// What one first view fetches, in order.
const FIRST_VIEW: [&str; 3] = ["/", "/assets/dashboard.js", "/__admin/tree?limit=100"];

/// The times of [`SAMPLES`] first views with [`RUNS_KEPT`] runs kept.
pub async fn run() -> Vec<Duration> {
    let workflow = load_file(&setup::repo_root().join("fixtures/workflows/close-on-tag.json"))
        .expect("close-on-tag loads");
    let harness = crate::servers::start(
        Harness::builder()
            .fixtures(setup::acme())
            .limits(setup::high_limits())
            .seed(1)
            .engine(EngineConfig {
                max_runs_kept: RUNS_KEPT,
                ..EngineConfig::default()
            })
            .workflow(workflow)
            .start(),
    )
    .await
    .expect("the harness starts");
    let addr = harness.server().addr();
    // Each rename is an update event, and each update event a close-on-tag run (one
    // that does not match: the tag is not added).
    let bodies: Vec<bytes::Bytes> = (0..RUNS_KEPT)
        .map(|i| bytes::Bytes::from(format!("{{\"name\": \"renamed {i}\"}}")))
        .collect();
    let mut renames = load::Workload::get(addr, vec![format!("/v1/conversations/{CONVERSATION}")])
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .header("content-type", "application/json");
    renames.method = hyper::Method::PUT;
    renames.bodies = Some(std::sync::Arc::new(bodies));
    let mut sender = load::connect(addr).await.expect("connects");
    for i in 0..RUNS_KEPT {
        let (status, _) = load::send(&mut sender, renames.request(i))
            .await
            .expect("a rename is answered");
        assert_eq!(status, 200, "a rename succeeds");
    }
    harness.settled().await.expect("the runs finish");
    assert!(
        harness.engine().run_count() >= RUNS_KEPT,
        "{} runs kept",
        harness.engine().run_count()
    );
    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let mut sender = load::connect(addr).await.expect("connects");
        let started = Instant::now();
        for path in FIRST_VIEW {
            let (status, body) = load::send(
                &mut sender,
                load::Workload::get(addr, vec![path.to_string()]).request(0),
            )
            .await
            .expect("the dashboard answers");
            assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        }
        times.push(started.elapsed());
    }
    harness.shutdown().await;
    times
}
