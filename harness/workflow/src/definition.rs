//! Kustomer's workflow JSON, as Kustomer apps ship it and workflow exports hold it.
//!
//! Unknown keys are ignored (exports carry `_id`, `rev`, `appSettings`, ...). A definition
//! may also come wrapped as Kustomer's API returns it: `{"type": "workflow", "id",
//! "attributes": {...}}` or `{"data": {...}}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A workflow definition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDef {
    /// Kustomer's workflow id; the name stands in when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    pub trigger: TriggerDef,
    #[serde(default)]
    pub steps: Vec<StepDef>,
    /// Workflow variables (the harness's choice of syntax: Kustomer keeps them in the
    /// workflow's settings); read as `variables.<name>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, VariableDef>,
    /// A callable workflow's response schema (accepted and kept, not enforced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

fn enabled_by_default() -> bool {
    true
}

/// The trigger: which event starts a run, and which transitions decide if it runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerDef {
    /// Always `"1"` in Kustomer: the trigger's output is `steps.1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_name: Option<String>,
    #[serde(default)]
    pub transitions: Vec<TransitionDef>,
    /// A callable workflow is started with inputs (`steps.1.<input>`).
    #[serde(default)]
    pub callable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
}

impl TriggerDef {
    /// The inputs a callable workflow's `schema.required` lists that `inputs` lacks (or
    /// holds as null), in the schema's order.
    pub fn missing_inputs(&self, inputs: &Value) -> Vec<String> {
        let Some(required) = self
            .schema
            .as_ref()
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        required
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| inputs.get(name).is_none_or(Value::is_null))
            .map(str::to_string)
            .collect()
    }
}

/// One step: an action (or none, for a pure branching step) and where to go next.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepDef {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    #[serde(default)]
    pub transitions: Vec<TransitionDef>,
    #[serde(default)]
    pub error_cases: Vec<TransitionDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
    /// Accepted and ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
}

/// A transition (or error case): go to `target` when `condition` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TransitionDef {
    pub target: String,
    /// No condition means always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Value>,
}

impl TransitionDef {
    /// The branch's label (`meta.name`), if it has one.
    pub fn name(&self) -> Option<&str> {
        self.meta.as_ref()?.get("name")?.as_str()
    }
}

/// A workflow variable: `{"value": ..., "secure": true}` or just the value.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum VariableDef {
    Full {
        value: Value,
        #[serde(default)]
        secure: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
    Plain(Value),
}

/// A secure value is shown as `[secure]`: a workflow, its variables and everything that
/// holds them print with `{:?}` without the secret.
impl std::fmt::Debug for VariableDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VariableDef::Full {
                value,
                secure,
                description,
            } => {
                let shown: &dyn std::fmt::Debug = if *secure { &"[secure]" } else { value };
                f.debug_struct("Full")
                    .field("value", shown)
                    .field("secure", secure)
                    .field("description", description)
                    .finish()
            }
            VariableDef::Plain(value) => f.debug_tuple("Plain").field(value).finish(),
        }
    }
}

impl VariableDef {
    pub fn value(&self) -> &Value {
        match self {
            VariableDef::Full { value, .. } => value,
            VariableDef::Plain(value) => value,
        }
    }

    pub fn is_secure(&self) -> bool {
        matches!(self, VariableDef::Full { secure: true, .. })
    }
}

/// Takes a definition out of Kustomer's API envelopes, if it is wrapped in one.
pub fn unwrap_envelope(value: Value) -> Value {
    let value = match value {
        Value::Object(mut map)
            if map.len() <= 2 && map.contains_key("data") && !map.contains_key("trigger") =>
        {
            map.remove("data").unwrap_or(Value::Null)
        }
        other => other,
    };
    match value {
        Value::Object(mut map)
            if map.get("type").and_then(Value::as_str) == Some("workflow")
                && map.contains_key("attributes") =>
        {
            let id = map.remove("id");
            let mut attributes = match map.remove("attributes") {
                Some(Value::Object(a)) => a,
                _ => serde_json::Map::new(),
            };
            if let Some(id) = id {
                attributes.entry("id").or_insert(id);
            }
            Value::Object(attributes)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_unwrap() {
        let wrapped =
            json!({"type": "workflow", "id": "61b9", "attributes": {"name": "x", "trigger": {}}});
        let flat = unwrap_envelope(wrapped);
        assert_eq!(flat["id"], "61b9");
        assert_eq!(flat["name"], "x");
        let data = unwrap_envelope(json!({"data": {"name": "y", "trigger": {}}}));
        assert_eq!(data["name"], "y");
        let plain = unwrap_envelope(json!({"name": "z", "trigger": {}}));
        assert_eq!(plain["name"], "z");
    }

    #[test]
    fn variables_in_both_forms() {
        let vars: BTreeMap<String, VariableDef> = serde_json::from_value(
            json!({"API_Key": {"value": "t", "secure": true}, "baseUrl": "http://x", "n": 5}),
        )
        .unwrap();
        assert!(vars["API_Key"].is_secure());
        assert_eq!(vars["baseUrl"].value(), "http://x");
        assert!(!vars["n"].is_secure());
    }
}
