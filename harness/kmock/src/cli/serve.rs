//! `kmock serve`: the mock server with the fixtures, until Ctrl-C or SIGTERM.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kustomer_mock::{Clock, FixtureBundle, Timestamp};

use std::collections::BTreeMap;

use kustomer_harness::duration::DurationError;
use kustomer_harness::harness::Harness;
use kustomer_workflow::apps::{App, AppCatalog, SettingValues};
use kustomer_workflow::{LoadedWorkflow, LoopGuardConfig, load_dir_with};

/// How the server's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockMode {
    /// Follows the system time.
    Real,
    /// Stands still until moved with `POST /__admin/clock`.
    Virtual,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Directory of fixture bundles (`*.json`); default `./fixtures`, or the fixtures
    /// built into kmock when there is no such directory.
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Start with no fixtures at all.
    #[arg(long, conflicts_with = "fixtures")]
    pub no_fixtures: bool,
    /// Directory of Kustomer workflow JSON files to install; default `<fixtures>/workflows`,
    /// or the example workflows built into kmock.
    #[arg(long, value_name = "DIR")]
    pub workflows: Option<PathBuf>,
    /// Install no workflows (the mock API alone).
    #[arg(long, conflicts_with = "workflows")]
    pub no_workflows: bool,
    /// Directory of Kustomer app definitions (`*.json`); default `<fixtures>/apps`, or the
    /// apps built into kmock.
    #[arg(long, value_name = "DIR")]
    pub apps: Option<PathBuf>,
    /// Load no apps.
    #[arg(long, conflicts_with = "apps")]
    pub no_apps: bool,
    /// An app setting: `APP.GROUP.NAME=VALUE` (e.g. `sla_timer.default.authToken=kmk_...`).
    #[arg(long = "app-setting", value_name = "APP.GROUP.NAME=VALUE")]
    pub app_settings: Vec<String>,
    /// Keep the state in FILE: loaded at start when it exists (instead of the fixtures),
    /// saved atomically on shutdown and on `POST /__admin/snapshot`.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// On Ctrl-C/SIGTERM, how long runs in flight may take to finish before they are
    /// marked interrupted.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_grace)]
    pub shutdown_grace: std::time::Duration,
    /// How long a workflow's REST step may take before it fails with a timeout.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_grace)]
    pub rest_timeout: std::time::Duration,
    /// Turn the loop guard off (Kustomer-faithful: only rate limits stop a loop).
    #[arg(long)]
    pub no_loop_guard: bool,
    /// Fires of one workflow on one record allowed in one causal chain.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub max_repeats: u32,
    /// Hops allowed in one causal chain.
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub max_depth: u32,
    /// Runs kept in memory (for /__admin/runs and the saved state); past it the oldest
    /// finished run goes. Each holds its steps' params and outputs (see README, Bounds).
    #[arg(
        long,
        value_name = "N",
        default_value_t = kustomer_workflow::engine::DEFAULT_MAX_RUNS_KEPT as u64,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub max_runs_kept: u64,
    /// Seed of the id sequence.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Token that guards /__admin (sent as `Authorization: Bearer <token>`); without it,
    /// only loopback callers reach the admin API.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "KMOCK_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// Real or virtual clock.
    #[arg(long, value_enum, default_value_t = ClockMode::Real)]
    pub clock: ClockMode,
    /// Start of a virtual clock (ISO-8601).
    #[arg(long, value_name = "TIMESTAMP", value_parser = parse_timestamp)]
    pub clock_start: Option<Timestamp>,
}

fn parse_grace(text: &str) -> Result<std::time::Duration, DurationError> {
    kustomer_harness::duration::parse(text)
}

fn parse_timestamp(text: &str) -> anyhow::Result<Timestamp> {
    Timestamp::parse(text).ok_or_else(|| {
        anyhow::anyhow!("`{text}` is not an ISO-8601 timestamp (e.g. 2026-11-24T00:00:00.000Z)")
    })
}

/// Which fixtures to load, and where they came from (for the banner).
fn fixtures(args: &ServeArgs) -> anyhow::Result<(Vec<FixtureBundle>, String)> {
    if args.no_fixtures {
        return Ok((Vec::new(), "none".into()));
    }
    match &args.fixtures {
        Some(dir) => {
            if !dir.is_dir() {
                anyhow::bail!("--fixtures {}: no such directory", dir.display());
            }
            let bundles = FixtureBundle::from_dir(dir)?;
            Ok((bundles, dir.display().to_string()))
        }
        None => {
            let dir = PathBuf::from("fixtures");
            if dir.is_dir() {
                let bundles = FixtureBundle::from_dir(&dir)?;
                Ok((bundles, "fixtures/".into()))
            } else {
                let bundles = kustomer_harness::embedded::bundles()?;
                Ok((bundles, "built-in fixtures".into()))
            }
        }
    }
}

/// `APP.GROUP.NAME=VALUE` flags, grouped by app.
fn app_settings(flags: &[String]) -> anyhow::Result<BTreeMap<String, SettingValues>> {
    let mut out: BTreeMap<String, SettingValues> = BTreeMap::new();
    for flag in flags {
        let (key, value) = flag.split_once('=').ok_or_else(|| {
            anyhow::anyhow!("--app-setting `{flag}`: expected APP.GROUP.NAME=VALUE")
        })?;
        let parts: Vec<&str> = key.splitn(3, '.').collect();
        let [app, group, name] = parts[..] else {
            anyhow::bail!("--app-setting `{flag}`: expected APP.GROUP.NAME=VALUE");
        };
        out.entry(app.to_string())
            .or_default()
            .entry(group.to_string())
            .or_default()
            .insert(
                name.to_string(),
                serde_json::Value::String(value.to_string()),
            );
    }
    Ok(out)
}

/// Which apps to load, and where they came from.
fn apps(args: &ServeArgs) -> anyhow::Result<(Vec<App>, String)> {
    if args.no_apps {
        return Ok((Vec::new(), "none".into()));
    }
    let settings = app_settings(&args.app_settings)?;
    let dir = match (&args.apps, &args.fixtures) {
        (Some(dir), _) => {
            if !dir.is_dir() {
                anyhow::bail!("--apps {}: no such directory", dir.display());
            }
            Some(dir.clone())
        }
        (None, Some(fixtures)) => Some(fixtures.join("apps")).filter(|d| d.is_dir()),
        (None, None) => Some(PathBuf::from("fixtures/apps")).filter(|d| d.is_dir()),
    };
    let loaded: Vec<App> = match &dir {
        Some(dir) => {
            let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            paths.sort();
            let mut apps = Vec::new();
            for path in paths {
                // A bad app is reported and left out; the others still load and serve.
                match load_app(&path, &settings) {
                    Ok(app) => apps.push(app),
                    Err(e) => eprintln!("warning: app not loaded: {e}"),
                }
            }
            apps
        }
        None if args.fixtures.is_some() => Vec::new(),
        None => kustomer_harness::embedded::apps()?,
    };
    for name in settings.keys() {
        if !loaded.iter().any(|a| &a.name == name) {
            anyhow::bail!("--app-setting names app `{name}`, which is not loaded");
        }
    }
    let origin = match dir {
        Some(dir) => format!("{}/", dir.display()),
        None if args.fixtures.is_some() => "none".into(),
        None => "built-in examples".into(),
    };
    Ok((loaded, origin))
}

/// One app file, with the settings given for the app it names.
fn load_app(
    path: &std::path::Path,
    settings: &BTreeMap<String, SettingValues>,
) -> anyhow::Result<App> {
    // Settings apply to the app they name; read the name first.
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: $: not valid JSON: {e}", path.display()))?;
    let name = value
        .get("app")
        .and_then(|a| a.as_str())
        .unwrap_or("")
        .to_string();
    let values = settings.get(&name).cloned().unwrap_or_default();
    Ok(App::load_value(
        value,
        &path.display().to_string(),
        &values,
    )?)
}

/// Which workflows to install, and where they came from.
fn workflows(
    args: &ServeArgs,
    catalog: &AppCatalog,
) -> anyhow::Result<(Vec<LoadedWorkflow>, String)> {
    if args.no_workflows {
        return Ok((Vec::new(), "none".into()));
    }
    let dir = match (&args.workflows, &args.fixtures) {
        (Some(dir), _) => {
            if !dir.is_dir() {
                anyhow::bail!("--workflows {}: no such directory", dir.display());
            }
            Some(dir.clone())
        }
        (None, Some(fixtures)) => Some(fixtures.join("workflows")).filter(|d| d.is_dir()),
        (None, None) => Some(PathBuf::from("fixtures/workflows")).filter(|d| d.is_dir()),
    };
    match dir {
        Some(dir) => Ok((load_dir_with(&dir, catalog)?, format!("{}/", dir.display()))),
        None if args.fixtures.is_some() => Ok((Vec::new(), "none".into())),
        None => Ok((
            kustomer_harness::embedded::workflows()?,
            "built-in examples".into(),
        )),
    }
}

/// Runs the server until a signal; `Err` is a one-line message for the user.
pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let (bundles, origin) = fixtures(&args)?;
    let (loaded_apps, app_origin) = apps(&args)?;
    let mut catalog = AppCatalog::default();
    for app in &loaded_apps {
        catalog.add(app);
    }
    let (loaded, workflow_origin) = workflows(&args, &catalog)?;
    let clock = match args.clock {
        ClockMode::Real => {
            if args.clock_start.is_some() {
                return Err(anyhow::anyhow!("--clock-start needs --clock virtual"));
            }
            Clock::real()
        }
        ClockMode::Virtual => match args.clock_start {
            Some(start) => Clock::virtual_at(start),
            None => Clock::virtual_default(),
        },
    };
    let admin_token = args.admin_token.clone();
    let state = args.state.clone();
    let mut builder = Harness::builder().server(|s| {
        let mut s = s
            .host(args.host)
            .port(args.port)
            .seed(args.seed)
            .clock(clock);
        if let Some(state) = state {
            s = s.state_file(state);
        }
        for bundle in bundles {
            s = s.fixtures(bundle);
        }
        match admin_token {
            Some(token) => s.admin_token(token),
            None => s,
        }
    });
    builder = builder.engine(kustomer_workflow::EngineConfig {
        rest_timeout: args.rest_timeout,
        max_runs_kept: usize::try_from(args.max_runs_kept).unwrap_or(usize::MAX),
        ..kustomer_workflow::EngineConfig::default()
    });
    builder = builder.loop_guard(LoopGuardConfig {
        enabled: !args.no_loop_guard,
        max_repeats: args.max_repeats,
        max_depth: args.max_depth,
    });
    for app in loaded_apps {
        builder = builder.app(app);
    }
    // `--no-workflows` means none at all: the apps' own workflows included.
    builder = builder.app_workflows(!args.no_workflows);
    for workflow in loaded {
        builder = builder.workflow(workflow);
    }
    let harness = builder.start().await?;
    let stop = stop_signal();
    print_banner(
        &harness,
        &origin,
        &workflow_origin,
        &app_origin,
        args.admin_token.is_some(),
    );
    if let Some(state) = &args.state {
        println!(
            "  state:         {} (saved on shutdown and on POST /__admin/snapshot)",
            state.display()
        );
    }
    stop.await;
    println!(
        "shutting down: finishing the runs in flight (at most {:?})…",
        args.shutdown_grace
    );
    let stopped = harness.stop(args.shutdown_grace).await?;
    println!(
        "stopped: {} run(s) recorded, {} interrupted{}",
        stopped.runs,
        stopped.interrupted,
        match &args.state {
            Some(state) => format!("; state saved to {}", state.display()),
            None => String::new(),
        }
    );
    Ok(())
}

fn print_banner(
    harness: &Harness,
    origin: &str,
    workflow_origin: &str,
    app_origin: &str,
    admin_token: bool,
) {
    let server = harness.server();
    let url = server.url();
    println!("kustomer-mock listening on {url}");
    println!(
        "  dashboard:     {url}/   ({})",
        if admin_token {
            "asks for the admin token; /?token=<admin token> logs in"
        } else {
            "loopback only"
        }
    );
    println!("  Kustomer API:  {url}/v1   (Authorization: Bearer <token>)");
    println!(
        "  admin API:     {url}/__admin   ({})",
        if admin_token {
            "needs the admin token"
        } else {
            "loopback only"
        }
    );
    println!("  fixtures:      {origin}");
    let keys: Vec<_> = server.seeded().iter().flat_map(|r| r.keys.iter()).collect();
    if !keys.is_empty() {
        println!("  API keys (fixtures; never use real tokens here):");
        let width = keys.iter().map(|k| k.name.len()).max().unwrap_or(0);
        for key in keys {
            let expiry = match key.expires_at {
                Some(at) => format!("  expires {at}"),
                None => String::new(),
            };
            println!(
                "    {:width$}  {}  [{}]{expiry}",
                key.name,
                key.token,
                key.roles.join(", ")
            );
        }
    }
    let apps = harness.engine().apps();
    println!(
        "  apps:          {app_origin} ({} loaded: {})",
        apps.len(),
        apps.iter()
            .map(|a| a.app.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for problem in harness.engine().app_problems() {
        println!("    warning: app workflow not installed: {problem}");
    }
    let installed = harness.engine().workflows();
    println!(
        "  workflows:     {workflow_origin} ({} installed; runs at {url}/__admin/runs)",
        installed.len()
    );
    for w in installed {
        println!(
            "    {:24} on {}",
            w.workflow.def.name, w.workflow.event_name
        );
    }
    println!("Ctrl-C stops the server.");
}

/// Ctrl-C, or SIGTERM on Unix. The handlers are installed when this is called, before
/// the banner announces the URL: a signal sent as soon as the URL is known stops the
/// server gracefully instead of killing it with the default action.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(terminate) => {},
                _ = wait(interrupt) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
