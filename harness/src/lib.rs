//! # kustomer-harness
//!
//! Runs Kustomer workflow JSON against `kustomer-mock`; holds the `kmock` CLI.

pub mod admin;
pub mod cli;
pub mod embedded;
pub mod harness;
pub mod huge_pages;
pub mod report;
pub mod scenario;
pub mod snapshot;
pub mod workflow;
