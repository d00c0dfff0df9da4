//! The workflow phase: open conversations get the `auto-close` tag and the seed workflow
//! (`close-on-tag`) marks each done over real HTTP. Throughput: a burst of N tag requests
//! on 32 connections, timed from the first request to the last conversation done. Latency:
//! one tag at a time, timed from the request to its conversation being done.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kustomer_harness::harness::Harness;
use kustomer_mock::model::ConversationStatus;
use kustomer_mock::{BusItem, Id};
use kustomer_workflow::{EngineConfig, RunFilter, RunState, load_file};
use tokio::sync::mpsc;

use crate::Settings;
use crate::load::{self, Workload};
use crate::setup::{self, ADMIN_TOKEN};
use crate::stats;

/// One round of the burst.
pub struct Burst {
    pub runs: usize,
    pub window: Duration,
    /// CPU time of the whole process (load generator, server, engine) over the window.
    pub cpu: Duration,
    /// Tag request → conversation done, under the burst (queueing included).
    pub latencies_ms: Vec<f64>,
}

impl Burst {
    pub fn rate(&self) -> f64 {
        self.runs as f64 / self.window.as_secs_f64()
    }

    /// Process CPU time per closing, in microseconds: moves much less than runs/s when
    /// other work takes the cores.
    pub fn cpu_per_run_us(&self) -> f64 {
        self.cpu.as_secs_f64() * 1e6 / self.runs.max(1) as f64
    }
}

/// Runs the engine keeps in the full-book burst: far fewer than the burst makes, so every
/// run recorded drops the oldest (a long-running `kmock serve` past its bound).
pub const FULL_BOOK_KEPT: usize = 1000;

/// Every round of both measurements.
pub struct WorkflowResults {
    pub conversations: usize,
    pub bursts: Vec<Burst>,
    /// The same burst with the engine keeping only [`FULL_BOOK_KEPT`] runs.
    pub full_book: Vec<Burst>,
    /// The first burst of a fresh harness (every run kept), not counted in `bursts`: it
    /// also pays for the harness growing its journal, event log and run book.
    pub cold: Burst,
    /// Tag → done, one at a time (ms).
    pub sequential_ms: Vec<f64>,
    /// Resident memory after many closings (in a process of its own).
    pub memory: SteadyMemory,
}

impl WorkflowResults {
    pub fn rate(&self) -> f64 {
        stats::median(&self.bursts.iter().map(Burst::rate).collect::<Vec<_>>())
    }
}

async fn harness(max_runs_kept: usize) -> Harness {
    let workflow = load_file(&setup::repo_root().join("fixtures/workflows/close-on-tag.json"))
        .expect("close-on-tag loads");
    crate::servers::start(
        Harness::builder()
            .fixtures(setup::acme())
            .seed(1)
            .limits(setup::high_limits())
            .engine(EngineConfig {
                max_runs_kept,
                ..EngineConfig::default()
            })
            .workflow(workflow)
            .start(),
    )
    .await
    .expect("the harness starts")
}

/// How the done-watcher waits for events.
#[derive(Debug, Clone, Copy)]
enum Watch {
    /// Woken by each event: exact times, for one closing at a time.
    EachEvent,
    /// Reads what arrived every millisecond: the watcher is measurement apparatus, and
    /// woken by each of the burst's events it would add a thread wake-up per event to
    /// what is measured; its times are then within a millisecond.
    EveryMillisecond,
}

/// Sends `(record, when)` for the first update event of each conversation that leaves it
/// done. The watcher reads the status from the event's typed record copy: rendering the
/// event's `data`, or reading the store under the org's lock, would add the bench's own
/// check to what it measures.
fn watch_done(harness: &Harness, watch: Watch) -> mpsc::UnboundedReceiver<(Id, Instant)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut subscription = harness.server().bus().subscribe(None);
    tokio::spawn(async move {
        // The watcher's work is the measuring instrument's, counted in the CPU per
        // closing: ids hashed with foldhash, as the engine's maps do, not SipHash.
        let mut reported = foldhash::HashSet::default();
        let mut items = Vec::new();
        loop {
            match watch {
                Watch::EachEvent => match subscription.recv().await {
                    Some(item) => items.push(item),
                    None => return,
                },
                // All that arrived, under one lock of the log the server publishes under.
                Watch::EveryMillisecond => {
                    if subscription.try_recv_many(&mut items, usize::MAX) == 0 {
                        if tx.is_closed() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        continue;
                    }
                }
            }
            for item in items.drain(..) {
                let BusItem::Event(event) = item else {
                    continue;
                };
                let done = event.name == "kustomer.conversation.update"
                    && !reported.contains(&event.data_id)
                    && event
                        .records
                        .as_ref()
                        .and_then(|records| records.attribute("status"))
                        .is_some_and(|status| status == ConversationStatus::Done.as_str());
                if done {
                    reported.insert(event.data_id);
                    if tx.send((event.data_id, Instant::now())).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

fn tag_workload(harness: &Harness, ids: &[Id]) -> Workload {
    let mut workload = Workload::get(
        harness.server().addr(),
        ids.iter()
            .map(|id| format!("/v1/conversations/{id}/tags"))
            .collect(),
    )
    .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
    .header("content-type", "application/json");
    workload.method = hyper::Method::POST;
    workload.bodies = Some(Arc::new(vec![Bytes::from_static(b"[\"auto-close\"]")]));
    workload
}

/// Checks that every conversation of the burst (`ids`) got exactly its closing run (when
/// the engine keeps every run), or that the engine kept its bound and no kept run failed.
fn check_runs(harness: &Harness, ids: &[Id], max_runs_kept: usize) {
    let engine = harness.engine();
    if engine.run_count() >= max_runs_kept {
        let runs = harness.runs();
        assert_eq!(runs.len(), max_runs_kept, "the engine keeps its bound");
        assert!(
            runs.iter()
                .all(|r| matches!(r.state, RunState::Completed | RunState::NotMatched)),
            "no kept run failed"
        );
        return;
    }
    let filter = RunFilter {
        workflow: Some("close-on-tag"),
        state: Some(RunState::Completed),
        record: None,
    };
    let tagged: HashSet<Id> = ids.iter().copied().collect();
    let mut closed: Vec<Id> = engine
        .runs_matching(&filter, usize::MAX)
        .into_iter()
        .map(|r| r.record)
        .filter(|record| tagged.contains(record))
        .collect();
    closed.sort_unstable();
    let closed_once = closed.len() == ids.len() && closed.windows(2).all(|w| w[0] != w[1]);
    assert!(
        closed_once,
        "every tagged conversation is closed by exactly one run"
    );
}

/// Sends every request of `workload` on `connections` keep-alive connections, each
/// taking the next request as soon as its last one is answered (200 expected); returns
/// when each request was sent, by index.
async fn tag_all(workload: &Workload, connections: usize) -> Vec<Instant> {
    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for _ in 0..connections {
        let workload = workload.clone();
        let next = Arc::clone(&next);
        senders.push(tokio::spawn(async move {
            let mut sender = load::connect(workload.addr).await.expect("connects");
            let mut sent = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= workload.paths.len() {
                    return sent;
                }
                let at = Instant::now();
                let (status, _) = load::send(&mut sender, workload.request(i))
                    .await
                    .expect("the tag request is answered");
                assert_eq!(status, 200, "the tag request succeeds");
                sent.push((i, at));
            }
        }));
    }
    let mut sent_at = vec![started; workload.paths.len()];
    for task in senders {
        for (i, at) in task.await.expect("sender") {
            sent_at[i] = at;
        }
    }
    sent_at
}

/// A harness that runs every burst of one variant. The API cells' servers serve every
/// round after a warm-up; so does this harness, so that a burst measures the engine at
/// work, comparable with the `PUT` cell, and not a fresh harness growing its journal,
/// event log and run book for the first time (its first burst, reported as cold).
pub struct BurstBench {
    harness: Harness,
    max_runs_kept: usize,
}

impl BurstBench {
    async fn start(max_runs_kept: usize) -> BurstBench {
        BurstBench {
            harness: harness(max_runs_kept).await,
            max_runs_kept,
        }
    }

    /// `n` open conversations tagged on 32 connections, timed from the first request to
    /// the last conversation done.
    async fn burst(&self, n: usize) -> Burst {
        let harness = &self.harness;
        let ids = setup::populate(harness.server().store(), n);
        harness.settled().await.expect("the fixtures settle");
        let mut done = watch_done(harness, Watch::EveryMillisecond);
        let workload = tag_workload(harness, &ids);
        let started = Instant::now();
        let cpu_before = load::process_cpu();
        let sent_at = tag_all(&workload, 32).await;
        let index: foldhash::HashMap<Id, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut latencies_ms = Vec::with_capacity(n);
        let mut last = started;
        while latencies_ms.len() < n {
            let (id, at) = tokio::time::timeout(Duration::from_secs(120), done.recv())
                .await
                .expect("every conversation is closed within 2 minutes")
                .expect("the bus is open");
            if let Some(&i) = index.get(&id) {
                latencies_ms.push((at - sent_at[i]).as_secs_f64() * 1000.0);
                last = last.max(at);
            }
        }
        let cpu = load::process_cpu().saturating_sub(cpu_before);
        harness.settled().await.expect("the runs settle");
        check_runs(harness, &ids, self.max_runs_kept);
        Burst {
            runs: n,
            window: last - started,
            cpu,
            latencies_ms,
        }
    }

    /// [`BurstBench::burst`], printed as round `round` (0: the cold one) of `what`.
    async fn printed_burst(&self, n: usize, round: usize, what: &str) -> Burst {
        let b = self.burst(n).await;
        let label = match round {
            0 => "cold".to_string(),
            r => format!("round {r}"),
        };
        eprintln!(
            "  {label}, {what}: {} runs in {:.0} ms: {:.0} runs/s, CPU {:.0} µs/run",
            b.runs,
            b.window.as_secs_f64() * 1000.0,
            b.rate(),
            b.cpu_per_run_us()
        );
        b
    }
}

/// Both burst variants: every run kept, and the run book full.
pub struct BurstBenches {
    kept_all: BurstBench,
    book_full: BurstBench,
    n: usize,
}

impl BurstBenches {
    /// Fresh harnesses for `rounds` bursts of `settings.workflow_conversations` after
    /// the cold one; the first keeps every run of them all.
    pub async fn start(settings: &Settings) -> BurstBenches {
        let n = settings.workflow_conversations;
        let every_run = 2 * n * (settings.burst_rounds + 1) + 1000;
        BurstBenches {
            kept_all: BurstBench::start(every_run).await,
            book_full: BurstBench::start(FULL_BOOK_KEPT).await,
            n,
        }
    }

    /// A burst of each variant, printed as round `round` (0: the cold one).
    pub async fn round(&self, round: usize) -> (Burst, Burst) {
        let kept_all = self
            .kept_all
            .printed_burst(self.n, round, "every run kept")
            .await;
        let book_full = self
            .book_full
            .printed_burst(self.n, round, "run book full")
            .await;
        (kept_all, book_full)
    }

    pub async fn shutdown(self) {
        self.kept_all.harness.shutdown().await;
        self.book_full.harness.shutdown().await;
    }
}

async fn sequential(n: usize) -> Vec<f64> {
    let kept = EngineConfig::default().max_runs_kept;
    let harness = harness(kept).await;
    let ids = setup::populate(harness.server().store(), n);
    harness.settled().await.expect("the fixtures settle");
    let mut done = watch_done(&harness, Watch::EachEvent);
    let workload = tag_workload(&harness, &ids);
    let mut sender = load::connect(workload.addr).await.expect("connects");
    let mut out = Vec::with_capacity(n);
    for (i, id) in ids.iter().enumerate() {
        let at = Instant::now();
        let (status, _) = load::send(&mut sender, workload.request(i))
            .await
            .expect("the tag request is answered");
        assert_eq!(status, 200, "the tag request succeeds");
        loop {
            let (closed, when) = tokio::time::timeout(Duration::from_secs(30), done.recv())
                .await
                .expect("the conversation is closed within 30 s")
                .expect("the bus is open");
            if closed == *id {
                out.push((when - at).as_secs_f64() * 1000.0);
                break;
            }
        }
        // The not-matched run of the workflow's own update finishes before the next tag.
        harness.settled().await.expect("the runs settle");
    }
    check_runs(&harness, &ids, kept);
    harness.shutdown().await;
    out
}

pub async fn run(settings: &Settings) -> WorkflowResults {
    let mut sequential_ms = Vec::new();
    let (mut bursts, mut full_book) = (Vec::new(), Vec::new());
    let benches = BurstBenches::start(settings).await;
    let (cold, _) = benches.round(0).await;
    for round in 1..=settings.burst_rounds {
        let (kept_all, book_full) = benches.round(round).await;
        bursts.push(kept_all);
        full_book.push(book_full);
        sequential_ms.extend(sequential(settings.sequential_runs).await);
    }
    benches.shutdown().await;
    let memory = tokio::task::block_in_place(|| steady_memory(settings.memory_closings));
    WorkflowResults {
        conversations: settings.workflow_conversations,
        bursts,
        full_book,
        cold,
        sequential_ms,
        memory,
    }
}

/// Resident memory of a busy server, in bytes.
#[derive(Debug, Clone)]
pub struct SteadyMemory {
    pub closings: usize,
    /// Started with the fixtures and the example workflows, before any closing.
    pub rss_before: u64,
    /// After every closing settled: the event log, journal and run book at their bounds.
    pub rss_after: u64,
}

/// Conversations created and closed per batch of the memory measurement.
pub const MEMORY_BATCH: usize = 1000;

/// The child of the memory measurement: a harness like `kmock serve` (acme fixtures, the
/// example workflows, default bounds), then `closings` create → tag → close cycles in
/// batches (8 connections); prints the RSS before and after as JSON.
pub async fn memory_child(closings: usize) {
    let mut builder = Harness::builder()
        .fixtures(setup::acme())
        .seed(1)
        .limits(setup::high_limits());
    for workflow in kustomer_harness::embedded::workflows().expect("the example workflows load") {
        builder = builder.workflow(workflow);
    }
    let harness = crate::servers::start(builder.start())
        .await
        .expect("the harness starts");
    harness.settled().await.expect("the fixtures settle");
    let rss_before = crate::scale::rss_bytes();
    let store = harness.server().store();
    let org = store.org_by_name("acme").expect("the acme org is loaded");
    let mut left = closings;
    while left > 0 {
        let batch = left.min(MEMORY_BATCH);
        let ids = setup::populate(store, batch);
        tag_all(&tag_workload(&harness, &ids), 8).await;
        harness.settled().await.expect("the runs settle");
        for id in ids {
            let conversation = store
                .conversation(org, id)
                .expect("the conversation is kept");
            assert_eq!(
                conversation.attributes.status,
                ConversationStatus::Done,
                "the example workflows close every tagged conversation"
            );
        }
        left -= batch;
    }
    let rss_after = crate::scale::rss_bytes();
    println!(
        "{}",
        serde_json::json!({"closings": closings, "rssBefore": rss_before, "rssAfter": rss_after})
    );
    harness.shutdown().await;
}

/// [`memory_child`] in a fresh process, so allocations of other phases do not count.
pub fn steady_memory(closings: usize) -> SteadyMemory {
    let value = crate::scale::run_child(&["workflow-child", "--closings", &closings.to_string()]);
    SteadyMemory {
        closings,
        rss_before: value["rssBefore"].as_u64().unwrap_or(0),
        rss_after: value["rssAfter"].as_u64().unwrap_or(0),
    }
}
