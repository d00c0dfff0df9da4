//! The markdown the bench prints and writes into BENCHMARKS.md (between its markers), so
//! every figure there is copied from a run, never retyped.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::Settings;
use crate::api::{ApiResults, GET_ONE, PUT_ONE};
use crate::peers::PeerResult;
use crate::scale::ScaleResults;
use crate::startup::StartupResults;
use crate::stats::{self, median, quantile};
use crate::workflow::WorkflowResults;

/// The machine, the date, the commit and the toolchain.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    let huge_pages = transparent_huge_pages();
    let commit = run_text("git", &["rev-parse", "--short", "HEAD"]);
    // BENCHMARKS.md itself is rewritten by every run: only other changes make the code
    // measured differ from the commit.
    let dirty = !run_text(
        "git",
        &[
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":(exclude)BENCHMARKS.md",
        ],
    )
    .is_empty();
    let rustc = run_text("rustc", &["--version"]);
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    format!(
        "- Date: {date}\n- Commit: `{commit}`{}\n- Machine: {cores} cores ({cpu}), {memory} RAM, Linux {kernel}, transparent huge pages: {huge_pages}\n- Toolchain: {rustc}, release profile\n",
        if dirty {
            " (with uncommitted changes)"
        } else {
            ""
        }
    )
}

/// The host's THP mode (`always`, `madvise` or `never`), recorded with the machine: huge
/// pages move the workflow bursts (docs/perf-history.md, round 7), and this process turns
/// them off for itself only where the kernel lets it.
fn transparent_huge_pages() -> String {
    std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
        .ok()
        .and_then(|modes| {
            let (_, rest) = modes.split_once('[')?;
            Some(rest.split_once(']')?.0.to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn run_text(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir(crate::setup::repo_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn settings_line(settings: &Settings) -> String {
    format!(
        "- Method: {} round(s) per cell, each {:.1} s measured after {:.1} s of warm-up; cells measured round-robin; requests/s is the median of the rounds (min–max shown), latencies are over every request of every round. Load generator: `kmock-bench` (hyper HTTP/1.1 keep-alive connections, HDR histogram), in the same process as the in-process servers, sharing the 2-core tokio runtime.\n",
        settings.rounds,
        settings.duration.as_secs_f64(),
        settings.warmup.as_secs_f64()
    )
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
}

fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.0} ms")
    }
}

/// A ratio held against a target: three decimals, so one just under 0.25 does not show
/// as 0.25 beside "not met".
fn times(ratio: f64) -> String {
    format!("{ratio:.3} ×")
}

fn ok(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

/// The `make bench` section.
pub fn main_section(
    settings: &Settings,
    api: Option<&ApiResults>,
    workflow: Option<&WorkflowResults>,
    startup: Option<&StartupResults>,
    scale: Option<&ScaleResults>,
    loops: Option<&[std::time::Duration]>,
    dashboard: Option<&crate::dashboard::DashboardResults>,
) -> String {
    let mut out = String::new();
    out.push_str(&machine());
    out.push_str(&settings_line(settings));
    let mut targets: Vec<(String, String, bool)> = Vec::new();

    if let Some(api) = api {
        out.push_str("\n### API\n\n");
        out.push_str("Authenticated as `acme-admin`; 1000 conversations in the store; rate limits set out of reach. `PUT` sets `{\"priority\": n}` (a change every time: `rev`, history, an update event with `changes`). The list answers 100 conversations per page.\n\n");
        out.push_str("CPU/req is the CPU time of the whole bench process (load generator and server) per answered request: it moves much less than requests/s when other work takes cores away.\n\n");
        out.push_str("| Server | Request | Journal | Conns | req/s (median) | min–max | p50 | p99 | × baseline | CPU/req | errors |\n|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for cell in &api.cells {
            let merged = cell.rounds.merged();
            let base = api.baseline(cell.connections);
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {:.0} | {:.0}–{:.0} | {:.0} µs | {:.0} µs | {} | {:.1} µs | {} |",
                cell.target,
                cell.endpoint,
                match cell.journal {
                    Some(true) => "on",
                    Some(false) => "off",
                    None => "–",
                },
                cell.connections,
                cell.rounds.rate(),
                cell.rounds.min_rate(),
                cell.rounds.max_rate(),
                merged.quantile_us(0.5),
                merged.quantile_us(0.99),
                if cell.target == "baseline" {
                    "1".to_string()
                } else {
                    format!("{:.2}", cell.rounds.rate() / base)
                },
                cell.rounds.cpu_per_request_us(),
                cell.rounds.errors()
            );
        }
        let base = api.baseline(32);
        for journal in [true, false] {
            let get = api.find("mock", GET_ONE, Some(journal), 32) / base;
            let put = api.find("mock", PUT_ONE, Some(journal), 32) / base;
            let j = if journal { "on" } else { "off" };
            targets.push((
                format!("Authenticated GET at 32 connections ≥ 0.5 × baseline (journal {j})"),
                times(get),
                get >= 0.5,
            ));
            targets.push((
                format!("PUT with events at 32 connections ≥ 0.3 × baseline (journal {j})"),
                times(put),
                put >= 0.3,
            ));
        }
    }

    if let Some(wf) = workflow {
        let put = api
            .map(|a| a.find("mock", PUT_ONE, Some(true), 32))
            .unwrap_or(0.0);
        let rate = wf.rate();
        let burst: Vec<f64> = wf
            .bursts
            .iter()
            .flat_map(|b| b.latencies_ms.iter().copied())
            .collect();
        let spread = |bursts: &[crate::workflow::Burst]| {
            let rates: Vec<f64> = bursts.iter().map(|b| b.rate()).collect();
            format!(
                "{:.0} ({:.0}–{:.0})",
                median(&rates),
                stats::min(&rates),
                stats::max(&rates)
            )
        };
        out.push_str("\n### Workflow end to end\n\n");
        let _ = writeln!(
            out,
            "`close-on-tag` installed (harness: journal on, events, engine, REST step over loopback HTTP). Burst: {} open conversations each get the `auto-close` tag (`POST /v1/conversations/{{id}}/tags`, 32 connections); timed from the first tag request to the last conversation done (each closing run also causes one not-matched run on the workflow's own update); each variant on one harness that serves all of its bursts, as the API cells' servers serve all of theirs: its first (cold) burst warms it and is reported apart, since it also pays for the fresh harness growing its journal, event log and run book; then {} rounds, fresh conversations each (a burst lasts about half a second). CPU per closing is the CPU time of the whole bench process (load generator, server, engine) over the burst. One at a time: {} tags in a row, each timed from the request to its conversation being done.\n",
            wf.conversations,
            wf.bursts.len(),
            wf.sequential_ms.len() / wf.bursts.len().max(1)
        );
        out.push_str("| Measure | Value |\n|---|--:|\n");
        let _ = writeln!(
            out,
            "| Completed runs/s, burst (median; min–max) | {} |",
            spread(&wf.bursts)
        );
        let _ = writeln!(
            out,
            "| Completed runs/s, burst with the run book full ({} kept; median; min–max) | {} |",
            crate::workflow::FULL_BOOK_KEPT,
            spread(&wf.full_book)
        );
        let _ = writeln!(
            out,
            "| Completed runs/s, the cold burst of a fresh harness (every run kept; CPU per closing) | {:.0} ({:.0} µs) |",
            wf.cold.rate(),
            wf.cold.cpu_per_run_us()
        );
        let cpu: Vec<f64> = wf.bursts.iter().map(|b| b.cpu_per_run_us()).collect();
        let _ = writeln!(
            out,
            "| CPU per closing, burst (median; min–max) | {:.0} µs ({:.0}–{:.0}) |",
            median(&cpu),
            stats::min(&cpu),
            stats::max(&cpu)
        );
        let _ = writeln!(
            out,
            "| Raw `PUT` req/s, 32 connections, journal on (same run) | {put:.0} |"
        );
        let _ = writeln!(out, "| Runs/s ÷ PUT/s | {:.3} |", rate / put.max(1.0));
        let _ = writeln!(
            out,
            "| Tag → done, one at a time: p50 / p99 | {} / {} |",
            ms(quantile(&wf.sequential_ms, 0.5)),
            ms(quantile(&wf.sequential_ms, 0.99))
        );
        let _ = writeln!(
            out,
            "| Tag → done within the burst (queueing included): p50 / p99 | {} / {} |",
            ms(quantile(&burst, 0.5)),
            ms(quantile(&burst, 0.99))
        );
        let _ = writeln!(
            out,
            "| RSS of a busy server: example workflows, after {} create → tag → close cycles in batches of {} (fresh process; event log, journal and run book at their bounds) | {} → {} |",
            wf.memory.closings,
            crate::workflow::MEMORY_BATCH,
            mib(wf.memory.rss_before),
            mib(wf.memory.rss_after)
        );
        if put > 0.0 {
            targets.push((
                "Workflow runs/s ≥ 0.25 × raw PUT/s".into(),
                times(rate / put),
                rate / put >= 0.25,
            ));
        }
    }

    if let Some(st) = startup {
        out.push_str("\n### Start-up\n\n");
        out.push_str("| What | median | p90 | min | runs |\n|---|--:|--:|--:|--:|\n");
        for (what, values) in [
            (
                "In-process `MockServer` (acme fixtures): `start()` → first `GET` answered",
                &st.server,
            ),
            (
                "In-process `Harness` (+ engine, `close-on-tag`): `start()` → first `GET` answered",
                &st.harness,
            ),
            (
                "`kmock run fixtures/scenarios/close-on-tag.json`, whole process",
                &st.kmock_run,
            ),
        ] {
            let v = stats::millis(values);
            let _ = writeln!(
                out,
                "| {what} | {} | {} | {} | {} |",
                ms(median(&v)),
                ms(quantile(&v, 0.9)),
                ms(stats::min(&v)),
                v.len()
            );
        }
        let m = median(&stats::millis(&st.server));
        targets.push((
            "In-process start → first response, median < 5 ms".into(),
            ms(m),
            m < 5.0,
        ));
    }

    if let Some(sc) = scale {
        out.push_str("\n### Scale\n\n");
        out.push_str("Memory: each size in a fresh process (`kmock-bench scale-child`): a server with the acme fixtures, then N conversations created through the store (each emits its create event; the event log keeps the last 10 000), then a row where each conversation also gets its messages (an inbound email, then replies, each updating its conversation and emitting two events), and one of KObjects alone (the `order` klass, with custom attributes). RSS from `/proc/self/status`.\n\n");
        out.push_str("| Conversations | Messages each | KObjects | RSS before | RSS after | (after − before) / records |\n|--:|--:|--:|--:|--:|--:|\n");
        for m in &sc.memory {
            let records = (m.conversations + m.kobjects).max(1);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {:.0} B |",
                m.conversations,
                m.messages_each,
                m.kobjects,
                mib(m.rss_before),
                mib(m.rss_after),
                (m.rss_after.saturating_sub(m.rss_before)) as f64 / records as f64
            );
        }
        let plain: Vec<&crate::scale::Memory> = sc
            .memory
            .iter()
            .filter(|m| m.messages_each == 0 && m.kobjects == 0)
            .collect();
        if let [small, big] = plain[..] {
            let marginal = big.rss_after.saturating_sub(small.rss_after) as f64
                / (big.conversations - small.conversations) as f64;
            let _ = writeln!(
                out,
                "\nMarginal cost from {} to {} conversations (the event log is full at both): {marginal:.0} B per conversation.",
                small.conversations, big.conversations
            );
        }
        let at_100k = |each: usize| {
            sc.memory
                .iter()
                .find(|m| m.conversations == 100_000 && m.messages_each == each)
        };
        if let Some(k) = sc.memory.iter().find(|m| m.kobjects == 100_000) {
            targets.push((
                "100k KObjects < 300 MB RSS".into(),
                mib(k.rss_after),
                (k.rss_after as f64) < 300e6,
            ));
        }
        if let Some(big) = at_100k(0) {
            targets.push((
                "100k conversations < 300 MB RSS".into(),
                mib(big.rss_after),
                (big.rss_after as f64) < 300e6,
            ));
        }
        if let Some(big) = at_100k(crate::scale::MESSAGES_EACH) {
            targets.push((
                format!(
                    "100k conversations with {} messages each < 600 MB RSS",
                    crate::scale::MESSAGES_EACH
                ),
                mib(big.rss_after),
                (big.rss_after as f64) < 600e6,
            ));
        }
        out.push_str("\n`GET /v1/conversations/{id}` over every conversation of the store (shuffled), two servers side by side, measured round-robin:\n\n");
        out.push_str("| Conns | 100: req/s | 100: p50 / p99 | 100k: req/s | 100k: p50 / p99 | p99 100k ÷ 100 |\n|--:|--:|--:|--:|--:|--:|\n");
        for connections in [1, 32] {
            let (Some(small), Some(big)) = (
                sc.latency(100, connections),
                sc.latency
                    .iter()
                    .find(|l| l.conversations != 100 && l.connections == connections),
            ) else {
                continue;
            };
            let (s, b) = (small.rounds.merged(), big.rounds.merged());
            let ratio = b.quantile_us(0.99) / s.quantile_us(0.99);
            let _ = writeln!(
                out,
                "| {connections} | {:.0} | {:.0} / {:.0} µs | {:.0} | {:.0} / {:.0} µs | {ratio:.2} |",
                small.rounds.rate(),
                s.quantile_us(0.5),
                s.quantile_us(0.99),
                big.rounds.rate(),
                b.quantile_us(0.5),
                b.quantile_us(0.99),
            );
            targets.push((
                format!(
                    "GET p99 with {} conversations ≤ 1.5 × with 100 ({connections} conn)",
                    big.conversations
                ),
                format!("{ratio:.2} ×"),
                ratio <= 1.5,
            ));
        }
        let search = sc.search.rounds.merged();
        let p99_ms = search.quantile_us(0.99) / 1000.0;
        let _ = writeln!(
            out,
            "
`POST /v1/customers/search` with a two-clause `and` (`{}`) over {} conversations, 1 connection: {:.0} req/s, p50 / p99 {:.1} / {p99_ms:.1} ms.",
            crate::scale::SEARCH_BODY,
            sc.search.conversations,
            sc.search.rounds.rate(),
            search.quantile_us(0.5) / 1000.0,
        );
        targets.push((
            format!(
                "Search over {} conversations, two-clause `and`, p99 < 50 ms",
                sc.search.conversations
            ),
            format!("{p99_ms:.1} ms"),
            p99_ms < 50.0,
        ));
    }

    if let Some(loops) = loops {
        let v = stats::millis(loops);
        out.push_str("\n### Loop guard\n\n");
        out.push_str("The naive workflow (`fixtures/stories/infinite-loop.json`, its condition only checks that the tag is present) with the guard on (maxRepeats 3): from the tag request to the system settled with the loop halted and explained.\n\n");
        out.push_str("| What | median | p90 | min | runs |\n|---|--:|--:|--:|--:|\n");
        let _ = writeln!(
            out,
            "| Trigger → loop guard halts the naive workflow | {} | {} | {} | {} |",
            ms(median(&v)),
            ms(quantile(&v, 0.9)),
            ms(stats::min(&v)),
            v.len()
        );
    }

    if let Some(dashboard) = dashboard {
        let v = stats::millis(&dashboard.first_views);
        out.push_str("\n### Dashboard\n\n");
        let _ = writeln!(
            out,
            "The first view of the dashboard with {} runs kept: `GET /`, its script and `GET /__admin/tree?limit=100` (the causal tree built from everything kept), on a new connection each time.\n",
            crate::dashboard::RUNS_KEPT
        );
        out.push_str("| What | median | p90 | max | views |\n|---|--:|--:|--:|--:|\n");
        let worst = v.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "| First dashboard view, 10,000 runs kept | {} | {} | {} | {} |",
            ms(median(&v)),
            ms(quantile(&v, 0.9)),
            ms(worst),
            v.len()
        );
        targets.push((
            "First dashboard view with 10,000 runs kept (p90) < 200 ms".into(),
            ms(quantile(&v, 0.9)),
            quantile(&v, 0.9) < 200.0,
        ));
        let r = stats::millis(&dashboard.refreshes);
        let _ = writeln!(
            out,
            "\nThe live view under load: renames at 1,000 a second for 3 s ({:.0} events/s published) while following `GET /__admin/dashboard/stream` as the page does, one `GET /__admin/tree?limit=100` per change message, never two at once.\n",
            dashboard.events_per_second
        );
        out.push_str("| What | messages/s | refresh median | refresh p90 | refreshes |\n|---|--:|--:|--:|--:|\n");
        let _ = writeln!(
            out,
            "| Live view at 1,000 renames/s | {:.1} | {} | {} | {} |",
            dashboard.messages_per_second,
            ms(median(&r)),
            ms(quantile(&r, 0.9)),
            r.len()
        );
        targets.push((
            "Live view at 1,000 events/s: refresh p90 < 250 ms (one stream tick)".into(),
            ms(quantile(&r, 0.9)),
            !r.is_empty() && quantile(&r, 0.9) < 250.0,
        ));
    }

    if !targets.is_empty() {
        out.push_str("\n### Targets\n\n| Target | Measured | |\n|---|--:|---|\n");
        for (what, value, met) in targets {
            let _ = writeln!(out, "| {what} | {value} | {} |", ok(met));
        }
    }
    out
}

/// The `make bench-peers` section.
pub fn peers_section(settings: &Settings, results: &[PeerResult]) -> String {
    let mut out = String::new();
    out.push_str(&machine());
    let _ = writeln!(
        out,
        "- Method: each server is its own process. Start-up: spawn → first `200` with the expected body (polled every 0.25 ms), median of {} starts. Throughput: every server running side by side, each warmed for {:.0} s, then {} round(s) of {:.1} s (after {:.1} s warm-up) per connection count, round-robin; the same `kmock-bench` load generator and connections for all.",
        settings.peer_startups,
        settings.peer_warmup.as_secs_f64(),
        settings.rounds,
        settings.duration.as_secs_f64(),
        settings.warmup.as_secs_f64()
    );
    let ours = results.first();
    out.push_str("\n| Server | Version | Body | Start-up (median) | 1 conn: req/s | 1 conn: p99 | 32 conns: req/s | 32 conns: p99 | our req/s ÷ theirs (1 / 32) | their start-up ÷ ours |\n|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
    let mut targets: Vec<(String, String, bool)> = Vec::new();
    for (i, r) in results.iter().enumerate() {
        if let Some(why) = &r.failure {
            let _ = writeln!(
                out,
                "| {} | {} | – | – | – | – | – | – | not measured: {} | – |",
                r.spec.name,
                r.spec.version.as_deref().unwrap_or("–"),
                why.replace('|', "\\|").replace('\n', " ")
            );
            continue;
        }
        let cell = |c: usize| {
            (
                r.rate(c)
                    .map(|v| format!("{v:.0}"))
                    .unwrap_or_else(|| "–".into()),
                r.p99_us(c)
                    .map(|v| format!("{v:.0} µs"))
                    .unwrap_or_else(|| "–".into()),
            )
        };
        let ((r1, p1), (r32, p32)) = (cell(1), cell(32));
        let (ratio, startup_ratio) = match ours {
            Some(o) if i > 0 && o.failure.is_none() => {
                let ratio = |c| match (o.rate(c), r.rate(c)) {
                    (Some(a), Some(b)) if b > 0.0 => a / b,
                    _ => 0.0,
                };
                let (x1, x32) = (ratio(1), ratio(32));
                let s = r.startup_ms() / o.startup_ms();
                // The requests/s ratio is reported, not judged: issue 24 withdrew the
                // "10 × the peers" target (on 2 cores it lies above the bare axum baseline).
                targets.push((
                    format!("start-up ≥ 20 × faster than {}", r.spec.name),
                    format!("{s:.1} ×"),
                    s >= 20.0,
                ));
                (format!("{x1:.1} × / {x32:.1} ×"), format!("{s:.1} ×"))
            }
            _ => ("–".into(), "–".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} B{} | {} | {r1} | {p1} | {r32} | {p32} | {ratio} | {startup_ratio} |",
            r.spec.name,
            r.spec.version.as_deref().unwrap_or("–"),
            r.body_bytes,
            if r.same_body { "" } else { " (differs!)" },
            ms(r.startup_ms()),
        );
    }
    if !targets.is_empty() {
        out.push_str("\n| Target | Measured | |\n|---|--:|---|\n");
        for (what, value, met) in targets {
            let _ = writeln!(out, "| {what} | {value} | {} |", ok(met));
        }
    }
    out
}

/// Replaces the text between `<!-- kmock-bench:NAME:start -->` and its end marker in
/// `file` (appending a new section when the markers are missing).
pub fn write_section(file: &Path, name: &str, title: &str, body: &str) -> std::io::Result<()> {
    let start = format!("<!-- kmock-bench:{name}:start -->");
    let end = format!("<!-- kmock-bench:{name}:end -->");
    // Only a missing file starts empty: one that cannot be read is not replaced.
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let block = format!("{start}\n{body}{end}");
    let updated = match (text.find(&start), text.find(&end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{block}{}", &text[..a], &text[b + end.len()..])
        }
        _ => format!("{}\n## {title}\n\n{block}\n", text.trim_end()),
    };
    std::fs::write(file, updated)
}
