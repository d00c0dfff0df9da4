//! Loading a scenario: parse the file, load the fixtures and workflows it names (paths are
//! relative to the scenario file), and check every step and expectation, so a bad
//! scenario is refused before anything runs, with one message naming file and path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kustomer_mock::DEFAULT_VIRTUAL_START;
use kustomer_mock::model::LimitsPatch;
use kustomer_mock::{FixtureBundle, Timestamp};
use serde_json::Value;

use super::check::{check_expectation, check_step};
use super::def::{CallDef, ExpectDef, RequestDef, ScenarioDef};
use crate::workflow::apps::{App, AppCatalog, SettingValues};
use crate::workflow::param::{PathError, child_path, index_path};
use crate::workflow::{
    EngineConfig, LoadedWorkflow, LoopGuardConfig, VariableDef, load_value_with,
};

/// A scenario that cannot be loaded or run: where, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{origin}: {path}: {message}")]
pub struct ScenarioError {
    pub origin: String,
    /// A JSONPath into the scenario (`$.steps[2].request.key`).
    pub path: String,
    pub message: String,
}

/// One step, checked.
#[derive(Debug, Clone)]
pub enum Step {
    Request {
        request: RequestDef,
        settle: bool,
        status: Option<u16>,
    },
    AdvanceClock {
        millis: i64,
        text: String,
    },
    SetClock(Timestamp),
    Call {
        call: CallDef,
        settle: bool,
    },
    Settle,
}

/// A loaded scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// The file (or "ad-hoc").
    pub origin: String,
    pub seed: u64,
    pub clock_start: Timestamp,
    pub limits: Option<LimitsPatch>,
    pub engine: EngineConfig,
    pub faults: Vec<kustomer_mock::FaultSpec>,
    pub fixtures: Vec<FixtureBundle>,
    pub apps: Vec<App>,
    pub workflows: Vec<LoadedWorkflow>,
    pub variables: BTreeMap<String, VariableDef>,
    pub steps: Vec<Step>,
    /// Each with the JSONPath it came from.
    pub expectations: Vec<ExpectDef>,
}

impl Scenario {
    /// Loads a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            origin: origin.clone(),
            path: "$".into(),
            message: format!("cannot read the file: {e}"),
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| ScenarioError {
            origin: origin.clone(),
            path: "$".into(),
            message: format!("not valid JSON: {e}"),
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let default_name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "scenario".into());
        Self::from_value(value, &origin, &dir, &default_name)
    }

    /// Loads a scenario from JSON; paths resolve against `dir`.
    pub fn from_value(
        value: Value,
        origin: &str,
        dir: &Path,
        default_name: &str,
    ) -> Result<Scenario, ScenarioError> {
        let fail = |path: String, message: String| ScenarioError {
            origin: origin.to_string(),
            path,
            message,
        };
        let def: ScenarioDef = serde_path_to_error::deserialize(value)
            .map_err(|e| fail(json_path(e.path()), e.inner().to_string()))?;

        let seed = def.server.seed.unwrap_or(0);
        let clock_start = match &def.server.clock {
            None => DEFAULT_VIRTUAL_START,
            Some(text) => Timestamp::parse(text).ok_or_else(|| {
                fail(
                    "$.server.clock".into(),
                    format!("`{text}` is not an ISO-8601 timestamp"),
                )
            })?,
        };
        let limits = match &def.server.limits {
            None => None,
            Some(v) => {
                let patch: LimitsPatch =
                    serde_path_to_error::deserialize(v.clone()).map_err(|e| {
                        let inner = json_path(e.path());
                        fail(
                            format!("$.server.limits{}", &inner[1..]),
                            e.inner().to_string(),
                        )
                    })?;
                patch
                    .apply(&mut Default::default())
                    .map_err(|(p, m)| fail(format!("$.server.limits{}", p.replace('/', ".")), m))?;
                Some(patch)
            }
        };
        let mut engine = EngineConfig::default();
        if let Some(guard) = &def.server.loop_guard {
            engine.loop_guard =
                parse_guard(guard, "$.server.loopGuard").map_err(|e| fail(e.path, e.message))?;
        }
        if let Some(cap) = def.server.hard_cap {
            engine.hard_cap = cap;
        }
        if let Some(timeout) = &def.server.rest_timeout {
            let timeout = crate::duration::parse(timeout)
                .map_err(|e| fail("$.server.restTimeout".into(), e.to_string()))?;
            engine.rest_timeout = timeout.max(Duration::from_millis(1));
        }

        for (i, fault) in def.server.faults.iter().enumerate() {
            fault.check().map_err(|(p, m)| {
                fail(
                    format!(
                        "{}{}",
                        index_path("$.server.faults", i),
                        p.replace('/', ".")
                    ),
                    m,
                )
            })?;
        }
        let fixtures = def
            .fixtures
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let at = index_path("$.fixtures", i);
                match f {
                    Value::String(p) => FixtureBundle::from_file(&resolve(dir, p))
                        .map_err(|e| fail(at, e.to_string())),
                    Value::Object(_) => {
                        FixtureBundle::from_value(f.clone(), &format!("{origin} {at}"))
                            .map_err(|e| fail(at, e.to_string()))
                    }
                    other => Err(fail(
                        at,
                        format!("a fixture is a path or an inline bundle, not {other}"),
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let apps = def
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| {
                load_app(a, dir, origin, &index_path("$.apps", i))
                    .map_err(|e| fail(e.path, e.message))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut catalog = AppCatalog::default();
        for app in &apps {
            catalog.add(app);
        }
        let workflows = def
            .workflows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let at = index_path("$.workflows", i);
                match w {
                    Value::String(p) => {
                        let path = resolve(dir, p);
                        let text = std::fs::read_to_string(&path).map_err(|e| {
                            fail(
                                at.clone(),
                                format!("{}: cannot read the file: {e}", path.display()),
                            )
                        })?;
                        let value: Value = serde_json::from_str(&text).map_err(|e| {
                            fail(
                                at.clone(),
                                format!("{}: $: not valid JSON: {e}", path.display()),
                            )
                        })?;
                        load_value_with(value, &path.display().to_string(), &catalog)
                            .map_err(|e| fail(at, e.to_string()))
                    }
                    Value::Object(_) => {
                        load_value_with(w.clone(), &format!("{origin} {at}"), &catalog)
                            .map_err(|e| fail(at, e.to_string()))
                    }
                    other => Err(fail(
                        at,
                        format!("a workflow is a path or an inline definition, not {other}"),
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;

        let steps = def
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                check_step(s, &index_path("$.steps", i)).map_err(|e| fail(e.path, e.message))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (i, e) in def.expect.iter().enumerate() {
            check_expectation(e, &index_path("$.expect", i))
                .map_err(|e| fail(e.path, e.message))?;
        }
        for (i, call) in def
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.call.as_ref().map(|c| (i, c)))
        {
            if !workflows
                .iter()
                .any(|w| w.id == call.workflow || w.def.name == call.workflow)
            {
                return Err(fail(
                    child_path(&child_path(&index_path("$.steps", i), "call"), "workflow"),
                    format!(
                        "the step calls workflow `{}`, which the scenario does not load",
                        call.workflow
                    ),
                ));
            }
        }

        Ok(Scenario {
            name: def.name.clone().unwrap_or_else(|| default_name.to_string()),
            description: def.description.clone(),
            origin: origin.to_string(),
            seed,
            clock_start,
            limits,
            engine,
            faults: def.server.faults.clone(),
            fixtures,
            apps,
            workflows,
            variables: def.variables.clone(),
            steps,
            expectations: def.expect.clone(),
        })
    }
}

/// An app: a path, or `{"path" | "definition", "settings"}`.
fn load_app(value: &Value, dir: &Path, origin: &str, at: &str) -> Result<App, PathError> {
    let (source, settings) = match value {
        Value::String(p) => (Value::String(p.clone()), Value::Null),
        Value::Object(map) => {
            for key in map.keys() {
                if !["path", "definition", "settings"].contains(&key.as_str()) {
                    return Err(PathError::new(
                        child_path(at, key),
                        format!("unknown key `{key}` (use path or definition, and settings)"),
                    ));
                }
            }
            match (map.get("path"), map.get("definition")) {
                (Some(p), None) => (
                    p.clone(),
                    map.get("settings").cloned().unwrap_or(Value::Null),
                ),
                (None, Some(d)) => (
                    d.clone(),
                    map.get("settings").cloned().unwrap_or(Value::Null),
                ),
                _ => {
                    return Err(PathError::new(
                        at.to_string(),
                        "an app needs exactly one of `path` or `definition`",
                    ));
                }
            }
        }
        other => {
            return Err(PathError::new(
                at.to_string(),
                format!("an app is a path or {{\"path\", \"settings\"}}, not {other}"),
            ));
        }
    };
    let settings: SettingValues = if settings.is_null() {
        SettingValues::new()
    } else {
        serde_json::from_value(settings).map_err(|e| {
            PathError::new(
                child_path(at, "settings"),
                format!("settings must be {{\"group\": {{\"name\": value}}}}: {e}"),
            )
        })?
    };
    match source {
        Value::String(p) => App::load_file(&resolve(dir, &p), &settings)
            .map_err(|e| PathError::new(at, e.to_string())),
        definition => App::load_value(definition, &format!("{origin} {at}"), &settings)
            .map_err(|e| PathError::new(at, e.to_string())),
    }
}

fn resolve(dir: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

fn parse_guard(value: &Value, at: &str) -> Result<LoopGuardConfig, PathError> {
    match value {
        Value::String(s) if s == "on" => Ok(LoopGuardConfig::default()),
        Value::String(s) if s == "off" => Ok(LoopGuardConfig {
            enabled: false,
            ..LoopGuardConfig::default()
        }),
        Value::Bool(enabled) => Ok(LoopGuardConfig {
            enabled: *enabled,
            ..LoopGuardConfig::default()
        }),
        Value::Object(map) => {
            for key in map.keys() {
                if !["enabled", "maxRepeats", "maxDepth"].contains(&key.as_str()) {
                    return Err(PathError::new(
                        at,
                        format!("unknown key `{key}` (use enabled, maxRepeats, maxDepth)"),
                    ));
                }
            }
            let number = |k: &str, default: u32| -> Result<u32, PathError> {
                match map.get(k) {
                    None => Ok(default),
                    Some(v) => v
                        .as_u64()
                        .map(|n| n as u32)
                        .ok_or_else(|| PathError::new(at, format!("`{k}` must be a whole number"))),
                }
            };
            let defaults = LoopGuardConfig::default();
            Ok(LoopGuardConfig {
                enabled: map
                    .get("enabled")
                    .map(|v| {
                        v.as_bool()
                            .ok_or_else(|| PathError::new(at, "`enabled` must be true or false"))
                    })
                    .transpose()?
                    .unwrap_or(true),
                max_repeats: number("maxRepeats", defaults.max_repeats)?,
                max_depth: number("maxDepth", defaults.max_depth)?,
            })
        }
        other => Err(PathError::new(
            at,
            format!(
                "use \"on\", \"off\" or {{\"enabled\", \"maxRepeats\", \"maxDepth\"}}, not {other}"
            ),
        )),
    }
}

fn json_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = "$".to_string();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out = index_path(&out, *index),
            Segment::Map { key } => out = child_path(&out, key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(v: Value) -> Result<Scenario, ScenarioError> {
        Scenario::from_value(v, "s.json", Path::new("."), "s")
    }

    #[test]
    fn every_mistake_names_file_and_path() {
        let e = load(json!({"steps": [{"reqest": {}}]})).unwrap_err();
        assert_eq!(e.origin, "s.json");
        assert_eq!(e.path, "$.steps[0].reqest");
        assert!(
            e.message
                .contains("unknown field `reqest`, expected one of `request`"),
            "{e}"
        );
        let e = load(json!({"steps": [{"request": {"method": "FETCH", "path": "/v1/tags"}}]}))
            .unwrap_err();
        assert_eq!(e.path, "$.steps[0].request.method");
        let e = load(json!({"steps": [{"advanceClock": "soon"}]})).unwrap_err();
        assert_eq!(e.path, "$.steps[0].advanceClock");
        let e = load(json!({"steps": [{"advanceClock": "1s", "settle": true, "setClock": "2026-01-01T00:00:00Z"}]})).unwrap_err();
        assert!(e.message.contains("does one thing"));
        let e = load(json!({"expect": [{"record": "/v1/conversations/x", "attributes": {}}]}))
            .unwrap_err();
        assert_eq!(e.path, "$.expect[0].record");
        let e = load(json!({"expect": [{"runs": "w"}]})).unwrap_err();
        assert!(e.message.contains("needs count"));
        let e = load(json!({"expect": [{"runs": "w", "count": 1, "status": 200}]})).unwrap_err();
        assert!(e.message.contains("one thing, not runs and status"));
        let e = load(json!({"expect": [{"runs": "w", "states": ["done"]}]})).unwrap_err();
        assert!(e.message.contains("`done` is not a run state"));
        let e = load(json!({"server": {"loopGuard": "maybe"}})).unwrap_err();
        assert_eq!(e.path, "$.server.loopGuard");
        let e = load(json!({"server": {"limits": {"plan": "gold"}}})).unwrap_err();
        assert_eq!(e.path, "$.server.limits.plan");
        let e = load(json!({"fixtures": ["nope.json"]})).unwrap_err();
        assert_eq!(e.path, "$.fixtures[0]");
        assert!(e.message.contains("nope.json"));
        let e = load(json!({"workflows": [{"name": "x", "trigger": {"eventName": "e", "transitions": [{"target": "z"}]}}]})).unwrap_err();
        assert_eq!(e.path, "$.workflows[0]");
        assert!(e.message.contains("missing step `z`"));
        let e = load(json!({"steps": [{"call": {"workflow": "ghost"}}]})).unwrap_err();
        assert!(e.message.contains("`ghost`"));
    }

    #[test]
    fn a_good_scenario_loads() {
        let s = load(json!({
            "name": "n",
            "server": {"seed": 3, "clock": "2026-01-01T00:00:00Z", "loopGuard": {"maxRepeats": 5}, "limits": {"requestsPerWindow": 9}, "restTimeout": "2s"},
            "steps": [{"request": {"method": "post", "path": "/v1/tags", "key": "k", "body": {"name": "x"}}, "status": 201}, {"advanceClock": "1m"}, {"settle": true}],
            "expect": [{"status": 201}, {"loop": false}]
        }))
        .unwrap();
        assert_eq!(s.seed, 3);
        assert_eq!(s.engine.loop_guard.max_repeats, 5);
        assert!(s.engine.loop_guard.enabled);
        assert_eq!(s.engine.rest_timeout, Duration::from_secs(2));
        assert_eq!(s.steps.len(), 3);
        assert!(matches!(
            s.steps[0],
            Step::Request {
                settle: true,
                status: Some(201),
                ..
            }
        ));
        assert!(matches!(
            s.steps[1],
            Step::AdvanceClock { millis: 60_000, .. }
        ));
    }
}
