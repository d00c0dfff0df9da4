//! # kustomer-harness
//!
//! Runs Kustomer workflow JSON against `kustomer-mock`: [`Harness`] (a mock server with the
//! workflow engine attached), scenario files, their reports and snapshots, the embedded
//! example fixtures and the engine's admin routes. The engine is the `kustomer-workflow`
//! crate (re-exported as [`workflow`]); the `kmock` CLI and `kmock-bench` are binary
//! crates beside this one.

pub mod admin;
mod app_klasses;
pub mod dashboard;
pub mod duration;
pub mod embedded;
pub mod harness;
pub mod openapi;
pub mod report;
pub mod scenario;
pub mod snapshot;
pub mod workflows_api;

/// The workflow engine (`kustomer-workflow`), under the path it always had here.
pub use kustomer_workflow as workflow;

pub use harness::{Answer, Harness, HarnessBuilder, HarnessError, Stopped};
pub use kustomer_mock::{MockServer, MockServerBuilder};
pub use kustomer_workflow::{
    Engine, EngineConfig, EngineError, LoadedWorkflow, LoopGuardConfig, Run, RunState, SettleError,
};
pub use scenario::{Scenario, ScenarioError};
