//! Short human explanations of what went wrong: a failed, halted or not-matched run, and
//! a detected loop — which workflow, which record, which condition let it re-fire (with
//! the values it saw), and the fix.

use std::fmt::Write;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use kustomer_mock::{Id, Store};
use serde_json::Value;

use super::condition_log::ConditionLog;
use super::load::LoadedWorkflow;
use super::loop_guard::LoopRecord;
use super::run_log::{Run, RunState, TransitionLog};

/// The fix for a loop through `transition`'s condition: compare the changes of the
/// attribute it reads (tags when it reads none).
fn changes_fix(workflow: Option<&LoadedWorkflow>, transition: Option<&TransitionLog>) -> String {
    let attribute = transition
        .and_then(|t| raw_condition(workflow, true, None, t.index))
        .and_then(super::loop_fix::refiring_attribute);
    super::loop_fix::fix_for(attribute.as_deref())
}

/// No values, for conditions that list none.
const NONE: &[Value] = &[];

/// Writes a value as shown in an explanation (long ones shortened).
fn write_shown(out: &mut String, value: &Value) {
    let start = out.len();
    let _ = write!(out, "{value}");
    let written = &out[start..];
    // A char is at least a byte: only a long text can have more than 120.
    if written.len() > 120 && written.chars().count() > 120 {
        if let Some((cut, _)) = written.char_indices().nth(117) {
            out.truncate(start + cut);
        }
        out.push_str("...");
    }
}

/// Renders a condition with the values it saw: `contains(/#steps.1.tags = ["a"], "b")`.
/// `raw` is the condition as written, `seen` its log from the run (if there is one).
pub fn describe_condition(raw: &Value, seen: Option<&ConditionLog>) -> String {
    let mut out = String::new();
    write_condition(&mut out, raw, seen);
    out
}

/// [`describe_condition`], written into `out`: a run that did not match is explained as
/// it is recorded, and one buffer beats a string per part.
fn write_condition(out: &mut String, raw: &Value, seen: Option<&ConditionLog>) {
    let op = raw.get("op").and_then(Value::as_str).unwrap_or("?");
    let raw_values = raw
        .get("values")
        .and_then(Value::as_array)
        .map_or(NONE, Vec::as_slice);
    if matches!(op, "true" | "false") {
        out.push_str(op);
        return;
    }
    let combined = matches!(op, "and" | "or" | "not");
    let seen_parts = seen.map_or(&[][..], ConditionLog::parts);
    let seen_values = seen.map_or(NONE, ConditionLog::values);
    out.push_str(op);
    out.push('(');
    for (i, r) in raw_values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if combined {
            write_condition(out, r, seen_parts.get(i));
        } else {
            write_operand(out, r, seen_values.get(i));
        }
    }
    out.push(')');
}

/// Writes an operand as written, with the value the run saw when it is a reference or a
/// template.
fn write_operand(out: &mut String, raw: &Value, seen: Option<&Value>) {
    let text = raw.as_str();
    if let (Some(text), Some(Value::Null)) = (text, seen)
        && let Some(field) = changed_field(text)
    {
        let _ = write!(out, "{text} = null ({field} did not change in this update)");
    } else if let (Some(text), Some(value)) = (text, seen)
        && (text.starts_with("/#") || text.as_bytes().windows(2).any(|w| w == b"{{"))
    {
        out.push_str(text);
        out.push_str(" = ");
        write_shown(out, value);
    } else {
        write_shown(out, raw);
    }
}

/// The field a `changes.attributes.<field>...` path names (between the first
/// `changes.attributes.` and the next dot or the next `changes.attributes.`).
fn changed_field(text: &str) -> Option<&str> {
    // Searched for in every value a not-matched run shows: set up once.
    static CHANGES: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(CHANGED_ATTRIBUTES));
    let at = CHANGES.find(text.as_bytes())?;
    let rest = &text[at + CHANGED_ATTRIBUTES.len()..];
    let rest = match CHANGES.find(rest.as_bytes()) {
        Some(next) => &rest[..next],
        None => rest,
    };
    rest.split('.').next()
}

const CHANGED_ATTRIBUTES: &str = "changes.attributes.";

/// Writes the parts of a false condition that were false (for `and`, joined by "and"),
/// else the condition itself.
fn write_false_parts(out: &mut String, raw: &Value, seen: &ConditionLog) {
    if raw.get("op").and_then(Value::as_str) == Some("and") {
        let raw_parts = raw
            .get("values")
            .and_then(Value::as_array)
            .map_or(NONE, Vec::as_slice);
        let mut written = false;
        for (r, s) in raw_parts.iter().zip(seen.parts()) {
            if s.holds {
                continue;
            }
            if written {
                out.push_str(" and ");
            }
            write_condition(out, r, Some(s));
            written = true;
        }
        if written {
            return;
        }
    }
    write_condition(out, raw, Some(seen));
}

/// Every 24-hex literal in a condition (tag ids, mostly).
fn literal_ids(raw: &Value, out: &mut Vec<Id>) {
    match raw {
        Value::String(s) => {
            if let Some(id) = Id::parse(s) {
                out.push(id);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| literal_ids(v, out)),
        Value::Object(map) => map.values().for_each(|v| literal_ids(v, out)),
        _ => {}
    }
}

/// Notes about ids in a condition that name no tag of the org.
fn unknown_tag_notes(raw: &Value, store: &Store, org: Id) -> Vec<String> {
    let mut ids = Vec::new();
    literal_ids(raw, &mut ids);
    ids.dedup();
    let mut notes = Vec::new();
    for id in ids {
        if !store.has_tag(org, id) {
            let tags = store
                .list_tags(
                    org,
                    kustomer_mock::Page {
                        number: 1,
                        size: 100,
                    },
                    kustomer_mock::DeletedFilter::Exclude,
                )
                .map(|l| {
                    l.data
                        .iter()
                        .filter_map(|t| {
                            Some(format!(
                                "{} = {}",
                                t["attributes"]["name"].as_str()?,
                                t["id"].as_str()?
                            ))
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            notes.push(format!(
                "{id} is not the id of any tag of this org, so the condition can never hold; check the tag id in Settings › Tags (this org's tags: {})",
                if tags.is_empty() { "none".to_string() } else { tags.join(", ") }
            ));
        }
    }
    notes
}

fn raw_condition<'a>(
    workflow: Option<&'a LoadedWorkflow>,
    trigger: bool,
    step: Option<&str>,
    index: usize,
) -> Option<&'a Value> {
    let def = &workflow?.def;
    let transitions = if trigger {
        &def.trigger.transitions
    } else {
        let step = def.steps.iter().find(|s| Some(s.id.as_str()) == step)?;
        &step.transitions
    };
    transitions.get(index)?.condition.as_ref()
}

fn describe_transition(workflow: Option<&LoadedWorkflow>, t: &TransitionLog) -> String {
    match (raw_condition(workflow, true, None, t.index), &t.condition) {
        (Some(raw), Some(seen)) => describe_condition(raw, Some(seen)),
        _ => "(no condition)".into(),
    }
}

/// Explains a run that did not simply complete; `None` for a completed run.
pub fn explain_run(
    run: &Run,
    workflow: Option<&LoadedWorkflow>,
    store: &Store,
    org: Id,
) -> Option<String> {
    let name = &run.workflow.name;
    let record = run.record;
    match run.state {
        RunState::Completed | RunState::Queued | RunState::Running => None,
        RunState::Interrupted => Some(format!(
            "Workflow `{name}` on {record} was interrupted: the server shut down before the run could finish."
        )),
        RunState::Halted => run.halt.as_ref().map(|h| h.message.clone()),
        RunState::NotMatched => {
            if run.trigger.is_empty() {
                return Some(format!(
                    "Workflow `{name}` did not run on {record}: its trigger has no transitions."
                ));
            }
            let mut text = String::with_capacity(256);
            let _ = write!(text, "Workflow `{name}` did not run on {record}: ");
            let mut notes = Vec::new();
            let mut first = true;
            for t in run.trigger.iter() {
                if let (Some(raw), Some(seen)) =
                    (raw_condition(workflow, true, None, t.index), &t.condition)
                {
                    if !first {
                        text.push_str("; ");
                    }
                    first = false;
                    write_false_parts(&mut text, raw, seen);
                    if let Some(label) = &t.name {
                        let _ = write!(text, " ({label})");
                    }
                    text.push_str(" was false");
                    notes.extend(unknown_tag_notes(raw, store, org));
                }
            }
            text.push('.');
            for note in notes {
                let _ = write!(text, " Note: {note}.");
            }
            Some(text)
        }
        RunState::Failed => {
            let error = run.error.as_ref()?;
            let step = run.steps.last().map(|s| s.id.clone()).unwrap_or_default();
            let api_error = &error["body"]["errors"][0];
            let code = api_error["code"].as_str().unwrap_or("");
            let status = error["status"].as_u64();
            let cause = match (status, code) {
                (Some(401), "missing_bearer_prefix") => "the Authorization header has no `Bearer ` prefix. Fix: write the header as `Bearer {{{variables.API_Key}}}` (the word Bearer, a space, then the key).".to_string(),
                (Some(401), "expired_token") => format!("the API key has expired ({}). Fix: create a new key (Settings › Security › API Keys) and put it in the workflow variable.", api_error["detail"].as_str().unwrap_or("")),
                (Some(401), "invalid_token") => "the API key is unknown or was revoked. Fix: check the workflow variable holds the whole token of a live key.".to_string(),
                (Some(401), _) => "the request had no valid credentials. Fix: send `Authorization: Bearer <API key>`.".to_string(),
                (Some(403), "missing_role") => format!("{} Fix: give the key one of those roles.", api_error["detail"].as_str().unwrap_or("the key lacks a role")),
                (Some(403), _) => api_error["detail"].as_str().unwrap_or("the key may not do this").to_string(),
                (Some(429), _) => {
                    let limit = api_error["meta"]["limit"].as_str().unwrap_or("a");
                    let which = match limit {
                        "object" => format!("the per-object limit ({} updates by one user to one record per {} s)", api_error["meta"]["max"], api_error["meta"]["windowSeconds"]),
                        "org" => format!("the org's request budget ({} requests per {} s)", api_error["meta"]["max"], api_error["meta"]["windowSeconds"]),
                        other => format!("the {other} limit"),
                    };
                    let reset = api_error["meta"]["resetAt"].as_str().unwrap_or("the next window");
                    if run.iteration > 1 {
                        format!(
                            "Kustomer's rate limit stopped a loop: this workflow re-fired on its own updates {} times in one causal chain until {which} answered 429; it resets at {reset}. Fix: {}.",
                            run.iteration,
                            changes_fix(workflow, run.trigger.iter().find(|t| t.holds))
                        )
                    } else {
                        format!("{which} answered 429; it resets at {reset} (retry after {} s).", api_error["meta"]["retryAfter"])
                    }
                }
                (Some(404), _) => format!("the record was not found ({}).", api_error["detail"].as_str().unwrap_or("")),
                (Some(s), _) => format!("the request answered {s}: {}", error["message"].as_str().unwrap_or("")),
                (None, _) => error["message"].as_str().unwrap_or("the step failed").to_string(),
            };
            Some(format!(
                "Workflow `{name}` failed on {record} at step `{step}`: {cause}"
            ))
        }
    }
}

/// Explains a `loop-detected` record.
pub fn explain_loop(
    record: &LoopRecord,
    workflow: Option<&LoadedWorkflow>,
    trigger: &[TransitionLog],
) -> String {
    let name = &record.workflow.name;
    let path: Vec<String> = record
        .chain
        .iter()
        .map(|h| {
            format!(
                "{} on {}",
                h.workflow_name.as_deref().unwrap_or(&h.workflow),
                h.record
            )
        })
        .collect();
    let firing = trigger.iter().find(|t| t.holds);
    let condition = firing
        .map(|t| describe_transition(workflow, t))
        .unwrap_or_else(|| "(none)".into());
    let others: Vec<&String> = record
        .chain
        .iter()
        .map(|h| &h.workflow)
        .filter(|w| **w != record.workflow.id)
        .collect();
    let how = if others.is_empty() {
        "each run's own update emitted a new event that matched its trigger again".to_string()
    } else {
        "the workflows in the chain trigger each other: each one's update fires the next"
            .to_string()
    };
    let reason = match record.reason.as_str() {
        "max-repeats" => format!(
            "fired on {} {} times in one causal chain",
            record.record, record.repeats
        ),
        "max-depth" => format!("reached a chain {} hops deep", record.depth),
        _ => "exceeded the hard cap of runs from one root".to_string(),
    };
    let fix = if condition.contains("changes.attributes") {
        "make the condition compare the fields this update changed and check it cannot hold for the workflow's own update".to_string()
    } else {
        changes_fix(workflow, firing)
    };
    format!(
        "Loop detected: workflow `{name}` {reason} ({}); {how}. The trigger condition that let it re-fire: {condition}. Fix: {fix}.",
        path.join(" → ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions_render_with_their_values() {
        let raw = json!({"op": "and", "values": [
            {"op": "contains", "values": ["/#steps.1.changes.attributes.tags.after", "t1"]},
            {"op": "dnc", "values": ["/#steps.1.changes.attributes.tags.before", "t1"]}
        ]});
        let seen: ConditionLog =
            serde_json::from_value(json!({"op": "and", "holds": false, "conditions": [
                {"op": "contains", "values": [["t1"], "t1"], "holds": true},
                {"op": "dnc", "values": [["t1"], "t1"], "holds": false}
            ]}))
            .unwrap();
        assert_eq!(
            describe_condition(&raw, Some(&seen)),
            r#"and(contains(/#steps.1.changes.attributes.tags.after = ["t1"], "t1"), dnc(/#steps.1.changes.attributes.tags.before = ["t1"], "t1"))"#
        );
        let false_parts = |seen: &ConditionLog| {
            let mut out = String::new();
            write_false_parts(&mut out, &raw, seen);
            out
        };
        assert_eq!(
            false_parts(&seen),
            r#"dnc(/#steps.1.changes.attributes.tags.before = ["t1"], "t1")"#
        );
        let both_false: ConditionLog =
            serde_json::from_value(json!({"op": "and", "holds": false, "conditions": [
                {"op": "contains", "values": [null, "t1"], "holds": false},
                {"op": "dnc", "values": [["t1"], "t1"], "holds": false}
            ]}))
            .unwrap();
        assert_eq!(
            false_parts(&both_false),
            r#"contains(/#steps.1.changes.attributes.tags.after = null (tags did not change in this update), "t1") and dnc(/#steps.1.changes.attributes.tags.before = ["t1"], "t1")"#
        );
        assert_eq!(
            changed_field("/#steps.1.changes.attributes.tags.after"),
            Some("tags")
        );
        assert_eq!(
            changed_field("/#steps.1.changes.attributes.status"),
            Some("status")
        );
        assert_eq!(
            changed_field("/#steps.1.changes.attributes.tagschanges.attributes.x"),
            Some("tags"),
            "up to a second occurrence, as splitting there did"
        );
        assert_eq!(changed_field("/#steps.1.changes.attributes."), Some(""));
        assert_eq!(changed_field("/#steps.1.status"), None);
        let long = json!({"op": "eq", "values": ["/#steps.1.name", "x"]});
        let seen_long: ConditionLog = serde_json::from_value(
            json!({"op": "eq", "values": ["é".repeat(130), "x"], "holds": false}),
        )
        .unwrap();
        assert_eq!(
            describe_condition(&long, Some(&seen_long)),
            format!("eq(/#steps.1.name = \"{}..., \"x\")", "é".repeat(116)),
            "a long value is cut at 117 characters, not bytes"
        );
    }
}
