//! # kustomer-harness
//!
//! Runs Kustomer workflow JSON against `kustomer-mock`; holds the `kmock` CLI.

pub mod cli;
pub mod embedded;
pub mod workflow;
