//! Events and the event bus.
//!
//! Every committed change becomes one Kustomer-shaped [`Event`]. The bus is an
//! append-only, bounded log: publishing appends (under the record's write lock, so the
//! log holds each record's events in commit order) and wakes subscribers; each
//! subscriber reads the log at its own pace through a cursor. Nothing is dropped for a
//! slow subscriber until the log's capacity is exceeded, and then the subscriber is told
//! exactly how many events it missed ([`BusItem::Lagged`]): a counted, reported
//! overflow, never a silent one. The same log answers `GET /__admin/events`.

pub mod cause;
pub mod lazy_json;
pub mod listeners;
pub mod record_view;
pub mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::Mutex;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::events::cause::Cause;
use crate::events::lazy_json::LazyJson;
use crate::events::listeners::Listeners;
pub use crate::events::listeners::{Listener, ListenerHandle};
use crate::events::record_view::EventRecords;
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use crate::support::ring::Ring;

/// A Kustomer event, e.g. `kustomer.conversation.update`, with the members of Kustomer's
/// envelope in the order its published event samples show them (`data`, then
/// `createdAt`, `changes`, `persist`, `client`, `dataId`, `meta`, `snsFilters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: Id,
    pub name: String,
    pub org: Id,
    pub org_name: String,
    pub partition: Id,
    /// The record after the change, as a JSON:API resource (rendered on first read).
    pub data: LazyJson,
    pub created_at: Timestamp,
    /// `{"attributes": {field: {op, before, after}}, "relationships": {...}}`; absent on
    /// create and delete events (computed on first read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<LazyJson>,
    /// The typed record copies `data` and `changes` render from, for readers of a single
    /// field (absent for events read back from a saved state or built from JSON).
    #[serde(skip)]
    pub records: Option<EventRecords>,
    pub persist: bool,
    pub client: String,
    pub data_id: Id,
    pub meta: EventMeta,
    /// Kustomer's routing labels for its own consumers (`assistant`, `csat`); the mock has
    /// none of those consumers, so the list is always empty.
    #[serde(default)]
    pub sns_filters: Vec<String>,
    /// The mock's own causal metadata; never collides with Kustomer's fields.
    #[serde(rename = "_mock")]
    pub mock: MockMeta,
}

/// Kustomer's `meta` of an event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EventMeta {
    pub custom_changed: bool,
}

/// What caused the event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MockMeta {
    /// The `/v1` request that made the change (absent for admin/fixture changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Id>,
    /// Shared with the request's other events and its writes: a workflow's request
    /// carries its run's chain, and each copy of it was several allocations.
    pub cause: Arc<Cause>,
}

impl Event {
    /// The record kind from the event name (`conversation` in `kustomer.conversation.update`).
    pub fn kind(&self) -> &str {
        self.name.split('.').nth(1).unwrap_or("")
    }

    /// The same event, with `data` and `changes` rendered again on first read instead of
    /// sharing this one's renderings (see [`LazyJson::unrendered`]).
    pub fn unrendered(&self) -> Event {
        let data = self.data.unrendered();
        let changes = self.changes.as_ref().map(|c| c.unrendered_from(&data));
        Event {
            data,
            changes,
            ..self.clone()
        }
    }

    fn holds_rendering(&self) -> bool {
        self.data.holds_rendering() || self.changes.as_ref().is_some_and(LazyJson::holds_rendering)
    }
}

/// Events this close to the head of the log share one rendering of their `data` and
/// `changes` among their readers (subscribers read an event soon after it is published).
/// Older events are held unrendered, and a reader of one renders a copy of its own that
/// goes when the reader is done with it: the log keeps the record copies its events
/// render from, not thousands of renderings (≈ 12 KB each for a conversation update).
pub const SHARED_RECENT_EVENTS: u64 = 1024;

/// What a reader of the log gets for the entry `seq`: the entry itself while it is
/// recent, else an unrendered copy (rendering the log's own entry would keep the
/// rendering in the log).
fn for_reader(log: &Ring<Arc<Event>>, seq: u64, event: &Arc<Event>) -> Arc<Event> {
    if seq + SHARED_RECENT_EVENTS < log.next_seq() {
        Arc::new(event.unrendered())
    } else {
        Arc::clone(event)
    }
}

/// One item a subscriber receives.
#[derive(Debug, Clone)]
pub enum BusItem {
    Event(Arc<Event>),
    /// The subscriber fell this many events behind the log's capacity; they are gone.
    Lagged(u64),
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub org: Option<Id>,
    pub name: Option<String>,
    pub data_id: Option<Id>,
    /// Only events created at or after this instant.
    pub since: Option<Timestamp>,
    /// Only events with a sequence number above this one.
    pub after_seq: Option<u64>,
    pub limit: Option<usize>,
}

impl EventQuery {
    fn matches(&self, seq: u64, event: &Event) -> bool {
        self.org.is_none_or(|o| o == event.org)
            && self.name.as_deref().is_none_or(|n| n == event.name)
            && self.data_id.is_none_or(|d| d == event.data_id)
            && self.since.is_none_or(|s| event.created_at >= s)
            && self.after_seq.is_none_or(|a| seq > a)
    }
}

/// A page of the event log.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<(u64, Arc<Event>)>,
    /// Events that fell off the log since it started.
    pub dropped: u64,
    /// The sequence number of the newest event published.
    pub last_seq: u64,
}

/// The bus: a bounded log plus a wake-up signal.
#[derive(Debug)]
pub struct EventBus {
    log: Mutex<Ring<Arc<Event>>>,
    listeners: Arc<Listeners>,
    /// Carries the next sequence number; bumped on every publish.
    head: watch::Sender<u64>,
    closed: AtomicBool,
    /// Wakes those waiting for the bus to close (and only for that).
    closing: tokio::sync::Notify,
    /// Events subscribers missed because they lagged past the capacity.
    lagged_total: AtomicU64,
}

impl EventBus {
    /// A bus keeping at most `capacity` events.
    pub fn new(capacity: usize) -> Arc<EventBus> {
        let (head, _) = watch::channel(1);
        Arc::new(EventBus {
            log: Mutex::new(Ring::new(capacity)),
            listeners: Arc::new(Listeners::default()),
            head,
            closed: AtomicBool::new(false),
            closing: tokio::sync::Notify::new(),
            lagged_total: AtomicU64::new(0),
        })
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, Ring<Arc<Event>>> {
        self.log.lock()
    }

    /// Appends an event; subscribers see it in publish order, listeners are told of it
    /// before this returns. Returns its sequence number.
    pub fn publish(&self, event: Event) -> u64 {
        let event = Arc::new(event);
        let (seq, evicted, aged) = {
            let mut log = self.lock();
            let (seq, evicted) = log.push_evicting(Arc::clone(&event));
            // The event that stops being recent trades its renderings for an unrendered
            // copy; one still held by a reader may yet be rendered, so it is swapped too.
            let aged = seq
                .checked_sub(SHARED_RECENT_EVENTS)
                .and_then(|old| log.get_mut(old))
                .filter(|e| e.holds_rendering() || Arc::strong_count(e) > 1)
                .map(|e| std::mem::replace(e, Arc::new(e.unrendered())));
            (seq, evicted, aged)
        };
        self.head.send_replace(seq + 1);
        self.listeners.tell(seq, &event);
        // What fell off the log, or aged out of it, is freed after the lock is released.
        drop(evicted);
        drop(aged);
        seq
    }

    /// Calls `listener` with every event published from now on (its sequence number and
    /// the event), exactly once each, on the publishing thread before `publish` returns:
    /// a record's events reach it in commit order, and no task is woken per event as for
    /// a subscriber. It runs while the writer holds the record's lock, so it must be quick
    /// and must not touch the store or publish (it should hand work to a task). It is
    /// told until the returned handle is dropped; [`ListenerHandle::from_seq`] is the
    /// sequence number of the first event it is told of.
    pub fn listen(&self, listener: Listener) -> ListenerHandle {
        // Under the log's lock: an event is either in the log already or told.
        let log = self.lock();
        self.listeners.add(log.next_seq(), listener)
    }

    /// Listeners registered and not yet dropped.
    pub fn listener_count(&self) -> usize {
        self.listeners.live()
    }

    /// The sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.lock().next_seq()
    }

    /// Subscribes from now on (events already published are not replayed).
    pub fn subscribe(self: &Arc<Self>, org: Option<Id>) -> Subscription {
        let cursor = self.next_seq();
        self.subscribe_from(cursor, org)
    }

    /// Subscribes from sequence number `cursor` (older events still held are replayed).
    pub fn subscribe_from(self: &Arc<Self>, cursor: u64, org: Option<Id>) -> Subscription {
        Subscription {
            bus: Arc::clone(self),
            at: Position {
                cursor,
                org,
                lagged: 0,
            },
            wake: self.head.subscribe(),
        }
    }

    /// Reads the log.
    pub fn query(&self, query: &EventQuery) -> EventPage {
        let log = self.lock();
        let limit = query.limit.unwrap_or(usize::MAX);
        let events = log
            .iter()
            .filter(|(seq, e)| query.matches(*seq, e))
            .take(limit)
            .map(|(seq, e)| (seq, for_reader(&log, seq, e)))
            .collect();
        EventPage {
            events,
            dropped: log.dropped(),
            last_seq: log.next_seq() - 1,
        }
    }

    /// Forgets every event (admin reset); numbering continues.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Events subscribers missed by lagging, in total.
    pub fn lagged_total(&self) -> u64 {
        self.lagged_total.load(Ordering::Relaxed)
    }

    /// Events that fell off the log.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped()
    }

    /// Ends every subscription once it has read what is left.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.head.send_modify(|_| {});
        self.closing.notify_waiters();
    }

    /// Returns once the bus is closed (without waking for every event, as `recv` does).
    pub async fn wait_closed(&self) {
        loop {
            let notified = self.closing.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.closed.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// A subscriber's cursor into the bus.
#[derive(Debug)]
pub struct Subscription {
    bus: Arc<EventBus>,
    at: Position,
    wake: watch::Receiver<u64>,
}

/// Where a subscription reads, kept apart from its bus so it moves while the bus's log
/// is locked.
#[derive(Debug)]
struct Position {
    cursor: u64,
    org: Option<Id>,
    lagged: u64,
}

impl Position {
    /// The next item in `log` (of `bus`), moving past it.
    fn next_in(&mut self, bus: &EventBus, log: &Ring<Arc<Event>>) -> Option<BusItem> {
        loop {
            if self.cursor < log.first_seq() {
                let missed = log.first_seq() - self.cursor;
                self.cursor = log.first_seq();
                self.lagged += missed;
                bus.lagged_total.fetch_add(missed, Ordering::Relaxed);
                return Some(BusItem::Lagged(missed));
            }
            let seq = self.cursor;
            let event = log.get(seq)?;
            self.cursor += 1;
            if self.org.is_none_or(|o| o == event.org) {
                return Some(BusItem::Event(for_reader(log, seq, event)));
            }
        }
    }
}

impl Subscription {
    /// The next item without waiting, if one is ready.
    pub fn try_recv(&mut self) -> Option<BusItem> {
        let log = self.bus.lock();
        self.at.next_in(&self.bus, &log)
    }

    /// Every item ready now (at most `max`), appended to `out`, under one lock of the log
    /// (a reader of many events takes the lock writers publish under once, not per
    /// event). Returns how many were appended.
    pub fn try_recv_many(&mut self, out: &mut Vec<BusItem>, max: usize) -> usize {
        let log = self.bus.lock();
        let before = out.len();
        while out.len() - before < max {
            match self.at.next_in(&self.bus, &log) {
                Some(item) => out.push(item),
                None => break,
            }
        }
        out.len() - before
    }

    /// The next item; `None` once the bus is closed and everything was read.
    pub async fn recv(&mut self) -> Option<BusItem> {
        loop {
            self.wake.borrow_and_update();
            if let Some(item) = self.try_recv() {
                return Some(item);
            }
            if self.bus.closed.load(Ordering::SeqCst) {
                return None;
            }
            if self.wake.changed().await.is_err() {
                return self.try_recv();
            }
        }
    }

    /// The sequence number of the next event this subscription will read.
    pub fn cursor(&self) -> u64 {
        self.at.cursor
    }

    /// How many events this subscription missed by lagging.
    pub fn lagged(&self) -> u64 {
        self.at.lagged
    }

    /// The subscription as a `Stream` of items.
    pub fn into_stream(self) -> impl futures::Stream<Item = BusItem> + Send {
        futures::stream::unfold(self, |mut sub| async move {
            sub.recv().await.map(|item| (item, sub))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn event(n: u8, data: LazyJson) -> Event {
        let id = Id::from_bytes([n; 12]);
        Event {
            id,
            name: "kustomer.conversation.update".into(),
            org: Id::from_bytes([0; 12]),
            org_name: "acme".into(),
            partition: Id::from_bytes([0; 12]),
            data_id: id,
            changes: Some(LazyJson::derived(&data, |d| json!({"after": d.clone()}))),
            data,
            records: None,
            created_at: Timestamp::default(),
            client: "test".into(),
            persist: true,
            meta: EventMeta {
                custom_changed: false,
            },
            sns_filters: Vec::new(),
            mock: MockMeta {
                request_id: None,
                cause: Arc::new(Cause::root(id)),
            },
        }
    }

    #[test]
    fn many_items_are_read_at_once_in_order_with_a_lag_first() {
        let bus = EventBus::new(4);
        let mut subscription = bus.subscribe(None);
        for n in 0..6 {
            bus.publish(event(n, json!({"n": n}).into()));
        }
        let mut items = Vec::new();
        assert_eq!(subscription.try_recv_many(&mut items, 3), 3);
        assert!(matches!(items[0], BusItem::Lagged(2)), "{:?}", items[0]);
        let ids = |items: &[BusItem]| -> Vec<u8> {
            items
                .iter()
                .filter_map(|i| match i {
                    BusItem::Event(e) => Some(e.id.as_bytes()[0]),
                    BusItem::Lagged(_) => None,
                })
                .collect()
        };
        assert_eq!(ids(&items), [2, 3]);
        items.clear();
        assert_eq!(subscription.try_recv_many(&mut items, 10), 2);
        assert_eq!(ids(&items), [4, 5]);
        assert_eq!(subscription.try_recv_many(&mut items, 10), 0);
    }

    fn holds_rendering(bus: &EventBus, seq: u64) -> bool {
        bus.lock().get(seq).expect("still held").holds_rendering()
    }

    #[test]
    fn the_log_keeps_renderings_only_of_recent_events() {
        let renders = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&renders);
        let bus = EventBus::new(10_000);
        let mut subscription = bus.subscribe(None);
        let first = bus.publish(event(
            1,
            LazyJson::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                json!({"id": 1})
            }),
        ));
        let Some(BusItem::Event(read)) = subscription.try_recv() else {
            panic!("the subscriber reads the event");
        };
        assert_eq!(read.changes.as_ref().unwrap()["after"]["id"], 1);
        assert!(
            holds_rendering(&bus, first),
            "a recent event shares its rendering"
        );
        assert_eq!(renders.load(Ordering::SeqCst), 1);

        for n in 0..SHARED_RECENT_EVENTS {
            bus.publish(event(2, json!({"n": n}).into()));
        }
        assert!(
            !holds_rendering(&bus, first),
            "an event that is no longer recent is held unrendered"
        );
        assert_eq!(read.data["id"], 1, "a reader keeps what it read");

        let page = bus.query(&EventQuery {
            limit: Some(1),
            ..EventQuery::default()
        });
        let (seq, old) = &page.events[0];
        assert_eq!(*seq, first);
        assert_eq!(**old, *read, "an old event reads as it did when recent");
        assert_eq!(
            renders.load(Ordering::SeqCst),
            2,
            "rendered again for its reader"
        );
        assert!(
            !holds_rendering(&bus, first),
            "the reader's rendering is its own"
        );
        let mut late = bus.subscribe_from(first, None);
        let Some(BusItem::Event(again)) = late.try_recv() else {
            panic!("a late subscriber reads the old event");
        };
        assert_eq!(again.data["id"], 1);
        assert!(!holds_rendering(&bus, first));
    }

    /// Sequence numbers a listener was told of, shared with the test.
    fn recording_listener() -> (Arc<Mutex<Vec<u64>>>, Listener) {
        let told = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&told);
        let listener: Listener = Box::new(move |seq, _| sink.lock().push(seq));
        (told, listener)
    }

    #[test]
    fn a_listener_is_told_from_its_first_event_until_its_handle_is_dropped() {
        let bus = EventBus::new(16);
        bus.publish(event(0, json!({}).into()));
        let (told, listener) = recording_listener();
        let handle = bus.listen(listener);
        assert_eq!(handle.from_seq(), bus.next_seq());
        let first = bus.publish(event(1, json!({}).into()));
        let second = bus.publish(event(2, json!({}).into()));
        assert_eq!(bus.listener_count(), 1);
        drop(handle);
        assert_eq!(bus.listener_count(), 0);
        bus.publish(event(3, json!({}).into()));
        assert_eq!(*told.lock(), [first, second]);
    }

    #[test]
    fn a_handle_dropped_while_its_listener_is_told_is_removed_without_a_deadlock() {
        let bus = EventBus::new(16);
        let slot: Arc<Mutex<Option<ListenerHandle>>> = Arc::new(Mutex::new(None));
        let in_listener = Arc::clone(&slot);
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let handle = bus.listen(Box::new(move |_, _| {
            counter.fetch_add(1, Ordering::SeqCst);
            // The last handle goes while the registry is being read on this thread.
            drop(in_listener.lock().take());
        }));
        *slot.lock() = Some(handle);
        let (told, other) = recording_listener();
        let other_handle = bus.listen(other);
        let first = bus.publish(event(1, json!({}).into()));
        let second = bus.publish(event(2, json!({}).into()));
        assert_eq!(calls.load(Ordering::SeqCst), 1, "told once, then stopped");
        assert_eq!(bus.listener_count(), 1, "only the other listener is left");
        assert_eq!(bus.listeners.held(), 1, "the stopped entry was removed");
        assert_eq!(*told.lock(), [first, second]);
        drop(other_handle);
    }
}
