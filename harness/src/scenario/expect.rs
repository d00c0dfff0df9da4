//! Evaluating expectations: each says what it checked, what it expected and what it saw,
//! so a failure names the expectation, the expected and the actual value.

use kustomer_mock::JournalEntry;
use kustomer_mock::Store;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::def::ExpectDef;
use super::record_path::RecordPath;
use crate::report::tree::short;
use crate::workflow::condition::loose_eq;
use crate::workflow::path::lookup;
use crate::workflow::{LoopRecord, Run};

/// The result of one expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectationResult {
    /// Its JSONPath in the scenario (`$.expect[2]`, or `$.steps[0].status`).
    pub at: String,
    /// What it checks, in words.
    pub description: String,
    pub passed: bool,
    pub expected: Value,
    pub actual: Value,
}

impl ExpectationResult {
    /// `✗ $.expect[2] <description>: expected <e>, actual <a>`.
    pub fn failure_line(&self) -> String {
        format!(
            "{} {}: expected {}, actual {}",
            self.at, self.description, self.expected, self.actual
        )
    }
}

/// What expectations are checked against.
pub struct Facts<'a> {
    pub store: &'a Store,
    pub runs: &'a [Run],
    pub loops: &'a [LoopRecord],
    pub journal: &'a [JournalEntry],
    pub events: &'a [kustomer_mock::Event],
}

/// Evaluates one (already checked) expectation.
pub fn evaluate(e: &ExpectDef, at: String, facts: &Facts<'_>) -> ExpectationResult {
    let (description, expected, actual, passed) = if let Some(path) = &e.record {
        record(e, path, facts)
    } else if let Some(workflow) = &e.runs {
        runs(e, workflow, facts)
    } else if let Some(want) = e.loop_detected {
        let found: Vec<&LoopRecord> = facts
            .loops
            .iter()
            .filter(|l| {
                e.workflow
                    .as_deref()
                    .is_none_or(|w| w == l.workflow.id || w == l.workflow.name)
            })
            .filter(|l| e.on.as_deref().is_none_or(|r| r == l.record.to_hex()))
            .collect();
        let what = match (&e.workflow, &e.on) {
            (Some(w), Some(r)) => format!(" of `{w}` on {}", short(r)),
            (Some(w), None) => format!(" of `{w}`"),
            (None, Some(r)) => format!(" on {}", short(r)),
            (None, None) => String::new(),
        };
        let description = if want {
            format!("a loop{what} is detected")
        } else {
            format!("no loop{what} is detected")
        };
        let actual: Vec<Value> = found
            .iter()
            .map(|l| json!({"workflow": l.workflow.name, "record": l.record, "reason": l.reason}))
            .collect();
        (
            description,
            json!(want),
            json!(actual),
            found.is_empty() != want,
        )
    } else if let Some(status) = e.status {
        let want = e.seen.unwrap_or(true);
        let count = facts.journal.iter().filter(|j| j.status == status).count();
        let description = if want {
            format!("some /v1 response answered {status}")
        } else {
            format!("no /v1 response answered {status}")
        };
        let mut statuses: Vec<u16> = facts.journal.iter().map(|j| j.status).collect();
        statuses.sort();
        statuses.dedup();
        (
            description,
            json!({"status": status, "seen": want}),
            json!({"statusesSeen": statuses}),
            (count > 0) == want,
        )
    } else if let Some(name) = &e.event {
        let count = facts
            .events
            .iter()
            .filter(|ev| {
                ev.name == *name && e.on.as_deref().is_none_or(|r| r == ev.data_id.to_hex())
            })
            .count();
        let on =
            e.on.as_deref()
                .map(|r| format!(" on {}", short(r)))
                .unwrap_or_default();
        match e.count {
            Some(want) => (
                format!("{want} event(s) {name}{on}"),
                json!(want),
                json!(count),
                count == want,
            ),
            None => (
                format!("an event {name}{on}"),
                json!("at least 1"),
                json!(count),
                count >= 1,
            ),
        }
    } else if let Some(m) = &e.journal {
        let count = facts
            .journal
            .iter()
            .filter(|j| {
                m.method
                    .as_deref()
                    .is_none_or(|x| x.eq_ignore_ascii_case(&j.method))
            })
            .filter(|j| m.path.as_deref().is_none_or(|x| x == j.path))
            .filter(|j| m.status.is_none_or(|x| x == j.status))
            .count();
        let what = format!(
            "{} {}{}",
            m.method.as_deref().unwrap_or("any method"),
            m.path.as_deref().unwrap_or("any path"),
            m.status.map(|s| format!(" → {s}")).unwrap_or_default()
        );
        match e.count {
            Some(want) => (
                format!("the journal holds {want} request(s) {what}"),
                json!(want),
                json!(count),
                count == want,
            ),
            None => (
                format!("the journal holds a request {what}"),
                json!("at least 1"),
                json!(count),
                count >= 1,
            ),
        }
    } else {
        (
            "an empty expectation".into(),
            Value::Null,
            Value::Null,
            false,
        )
    };
    ExpectationResult {
        at,
        description: e.description.clone().unwrap_or(description),
        passed,
        expected,
        actual,
    }
}

fn record(e: &ExpectDef, path: &str, facts: &Facts<'_>) -> (String, Value, Value, bool) {
    let wanted = e.attributes.clone().unwrap_or_default();
    let Some(record_path) = RecordPath::parse(path) else {
        return (
            format!("{path} exists"),
            json!(wanted),
            json!("not a record path"),
            false,
        );
    };
    let names: Vec<String> = wanted.keys().cloned().collect();
    let description = format!(
        "{} {} has {}",
        record_path.kind,
        short(&record_path.id.to_hex()),
        names.join(", ")
    );
    let org = match facts.store.resolve_org(e.org.as_deref()) {
        Ok(org) => org,
        Err(err) => return (description, json!(wanted), json!(err.detail.clone()), false),
    };
    let Ok(resource) = record_path.fetch(facts.store, org) else {
        return (description, json!(wanted), json!("no such record"), false);
    };
    let attributes = &resource["attributes"];
    let mut actual = Map::new();
    let mut passed = true;
    for (name, want) in &wanted {
        let got = lookup(attributes, name).cloned().unwrap_or(Value::Null);
        passed &= loose_eq(&got, want);
        actual.insert(name.clone(), got);
    }
    (
        description,
        Value::Object(wanted),
        Value::Object(actual),
        passed,
    )
}

fn runs(e: &ExpectDef, workflow: &str, facts: &Facts<'_>) -> (String, Value, Value, bool) {
    let runs: Vec<&Run> = facts
        .runs
        .iter()
        .filter(|r| r.workflow.id == workflow || r.workflow.name == workflow)
        .collect();
    let states: Vec<&str> = runs.iter().map(|r| r.state.as_str()).collect();
    let mut expected = Map::new();
    let mut actual = Map::new();
    let mut parts = Vec::new();
    let mut passed = true;
    if let Some(count) = e.count {
        parts.push(format!("ran {count} time(s)"));
        expected.insert("count".into(), json!(count));
        actual.insert("count".into(), json!(runs.len()));
        passed &= runs.len() == count;
    }
    if let Some(want) = &e.states {
        parts.push(format!("ended {}", want.join(", ")));
        expected.insert("states".into(), json!(want));
        actual.insert("states".into(), json!(states));
        passed &= states == want.iter().map(String::as_str).collect::<Vec<_>>();
    }
    if let Some(want) = &e.last_state {
        parts.push(format!("last ended {want}"));
        expected.insert("lastState".into(), json!(want));
        let last = states.last().copied();
        actual.insert("lastState".into(), json!(last));
        passed &= last == Some(want.as_str());
    }
    if let Some(text) = &e.explanation_contains {
        parts.push(format!("explained with “{text}”"));
        expected.insert("explanationContains".into(), json!(text));
        let explanation = runs.last().and_then(|r| r.explanation.clone());
        passed &= explanation
            .as_deref()
            .is_some_and(|x| x.contains(text.as_str()));
        actual.insert("explanation".into(), json!(explanation));
    }
    (
        format!("workflow `{workflow}` {}", parts.join(", ")),
        Value::Object(expected),
        Value::Object(actual),
        passed,
    )
}
