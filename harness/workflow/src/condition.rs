//! Conditions: `{"op": "<operator>", "values": [...]}`, compiled at load (an unknown
//! operator or a wrong number of values is a load-time error, never a silent false) and
//! evaluated with an explanation of every operand, so the run log can say which
//! condition was false and with which values.

use fancy_regex::Regex;
use serde_json::Value;

use std::borrow::Cow;

use super::condition_log::ConditionLog;
use super::param::{Param, PathError, child_path, index_path};
use super::scope::Scope;
use super::template::number_of;

/// Every operator, for error messages.
pub const OPERATORS: &[&str] = &[
    "and",
    "or",
    "not",
    "true",
    "false",
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "dnc",
    "exists",
    "dne",
    "starts-with",
    "ends-with",
    "matches",
    "changed",
];

/// Two-operand comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
    Dnc,
    StartsWith,
    EndsWith,
    Matches,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Neq => "neq",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Contains => "contains",
            Op::Dnc => "dnc",
            Op::StartsWith => "starts-with",
            Op::EndsWith => "ends-with",
            Op::Matches => "matches",
        }
    }
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Const(bool),
    Compare {
        op: Op,
        left: Param,
        right: Param,
        regex: Option<Box<Regex>>,
    },
    Exists {
        negate: bool,
        value: Param,
    },
    Changed(String),
}

/// The result of evaluating a condition, with why.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub holds: bool,
    /// Each operand as resolved, and each part's outcome.
    pub explanation: ConditionLog,
}

impl Condition {
    /// Compiles the condition at `at` (a JSONPath); `Err` names the path and the mistake.
    pub fn compile(value: &Value, at: &str) -> Result<Condition, PathError> {
        let object = value.as_object().ok_or_else(|| {
            PathError::new(
                at.to_string(),
                format!("a condition must be an object with `op` and `values`, not {value}"),
            )
        })?;
        let op = object.get("op").and_then(Value::as_str).ok_or_else(|| {
            PathError::new(
                child_path(at, "op"),
                "a condition needs an `op` string".to_string(),
            )
        })?;
        let values_at = child_path(at, "values");
        let values: &[Value] = match object.get("values") {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(PathError::new(
                    values_at,
                    format!("`values` must be an array, not {other}"),
                ));
            }
        };
        let arity = |n: usize| -> Result<(), PathError> {
            if values.len() == n {
                Ok(())
            } else {
                Err(PathError::new(
                    values_at.clone(),
                    format!("`{op}` takes {n} value(s), not {}", values.len()),
                ))
            }
        };
        let operand = |i: usize| Param::compile(&values[i], &index_path(&values_at, i));
        let nested = || -> Result<Vec<Condition>, PathError> {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| Condition::compile(v, &index_path(&values_at, i)))
                .collect()
        };
        let compare = |op: Op| -> Result<Condition, PathError> {
            arity(2)?;
            let right = operand(1)?;
            let regex = match (op, right.as_literal()) {
                (Op::Matches, Some(Value::String(pattern))) => {
                    Some(Box::new(Regex::new(pattern).map_err(|e| {
                        PathError::new(
                            index_path(&values_at, 1),
                            format!("bad regular expression `{pattern}`: {e}"),
                        )
                    })?))
                }
                _ => None,
            };
            Ok(Condition::Compare {
                op,
                left: operand(0)?,
                right,
                regex,
            })
        };
        Ok(match op {
            "and" => Condition::All(nested()?),
            "or" => Condition::Any(nested()?),
            "not" => {
                arity(1)?;
                Condition::Not(Box::new(nested()?.remove(0)))
            }
            "true" => Condition::Const(true),
            "false" => Condition::Const(false),
            "eq" => compare(Op::Eq)?,
            "neq" => compare(Op::Neq)?,
            "gt" => compare(Op::Gt)?,
            "gte" => compare(Op::Gte)?,
            "lt" => compare(Op::Lt)?,
            "lte" => compare(Op::Lte)?,
            "contains" => compare(Op::Contains)?,
            "dnc" => compare(Op::Dnc)?,
            "starts-with" => compare(Op::StartsWith)?,
            "ends-with" => compare(Op::EndsWith)?,
            "matches" => compare(Op::Matches)?,
            "exists" | "dne" => {
                if values.is_empty() || values.len() > 2 {
                    return Err(PathError::new(
                        values_at,
                        format!("`{op}` takes the value to test and, optionally, true or false"),
                    ));
                }
                let expected = match values.get(1) {
                    None => true,
                    Some(second) => expected_presence(second).ok_or_else(|| {
                        PathError::new(
                            index_path(&values_at, 1),
                            format!(
                                "`{op}`'s second value says whether the value should be there: \
                                 true, false or \"\" (true), not {second}"
                            ),
                        )
                    })?,
                };
                Condition::Exists {
                    negate: (op == "dne") == expected,
                    value: operand(0)?,
                }
            }
            "changed" => {
                arity(1)?;
                let field = values[0]
                    .as_str()
                    .filter(|s| !s.starts_with("/#"))
                    .ok_or_else(|| {
                        PathError::new(
                            index_path(&values_at, 0),
                            "`changed` takes a field name, e.g. \"status\"".to_string(),
                        )
                    })?;
                Condition::Changed(field.to_string())
            }
            other => {
                return Err(PathError::new(
                    child_path(at, "op"),
                    format!(
                        "unknown operator `{other}` (known: {})",
                        OPERATORS.join(", ")
                    ),
                ));
            }
        })
    }

    /// Evaluates against the run's data.
    pub fn evaluate(&self, scope: &Scope<'_>) -> Outcome {
        let explanation = match self {
            Condition::All(items) | Condition::Any(items) => {
                let all = matches!(self, Condition::All(_));
                let parts: Vec<ConditionLog> = items
                    .iter()
                    .map(|c| c.evaluate(scope).explanation)
                    .collect();
                let holds = if all {
                    parts.iter().all(|p| p.holds)
                } else {
                    parts.iter().any(|p| p.holds)
                };
                ConditionLog::combined(if all { "and" } else { "or" }, parts, holds)
            }
            Condition::Not(inner) => {
                let part = inner.evaluate(scope).explanation;
                let holds = !part.holds;
                ConditionLog::combined("not", vec![part], holds)
            }
            Condition::Const(holds) => ConditionLog::constant(*holds),
            Condition::Exists { negate, value } => {
                let (resolved, error) = resolve(value, scope);
                let present = !resolved.is_null();
                let holds = present != *negate;
                let op = if *negate { "dne" } else { "exists" };
                ConditionLog::of(op, vec![resolved], holds, error)
            }
            Condition::Changed(field) => {
                let change = scope.lookup(&format!("steps.1.changes.attributes.{field}"));
                let holds = change.as_deref().is_some_and(|c| !c.is_null());
                let change = change.map(Cow::into_owned).unwrap_or(Value::Null);
                ConditionLog {
                    change: Some(change),
                    ..ConditionLog::of("changed", vec![Value::String(field.clone())], holds, None)
                }
            }
            Condition::Compare {
                op,
                left,
                right,
                regex,
            } => {
                let (a, error_a) = resolve(left, scope);
                let (b, error_b) = resolve(right, scope);
                let holds = compare(*op, &a, &b, regex.as_deref());
                ConditionLog::of(op.name(), vec![a, b], holds, error_a.or(error_b))
            }
        };
        Outcome {
            holds: explanation.holds,
            explanation,
        }
    }
}

/// The second value of `exists`/`dne`, as Kustomer's editor writes it (a guess from
/// public exports, which write `""` or a boolean): `true`, `"true"`, `""` or `null` keep
/// the operator's meaning; `false` or `"false"` turn it around (`exists … false` is
/// `dne`). Anything else is a load-time error.
fn expected_presence(second: &Value) -> Option<bool> {
    match second {
        Value::Null => Some(true),
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim() {
            "" | "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn resolve(param: &Param, scope: &Scope<'_>) -> (Value, Option<String>) {
    match param.resolve(scope) {
        Ok(v) => (v, None),
        Err(e) => (Value::Null, Some(e.to_string())),
    }
}

/// Deep equality where numbers compare by value, and a number equals its numeric string.
pub fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_))
        | (Value::Number(_), Value::String(_))
        | (Value::String(_), Value::Number(_)) => match (number_of(a), number_of(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| loose_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| loose_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Orders two values: numbers (or numeric strings) by value, else ISO timestamps as
/// instants; `None` when they cannot be compared.
fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    if let (Some(x), Some(y)) = (number_of(a), number_of(b)) {
        return x.partial_cmp(&y);
    }
    let instant = |v: &Value| {
        v.as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s.trim()).ok())
    };
    match (instant(a), instant(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

fn contains(haystack: &Value, needle: &Value) -> bool {
    match haystack {
        // An array needle: every element must be there (Kustomer exports use `["<tag id>"]`).
        Value::Array(items) => match needle {
            Value::Array(wanted) => {
                !wanted.is_empty() && wanted.iter().all(|w| items.iter().any(|i| loose_eq(i, w)))
            }
            _ => items.iter().any(|i| loose_eq(i, needle)),
        },
        Value::String(text) => match needle {
            Value::String(part) => text.contains(part.as_str()),
            Value::Number(n) => text.contains(&n.to_string()),
            _ => false,
        },
        _ => false,
    }
}

fn compare(op: Op, a: &Value, b: &Value, regex: Option<&Regex>) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq => loose_eq(a, b),
        Op::Neq => !loose_eq(a, b),
        Op::Gt => order(a, b) == Some(Greater),
        Op::Gte => matches!(order(a, b), Some(Greater | Equal)),
        Op::Lt => order(a, b) == Some(Less),
        Op::Lte => matches!(order(a, b), Some(Less | Equal)),
        Op::Contains => contains(a, b),
        Op::Dnc => !contains(a, b),
        Op::StartsWith => {
            matches!((a, b), (Value::String(x), Value::String(y)) if x.starts_with(y.as_str()))
        }
        Op::EndsWith => {
            matches!((a, b), (Value::String(x), Value::String(y)) if x.ends_with(y.as_str()))
        }
        Op::Matches => match (a.as_str(), regex) {
            // A match that gives up (the backtracking limit) is no match.
            (Some(text), Some(re)) => re.is_match(text).unwrap_or(false),
            (Some(text), None) => b
                .as_str()
                .and_then(|p| Regex::new(p).ok())
                .is_some_and(|re| re.is_match(text).unwrap_or(false)),
            (None, _) => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Templates;
    use kustomer_mock::Clock;
    use serde_json::json;

    fn holds(condition: Value, data: &Value) -> bool {
        let templates = Templates::new(Clock::virtual_default());
        let scope = Scope::new(data.clone(), &templates);
        Condition::compile(&condition, "$")
            .unwrap()
            .evaluate(&scope)
            .holds
    }

    fn data() -> Value {
        json!({"steps": {"1": {
            "id": "c1", "status": "open", "priority": 4, "tags": ["t1", "t2"], "name": "Refund please",
            "createdAt": "2026-11-24T10:00:00.000Z", "empty": null, "n": "200",
            "changes": {"attributes": {"tags": {"op": "replace", "before": ["t1"], "after": ["t1", "t2"]}}}
        }}, "variables": {}})
    }

    /// (condition, expected) for every operator, with nulls and type mismatches.
    #[test]
    fn operator_table() {
        let d = data();
        let cases: Vec<(Value, bool)> = vec![
            (json!({"op": "true", "values": [true]}), true),
            (json!({"op": "false"}), false),
            (
                json!({"op": "eq", "values": ["/#steps.1.status", "open"]}),
                true,
            ),
            (
                json!({"op": "eq", "values": ["/#steps.1.priority", 4.0]}),
                true,
            ),
            (
                json!({"op": "eq", "values": ["/#steps.1.priority", "4"]}),
                true,
            ),
            (
                json!({"op": "eq", "values": ["/#steps.1.tags", ["t1", "t2"]]}),
                true,
            ),
            (
                json!({"op": "eq", "values": ["/#steps.1.missing", null]}),
                true,
            ),
            (
                json!({"op": "eq", "values": ["/#steps.1.status", true]}),
                false,
            ),
            (
                json!({"op": "neq", "values": ["/#steps.1.status", "done"]}),
                true,
            ),
            (
                json!({"op": "neq", "values": ["/#steps.1.priority", 4]}),
                false,
            ),
            (
                json!({"op": "gt", "values": ["/#steps.1.priority", 3]}),
                true,
            ),
            (json!({"op": "gt", "values": ["/#steps.1.n", "199"]}), true),
            (
                json!({"op": "gt", "values": ["/#steps.1.status", 3]}),
                false,
            ),
            (
                json!({"op": "gt", "values": ["/#steps.1.missing", 3]}),
                false,
            ),
            (
                json!({"op": "gte", "values": ["/#steps.1.priority", 4]}),
                true,
            ),
            (
                json!({"op": "lt", "values": ["/#steps.1.createdAt", "2026-11-24T11:00:00Z"]}),
                true,
            ),
            (
                json!({"op": "lte", "values": ["/#steps.1.createdAt", "2026-11-24T10:00:00.000Z"]}),
                true,
            ),
            (
                json!({"op": "lt", "values": ["/#steps.1.createdAt", "yesterday"]}),
                false,
            ),
            (
                json!({"op": "contains", "values": ["/#steps.1.tags", "t2"]}),
                true,
            ),
            (
                json!({"op": "contains", "values": ["/#steps.1.tags", ["t2"]]}),
                true,
            ),
            (
                json!({"op": "contains", "values": ["/#steps.1.tags", ["t2", "t9"]]}),
                false,
            ),
            (
                json!({"op": "contains", "values": ["/#steps.1.name", "Refund"]}),
                true,
            ),
            (
                json!({"op": "contains", "values": ["/#steps.1.missing", "x"]}),
                false,
            ),
            (
                json!({"op": "contains", "values": ["/#steps.1.priority", 4]}),
                false,
            ),
            (
                json!({"op": "dnc", "values": ["/#steps.1.changes.attributes.tags.before", "t2"]}),
                true,
            ),
            (
                json!({"op": "dnc", "values": ["/#steps.1.missing", "t2"]}),
                true,
            ),
            (json!({"op": "exists", "values": ["/#steps.1.id"]}), true),
            (
                json!({"op": "exists", "values": ["/#steps.1.empty"]}),
                false,
            ),
            (json!({"op": "exists", "values": ["true", ""]}), true),
            (
                json!({"op": "exists", "values": ["/#steps.1.id", true]}),
                true,
            ),
            (
                json!({"op": "exists", "values": ["/#steps.1.id", false]}),
                false,
            ),
            (
                json!({"op": "exists", "values": ["/#steps.1.missing", "false"]}),
                true,
            ),
            (
                json!({"op": "dne", "values": ["/#steps.1.id", false]}),
                true,
            ),
            (json!({"op": "gte", "values": ["/#steps.1.n", "200"]}), true),
            (json!({"op": "gte", "values": ["10", "9"]}), true),
            (json!({"op": "lt", "values": ["10", "9"]}), false),
            (json!({"op": "lt", "values": [" 9 ", 10]}), true),
            (json!({"op": "lt", "values": ["9a", "10"]}), false),
            (
                json!({"op": "matches", "values": ["/#steps.1.name", "(?<=Refund )please"]}),
                true,
            ),
            (
                json!({"op": "matches", "values": ["/#steps.1.name", "(?<!Refund )please"]}),
                false,
            ),
            (
                json!({"op": "eq", "values": ["/#steps.1.name.length", 13]}),
                true,
            ),
            (
                json!({"op": "gt", "values": ["/#steps.1.tags.length", 2]}),
                false,
            ),
            (json!({"op": "dne", "values": ["/#steps.1.missing"]}), true),
            (json!({"op": "dne", "values": ["/#steps.1.id"]}), false),
            (
                json!({"op": "starts-with", "values": ["/#steps.1.name", "Ref"]}),
                true,
            ),
            (
                json!({"op": "starts-with", "values": ["/#steps.1.priority", "4"]}),
                false,
            ),
            (
                json!({"op": "ends-with", "values": ["/#steps.1.name", "please"]}),
                true,
            ),
            (
                json!({"op": "matches", "values": ["/#steps.1.name", "^Ref.*se$"]}),
                true,
            ),
            (
                json!({"op": "matches", "values": ["/#steps.1.missing", ".*"]}),
                false,
            ),
            (json!({"op": "changed", "values": ["tags"]}), true),
            (json!({"op": "changed", "values": ["status"]}), false),
            (
                json!({"op": "not", "values": [{"op": "changed", "values": ["status"]}]}),
                true,
            ),
            (
                json!({"op": "and", "values": [{"op": "true"}, {"op": "false"}]}),
                false,
            ),
            (
                json!({"op": "or", "values": [{"op": "true"}, {"op": "false"}]}),
                true,
            ),
            (json!({"op": "and", "values": []}), true),
            (json!({"op": "or", "values": []}), false),
        ];
        for (condition, expected) in cases {
            assert_eq!(holds(condition.clone(), &d), expected, "{condition}");
        }
    }

    #[test]
    fn the_seeds_guard_done_right() {
        let guard = json!({"op": "and", "values": [
            {"op": "contains", "values": ["/#steps.1.changes.attributes.tags.after", "t2"]},
            {"op": "dnc", "values": ["/#steps.1.changes.attributes.tags.before", "t2"]}
        ]});
        assert!(holds(guard.clone(), &data()));
        let mut own_update = data();
        own_update["steps"]["1"]["changes"] =
            json!({"attributes": {"status": {"before": "open", "after": "done"}}});
        assert!(
            !holds(guard, &own_update),
            "the workflow's own update does not re-fire it"
        );
    }

    #[test]
    fn explanations_carry_resolved_values() {
        let templates = Templates::new(Clock::virtual_default());
        let scope = Scope::new(data(), &templates);
        let c = Condition::compile(
            &json!({"op": "contains", "values": ["/#steps.1.tags", "t9"]}),
            "$",
        )
        .unwrap();
        let outcome = c.evaluate(&scope);
        assert!(!outcome.holds);
        assert_eq!(
            serde_json::to_value(&outcome.explanation).unwrap(),
            json!({"op": "contains", "values": [["t1", "t2"], "t9"], "holds": false})
        );
    }

    #[test]
    fn load_time_errors_name_the_path() {
        let err = Condition::compile(
            &json!({"op": "and", "values": [{"op": "bogus", "values": []}]}),
            "$.trigger.transitions[0].condition",
        )
        .unwrap_err();
        assert_eq!(err.path, "$.trigger.transitions[0].condition.values[0].op");
        assert!(err.message.contains("unknown operator `bogus`"));
        let err = Condition::compile(&json!({"op": "eq", "values": [1]}), "$").unwrap_err();
        assert!(err.message.contains("takes 2"));
        let err =
            Condition::compile(&json!({"op": "matches", "values": ["/#x", "("]}), "$").unwrap_err();
        assert!(err.message.contains("bad regular expression"));
        assert!(Condition::compile(&json!("eq"), "$").is_err());
        let err = Condition::compile(&json!({"op": "exists", "values": ["/#x", "maybe"]}), "$")
            .unwrap_err();
        assert_eq!(err.path, "$.values[1]");
        assert!(err.message.contains("true, false"), "{}", err.message);
        assert!(Condition::compile(&json!({"values": []}), "$").is_err());
        assert!(
            Condition::compile(&json!({"op": "changed", "values": ["/#steps.1.x"]}), "$").is_err()
        );
    }
}
