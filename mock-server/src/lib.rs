//! # kustomer-mock
//!
//! An in-memory fake of Kustomer's REST API (conversations, customers, tags, API keys)
//! with Kustomer's error bodies, auth failures, rate limits and events, deterministic
//! ids and a virtual clock, for running and testing Kustomer workflows offline.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use kustomer_mock::MockServer;
//! let server = MockServer::builder().seed(7).start().await?;
//! println!("Kustomer API at {}/v1", server.url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Data flows one way: HTTP request → auth → limits → handler → store (commit) →
//! journal and event → bus → subscribers (the workflow engine, webhooks, SSE).

mod admin;
mod api;
mod error;
mod events;
mod http;
mod journal;
pub mod model;
mod openapi;
mod server;
mod store;
mod support;

// The facade: what the workflow engine, the harness and test writers use. Everything else
// is the crate's own, so data flows one way by construction: in through HTTP or through
// the store as an actor, out through events.

/// Start, stop and reach a mock server.
pub use server::{MockServer, MockServerBuilder, StartError};

/// The caller of a `/v1` route (its org, roles and request), for routes added with
/// [`MockServerBuilder::v1_routes`].
pub use api::V1;
/// Errors in Kustomer's shape, and the parsing of request bodies into them.
pub use api::pipeline::REQUEST_ID_HEADER;
pub use api::{parse_body, parse_value, parse_write, parse_write_value, query_pairs};
pub use error::ApiError;

pub use store::MessagesOf;
/// Write through the store as an actor, read what it holds.
pub use store::{
    Actor, Assignee, ContactList, CreateOptions, DeletedFilter, FixtureBundle, FixtureError, Page,
    SeedReport, StateError, Store, StoreSnapshot, TagOp,
};

/// Listen to events.
pub use events::cause::{CAUSE_HEADER, Cause, Hop};
pub use events::lazy_json::LazyJson;
pub use events::listeners::ListenerHandle;
pub use events::record_view::EventRecords;
pub use events::webhooks::RetryPolicy;
pub use events::{BusItem, Event, EventBus, EventMeta, EventQuery, MockMeta, Subscription};

/// Ask the fault rules.
pub use http::faults::{FaultAction, FaultSpec, Faults, hit_value};

/// Add a state section and admin routes.
pub use http::app::{AppState, StateSection};

/// What every record and request carries: ids, the clock, the journal of exchanges.
pub use journal::JournalEntry;
pub use support::clock::{Clock, DEFAULT_VIRTUAL_START, Timestamp, parse_duration};
pub use support::ids::{Id, mix};
pub use support::json_object::{object, string};

/// The OpenAPI document of `/v1`, generated from the handlers and the object declarations.
pub use openapi::document as openapi_document;
/// The same document with the operations of routes added under `/v1`
/// ([`MockServerBuilder::v1_routes`]), and the error body's schema their annotations name.
pub use openapi::document_with as openapi_document_with;
pub use openapi::requests::ErrorBody;
