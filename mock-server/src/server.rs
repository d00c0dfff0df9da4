//! `MockServer`: build, start on a given or ephemeral port, reach from Rust, shut down.
//!
//! Many servers can run in one process (one per test): each has its own store, clock,
//! journal and bus.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;

use crate::events::EventBus;
use crate::events::webhooks::{RetryPolicy, Webhooks};
use crate::http::app::{AppState, ServerConfig, Shared};
use crate::journal::Journal;
use crate::model::LimitsPatch;
use crate::store::Store;
use crate::store::fixtures::{FixtureBundle, FixtureError, SeedReport};
use crate::support::clock::Clock;

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Fixture(#[from] FixtureError),
    #[error("invalid limits: {0}")]
    Limits(String),
    #[error(transparent)]
    State(#[from] crate::store::persist::StateError),
    #[error("invalid {0}")]
    Fault(String),
}

/// Configures a [`MockServer`].
#[derive(Debug)]
pub struct MockServerBuilder {
    host: IpAddr,
    port: u16,
    seed: u64,
    clock: Option<Clock>,
    limits: Option<LimitsPatch>,
    fixtures: Vec<FixtureBundle>,
    config: ServerConfig,
    journal: bool,
    journal_capacity: usize,
    journal_bytes: usize,
    event_capacity: usize,
    webhook_retry: RetryPolicy,
    extra_admin: Option<Router<AppState>>,
    pages: Option<Router<AppState>>,
    extra_v1: Option<Router<AppState>>,
    faults: Vec<crate::http::faults::FaultSpec>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        MockServerBuilder {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: 0,
            clock: None,
            limits: None,
            fixtures: Vec::new(),
            config: ServerConfig::default(),
            journal: true,
            journal_capacity: 10_000,
            journal_bytes: crate::journal::DEFAULT_JOURNAL_BYTES,
            event_capacity: 10_000,
            webhook_retry: RetryPolicy::default(),
            extra_admin: None,
            pages: None,
            extra_v1: None,
            faults: Vec::new(),
        }
    }
}

impl MockServerBuilder {
    /// The address to listen on (default 127.0.0.1).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port (default 0: an ephemeral port, see [`MockServer::url`]).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The seed of the id sequence (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The clock (default: a virtual clock at 2026-11-24T00:00:00.000Z).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Limits for every org (applied over the fixtures' own limits: server settings win).
    pub fn limits(mut self, limits: LimitsPatch) -> Self {
        self.limits = Some(limits);
        self
    }

    /// A fixture bundle to load at start (and again on reset).
    pub fn fixtures(mut self, bundle: FixtureBundle) -> Self {
        self.fixtures.push(bundle);
        self
    }

    /// The admin token (default none: loopback callers only).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.config.admin_token = Some(token.into());
        self
    }

    /// The largest accepted body (default 1 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.config.body_limit = bytes;
        self
    }

    /// Whether the request journal records (default on).
    pub fn journal(mut self, enabled: bool) -> Self {
        self.journal = enabled;
        self
    }

    /// How many journal entries and events are kept (default 10 000 each).
    pub fn capacity(mut self, journal: usize, events: usize) -> Self {
        self.journal_capacity = journal;
        self.event_capacity = events;
        self
    }

    /// How many bytes the journal holds at most (default 32 MiB); the oldest entries go
    /// first, and an exchange larger than the whole budget is kept without its bodies.
    pub fn journal_bytes(mut self, bytes: usize) -> Self {
        self.journal_bytes = bytes;
        self
    }

    /// How outbound webhooks retry.
    pub fn webhook_retry(mut self, retry: RetryPolicy) -> Self {
        self.webhook_retry = retry;
        self
    }

    /// A fault rule in force from the start (see [`FaultSpec`](crate::FaultSpec)).
    pub fn fault(mut self, spec: crate::http::faults::FaultSpec) -> Self {
        self.faults.push(spec);
        self
    }

    /// Keeps the state in `path`: loaded at start when the file exists (instead of the
    /// fixtures), saved on shutdown and on `POST /__admin/snapshot`.
    pub fn state_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.state_file = Some(path.into());
        self
    }

    /// Extra routes under `/__admin` (behind the admin guard); the harness adds its
    /// workflow and run routes here.
    pub fn admin_routes(mut self, routes: Router<AppState>) -> Self {
        self.extra_admin = Some(routes);
        self
    }

    /// Routes outside `/v1` and `/__admin` (the harness's dashboard at `/`); they answer
    /// before the Kustomer 404 and guard themselves.
    pub fn page_routes(mut self, routes: Router<AppState>) -> Self {
        self.pages = Some(routes);
        self
    }

    /// Extra routes under `/v1`, behind the same pipeline as Kustomer's own (body limit,
    /// causal header, faults, authentication, org budget, rate-limit headers, journal);
    /// handlers take [`crate::V1`] for the caller. The engine adds Kustomer's workflows
    /// API here.
    pub fn v1_routes(mut self, routes: Router<AppState>) -> Self {
        self.extra_v1 = Some(routes);
        self
    }

    /// The OpenAPI document `GET /__admin/openapi.json` serves (default: the mock's own):
    /// with [`Self::v1_routes`], the one [`crate::openapi_document_with`] built with their
    /// operations, so the served document lists every route the server answers.
    pub fn openapi_document(mut self, document: &'static serde_json::Value) -> Self {
        self.config.openapi = Some(document);
        self
    }

    /// Loads the fixtures, binds, and starts serving.
    pub async fn start(self) -> Result<MockServer, StartError> {
        let fault_error = |i: usize, (pointer, message): (String, String)| {
            StartError::Fault(format!("fault {i} {pointer}: {message}"))
        };
        for (i, spec) in self.faults.iter().enumerate() {
            spec.check().map_err(|e| fault_error(i, e))?;
        }
        let clock = self.clock.unwrap_or_else(Clock::virtual_default);
        let bus = EventBus::new(self.event_capacity);
        let store = Store::new(clock.clone(), self.seed, Arc::clone(&bus));
        if let Some(patch) = self.limits {
            store
                .set_limits_override(patch)
                .map_err(|(pointer, message)| {
                    StartError::Limits(format!("{pointer}: {message}"))
                })?;
        }
        // Saved state, when there is some, replaces the fixtures.
        let saved = match &self.config.state_file {
            Some(path) => crate::store::persist::load(path)?,
            None => None,
        };
        let restored_sections = saved.as_ref().map(|s| s.extra.clone()).unwrap_or_default();
        let shared = Arc::new(Shared {
            draining: std::sync::atomic::AtomicBool::new(false),
            state_sections: parking_lot::Mutex::new(Vec::new()),
            restored_sections,
            store,
            journal: Journal::new(self.journal_capacity, self.journal_bytes, self.journal),
            config: self.config,
            fixtures: self.fixtures,
            webhooks: Arc::new(Webhooks::new(self.webhook_retry)),
            faults: crate::http::faults::Faults::default(),
        });
        let seeded = match saved {
            Some(snapshot) => {
                if shared.store.clock().is_virtual() {
                    shared.store.clock().set(snapshot.clock);
                }
                shared.store.restore(snapshot);
                Vec::new()
            }
            None => apply_fixtures(&shared)?,
        };

        let addr = SocketAddr::new(self.host, self.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;

        for (i, spec) in self.faults.into_iter().enumerate() {
            let id = shared
                .store
                .ids()
                .derive(shared.store.now(), &[b"fault", &(i as u64).to_be_bytes()]);
            shared.faults.add(id, spec).map_err(|e| fault_error(i, e))?;
        }
        // Nothing is spawned before this point: every check that can refuse the start
        // has passed, so no task outlives a refused start.
        if !clock.is_virtual() {
            spawn_draft_ticker(Arc::downgrade(&shared));
        }
        let webhook_worker = shared.webhooks.spawn_worker(&bus, clock);
        let router = crate::http::app::router(
            Arc::clone(&shared),
            self.extra_admin,
            self.pages,
            self.extra_v1,
        );
        let app = NormalizePathLayer::trim_trailing_slash().layer(router);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::http::listener::serve(listener, app, async {
            let _ = stopped.await;
        }));
        Ok(MockServer {
            shared,
            addr,
            seeded,
            stop: Some(stop),
            task: Some(task),
            webhook_worker: Some(webhook_worker),
        })
    }
}

/// On a real clock scheduled drafts come due by themselves: a ticker sends them (a
/// virtual clock only moves when told to, and the move sends them). It ends with the
/// server.
fn spawn_draft_ticker(shared: std::sync::Weak<Shared>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_millis(250));
        loop {
            interval.tick().await;
            match shared.upgrade() {
                Some(shared) => {
                    shared.store.send_due_drafts();
                }
                None => return,
            }
        }
    });
}

fn apply_fixtures(shared: &Shared) -> Result<Vec<SeedReport>, FixtureError> {
    shared
        .fixtures
        .iter()
        .map(|b| b.apply(&shared.store))
        .collect()
}

/// Back to the state at start: the store emptied, the id sequence restarted, journal,
/// event log and limit windows cleared, then (if asked) the start-up fixtures re-applied.
pub fn reset_state(shared: &Shared, fixtures: bool) -> Result<(), FixtureError> {
    shared.store.clear();
    shared.store.ids().set_position(0);
    shared.journal.clear();
    shared.store.bus().clear();
    if fixtures {
        apply_fixtures(shared)?;
    }
    Ok(())
}

/// Saves the shared state to its state file, if it has one.
pub fn save_state(
    shared: &Shared,
) -> Result<Option<(std::path::PathBuf, usize)>, crate::store::persist::StateError> {
    match &shared.config.state_file {
        Some(path) => Ok(Some((
            path.clone(),
            crate::store::persist::save_snapshot(&shared.state_snapshot(), path)?,
        ))),
        None => Ok(None),
    }
}

/// A running mock server.
#[derive(Debug)]
pub struct MockServer {
    shared: AppState,
    addr: SocketAddr,
    seeded: Vec<SeedReport>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    webhook_worker: Option<JoinHandle<()>>,
}

impl MockServer {
    /// A builder with the defaults.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// A server with the defaults: ephemeral port, seed 0, virtual clock, no fixtures.
    pub async fn start() -> Result<MockServer, StartError> {
        Self::builder().start().await
    }

    /// `http://127.0.0.1:<port>` — the base URL clients use (append `/v1/...`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (store, journal, bus): admin access from Rust.
    pub fn state(&self) -> &AppState {
        &self.shared
    }

    /// The store: read and write records directly (as the single writer).
    pub fn store(&self) -> &crate::store::Store {
        &self.shared.store
    }

    /// The request journal.
    pub fn journal(&self) -> &Journal {
        &self.shared.journal
    }

    /// The event bus.
    pub fn bus(&self) -> &Arc<EventBus> {
        self.shared.store.bus()
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        self.shared.store.clock()
    }

    /// What the start-up fixtures created (keys with their tokens included).
    pub fn seeded(&self) -> &[SeedReport] {
        &self.seeded
    }

    /// Resets to the start-up state (see `POST /__admin/reset`).
    pub fn reset(&self, fixtures: bool) -> Result<(), FixtureError> {
        reset_state(&self.shared, fixtures)
    }

    /// Saves the state to the state file, if the server has one; returns where and how
    /// many bytes.
    pub fn save_state(
        &self,
    ) -> Result<Option<(std::path::PathBuf, usize)>, crate::store::persist::StateError> {
        save_state(&self.shared)
    }

    /// Adds a section to the saved state (`produce` is called at each save).
    pub fn add_state_section(&self, name: &str, produce: crate::http::app::StateSection) {
        self.shared
            .state_sections
            .lock()
            .push((name.to_string(), produce));
    }

    /// A section of the state loaded at start.
    pub fn restored_section(&self, name: &str) -> Option<&serde_json::Value> {
        self.shared.restored_sections.get(name)
    }

    /// Starts draining: `/v1` requests that no workflow run caused get 503 from now on,
    /// while runs finish their own calls.
    pub fn drain(&self) {
        self.shared
            .draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Stops accepting connections, lets in-flight requests finish, ends event
    /// subscriptions once they have read what was published, and saves the state (if the
    /// server has a state file).
    pub async fn shutdown(mut self) -> Result<(), crate::store::persist::StateError> {
        self.stop_now();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some(worker) = self.webhook_worker.take() {
            let _ = worker.await;
        }
        self.save_state().map(|_| ())
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.shared.store.bus().close();
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::faults::{FaultAction, FaultSpec};

    fn invalid_fault() -> FaultSpec {
        FaultSpec {
            method: None,
            path: "/v1/**".into(),
            probability: None,
            every: Some(0),
            times: None,
            from_workflows: None,
            seed: 0,
            action: FaultAction::Drop,
        }
    }

    /// A refused start leaves no task behind: the webhook worker of a server that never
    /// started would wait for a bus nobody closes.
    #[tokio::test]
    async fn a_refused_fault_spec_leaves_no_task_running() {
        let metrics = tokio::runtime::Handle::current().metrics();
        assert_eq!(metrics.num_alive_tasks(), 0);
        let error = MockServer::builder()
            .fault(invalid_fault())
            .start()
            .await
            .expect_err("`every: 0` is refused");
        assert_eq!(
            error.to_string(),
            "invalid fault 0 /every: `every` is 1 or more"
        );
        assert_eq!(
            metrics.num_alive_tasks(),
            0,
            "a task outlived the refused start"
        );
    }
}
