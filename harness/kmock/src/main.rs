//! `kmock`: a thin binary over the harness library.

mod cli;
mod huge_pages;

use clap::Parser;
use cli::{Cli, Command};

/// mimalloc instead of the system allocator: a request allocates and frees many small
/// JSON maps and strings, and glibc's malloc/free were about a sixth of the server's
/// CPU under load (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let huge_pages = huge_pages::disable_for_this_process();
    let cli = Cli::parse();
    // Logs go to stderr; `RUST_LOG=debug` shows every /v1 request (never a token).
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    if let Err(error) = huge_pages {
        tracing::debug!(%error, "transparent huge pages stay as the host sets them");
    }
    let code = match cli.command {
        Command::Serve(args) => match cli::serve::run(args).await {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("kmock: {message}");
                2
            }
        },
        Command::Run(args) => cli::run::run(args).await,
        Command::Test(args) => cli::test::run(args).await,
        Command::Openapi(args) => match cli::openapi::run(args) {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("kmock: {message}");
                2
            }
        },
    };
    std::process::ExitCode::from(code as u8)
}
