//! The listeners an [`EventBus`](crate::EventBus) tells of each event as it is published.
//!
//! A listener stays registered as long as its [`ListenerHandle`] lives, so an engine
//! attached to a long-lived server and then dropped (one per test, say) leaves nothing
//! behind that every later publish would still call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::events::Event;

/// Told of every event as it is published; see [`EventBus::listen`](crate::EventBus::listen).
pub type Listener = Box<dyn Fn(u64, &Arc<Event>) + Send + Sync>;

/// A registered listener and the first sequence number it is told of.
struct Entry {
    from: u64,
    /// Set when its handle is dropped; the entry is then skipped until removed.
    stopped: Arc<AtomicBool>,
    listener: Listener,
}

/// The registry. Publishing reads it; registering and removing write it.
#[derive(Default)]
pub(crate) struct Listeners {
    entries: RwLock<Vec<Entry>>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listeners({})", self.read().len())
    }
}

impl Listeners {
    fn read(&self) -> RwLockReadGuard<'_, Vec<Entry>> {
        self.entries.read()
    }

    fn write(&self) -> RwLockWriteGuard<'_, Vec<Entry>> {
        self.entries.write()
    }

    /// Registers `listener` for the events numbered `from` on.
    pub(crate) fn add(self: &Arc<Self>, from: u64, listener: Listener) -> ListenerHandle {
        let stopped = Arc::new(AtomicBool::new(false));
        let mut entries = self.write();
        entries.retain(|e| !e.stopped.load(Ordering::Acquire));
        entries.push(Entry {
            from,
            stopped: Arc::clone(&stopped),
            listener,
        });
        ListenerHandle {
            registry: Arc::downgrade(self),
            stopped,
            from,
        }
    }

    /// Calls every live listener registered for `seq`, on this thread.
    pub(crate) fn tell(&self, seq: u64, event: &Arc<Event>) {
        let mut saw_stopped = false;
        for entry in self.read().iter().filter(|e| e.from <= seq) {
            if entry.stopped.load(Ordering::Acquire) {
                saw_stopped = true;
            } else {
                (entry.listener)(seq, event);
            }
        }
        if saw_stopped {
            self.remove_stopped();
        }
    }

    /// Drops the entries whose handles are gone, unless the registry is in use right now
    /// (a handle may be dropped by a listener while it is being told): a later call, or
    /// the next registration, removes them then.
    fn remove_stopped(&self) {
        let Some(mut entries) = self.entries.try_write() else {
            return;
        };
        entries.retain(|e| !e.stopped.load(Ordering::Acquire));
    }

    /// Entries held, stopped ones not yet removed included.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.read().len()
    }

    /// Listeners registered and not stopped.
    pub(crate) fn live(&self) -> usize {
        self.read()
            .iter()
            .filter(|e| !e.stopped.load(Ordering::Acquire))
            .count()
    }
}

/// Keeps a listener registered; dropping it unregisters the listener. A publish already
/// under way on another thread may still tell it of that one event.
#[must_use = "dropping the handle unregisters the listener at once"]
pub struct ListenerHandle {
    registry: Weak<Listeners>,
    stopped: Arc<AtomicBool>,
    from: u64,
}

impl ListenerHandle {
    /// The sequence number of the first event the listener is told of.
    pub fn from_seq(&self) -> u64 {
        self.from
    }
}

impl std::fmt::Debug for ListenerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ListenerHandle(from {})", self.from)
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Release);
        if let Some(registry) = self.registry.upgrade() {
            registry.remove_stopped();
        }
    }
}
