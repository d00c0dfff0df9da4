//! `kmock-bench`: what `make bench` and `make bench-peers` run. Measures the mock against
//! a bare axum baseline in one run on one machine, and writes the tables into
//! BENCHMARKS.md. Benchmarks only: no test asserts a time.

mod api;
mod baseline;
mod cli;
mod dashboard;
// The same THP switch as `kmock`'s (one copy: binaries only, see the file's comment).
#[path = "../../kmock/src/huge_pages.rs"]
mod huge_pages;
mod load;
mod load_command;
mod loops;
mod output;
mod peers;
mod report;
mod scale;
mod servers;
mod settings;
mod setup;
mod startup;
mod stats;
mod workflow;

use clap::Parser;

use cli::{Cli, Cmd, Options, Phase};
use load_command::load_url;
use output::{check_writable, output_file, partial, publish};
pub use settings::Settings;

/// The main run: every phase (or those of --only) into one section of tables.
async fn all(options: &Options, settings: &Settings) {
    if options.only.contains(&Phase::Burst) {
        // As the workflow phase: the cold burst, then the rounds on the same harnesses.
        let benches = workflow::BurstBenches::start(settings).await;
        for round in 0..=settings.burst_rounds {
            benches.round(round).await;
        }
        benches.shutdown().await;
        return;
    }
    let wants = |phase: Phase| options.only.is_empty() || options.only.contains(&phase);
    // Checked before minutes of measuring, not when the tables or the start-up phase
    // get to them.
    let output = output_file(options, partial(options));
    check_writable(output.as_deref());
    let kmock = startup::kmock_binary();
    if wants(Phase::Startup) && !kmock.is_file() {
        eprintln!(
            "kmock-bench: {} is missing: the start-up phase runs it (`make bench` builds it)",
            kmock.display()
        );
        std::process::exit(2);
    }
    let api = if wants(Phase::Api) || wants(Phase::Workflow) {
        eprintln!("kmock-bench: API (baseline, GET, PUT, list; journal on and off)");
        Some(api::run(settings, options.cells.as_deref(), options.conns).await)
    } else {
        None
    };
    let workflow = if wants(Phase::Workflow) {
        eprintln!("kmock-bench: workflow end to end");
        Some(workflow::run(settings).await)
    } else {
        None
    };
    let startup = if wants(Phase::Startup) {
        eprintln!("kmock-bench: start-up");
        Some(startup::run(settings).await)
    } else {
        None
    };
    let scale = if wants(Phase::Scale) {
        eprintln!("kmock-bench: scale");
        Some(scale::run(settings).await)
    } else {
        None
    };
    let loops = if wants(Phase::Loop) {
        eprintln!("kmock-bench: loop guard");
        Some(loops::run(settings).await)
    } else {
        None
    };
    let dashboard = if wants(Phase::Dashboard) {
        eprintln!(
            "kmock-bench: dashboard (first view with {} runs kept)",
            dashboard::RUNS_KEPT
        );
        Some(dashboard::run().await)
    } else {
        None
    };
    let body = report::main_section(
        settings,
        api.as_ref(),
        workflow.as_ref(),
        startup.as_ref(),
        scale.as_ref(),
        loops.as_deref(),
        dashboard.as_ref(),
    );
    publish(output.as_deref(), "main", "Results: `make bench`", &body);
}

/// mimalloc instead of the system allocator: a request allocates and frees many small
/// JSON maps and strings, and glibc's malloc/free were about a sixth of the server's
/// CPU under load (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    // As `kmock` does, so the servers measured in process run as `kmock serve` would. Not
    // for `peers`: the flag is inherited, and the peer mocks run as the host sets them
    // (`kmock serve` among them sets its own).
    if !matches!(cli.command, Some(Cmd::Peers { .. })) {
        // Best effort, as in `kmock`: refused, only the speed changes.
        let _ = huge_pages::disable_for_this_process();
    }
    let settings = Settings::from(&cli.options);
    let main_run_only = cli.options.selects_part_of_main_run() || cli.options.burst.is_some();
    if main_run_only && !matches!(cli.command, None | Some(Cmd::All)) {
        eprintln!(
            "kmock-bench: --only, --cells, --conns and --burst choose what the main run measures; they do not apply to a subcommand"
        );
        std::process::exit(2);
    }
    match cli.command.unwrap_or(Cmd::All) {
        Cmd::All => all(&cli.options, &settings).await,
        Cmd::Load {
            url,
            connections,
            headers,
            method,
            bodies,
            count,
        } => {
            let loaded = load_url(
                &settings,
                &url,
                &connections,
                &headers,
                &method,
                &bodies,
                count,
            )
            .await;
            if let Err(e) = loaded {
                eprintln!("kmock-bench load: {e}");
                std::process::exit(2);
            }
        }
        Cmd::Peers { list } => {
            let output = output_file(&cli.options, cli.options.quick);
            check_writable(output.as_deref());
            match peers::run(&settings, &list).await {
                Ok(results) => {
                    let body = report::peers_section(&settings, &results);
                    publish(
                        output.as_deref(),
                        "peers",
                        "Peers: `make bench-peers`",
                        &body,
                    );
                }
                Err(e) => {
                    eprintln!("kmock-bench peers: {e}");
                    std::process::exit(1);
                }
            }
        }
        Cmd::PeerBody { out } => {
            if let Err(e) = peers::write_body(&out).await {
                eprintln!("kmock-bench peer-body: {e}");
                std::process::exit(1);
            }
        }
        Cmd::ScaleChild {
            conversations,
            messages_each,
            kobjects,
        } => scale::child(conversations, messages_each, kobjects).await,
        Cmd::WorkflowChild { closings } => workflow::memory_child(closings).await,
        Cmd::ServeBaseline { port } => {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .expect("the port is free");
            baseline::serve(listener).await;
        }
    }
}
