//! `kmock-bench`: what `make bench` and `make bench-peers` run. Measures the mock against
//! a bare axum baseline in one run on one machine, and writes the tables into
//! BENCHMARKS.md. Benchmarks only: no test asserts a time.

mod api;
mod baseline;
mod load;
mod loops;
mod peers;
mod report;
mod scale;
mod servers;
mod setup;
mod startup;
mod stats;
mod workflow;

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand};

/// Benchmarks of kustomer-mock (see BENCHMARKS.md).
#[derive(Debug, Parser)]
#[command(name = "kmock-bench")]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    options: Options,
}

#[derive(Debug, clap::Args)]
struct Options {
    /// A short run (1 round, shorter cells) to check that everything works; like a
    /// partial run, it writes its tables only where --write says.
    #[arg(long, global = true)]
    quick: bool,
    /// Rounds per cell (default 3, and 5 of the workflow bursts; 1 with --quick).
    #[arg(long, global = true, value_parser = at_least_one)]
    rounds: Option<usize>,
    /// Seconds measured per cell and round (default 1.5).
    #[arg(long, global = true, value_parser = positive_seconds)]
    seconds: Option<f64>,
    /// Only these phases (comma-separated). A partial run prints its tables and keeps a
    /// copy under .bench/results, but writes them into a file only if --write names it
    /// (they would replace the whole section of BENCHMARKS.md).
    #[arg(long, value_delimiter = ',', value_enum)]
    only: Vec<Phase>,
    /// Only the API cells whose request contains this text, e.g. `PUT` (for profiling; a
    /// partial run, as with --only).
    #[arg(long, value_name = "TEXT")]
    cells: Option<String>,
    /// Only the API cells with this many connections (for profiling; a partial run).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    conns: Option<usize>,
    /// Conversations tagged in each workflow burst (default 5000; 1000 with --quick).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    burst: Option<usize>,
    /// Where to write the tables (between the markers of the file; default BENCHMARKS.md
    /// for a full run).
    #[arg(long, global = true, value_name = "FILE")]
    write: Option<PathBuf>,
    /// Print the tables only.
    #[arg(long, global = true)]
    no_write: bool,
}

/// A phase of the main run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Phase {
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
    /// The workflow bursts alone, printed with their CPU per closing (for profiling).
    Burst,
}

/// The most of anything counted (rounds, conversations, connections): far beyond a useful
/// run, and small enough that no product of them overflows.
const MAX_COUNT: usize = 1_000_000;

/// The longest measured window, an hour.
const MAX_SECONDS: f64 = 3600.0;

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_COUNT).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be from 1 to {MAX_COUNT}")),
        Err(e) => Err(e.to_string()),
    }
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.1..=MAX_SECONDS).contains(&s) => Ok(s),
        Ok(_) => Err(format!("must be from 0.1 to {MAX_SECONDS} seconds")),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Subcommand)]
enum Cmd {
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
    },
    /// (internal) the memory of a busy server after many closings, in a fresh process.
    #[command(hide = true)]
    WorkflowChild {
        #[arg(long)]
        closings: usize,
    },
}

/// How long and how often everything is measured.
#[derive(Debug, Clone)]
pub struct Settings {
    pub rounds: usize,
    /// Rounds of the workflow bursts: a burst lasts about half a second, so its median
    /// takes more rounds than a 1.5 s cell to settle.
    pub burst_rounds: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub workflow_conversations: usize,
    pub sequential_runs: usize,
    /// Create → tag → close cycles before the busy server's memory is read.
    pub memory_closings: usize,
    pub startups: usize,
    pub process_runs: usize,
    pub loop_runs: usize,
    pub scale_sizes: Vec<usize>,
    pub scale_latency_size: usize,
    pub peer_startups: usize,
    pub peer_warmup: Duration,
}

impl Settings {
    fn from(options: &Options) -> Settings {
        let mut s = if options.quick {
            Settings {
                rounds: 1,
                burst_rounds: 1,
                warmup: Duration::from_millis(200),
                duration: Duration::from_millis(500),
                workflow_conversations: 1000,
                sequential_runs: 30,
                memory_closings: 2000,
                startups: 30,
                process_runs: 5,
                loop_runs: 5,
                scale_sizes: vec![10_000, 100_000],
                scale_latency_size: 100_000,
                peer_startups: 2,
                peer_warmup: Duration::from_secs(1),
            }
        } else {
            Settings {
                rounds: 3,
                burst_rounds: 5,
                warmup: Duration::from_millis(300),
                duration: Duration::from_millis(1500),
                workflow_conversations: 5000,
                sequential_runs: 100,
                memory_closings: 10_000,
                startups: 100,
                process_runs: 15,
                loop_runs: 15,
                scale_sizes: vec![10_000, 100_000],
                scale_latency_size: 100_000,
                peer_startups: 9,
                peer_warmup: Duration::from_secs(3),
            }
        };
        if let Some(rounds) = options.rounds {
            s.rounds = rounds;
            s.burst_rounds = rounds;
        }
        if let Some(burst) = options.burst {
            s.workflow_conversations = burst;
        }
        if let Some(seconds) = options.seconds {
            s.duration = Duration::from_secs_f64(seconds);
        }
        s
    }
}

/// Whether this main run measures only part of the main section, or a short version of it.
fn partial(options: &Options) -> bool {
    !options.only.is_empty() || options.cells.is_some() || options.conns.is_some() || options.quick
}

/// Where a section goes: `--write`, else BENCHMARKS.md unless the run is `partial` (its
/// tables would replace those of a full run).
fn output_file(options: &Options, partial: bool) -> Option<PathBuf> {
    if options.no_write {
        return None;
    }
    if let Some(file) = &options.write {
        return Some(file.clone());
    }
    if partial {
        eprintln!(
            "kmock-bench: a partial run (--only, --cells, --conns, --quick): its tables are printed, not written into BENCHMARKS.md (--write FILE writes them)"
        );
        return None;
    }
    Some(setup::repo_root().join("BENCHMARKS.md"))
}

/// Exits before measuring when the tables could not be written at the end.
fn check_writable(file: Option<&Path>) {
    let Some(file) = file else { return };
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        eprintln!(
            "kmock-bench: cannot write {}: {} is not a directory",
            file.display(),
            dir.display()
        );
        std::process::exit(2);
    }
}

/// Prints the section, keeps a copy under .bench/results (or `KMOCK_BENCH_RESULTS`), and
/// writes it into `output`.
fn publish(output: Option<&Path>, name: &str, title: &str, body: &str) {
    println!("{body}");
    let results = std::env::var_os("KMOCK_BENCH_RESULTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| setup::repo_root().join(".bench/results"));
    if std::fs::create_dir_all(&results).is_ok() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let _ = std::fs::write(results.join(format!("{stamp}-{name}.md")), body);
    }
    if let Some(file) = output {
        match report::write_section(file, name, title, body) {
            Ok(()) => eprintln!(
                "kmock-bench: wrote the {name} tables into {}",
                file.display()
            ),
            Err(e) => {
                // The tables were printed above; the run still fails, so `make bench`
                // does not look as if it had written them.
                eprintln!("kmock-bench: cannot write {}: {e}", file.display());
                std::process::exit(1);
            }
        }
    }
}

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
    let body = report::main_section(
        settings,
        api.as_ref(),
        workflow.as_ref(),
        startup.as_ref(),
        scale.as_ref(),
        loops.as_deref(),
    );
    publish(output.as_deref(), "main", "Results: `make bench`", &body);
}

/// `kmock-bench load`: the load generator against any URL. Bad arguments and an
/// unreachable server are a one-line error, not a panic.
async fn load_url(
    settings: &Settings,
    url: &str,
    connections: &[usize],
    headers: &[String],
    method: &str,
    bodies: &[String],
    count: Option<usize>,
) -> Result<(), String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("URL {url:?}: {e}"))?;
    if uri.scheme_str().is_some_and(|scheme| scheme != "http") {
        return Err(format!("URL {url:?}: only http:// is supported"));
    }
    let host = uri.host().unwrap_or("127.0.0.1");
    let port = uri.port_u16().unwrap_or(80);
    let addr = tokio::net::lookup_host((host, port))
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("URL {url:?}: the host {host:?} does not resolve"))?;
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let mut workload = load::Workload::get(addr, vec![path]);
    workload.method = method
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("--method {method:?}: not an HTTP method"))?;
    if !bodies.is_empty() {
        workload.bodies = Some(std::sync::Arc::new(
            bodies
                .iter()
                .map(|b| bytes::Bytes::from(b.clone()))
                .collect(),
        ));
    }
    for header in headers {
        let invalid = || format!("--header {header:?}: expected `name: value`");
        let (name, value) = header.split_once(':').ok_or_else(invalid)?;
        let (name, value) = (name.trim(), value.trim());
        hyper::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        hyper::header::HeaderValue::from_str(value).map_err(|_| invalid())?;
        workload = workload.header(name, value);
    }
    let unreachable = |e: String| format!("{url}: {e}");
    if let Some(count) = count {
        let mut sender = load::connect(addr)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let mut failed = 0;
        for i in 0..count {
            match load::send(&mut sender, workload.request(i)).await {
                Ok((status, _)) if (200..300).contains(&status) => {}
                _ => failed += 1,
            }
        }
        println!("{count} requests, {failed} not 2xx");
        return Ok(());
    }
    println!(
        "| Conns | req/s | p50 | p99 | CPU/req (this process) | errors |\n|--:|--:|--:|--:|--:|--:|"
    );
    for &c in connections {
        let mut rounds = stats::Rounds::default();
        for _ in 0..settings.rounds {
            rounds.0.push(
                load::run(&workload, c, settings.warmup, settings.duration)
                    .await
                    .map_err(unreachable)?,
            );
        }
        let merged = rounds.merged();
        println!(
            "| {c} | {:.0} | {:.0} µs | {:.0} µs | {:.1} µs | {} |",
            rounds.rate(),
            merged.quantile_us(0.5),
            merged.quantile_us(0.99),
            rounds.cpu_per_request_us(),
            rounds.errors()
        );
    }
    Ok(())
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
        let _ = kustomer_harness::huge_pages::disable_for_this_process();
    }
    let settings = Settings::from(&cli.options);
    let main_run_only = !cli.options.only.is_empty()
        || cli.options.cells.is_some()
        || cli.options.conns.is_some()
        || cli.options.burst.is_some();
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
        Cmd::ScaleChild { conversations } => scale::child(conversations).await,
        Cmd::WorkflowChild { closings } => workflow::memory_child(closings).await,
        Cmd::ServeBaseline { port } => {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .expect("the port is free");
            baseline::serve(listener).await;
        }
    }
}
