//! The two-operand comparisons: loose equality, ordering of numbers and timestamps,
//! containment and the string operators.

use fancy_regex::Regex;
use serde_json::Value;

use super::Op;
use crate::template::number_of;

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

/// Whether `a op b` holds; `regex` is the pattern compiled at load when it was a literal.
pub(super) fn compare(op: Op, a: &Value, b: &Value, regex: Option<&Regex>) -> bool {
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
