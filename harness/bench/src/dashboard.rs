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

/// How long the live phase renames at [`LIVE_RATE`].
const LIVE_FOR: Duration = Duration::from_secs(3);

/// Renames a second in the live phase (each makes an update event and a run).
const LIVE_RATE: u64 = 1_000;

/// What the dashboard phase measured.
pub struct DashboardResults {
    /// First views with [`RUNS_KEPT`] runs kept.
    pub first_views: Vec<Duration>,
    /// The live view under load: change messages received a second.
    pub messages_per_second: f64,
    /// Events published a second during the live phase.
    pub events_per_second: f64,
    /// Each refresh the page would make on a change message (`GET /__admin/tree`).
    pub refreshes: Vec<Duration>,
}

/// The first views, then the live view under load, on one harness.
pub async fn run() -> DashboardResults {
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
    let (messages_per_second, events_per_second, refreshes) = live(&harness, &renames).await;
    harness.shutdown().await;
    DashboardResults {
        first_views: times,
        messages_per_second,
        events_per_second,
        refreshes,
    }
}

/// Renames at [`LIVE_RATE`] a second for [`LIVE_FOR`] while following the change stream
/// as the page does: on each message one tree refresh, never two at once.
async fn live(harness: &Harness, renames: &load::Workload) -> (f64, f64, Vec<Duration>) {
    use http_body_util::BodyExt;
    let addr = harness.server().addr();
    let mut stream_sender = load::connect(addr).await.expect("connects");
    stream_sender.ready().await.expect("ready");
    let stream = stream_sender
        .send_request(
            load::Workload::get(addr, vec!["/__admin/dashboard/stream".into()]).request(0),
        )
        .await
        .expect("the stream answers");
    let mut body = stream.into_body();
    // The first message tells the state before the load.
    body.frame()
        .await
        .expect("a first message")
        .expect("a frame");
    let events_before = harness.server().bus().next_seq();
    let load = {
        let renames = renames.clone();
        tokio::spawn(async move {
            let mut sender = load::connect(addr).await.expect("connects");
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / LIVE_RATE));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let total = LIVE_RATE * LIVE_FOR.as_secs();
            for i in 0..total as usize {
                tick.tick().await;
                let _ = load::send(&mut sender, renames.request(i)).await;
            }
        })
    };
    let started = Instant::now();
    let mut refresher = load::connect(addr).await.expect("connects");
    let (mut messages, mut refreshes) = (0usize, Vec::new());
    while started.elapsed() < LIVE_FOR {
        let Ok(Some(Ok(frame))) = tokio::time::timeout(LIVE_FOR, body.frame()).await else {
            break;
        };
        let Some(data) = frame.data_ref() else {
            continue;
        };
        if !data.windows(13).any(|w| w == b"event: change") {
            continue;
        }
        messages += 1;
        let began = Instant::now();
        let request = load::Workload::get(addr, vec!["/__admin/tree?limit=100".into()]).request(0);
        let (status, _) = load::send(&mut refresher, request)
            .await
            .expect("the tree answers");
        assert_eq!(status, 200, "the tree answers");
        refreshes.push(began.elapsed());
    }
    let seconds = started.elapsed().as_secs_f64();
    load.await.expect("the load ran");
    let events = harness.server().bus().next_seq() - events_before;
    (
        messages as f64 / seconds,
        events as f64 / seconds,
        refreshes,
    )
}
