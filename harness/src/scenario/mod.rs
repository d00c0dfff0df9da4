//! Scenario files: fixtures + workflows + variables + steps + expectations, run offline
//! on an in-process server with a virtual clock.

mod check;
pub mod def;
pub mod expect;
pub mod load;
pub mod record_path;
pub mod run;

pub use def::{RequestDef, ScenarioDef};
pub use expect::ExpectationResult;
pub use load::{Scenario, ScenarioError, Step};
pub use run::Outcome;

impl RequestDef {
    /// A request to `path` (e.g. `RequestDef::new("POST", "/v1/tags")`).
    pub fn new(method: &str, path: &str) -> RequestDef {
        RequestDef {
            method: method.to_string(),
            path: path.to_string(),
            ..RequestDef::default()
        }
    }

    /// Authenticates as the fixture key called `name`.
    pub fn key(mut self, name: &str) -> RequestDef {
        self.key = Some(name.to_string());
        self
    }

    /// Sends `Authorization` verbatim (e.g. a token without `Bearer `).
    pub fn authorization(mut self, value: &str) -> RequestDef {
        self.authorization = Some(value.to_string());
        self
    }

    /// A JSON body.
    pub fn json(mut self, body: serde_json::Value) -> RequestDef {
        self.body = Some(body);
        self
    }
}
