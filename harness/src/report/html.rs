//! Self-contained HTML reports (`kmock run --html FILE`, `kmock test --html DIR`): the
//! views of the dashboard (causal tree, loops, runs with their trigger and steps,
//! expectations) rendered once, with the stylesheet inline and no script, so a CI
//! artifact opens from a file with the network off. maud escapes every value.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use super::Report;
use super::tree::{Node, short};
use crate::dashboard::assets::CSS;
use crate::workflow::{LoopRecord, Run, RunState};

/// One line of the index page `kmock test --html DIR` writes.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    pub name: String,
    /// The report's file name inside DIR (absent when the scenario did not run).
    pub href: Option<String>,
    pub passed: bool,
    /// Why it failed, in one line.
    pub detail: Option<String>,
}

fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.top { h1 { (title) } }
                main { (body) }
            }
        }
    }
    .into_string()
}

fn badge(passed: bool) -> Markup {
    html! {
        @if passed { span.badge.pass { "PASSED" } } @else { span.badge.fail { "FAILED" } }
    }
}

/// Whether an answer's status is one a reader must notice.
pub fn alert_status(status: u16) -> bool {
    matches!(status, 401 | 403 | 429)
}

fn node_line(node: &Node) -> Markup {
    match node {
        Node::Request {
            method,
            path,
            key,
            status,
            ..
        } => {
            let key = key.as_deref().unwrap_or("no key");
            let alert = alert_status(*status) || *status >= 500;
            html! { span.node.request.alert[alert] { (method) " " (path) " [" (key) "] → " (status) } }
        }
        Node::Event {
            name,
            data_id,
            rev,
            changed,
            ..
        } => html! {
            span.node.event {
                "event " (name) " " (short(&data_id.to_hex()))
                @if let Some(rev) = rev { " rev " (rev) }
                @if !changed.is_empty() { " (" (changed.join(", ")) ")" }
            }
        },
        Node::Run {
            workflow,
            state,
            summary,
            ..
        } => {
            let halted = *state == RunState::Halted;
            let failed = *state == RunState::Failed;
            let detail = summary.split_once(": ").map(|(_, d)| d).unwrap_or(summary);
            html! { span.node.run.loop[halted].failed[failed] { "run " (workflow) " → " (state.as_str()) ": " (detail) } }
        }
        Node::Step {
            id,
            action,
            outcome,
            ..
        } => {
            let failed = outcome.starts_with("error");
            html! {
                span.node.step.failed[failed] {
                    "step " (id)
                    @if let Some(action) = action { " (" (action) ")" }
                    " → " (outcome)
                }
            }
        }
    }
}

fn children(node: &Node) -> &[Node] {
    match node {
        Node::Request { children, .. }
        | Node::Event { children, .. }
        | Node::Run { children, .. }
        | Node::Step { children, .. } => children,
    }
}

/// Whether anything under the node is a problem (a loop, a failure, a 401/403/429).
pub fn has_problem(node: &Node) -> bool {
    let own = match node {
        Node::Request { status, .. } => alert_status(*status) || *status >= 500,
        Node::Run { state, .. } => matches!(state, RunState::Halted | RunState::Failed),
        Node::Step { outcome, .. } => outcome.starts_with("error"),
        Node::Event { .. } => false,
    };
    own || children(node).iter().any(has_problem)
}

/// The causal tree, one bordered block per root.
pub fn tree_markup(nodes: &[Node]) -> Markup {
    fn item(node: &Node) -> Markup {
        html! {
            li {
                (node_line(node))
                @if !children(node).is_empty() {
                    ul { @for child in children(node) { (item(child)) } }
                }
            }
        }
    }
    html! {
        @for root in nodes {
            div.root.problem[has_problem(root)] { ul.tree { (item(root)) } }
        }
    }
}

/// The loop records, red, each with its explanation and fix.
pub fn loops_markup(loops: &[LoopRecord]) -> Markup {
    html! {
        @for l in loops {
            div.loop-box {
                strong { "Loop: " (l.workflow.name) " on " (short(&l.record.to_hex())) " (" (l.reason) ", depth " (l.depth) ", " (l.repeats) " fires)" }
                p { (l.explanation) }
            }
        }
    }
}

fn json_text(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// One run: its trigger transitions with the values seen, its steps with resolved
/// params (secure values already masked by the engine), output, error, timing, and the
/// branch taken.
pub fn run_markup(run: &Run) -> Markup {
    let problem = matches!(run.state, RunState::Halted | RunState::Failed);
    html! {
        details.panel open[problem] {
            summary {
                span.node.run.loop[run.state == RunState::Halted].failed[run.state == RunState::Failed] {
                    (run.workflow.name) " → " (run.state.as_str())
                }
                " " span.muted { "on " (short(&run.record.to_hex())) " · " (run.summary) }
            }
            @if let Some(explanation) = &run.explanation { p.result.error { (explanation) } }
            h3 { "Trigger" }
            table {
                tr { th { "#" } th { "transition" } th { "held" } th { "condition, with the values seen" } }
                @for t in run.trigger.iter() {
                    tr {
                        td { (t.index) }
                        td { (t.name.as_deref().unwrap_or(&t.target)) }
                        td { @if t.holds { span.held { "held" } } @else { span.not-held { "did not hold" } } }
                        td { @if let Some(c) = &t.condition { pre { (json_text(&serde_json::to_value(c).unwrap_or(Value::Null))) } } @else { "(always)" } }
                    }
                }
            }
            h3 { "Steps" }
            table {
                tr { th { "step" } th { "params (secrets masked)" } th { "output / error" } th { "next" } th { "time" } }
                @for s in &run.steps {
                    tr {
                        td { code { (s.id) } br; (s.action.as_deref().unwrap_or("no action")) }
                        td { pre { (json_text(s.params.value())) } }
                        td {
                            @if let Some(e) = &s.error { pre.result.error { (json_text(e)) } }
                            @if let Some(o) = &s.output { pre { (json_text(o.value())) } }
                        }
                        td {
                            @for t in &s.transitions {
                                div.held[t.holds].not-held[!t.holds] {
                                    (t.name.as_deref().unwrap_or(&t.target)) @if t.holds { " ✓" }
                                }
                            }
                            @if let Some(next) = &s.next { "→ " code { (next) } }
                        }
                        td { (s.started_at.to_string()) @if let Some(ms) = s.elapsed_ms { br; (format!("{ms:.1} ms")) } }
                    }
                }
            }
        }
    }
}

/// A scenario's report as one HTML page.
pub fn render_report(report: &Report) -> String {
    let s = &report.scenario;
    let body = html! {
        p { (badge(report.passed)) " " code { (s.file) } }
        @if let Some(d) = &s.description { p { (d) } }
        h2 { "Steps" }
        ol { @for step in &report.steps {
            li { (step.description) @if let Some(status) = step.status { " → " span.node.request.alert[alert_status(status)] { (status) } } }
        } }
        h2 { "Loops (" (report.loops.len()) ")" }
        @if report.loops.is_empty() { p.muted { "none detected" } }
        (loops_markup(&report.loops))
        h2 { "Causal tree" }
        @if report.tree.is_empty() { p.muted { "(nothing happened)" } }
        (tree_markup(&report.tree))
        h2 { "Runs (" (report.runs.len()) ")" }
        @for run in &report.runs { (run_markup(run)) }
        h2 { "Expectations" }
        @if report.expectations.is_empty() { p.muted { "(none)" } }
        ul { @for e in &report.expectations {
            li { @if e.passed { span.held { "✓ " } (e.description) } @else { span.result.error { "✗ " (e.failure_line()) } } }
        } }
    };
    page(&format!("Scenario {}", s.name), body)
}

/// The index of `kmock test --html DIR`.
pub fn render_index(entries: &[IndexEntry]) -> String {
    let passed = entries.iter().filter(|e| e.passed).count();
    let body = html! {
        p { (passed) " passed, " (entries.len() - passed) " failed" }
        table {
            tr { th { "scenario" } th { "result" } th { "detail" } }
            @for e in entries {
                tr {
                    td { @if let Some(href) = &e.href { a href=(href) { (e.name) } } @else { (e.name) } }
                    td { (badge(e.passed)) }
                    td { @if let Some(d) = &e.detail { span.result { (d) } } }
                }
            }
        }
    };
    page("kmock test", body)
}
