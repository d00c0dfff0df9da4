//! Valid bodies for the workflows API. The workflows are inert: their trigger's event never
//! happens (or they are callable, and nothing calls them), so no run writes to the store
//! while the fuzzer checks its totals.

use rand::Rng;
use serde_json::{Map, Value, json};

use super::Generator;
use crate::known_ids::WORKFLOW_IDS;

impl Generator {
    /// A body for a `/v1/workflows` route (`template`).
    pub(super) fn workflow_body(&mut self, template: &str) -> Value {
        if template.ends_with("/variables") {
            return self.workflow_variables();
        }
        if template == "/v1/workflows/{id}" {
            return self.workflow_patch();
        }
        if template != "/v1/workflows" {
            return json!({});
        }
        let workflow = self.workflow();
        match self.rng.random_range(0..10) {
            0 => json!({ "data": workflow }),
            1 => {
                let mut attributes = workflow;
                let id = attributes
                    .as_object_mut()
                    .and_then(|map| map.remove("id"))
                    .unwrap_or(Value::Null);
                json!({ "data": { "type": "workflow", "id": id, "attributes": attributes } })
            }
            _ => workflow,
        }
    }

    fn workflow(&mut self) -> Value {
        let mut workflow = Map::new();
        workflow.insert("id".into(), json!(*self.pick(&WORKFLOW_IDS)));
        workflow.insert("name".into(), json!(self.random_string()));
        if self.chance(0.3) {
            workflow.insert("description".into(), json!(self.random_string()));
        }
        if self.chance(0.5) {
            workflow.insert("enabled".into(), json!(self.chance(0.5)));
        }
        let trigger = if self.chance(0.3) {
            json!({ "callable": true, "transitions": [{ "target": "close" }] })
        } else {
            json!({
                "id": "1",
                "eventName": "kustomer.fuzz.never",
                "transitions": [{
                    "target": "close",
                    "condition": { "op": "true", "values": [true] },
                    "meta": { "name": "always" },
                }],
            })
        };
        workflow.insert("trigger".into(), trigger);
        workflow.insert("steps".into(), self.workflow_steps());
        if self.chance(0.5) {
            workflow.insert("variables".into(), self.workflow_variables());
        }
        Value::Object(workflow)
    }

    fn workflow_steps(&mut self) -> Value {
        let status = *self.pick(&["open", "done", "snoozed"]);
        json!([
            {
                "id": "close",
                "action": "kustomer.conversation.update",
                "params": { "id": "{{{steps.1.id}}}", "status": status },
                "transitions": [{ "target": "end" }],
                "meta": { "displayName": self.random_string() },
            },
            { "id": "end", "transitions": [] },
        ])
    }

    /// A partial `PUT /v1/workflows/{id}`, bare or in Kustomer's envelope.
    fn workflow_patch(&mut self) -> Value {
        let mut patch = Map::new();
        if self.chance(0.5) {
            patch.insert("enabled".into(), json!(self.chance(0.5)));
        }
        if self.chance(0.4) {
            patch.insert("steps".into(), self.workflow_steps());
        }
        if self.chance(0.3) {
            patch.insert("name".into(), json!(self.random_string()));
        }
        if self.chance(0.2) {
            patch.insert("description".into(), json!(self.random_string()));
        }
        let patch = Value::Object(patch);
        match self.rng.random_range(0..6) {
            0 => json!({ "data": { "attributes": patch } }),
            1 => json!({ "attributes": patch }),
            2 => json!({ "data": patch }),
            _ => patch,
        }
    }

    /// `{name: value | {value, secure}}`.
    fn workflow_variables(&mut self) -> Value {
        let mut variables = Map::new();
        for _ in 0..self.rng.random_range(0..4) {
            let name = *self.pick(&["API_Key", "threshold", "baseUrl", "ünïcödé", ""]);
            let value = match self.rng.random_range(0..3) {
                0 => json!({ "value": self.random_string(), "secure": self.chance(0.5) }),
                1 => json!(self.rng.random_range(0..100)),
                _ => json!(self.random_string()),
            };
            variables.insert(name.to_string(), value);
        }
        Value::Object(variables)
    }
}
