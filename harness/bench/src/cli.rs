//! The command line of `kmock-bench`: its options, phases and subcommands, each value
//! checked as it is parsed.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Benchmarks of kustomer-mock (see BENCHMARKS.md).
#[derive(Debug, Parser)]
#[command(name = "kmock-bench")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Cmd>,
    #[command(flatten)]
    pub options: Options,
}

/// The options; --only, --cells, --conns and --burst choose what the main run measures.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// A short run (1 round, shorter cells) to check that everything works; like a
    /// partial run, it writes its tables only where --write says.
    #[arg(long, global = true)]
    pub quick: bool,
    /// Rounds per cell (default 3, and 5 of the workflow bursts; 1 with --quick).
    #[arg(long, global = true, value_parser = at_least_one)]
    pub rounds: Option<usize>,
    /// Seconds measured per cell and round (default 1.5).
    #[arg(long, global = true, value_parser = positive_seconds)]
    pub seconds: Option<f64>,
    /// Only these phases (comma-separated). A partial run prints its tables and keeps a
    /// copy under .bench/results, but writes them into a file only if --write names it
    /// (they would replace the whole section of BENCHMARKS.md).
    #[arg(long, value_delimiter = ',', value_enum)]
    pub only: Vec<Phase>,
    /// Only the API cells whose request contains this text, e.g. `PUT` (for profiling; a
    /// partial run, as with --only).
    #[arg(long, value_name = "TEXT")]
    pub cells: Option<String>,
    /// Only the API cells with this many connections (for profiling; a partial run).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub conns: Option<usize>,
    /// Conversations tagged in each workflow burst (default 5000; 1000 with --quick).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub burst: Option<usize>,
    /// Where to write the tables (between the markers of the file; default BENCHMARKS.md
    /// for a full run).
    #[arg(long, global = true, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// Print the tables only.
    #[arg(long, global = true)]
    pub no_write: bool,
}

impl Options {
    /// Whether the options choose only part of what the main run measures.
    pub fn selects_part_of_main_run(&self) -> bool {
        !self.only.is_empty() || self.cells.is_some() || self.conns.is_some()
    }
}

/// A phase of the main run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Phase {
    /// The baseline and the API cells.
    Api,
    /// The workflow bursts and latencies (with the `PUT` cell they are compared to).
    Workflow,
    /// In-process and whole-process start-up.
    Startup,
    /// Memory and `GET` latency with many conversations.
    Scale,
    /// The loop guard halting the naive workflow.
    Loop,
    /// The dashboard's first view with 10,000 runs kept.
    Dashboard,
    /// The workflow bursts alone, printed with their CPU per closing (for profiling).
    Burst,
}

/// The most of anything counted (rounds, conversations, connections): far beyond a useful
/// run, and small enough that no product of them overflows.
const MAX_COUNT: usize = 1_000_000;

/// The longest measured window, an hour.
const MAX_SECONDS: f64 = 3600.0;

fn at_least_one(text: &str) -> anyhow::Result<usize> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_COUNT).contains(&n) => Ok(n),
        Ok(_) => Err(anyhow::anyhow!("must be from 1 to {MAX_COUNT}")),
        Err(e) => Err(e.into()),
    }
}

fn positive_seconds(text: &str) -> anyhow::Result<f64> {
    match text.parse::<f64>() {
        Ok(s) if (0.1..=MAX_SECONDS).contains(&s) => Ok(s),
        Ok(_) => Err(anyhow::anyhow!("must be from 0.1 to {MAX_SECONDS} seconds")),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Every phase (the default).
    All,
    /// Load one URL with the load generator (any server, e.g. a peer mock).
    Load {
        url: String,
        /// Connection counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,32", value_parser = at_least_one)]
        connections: Vec<usize>,
        /// Extra request headers, `name: value`.
        #[arg(long = "header", short = 'H')]
        headers: Vec<String>,
        /// The method.
        #[arg(long, short = 'X', default_value = "GET")]
        method: String,
        /// Request bodies, sent in turn (repeat the option for several).
        #[arg(long = "body", short = 'd')]
        bodies: Vec<String>,
        /// Send exactly this many requests on one connection instead (for instruction
        /// counts under callgrind, where time means nothing).
        #[arg(long)]
        count: Option<usize>,
    },
    /// Start-up and throughput of `kmock serve` and the peers listed in FILE.
    Peers {
        #[arg(long, value_name = "FILE")]
        list: PathBuf,
    },
    /// Write the body `kmock serve` answers for the benchmark conversation.
    PeerBody {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Serve the bare axum baseline on a port until killed (to profile or count it).
    #[command(hide = true)]
    ServeBaseline {
        #[arg(long)]
        port: u16,
    },
    /// (internal) one size of the memory measurement, in a fresh process.
    #[command(hide = true)]
    ScaleChild {
        #[arg(long)]
        conversations: usize,
        /// Messages recorded on each conversation.
        #[arg(long, default_value_t = 0)]
        messages_each: usize,
        /// KObjects of the acme `order` klass.
        #[arg(long, default_value_t = 0)]
        kobjects: usize,
    },
    /// (internal) the memory of a busy server after many closings, in a fresh process.
    #[command(hide = true)]
    WorkflowChild {
        #[arg(long)]
        closings: usize,
    },
}
