//! End-to-end tests: real servers on ephemeral loopback ports, real HTTP.

mod common;

mod admin;
mod apps;
mod auth_errors;
mod companies;
mod conversations;
mod customer_lookups;
mod customers_tags;
mod dashboard;
mod determinism;
mod drafts;
mod engine;
mod error_shape;
mod events;
mod faults;
mod keep_alive;
mod klasses;
mod kobjects;
mod loops;
mod messages;
mod notes;
mod openapi;
mod persistence;
mod rate_limits;
mod request_errors;
mod scenarios;
mod search;
mod search_contexts;
mod secrets;
mod standard_attributes;
mod user_assign_actions;
mod users_teams;
mod webhooks;
