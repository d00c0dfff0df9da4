//! A condition as a run log shows it: each operand's resolved value and whether it held.
//!
//! Typed, and turned into JSON only when its run is written: built as `serde_json` maps,
//! every node's keys were allocated and hashed for every run, and a workflow's own update
//! evaluates its trigger once more each time it closes a conversation. The JSON is the
//! same: `{"op", "values", "holds"}` for a comparison (`"change"` for `changed`, `"error"`
//! when an operand could not be resolved), `{"op", "holds", "conditions"}` for `and`,
//! `or` and `not`.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::variables::Secrets;

/// One condition of a run, evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionLog {
    /// The operator: `and`, `contains`, `changed`, `true`...
    pub op: Cow<'static, str>,
    /// The operands as resolved (a comparison's, `exists`', `changed`'s field name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    /// `changed`: the field's change, `null` when it did not change.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub change: Option<Value>,
    pub holds: bool,
    /// Why an operand could not be resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `and`, `or`, `not`: each part, evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<ConditionLog>>,
}

/// A field that is there, `null` included (`Option<Value>` would read `null` as absent).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl ConditionLog {
    /// A comparison (or `exists`) of `values`.
    pub fn of(op: &'static str, values: Vec<Value>, holds: bool, error: Option<String>) -> Self {
        ConditionLog {
            op: Cow::Borrowed(op),
            values: Some(values),
            change: None,
            holds,
            error,
            conditions: None,
        }
    }

    /// `and`, `or` or `not` of `parts`.
    pub fn combined(op: &'static str, parts: Vec<ConditionLog>, holds: bool) -> Self {
        ConditionLog {
            op: Cow::Borrowed(op),
            values: None,
            change: None,
            holds,
            error: None,
            conditions: Some(parts),
        }
    }

    /// `true` or `false`.
    pub fn constant(holds: bool) -> Self {
        ConditionLog {
            op: Cow::Borrowed(if holds { "true" } else { "false" }),
            values: None,
            change: None,
            holds,
            error: None,
            conditions: None,
        }
    }

    /// The operands as resolved (none for `and`, `or`, `not` and constants).
    pub fn values(&self) -> &[Value] {
        self.values.as_deref().unwrap_or_default()
    }

    /// The parts of `and`, `or` and `not` (none for the others).
    pub fn parts(&self) -> &[ConditionLog] {
        self.conditions.as_deref().unwrap_or_default()
    }

    /// The log with every secure value masked (operands, changes, errors, parts).
    pub fn masked(mut self, secrets: &Secrets) -> ConditionLog {
        self.mask_in_place(secrets);
        self
    }

    fn mask_in_place(&mut self, secrets: &Secrets) {
        if secrets.is_empty() {
            return;
        }
        if let Cow::Owned(op) = secrets.masked(&self.op) {
            self.op = Cow::Owned(op);
        }
        for value in self.values.iter_mut().flatten() {
            secrets.mask_in_place(value);
        }
        if let Some(change) = &mut self.change {
            secrets.mask_in_place(change);
        }
        if let Some(error) = &mut self.error
            && let Cow::Owned(masked) = secrets.masked(error)
        {
            *error = masked;
        }
        for part in self.conditions.iter_mut().flatten() {
            part.mask_in_place(secrets);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_the_shapes_the_run_log_has_always_shown_and_reads_them_back() {
        let changed = ConditionLog {
            change: Some(Value::Null),
            ..ConditionLog::of("changed", vec![json!("status")], false, None)
        };
        let compare = ConditionLog::of(
            "contains",
            vec![json!(["a"]), json!("a")],
            true,
            Some("no such path".into()),
        );
        let log = ConditionLog::combined(
            "and",
            vec![compare, changed, ConditionLog::constant(true)],
            false,
        );
        let text = serde_json::to_string(&log).unwrap();
        assert_eq!(
            text,
            r#"{"op":"and","holds":false,"conditions":[{"op":"contains","values":[["a"],"a"],"holds":true,"error":"no such path"},{"op":"changed","values":["status"],"change":null,"holds":false},{"op":"true","holds":true}]}"#
        );
        let back: ConditionLog = serde_json::from_str(&text).unwrap();
        assert_eq!(back, log, "a change of null stays a change of null");
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        assert_eq!(back.parts()[0].values()[1], "a");
        assert!(back.values().is_empty());
    }

    #[test]
    fn secrets_are_masked_in_every_part() {
        let secrets = Secrets::new(vec![("API_Key".into(), "tok-123456".into())]);
        let log = ConditionLog::combined(
            "not",
            vec![ConditionLog {
                change: Some(json!({"after": "tok-123456"})),
                ..ConditionLog::of(
                    "eq",
                    vec![json!("Bearer tok-123456"), json!({"k": ["tok-123456"]})],
                    false,
                    Some("tok-123456 is not a path".into()),
                )
            }],
            true,
        )
        .masked(&secrets);
        let text = serde_json::to_string(&log).unwrap();
        assert!(!text.contains("tok-123456"), "{text}");
        assert_eq!(log.parts()[0].values()[0], "Bearer [secure:API_Key]");
        assert_eq!(
            log.parts()[0].error.as_deref(),
            Some("[secure:API_Key] is not a path")
        );
    }
}
