//! The human report `kmock run` prints.

use std::fmt::Write;

use super::Report;
use super::tree::{render, short};

/// Renders a report as text.
pub fn render_report(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.scenario;
    let _ = writeln!(out, "Scenario {} ({})", s.name, s.file);
    if let Some(description) = &s.description {
        let _ = writeln!(out, "  {description}");
    }

    let _ = writeln!(out, "\nSteps");
    for step in &report.steps {
        let status = step.status.map(|s| format!(" → {s}")).unwrap_or_default();
        let _ = writeln!(out, "  {}. {}{status}", step.index + 1, step.description);
    }

    let _ = writeln!(out, "\nCausal tree");
    if report.tree.is_empty() {
        let _ = writeln!(out, "  (nothing happened)");
    }
    for line in render(&report.tree).lines() {
        let _ = writeln!(out, "  {line}");
    }

    let _ = writeln!(out, "\nRuns ({})", report.runs.len());
    for run in &report.runs {
        let _ = writeln!(
            out,
            "  {} on {} [{}]: {}",
            run.workflow.name,
            short(&run.record.to_hex()),
            short(&run.id),
            run.summary
        );
        for t in run.trigger.iter() {
            let name = t
                .name
                .as_deref()
                .map(|n| format!(" “{n}”"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    trigger{name} → {}",
                if t.holds { "held" } else { "did not hold" }
            );
        }
        for step in &run.steps {
            let action = step.action.as_deref().unwrap_or("no action");
            let result = match (&step.error, &step.output) {
                (Some(e), _) => format!("error: {}", e["message"].as_str().unwrap_or("failed")),
                // A REST output: show the HTTP status.
                (None, Some(o)) if o.get("response").is_some() => format!("{}", o["status"]),
                (None, Some(_)) => "ok".to_string(),
                (None, None) => "branched".to_string(),
            };
            let next = step
                .next
                .as_deref()
                .map(|n| format!(" → next {n}"))
                .unwrap_or_default();
            let _ = writeln!(out, "    step {} ({action}): {result}{next}", step.id);
        }
        if let Some(explanation) = &run.explanation {
            let _ = writeln!(out, "    why: {explanation}");
        }
    }

    let _ = writeln!(out, "\nLoops ({})", report.loops.len());
    for l in &report.loops {
        let _ = writeln!(out, "  {}", l.explanation);
    }
    if report.loops.is_empty() {
        let _ = writeln!(out, "  none detected");
    }

    let _ = writeln!(out, "\nExpectations");
    if report.expectations.is_empty() {
        let _ = writeln!(out, "  (none)");
    }
    for e in &report.expectations {
        if e.passed {
            let _ = writeln!(out, "  ✓ {}", e.description);
        } else {
            let _ = writeln!(out, "  ✗ {}", e.failure_line());
        }
    }

    let sum = &report.summary;
    let runs: Vec<String> = sum
        .runs
        .iter()
        .map(|(state, n)| format!("{n} {state}"))
        .collect();
    let _ = writeln!(
        out,
        "\n{} requests, {} events, {} runs ({}), {} loop(s)",
        sum.requests,
        sum.events,
        report.runs.len(),
        if runs.is_empty() {
            "none".into()
        } else {
            runs.join(", ")
        },
        sum.loops
    );
    let total = sum.expectations_passed + sum.expectations_failed;
    let _ = writeln!(
        out,
        "{} — {} of {total} expectation(s) hold",
        if report.passed { "PASSED" } else { "FAILED" },
        sum.expectations_passed
    );
    out
}
