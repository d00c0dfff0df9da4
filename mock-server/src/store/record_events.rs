//! A record's events read back from the event log, in the shape of Kustomer's
//! `GET /v1/customers/{id}/events` and `/v1/conversations/{id}/events`: one
//! `customer_event` resource per event about the record or about a record it owns
//! (a customer's conversations and messages, a conversation's messages and notes).
//! The log is bounded, so only the events it still holds are listed.

use serde_json::{Value, json};

use super::{Listing, Page, Store};
use crate::error::ApiError;
use crate::events::{Event, EventQuery};
use crate::support::ids::Id;

/// Whose events a list means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsOf {
    Customer(Id),
    Conversation(Id),
}

impl EventsOf {
    fn kind(self) -> &'static str {
        match self {
            EventsOf::Customer(_) => "customer",
            EventsOf::Conversation(_) => "conversation",
        }
    }

    fn id(self) -> Id {
        match self {
            EventsOf::Customer(id) | EventsOf::Conversation(id) => id,
        }
    }
}

impl Store {
    /// The record's events, oldest first; `name` keeps only events of that name.
    pub fn record_events(
        &self,
        org: Id,
        of: EventsOf,
        name: Option<&str>,
        page: Page,
    ) -> Result<Listing, ApiError> {
        let matching = self.events_of(org, of, name)?;
        let total = matching.len();
        let data = page.slice(matching.iter().map(|e| resource(e, of)));
        Ok(Listing { data, total })
    }

    /// One of the record's events (`GET /v1/customers/{id}/events/{eventId}`); an event
    /// about another record, or one the bounded log no longer holds, is a 404. Only the
    /// event asked for is rendered, not every event of the org.
    pub fn record_event(&self, org: Id, of: EventsOf, event: Id) -> Result<Value, ApiError> {
        self.check_record(org, of)?;
        let log = self.bus().query(&EventQuery {
            org: Some(org),
            ..EventQuery::default()
        });
        log.events
            .iter()
            .map(|(_, e)| e)
            .find(|e| e.id == event && about(e, of))
            .map(|e| resource(e, of))
            .ok_or_else(|| ApiError::not_found(&format!("event of {}", of.kind()), &event.to_hex()))
    }

    /// The record's events the log holds, oldest first (a 404 for an unknown record).
    fn events_of(
        &self,
        org: Id,
        of: EventsOf,
        name: Option<&str>,
    ) -> Result<Vec<std::sync::Arc<Event>>, ApiError> {
        self.check_record(org, of)?;
        let query = EventQuery {
            org: Some(org),
            name: name.map(str::to_string),
            ..EventQuery::default()
        };
        let log = self.bus().query(&query);
        Ok(log
            .events
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| about(e, of))
            .collect())
    }

    /// A 404 when the customer or conversation does not exist.
    fn check_record(&self, org: Id, of: EventsOf) -> Result<(), ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        let exists = match of {
            EventsOf::Customer(id) => data.customers.contains_key(&id),
            EventsOf::Conversation(id) => data.conversations.contains_key(&id),
        };
        if exists {
            Ok(())
        } else {
            Err(ApiError::not_found(of.kind(), &of.id().to_hex()))
        }
    }
}

/// Whether the event is about the record, or about a record that names it.
fn about(event: &Event, of: EventsOf) -> bool {
    event.data_id == of.id()
        || event.data.value()["relationships"][of.kind()]["data"]["id"]
            .as_str()
            .and_then(Id::parse)
            == Some(of.id())
}

/// The id of the `relation` relationship of an event's record, if it has one.
fn related_id(record: &Value, relation: &str) -> Option<String> {
    record["relationships"][relation]["data"]["id"]
        .as_str()
        .map(str::to_string)
}

/// A relationship to the record of `kind` with this id, or `null`.
fn link(kind: &str, collection: &str, id: Option<String>) -> Value {
    match id {
        Some(id) => json!({
            "links": {"self": format!("/v1/{collection}/{id}")},
            "data": {"type": kind, "id": id},
        }),
        None => Value::Null,
    }
}

/// One event as Kustomer's `customer_event` resource. `createdBy` and `modifiedBy` are
/// the user who last changed the record; `location` and `meta` are always `null` (the
/// mock tracks no sessions).
fn resource(event: &Event, of: EventsOf) -> Value {
    let record = event.data.value();
    let kind = event.kind();
    let own_or_related = |relation: &str| {
        if kind == relation {
            Some(event.data_id.to_hex())
        } else {
            related_id(record, relation)
        }
    };
    let user = |relation: &str| {
        related_id(record, relation)
            .map(|id| link("user", "users", Some(id)))
            .unwrap_or(Value::Null)
    };
    let mut attributes = json!({
        "name": event.name,
        "type": kind,
        "publishedAt": event.created_at,
        "createdAt": event.created_at,
        "updatedAt": event.created_at,
        "modifiedAt": event.created_at,
        "location": null,
        "meta": null,
    });
    // A create or delete has no `changes`; Kustomer's examples still carry the member.
    attributes["changes"] = match &event.changes {
        Some(changes) => changes.value().clone(),
        None => json!({"attributes": {}, "relationships": {}}),
    };
    let owner = of.id().to_hex();
    let self_link = match of {
        EventsOf::Customer(_) => format!("/v1/customers/{owner}/events/{}", event.id),
        EventsOf::Conversation(_) => format!("/v1/conversations/{owner}/events/{}", event.id),
    };
    json!({
        "type": "customer_event",
        "id": event.id.to_hex(),
        "attributes": attributes,
        "relationships": {
            "org": link("org", "orgs", Some(event.org.to_hex())),
            "createdBy": user("createdBy"),
            "modifiedBy": user("modifiedBy"),
            "customer": link("customer", "customers", own_or_related("customer")),
            "conversation": link("conversation", "conversations", own_or_related("conversation")),
            "message": link("message", "messages", own_or_related("message")),
        },
        "links": {"self": self_link},
    })
}
