//! The scenario file format (JSON): what to load, what to do, what should be true after.
//!
//! Parsing is strict (unknown keys are refused), so a typo is reported with the file and
//! JSONPath instead of being silently ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::workflow::VariableDef;

/// A scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScenarioDef {
    /// Defaults to the file name.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub server: ServerDef,
    /// Fixture bundles: paths (relative to the scenario file) or inline bundles.
    #[serde(default)]
    pub fixtures: Vec<Value>,
    /// Kustomer apps: a path to an app definition, or `{"path" | "definition", "settings"}`
    /// with the app's setting values (`{"default": {"authToken": "..."}}`).
    #[serde(default)]
    pub apps: Vec<Value>,
    /// Workflows: paths or inline Kustomer workflow JSON.
    #[serde(default)]
    pub workflows: Vec<Value>,
    /// Variable overrides for every workflow.
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDef>,
    #[serde(default)]
    pub steps: Vec<StepDef>,
    #[serde(default)]
    pub expect: Vec<ExpectDef>,
}

/// Server and engine settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerDef {
    #[serde(default)]
    pub seed: Option<u64>,
    /// The virtual clock's start (ISO-8601); default 2026-11-24T00:00:00.000Z.
    #[serde(default)]
    pub clock: Option<String>,
    /// Limits for every org (over the fixtures' own).
    #[serde(default)]
    pub limits: Option<Value>,
    /// `"on"`, `"off"` (Kustomer-faithful) or `{"enabled", "maxRepeats", "maxDepth"}`.
    #[serde(default)]
    pub loop_guard: Option<Value>,
    /// Runs allowed per causal root.
    #[serde(default)]
    pub hard_cap: Option<usize>,
    /// REST step timeout (`10s`).
    #[serde(default)]
    pub rest_timeout: Option<String>,
    /// Fault rules in force from the start (see the admin API's `POST /__admin/faults`).
    #[serde(default)]
    pub faults: Vec<kustomer_mock::FaultSpec>,
}

/// One step. Exactly one of `request`, `advanceClock`, `setClock`, `call` or `settle`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StepDef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance_clock: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_clock: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<CallDef>,
    /// On its own: wait until settled. With a request: `false` does not wait after it
    /// (for bursts; requests settle by default so outcomes are reproducible).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settle: Option<bool>,
    /// The status the request must answer (an expectation of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A `/v1` request. Auth: `key` (a fixture key's name), `token` (sent as
/// `Bearer <token>`), or `authorization` (the header verbatim, e.g. without `Bearer `).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestDef {
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    /// A JSON body (an array for the tag routes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// Starts a callable workflow.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallDef {
    pub workflow: String,
    #[serde(default)]
    pub inputs: Value,
}

/// One expectation. Exactly one of `record`, `runs`, `loop`, `status`, `journal`, `event`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectDef {
    /// A record's path (`/v1/conversations/<id>`), with `attributes` it must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// Attribute values (dotted paths allowed: `custom.vipBool`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Map<String, Value>>,
    /// The org of the record (default: the first org).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,

    /// A workflow (id or name) whose runs are checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<String>,
    /// How many runs (or journal entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// The final states of the runs, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub states: Option<Vec<String>>,
    /// The final state of the last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_state: Option<String>,
    /// Text the last run's explanation must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_contains: Option<String>,

    /// Whether a loop was detected (optionally of `workflow` on `on`).
    #[serde(default, rename = "loop", skip_serializing_if = "Option::is_none")]
    pub loop_detected: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// The record the loop was on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,

    /// A status some `/v1` response had (or, with `seen: false`, none had).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<bool>,

    /// Events of this name (optionally `on` a record), counted with `count` (default: at
    /// least one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,

    /// Journal entries matching a method, path and status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal: Option<JournalMatch>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Which journal entries an expectation counts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JournalMatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}
