//! From an event to runs: the enabled workflows listening to its name are matched, and a
//! job for each is queued behind the record's others; one worker per record works them.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use kustomer_mock::{Cause, Event, Id};
use kustomer_mock::{EventMeta, MockMeta};
use serde_json::{Value, json};

use super::registry::Installed;
use super::{Attached, Engine, EngineError, EngineInner};

/// One run to do.
#[derive(Debug, Clone)]
pub struct Job {
    pub run_id: String,
    pub installed: Arc<Installed>,
    pub event: Arc<Event>,
    /// A callable workflow's inputs (its `steps.1`).
    pub inputs: Option<Value>,
}

impl Engine {
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
}

/// A published event's data (an app event, a hook's `receive`, `kustomer.event.publish`):
/// the run reads it as `steps.1` as given, since it is no record to flatten. `None` for
/// record events, whose data is a JSON:API resource.
fn published_data(event: &Event) -> Option<Value> {
    if event.records.is_some() {
        return None;
    }
    let data = event.data.value();
    (!data.get("attributes").is_some_and(Value::is_object)).then(|| data.clone())
}

impl EngineInner {
    /// Queues a run for every enabled workflow of the event's org listening to its name.
    pub(super) fn dispatch(self: &Arc<Self>, event: &Arc<Event>) {
        let Some(attached) = self.attached.get() else {
            return;
        };
        let workflows = Arc::clone(&self.workflows.read());
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
                inputs: published_data(event),
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
            sns_filters: Vec::new(),
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
            let mut queues = self.queues.lock();
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
                let mut queues = self.queues.lock();
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
}
