//! The ids the generator fills paths with: the fixtures', and every record an answer
//! showed.

use serde_json::Value;

/// The ids of the workflows the generator installs (a Kustomer-style one and names).
pub const WORKFLOW_IDS: [&str; 3] = ["64a0c0ffee0000000000f001", "fuzz-workflow", "ünïcödé 💥"];

/// Ids the generator draws from: the fixtures' and every record the fuzzer created.
#[derive(Debug, Clone, Default)]
pub struct KnownIds {
    pub conversations: Vec<String>,
    pub customers: Vec<String>,
    pub tags: Vec<String>,
    /// Workflow ids: the ones the generator's workflows take, and any an answer showed.
    pub workflows: Vec<String>,
}

impl KnownIds {
    pub fn fixtures() -> KnownIds {
        KnownIds {
            conversations: (1..=4)
                .map(|n| format!("64a0c0ffee00000000000b0{n}"))
                .collect(),
            customers: (1..=3)
                .map(|n| format!("64a0c0ffee00000000000c0{n}"))
                .collect(),
            tags: ["a11", "a12", "a13"]
                .iter()
                .map(|s| format!("64a0c0ffee00000000000{s}"))
                .collect(),
            workflows: WORKFLOW_IDS.iter().map(|id| id.to_string()).collect(),
        }
    }

    /// Remembers the record a response created.
    pub fn learn(&mut self, data: &Value) {
        let (Some(kind), Some(id)) = (data["type"].as_str(), data["id"].as_str()) else {
            return;
        };
        let list = match kind {
            "conversation" => &mut self.conversations,
            "customer" => &mut self.customers,
            "tag" => &mut self.tags,
            "workflow" => &mut self.workflows,
            _ => return,
        };
        if !list.iter().any(|known| known == id) && list.len() < 500 {
            list.push(id.to_string());
        }
    }
}
