//! Loading a workflow: parse Kustomer's JSON, then compile and check everything that can
//! be checked before a run — a transition to a missing step, an unknown operator, action
//! or `/#fn:` function, bad template syntax, a cycle of steps within one run — each
//! refused with the file and the JSONPath of the fault.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value;

use super::actions::{Action, BUILTIN_ACTIONS};
use super::apps::AppCatalog;
use super::condition::Condition;
use super::definition::{TransitionDef, WorkflowDef, unwrap_envelope};
use super::param::{Param, child_path, index_path};

/// A workflow that cannot be loaded: where, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}: {path}: {message}")]
pub struct LoadError {
    /// The file (or "request body").
    pub origin: String,
    /// A JSONPath into the definition, e.g. `$.steps[1].transitions[0].target`.
    pub path: String,
    pub message: String,
}

/// A compiled transition.
#[derive(Debug, Clone)]
pub struct Transition {
    pub target: String,
    /// The branch's label (`meta.name`).
    pub name: Option<String>,
    /// `None`: always taken.
    pub condition: Option<Condition>,
}

/// A compiled step.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    /// The action's name as written (absent on a pure branching step).
    pub action_name: Option<String>,
    pub action: Option<Action>,
    pub params: Param,
    pub transitions: Vec<Transition>,
    pub error_cases: Vec<Transition>,
    /// `meta.displayName`.
    pub display_name: Option<String>,
}

/// A checked, compiled workflow.
#[derive(Debug, Clone)]
pub struct LoadedWorkflow {
    pub def: WorkflowDef,
    pub id: String,
    pub event_name: String,
    pub trigger: Vec<Transition>,
    pub steps: IndexMap<String, Step>,
    /// Where it was loaded from.
    pub origin: String,
    /// Things that load but look wrong (unreachable steps).
    pub warnings: Vec<String>,
}

impl LoadedWorkflow {
    /// Whether this is a callable workflow.
    pub fn callable(&self) -> bool {
        self.def.trigger.callable
    }
}

/// Loads a workflow file (built-in actions only).
pub fn load_file(path: &Path) -> Result<LoadedWorkflow, LoadError> {
    load_file_with(path, &AppCatalog::default())
}

/// Loads a workflow file whose steps may use the actions of loaded apps.
pub fn load_file_with(path: &Path, apps: &AppCatalog) -> Result<LoadedWorkflow, LoadError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        origin: origin.clone(),
        path: "$".into(),
        message: format!("cannot read the file: {e}"),
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| LoadError {
        origin: origin.clone(),
        path: "$".into(),
        message: format!("not valid JSON: {e}"),
    })?;
    load_value_with(value, &origin, apps)
}

/// Loads every `*.json` workflow directly inside `dir`, in file-name order.
pub fn load_dir(dir: &Path) -> Result<Vec<LoadedWorkflow>, LoadError> {
    load_dir_with(dir, &AppCatalog::default())
}

/// [`load_dir`], with the actions of loaded apps.
pub fn load_dir_with(dir: &Path, apps: &AppCatalog) -> Result<Vec<LoadedWorkflow>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError {
        origin: dir.display().to_string(),
        path: "$".into(),
        message: format!("cannot read the directory: {e}"),
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_file_with(p, apps)).collect()
}

/// Loads a workflow from JSON text; `origin` names it in errors.
pub fn load_json(text: &str, origin: &str) -> Result<LoadedWorkflow, LoadError> {
    let value: Value = serde_json::from_str(text).map_err(|e| LoadError {
        origin: origin.to_string(),
        path: "$".into(),
        message: format!("not valid JSON: {e}"),
    })?;
    load_value(value, origin)
}

/// `<id>` of a callable trigger's `kustomer.workflow.<id>.call`.
fn callable_id(trigger: &super::definition::TriggerDef) -> Option<String> {
    if !trigger.callable {
        return None;
    }
    let id = trigger
        .event_name
        .as_deref()?
        .strip_prefix("kustomer.workflow.")?
        .strip_suffix(".call")?;
    (!id.is_empty() && !id.contains('.')).then(|| id.to_string())
}

/// Loads a workflow from a JSON value (built-in actions only).
pub fn load_value(value: Value, origin: &str) -> Result<LoadedWorkflow, LoadError> {
    load_value_with(value, origin, &AppCatalog::default())
}

/// Loads a workflow whose steps may also use the actions of loaded apps.
pub fn load_value_with(
    value: Value,
    origin: &str,
    apps: &AppCatalog,
) -> Result<LoadedWorkflow, LoadError> {
    let fail = |path: String, message: String| LoadError {
        origin: origin.to_string(),
        path,
        message,
    };
    let value = unwrap_envelope(value);
    let def: WorkflowDef = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = json_path(e.path());
        fail(path, e.inner().to_string())
    })?;
    // An export without an `id` still names it in a callable's event name.
    let id = def
        .id
        .clone()
        .or_else(|| callable_id(&def.trigger))
        .unwrap_or_else(|| def.name.clone());
    if id.trim().is_empty() {
        return Err(fail(
            "$.name".into(),
            "a workflow needs a name or an id".into(),
        ));
    }
    let event_name = match (&def.trigger.event_name, def.trigger.callable) {
        (Some(name), _) if !name.trim().is_empty() => name.clone(),
        (_, true) => format!("kustomer.workflow.{id}.call"),
        _ => {
            return Err(fail(
                "$.trigger.eventName".into(),
                "the trigger needs an `eventName` (e.g. kustomer.conversation.update)".into(),
            ));
        }
    };

    let mut steps: IndexMap<String, Step> = IndexMap::new();
    for (i, step) in def.steps.iter().enumerate() {
        let at = index_path("$.steps", i);
        if step.id.trim().is_empty() {
            return Err(fail(child_path(&at, "id"), "a step needs an `id`".into()));
        }
        if step.id == "1" {
            return Err(fail(
                child_path(&at, "id"),
                "step id `1` is the trigger's; give the step another id".into(),
            ));
        }
        if steps.contains_key(&step.id) {
            return Err(fail(
                child_path(&at, "id"),
                format!("step id `{}` is used twice", step.id),
            ));
        }
        let action = match &step.action {
            None => None,
            Some(name) => Some(Action::resolve(name, apps).ok_or_else(|| {
                let mut known: Vec<String> =
                    BUILTIN_ACTIONS.iter().map(|n| n.to_string()).collect();
                known.extend(apps.names());
                let hint = if name.starts_with("kustomer.app.") {
                    " — an app's action: load the app's definition (scenario `apps`, kmock --apps)"
                } else {
                    ""
                };
                fail(
                    child_path(&at, "action"),
                    format!(
                        "step `{}` uses unknown action `{name}`{hint} (known: {})",
                        step.id,
                        known.join(", ")
                    ),
                )
            })?),
        };
        let params_at = child_path(&at, "params");
        let params = Param::compile(
            step.params
                .as_ref()
                .unwrap_or(&Value::Object(Default::default())),
            &params_at,
        )
        .map_err(|e| fail(e.path, e.message))?;
        let display_name = step
            .meta
            .as_ref()
            .and_then(|m| m.get("displayName"))
            .and_then(Value::as_str)
            .map(str::to_string);
        steps.insert(
            step.id.clone(),
            Step {
                id: step.id.clone(),
                action_name: step.action.clone(),
                action,
                params,
                transitions: compile_transitions(
                    &step.transitions,
                    &child_path(&at, "transitions"),
                )
                .map_err(|e| fail(e.path, e.message))?,
                error_cases: compile_transitions(&step.error_cases, &child_path(&at, "errorCases"))
                    .map_err(|e| fail(e.path, e.message))?,
                display_name,
            },
        );
    }
    let trigger = compile_transitions(&def.trigger.transitions, "$.trigger.transitions")
        .map_err(|e| fail(e.path, e.message))?;

    // Every target must be a step.
    let check_targets = |transitions: &[Transition], at: &str| -> Result<(), LoadError> {
        for (i, t) in transitions.iter().enumerate() {
            if !steps.contains_key(&t.target) {
                return Err(fail(
                    child_path(&index_path(at, i), "target"),
                    format!("transition to missing step `{}`", t.target),
                ));
            }
        }
        Ok(())
    };
    check_targets(&trigger, "$.trigger.transitions")?;
    for (i, step) in steps.values().enumerate() {
        let at = index_path("$.steps", i);
        check_targets(&step.transitions, &child_path(&at, "transitions"))?;
        check_targets(&step.error_cases, &child_path(&at, "errorCases"))?;
    }

    if let Some(cycle) = find_cycle(&trigger, &steps) {
        let position = steps.get_index_of(&cycle[0]).unwrap_or(0);
        return Err(fail(
            child_path(&index_path("$.steps", position), "transitions"),
            format!("steps form a cycle within one run: {}", cycle.join(" → ")),
        ));
    }

    let reachable = reachable(&trigger, &steps);
    let warnings = steps
        .keys()
        .filter(|id| !reachable.contains_key(id.as_str()))
        .map(|id| format!("step `{id}` is never reached"))
        .collect();

    Ok(LoadedWorkflow {
        def,
        id,
        event_name,
        trigger,
        steps,
        origin: origin.to_string(),
        warnings,
    })
}

fn compile_transitions(
    defs: &[TransitionDef],
    at: &str,
) -> Result<Vec<Transition>, super::param::PathError> {
    defs.iter()
        .enumerate()
        .map(|(i, t)| {
            let t_at = index_path(at, i);
            let condition = match &t.condition {
                None | Some(Value::Null) => None,
                Some(c) => Some(Condition::compile(c, &child_path(&t_at, "condition"))?),
            };
            Ok(Transition {
                target: t.target.clone(),
                name: t.name().map(str::to_string),
                condition,
            })
        })
        .collect()
}

fn edges(step: &Step) -> impl Iterator<Item = &str> {
    step.transitions
        .iter()
        .chain(step.error_cases.iter())
        .map(|t| t.target.as_str())
}

/// Steps reachable from the trigger (value: unused marker).
fn reachable<'a>(
    trigger: &'a [Transition],
    steps: &'a IndexMap<String, Step>,
) -> HashMap<&'a str, ()> {
    let mut seen = HashMap::new();
    let mut stack: Vec<&str> = trigger.iter().map(|t| t.target.as_str()).collect();
    while let Some(id) = stack.pop() {
        if seen.insert(id, ()).is_none()
            && let Some(step) = steps.get(id)
        {
            stack.extend(edges(step));
        }
    }
    seen
}

/// A cycle reachable from the trigger, as the list of step ids around it.
fn find_cycle(trigger: &[Transition], steps: &IndexMap<String, Step>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<'a>(
        id: &'a str,
        steps: &'a IndexMap<String, Step>,
        marks: &mut BTreeMap<&'a str, Mark>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match marks.get(id) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|p| *p == id).unwrap_or(0);
                let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(id.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(id, Mark::Open);
        path.push(id);
        if let Some(step) = steps.get(id) {
            for next in edges(step) {
                if let Some(cycle) = visit(next, steps, marks, path) {
                    return Some(cycle);
                }
            }
        }
        path.pop();
        marks.insert(id, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for t in trigger {
        let mut path = Vec::new();
        if let Some(cycle) = visit(&t.target, steps, &mut marks, &mut path) {
            return Some(cycle);
        }
    }
    None
}

/// A serde path as a JSONPath (`$.steps[0].transitions`).
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

    fn base() -> Value {
        json!({
            "name": "t",
            "trigger": {"eventName": "kustomer.conversation.update", "transitions": [{"target": "a", "condition": {"op": "true", "values": [true]}}]},
            "steps": [
                {"id": "a", "action": "kustomer.rest-api.json", "params": {"uri": "http://x/{{{steps.1.id}}}"}, "transitions": [{"target": "b"}]},
                {"id": "b", "transitions": []}
            ]
        })
    }

    fn error_of(v: Value) -> LoadError {
        load_value(v, "wf.json").unwrap_err()
    }

    #[test]
    fn a_good_workflow_loads() {
        let loaded = load_value(base(), "wf.json").unwrap();
        assert_eq!(loaded.id, "t");
        assert_eq!(loaded.event_name, "kustomer.conversation.update");
        assert_eq!(loaded.steps.len(), 2);
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn every_load_time_error_names_file_and_path() {
        let mut v = base();
        v["steps"][0]["transitions"][0]["target"] = json!("nowhere");
        let e = error_of(v);
        assert_eq!(e.origin, "wf.json");
        assert_eq!(e.path, "$.steps[0].transitions[0].target");
        assert!(e.message.contains("missing step `nowhere`"), "{e}");

        let mut v = base();
        v["trigger"]["transitions"][0]["condition"] = json!({"op": "similar", "values": [1, 2]});
        let e = error_of(v);
        assert_eq!(e.path, "$.trigger.transitions[0].condition.op");
        assert!(e.message.contains("unknown operator `similar`"));

        let mut v = base();
        v["steps"][1]["action"] = json!("kustomer.teleport");
        let e = error_of(v);
        assert_eq!(e.path, "$.steps[1].action");
        assert!(
            e.message.contains("unknown action `kustomer.teleport`")
                && e.message.contains("step `b`")
        );

        let mut v = base();
        v["steps"][0]["params"]["n"] = json!("/#fn:frobnicate,steps.1.id");
        let e = error_of(v);
        assert_eq!(e.path, "$.steps[0].params.n");
        assert!(e.message.contains("unknown function `frobnicate`"));

        let mut v = base();
        v["steps"][0]["params"]["uri"] = json!("{{#if steps.1.id}}x");
        let e = error_of(v);
        assert_eq!(e.path, "$.steps[0].params.uri");
        assert!(e.message.contains("bad template syntax"));

        let mut v = base();
        v["steps"][1]["transitions"] = json!([{"target": "a"}]);
        let e = error_of(v);
        assert!(e.message.contains("cycle within one run: a → b → a"), "{e}");

        let mut v = base();
        v["trigger"]["eventName"] = Value::Null;
        assert_eq!(error_of(v).path, "$.trigger.eventName");

        let mut v = base();
        v["steps"][1]["id"] = json!("a");
        assert!(error_of(v).message.contains("used twice"));

        let e = error_of(json!({"name": "x", "trigger": {"eventName": "e"}, "steps": [{"id": 5}]}));
        assert_eq!(e.path, "$.steps[0].id");
        assert!(
            load_json("{", "f.json")
                .unwrap_err()
                .message
                .contains("not valid JSON")
        );
    }

    #[test]
    fn unreachable_steps_warn_and_callables_get_their_event() {
        let mut v = base();
        v["steps"][0]["transitions"] = json!([]);
        let loaded = load_value(v, "wf.json").unwrap();
        assert_eq!(loaded.warnings, vec!["step `b` is never reached"]);
        let callable = load_value(
            json!({"id": "abc", "name": "c", "trigger": {"callable": true, "schema": {}, "transitions": []}, "steps": []}),
            "c.json",
        )
        .unwrap();
        assert_eq!(callable.event_name, "kustomer.workflow.abc.call");
        assert!(callable.callable());
        let exported = load_value(
            json!({"name": "Scheduled", "trigger": {"callable": true, "eventName": "kustomer.workflow.5f00aa.call", "transitions": []}, "steps": []}),
            "t",
        )
        .unwrap();
        assert_eq!(exported.id, "5f00aa", "the id comes from the event name");
        let not_callable = load_value(
            json!({"name": "Plain", "trigger": {"eventName": "kustomer.workflow.5f00aa.call", "transitions": []}, "steps": []}),
            "t",
        )
        .unwrap();
        assert_eq!(not_callable.id, "Plain");
        let schema = json!({"required": ["conversationId", "reason"]});
        let trigger: super::super::definition::TriggerDef =
            serde_json::from_value(json!({"callable": true, "schema": schema})).unwrap();
        assert_eq!(
            trigger.missing_inputs(&json!({"conversationId": "c", "reason": null})),
            vec!["reason".to_string()]
        );
        assert!(
            trigger
                .missing_inputs(&json!({"conversationId": "c", "reason": "r"}))
                .is_empty()
        );
    }
}
