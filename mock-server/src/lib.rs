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

pub mod admin;
pub mod api;
pub mod app;
pub mod auth;
mod body_gate;
pub mod byte_ring;
pub mod cause;
pub mod clock;
pub mod error;
pub mod event_listeners;
pub mod events;
pub mod faults;
pub mod fixtures;
pub mod ids;
pub mod journal;
pub mod json_object;
pub mod lazy_json;
pub mod limits;
mod listener;
pub mod model;
mod nullable;
pub mod openapi;
pub mod persist;
pub mod record_view;
pub mod ring;
pub mod server;
pub mod store;
pub mod webhooks;

pub use cause::{CAUSE_HEADER, Cause, Hop};
pub use clock::{Clock, Timestamp};
pub use error::ApiError;
pub use events::{BusItem, Event, EventBus, Subscription};
pub use fixtures::{FixtureBundle, FixtureError, SeedReport};
pub use ids::Id;
pub use lazy_json::LazyJson;
pub use server::{MockServer, MockServerBuilder, StartError};
pub use store::{Actor, Store};
