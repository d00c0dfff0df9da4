//! `kmock test [DIR]`: every scenario under DIR, one line each, then the totals; with
//! `--junit FILE` and `--html DIR`, the same results for CI.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use kustomer_harness::report::html::{self, IndexEntry};
use kustomer_harness::report::junit::{self, CaseOutcome, TestCase};
use kustomer_harness::report::text::render_report;
use kustomer_harness::scenario::Scenario;
use kustomer_harness::snapshot::{self, Mode};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The directory of scenarios (searched recursively for *.json).
    #[arg(value_name = "DIR", default_value = "fixtures/scenarios")]
    pub dir: PathBuf,
    /// Also check each scenario's journal against the snapshots in DIR.
    #[arg(long, value_name = "DIR")]
    pub snapshots: Option<PathBuf>,
    /// With --snapshots: rewrite them instead.
    #[arg(long, requires = "snapshots")]
    pub update: bool,
    /// Write JUnit XML to FILE: one testcase per scenario, a failed expectation is a
    /// `<failure>` holding the scenario's text report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write one self-contained HTML report per scenario, and index.html, into DIR.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
}

/// Every `*.json` under `dir`, sorted.
pub fn scenario_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| anyhow::anyhow!("{}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A file name for a scenario's HTML report: its name with anything but letters,
/// digits, `-` and `_` replaced.
fn html_name(scenario: &str) -> String {
    let stem: String = scenario
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.html")
}

/// Runs the command; returns the exit code.
pub async fn run(args: TestArgs) -> i32 {
    let files = match scenario_files(&args.dir) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("kmock: {message}");
            return 2;
        }
    };
    if files.is_empty() {
        eprintln!("kmock: no scenario (*.json) under {}", args.dir.display());
        return 2;
    }
    if let Some(dir) = &args.html
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("kmock: cannot create {}: {e}", dir.display());
        return 2;
    }
    let (mut passed, mut failed) = (0, 0);
    let mut cases: Vec<TestCase> = Vec::new();
    let mut index: Vec<IndexEntry> = Vec::new();
    for file in files {
        let shown = file.display().to_string();
        let started = Instant::now();
        let case = |name: &str, outcome: CaseOutcome| TestCase {
            name: name.to_string(),
            file: shown.clone(),
            seconds: started.elapsed().as_secs_f64(),
            outcome,
        };
        let scenario = match Scenario::load(&file) {
            Ok(s) => s,
            Err(e) => {
                let message = format!("{shown}: {}: {}", e.path, e.message);
                println!("ERROR {message}");
                cases.push(case(
                    &shown,
                    CaseOutcome::Error {
                        message: message.clone(),
                    },
                ));
                index.push(IndexEntry {
                    name: shown.clone(),
                    href: None,
                    passed: false,
                    detail: Some(message),
                });
                failed += 1;
                continue;
            }
        };
        let outcome = match scenario.run().await {
            Ok(o) => o,
            Err(e) => {
                let message = format!("{}: {}: {}", scenario.name, e.path, e.message);
                println!("ERROR {message}");
                cases.push(case(
                    &scenario.name,
                    CaseOutcome::Error {
                        message: message.clone(),
                    },
                ));
                index.push(IndexEntry {
                    name: scenario.name.clone(),
                    href: None,
                    passed: false,
                    detail: Some(message),
                });
                failed += 1;
                continue;
            }
        };
        let mut problems: Vec<String> = outcome
            .report
            .expectations
            .iter()
            .filter(|e| !e.passed)
            .map(|e| e.failure_line())
            .collect();
        if let Some(dir) = &args.snapshots {
            let mode = if args.update {
                Mode::Update
            } else {
                Mode::Check
            };
            match snapshot::apply(dir, &scenario.name, &outcome.journal.to_pretty_json(), mode) {
                Ok(result) if result.ok() => {}
                Ok(result) => problems.push(result.describe()),
                Err(e) => problems.push(format!("cannot write the snapshot: {e}")),
            }
        }
        let mut href = None;
        if let Some(dir) = &args.html {
            let name = html_name(&scenario.name);
            match std::fs::write(dir.join(&name), html::render_report(&outcome.report)) {
                Ok(()) => href = Some(name),
                Err(e) => problems.push(format!("cannot write the HTML report: {e}")),
            }
        }
        let count = outcome.report.expectations.len();
        if problems.is_empty() {
            println!("PASS {} ({count} expectation(s))", scenario.name);
            cases.push(case(&scenario.name, CaseOutcome::Passed));
            passed += 1;
        } else {
            let message = problems.join("; ");
            println!("FAIL {}: {message}", scenario.name);
            let text = render_report(&outcome.report);
            cases.push(case(
                &scenario.name,
                CaseOutcome::Failed {
                    message: message.clone(),
                    text,
                },
            ));
            failed += 1;
        }
        index.push(IndexEntry {
            name: scenario.name.clone(),
            href,
            passed: problems.is_empty(),
            detail: (!problems.is_empty()).then(|| problems.join("; ")),
        });
    }
    let mut code = if failed == 0 { 0 } else { 1 };
    if let Some(file) = &args.junit
        && let Err(e) = std::fs::write(file, junit::render("kmock test", &cases))
    {
        eprintln!("kmock: cannot write the JUnit file {}: {e}", file.display());
        code = 2;
    }
    if let Some(dir) = &args.html
        && let Err(e) = std::fs::write(dir.join("index.html"), html::render_index(&index))
    {
        eprintln!(
            "kmock: cannot write {}: {e}",
            dir.join("index.html").display()
        );
        code = 2;
    }
    println!("{passed} passed, {failed} failed");
    code
}
