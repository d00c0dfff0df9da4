//! Outbound webhooks: Kustomer's way to get events out, for users testing their receivers.
//!
//! Each matching event is POSTed as JSON with `X-Kustomer-Webhook-Event` (the event name)
//! and `X-Kustomer-Webhook-Signature` (lowercase hex HMAC-SHA256 of the raw body with the
//! hook's secret). A failed delivery (non-2xx, connection error, timeout) is retried with
//! exponential backoff in real time; every attempt is recorded. Secrets are never shown.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use indexmap::IndexMap;
use serde::Serialize;
use sha2::Sha256;
use tokio::sync::Notify;

use crate::events::{BusItem, Event, EventBus};
use crate::support::clock::{Clock, Timestamp};
use crate::support::ids::Id;

/// Deliveries kept per hook (oldest dropped first).
const KEPT_DELIVERIES: usize = 1000;

/// How failed deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
        }
    }
}

/// A registered webhook (the secret is kept but never serialized).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    pub id: Id,
    pub org: Id,
    pub url: String,
    /// Event names; `*` at the end matches a prefix (`kustomer.conversation.*`), `*` alone all.
    pub events: Vec<String>,
    pub created_at: Timestamp,
    #[serde(skip)]
    secret: String,
}

impl Hook {
    fn wants(&self, event: &Event) -> bool {
        event.org == self.org
            && self
                .events
                .iter()
                .any(|pattern| match pattern.strip_suffix('*') {
                    Some(prefix) => event.name.starts_with(prefix),
                    None => *pattern == event.name,
                })
    }
}

/// One attempt to deliver.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One event's delivery to one hook.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub event_id: Id,
    pub event: String,
    /// `pending`, `delivered` or `failed` (attempts exhausted).
    pub state: &'static str,
    pub attempts: Vec<Attempt>,
}

#[derive(Debug, Default)]
struct HookEntry {
    hook: Option<Hook>,
    deliveries: VecDeque<Delivery>,
}

/// The registry of hooks and their deliveries.
#[derive(Debug)]
pub struct Webhooks {
    hooks: Mutex<IndexMap<Id, HookEntry>>,
    client: reqwest::Client,
    retry: RetryPolicy,
    /// The bus the worker reads (set when it is spawned).
    bus: OnceLock<Arc<EventBus>>,
    /// Wakes the worker parked while there was no hook.
    added: Notify,
    /// The first event a hook added while there was none may get.
    resume_at: AtomicU64,
}

impl Webhooks {
    pub fn new(retry: RetryPolicy) -> Webhooks {
        Webhooks {
            hooks: Mutex::new(IndexMap::new()),
            client: reqwest::Client::builder()
                .timeout(retry.timeout)
                .build()
                .unwrap_or_default(),
            retry,
            bus: OnceLock::new(),
            added: Notify::new(),
            resume_at: AtomicU64::new(0),
        }
    }

    /// Whether no hook is registered.
    fn idle(&self) -> bool {
        self.lock().values().all(|e| e.hook.is_none())
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, IndexMap<Id, HookEntry>> {
        self.hooks.lock()
    }

    /// Registers a hook.
    pub fn add(
        &self,
        id: Id,
        org: Id,
        url: String,
        events: Vec<String>,
        secret: String,
        now: Timestamp,
    ) -> Hook {
        let hook = Hook {
            id,
            org,
            url,
            events,
            created_at: now,
            secret,
        };
        let mut hooks = self.lock();
        if hooks.values().all(|e| e.hook.is_none())
            && let Some(bus) = self.bus.get()
        {
            // The worker is (or is about to be) parked: it resumes with the events
            // published from now on.
            self.resume_at.store(bus.next_seq(), Ordering::SeqCst);
        }
        hooks.insert(
            id,
            HookEntry {
                hook: Some(hook.clone()),
                deliveries: VecDeque::new(),
            },
        );
        drop(hooks);
        self.added.notify_one();
        hook
    }

    /// Every hook.
    pub fn list(&self) -> Vec<Hook> {
        self.lock()
            .values()
            .filter_map(|e| e.hook.clone())
            .collect()
    }

    /// Removes a hook; `false` if there was none.
    pub fn remove(&self, id: Id) -> bool {
        self.lock().shift_remove(&id).is_some()
    }

    /// A hook's deliveries, oldest first; `None` for an unknown hook.
    pub fn deliveries(&self, id: Id) -> Option<Vec<Delivery>> {
        self.lock()
            .get(&id)
            .map(|e| e.deliveries.iter().cloned().collect())
    }

    fn record(&self, hook: Id, event: &Event, attempt: Option<Attempt>, state: &'static str) {
        let mut hooks = self.lock();
        let Some(entry) = hooks.get_mut(&hook) else {
            return;
        };
        let position = entry.deliveries.iter().position(|d| d.event_id == event.id);
        let delivery = match position {
            Some(i) => &mut entry.deliveries[i],
            None => {
                if entry.deliveries.len() == KEPT_DELIVERIES {
                    entry.deliveries.pop_front();
                }
                entry.deliveries.push_back(Delivery {
                    event_id: event.id,
                    event: event.name.clone(),
                    state: "pending",
                    attempts: Vec::new(),
                });
                entry.deliveries.back_mut().expect("just pushed")
            }
        };
        if let Some(attempt) = attempt {
            delivery.attempts.push(attempt);
        }
        delivery.state = state;
    }

    /// Delivers every matching event until the bus closes. While no hook is registered
    /// the worker sleeps instead of waking for every event (most servers have none),
    /// and an event published then goes to no hook, as it would have anyway.
    pub fn spawn_worker(
        self: &Arc<Self>,
        bus: &Arc<EventBus>,
        clock: Clock,
    ) -> tokio::task::JoinHandle<()> {
        let _ = self.bus.set(Arc::clone(bus));
        let mut subscription = bus.subscribe(None);
        let hooks = Arc::clone(self);
        let bus = Arc::clone(bus);
        tokio::spawn(async move {
            loop {
                if hooks.idle() {
                    tokio::select! {
                        _ = hooks.added.notified() => {}
                        _ = bus.wait_closed() => return,
                    }
                    let resume = hooks
                        .resume_at
                        .load(Ordering::SeqCst)
                        .max(subscription.cursor());
                    subscription = bus.subscribe_from(resume, None);
                    continue;
                }
                let Some(item) = subscription.recv().await else {
                    return;
                };
                let BusItem::Event(event) = item else {
                    continue;
                };
                let targets: Vec<Hook> = hooks
                    .lock()
                    .values()
                    .filter_map(|e| e.hook.clone())
                    .filter(|h| h.wants(&event))
                    .collect();
                for hook in targets {
                    hooks.record(hook.id, &event, None, "pending");
                    tokio::spawn(deliver(
                        Arc::clone(&hooks),
                        hook,
                        Arc::clone(&event),
                        clock.clone(),
                    ));
                }
            }
        })
    }
}

/// The lowercase hex HMAC-SHA256 of `body` with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn deliver(hooks: Arc<Webhooks>, hook: Hook, event: Arc<Event>, clock: Clock) {
    let body = match serde_json::to_vec(&*event) {
        Ok(body) => body,
        Err(e) => {
            let attempt = Attempt {
                at: clock.now(),
                status: None,
                error: Some(format!("the event could not be serialized: {e}")),
            };
            hooks.record(hook.id, &event, Some(attempt), "failed");
            return;
        }
    };
    let sig = signature(&hook.secret, &body);
    let mut delay = hooks.retry.first_delay;
    for n in 1..=hooks.retry.max_attempts {
        let result = hooks
            .client
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("x-kustomer-webhook-event", &event.name)
            .header("x-kustomer-webhook-signature", &sig)
            .body(body.clone())
            .send()
            .await;
        let (attempt, ok) = match result {
            Ok(response) => {
                let status = response.status();
                (
                    Attempt {
                        at: clock.now(),
                        status: Some(status.as_u16()),
                        error: None,
                    },
                    status.is_success(),
                )
            }
            Err(e) => (
                Attempt {
                    at: clock.now(),
                    status: None,
                    error: Some(e.to_string()),
                },
                false,
            ),
        };
        let state = if ok {
            "delivered"
        } else if n == hooks.retry.max_attempts {
            "failed"
        } else {
            "pending"
        };
        hooks.record(hook.id, &event, Some(attempt), state);
        if ok {
            return;
        }
        if n < hooks.retry.max_attempts {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(hooks.retry.max_delay);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
