use std::sync::Arc;

use kustomer_mock::{Cause, Event, Id};
use kustomer_mock::{EventMeta, MockMeta};
use serde_json::{Value, json};

use super::super::run_log::Run;
use super::super::variables::Variables;
use super::{Engine, EngineConfig, Installed, Job};

#[test]
fn a_restored_state_keeps_only_the_newest_runs_within_the_bound() {
    let engine = Engine::new(EngineConfig {
        max_runs_kept: 2,
        ..EngineConfig::default()
    });
    let runs: Vec<Value> = (1..=3)
        .map(|n| {
            json!({
                "id": format!("run-{n}"),
                "workflow": {"id": "w", "name": "w"},
                "event": {"id": "64a0c0ffee00000000000e01", "name": "e", "dataId": "64a0c0ffee00000000000b01"},
                "record": "64a0c0ffee00000000000b01",
                "state": "completed",
                "startedAt": "2026-01-01T00:00:00.000Z",
                "cause": {"root": "64a0c0ffee00000000000f01", "depth": 0, "chain": []},
                "trigger": [],
                "steps": [],
                "iteration": 1,
                "summary": "completed",
            })
        })
        .collect();
    engine
        .restore(&json!({"runs": runs, "loops": []}))
        .expect("the state restores");
    let kept: Vec<String> = engine.runs().into_iter().map(|r| r.id).collect();
    assert_eq!(kept, ["run-2", "run-3"]);
}

fn close_on_tag() -> Installed {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/workflows/close-on-tag.json"
    ))
    .expect("the fixture workflow");
    let workflow = super::super::load::load_json(&text, "close-on-tag.json").expect("loads");
    let variables = Variables::from_defs(&workflow.def.variables);
    Installed::new(
        workflow,
        Id::parse("64a0c0ffee00000000000001").unwrap(),
        variables,
    )
}

fn id(n: u64) -> Id {
    let mut bytes = [0u8; 12];
    bytes[4..].copy_from_slice(&n.to_be_bytes());
    Id::from_bytes(bytes)
}

/// A job on record `n` whose causal root is `n`.
fn job(installed: &Arc<Installed>, n: u64) -> Job {
    let event = Event {
        id: id(n),
        name: "kustomer.conversation.update".into(),
        org: installed.org,
        org_name: "acme".into(),
        partition: installed.org,
        data_id: id(n),
        data: json!({}).into(),
        changes: None,
        records: None,
        created_at: Default::default(),
        client: "test".into(),
        persist: true,
        meta: EventMeta {
            custom_changed: false,
        },
        sns_filters: Vec::new(),
        mock: MockMeta {
            request_id: None,
            cause: Arc::new(Cause::root(id(n))),
        },
    };
    Job {
        run_id: format!("run-{n}"),
        installed: Arc::clone(installed),
        event: Arc::new(event),
        inputs: None,
    }
}

fn record_finished(engine: &Engine, job: &Job) {
    let mut run = Run::queued(job, Default::default());
    run.state = super::super::run_log::RunState::Completed;
    engine.0.record_run(run);
}

#[test]
fn a_chain_with_work_queued_keeps_its_hard_cap_count_when_its_runs_are_evicted() {
    let engine = Engine::new(EngineConfig {
        max_runs_kept: 1,
        ..EngineConfig::default()
    });
    let installed = Arc::new(close_on_tag());
    let chain = job(&installed, 1);
    // The chain's first run ran and caused its next, which is queued.
    assert_eq!(engine.0.count_for_root(id(1)), 1);
    record_finished(&engine, &chain);
    engine
        .0
        .queues
        .lock()
        .entry(chain.event.data_id)
        .or_default()
        .push_back(chain.clone());
    // Other traffic pushes the chain's run out of the book and its count past a prune.
    let other_traffic = |from: u64| {
        for n in from..from + 50 {
            let other = job(&installed, n);
            engine.0.count_for_root(id(n));
            record_finished(&engine, &other);
        }
    };
    other_traffic(100);
    assert!(engine.runs().iter().all(|r| r.cause.root != id(1)));
    assert_eq!(engine.0.count_for_root(id(1)), 2, "the count goes on");
    // Once nothing of the chain is left to come, its count is forgotten.
    engine.0.queues.lock().clear();
    other_traffic(200);
    assert_eq!(engine.0.count_for_root(id(1)), 1, "a new count");
}

#[test]
fn an_installed_workflow_prints_without_its_secure_values() {
    let installed = close_on_tag();
    let shown = format!("{installed:?}");
    assert!(shown.contains("close-on-tag"), "{shown}");
    assert!(shown.contains("[secure"), "{shown}");
    assert!(!shown.contains("kmk_acme_workflow"), "{shown}");
}
