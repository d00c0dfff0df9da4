//! The engine: listens to the mock's bus and starts a run for every enabled workflow
//! whose `trigger.eventName` matches an event.
//!
//! Runs triggered by one event are queued in a stable order (workflow name, then id).
//! Each record has its own queue, worked by one task at a time, so a record's runs
//! happen in the order of its events while runs on different records go concurrently;
//! ids derive from events and runs, so the output does not depend on that interleaving.
//! [`Engine::settled`] waits until no event is waiting to be dispatched and no run is
//! queued or in flight.
//!
//! The engine's concerns each have a file: `registry` (installed workflows and apps),
//! `dispatch` (event → matching workflows → queued runs), `scheduling` (callable
//! workflows started later), `runs` (the run book), `persistence` (the engine's
//! section of the saved state) and `settling` (waiting until the system is quiet).

mod dispatch;
mod persistence;
mod registry;
mod runs;
mod scheduling;
mod settling;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::{Mutex, RwLock};
use std::time::Duration;

// Keys are the mock's own ids, not attacker-chosen: foldhash, cheaper than SipHash.
use foldhash::HashMap;
use kustomer_mock::AppState;
use kustomer_mock::ListenerHandle;
use kustomer_mock::{Id, MockServer};
use serde_json::Value;
use tokio::sync::watch;

use super::apps::{App, AppCatalog};
use super::definition::VariableDef;
use super::loop_guard::{DEFAULT_HARD_CAP, LoopGuardConfig, LoopRecord};
use super::run_book::RunBook;
use super::template::Templates;

pub use dispatch::Job;
pub use persistence::RestoreError;
pub use registry::{AppRegistration, Installed, InstalledInfo};
pub use scheduling::Scheduled;
pub use settling::SettleError;

/// Runs kept by default: like the journal and the event log, the last 10,000 (about 3 KB
/// each for `close-on-tag`, a REST step's response included).
pub const DEFAULT_MAX_RUNS_KEPT: usize = 10_000;

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub loop_guard: LoopGuardConfig,
    /// Runs allowed per causal root, guard or not.
    pub hard_cap: usize,
    /// How long a REST step may take.
    pub rest_timeout: Duration,
    /// Send `https://api.kustomerapp.com` requests to the mock.
    pub rewrite_kustomer_hosts: bool,
    /// Runs kept in memory (the oldest finished ones are dropped first).
    pub max_runs_kept: usize,
    /// How long [`Engine::settled`] waits before it reports what is still busy.
    pub settle_timeout: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            loop_guard: LoopGuardConfig::default(),
            hard_cap: DEFAULT_HARD_CAP,
            rest_timeout: Duration::from_secs(10),
            rewrite_kustomer_hosts: true,
            max_runs_kept: DEFAULT_MAX_RUNS_KEPT,
            settle_timeout: Duration::from_secs(60),
        }
    }
}

/// The engine's view of the server it runs on.
pub(crate) struct Attached {
    pub state: AppState,
    pub base_url: String,
    /// The origin of `base_url`, computed once (REST steps compare against it).
    pub mock_origin: super::actions::MockOrigin,
    pub templates: Templates,
    /// REST steps' connections to the mock.
    pub mock: super::actions::MockClient,
    /// Where runs' tasks are spawned (events may be published from any thread).
    pub runtime: tokio::runtime::Handle,
}

pub(crate) struct EngineInner {
    pub config: RwLock<EngineConfig>,
    pub attached: OnceLock<Attached>,
    /// In run order. Copied on write: every event reads the list, and copying it for
    /// each one cost more than matching it.
    workflows: RwLock<Arc<Vec<Arc<Installed>>>>,
    pub book: Mutex<RunBook>,
    queues: Mutex<HashMap<Id, VecDeque<Job>>>,
    /// Runs queued or in flight.
    pending: AtomicUsize,
    /// Events dispatched so far: every one from `dispatched_from` on, each once.
    dispatched: AtomicU64,
    /// The sequence number of the first event the engine is told of.
    dispatched_from: AtomicU64,
    /// Keeps the engine listening to its server's events; dropped with the engine, so a
    /// server that outlives it stops calling into it.
    listening: OnceLock<ListenerHandle>,
    progress: watch::Sender<u64>,
    pub http: reqwest::Client,
    pub loops: Mutex<Vec<LoopRecord>>,
    /// Loaded Kustomer apps, and their actions by name.
    apps: RwLock<Vec<App>>,
    catalog: RwLock<AppCatalog>,
    /// Callable workflows to start when the clock reaches their time.
    schedules: Mutex<Vec<Scheduled>>,
    /// Apps' workflows that were not installed, and why.
    app_problems: Mutex<Vec<String>>,
    /// Set once the unfinished runs were marked interrupted (the server is stopping): a
    /// run recorded after that in a non-final state is recorded interrupted, so the saved
    /// state never holds a run that will never end.
    stopping: AtomicBool,
}

/// A handle on the engine; cheap to clone.
#[derive(Clone)]
pub struct Engine(pub(crate) Arc<EngineInner>);

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("pending", &self.0.pending.load(Ordering::SeqCst))
            .finish()
    }
}

/// Why a workflow could not be installed or called.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EngineError {
    #[error("the engine is not attached to a server yet")]
    NotAttached,
    #[error("{0}")]
    Org(String),
    #[error("no workflow `{0}` is installed")]
    UnknownWorkflow(String),
    #[error("workflow `{0}` is not callable (its trigger has no `callable: true`)")]
    NotCallable(String),
    #[error("{0}")]
    Load(#[from] super::load::LoadError),
}

impl Engine {
    /// An engine not yet attached to a server.
    pub fn new(config: EngineConfig) -> Engine {
        let (progress, _) = watch::channel(0);
        Engine(Arc::new(EngineInner {
            config: RwLock::new(config),
            attached: OnceLock::new(),
            workflows: RwLock::new(Arc::default()),
            book: Mutex::new(RunBook::default()),
            queues: Mutex::new(HashMap::default()),
            pending: AtomicUsize::new(0),
            dispatched: AtomicU64::new(0),
            dispatched_from: AtomicU64::new(0),
            listening: OnceLock::new(),
            progress,
            http: reqwest::Client::builder()
                .user_agent(super::actions::rest::USER_AGENT_VALUE)
                .build()
                .unwrap_or_default(),
            loops: Mutex::new(Vec::new()),
            apps: RwLock::new(Vec::new()),
            catalog: RwLock::new(AppCatalog::default()),
            schedules: Mutex::new(Vec::new()),
            app_problems: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
        }))
    }

    /// Starts listening to `server`'s events (those published from now on).
    pub fn attach(&self, server: &MockServer) {
        let state = server.state().clone();
        let attached = Attached {
            templates: Templates::new(state.store.clock().clone()),
            base_url: server.url(),
            mock: super::actions::MockClient::new(server.addr()),
            mock_origin: super::actions::MockOrigin::of(&server.url()),
            runtime: tokio::runtime::Handle::current(),
            state,
        };
        if self.0.attached.set(attached).is_err() {
            return; // already attached
        }
        // Workflows installed before attaching get the server's base URL too.
        let base_url = server.url();
        let mut workflows = self.0.workflows.write();
        for installed in Arc::make_mut(&mut workflows).iter_mut() {
            let mut variables = installed.variables.clone();
            variables.set(
                "baseUrl",
                VariableDef::Plain(Value::String(base_url.clone())),
            );
            *installed = Arc::new(Installed::new(
                installed.workflow.clone(),
                installed.org,
                variables,
            ));
        }
        drop(workflows);
        // Events are dispatched as they are published (no task woken per event): each
        // queues its runs, whose tasks start on the publishing worker.
        let inner = Arc::downgrade(&self.0);
        let bus = server.state().store.bus();
        let listening = bus.listen(Box::new(move |_, event| {
            if let Some(inner) = inner.upgrade() {
                inner.dispatch(event);
                inner.dispatched.fetch_add(1, Ordering::SeqCst);
                inner.notify();
            }
        }));
        self.0
            .dispatched_from
            .store(listening.from_seq(), Ordering::SeqCst);
        // Attached once (above), so the handle is set once; it unregisters on drop.
        let _ = self.0.listening.set(listening);
        // Scheduled workflows start when the clock reaches their time: on a real clock as
        // it runs, on a virtual one when it is moved (`POST /__admin/clock`, a scenario's
        // `advanceClock`); a scenario's settling also fires what is due, and each schedule
        // is taken once, whichever gets to it first. Its run's ids derive from the
        // schedule, so which one does changes nothing.
        let ticker = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(Duration::from_millis(250));
            loop {
                interval.tick().await;
                match ticker.upgrade() {
                    Some(inner) => inner.fire_due(),
                    None => return,
                }
            }
        });
    }

    pub(crate) fn attached(&self) -> Result<&Attached, EngineError> {
        self.0.attached.get().ok_or(EngineError::NotAttached)
    }

    /// The settings.
    pub fn config(&self) -> EngineConfig {
        self.0.config.read().clone()
    }

    /// Changes the settings (e.g. the loop guard) for runs that start from now on.
    pub fn set_config(&self, config: EngineConfig) {
        *self.0.config.write() = config;
    }
}
