//! The engine's section of the saved state (runs and loop records), its restore, and the
//! runs a stopping server marks interrupted so that the saved state holds none that will
//! never end.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use kustomer_mock::StateSection;

use serde_json::{Value, json};

use super::super::loop_guard::LoopRecord;
use super::super::run_log::Run;
use super::{Engine, Job};

/// Why the engine's section of a saved state cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("the saved runs cannot be read: {0}")]
    Runs(serde_json::Error),
    #[error("the saved loop records cannot be read: {0}")]
    Loops(serde_json::Error),
}

impl Engine {
    /// The engine's section of the server's saved state (see [`Engine::state_value`]).
    /// Weak: the server's state holds the section, and the engine holds the server's
    /// state; a strong handle here kept every stopped harness alive.
    pub fn state_section(&self) -> StateSection {
        let section = Arc::downgrade(&self.0);
        StateSection(Arc::new(move || {
            section
                .upgrade()
                .map(|inner| Engine(inner).state_value())
                .unwrap_or(Value::Null)
        }))
    }

    /// The engine's part of the saved state: its runs and loop records.
    pub fn state_value(&self) -> Value {
        json!({ "runs": self.runs(), "loops": self.loops() })
    }

    /// Restores runs and loop records from a saved state.
    pub fn restore(&self, value: &Value) -> Result<(), RestoreError> {
        let runs: Vec<Run> =
            serde_json::from_value(value.get("runs").cloned().unwrap_or_else(|| json!([])))
                .map_err(RestoreError::Runs)?;
        let loops: Vec<LoopRecord> =
            serde_json::from_value(value.get("loops").cloned().unwrap_or_else(|| json!([])))
                .map_err(RestoreError::Loops)?;
        let max = self.config().max_runs_kept;
        let mut book = self.0.book.lock();
        for run in runs {
            book.count_for_root(run.cause.root);
            book.insert(run);
        }
        // A state saved with a larger bound keeps only the newest runs.
        book.evict_past(max, || self.0.active_roots());
        drop(book);
        self.0.loops.lock().extend(loops);
        Ok(())
    }

    /// Marks every run that has not finished — running, or still queued — `interrupted`,
    /// so none vanishes when the server stops. Returns how many.
    pub fn interrupt_unfinished(&self) -> usize {
        let now = self
            .attached()
            .map(|a| a.state.store.now())
            .unwrap_or_default();
        let queued: Vec<Job> = {
            let queues = self.0.queues.lock();
            queues.values().flat_map(|q| q.iter().cloned()).collect()
        };
        let mut book = self.0.book.lock();
        // Under the book's lock, so a run recorded from now on sees the flag.
        self.0.stopping.store(true, Ordering::SeqCst);
        for job in queued {
            book.insert_if_absent(Run::queued(&job, now));
        }
        let mut count = 0;
        for run in book.live_mut() {
            mark_interrupted(run, now);
            count += 1;
        }
        count
    }
}

/// Ends a run that the server's stop cut short.
pub(super) fn mark_interrupted(run: &mut Run, now: kustomer_mock::Timestamp) {
    run.state = super::super::run_log::RunState::Interrupted;
    run.ended_at = Some(now);
    run.summary = "interrupted: the server shut down before the run could finish".into();
    run.explanation = Some(format!(
        "Workflow `{}` on {} was interrupted: the server shut down before the run could finish.",
        run.workflow.name, run.record
    ));
}
