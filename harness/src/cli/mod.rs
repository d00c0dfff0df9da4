//! The `kmock` command line: `serve` (and, as the harness grows, `run` and `test`).

pub mod serve;

use clap::{Parser, Subcommand};

/// kustomer-mock: run Kustomer's API and workflows offline.
#[derive(Debug, Parser)]
#[command(name = "kmock", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the mock Kustomer API with the fixtures (Ctrl-C stops it).
    Serve(serve::ServeArgs),
}
