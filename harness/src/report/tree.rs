//! The causal tree: request → events → runs → steps → requests → … built from the
//! journal, the event log and the runs. Children are ordered by causality (commit order
//! within a request, workflow order within an event, step order within a run), never by
//! arrival, so the same scenario always gives the same tree.

use std::collections::{HashMap, HashSet};

use kustomer_mock::JournalEntry;
use kustomer_mock::{Event, Id};
use serde::Serialize;
use serde_json::Value;

use crate::workflow::{LoopRecord, Run, RunState};

/// Everything a session left behind.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub journal: Vec<JournalEntry>,
    pub events: Vec<Event>,
    pub runs: Vec<Run>,
    pub loops: Vec<LoopRecord>,
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Node {
    #[serde(rename_all = "camelCase")]
    Request {
        id: Id,
        method: String,
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        status: u16,
        children: Vec<Node>,
    },
    #[serde(rename_all = "camelCase")]
    Event {
        id: Id,
        name: String,
        data_id: Id,
        #[serde(skip_serializing_if = "Option::is_none")]
        rev: Option<u64>,
        changed: Vec<String>,
        children: Vec<Node>,
    },
    #[serde(rename_all = "camelCase")]
    Run {
        id: String,
        workflow: String,
        state: RunState,
        summary: String,
        children: Vec<Node>,
    },
    #[serde(rename_all = "camelCase")]
    Step {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        outcome: String,
        children: Vec<Node>,
    },
}

struct Index<'a> {
    facts: &'a Facts,
    events_by_request: HashMap<Id, Vec<usize>>,
    native_events: HashMap<(String, String), Vec<usize>>,
    runs_by_event: HashMap<Id, Vec<usize>>,
    requests_by_step: HashMap<(String, String), Vec<usize>>,
    calls_by_run: HashMap<String, Vec<usize>>,
}

impl<'a> Index<'a> {
    fn new(facts: &'a Facts) -> Index<'a> {
        let journaled: HashSet<Id> = facts.journal.iter().map(|j| j.id).collect();
        let mut index = Index {
            facts,
            events_by_request: HashMap::new(),
            native_events: HashMap::new(),
            runs_by_event: HashMap::new(),
            requests_by_step: HashMap::new(),
            calls_by_run: HashMap::new(),
        };
        for (i, e) in facts.events.iter().enumerate() {
            match (e.mock.request_id, &e.mock.cause.run, &e.mock.cause.step) {
                (Some(r), _, _) if journaled.contains(&r) => {
                    index.events_by_request.entry(r).or_default().push(i)
                }
                (_, Some(run), Some(step)) => index
                    .native_events
                    .entry((run.clone(), step.clone()))
                    .or_default()
                    .push(i),
                _ => {}
            }
        }
        for (i, r) in facts.runs.iter().enumerate() {
            if r.event.name.ends_with(".call") {
                if let Some(parent) = &r.cause.parent_run {
                    index
                        .calls_by_run
                        .entry(parent.clone())
                        .or_default()
                        .push(i);
                }
            } else {
                index.runs_by_event.entry(r.event.id).or_default().push(i);
            }
        }
        for runs in index.runs_by_event.values_mut() {
            runs.sort_by(|a, b| {
                let (ra, rb) = (&facts.runs[*a], &facts.runs[*b]);
                (&ra.workflow.name, &ra.workflow.id).cmp(&(&rb.workflow.name, &rb.workflow.id))
            });
        }
        for (i, j) in facts.journal.iter().enumerate() {
            if let (Some(run), Some(step)) = (&j.cause.run, &j.cause.step) {
                index
                    .requests_by_step
                    .entry((run.clone(), step.clone()))
                    .or_default()
                    .push(i);
            }
        }
        index
    }

    fn request(&self, i: usize) -> Node {
        let j = &self.facts.journal[i];
        let children = self
            .events_by_request
            .get(&j.id)
            .map(|ev| ev.iter().map(|e| self.event(*e)).collect())
            .unwrap_or_default();
        Node::Request {
            id: j.id,
            method: j.method.clone(),
            path: j.path.clone(),
            key: j.key.clone(),
            status: j.status,
            children,
        }
    }

    fn event(&self, i: usize) -> Node {
        let e = &self.facts.events[i];
        let changed = e
            .changes
            .as_ref()
            .and_then(|c| c["attributes"].as_object())
            .map(|a| a.keys().cloned().collect())
            .unwrap_or_default();
        let children = self
            .runs_by_event
            .get(&e.id)
            .map(|rs| rs.iter().map(|r| self.run(*r)).collect())
            .unwrap_or_default();
        Node::Event {
            id: e.id,
            name: e.name.clone(),
            data_id: e.data_id,
            rev: e.data["attributes"]["rev"].as_u64(),
            changed,
            children,
        }
    }

    fn run(&self, i: usize) -> Node {
        let r = &self.facts.runs[i];
        let mut children: Vec<Node> = r
            .steps
            .iter()
            .map(|s| {
                let key = (r.id.clone(), s.id.clone());
                let mut kids: Vec<Node> = self
                    .requests_by_step
                    .get(&key)
                    .map(|js| js.iter().map(|j| self.request(*j)).collect())
                    .unwrap_or_default();
                kids.extend(
                    self.native_events
                        .get(&key)
                        .map(|es| es.iter().map(|e| self.event(*e)).collect::<Vec<_>>())
                        .unwrap_or_default(),
                );
                let outcome = match (&s.error, &s.output) {
                    (Some(error), _) => match error["status"].as_u64() {
                        Some(status) => format!("error {status}"),
                        None => format!("error: {}", error["message"].as_str().unwrap_or("failed")),
                    },
                    (None, Some(_)) => "ok".into(),
                    (None, None) => "branch".into(),
                };
                Node::Step {
                    id: s.id.clone(),
                    action: s.action.clone(),
                    outcome,
                    children: kids,
                }
            })
            .collect();
        if let Some(calls) = self.calls_by_run.get(&r.id) {
            children.extend(calls.iter().map(|c| self.run(*c)));
        }
        Node::Run {
            id: r.id.clone(),
            workflow: r.workflow.name.clone(),
            state: r.state,
            summary: r.summary.clone(),
            children,
        }
    }
}

/// Builds the tree: user requests in order, then callable runs started from outside, then
/// changes nobody requested over `/v1` (admin or native writes).
pub fn build(facts: &Facts) -> Vec<Node> {
    let index = Index::new(facts);
    let mut roots: Vec<Node> = facts
        .journal
        .iter()
        .enumerate()
        .filter(|(_, j)| j.cause.run.is_none())
        .map(|(i, _)| index.request(i))
        .collect();
    roots.extend(
        facts
            .runs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.event.name.ends_with(".call") && r.cause.parent_run.is_none())
            .map(|(i, _)| index.run(i)),
    );
    let journaled: HashSet<Id> = facts.journal.iter().map(|j| j.id).collect();
    roots.extend(
        facts
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.mock.cause.run.is_none()
                    && e.mock.request_id.is_none_or(|r| !journaled.contains(&r))
            })
            .map(|(i, _)| index.event(i)),
    );
    roots
}

/// The ids of every request, event and run in the tree, depth first.
#[derive(Debug, Default)]
pub struct Order {
    pub requests: Vec<Id>,
    pub events: Vec<Id>,
    pub runs: Vec<String>,
}

/// Walks the tree depth first.
pub fn order(nodes: &[Node]) -> Order {
    fn walk(node: &Node, out: &mut Order) {
        let children = match node {
            Node::Request { id, children, .. } => {
                out.requests.push(*id);
                children
            }
            Node::Event { id, children, .. } => {
                out.events.push(*id);
                children
            }
            Node::Run { id, children, .. } => {
                out.runs.push(id.clone());
                children
            }
            Node::Step { children, .. } => children,
        };
        for child in children {
            walk(child, out);
        }
    }
    let mut out = Order::default();
    for node in nodes {
        walk(node, &mut out);
    }
    out
}

/// The short form of an id in text (`…0000b01`).
pub fn short(id: &str) -> String {
    if id.len() == 24 {
        format!("…{}", &id[17..])
    } else {
        id.to_string()
    }
}

/// Renders the tree as indented text.
pub fn render(nodes: &[Node]) -> String {
    fn line(node: &Node) -> String {
        match node {
            Node::Request {
                method,
                path,
                key,
                status,
                ..
            } => {
                let path: String = path
                    .split('/')
                    .map(|seg| {
                        if seg.len() == 24 && kustomer_mock::Id::parse(seg).is_some() {
                            short(seg)
                        } else {
                            seg.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                let key = key
                    .as_deref()
                    .map(|k| format!(" [{k}]"))
                    .unwrap_or_else(|| " [no key]".into());
                format!("{method} {path}{key} → {status}")
            }
            Node::Event {
                name,
                data_id,
                rev,
                changed,
                ..
            } => {
                let rev = rev.map(|r| format!(" rev {r}")).unwrap_or_default();
                let changed = if changed.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", changed.join(", "))
                };
                format!("event {name} {}{rev}{changed}", short(&data_id.to_hex()))
            }
            Node::Run {
                workflow,
                state,
                summary,
                ..
            } => {
                let detail = summary.split_once(": ").map(|(_, d)| d).unwrap_or(summary);
                format!("run {workflow} → {}: {detail}", state.as_str())
            }
            Node::Step {
                id,
                action,
                outcome,
                ..
            } => match action {
                Some(action) => format!("step {id} ({action}) → {outcome}"),
                None => format!("step {id} → {outcome}"),
            },
        }
    }
    fn walk(node: &Node, prefix: &str, last: bool, root: bool, out: &mut String) {
        let (branch, next) = match (root, last) {
            (true, _) => ("", String::new()),
            (false, true) => ("└─ ", format!("{prefix}   ")),
            (false, false) => ("├─ ", format!("{prefix}│  ")),
        };
        out.push_str(&format!("{prefix}{branch}{}\n", line(node)));
        let children = match node {
            Node::Request { children, .. }
            | Node::Event { children, .. }
            | Node::Run { children, .. }
            | Node::Step { children, .. } => children,
        };
        for (i, child) in children.iter().enumerate() {
            walk(child, &next, i + 1 == children.len(), false, out);
        }
    }
    let mut out = String::new();
    for node in nodes {
        walk(node, "", true, true, &mut out);
    }
    out
}

/// Replaces the mock's address (it changes with the ephemeral port) by `http://kustomer-mock`.
pub fn normalize(value: Value, base_url: &str) -> Value {
    match value {
        Value::String(s) if s.contains(base_url) => {
            Value::String(s.replace(base_url, "http://kustomer-mock"))
        }
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| normalize(v, base_url)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, normalize(v, base_url)))
                .collect(),
        ),
        other => other,
    }
}
