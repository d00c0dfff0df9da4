//! # kustomer-workflow
//!
//! The workflow engine: Kustomer workflow JSON, loaded, checked and run against the mock.
//! Its own crate so that the library carries only what the engine needs; the harness,
//! the `kmock` CLI and the bench build on it.

pub mod actions;
pub mod apps;
pub mod condition;
pub mod condition_log;
mod dates;
pub mod definition;
pub mod engine;
mod executor;
pub mod explain;
pub mod functions;
pub mod load;
pub mod loop_fix;
pub mod loop_guard;
pub mod param;
pub mod path;
mod plain_template;
mod run_book;
pub mod run_log;
pub mod scope;
mod step_one;
pub mod template;
pub mod variables;

pub use apps::{App, AppCatalog, AppInfo};
pub use definition::{VariableDef, WorkflowDef};
pub use engine::{
    AppRegistration, Engine, EngineConfig, EngineError, Installed, InstalledInfo, Job,
    RestoreError, Scheduled, SettleError,
};
pub use load::{
    LoadError, LoadedWorkflow, load_dir, load_dir_with, load_file, load_file_with, load_json,
    load_value, load_value_with,
};
pub use loop_guard::{LoopGuardConfig, LoopRecord};
pub use run_book::RunFilter;
pub use run_log::{Run, RunState, StepLog};
pub use variables::{Secrets, Variables};

/// The mock the engine runs against, so a test needs one import for both.
pub use kustomer_mock::{MockServer, MockServerBuilder};
