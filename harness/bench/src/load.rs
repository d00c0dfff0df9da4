//! The load generator: a fixed number of keep-alive HTTP/1.1 connections (hyper's
//! client, one task each), sending back to back for a fixed time, latencies in an HDR
//! histogram. The same code measures the mock, the bare axum baseline and the peers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request};

/// What to send: requests are taken in turn (shared by every connection) from `paths`
/// (and `bodies`, when there are some).
#[derive(Clone)]
pub struct Workload {
    pub addr: SocketAddr,
    pub method: Method,
    pub paths: Arc<Vec<String>>,
    pub bodies: Option<Arc<Vec<Bytes>>>,
    /// `host` and the extra headers (`authorization`, `content-type`), parsed once.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Workload {
    pub fn get(addr: SocketAddr, paths: Vec<String>) -> Workload {
        Workload {
            addr,
            method: Method::GET,
            paths: Arc::new(paths),
            bodies: None,
            headers: vec![(
                HeaderName::from_static("host"),
                HeaderValue::from_str(&addr.to_string()).expect("an address is a valid host"),
            )],
        }
    }

    /// Adds a header the bench itself writes; panics on a name or value HTTP does not
    /// allow (see [`Workload::try_header`] for one a user gave).
    pub fn header(self, name: &str, value: impl AsRef<str>) -> Self {
        self.try_header(name, value.as_ref())
            .expect("a valid header name and value")
    }

    /// Adds a header, or says that HTTP does not allow its name or value.
    pub fn try_header(mut self, name: &str, value: &str) -> anyhow::Result<Self> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| anyhow::anyhow!("`{name}` is not a header name"))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| anyhow::anyhow!("`{value}` is not a header value"))?;
        self.headers.push((name, value));
        Ok(self)
    }

    /// Request `i` (cycling through the paths and bodies).
    pub fn request(&self, i: usize) -> Request<Full<Bytes>> {
        let path = &self.paths[i % self.paths.len()];
        let body = match &self.bodies {
            Some(bodies) => bodies[i % bodies.len()].clone(),
            None => Bytes::new(),
        };
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(path.as_str());
        for (name, value) in &self.headers {
            builder = builder.header(name.clone(), value.clone());
        }
        builder.body(Full::new(body)).expect("a valid request")
    }
}

/// One measurement: requests completed inside the window, their latencies (ns).
#[derive(Clone)]
pub struct Sample {
    pub requests: u64,
    /// Answers that were not 2xx (and transport errors).
    pub errors: u64,
    pub window: Duration,
    pub latency: Histogram<u64>,
    /// CPU time of this whole process (load generator and in-process server) over the
    /// run, warm-up included, and the requests answered in that time: CPU per request
    /// hardly moves when other work on the machine takes cores away, throughput does.
    pub cpu: Duration,
    pub answered: u64,
}

impl Sample {
    pub fn empty() -> Sample {
        Sample {
            requests: 0,
            errors: 0,
            window: Duration::ZERO,
            latency: new_histogram(),
            cpu: Duration::ZERO,
            answered: 0,
        }
    }

    /// Process CPU time per answered request, in microseconds.
    pub fn cpu_per_request_us(&self) -> f64 {
        if self.answered == 0 {
            0.0
        } else {
            self.cpu.as_secs_f64() * 1e6 / self.answered as f64
        }
    }

    pub fn rate(&self) -> f64 {
        if self.window.is_zero() {
            0.0
        } else {
            self.requests as f64 / self.window.as_secs_f64()
        }
    }

    /// Adds another sample's latencies and counts (for reports over several rounds).
    pub fn merge(&mut self, other: &Sample) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.window += other.window;
        self.cpu += other.cpu;
        self.answered += other.answered;
        let _ = self.latency.add(&other.latency);
    }

    /// A quantile of the latency, in microseconds.
    pub fn quantile_us(&self, q: f64) -> f64 {
        self.latency.value_at_quantile(q) as f64 / 1000.0
    }
}

/// A histogram of nanoseconds from 1 µs to 100 s, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1_000, 100_000_000_000, 3).expect("valid histogram bounds")
}

/// User + system CPU time of this process so far (from `/proc/self/stat`, clock ticks).
pub fn process_cpu() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name (which may hold spaces) start at `state`.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some(utime + stime)
        })
        .unwrap_or(0);
    // Linux reports in USER_HZ, 100 on every mainstream configuration.
    Duration::from_millis(ticks * 10)
}

/// The engine's own keep-alive connection to the mock, so both measure one client.
pub use kustomer_workflow::actions::mock_client::connect;

/// Sends one request and reads the whole answer: (status, body).
pub async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(u16, Bytes)> {
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// Runs `workload` on `connections` connections: `warmup` unmeasured, then `duration`
/// measured (requests that start and end inside the window count).
pub async fn run(
    workload: &Workload,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Sample> {
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = process_cpu();
    let start = Instant::now() + Duration::from_millis(20);
    let from = start + warmup;
    let until = from + duration;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let mut sender = connect(workload.addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to {}: {e}", workload.addr))?;
        let workload = workload.clone();
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut sample = Sample::empty();
            tokio::time::sleep_until(start.into()).await;
            loop {
                let request = workload.request(next.fetch_add(1, Ordering::Relaxed));
                let began = Instant::now();
                if began >= until {
                    break;
                }
                let outcome = send(&mut sender, request).await;
                let ended = Instant::now();
                if outcome.is_ok() {
                    sample.answered += 1;
                }
                if began < from || ended > until {
                    if outcome.is_err() {
                        // A broken connection: reconnect and go on.
                        match connect(workload.addr).await {
                            Ok(s) => sender = s,
                            Err(_) => break,
                        }
                    }
                    continue;
                }
                match outcome {
                    Ok((status, _)) if (200..300).contains(&status) => {
                        sample.requests += 1;
                        let _ = sample
                            .latency
                            .record((ended - began).as_nanos().max(1000) as u64);
                    }
                    Ok(_) => sample.errors += 1,
                    Err(_) => {
                        sample.errors += 1;
                        match connect(workload.addr).await {
                            Ok(s) => sender = s,
                            Err(_) => break,
                        }
                    }
                }
            }
            sample
        }));
    }
    let mut total = Sample::empty();
    for task in tasks {
        let sample = task.await?;
        total.merge(&sample);
    }
    total.window = duration;
    total.cpu = process_cpu().saturating_sub(cpu_before);
    Ok(total)
}
