//! `kmock`: a thin binary over the harness library.

use clap::Parser;
use kustomer_harness::cli::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Serve(args) => match kustomer_harness::cli::serve::run(args).await {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("kmock: {message}");
                2
            }
        },
        Command::Run(args) => kustomer_harness::cli::run::run(args).await,
        Command::Test(args) => kustomer_harness::cli::test::run(args).await,
    };
    std::process::ExitCode::from(code as u8)
}
