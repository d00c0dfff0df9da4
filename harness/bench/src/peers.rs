//! Peers, side by side: `kmock serve` and each peer mock (started by
//! `harness/bench/peers.sh`'s list) serve the same `GET` of one conversation with the same
//! body; each is measured by this load generator with the same connections. Start-up is
//! spawn → first correct answer; a peer that could not be installed or run is listed
//! with the reason and the others go on.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;

use crate::Settings;
use crate::load::{self, Workload};
use crate::setup::{self, ADMIN_TOKEN, CONVERSATION};
use crate::startup::kmock_binary;
use crate::stats::{self, Rounds};

/// One entry of the list the script writes.
#[derive(Debug, Clone, Deserialize)]
pub struct PeerSpec {
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    /// argv; `{port}` is replaced by a free port.
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub cwd: Option<PathBuf>,
    /// The path of the conversation on the peer.
    #[serde(default)]
    pub path: Option<String>,
    /// Why the peer is not measured (install or configuration failed).
    #[serde(default)]
    pub skip: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PeerList {
    peers: Vec<PeerSpec>,
}

/// What one peer measured (or why not).
pub struct PeerResult {
    pub spec: PeerSpec,
    pub startups: Vec<Duration>,
    pub body_bytes: usize,
    pub same_body: bool,
    pub rounds: Vec<(usize, Rounds)>,
    pub failure: Option<String>,
}

impl PeerResult {
    pub fn rate(&self, connections: usize) -> Option<f64> {
        self.rounds
            .iter()
            .find(|(c, _)| *c == connections)
            .map(|(_, r)| r.rate())
    }

    pub fn p99_us(&self, connections: usize) -> Option<f64> {
        self.rounds
            .iter()
            .find(|(c, _)| *c == connections)
            .map(|(_, r)| r.merged().quantile_us(0.99))
    }

    pub fn startup_ms(&self) -> f64 {
        stats::median(&stats::millis(&self.startups))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A started server process, in a process group of its own (wrappers such as the npm
/// `wiremock` start `java` as their child; the whole group is stopped).
struct Running {
    child: Child,
}

impl Running {
    /// Starts the peer; its output goes to `log` when given (start-up runs, to explain a
    /// failure), else nowhere (some peers log every request).
    fn start(spec: &PeerSpec, port: u16, log: Option<&Path>) -> anyhow::Result<Running> {
        use std::os::unix::process::CommandExt;
        let argv: Vec<String> = spec
            .command
            .iter()
            .map(|a| a.replace("{port}", &port.to_string()))
            .collect();
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| anyhow::anyhow!("no command"))?;
        let mut command = Command::new(program);
        let (stdout, stderr) = match log.and_then(|l| std::fs::File::create(l).ok()) {
            Some(file) => match file.try_clone() {
                Ok(copy) => (Stdio::from(file), Stdio::from(copy)),
                Err(_) => (Stdio::null(), Stdio::null()),
            },
            None => (Stdio::null(), Stdio::null()),
        };
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .process_group(0);
        if let Some(cwd) = &spec.cwd {
            command.current_dir(cwd);
        }
        let child = command
            .spawn()
            .map_err(|e| anyhow::anyhow!("`{program}` could not be started: {e}"))?;
        Ok(Running { child })
    }

    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // The group's id is the child's pid (process_group(0)): stop exactly what we started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.exited().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

/// Where a peer's output goes during its start-up runs.
fn log_file(spec: &PeerSpec) -> PathBuf {
    let slug: String = spec
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let dir = setup::repo_root().join(".bench/peers/logs");
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{slug}.log"))
}

/// `: <the log's last two lines>`, to say why a peer did not answer.
fn last_lines(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = lines[lines.len().saturating_sub(2)..].join(" / ");
    format!(" (its output ends: {tail})")
}

fn get_workload(addr: SocketAddr, path: &str) -> Workload {
    Workload::get(addr, vec![path.to_string()])
        .header("authorization", format!("Bearer {ADMIN_TOKEN}"))
}

/// Polls until the peer answers 200; returns the time since `started` and the body.
async fn wait_ready(
    running: &mut Running,
    addr: SocketAddr,
    path: &str,
    started: Instant,
) -> anyhow::Result<(Duration, bytes::Bytes)> {
    let workload = get_workload(addr, path);
    let deadline = started + Duration::from_secs(120);
    loop {
        if let Ok(mut sender) = load::connect(addr).await
            && let Ok((200, body)) = load::send(&mut sender, workload.request(0)).await
        {
            return Ok((started.elapsed(), body));
        }
        if let Some(status) = running.exited() {
            anyhow::bail!("it exited ({status}) before answering");
        }
        if Instant::now() > deadline {
            anyhow::bail!("it did not answer 200 within 120 s");
        }
        // Fine enough not to round a few-millisecond start up by a whole poll period.
        tokio::time::sleep(Duration::from_micros(250)).await;
    }
}

/// `kmock serve` from the repository root (fixtures, workflows and apps loaded), as a
/// peer like the others. A virtual clock, so every start answers the same bytes (ids
/// carry the clock's seconds).
fn kmock_spec() -> PeerSpec {
    PeerSpec {
        name: "kustomer-mock (`kmock serve`)".into(),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        command: vec![
            kmock_binary().display().to_string(),
            "serve".into(),
            "--port".into(),
            "{port}".into(),
            "--clock".into(),
            "virtual".into(),
        ],
        cwd: Some(setup::repo_root()),
        path: Some(format!("/v1/conversations/{CONVERSATION}")),
        skip: None,
    }
}

/// Lifts the org budget of a running `kmock serve` (1000 requests a minute otherwise).
async fn lift_kmock_limits(addr: SocketAddr) -> anyhow::Result<()> {
    let mut workload = Workload::get(addr, vec!["/__admin/limits".into()])
        .header("content-type", "application/json");
    workload.method = hyper::Method::PUT;
    workload.bodies = Some(std::sync::Arc::new(vec![bytes::Bytes::from(
        serde_json::to_vec(&setup::high_limits()).unwrap_or_default(),
    )]));
    let mut sender = load::connect(addr).await?;
    match load::send(&mut sender, workload.request(0)).await? {
        (200, _) => Ok(()),
        (status, body) => Err(anyhow::anyhow!(
            "PUT /__admin/limits answered {status}: {}",
            String::from_utf8_lossy(&body)
        )),
    }
}

/// `kmock-bench peer-body --out FILE`: the body `kmock serve` answers for the
/// conversation, which every peer is configured to serve.
pub async fn write_body(out: &Path) -> anyhow::Result<()> {
    let spec = kmock_spec();
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let started = Instant::now();
    let mut running = Running::start(&spec, port, None)?;
    let path = spec.path.clone().unwrap_or_default();
    let (_, body) = wait_ready(&mut running, addr, &path, started).await?;
    std::fs::write(out, &body).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    Ok(())
}

pub async fn run(settings: &Settings, list: &Path) -> anyhow::Result<Vec<PeerResult>> {
    let text =
        std::fs::read_to_string(list).map_err(|e| anyhow::anyhow!("{}: {e}", list.display()))?;
    let listed: PeerList =
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", list.display()))?;
    let reference = kmock_spec();
    let mut specs = vec![reference];
    specs.extend(listed.peers);

    let mut results: Vec<PeerResult> = specs
        .into_iter()
        .map(|spec| PeerResult {
            failure: spec.skip.clone(),
            spec,
            startups: Vec::new(),
            body_bytes: 0,
            same_body: false,
            rounds: Vec::new(),
        })
        .collect();
    let mut expected: Option<Value> = None;

    // Start-up, one peer at a time on an idle machine.
    for result in results.iter_mut().filter(|r| r.failure.is_none()) {
        let path = result.spec.path.clone().unwrap_or_default();
        for _ in 0..settings.peer_startups {
            let port = free_port();
            let addr: SocketAddr = ([127, 0, 0, 1], port).into();
            let started = Instant::now();
            let log = log_file(&result.spec);
            let outcome = match Running::start(&result.spec, port, Some(&log)) {
                Ok(mut running) => wait_ready(&mut running, addr, &path, started)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}{}", last_lines(&log))),
                Err(e) => Err(e),
            };
            match outcome {
                Ok((took, body)) => {
                    let value: Option<Value> = serde_json::from_slice(&body).ok();
                    if expected.is_none() {
                        expected = value.clone();
                    }
                    result.body_bytes = body.len();
                    result.same_body = value.is_some() && value == expected;
                    result.startups.push(took);
                }
                Err(e) => {
                    result.failure = Some(e.to_string());
                    break;
                }
            }
        }
        eprintln!(
            "  {}: start-up {:.1} ms{}",
            result.spec.name,
            result.startup_ms(),
            match &result.failure {
                Some(why) => format!(" — not measured: {why}"),
                None => String::new(),
            }
        );
    }

    // Throughput: every peer running, measured round-robin.
    let mut running = Vec::new();
    for (i, result) in results.iter_mut().enumerate() {
        if result.failure.is_some() {
            continue;
        }
        let port = free_port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let path = result.spec.path.clone().unwrap_or_default();
        let started = Instant::now();
        let mut process = Running::start(&result.spec, port, None)?;
        if let Err(e) = wait_ready(&mut process, addr, &path, started).await {
            result.failure = Some(e.to_string());
            continue;
        }
        if i == 0 {
            lift_kmock_limits(addr).await?;
        }
        let workload = get_workload(addr, &path);
        // JIT-compiled peers (the JVM, V8) get a warm-up of their own first.
        let _ = load::run(&workload, 32, Duration::ZERO, settings.peer_warmup).await;
        for connections in [1, 32] {
            result.rounds.push((connections, Rounds::default()));
        }
        running.push((i, workload, process));
    }
    for round in 0..settings.rounds {
        for (i, workload, _) in &running {
            let name = results[*i].spec.name.clone();
            for slot in results[*i].rounds.iter_mut() {
                let sample = load::run(workload, slot.0, settings.warmup, settings.duration)
                    .await
                    .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
                eprintln!(
                    "  round {}: {:<40} {:>2} conn: {:>9.0} req/s, p99 {:>8.1} µs{}",
                    round + 1,
                    name,
                    slot.0,
                    sample.rate(),
                    sample.quantile_us(0.99),
                    if sample.errors > 0 {
                        format!(" ({} errors)", sample.errors)
                    } else {
                        String::new()
                    }
                );
                slot.1.0.push(sample);
            }
        }
    }
    drop(running);
    Ok(results)
}
