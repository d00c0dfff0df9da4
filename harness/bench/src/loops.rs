//! The loop phase: the naive workflow (fixtures/stories/infinite-loop.json) re-fires on
//! its own update; time from the tag request to the loop guard halting it (the system
//! settled with one `loop-detected` record).

use std::time::{Duration, Instant};

use kustomer_harness::harness::Harness;
use kustomer_workflow::{RunState, load_file};

use crate::Settings;
use crate::load;
use crate::setup::{self, ADMIN_TOKEN, CONVERSATION};

async fn once(workflow: &kustomer_workflow::LoadedWorkflow) -> Duration {
    let harness = crate::servers::start(
        Harness::builder()
            .fixtures(setup::acme())
            .seed(1)
            .workflow(workflow.clone())
            .start(),
    )
    .await
    .expect("the harness starts");
    let addr = harness.server().addr();
    let mut workload =
        load::Workload::get(addr, vec![format!("/v1/conversations/{CONVERSATION}/tags")])
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .header("content-type", "application/json");
    workload.method = hyper::Method::POST;
    workload.bodies = Some(std::sync::Arc::new(vec![bytes::Bytes::from_static(
        b"[\"auto-close\"]",
    )]));
    let mut sender = load::connect(addr).await.expect("connects");
    let started = Instant::now();
    let (status, _) = load::send(&mut sender, workload.request(0))
        .await
        .expect("the tag request is answered");
    harness.settled().await.expect("the loop is halted");
    let took = started.elapsed();
    assert_eq!(status, 200, "the tag request succeeds");
    let summaries: Vec<String> = harness
        .runs()
        .iter()
        .map(|r| format!("{:?}: {}", r.state, r.summary))
        .collect();
    assert_eq!(
        harness.loops().len(),
        1,
        "the loop guard halts the loop once; the runs: {summaries:#?}"
    );
    assert!(
        harness.runs().iter().any(|r| r.state == RunState::Halted),
        "a run is halted"
    );
    harness.shutdown().await;
    took
}

pub async fn run(settings: &Settings) -> Vec<Duration> {
    let workflow = load_file(&setup::repo_root().join("fixtures/stories/infinite-loop.json"))
        .expect("the naive workflow loads");
    let mut out = Vec::new();
    for _ in 0..settings.loop_runs {
        out.push(once(&workflow).await);
    }
    out
}
