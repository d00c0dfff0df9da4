//! The engine: listens to the mock's bus and starts a run for every enabled workflow
//! whose `trigger.eventName` matches an event.
//!
//! Runs triggered by one event are queued in a stable order (workflow name, then id).
//! Each record has its own queue, worked by one task at a time, so a record's runs
//! happen in the order of its events while runs on different records go concurrently;
//! ids derive from events and runs, so the output does not depend on that interleaving.
//! [`Engine::settled`] waits until no event is waiting to be dispatched and no run is
//! queued or in flight.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

// Keys are the mock's own ids, not attacker-chosen: foldhash, cheaper than SipHash.
use foldhash::{HashMap, HashSet};
use kustomer_mock::app::AppState;
use kustomer_mock::events::{EventMeta, ListenerHandle, MockMeta};
use kustomer_mock::{Cause, Event, Id, MockServer};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::apps::{App, AppCatalog, AppInfo};
use super::definition::VariableDef;
use super::load::LoadedWorkflow;
use super::loop_guard::{DEFAULT_HARD_CAP, LoopGuardConfig, LoopRecord};
use super::run_book::{KeptRun, RunBook, RunFilter};
use super::run_log::Run;
use super::template::Templates;
use super::variables::{Secrets, Variables};

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

/// A workflow installed for an org.
pub struct Installed {
    pub workflow: LoadedWorkflow,
    pub org: Id,
    pub variables: Variables,
    pub secrets: Secrets,
    /// `variables` as runs read them, built once.
    pub variables_json: Arc<Value>,
}

/// What `GET /__admin/workflows` shows of an installed workflow.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledInfo {
    pub id: String,
    pub name: String,
    pub event_name: String,
    pub enabled: bool,
    pub callable: bool,
    pub org: Id,
    pub origin: String,
    /// Variables, secure values masked.
    pub variables: Value,
    pub warnings: Vec<String>,
}

/// Without `variables_json`, which holds secure values as they are (the rest shows
/// them masked).
impl std::fmt::Debug for Installed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installed")
            .field("workflow", &self.workflow)
            .field("org", &self.org)
            .field("variables", &self.variables)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl Installed {
    /// A workflow installed with these variables (its secrets and the variables as runs
    /// read them worked out once, not per run).
    pub fn new(workflow: LoadedWorkflow, org: Id, variables: Variables) -> Installed {
        Installed {
            workflow,
            org,
            secrets: variables.secrets(),
            variables_json: Arc::new(variables.to_json()),
            variables,
        }
    }

    pub fn info(&self) -> InstalledInfo {
        InstalledInfo {
            id: self.workflow.id.clone(),
            name: self.workflow.def.name.clone(),
            event_name: self.workflow.event_name.clone(),
            enabled: self.workflow.def.enabled,
            callable: self.workflow.callable(),
            org: self.org,
            origin: self.workflow.origin.clone(),
            variables: self.variables.shown(),
            warnings: self.workflow.warnings.clone(),
        }
    }
}

/// One run to do.
#[derive(Debug, Clone)]
pub struct Job {
    pub run_id: String,
    pub installed: Arc<Installed>,
    pub event: Arc<Event>,
    /// A callable workflow's inputs (its `steps.1`).
    pub inputs: Option<Value>,
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
    /// Set once the unfinished runs were marked interrupted (the server is stopping): a
    /// run recorded after that in a non-final state is recorded interrupted, so the saved
    /// state never holds a run that will never end.
    stopping: AtomicBool,
}

/// A callable workflow scheduled for later (`kustomer.app.scheduler.schedule-workflow`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scheduled {
    pub id: Id,
    pub due: kustomer_mock::Timestamp,
    pub workflow: String,
    pub inputs: Value,
    #[serde(skip)]
    cause: Cause,
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

/// Why [`Engine::settled`] gave up.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "not settled after {waited:?}: {pending} run(s) queued or running, {undispatched} event(s) not dispatched"
)]
pub struct SettleError {
    pub waited: Duration,
    pub pending: usize,
    pub undispatched: u64,
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
        let mut workflows = self.0.workflows.write().unwrap_or_else(|e| e.into_inner());
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
        // On a real clock scheduled workflows come due by themselves; a virtual clock only
        // moves when told to, and schedules fire when the system next settles.
        if !server.clock().is_virtual() {
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
    }

    pub(crate) fn attached(&self) -> Result<&Attached, EngineError> {
        self.0.attached.get().ok_or(EngineError::NotAttached)
    }

    /// The settings.
    pub fn config(&self) -> EngineConfig {
        self.0
            .config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Changes the settings (e.g. the loop guard) for runs that start from now on.
    pub fn set_config(&self, config: EngineConfig) {
        *self.0.config.write().unwrap_or_else(|e| e.into_inner()) = config;
    }

    /// Installs a workflow for `org` (the server's default org when `None`); `overrides`
    /// replace its variables. A workflow with the same id is replaced.
    pub fn install(
        &self,
        workflow: LoadedWorkflow,
        org: Option<&str>,
        overrides: &BTreeMap<String, VariableDef>,
    ) -> Result<InstalledInfo, EngineError> {
        let attached = self.attached()?;
        let org = attached
            .state
            .store
            .resolve_org(org)
            .map_err(|e| EngineError::Org(e.detail.clone()))?;
        let mut variables = Variables::from_defs(&workflow.def.variables);
        variables.set(
            "baseUrl",
            VariableDef::Plain(Value::String(attached.base_url.clone())),
        );
        for (name, def) in overrides {
            variables.set(name, def.clone());
        }
        let installed = Arc::new(Installed::new(workflow, org, variables));
        let info = installed.info();
        let mut workflows = self.0.workflows.write().unwrap_or_else(|e| e.into_inner());
        let workflows = Arc::make_mut(&mut workflows);
        workflows.retain(|w| w.workflow.id != installed.workflow.id);
        workflows.push(installed);
        workflows.sort_by(|a, b| {
            (&a.workflow.def.name, &a.workflow.id).cmp(&(&b.workflow.def.name, &b.workflow.id))
        });
        Ok(info)
    }

    /// Removes a workflow; `false` if none had that id.
    pub fn uninstall(&self, id: &str) -> bool {
        let mut workflows = self.0.workflows.write().unwrap_or_else(|e| e.into_inner());
        let before = workflows.len();
        Arc::make_mut(&mut workflows).retain(|w| w.workflow.id != id);
        workflows.len() != before
    }

    /// The installed workflows, in run order.
    pub fn workflows(&self) -> Vec<Arc<Installed>> {
        self.0
            .workflows
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .to_vec()
    }

    /// The installed workflow with this id.
    pub fn workflow(&self, id: &str) -> Option<Arc<Installed>> {
        self.workflows().into_iter().find(|w| w.workflow.id == id)
    }

    /// Starts a callable workflow with `inputs`; returns the run's id.
    pub fn call(
        &self,
        id: &str,
        inputs: Value,
        cause: Option<Cause>,
    ) -> Result<String, EngineError> {
        let installed = self
            .workflow(id)
            .ok_or_else(|| EngineError::UnknownWorkflow(id.to_string()))?;
        if !installed.workflow.callable() {
            return Err(EngineError::NotCallable(id.to_string()));
        }
        let attached = self.attached()?;
        Ok(self.0.enqueue_call(attached, installed, inputs, cause))
    }

    /// Loads a Kustomer app: its actions become available to workflows loaded from now
    /// on, and its workflows are installed (with `overrides` for their variables).
    pub fn register_app(
        &self,
        app: App,
        overrides: &BTreeMap<String, VariableDef>,
    ) -> Result<Vec<InstalledInfo>, EngineError> {
        self.0
            .catalog
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .add(&app);
        let catalog = self.catalog();
        let mut installed = Vec::new();
        for (i, workflow) in app.workflows.iter().enumerate() {
            let origin = format!("{} $.workflows[{i}]", app.origin);
            let loaded = super::load::load_value_with(workflow.clone(), &origin, &catalog)?;
            installed.push(self.install(loaded, None, overrides)?);
        }
        self.0
            .apps
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(app);
        Ok(installed)
    }

    /// The app actions workflows may use.
    pub fn catalog(&self) -> AppCatalog {
        self.0
            .catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The loaded apps.
    pub fn apps(&self) -> Vec<AppInfo> {
        self.0
            .apps
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(App::info)
            .collect()
    }

    /// Callable workflows waiting for their time, soonest first.
    pub fn scheduled(&self) -> Vec<Scheduled> {
        let mut list = self
            .0
            .schedules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        list.sort_by_key(|s| (s.due, s.id));
        list
    }

    /// Starts every scheduled workflow whose time has come on the mock's clock, in time order.
    pub fn fire_due(&self) {
        self.0.fire_due();
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Vec<Run> {
        self.runs_matching(&RunFilter::default(), usize::MAX)
    }

    /// The first `limit` runs (oldest first) that `filter` accepts; only those are read.
    pub fn runs_matching(&self, filter: &RunFilter<'_>, limit: usize) -> Vec<Run> {
        self.0
            .book
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .matching(filter, limit)
    }

    /// How many runs are kept.
    pub fn run_count(&self) -> usize {
        self.0.book.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// One run.
    pub fn run(&self, id: &str) -> Option<Run> {
        self.0
            .book
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
    }

    /// Every `loop-detected` record.
    pub fn loops(&self) -> Vec<LoopRecord> {
        self.0
            .loops
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forgets runs, loop records and schedules (admin reset).
    pub fn clear_runs(&self) {
        self.0
            .schedules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.0
            .book
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.0
            .loops
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The engine's part of the saved state: its runs and loop records.
    pub fn state_value(&self) -> Value {
        json!({ "runs": self.runs(), "loops": self.loops() })
    }

    /// Restores runs and loop records from a saved state.
    pub fn restore(&self, value: &Value) -> Result<(), String> {
        let runs: Vec<Run> =
            serde_json::from_value(value.get("runs").cloned().unwrap_or_else(|| json!([])))
                .map_err(|e| format!("the saved runs cannot be read: {e}"))?;
        let loops: Vec<LoopRecord> =
            serde_json::from_value(value.get("loops").cloned().unwrap_or_else(|| json!([])))
                .map_err(|e| format!("the saved loop records cannot be read: {e}"))?;
        let max = self.config().max_runs_kept;
        let mut book = self.0.book.lock().unwrap_or_else(|e| e.into_inner());
        for run in runs {
            book.count_for_root(run.cause.root);
            book.insert(run);
        }
        // A state saved with a larger bound keeps only the newest runs.
        book.evict_past(max, || self.0.active_roots());
        drop(book);
        self.0
            .loops
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(loops);
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
            let queues = self.0.queues.lock().unwrap_or_else(|e| e.into_inner());
            queues.values().flat_map(|q| q.iter().cloned()).collect()
        };
        let mut book = self.0.book.lock().unwrap_or_else(|e| e.into_inner());
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

    /// Waits until the system is settled, at most the configured settle timeout.
    pub async fn settled(&self) -> Result<(), SettleError> {
        let timeout = self.config().settle_timeout;
        self.settled_within(timeout).await
    }

    /// Waits until no event waits to be dispatched and no run is queued or in flight.
    pub async fn settled_within(&self, timeout: Duration) -> Result<(), SettleError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            self.fire_due();
            let mut changes = self.0.progress.subscribe();
            // Pairs with the fence in `notify`: either this read sees the work that moved,
            // or that notify sees this receiver.
            fence(Ordering::SeqCst);
            let (pending, undispatched) = self.0.busy();
            if pending == 0 && undispatched == 0 {
                return Ok(());
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return Err(SettleError {
                    waited: timeout,
                    pending,
                    undispatched,
                });
            }
        }
    }
}

impl EngineInner {
    /// Wakes whoever waits for the system to settle. Nobody, mostly: a waiter subscribes
    /// before it reads the counters, and waking the watch channel's eight lists of
    /// waiters for each event and run was a per cent of a workflow burst.
    fn notify(&self) {
        fence(Ordering::SeqCst);
        if self.progress.receiver_count() > 0 {
            self.progress.send_modify(|v| *v += 1);
        }
    }

    /// (runs queued or in flight, events published but not dispatched).
    ///
    /// The reads go in the order the work moves, backwards: the dispatcher queues an
    /// event's runs (`pending` up) before it moves `dispatched` past the event, and a run
    /// publishes its writes' events before it leaves `pending`. Reading `dispatched`, then
    /// `pending`, then the bus means a (0, 0) answer cannot miss work: read `pending`
    /// first and an event dispatched between the two reads is counted nowhere, so a
    /// caller could see "settled" while that event's runs were starting.
    fn busy(&self) -> (usize, u64) {
        let dispatched =
            self.dispatched.load(Ordering::SeqCst) + self.dispatched_from.load(Ordering::SeqCst);
        let pending = self.pending.load(Ordering::SeqCst);
        let undispatched = match self.attached.get() {
            Some(attached) => attached
                .state
                .store
                .bus()
                .next_seq()
                .saturating_sub(dispatched),
            None => 0,
        };
        (pending, undispatched)
    }

    /// Queues a run for every enabled workflow of the event's org listening to its name.
    fn dispatch(self: &Arc<Self>, event: &Arc<Event>) {
        let Some(attached) = self.attached.get() else {
            return;
        };
        let workflows = Arc::clone(&self.workflows.read().unwrap_or_else(|e| e.into_inner()));
        for installed in workflows.iter() {
            let workflow = &installed.workflow;
            if !workflow.def.enabled
                || installed.org != event.org
                || workflow.event_name != event.name
            {
                continue;
            }
            let run_id = attached
                .state
                .store
                .ids()
                .derive(
                    event.created_at,
                    &[event.id.as_bytes(), b"run", workflow.id.as_bytes()],
                )
                .to_hex();
            self.enqueue(Job {
                run_id,
                installed: Arc::clone(installed),
                event: Arc::clone(event),
                inputs: None,
            });
        }
    }

    /// Starts a callable workflow: a `kustomer.workflow.<id>.call` event of its own.
    pub(crate) fn enqueue_call(
        self: &Arc<Self>,
        attached: &Attached,
        installed: Arc<Installed>,
        inputs: Value,
        cause: Option<Cause>,
    ) -> String {
        let store = &attached.state.store;
        let now = store.now();
        let call_id = match &cause {
            Some(c) => store.ids().derive(
                now,
                &[
                    c.root.as_bytes(),
                    c.run.as_deref().unwrap_or("").as_bytes(),
                    c.step.as_deref().unwrap_or("").as_bytes(),
                    installed.workflow.id.as_bytes(),
                ],
            ),
            None => store.ids().next(now),
        };
        let org = store.org_state(installed.org).map(|o| o.org());
        let org_name = org.as_ref().map(|o| o.name.clone()).unwrap_or_default();
        let cause = cause.unwrap_or_else(|| Cause::root(call_id));
        let event = Event {
            id: call_id,
            name: installed.workflow.event_name.clone(),
            org: installed.org,
            org_name,
            partition: installed.org,
            data_id: call_id,
            data: json!({"type": "workflow_call", "id": call_id, "attributes": {"inputs": inputs}, "relationships": {"workflow": {"data": {"type": "workflow", "id": installed.workflow.id}}}}).into(),
            changes: None,
            records: None,
            created_at: now,
            client: "workflow".into(),
            persist: true,
            meta: EventMeta {
                custom_changed: false,
            },
            mock: MockMeta {
                request_id: None,
                cause: Arc::new(cause),
            },
        };
        let run_id = store
            .ids()
            .derive(
                now,
                &[call_id.as_bytes(), b"run", installed.workflow.id.as_bytes()],
            )
            .to_hex();
        self.enqueue(Job {
            run_id: run_id.clone(),
            installed,
            event: Arc::new(event),
            inputs: Some(inputs),
        });
        run_id
    }

    /// Queues a job behind the record's others. The job that makes a queue non-empty
    /// starts its worker; the queue's front is always the job being worked on.
    fn enqueue(self: &Arc<Self>, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        let record = job.event.data_id;
        let first = {
            let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
            let queue = queues.entry(record).or_default();
            queue.push_back(job);
            (queue.len() == 1).then(|| queue[0].clone())
        };
        if let Some(first) = first {
            let inner = Arc::clone(self);
            let work = async move { inner.work(record, first).await };
            match self.attached.get() {
                Some(attached) => drop(attached.runtime.spawn(work)),
                None => drop(tokio::spawn(work)),
            }
        }
        self.notify();
    }

    /// Works one record's queue, starting with `job` (its front), until it is empty. The
    /// worker leaves only by removing the empty queue, under the same lock as its pop, so
    /// an enqueue either finds the queue (and this worker takes the job) or starts a new
    /// worker — never both.
    async fn work(self: Arc<Self>, record: Id, mut job: Job) {
        loop {
            Arc::clone(&self).execute(job).await;
            let next = {
                let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
                let next = match queues.get_mut(&record) {
                    Some(queue) => {
                        queue.pop_front();
                        queue.front().cloned()
                    }
                    None => None,
                };
                if next.is_none() {
                    queues.remove(&record);
                }
                next
            };
            self.pending.fetch_sub(1, Ordering::SeqCst);
            self.notify();
            match next {
                Some(following) => job = following,
                None => return,
            }
        }
    }

    /// Stores a run (new or updated), dropping the oldest finished runs past the limit.
    pub(crate) fn record_run(&self, run: Run) {
        let max = self
            .config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .max_runs_kept;
        let mut run = KeptRun::new(run);
        let released = {
            let mut book = self.book.lock().unwrap_or_else(|e| e.into_inner());
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
    fn active_roots(&self) -> HashSet<Id> {
        let mut roots: HashSet<Id> = self
            .queues
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .flatten()
            .map(|job| job.event.mock.cause.root)
            .collect();
        roots.extend(
            self.schedules
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|s| s.cause.root),
        );
        roots
    }

    /// Counts a run against its root; returns the count with it.
    pub(crate) fn count_for_root(&self, root: Id) -> usize {
        self.book
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .count_for_root(root)
    }

    /// The secrets to mask in a run: the workflow's secure variables and every app's secret settings.
    pub(crate) fn secrets_for(&self, installed: &Installed) -> Secrets {
        let mut secrets = installed.secrets.clone();
        for app in self.apps.read().unwrap_or_else(|e| e.into_inner()).iter() {
            secrets.extend(&app.secrets);
        }
        secrets
    }

    /// `kustomer.app.scheduler.schedule-workflow {runAt: {value, type}, workflowId, inputs}`:
    /// `relative` runs `value` minutes from now (the harness's choice of unit), `absolute`
    /// at an ISO timestamp or epoch milliseconds.
    pub(crate) fn schedule_from_step(
        &self,
        params: &Value,
        cause: Cause,
        now: kustomer_mock::Timestamp,
    ) -> Result<Value, Value> {
        let workflow = params
            .get("workflowId")
            .and_then(Value::as_str)
            .ok_or_else(|| json!({"message": "`workflowId` is required"}))?;
        let installed = self
            .installed(workflow)
            .ok_or_else(|| json!({"message": format!("no workflow `{workflow}` is installed")}))?;
        if !installed.workflow.callable() {
            return Err(json!({"message": format!("workflow `{workflow}` is not callable")}));
        }
        let run_at = params.get("runAt").cloned().unwrap_or(Value::Null);
        let due = match (run_at.get("type").and_then(Value::as_str), run_at.get("value")) {
            (Some("relative") | None, Some(value)) => {
                let minutes = super::template::number_of(value)
                    .ok_or_else(|| json!({"message": format!("`runAt.value` must be a number of minutes, not {value}")}))?;
                now.plus_millis((minutes * 60_000.0) as i64)
            }
            (Some("absolute"), Some(value)) => match value {
                Value::String(text) => kustomer_mock::Timestamp::parse(text)
                    .ok_or_else(|| json!({"message": format!("`runAt.value` `{text}` is not an ISO-8601 timestamp")}))?,
                Value::Number(n) => kustomer_mock::Timestamp::from_millis(n.as_i64().unwrap_or(0)),
                other => return Err(json!({"message": format!("`runAt.value` must be a timestamp, not {other}")})),
            },
            _ => return Err(json!({"message": "`runAt` must be {\"type\": \"relative\" | \"absolute\", \"value\": ...}"})),
        };
        let Some(attached) = self.attached.get() else {
            return Err(json!({"message": "the engine is not attached"}));
        };
        let id = attached.state.store.ids().derive(
            now,
            &[
                b"schedule",
                cause.run.as_deref().unwrap_or("").as_bytes(),
                cause.step.as_deref().unwrap_or("").as_bytes(),
            ],
        );
        let inputs = params.get("inputs").cloned().unwrap_or_else(|| json!({}));
        self.schedules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Scheduled {
                id,
                due,
                workflow: workflow.to_string(),
                inputs,
                cause,
            });
        Ok(json!({"scheduleId": id, "workflowId": workflow, "runAt": due}))
    }

    fn fire_due(self: &Arc<Self>) {
        let Some(attached) = self.attached.get() else {
            return;
        };
        let now = attached.state.store.now();
        let due: Vec<Scheduled> = {
            let mut schedules = self.schedules.lock().unwrap_or_else(|e| e.into_inner());
            let (due, later): (Vec<Scheduled>, Vec<Scheduled>) =
                schedules.drain(..).partition(|s| s.due <= now);
            *schedules = later;
            due
        };
        let mut due = due;
        due.sort_by_key(|s| (s.due, s.id));
        for scheduled in due {
            if let Some(installed) = self.installed(&scheduled.workflow) {
                self.enqueue_call(attached, installed, scheduled.inputs, Some(scheduled.cause));
            }
        }
    }

    /// The installed workflow with this id.
    pub(crate) fn installed(&self, id: &str) -> Option<Arc<Installed>> {
        self.workflows
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|w| w.workflow.id == id)
            .cloned()
    }
}

/// Ends a run that the server's stop cut short.
fn mark_interrupted(run: &mut Run, now: kustomer_mock::Timestamp) {
    run.state = super::run_log::RunState::Interrupted;
    run.ended_at = Some(now);
    run.summary = "interrupted: the server shut down before the run could finish".into();
    run.explanation = Some(format!(
        "Workflow `{}` on {} was interrupted: the server shut down before the run could finish.",
        run.workflow.name, run.record
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restored_state_keeps_only_the_newest_runs_within_the_bound() {
        let engine = Engine::new(EngineConfig {
            max_runs_kept: 2,
            ..EngineConfig::default()
        });
        let runs: Vec<Value> = (1..=3)
            .map(|n| {
                json!({
                    "id": format!("run-{n}"),
                    "workflow": {"id": "w", "name": "w"},
                    "event": {"id": "64a0c0ffee00000000000e01", "name": "e", "dataId": "64a0c0ffee00000000000b01"},
                    "record": "64a0c0ffee00000000000b01",
                    "state": "completed",
                    "startedAt": "2026-01-01T00:00:00.000Z",
                    "cause": {"root": "64a0c0ffee00000000000f01", "depth": 0, "chain": []},
                    "trigger": [],
                    "steps": [],
                    "iteration": 1,
                    "summary": "completed",
                })
            })
            .collect();
        engine
            .restore(&json!({"runs": runs, "loops": []}))
            .expect("the state restores");
        let kept: Vec<String> = engine.runs().into_iter().map(|r| r.id).collect();
        assert_eq!(kept, ["run-2", "run-3"]);
    }

    fn close_on_tag() -> Installed {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/workflows/close-on-tag.json"
        ))
        .expect("the fixture workflow");
        let workflow = super::super::load::load_json(&text, "close-on-tag.json").expect("loads");
        let variables = Variables::from_defs(&workflow.def.variables);
        Installed::new(
            workflow,
            Id::parse("64a0c0ffee00000000000001").unwrap(),
            variables,
        )
    }

    fn id(n: u64) -> Id {
        let mut bytes = [0u8; 12];
        bytes[4..].copy_from_slice(&n.to_be_bytes());
        Id::from_bytes(bytes)
    }

    /// A job on record `n` whose causal root is `n`.
    fn job(installed: &Arc<Installed>, n: u64) -> Job {
        let event = Event {
            id: id(n),
            name: "kustomer.conversation.update".into(),
            org: installed.org,
            org_name: "acme".into(),
            partition: installed.org,
            data_id: id(n),
            data: json!({}).into(),
            changes: None,
            records: None,
            created_at: Default::default(),
            client: "test".into(),
            persist: true,
            meta: EventMeta {
                custom_changed: false,
            },
            mock: MockMeta {
                request_id: None,
                cause: Arc::new(Cause::root(id(n))),
            },
        };
        Job {
            run_id: format!("run-{n}"),
            installed: Arc::clone(installed),
            event: Arc::new(event),
            inputs: None,
        }
    }

    fn record_finished(engine: &Engine, job: &Job) {
        let mut run = Run::queued(job, Default::default());
        run.state = super::super::run_log::RunState::Completed;
        engine.0.record_run(run);
    }

    #[test]
    fn a_chain_with_work_queued_keeps_its_hard_cap_count_when_its_runs_are_evicted() {
        let engine = Engine::new(EngineConfig {
            max_runs_kept: 1,
            ..EngineConfig::default()
        });
        let installed = Arc::new(close_on_tag());
        let chain = job(&installed, 1);
        // The chain's first run ran and caused its next, which is queued.
        assert_eq!(engine.0.count_for_root(id(1)), 1);
        record_finished(&engine, &chain);
        engine
            .0
            .queues
            .lock()
            .unwrap()
            .entry(chain.event.data_id)
            .or_default()
            .push_back(chain.clone());
        // Other traffic pushes the chain's run out of the book and its count past a prune.
        let other_traffic = |from: u64| {
            for n in from..from + 50 {
                let other = job(&installed, n);
                engine.0.count_for_root(id(n));
                record_finished(&engine, &other);
            }
        };
        other_traffic(100);
        assert!(engine.runs().iter().all(|r| r.cause.root != id(1)));
        assert_eq!(engine.0.count_for_root(id(1)), 2, "the count goes on");
        // Once nothing of the chain is left to come, its count is forgotten.
        engine.0.queues.lock().unwrap().clear();
        other_traffic(200);
        assert_eq!(engine.0.count_for_root(id(1)), 1, "a new count");
    }

    #[test]
    fn an_installed_workflow_prints_without_its_secure_values() {
        let installed = close_on_tag();
        let shown = format!("{installed:?}");
        assert!(shown.contains("close-on-tag"), "{shown}");
        assert!(shown.contains("[secure"), "{shown}");
        assert!(!shown.contains("kmk_acme_workflow"), "{shown}");
    }
}
