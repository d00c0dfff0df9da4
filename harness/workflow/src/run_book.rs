//! The runs the engine keeps, oldest first, bounded: when full, the oldest finished run
//! goes.
//!
//! Eviction must stay O(1) however many runs are kept: an ordered map that shifts every
//! later entry on removal made each run recorded past the bound cost a move of the whole
//! book.
//!
//! Runs are kept as they are. They were once kept as JSON text, when a run held its
//! trigger's explanation as `serde_json` maps and a REST step's response parsed into a
//! tree (about four times the memory of the text). Now the explanation is typed and the
//! response is kept as it came, written only when read: a kept run takes about one and a
//! half times the memory of its text (README, Bounds), where writing every run as text
//! was a tenth of a workflow closing's instructions and every reader parsed it back.

use std::collections::VecDeque;

// Run ids and roots are the mock's own ids, not attacker-chosen keys: foldhash, several
// times cheaper than SipHash on a path that hashes them a few times per run.
use foldhash::{HashMap, HashSet};

use kustomer_mock::{Hop, Id};

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

/// A run as the book keeps it: its steps' params and outputs are twins that render on
/// their own (see [`kustomer_mock::LazyJson::unrendered`]), so what a step or a reader
/// renders is not kept with it. Made before the book's lock is taken: every run is
/// recorded under that one lock, so the work of keeping it is done outside.
pub(crate) struct KeptRun(Box<Run>);

impl KeptRun {
    pub fn new(mut run: Run) -> KeptRun {
        own_renderings(&mut run);
        KeptRun(Box::new(run))
    }

    pub fn run_mut(&mut self) -> &mut Run {
        &mut self.0
    }
}

/// A copy for a reader, rendering its params and outputs for itself.
fn read(run: &Run) -> Run {
    let mut copy = run.clone();
    own_renderings(&mut copy);
    copy
}

/// Gives each step's params and output in `run` a twin of its own (clones share a
/// rendering).
fn own_renderings(run: &mut Run) {
    for step in &mut run.steps {
        step.params = step.params.unrendered();
        if let Some(output) = &mut step.output {
            *output = output.unrendered();
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct RunBook {
    runs: HashMap<String, Box<Run>>,
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
        self.runs.get(id).map(|run| read(run))
    }

    /// The chain a run caused by run `id` carries: its chain plus its own hop.
    pub fn chain_of(&self, id: &str) -> Option<Vec<Hop>> {
        self.runs.get(id).map(|run| run.chain_with_self())
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// The first `limit` runs the filter accepts, oldest first; only those are read back.
    pub fn matching(&self, filter: &RunFilter<'_>, limit: usize) -> Vec<Run> {
        self.order
            .iter()
            .filter_map(|id| self.runs.get(id))
            .filter(|run| {
                filter.accepts(
                    (&run.workflow.id, &run.workflow.name),
                    run.state,
                    run.record,
                )
            })
            .take(limit)
            .map(|run| read(run))
            .collect()
    }

    /// The runs not finished yet.
    pub fn live_mut(&mut self) -> impl Iterator<Item = &mut Run> {
        self.runs
            .values_mut()
            .map(Box::as_mut)
            .filter(|run| !run.state.is_final())
    }

    /// Records a run, replacing the one with its id (it keeps its place in the order).
    pub fn insert(&mut self, run: Run) {
        self.insert_kept(KeptRun::new(run));
    }

    /// [`RunBook::insert`] of a run made ready; returns the run it replaces, for the
    /// caller to free once the lock is released.
    pub fn insert_kept(&mut self, run: KeptRun) -> Option<Box<Run>> {
        let run = run.0;
        match self.runs.get_mut(&run.id) {
            Some(kept_run) => Some(std::mem::replace(kept_run, run)),
            None => {
                self.order.push_back(run.id.clone());
                self.runs.insert(run.id.clone(), run);
                None
            }
        }
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
    ///
    /// Returns the dropped runs, for the caller to free once the lock is released.
    #[expect(
        clippy::vec_box,
        reason = "the runs move out of the book as they are kept, boxed: unboxing them would free the boxes under the lock"
    )]
    pub fn evict_past(
        &mut self,
        max: usize,
        active: impl FnOnce() -> HashSet<Id>,
    ) -> Vec<Box<Run>> {
        let max = max.max(1);
        let mut evicted = Vec::new();
        while self.runs.len() > max {
            // The oldest run is almost always finished: the scan stops at the front.
            let oldest_final = self
                .order
                .iter()
                .position(|id| self.runs.get(id).is_some_and(|run| run.state.is_final()));
            let Some(i) = oldest_final else { break };
            if let Some(id) = self.order.remove(i) {
                evicted.extend(self.runs.remove(&id));
            }
        }
        if self.per_root.len() > self.prune_at.max(2 * max) {
            let mut keep = active();
            keep.extend(self.runs.values().map(|run| run.cause.root));
            self.per_root.retain(|root, _| keep.contains(root));
            self.prune_at = 2 * self.per_root.len();
        }
        evicted
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
    use crate::run_log::StepLog;
    use kustomer_mock::LazyJson;
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
        // Finishing run 1 replaces it where it was, handing back the running copy.
        let replaced = book.insert_kept(KeptRun::new(run(1, RunState::Completed)));
        assert_eq!(replaced.map(|r| r.state), Some(RunState::Running));
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
        let mut evicted = Vec::new();
        for n in 1..10 {
            book.insert(run(n, RunState::Completed));
            evicted.extend(book.evict_past(4, HashSet::default));
        }
        assert_eq!(ids(&book), ["run-0", "run-7", "run-8", "run-9"]);
        // The dropped runs are handed back (to be freed outside the lock), oldest first.
        let evicted: Vec<&str> = evicted.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            evicted,
            ["run-1", "run-2", "run-3", "run-4", "run-5", "run-6"]
        );
        // Nothing finished left to drop: the bound gives way rather than lose a live run.
        let mut live = RunBook::default();
        for n in 0..3 {
            live.insert(run(n, RunState::Running));
        }
        live.evict_past(1, HashSet::default);
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
            book.evict_past(5, HashSet::default);
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
            params: LazyJson::text(
                serde_json::value::RawValue::from_string(r#"{"body":{"status":"done"}}"#.into())
                    .unwrap(),
            )
            .expect("JSON"),
            output: Some(json!({"status": 200, "body": {"ratio": 0.1, "big": 1e300, "tiny": 5e-324, "n": -3}}).into()),
            error: None,
            transitions: Vec::new(),
            next: None,
            started_at: finished.started_at,
            ended_at: finished.started_at,
            elapsed_ms: Some(0.30000000000000004),
        });
        // A REST step's output: JSON text, kept as it is.
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
        // What the reader rendered stays with the reader.
        assert_eq!(read.steps[1].params["body"]["status"], "done");
        let kept = &book.runs["run-7"];
        assert!(kept.steps.iter().all(|s| !s.params.holds_rendering()
            && s.output.as_ref().is_none_or(|o| !o.holds_rendering())));
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
    fn filters_pick_runs_by_workflow_state_and_record() {
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
