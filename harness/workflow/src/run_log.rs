//! The run log (Kustomer's "workflow output"): for each run, the workflow, the trigger
//! event, which transition matched and why the others did not, each step's resolved
//! params (secure values masked), output, error and timing, and the final state.

use std::sync::Arc;

use kustomer_mock::{Hop, Id, LazyJson, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::condition_log::ConditionLog;

/// Where a run stands or how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    Queued,
    Running,
    /// No trigger transition held: no step ran.
    NotMatched,
    Completed,
    Failed,
    /// Stopped before its steps by the loop guard or the hard cap.
    Halted,
    /// The server shut down before it could finish.
    Interrupted,
}

impl RunState {
    pub const ALL: [RunState; 7] = [
        RunState::Queued,
        RunState::Running,
        RunState::NotMatched,
        RunState::Completed,
        RunState::Failed,
        RunState::Halted,
        RunState::Interrupted,
    ];

    /// The state named `name` (as [`RunState::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<RunState> {
        RunState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Queued => "queued",
            RunState::Running => "running",
            RunState::NotMatched => "not-matched",
            RunState::Completed => "completed",
            RunState::Failed => "failed",
            RunState::Halted => "halted",
            RunState::Interrupted => "interrupted",
        }
    }

    /// Whether the run is over.
    pub fn is_final(self) -> bool {
        !matches!(self, RunState::Queued | RunState::Running)
    }
}

/// A workflow, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRef {
    pub id: String,
    pub name: String,
}

/// The event a run started from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRef {
    pub id: Id,
    pub name: String,
    pub data_id: Id,
    /// The `/v1` request that caused the event, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Id>,
}

/// The causal position of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunCause {
    /// The request (or seeded change) the chain started from.
    pub root: Id,
    /// The depth of the triggering event (0: a user's own request).
    pub depth: u32,
    /// The run whose request caused the triggering event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_run: Option<String>,
    /// The (workflow, record) hops before this run, oldest first.
    pub chain: Vec<Hop>,
}

/// One transition tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionLog {
    pub index: usize,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub holds: bool,
    /// The condition with its resolved values (absent: an unconditional transition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ConditionLog>,
}

/// One step of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepLog {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The params as resolved, secure values masked (kept as their JSON text: as a tree
    /// they were the largest part of a kept run).
    pub params: LazyJson,
    /// What the action gave (a REST step's: its JSON text, parsed when read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<LazyJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    /// The transitions (or error cases, when the step failed) tried after it.
    pub transitions: Vec<TransitionLog>,
    /// The step taken next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    /// Real time the step took; left out of snapshots (it varies between runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<f64>,
}

/// Why a run was halted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Halt {
    /// `max-repeats`, `max-depth` or `hard-cap`.
    pub reason: String,
    pub message: String,
    /// The `loop-detected` record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loop_id: Option<String>,
}

/// One run of one workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub id: String,
    pub workflow: WorkflowRef,
    pub event: EventRef,
    /// The record the run is about (the event's `dataId`).
    pub record: Id,
    pub state: RunState,
    pub started_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    pub cause: RunCause,
    /// The trigger transitions, in order, each with whether it held. Shared: a run is
    /// recorded as running before its steps, then again when it ends.
    pub trigger: Arc<[TransitionLog]>,
    pub steps: Vec<StepLog>,
    /// The error the run failed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halt: Option<Halt>,
    /// How many times this workflow fired on this record in this causal chain, this run
    /// included (1 unless something loops).
    pub iteration: u32,
    /// One line: what happened.
    pub summary: String,
    /// What went wrong and how to fix it (absent for a completed run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Run {
    /// A run not started yet (recorded when the server stops before it could run).
    pub(crate) fn queued(job: &super::engine::Job, now: Timestamp) -> Run {
        let cause = &job.event.mock.cause;
        Run {
            id: job.run_id.clone(),
            workflow: WorkflowRef {
                id: job.installed.workflow.id.clone(),
                name: job.installed.workflow.def.name.clone(),
            },
            event: EventRef {
                id: job.event.id,
                name: job.event.name.clone(),
                data_id: job.event.data_id,
                request_id: job.event.mock.request_id,
            },
            record: job.event.data_id,
            state: RunState::Queued,
            started_at: now,
            ended_at: None,
            cause: RunCause {
                root: cause.root,
                depth: cause.depth,
                parent_run: cause.run.clone(),
                chain: cause.chain.clone(),
            },
            trigger: Arc::default(),
            steps: Vec::new(),
            error: None,
            halt: None,
            iteration: 1,
            summary: "queued".into(),
            explanation: None,
        }
    }

    /// The run without real-time measurements, for snapshots.
    pub fn without_timing(&self) -> Run {
        let mut run = self.clone();
        for step in &mut run.steps {
            step.elapsed_ms = None;
        }
        run
    }

    /// The chain that the run's own requests carry: its chain plus its own hop.
    pub fn chain_with_self(&self) -> Vec<Hop> {
        // Sized exactly: kept with the run (a first push would make room for four).
        let mut chain = Vec::with_capacity(self.cause.chain.len() + 1);
        chain.extend_from_slice(&self.cause.chain);
        chain.push(Hop {
            workflow: self.workflow.id.clone(),
            record: self.record.to_hex(),
        });
        chain
    }
}
