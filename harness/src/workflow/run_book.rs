//! The runs the engine keeps, oldest first, bounded: when full, the oldest finished run
//! goes.
//!
//! Eviction must stay O(1) however many runs are kept: an ordered map that shifts every
//! later entry on removal made each run recorded past the bound cost a move of the whole
//! book. A finished run is kept as its JSON text beside the few fields the engine and the
//! filters read: as `serde_json::Value` trees its trigger and step logs (a REST step's
//! response body included) took about four times the memory, and in a long burst the
//! kernel's zeroing of fresh pages for them was a fifth of the CPU. It is parsed back only
//! when someone reads it.

use std::collections::{HashMap, HashSet, VecDeque};

use kustomer_mock::{Hop, Id, LazyJson};
use serde::Deserialize;

use super::run_log::{Run, RunState};

/// Which runs to list; `None` matches anything.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunFilter<'a> {
    /// A workflow's id or name.
    pub workflow: Option<&'a str>,
    pub state: Option<RunState>,
    pub record: Option<Id>,
}

impl RunFilter<'_> {
    fn accepts(&self, workflow: (&str, &str), state: RunState, record: Id) -> bool {
        self.workflow
            .is_none_or(|w| w == workflow.0 || w == workflow.1)
            && self.state.is_none_or(|s| s == state)
            && self.record.is_none_or(|r| r == record)
    }
}

/// A finished run: its JSON, and what is read without parsing it.
#[derive(Debug)]
struct Finished {
    state: RunState,
    workflow_id: String,
    workflow_name: String,
    record: Id,
    root: Id,
    /// What a run this one caused carries ([`Run::chain_with_self`]).
    chain_with_self: Vec<Hop>,
    /// The run without the outputs below.
    json: Box<str>,
    /// Step outputs that come from JSON text (a REST step's response, kept or written on
    /// first read), by step index: kept as the handles they are, not rendered to be
    /// written into `json`.
    outputs: Vec<(usize, LazyJson)>,
}

#[derive(Debug)]
enum Kept {
    /// Queued or running: the engine still updates it.
    Live(Box<Run>),
    Finished(Finished),
}

impl Kept {
    fn of(mut run: Run) -> Kept {
        if !run.state.is_final() {
            return Kept::Live(Box::new(run));
        }
        let mut outputs = Vec::new();
        for (i, step) in run.steps.iter_mut().enumerate() {
            if let Some(output) = step.output.take_if(|o| o.is_from_text()) {
                outputs.push((i, output.unrendered()));
            }
        }
        match written_in_scratch(&run) {
            Ok(json) => Kept::Finished(Finished {
                state: run.state,
                chain_with_self: run.chain_with_self(),
                workflow_id: run.workflow.id,
                workflow_name: run.workflow.name,
                record: run.record,
                root: run.cause.root,
                json,
                outputs,
            }),
            Err(_) => {
                for (i, output) in outputs {
                    run.steps[i].output = Some(output);
                }
                Kept::Live(Box::new(run))
            }
        }
    }

    fn state(&self) -> RunState {
        match self {
            Kept::Live(run) => run.state,
            Kept::Finished(done) => done.state,
        }
    }

    fn root(&self) -> Id {
        match self {
            Kept::Live(run) => run.cause.root,
            Kept::Finished(done) => done.root,
        }
    }

    fn accepted_by(&self, filter: &RunFilter<'_>) -> bool {
        match self {
            Kept::Live(run) => filter.accepts(
                (&run.workflow.id, &run.workflow.name),
                run.state,
                run.record,
            ),
            Kept::Finished(done) => filter.accepts(
                (&done.workflow_id, &done.workflow_name),
                done.state,
                done.record,
            ),
        }
    }

    /// The run itself (parsed back from its JSON when finished).
    fn run(&self) -> Option<Run> {
        match self {
            Kept::Live(run) => Some(run.as_ref().clone()),
            Kept::Finished(done) => match parse_run(&done.json) {
                Ok(mut run) => {
                    // Each reader parses its own copy; the book keeps the text.
                    for (i, output) in &done.outputs {
                        if let Some(step) = run.steps.get_mut(*i) {
                            step.output = Some(output.unrendered());
                        }
                    }
                    Some(run)
                }
                Err(e) => {
                    tracing::error!("a kept run could not be read back: {e}");
                    None
                }
            },
        }
    }
}

thread_local! {
    /// Where runs are written before their text is copied out at its exact size.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest scratch buffer kept between runs: one huge run must not pin its size.
const SCRATCH_KEPT: usize = 64 * 1024;

/// `run` as JSON text in a box of its exact size. Written into a warm per-thread buffer
/// and copied out: a fresh buffer per run with room to spare (about 2 KB for 1.3 KB of
/// text) kept the spare room for as long as the run was kept, and took mimalloc's slow
/// path for a fresh page every few runs.
fn written_in_scratch(run: &Run) -> Result<Box<str>, String> {
    SCRATCH.with(|scratch| {
        let mut buf = scratch.try_borrow_mut().map_err(|e| e.to_string())?;
        buf.clear();
        let written = serde_json::to_writer(&mut *buf, run)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                std::str::from_utf8(&buf)
                    .map(Box::from)
                    .map_err(|e| e.to_string())
            });
        if buf.capacity() > SCRATCH_KEPT {
            *buf = Vec::new();
        }
        written
    })
}

/// Parses a kept run's text without serde_json's depth limit: the values in it were
/// parsed under that limit (or built by the engine), and the run's own fields nest them a
/// few levels deeper, which must not make a run unreadable. The depth stays bounded.
fn parse_run(text: &str) -> serde_json::Result<Run> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    let run = Run::deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(run)
}

/// A run in the form the book keeps it: a finished run is written as its JSON text here,
/// which callers do before they take the book's lock (other runs wait on that lock).
pub(crate) struct Ready {
    id: String,
    kept: Kept,
}

impl Ready {
    pub fn of(run: Run) -> Ready {
        Ready {
            id: run.id.clone(),
            kept: Kept::of(run),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct RunBook {
    runs: HashMap<String, Kept>,
    /// Run ids in the order they were first recorded.
    order: VecDeque<String>,
    /// Runs counted per causal root (the hard cap's counter).
    per_root: HashMap<Id, usize>,
    /// The counts are pruned once there are more than this many (and more than twice
    /// the bound): twice what the last prune kept, so pruning stays amortized even when
    /// thousands of roots have work queued.
    prune_at: usize,
}

impl RunBook {
    pub fn get(&self, id: &str) -> Option<Run> {
        self.runs.get(id).and_then(Kept::run)
    }

    /// The chain a run caused by run `id` carries: its chain plus its own hop.
    pub fn chain_of(&self, id: &str) -> Option<Vec<Hop>> {
        match self.runs.get(id)? {
            Kept::Live(run) => Some(run.chain_with_self()),
            Kept::Finished(done) => Some(done.chain_with_self.clone()),
        }
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// The first `limit` runs the filter accepts, oldest first; only those are read back.
    pub fn matching(&self, filter: &RunFilter<'_>, limit: usize) -> Vec<Run> {
        self.order
            .iter()
            .filter_map(|id| self.runs.get(id))
            .filter(|kept| kept.accepted_by(filter))
            .take(limit)
            .filter_map(Kept::run)
            .collect()
    }

    /// The runs not finished yet.
    pub fn live_mut(&mut self) -> impl Iterator<Item = &mut Run> {
        self.runs.values_mut().filter_map(|kept| match kept {
            Kept::Live(run) => Some(run.as_mut()),
            Kept::Finished(_) => None,
        })
    }

    /// Records a run, replacing the one with its id (it keeps its place in the order).
    pub fn insert(&mut self, run: Run) {
        self.insert_ready(Ready::of(run));
    }

    /// [`RunBook::insert`] of a run already made ready (outside the book's lock).
    pub fn insert_ready(&mut self, ready: Ready) {
        if !self.runs.contains_key(&ready.id) {
            self.order.push_back(ready.id.clone());
        }
        self.runs.insert(ready.id, ready.kept);
    }

    /// Records `run` unless a run with its id is already kept.
    pub fn insert_if_absent(&mut self, run: Run) {
        if !self.runs.contains_key(&run.id) {
            self.insert(run);
        }
    }

    /// Drops the oldest finished runs until at most `max` are kept (runs still going are
    /// never dropped), then forgets the root counts that no kept run belongs to and that
    /// `active` (the roots with work queued or scheduled) does not name. A chain whose runs
    /// were all evicted by other traffic still has its next run queued, so it keeps its
    /// count and the hard cap still stops it.
    pub fn evict_past(&mut self, max: usize, active: impl FnOnce() -> HashSet<Id>) {
        let max = max.max(1);
        while self.runs.len() > max {
            // The oldest run is almost always finished: the scan stops at the front.
            let oldest_final = self.order.iter().position(|id| {
                self.runs
                    .get(id)
                    .is_some_and(|kept| kept.state().is_final())
            });
            let Some(i) = oldest_final else { break };
            if let Some(id) = self.order.remove(i) {
                self.runs.remove(&id);
            }
        }
        if self.per_root.len() > self.prune_at.max(2 * max) {
            let mut keep = active();
            keep.extend(self.runs.values().map(Kept::root));
            self.per_root.retain(|root, _| keep.contains(root));
            self.prune_at = 2 * self.per_root.len();
        }
    }

    /// Counts one more run against `root`; returns the count with it.
    pub fn count_for_root(&mut self, root: Id) -> usize {
        let count = self.per_root.entry(root).or_insert(0);
        *count += 1;
        *count
    }

    pub fn clear(&mut self) {
        self.runs.clear();
        self.order.clear();
        self.per_root.clear();
        self.prune_at = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::run_log::StepLog;
    use serde_json::json;

    fn id(n: u64) -> Id {
        let mut bytes = [0u8; 12];
        bytes[4..].copy_from_slice(&n.to_be_bytes());
        Id::from_bytes(bytes)
    }

    fn run(n: u64, state: RunState) -> Run {
        let mut run: Run = serde_json::from_value(json!({
            "id": format!("run-{n}"),
            "workflow": {"id": "w", "name": "w"},
            "event": {"id": id(n).to_hex(), "name": "e", "dataId": id(1).to_hex()},
            "record": id(1).to_hex(),
            "state": "completed",
            "startedAt": "2026-01-01T00:00:00.000Z",
            "cause": {"root": id(n % 3).to_hex(), "depth": 0, "chain": []},
            "trigger": [],
            "steps": [],
            "iteration": 1,
            "summary": "",
        }))
        .expect("a run");
        run.state = state;
        run
    }

    fn ids(book: &RunBook) -> Vec<String> {
        book.matching(&RunFilter::default(), usize::MAX)
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    #[test]
    fn keeps_the_newest_runs_in_order_and_replaces_in_place() {
        let mut book = RunBook::default();
        for n in 0..5 {
            book.insert(run(n, RunState::Running));
        }
        // Finishing run 1 replaces it where it was.
        book.insert(run(1, RunState::Completed));
        assert_eq!(book.len(), 5);
        assert_eq!(ids(&book), ["run-0", "run-1", "run-2", "run-3", "run-4"]);
        assert_eq!(
            book.get("run-1").map(|r| r.state),
            Some(RunState::Completed)
        );
        book.insert_if_absent(run(1, RunState::Queued));
        assert_eq!(
            book.get("run-1").map(|r| r.state),
            Some(RunState::Completed)
        );
    }

    #[test]
    fn evicts_the_oldest_finished_runs_and_never_a_running_one() {
        let mut book = RunBook::default();
        book.insert(run(0, RunState::Running));
        for n in 1..10 {
            book.insert(run(n, RunState::Completed));
            book.evict_past(4, HashSet::new);
        }
        assert_eq!(ids(&book), ["run-0", "run-7", "run-8", "run-9"]);
        // Nothing finished left to drop: the bound gives way rather than lose a live run.
        let mut live = RunBook::default();
        for n in 0..3 {
            live.insert(run(n, RunState::Running));
        }
        live.evict_past(1, HashSet::new);
        assert_eq!(live.len(), 3);
    }

    #[test]
    fn counts_per_root_stay_bounded_by_the_kept_runs() {
        let mut book = RunBook::default();
        for n in 0..50u64 {
            let r = run(n, RunState::Completed);
            book.count_for_root(id(1000 + n));
            book.count_for_root(r.cause.root);
            book.insert(r);
            book.evict_past(5, HashSet::new);
        }
        assert!(book.per_root.len() <= 2 * 5 + 1, "{}", book.per_root.len());
        // The roots of kept runs keep their counts.
        let root = book
            .matching(&RunFilter::default(), 1)
            .first()
            .map(|r| r.cause.root)
            .expect("a run");
        assert!(book.count_for_root(root) > 1);
        book.clear();
        assert_eq!(
            (book.len(), book.per_root.len(), book.order.len()),
            (0, 0, 0)
        );
    }

    #[test]
    fn counts_of_active_roots_are_kept_and_pruning_stays_amortized() {
        let mut book = RunBook::default();
        let active: HashSet<Id> = (5000..5500).map(id).collect();
        for root in &active {
            book.count_for_root(*root);
        }
        let prunes = std::cell::Cell::new(0);
        for n in 0..2000u64 {
            book.count_for_root(id(10_000 + n));
            book.insert(run(n, RunState::Completed));
            book.evict_past(5, || {
                prunes.set(prunes.get() + 1);
                active.clone()
            });
        }
        // Every active root kept its count, the others were forgotten.
        assert!(
            active
                .iter()
                .all(|root| book.per_root.get(root) == Some(&1))
        );
        assert!(book.per_root.len() <= 2 * (active.len() + 5) + 1);
        // 500 active roots against a bound of 5: a prune every call would be 2000 of them.
        assert!(prunes.get() <= 5, "{} prunes", prunes.get());
    }

    #[test]
    fn runs_are_written_at_their_size_and_a_huge_one_does_not_pin_the_scratch() {
        let mut huge = run(1, RunState::Completed);
        huge.summary = "x".repeat(4 * SCRATCH_KEPT);
        let small = run(2, RunState::Completed);
        for r in [&huge, &small] {
            let text = written_in_scratch(r).expect("written");
            assert_eq!(*text, *serde_json::to_string(r).unwrap());
            assert_eq!(parse_run(&text).expect("reads back"), *r);
        }
        let kept = SCRATCH.with(|s| s.borrow().capacity());
        assert!(kept <= SCRATCH_KEPT, "{kept} bytes kept");
    }

    #[test]
    fn a_run_holding_a_value_nested_to_the_parse_limit_reads_back() {
        // As deep as serde_json parses (a workflow's params, an event's data): the run's
        // own fields nest it a few levels deeper still.
        let deep: serde_json::Value =
            serde_json::from_str(&format!("{}1{}", "[".repeat(127), "]".repeat(127)))
                .expect("within serde_json's limit");
        let mut finished = run(8, RunState::Completed);
        finished.steps.push(StepLog {
            id: "deep".into(),
            action: None,
            display_name: None,
            params: json!({"data": {"nested": deep}}),
            output: None,
            error: None,
            transitions: Vec::new(),
            next: None,
            started_at: finished.started_at,
            ended_at: finished.started_at,
            elapsed_ms: None,
        });
        let mut book = RunBook::default();
        book.insert(finished.clone());
        assert!(matches!(book.runs.get("run-8"), Some(Kept::Finished(_))));
        assert_eq!(book.get("run-8"), Some(finished));
    }

    #[test]
    fn a_finished_run_reads_back_as_it_was_recorded() {
        let mut finished = run(7, RunState::Completed);
        finished.cause.chain = vec![Hop {
            workflow: "other".into(),
            record: id(2).to_hex(),
        }];
        finished.steps.push(StepLog {
            id: "closeIt".into(),
            action: Some("rest".into()),
            display_name: None,
            params: json!({"body": {"status": "done"}}),
            output: Some(json!({"status": 200, "body": {"ratio": 0.1, "big": 1e300, "tiny": 5e-324, "n": -3}}).into()),
            error: None,
            transitions: Vec::new(),
            next: None,
            started_at: finished.started_at,
            ended_at: finished.started_at,
            elapsed_ms: Some(0.30000000000000004),
        });
        // A REST step's output: JSON text, kept as text and not parsed on the way in.
        let text =
            r#"{"response": {"status": 200}, "body": {"id": "c1", "n": 1.5e3}, "status": 200}"#;
        let mut second = finished.steps[0].clone();
        second.id = "second".into();
        second.output =
            LazyJson::text(serde_json::value::RawValue::from_string(text.into()).unwrap());
        finished.steps.push(second);
        // Text written on first read: recording the run does not write it.
        static WRITTEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let mut third = finished.steps[0].clone();
        third.id = "third".into();
        third.output = Some(LazyJson::text_on_read(
            || {
                WRITTEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                serde_json::value::RawValue::from_string(r#"{"late": true}"#.into()).ok()
            },
            || serde_json::Value::Null,
        ));
        finished.steps.push(third);
        let mut book = RunBook::default();
        book.insert(finished.clone());
        assert_eq!(WRITTEN.load(std::sync::atomic::Ordering::SeqCst), 0);
        let Some(Kept::Finished(kept)) = book.runs.get("run-7") else {
            panic!("a finished run is kept as text");
        };
        assert_eq!(kept.outputs.len(), 2);
        assert!(
            !kept.json.contains("late"),
            "the output written on read is kept apart"
        );
        assert!(
            !kept.json.contains("\"c1\""),
            "the text output is kept apart"
        );
        assert!(!kept.outputs[0].1.holds_rendering());
        let read = book.get("run-7").expect("kept");
        assert_eq!(read, finished);
        assert_eq!(
            read.steps[1]
                .output
                .as_ref()
                .and_then(|o| o.as_text())
                .map(|t| t.get()),
            Some(text),
            "read back as the same text"
        );
        assert_eq!(read.steps[1].output.as_ref().unwrap()["body"]["n"], 1500.0);
        assert_eq!(read.steps[2].output.as_ref().unwrap()["late"], true);
        assert_eq!(
            WRITTEN.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "written once"
        );
        assert_eq!(book.chain_of("run-7"), Some(finished.chain_with_self()));
        // A live run stays as it is, so the engine can mark it interrupted in place.
        book.insert(run(8, RunState::Running));
        assert_eq!(book.live_mut().count(), 1);
        assert_eq!(
            book.chain_of("run-8"),
            Some(run(8, RunState::Running).chain_with_self())
        );
    }

    #[test]
    fn filters_read_the_kept_fields_without_parsing_the_others() {
        let mut book = RunBook::default();
        for n in 0..6 {
            let mut r = run(
                n,
                if n % 2 == 0 {
                    RunState::Completed
                } else {
                    RunState::NotMatched
                },
            );
            r.record = id(100 + n % 3);
            book.insert(r);
        }
        book.insert(run(6, RunState::Running));
        let listed = |filter: RunFilter<'_>, limit: usize| -> Vec<String> {
            book.matching(&filter, limit)
                .into_iter()
                .map(|r| r.id)
                .collect()
        };
        let completed = RunFilter {
            state: Some(RunState::Completed),
            ..RunFilter::default()
        };
        assert_eq!(listed(completed, usize::MAX), ["run-0", "run-2", "run-4"]);
        assert_eq!(listed(completed, 2), ["run-0", "run-2"]);
        let record = RunFilter {
            record: Some(id(101)),
            ..RunFilter::default()
        };
        assert_eq!(listed(record, usize::MAX), ["run-1", "run-4"]);
        let by_name = RunFilter {
            workflow: Some("w"),
            state: Some(RunState::Running),
            ..RunFilter::default()
        };
        assert_eq!(listed(by_name, usize::MAX), ["run-6"]);
        let other = RunFilter {
            workflow: Some("nope"),
            ..RunFilter::default()
        };
        assert!(listed(other, usize::MAX).is_empty());
    }
}
