//! Reports of what happened and why: the causal tree, run logs, loops and expectation
//! results (readable text or JSON), and the session journal that snapshots hold.

pub mod html;
pub mod junit;
pub mod text;
pub mod tree;

use std::collections::{BTreeMap, HashMap};

use kustomer_mock::JournalEntry;
use kustomer_mock::{Event, Id};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;

pub use tree::{Facts, Node};

use crate::scenario::ExpectationResult;
use crate::workflow::{LoopRecord, Run};

/// Round-trips a value through JSON with the mock's address normalized.
fn normalized<T: Serialize + DeserializeOwned>(value: &T, base_url: &str) -> T {
    let json = tree::normalize(serde_json::to_value(value).unwrap_or(Value::Null), base_url);
    match serde_json::from_value(json) {
        Ok(v) => v,
        // Normalizing only rewrites strings inside strings; the shape cannot change.
        Err(_) => serde_json::from_value(serde_json::to_value(value).unwrap_or(Value::Null))
            .expect("round trip"),
    }
}

impl Facts {
    /// The facts with the mock's address normalized everywhere.
    pub fn normalized(&self, base_url: &str) -> Facts {
        Facts {
            journal: normalized(&self.journal, base_url),
            events: normalized(&self.events, base_url),
            runs: normalized(&self.runs, base_url),
            loops: normalized(&self.loops, base_url),
        }
    }
}

/// Everything a session did, in causal order, ready to snapshot (`insta::assert_yaml_snapshot!`
/// or `kmock run --snapshot`): the requests (secrets masked), the events, the runs (without
/// real-time measurements) and the loops. Ids and times come from the seed and the virtual
/// clock and the mock's address is normalized, so no redactions are needed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionJournal {
    pub requests: Vec<JournalEntry>,
    pub events: Vec<Event>,
    pub runs: Vec<Run>,
    pub loops: Vec<LoopRecord>,
}

impl SessionJournal {
    pub fn from_facts(facts: &Facts, base_url: &str) -> SessionJournal {
        Self::from_normalized(&facts.normalized(base_url))
    }

    /// From facts already normalized.
    fn from_normalized(facts: &Facts) -> SessionJournal {
        let order = tree::order(&tree::build(facts));
        fn arrange<T: Clone, K: std::hash::Hash + Eq>(
            items: &[T],
            key: impl Fn(&T) -> K,
            order: &[K],
        ) -> Vec<T> {
            let position: HashMap<&K, usize> =
                order.iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut indexed: Vec<(usize, usize, &T)> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    (
                        position.get(&key(item)).copied().unwrap_or(usize::MAX),
                        i,
                        item,
                    )
                })
                .collect();
            indexed.sort_by_key(|(p, i, _)| (*p, *i));
            indexed
                .into_iter()
                .map(|(_, _, item)| item.clone())
                .collect()
        }
        let runs: Vec<Run> = facts.runs.iter().map(Run::without_timing).collect();
        let mut loops = facts.loops.clone();
        loops.sort_by(|a, b| a.id.cmp(&b.id));
        SessionJournal {
            requests: arrange(&facts.journal, |j| j.id, &order.requests),
            events: arrange(&facts.events, |e| e.id, &order.events),
            runs: arrange(&runs, |r| r.id.clone(), &order.runs),
            loops,
        }
    }

    /// Pretty JSON, the form `kmock run --snapshot` writes.
    pub fn to_pretty_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// One step of a scenario, as it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    pub index: usize,
    /// `POST /v1/conversations/…/tags as acme-workflow`, `advance the clock 8d`, ...
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Id>,
}

/// Counts for the report's last lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub requests: usize,
    pub events: usize,
    pub runs: BTreeMap<String, usize>,
    pub loops: usize,
    pub expectations_passed: usize,
    pub expectations_failed: usize,
}

/// The scenario a report is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A scenario's report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scenario: ScenarioInfo,
    pub passed: bool,
    pub steps: Vec<StepResult>,
    pub tree: Vec<Node>,
    pub runs: Vec<Run>,
    pub loops: Vec<LoopRecord>,
    pub expectations: Vec<ExpectationResult>,
    pub summary: Summary,
}

impl Report {
    /// Builds the report of a finished session.
    pub fn new(
        scenario: ScenarioInfo,
        steps: Vec<StepResult>,
        facts: &Facts,
        expectations: Vec<ExpectationResult>,
        base_url: &str,
    ) -> Report {
        let facts = &facts.normalized(base_url);
        let journal = SessionJournal::from_normalized(facts);
        let mut runs_by_state = BTreeMap::new();
        for run in &journal.runs {
            *runs_by_state
                .entry(run.state.as_str().to_string())
                .or_insert(0) += 1;
        }
        let failed = expectations.iter().filter(|e| !e.passed).count();
        let summary = Summary {
            requests: journal.requests.len(),
            events: journal.events.len(),
            runs: runs_by_state,
            loops: journal.loops.len(),
            expectations_passed: expectations.len() - failed,
            expectations_failed: failed,
        };
        Report {
            scenario,
            passed: failed == 0,
            steps,
            tree: tree::build(facts),
            runs: journal.runs,
            loops: journal.loops,
            expectations,
            summary,
        }
    }

    /// The report as JSON (`kmock run --json`).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
