//! The API phase: the bare axum baseline and authenticated `GET`, `PUT` (with its event)
//! and list requests on the mock, at 1 and 32 connections, journal on and off. Cells are
//! measured round-robin (every cell once, then again), so a burst of other work on the
//! machine lands on one round of many cells rather than on every round of one.

use bytes::Bytes;
use kustomer_mock::MockServer;

use crate::Settings;
use crate::load::{self, Workload};
use crate::setup::{self, ADMIN_TOKEN};
use crate::stats::Rounds;

/// Conversations in the store during the API phase (requests cycle over them).
pub const CONVERSATIONS: usize = 1000;

/// One row of the API table.
pub struct Cell {
    pub target: &'static str,
    pub endpoint: String,
    pub journal: Option<bool>,
    pub connections: usize,
    pub workload: Workload,
    pub rounds: Rounds,
}

/// Every cell, measured.
pub struct ApiResults {
    pub cells: Vec<Cell>,
}

impl ApiResults {
    /// The baseline's median rate at `connections`.
    pub fn baseline(&self, connections: usize) -> f64 {
        self.find("baseline", "GET /hello", None, connections)
    }

    /// The median rate of one cell (0 when absent).
    pub fn find(
        &self,
        target: &str,
        endpoint: &str,
        journal: Option<bool>,
        connections: usize,
    ) -> f64 {
        self.cells
            .iter()
            .find(|c| {
                c.target == target
                    && c.endpoint == endpoint
                    && c.journal == journal
                    && c.connections == connections
            })
            .map(|c| c.rounds.rate())
            .unwrap_or(0.0)
    }
}

pub const GET_ONE: &str = "GET /v1/conversations/{id}";
pub const PUT_ONE: &str = "PUT /v1/conversations/{id}";
pub const LIST: &str = "GET /v1/conversations?page=N";
pub const MESSAGE_CREATE: &str = "POST /v1/conversations/{id}/messages";

async fn mock(journal: bool) -> (MockServer, Vec<String>) {
    let server = crate::servers::start(
        MockServer::builder()
            .seed(1)
            .fixtures(setup::acme())
            .limits(setup::high_limits())
            .journal(journal)
            .start(),
    )
    .await
    .expect("the mock starts");
    let ids = setup::populate(server.store(), CONVERSATIONS);
    let paths = setup::conversation_paths(&ids);
    (server, paths)
}

/// `{"priority": 1..3}` in turn. Three bodies over 1000 conversations (coprime), so each
/// visit to a record sets another priority than the last: every PUT changes the record,
/// commits, bumps `rev` and emits an update event with a `priority` change.
fn put_bodies() -> Vec<Bytes> {
    (1..=3)
        .map(|p| Bytes::from(format!("{{\"priority\":{p}}}")))
        .collect()
}

/// An outbound email (it never reopens the conversation): each one records a message,
/// updates its conversation's counters and emits two events.
fn message_bodies() -> Vec<Bytes> {
    vec![Bytes::from_static(
        br#"{"channel":"email","app":"postmark","direction":"out","preview":"We are on it."}"#,
    )]
}

/// Measures every cell (or those whose request contains `only`, baselines kept, and
/// those with `conns` connections).
pub async fn run(settings: &Settings, only: Option<&str>, conns: Option<usize>) -> ApiResults {
    let baseline = crate::servers::start(crate::baseline::start())
        .await
        .expect("the baseline starts");
    let mut cells = Vec::new();
    for connections in [1, 32] {
        cells.push(Cell {
            target: "baseline",
            endpoint: "GET /hello".into(),
            journal: None,
            connections,
            workload: Workload::get(baseline, vec!["/hello".into()]),
            rounds: Rounds::default(),
        });
    }
    let mut servers = Vec::new();
    for journal in [true, false] {
        let (server, paths) = mock(journal).await;
        let addr = server.addr();
        let auth = format!("Bearer {ADMIN_TOKEN}");
        let get = Workload::get(addr, paths.clone()).header("authorization", auth.clone());
        let mut put = get.clone().header("content-type", "application/json");
        put.method = hyper::Method::PUT;
        put.bodies = Some(std::sync::Arc::new(put_bodies()));
        let mut message = Workload::get(
            addr,
            paths.iter().map(|p| format!("{p}/messages")).collect(),
        )
        .header("authorization", auth.clone())
        .header("content-type", "application/json");
        message.method = hyper::Method::POST;
        message.bodies = Some(std::sync::Arc::new(message_bodies()));
        let pages = CONVERSATIONS.div_ceil(100);
        let list = Workload::get(
            addr,
            (1..=pages)
                .map(|p| format!("/v1/conversations?page={p}"))
                .collect(),
        )
        .header("authorization", auth);
        for (endpoint, workload) in [
            (GET_ONE, get),
            (PUT_ONE, put),
            (MESSAGE_CREATE, message),
            (LIST, list),
        ] {
            for connections in [1, 32] {
                cells.push(Cell {
                    target: "mock",
                    endpoint: endpoint.into(),
                    journal: Some(journal),
                    connections,
                    workload: workload.clone(),
                    rounds: Rounds::default(),
                });
            }
        }
        servers.push(server);
    }
    if let Some(only) = only {
        cells.retain(|c| c.target == "baseline" || c.endpoint.contains(only));
    }
    if let Some(conns) = conns {
        cells.retain(|c| c.connections == conns);
    }
    for round in 0..settings.rounds {
        for cell in cells.iter_mut() {
            let sample = load::run(
                &cell.workload,
                cell.connections,
                settings.warmup,
                settings.duration,
            )
            .await
            .expect("the load runs");
            eprintln!(
                "  round {}: {:<8} {:<32} journal {:<4} {:>2} conn: {:>9.0} req/s, p99 {:>8.1} µs, CPU {:>5.1} µs/req{}",
                round + 1,
                cell.target,
                cell.endpoint,
                match cell.journal {
                    Some(true) => "on",
                    Some(false) => "off",
                    None => "-",
                },
                cell.connections,
                sample.rate(),
                sample.quantile_us(0.99),
                sample.cpu_per_request_us(),
                if sample.errors > 0 {
                    format!(" ({} errors)", sample.errors)
                } else {
                    String::new()
                }
            );
            cell.rounds.0.push(sample);
        }
    }
    for server in servers {
        let _ = server.shutdown().await;
    }
    ApiResults { cells }
}
