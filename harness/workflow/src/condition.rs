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

mod compare;
#[cfg(test)]
mod tests;

use compare::compare;
pub use compare::loose_eq;

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
