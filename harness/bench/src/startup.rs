//! Start-up: an in-process `MockServer` (what a test starts per test) from `start()` to
//! its first answered request, and `kmock run` of the seed scenario as a whole process.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kustomer_harness::harness::Harness;
use kustomer_mock::MockServer;
use kustomer_workflow::load_file;

use crate::Settings;
use crate::load;
use crate::setup::{self, ADMIN_TOKEN, CONVERSATION};

pub struct StartupResults {
    /// `MockServer` with the acme fixtures: start → first `GET` answered.
    pub server: Vec<Duration>,
    /// `Harness` (server + engine + close-on-tag): start → first `GET` answered.
    pub harness: Vec<Duration>,
    /// `kmock run fixtures/scenarios/close-on-tag.json`, spawn → exit.
    pub kmock_run: Vec<Duration>,
}

/// One `GET` on a fresh connection; panics unless it answers 200.
async fn first_get(addr: std::net::SocketAddr) {
    let mut sender = load::connect(addr).await.expect("connects");
    let workload = load::Workload::get(addr, vec![format!("/v1/conversations/{CONVERSATION}")])
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"));
    let (status, _) = load::send(&mut sender, workload.request(0))
        .await
        .expect("the first request is answered");
    assert_eq!(status, 200, "the first request succeeds");
}

async fn server_once(bundle: &kustomer_mock::FixtureBundle) -> Duration {
    let started = Instant::now();
    let server = crate::servers::start(
        MockServer::builder()
            .seed(1)
            .fixtures(bundle.clone())
            .start(),
    )
    .await
    .expect("the mock starts");
    first_get(server.addr()).await;
    let took = started.elapsed();
    let _ = server.shutdown().await;
    took
}

async fn harness_once(
    bundle: &kustomer_mock::FixtureBundle,
    workflow: &kustomer_workflow::LoadedWorkflow,
) -> Duration {
    let started = Instant::now();
    let harness = crate::servers::start(
        Harness::builder()
            .fixtures(bundle.clone())
            .seed(1)
            .workflow(workflow.clone())
            .start(),
    )
    .await
    .expect("the harness starts");
    first_get(harness.server().addr()).await;
    let took = started.elapsed();
    harness.shutdown().await;
    took
}

/// The `kmock` binary next to this one (both are built by `make bench`).
pub fn kmock_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the bench knows where it is");
    exe.with_file_name(format!("kmock{}", std::env::consts::EXE_SUFFIX))
}

fn kmock_run_once() -> Duration {
    let started = Instant::now();
    let status = Command::new(kmock_binary())
        .args(["run", "fixtures/scenarios/close-on-tag.json"])
        .current_dir(setup::repo_root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("kmock runs (build it with `make bench`)");
    let took = started.elapsed();
    assert!(status.success(), "kmock run close-on-tag passes");
    took
}

pub async fn run(settings: &Settings) -> StartupResults {
    // Parsed once, as a test suite would share a parsed bundle; cloned inside the timing.
    let bundle = setup::acme();
    let workflow = load_file(&setup::repo_root().join("fixtures/workflows/close-on-tag.json"))
        .expect("close-on-tag loads");
    let mut results = StartupResults {
        server: Vec::new(),
        harness: Vec::new(),
        kmock_run: Vec::new(),
    };
    // Interleaved, so both see the same machine.
    for _ in 0..settings.startups {
        results.server.push(server_once(&bundle).await);
        results.harness.push(harness_once(&bundle, &workflow).await);
    }
    for _ in 0..settings.process_runs {
        results
            .kmock_run
            .push(tokio::task::block_in_place(kmock_run_once));
    }
    results
}
