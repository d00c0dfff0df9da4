//! `kmock test [DIR]`: every scenario under DIR, one line each, then the totals.

use std::path::{Path, PathBuf};

use clap::Args;

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
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let shown = file.display().to_string();
        let scenario = match Scenario::load(&file) {
            Ok(s) => s,
            Err(e) => {
                println!("ERROR {shown}: {}: {}", e.path, e.message);
                failed += 1;
                continue;
            }
        };
        let outcome = match scenario.run().await {
            Ok(o) => o,
            Err(e) => {
                println!("ERROR {}: {}: {}", scenario.name, e.path, e.message);
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
        let count = outcome.report.expectations.len();
        if problems.is_empty() {
            println!("PASS {} ({count} expectation(s))", scenario.name);
            passed += 1;
        } else {
            println!("FAIL {}: {}", scenario.name, problems.join("; "));
            failed += 1;
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 { 0 } else { 1 }
}
