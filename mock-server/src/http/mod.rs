//! The HTTP side of the mock, in the order a request meets it: the listener, the body gate,
//! the router (`app`), the fault rules, authentication and the rate limits. The `/v1`
//! handlers are in `api`, the admin API in `admin`.

pub mod app;
pub mod auth;
pub mod body_gate;
pub mod faults;
pub mod limits;
pub mod listener;
