//! The `kmock` command line: `serve`, `run`, `test`, `openapi`.

pub mod openapi;
pub mod run;
pub mod serve;
pub mod test;

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
    /// Start the mock Kustomer API with the fixtures and workflows (Ctrl-C stops it).
    Serve(serve::ServeArgs),
    /// Run a scenario offline and print what happened and why.
    Run(run::RunArgs),
    /// Run every scenario under a directory.
    Test(test::TestArgs),
    /// Print the OpenAPI 3.1 document of the mock's `/v1` API (or write it to a file).
    Openapi(openapi::OpenapiArgs),
}
