//! Waiting until the system is quiet: no event waits to be dispatched and no run is
//! queued or in flight.

use std::sync::atomic::{Ordering, fence};
use std::time::Duration;

use super::{Engine, EngineInner};

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

impl Engine {
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
    pub(super) fn notify(&self) {
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
}
