//! The run book: every run kept (the oldest finished ones dropped past the bound), the
//! loop records, and each causal root's hard-cap count.

use foldhash::HashSet;
use kustomer_mock::Id;

use super::super::loop_guard::LoopRecord;
use super::super::run_book::{KeptRun, RunFilter};
use super::super::run_log::Run;
use super::persistence::mark_interrupted;
use super::{Engine, EngineInner};
use std::sync::atomic::Ordering;

impl Engine {
    /// Every run, oldest first.
    pub fn runs(&self) -> Vec<Run> {
        self.runs_matching(&RunFilter::default(), usize::MAX)
    }

    /// The first `limit` runs (oldest first) that `filter` accepts; only those are read.
    pub fn runs_matching(&self, filter: &RunFilter<'_>, limit: usize) -> Vec<Run> {
        self.0.book.lock().matching(filter, limit)
    }

    /// How many runs are kept.
    pub fn run_count(&self) -> usize {
        self.0.book.lock().len()
    }

    /// One run.
    pub fn run(&self, id: &str) -> Option<Run> {
        self.0.book.lock().get(id)
    }

    /// Every `loop-detected` record.
    pub fn loops(&self) -> Vec<LoopRecord> {
        self.0.loops.lock().clone()
    }

    /// Forgets runs, loop records and schedules (admin reset).
    pub fn clear_runs(&self) {
        self.0.schedules.lock().clear();
        self.0.book.lock().clear();
        self.0.loops.lock().clear();
    }
}

impl EngineInner {
    /// Stores a run (new or updated), dropping the oldest finished runs past the limit.
    pub(crate) fn record_run(&self, run: Run) {
        let max = self.config.read().max_runs_kept;
        let mut run = KeptRun::new(run);
        let released = {
            let mut book = self.book.lock();
            // A finished run is not marked interrupted. Checked under the book's lock,
            // which `interrupt_unfinished` sets the flag under.
            if !run.run_mut().state.is_final() && self.stopping.load(Ordering::SeqCst) {
                let now = self
                    .attached
                    .get()
                    .map(|a| a.state.store.now())
                    .unwrap_or_default();
                mark_interrupted(run.run_mut(), now);
            }
            let replaced = book.insert_kept(run);
            (replaced, book.evict_past(max, || self.active_roots()))
        };
        // Freed after the lock is released: every run records itself under it.
        drop(released);
    }

    /// The causal roots with work still to come: runs queued or in flight, and scheduled
    /// workflows. Their hard-cap counts are kept even when none of their runs is.
    pub(super) fn active_roots(&self) -> HashSet<Id> {
        let mut roots: HashSet<Id> = self
            .queues
            .lock()
            .values()
            .flatten()
            .map(|job| job.event.mock.cause.root)
            .collect();
        roots.extend(self.schedules.lock().iter().map(|s| s.cause.root));
        roots
    }

    /// Counts a run against its root; returns the count with it.
    pub(crate) fn count_for_root(&self, root: Id) -> usize {
        self.book.lock().count_for_root(root)
    }
}
