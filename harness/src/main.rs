//! `kmock`: a thin binary over the harness library.

use clap::Parser;
use kustomer_harness::cli::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => kustomer_harness::cli::serve::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kmock: {message}");
            std::process::ExitCode::from(2)
        }
    }
}
