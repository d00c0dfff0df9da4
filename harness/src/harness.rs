//! `Harness`: a mock server with the workflow engine attached — what `kmock` runs and
//! what tests start, one per test.

use std::collections::BTreeMap;

use kustomer_mock::EventQuery;
use kustomer_mock::REQUEST_ID_HEADER;
use kustomer_mock::model::LimitsPatch;
use kustomer_mock::{Clock, FixtureBundle, Id, MockServer, MockServerBuilder, StartError};
use serde_json::Value;

use crate::report::{Facts, SessionJournal};
use crate::scenario::{RequestDef, Scenario};

use crate::workflow::apps::App;
use crate::workflow::{
    Engine, EngineConfig, EngineError, LoadedWorkflow, LoopGuardConfig, LoopRecord, RestoreError,
    Run, SettleError, VariableDef,
};

/// Why a harness could not start.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("{0}")]
    Request(String),
    #[error(transparent)]
    Restore(#[from] RestoreError),
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
    apps: Vec<App>,
    workflows: Vec<LoadedWorkflow>,
    variables: BTreeMap<String, VariableDef>,
    /// Whether apps install the workflows they ship (`kmock serve --no-workflows`: no).
    app_workflows: Option<bool>,
}

impl HarnessBuilder {
    /// Whether apps install the workflows they ship (they do by default); their actions
    /// are available either way.
    pub fn app_workflows(mut self, install: bool) -> Self {
        self.app_workflows = Some(install);
        self
    }

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

    /// A Kustomer app: its actions and workflows (load workflows that use its actions with
    /// [`crate::workflow::load_value_with`] and the app's catalog).
    pub fn app(mut self, app: App) -> Self {
        self.apps.push(app);
        self
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
        let session = crate::dashboard::SessionStart::default();
        let admin = crate::admin::routes(engine.clone()).merge(crate::dashboard::admin_routes(
            engine.clone(),
            session.clone(),
        ));
        let server = self
            .server
            .admin_routes(admin)
            .page_routes(crate::dashboard::page_routes())
            .v1_routes(crate::workflows_api::routes(engine.clone()))
            .openapi_document(crate::openapi::document())
            .start()
            .await?;
        engine.attach(&server);
        for app in self.apps {
            crate::app_klasses::create(&server, &app).map_err(HarnessError::Request)?;
            // What an app's workflows could not install is kept in the engine
            // (`Engine::app_problems`, `GET /__admin/apps`), not a reason to stop.
            engine.register_app(app, &self.variables, self.app_workflows.unwrap_or(true));
        }
        for workflow in self.workflows {
            let name = workflow.def.name.clone();
            engine
                .install(workflow, None, &self.variables)
                .map_err(|source| HarnessError::Install {
                    workflow: name,
                    source,
                })?;
        }
        // The engine's runs are saved with the state, and restored from it.
        if let Some(saved) = server.restored_section("engine") {
            engine.restore(saved)?;
        }
        server.add_state_section("engine", engine.state_section());
        let start_seq = server.bus().next_seq();
        session.set(start_seq);
        Ok(Harness {
            server,
            engine,
            start_seq,
        })
    }
}

/// A running mock server with its workflow engine.
#[derive(Debug)]
pub struct Harness {
    server: MockServer,
    engine: Engine,
    /// The first event after start-up (fixture events are not the session's).
    start_seq: u64,
}

/// How a graceful stop went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Whether every run finished within the grace period.
    pub settled: bool,
    /// Runs marked `interrupted`.
    pub interrupted: usize,
    /// Runs recorded in all.
    pub runs: usize,
}

/// A `/v1` response, as [`Harness::trigger`] gives it.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
    /// The id the mock gave the request (journal entry and events carry it).
    pub request_id: Option<Id>,
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
        let filter = crate::workflow::RunFilter {
            workflow: Some(workflow),
            ..Default::default()
        };
        self.engine.runs_matching(&filter, usize::MAX)
    }

    /// Every `loop-detected` record.
    pub fn loops(&self) -> Vec<LoopRecord> {
        self.engine.loops()
    }

    /// Starts a callable workflow.
    pub fn call(&self, workflow: &str, inputs: Value) -> Result<String, EngineError> {
        self.engine.call(workflow, inputs, None)
    }

    /// A harness with a scenario's settings, fixtures, workflows and variables (its steps
    /// are not run: see [`Scenario::run_on`]).
    pub async fn from_scenario(scenario: &Scenario) -> Result<Harness, HarnessError> {
        let mut builder = Harness::builder()
            .seed(scenario.seed)
            .clock(scenario.clock())
            .engine(scenario.engine.clone());
        if let Some(limits) = &scenario.limits {
            builder = builder.limits(limits.clone());
        }
        for fault in &scenario.faults {
            let fault = fault.clone();
            builder = builder.server(move |s| s.fault(fault));
        }
        for app in &scenario.apps {
            builder = builder.app(app.clone());
        }
        for bundle in &scenario.fixtures {
            builder = builder.fixtures(bundle.clone());
        }
        for workflow in &scenario.workflows {
            builder = builder.workflow(workflow.clone());
        }
        for (name, value) in &scenario.variables {
            builder = builder.variable(name, value.clone());
        }
        builder.start().await
    }

    /// The token of a key the fixtures created.
    pub fn token_of(&self, key: &str) -> Option<String> {
        self.server
            .seeded()
            .iter()
            .flat_map(|r| r.keys.iter())
            .find(|k| k.name == key)
            .map(|k| k.token.clone())
    }

    /// Sends a `/v1` request over HTTP (it does not wait for the runs it causes: see
    /// [`Harness::settled`]).
    pub async fn trigger(&self, request: RequestDef) -> Result<Answer, HarnessError> {
        let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| {
                HarnessError::Request(format!("`{}` is not an HTTP method", request.method))
            })?;
        let client = reqwest::Client::new();
        let mut builder = client.request(method, format!("{}{}", self.url(), request.path));
        let authorization = match (&request.key, &request.token, &request.authorization) {
            (Some(key), _, _) => {
                let token = self.token_of(key).ok_or_else(|| {
                    let known: Vec<String> = self
                        .server
                        .seeded()
                        .iter()
                        .flat_map(|r| r.keys.iter().map(|k| k.name.clone()))
                        .collect();
                    HarnessError::Request(format!(
                        "no fixture key named `{key}` (keys: {})",
                        known.join(", ")
                    ))
                })?;
                Some(format!("Bearer {token}"))
            }
            (_, Some(token), _) => Some(format!("Bearer {token}")),
            (_, _, Some(raw)) => Some(raw.clone()),
            _ => None,
        };
        if let Some(value) = authorization {
            builder = builder.header("authorization", value);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), crate::workflow::functions::text_of(value));
        }
        if let Some(body) = &request.body {
            builder = builder
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| HarnessError::Request(e.to_string()))?;
        let status = response.status().as_u16();
        let headers: BTreeMap<String, String> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let request_id = headers.get(REQUEST_ID_HEADER).and_then(|v| Id::parse(v));
        let bytes = response
            .bytes()
            .await
            .map_err(|e| HarnessError::Request(e.to_string()))?;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Answer {
            status,
            headers,
            body,
            request_id,
        })
    }

    /// The id of an installed workflow, by id or name.
    pub fn workflow_id(&self, workflow: &str) -> Option<String> {
        self.engine
            .workflows()
            .iter()
            .find(|w| w.workflow.id == workflow || w.workflow.def.name == workflow)
            .map(|w| w.workflow.id.clone())
    }

    /// Everything the session did so far (fixture events excluded).
    pub fn facts(&self) -> Facts {
        let page = self.server.bus().query(&EventQuery {
            after_seq: Some(self.start_seq.saturating_sub(1)),
            ..EventQuery::default()
        });
        Facts {
            journal: self.server.journal().entries(),
            events: page.events.into_iter().map(|(_, e)| (*e).clone()).collect(),
            runs: self.engine.runs(),
            loops: self.engine.loops(),
        }
    }

    /// What the session did, in causal order, ready for `insta::assert_yaml_snapshot!`.
    /// Ids and times are deterministic (seed and virtual clock) and the mock's address is
    /// normalized, so no redactions are needed.
    pub fn journal(&self) -> SessionJournal {
        SessionJournal::from_facts(&self.facts(), &self.url())
    }

    /// Shuts down without waiting for runs (tests that are done with the harness).
    pub async fn shutdown(self) {
        let _ = self.stop(std::time::Duration::ZERO).await;
    }

    /// Stops gracefully: new `/v1` requests get 503 while runs in flight finish (at most
    /// `grace`), runs that could not finish are marked `interrupted`, then the server stops
    /// and saves its state (if it has a state file).
    pub async fn stop(
        self,
        grace: std::time::Duration,
    ) -> Result<Stopped, kustomer_mock::StateError> {
        self.server.drain();
        let settled = grace.is_zero() || self.engine.settled_within(grace).await.is_ok();
        let interrupted = self.engine.interrupt_unfinished();
        let runs = self.engine.run_count();
        self.server.shutdown().await?;
        Ok(Stopped {
            settled,
            interrupted,
            runs,
        })
    }
}
