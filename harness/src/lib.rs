//! # kustomer-harness
//!
//! The `kmock` CLI over the mock server.
