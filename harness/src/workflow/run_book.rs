//! The runs the engine keeps, oldest first, bounded: when full, the oldest finished run
//! goes. Eviction must stay O(1) however many runs are kept (100,000 by default): an
//! ordered map that shifts every later entry on removal made each run recorded past the
//! bound cost a move of the whole book.

use std::collections::{HashMap, HashSet, VecDeque};

use kustomer_mock::Id;

use super::run_log::Run;

#[derive(Debug, Default)]
pub(crate) struct RunBook {
    runs: HashMap<String, Run>,
    /// Run ids in the order they were first recorded.
    order: VecDeque<String>,
    /// Runs counted per causal root (the hard cap's counter).
    per_root: HashMap<Id, usize>,
}

impl RunBook {
    pub fn get(&self, id: &str) -> Option<&Run> {
        self.runs.get(id)
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// Every run, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Run> {
        self.order.iter().filter_map(|id| self.runs.get(id))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Run> {
        self.runs.values_mut()
    }

    /// Records a run, replacing the one with its id (it keeps its place in the order).
    pub fn insert(&mut self, run: Run) {
        if !self.runs.contains_key(&run.id) {
            self.order.push_back(run.id.clone());
        }
        self.runs.insert(run.id.clone(), run);
    }

    /// Records `run` unless a run with its id is already kept.
    pub fn insert_if_absent(&mut self, run: Run) {
        if !self.runs.contains_key(&run.id) {
            self.insert(run);
        }
    }

    /// Drops the oldest finished runs until at most `max` are kept (runs still going are
    /// never dropped), then forgets the root counts no kept run belongs to.
    pub fn evict_past(&mut self, max: usize) {
        let max = max.max(1);
        while self.runs.len() > max {
            // The oldest run is almost always finished: the scan stops at the front.
            let oldest_final = self
                .order
                .iter()
                .position(|id| self.runs.get(id).is_some_and(|r| r.state.is_final()));
            let Some(i) = oldest_final else { break };
            if let Some(id) = self.order.remove(i) {
                self.runs.remove(&id);
            }
        }
        // Amortized: the counts are pruned only once there are twice as many as runs.
        if self.per_root.len() > 2 * max {
            let live: HashSet<Id> = self.runs.values().map(|r| r.cause.root).collect();
            self.per_root.retain(|root, _| live.contains(root));
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::run_log::RunState;

    fn id(n: u64) -> Id {
        let mut bytes = [0u8; 12];
        bytes[4..].copy_from_slice(&n.to_be_bytes());
        Id::from_bytes(bytes)
    }

    fn run(n: u64, state: RunState) -> Run {
        let mut run: Run = serde_json::from_value(serde_json::json!({
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
        book.iter().map(|r| r.id.clone()).collect()
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
            book.evict_past(4);
        }
        assert_eq!(ids(&book), ["run-0", "run-7", "run-8", "run-9"]);
        // Nothing finished left to drop: the bound gives way rather than lose a live run.
        let mut live = RunBook::default();
        for n in 0..3 {
            live.insert(run(n, RunState::Running));
        }
        live.evict_past(1);
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
            book.evict_past(5);
        }
        assert!(book.per_root.len() <= 2 * 5 + 1, "{}", book.per_root.len());
        // The roots of kept runs keep their counts.
        let root = book.iter().next().map(|r| r.cause.root).expect("a run");
        assert!(book.count_for_root(root) > 1);
        book.clear();
        assert_eq!(
            (book.len(), book.per_root.len(), book.order.len()),
            (0, 0, 0)
        );
    }
}
