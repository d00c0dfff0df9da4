//! Events nobody's record change made: app events (`kustomer.app.<app>.<event>`), inbound
//! hooks' `kustomer.hooks.<type>.<id>.receive`, and whatever a test or a workflow's
//! `kustomer.event.publish` step publishes. They go on the same bus as record events, so
//! the workflow engine, webhooks and the SSE stream see them alike; `data` is the
//! published JSON as given (no JSON:API resource), and there is no `changes`.

use std::sync::Arc;

use serde_json::Value;

use super::Store;
use crate::error::ApiError;
use crate::events::cause::Cause;
use crate::events::{Event, EventMeta, MockMeta};
use crate::support::ids::Id;

/// The longest event name taken.
const MAX_NAME_LEN: usize = 200;

/// Checks an event name: dotted words of letters, digits, `_`, `-` and `@` (ids and app
/// names), like Kustomer's. `Err` is the 400 naming the mistake at `/name`.
pub fn check_event_name(name: &str) -> Result<(), ApiError> {
    let bad = |why: &str| {
        Err(
            ApiError::bad_request("invalid_event_name", format!("event name `{name}` {why}"))
                .at_pointer("/name"),
        )
    };
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return bad(&format!("must be 1 to {MAX_NAME_LEN} characters"));
    }
    if name.split('.').any(str::is_empty) {
        return bad("has an empty part between dots");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return bad("may hold only letters, digits, `.`, `_`, `-` and `@`");
    }
    Ok(())
}

impl Store {
    /// Publishes the event `name` with `data` in `org`; `cause` is the chain it belongs
    /// to (a workflow's run), or none for a new root. The event's id comes from the
    /// seeded sequence, or from the cause when there is one, so runs stay deterministic.
    pub fn publish_event(
        &self,
        org: Id,
        name: &str,
        data: Value,
        cause: Option<Cause>,
    ) -> Result<Event, ApiError> {
        check_event_name(name)?;
        let org_state = self.org_state(org)?;
        let now = self.now();
        let id = match &cause {
            Some(c) => self.ids().derive(
                now,
                &[
                    c.root.as_bytes(),
                    c.run.as_deref().unwrap_or("").as_bytes(),
                    c.step.as_deref().unwrap_or("").as_bytes(),
                    name.as_bytes(),
                ],
            ),
            None => self.ids().next(now),
        };
        let event = Event {
            id,
            name: name.to_string(),
            org,
            org_name: org_state.org().name.clone(),
            partition: org,
            data: data.into(),
            created_at: now,
            changes: None,
            records: None,
            persist: true,
            client: "published".into(),
            data_id: id,
            meta: EventMeta {
                custom_changed: false,
            },
            sns_filters: Vec::new(),
            mock: MockMeta {
                request_id: None,
                cause: Arc::new(cause.unwrap_or_else(|| Cause::root(id))),
            },
        };
        self.bus().publish(event.clone());
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_event_name("kustomer.app.ecomm.update-event").is_ok());
        assert!(check_event_name("kustomer.hooks.email.5f1e.receive").is_ok());
        for bad in ["", "a..b", "kustomer.app.x y", ".lead", "trail.", "x/y"] {
            assert!(check_event_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_event_name(&"a".repeat(201)).is_err());
    }
}
