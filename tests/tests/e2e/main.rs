//! End-to-end tests: real servers on ephemeral loopback ports, real HTTP.

mod common;

mod admin;
mod apps;
mod auth_errors;
mod conversations;
mod customer_lookups;
mod customers_tags;
mod determinism;
mod engine;
mod error_shape;
mod events;
mod faults;
mod hooks;
mod keep_alive;
mod lookup_actions;
mod loops;
mod messages;
mod openapi;
mod persistence;
mod published_events;
mod rate_limits;
mod request_errors;
mod scenarios;
mod search;
mod secrets;
mod standard_attributes;
mod user_assign_actions;
mod users_teams;
mod webhooks;
mod workflows_api;
