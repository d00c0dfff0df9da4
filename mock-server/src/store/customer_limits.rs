//! Kustomer's per-customer write limits (messages, notes, drafts: 120 per window each):
//! one check, keyed by what is being written.

use super::{Actor, Store};
use crate::error::ApiError;
use crate::http::limits::{LimitKey, rate_limited};
use crate::model::Org;
use crate::support::ids::Id;

/// What a per-customer limit counts.
#[derive(Debug, Clone, Copy)]
pub(super) enum CustomerWrite {
    Message,
    Note,
    Draft,
}

impl Store {
    /// Counts one `what` written for `customer` by `actor` (unlimited actors are not
    /// counted); a 429 when the window is spent.
    pub(super) fn check_customer_limit(
        &self,
        org: &Org,
        actor: &Actor,
        customer: Id,
        what: CustomerWrite,
    ) -> Result<(), ApiError> {
        if !actor.limited {
            return Ok(());
        }
        let limits = &org.limits;
        let (key, per_window, noun) = match what {
            CustomerWrite::Message => (
                LimitKey::CustomerMessage {
                    org: org.id,
                    customer,
                },
                limits.customer_messages_per_window,
                "messages",
            ),
            CustomerWrite::Note => (
                LimitKey::CustomerNote {
                    org: org.id,
                    customer,
                },
                limits.customer_notes_per_window,
                "notes",
            ),
            CustomerWrite::Draft => (
                LimitKey::CustomerDraft {
                    org: org.id,
                    customer,
                },
                limits.customer_drafts_per_window,
                "drafts",
            ),
        };
        self.limiter
            .hit(key, per_window, limits.window_seconds, self.clock.now())
            .map(|_| ())
            .map_err(|spent| {
                rate_limited(
                    key,
                    &spent,
                    limits.window_seconds,
                    &format!("too many {noun} created for customer {customer}"),
                )
            })
    }
}
