//! `Harness`: a mock server with the workflow engine attached — what `kmock` runs and
//! what tests start, one per test.

use std::collections::BTreeMap;

use kustomer_mock::model::LimitsPatch;
use kustomer_mock::{Clock, FixtureBundle, MockServer, MockServerBuilder, StartError};
use serde_json::Value;

use crate::workflow::{
    Engine, EngineConfig, EngineError, LoadedWorkflow, LoopGuardConfig, LoopRecord, Run,
    SettleError, VariableDef,
};

/// Why a harness could not start.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("workflow `{workflow}`: {source}")]
    Install {
        workflow: String,
        #[source]
        source: EngineError,
    },
}

/// Configures a [`Harness`].
#[derive(Debug, Default)]
pub struct HarnessBuilder {
    server: MockServerBuilder,
    engine: EngineConfig,
    workflows: Vec<LoadedWorkflow>,
    variables: BTreeMap<String, VariableDef>,
}

impl HarnessBuilder {
    /// Changes the server's settings.
    pub fn server(
        mut self,
        configure: impl FnOnce(MockServerBuilder) -> MockServerBuilder,
    ) -> Self {
        self.server = configure(self.server);
        self
    }

    /// A fixture bundle.
    pub fn fixtures(self, bundle: FixtureBundle) -> Self {
        self.server(|s| s.fixtures(bundle))
    }

    pub fn seed(self, seed: u64) -> Self {
        self.server(|s| s.seed(seed))
    }

    pub fn clock(self, clock: Clock) -> Self {
        self.server(|s| s.clock(clock))
    }

    pub fn limits(self, limits: LimitsPatch) -> Self {
        self.server(|s| s.limits(limits))
    }

    /// A workflow to install in the default org.
    pub fn workflow(mut self, workflow: LoadedWorkflow) -> Self {
        self.workflows.push(workflow);
        self
    }

    /// A variable for every workflow (overrides the files' values; `baseUrl` is set to the
    /// mock's URL unless given here).
    pub fn variable(mut self, name: &str, value: VariableDef) -> Self {
        self.variables.insert(name.to_string(), value);
        self
    }

    /// The engine's settings.
    pub fn engine(mut self, config: EngineConfig) -> Self {
        self.engine = config;
        self
    }

    /// The loop guard's settings.
    pub fn loop_guard(mut self, guard: LoopGuardConfig) -> Self {
        self.engine.loop_guard = guard;
        self
    }

    /// Starts the server, attaches the engine, installs the workflows.
    pub async fn start(self) -> Result<Harness, HarnessError> {
        let engine = Engine::new(self.engine);
        let server = self
            .server
            .admin_routes(crate::admin::routes(engine.clone()))
            .start()
            .await?;
        engine.attach(&server);
        for workflow in self.workflows {
            let name = workflow.def.name.clone();
            engine
                .install(workflow, None, &self.variables)
                .map_err(|source| HarnessError::Install {
                    workflow: name,
                    source,
                })?;
        }
        Ok(Harness { server, engine })
    }
}

/// A running mock server with its workflow engine.
#[derive(Debug)]
pub struct Harness {
    server: MockServer,
    engine: Engine,
}

impl Harness {
    pub fn builder() -> HarnessBuilder {
        HarnessBuilder::default()
    }

    /// The mock's base URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn server(&self) -> &MockServer {
        &self.server
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Waits until no event is queued and no run is in flight.
    pub async fn settled(&self) -> Result<(), SettleError> {
        self.engine.settled().await
    }

    /// Every run so far.
    pub fn runs(&self) -> Vec<Run> {
        self.engine.runs()
    }

    /// The runs of one workflow (by id or name).
    pub fn runs_of(&self, workflow: &str) -> Vec<Run> {
        self.runs()
            .into_iter()
            .filter(|r| r.workflow.id == workflow || r.workflow.name == workflow)
            .collect()
    }

    /// Every `loop-detected` record.
    pub fn loops(&self) -> Vec<LoopRecord> {
        self.engine.loops()
    }

    /// Starts a callable workflow.
    pub fn call(&self, workflow: &str, inputs: Value) -> Result<String, EngineError> {
        self.engine.call(workflow, inputs, None)
    }

    /// Shuts the server down.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
