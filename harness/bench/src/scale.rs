//! Scale: resident memory with many conversations (each size in a process of its own,
//! so allocations of other phases do not count), `GET` latency with 100 000
//! conversations against 100 (two servers in this process, measured round-robin), and a
//! search with a two-clause `and` over the large store.

use std::process::Command;

use kustomer_mock::MockServer;
use serde_json::json;

use crate::Settings;
use crate::load::{self, Workload};
use crate::setup::{self, ADMIN_TOKEN};
use crate::stats::Rounds;

/// The resident set size of this process, in bytes.
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Messages per conversation in the memory measurement with messages.
pub const MESSAGES_EACH: usize = 3;

/// One size, measured in a child process.
#[derive(Debug, Clone)]
pub struct Memory {
    pub conversations: usize,
    /// Messages recorded on each conversation.
    pub messages_each: usize,
    /// KObjects of the acme `order` klass (with custom attributes), beside the
    /// conversations.
    pub kobjects: usize,
    /// The server started with the fixtures, before the conversations.
    pub rss_before: u64,
    pub rss_after: u64,
}

/// The child: start a server, add `n` conversations with `messages_each` messages each,
/// print the RSS before and after.
pub async fn child(n: usize, messages_each: usize, kobjects: usize) {
    let server = MockServer::builder()
        .seed(1)
        .fixtures(setup::acme())
        .limits(setup::high_limits())
        .start()
        .await
        .expect("the mock starts");
    let rss_before = rss_bytes();
    let ids = setup::populate(server.store(), n);
    setup::add_messages(server.store(), &ids, messages_each);
    setup::add_kobjects(server.store(), kobjects);
    let rss_after = rss_bytes();
    assert_eq!(ids.len(), n);
    println!(
        "{}",
        json!({"conversations": n, "rssBefore": rss_before, "rssAfter": rss_after})
    );
    let _ = server.shutdown().await;
}

/// Runs this bench again with `args` (a hidden child command) and reads the JSON it prints.
pub fn run_child(args: &[&str]) -> serde_json::Value {
    let exe = std::env::current_exe().expect("the bench knows where it is");
    let output = Command::new(exe)
        .args(args)
        .output()
        .expect("the child runs");
    assert!(output.status.success(), "the child {args:?} succeeds");
    serde_json::from_slice(&output.stdout).expect("the child prints JSON")
}

fn measure_in_child(n: usize, messages_each: usize, kobjects: usize) -> Memory {
    let value = run_child(&[
        "scale-child",
        "--conversations",
        &n.to_string(),
        "--messages-each",
        &messages_each.to_string(),
        "--kobjects",
        &kobjects.to_string(),
    ]);
    Memory {
        conversations: n,
        messages_each,
        kobjects,
        rss_before: value["rssBefore"].as_u64().unwrap_or(0),
        rss_after: value["rssAfter"].as_u64().unwrap_or(0),
    }
}

/// `GET` at one store size and connection count.
pub struct Latency {
    pub conversations: usize,
    pub connections: usize,
    pub rounds: Rounds,
}

pub struct ScaleResults {
    pub memory: Vec<Memory>,
    pub latency: Vec<Latency>,
    /// `POST /v1/customers/search` with [`SEARCH_BODY`] over the large store, 1 connection.
    pub search: Latency,
}

/// The search cell's body: two clauses that every record is tested on (the bench's
/// conversations are open with priority 3, so only a fixture conversation matches).
pub const SEARCH_BODY: &str = r#"{"and":[{"conversation_status":{"equals":"open"}},{"conversation_priority":{"gte":4}}],"queryContext":"conversation"}"#;

/// The search cell's workload on `addr`.
fn search_workload(addr: std::net::SocketAddr) -> Workload {
    let mut search = Workload::get(addr, vec!["/v1/customers/search".into()])
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
        .header("content-type", "application/json");
    search.method = hyper::Method::POST;
    search.bodies = Some(std::sync::Arc::new(vec![bytes::Bytes::from_static(
        SEARCH_BODY.as_bytes(),
    )]));
    search
}

impl ScaleResults {
    pub fn latency(&self, conversations: usize, connections: usize) -> Option<&Latency> {
        self.latency
            .iter()
            .find(|l| l.conversations == conversations && l.connections == connections)
    }
}

pub async fn run(settings: &Settings) -> ScaleResults {
    let mut memory: Vec<Memory> = settings
        .scale_sizes
        .iter()
        .map(|&n| tokio::task::block_in_place(|| measure_in_child(n, 0, 0)))
        .collect();
    // The largest size again, each conversation with the messages of a short exchange.
    if let Some(&largest) = settings.scale_sizes.iter().max() {
        let with_messages =
            tokio::task::block_in_place(|| measure_in_child(largest, MESSAGES_EACH, 0));
        memory.push(with_messages);
        // As many KObjects, without conversations.
        let kobjects = tokio::task::block_in_place(|| measure_in_child(0, 0, largest));
        memory.push(kobjects);
    }

    let mut servers: Vec<MockServer> = Vec::new();
    let mut latency = Vec::new();
    let mut workloads = Vec::new();
    for n in [100, settings.scale_latency_size] {
        let server = crate::servers::start(
            MockServer::builder()
                .seed(1)
                .fixtures(setup::acme())
                .limits(setup::high_limits())
                .start(),
        )
        .await
        .expect("the mock starts");
        let ids = setup::populate(server.store(), n);
        let workload = Workload::get(server.addr(), setup::conversation_paths(&ids))
            .header("authorization", format!("Bearer {ADMIN_TOKEN}"));
        for connections in [1, 32] {
            latency.push(Latency {
                conversations: n,
                connections,
                rounds: Rounds::default(),
            });
            workloads.push(workload.clone());
        }
        servers.push(server);
    }
    let mut search = Latency {
        conversations: settings.scale_latency_size,
        connections: 1,
        rounds: Rounds::default(),
    };
    let searched = servers
        .last()
        .map(|server| search_workload(server.addr()))
        .expect("the large server runs");
    for round in 0..settings.rounds {
        for (cell, workload) in latency.iter_mut().zip(&workloads) {
            let sample = load::run(
                workload,
                cell.connections,
                settings.warmup,
                settings.duration,
            )
            .await
            .expect("the load runs");
            eprintln!(
                "  round {}: GET with {:>6} conversations, {:>2} conn: {:>9.0} req/s, p99 {:>8.1} µs",
                round + 1,
                cell.conversations,
                cell.connections,
                sample.rate(),
                sample.quantile_us(0.99)
            );
            cell.rounds.0.push(sample);
        }
        let sample = load::run(&searched, 1, settings.warmup, settings.duration)
            .await
            .expect("the load runs");
        eprintln!(
            "  round {}: search (two-clause and) over {} conversations, 1 conn: {:>7.0} req/s, p99 {:>8.1} µs{}",
            round + 1,
            search.conversations,
            sample.rate(),
            sample.quantile_us(0.99),
            if sample.errors > 0 {
                format!(" ({} errors)", sample.errors)
            } else {
                String::new()
            }
        );
        search.rounds.0.push(sample);
    }
    for server in servers {
        let _ = server.shutdown().await;
    }
    ScaleResults {
        memory,
        latency,
        search,
    }
}
