//! Running a scenario: start a harness with its settings, do its steps (settling after
//! each request unless told not to, so outcomes do not depend on timing), settle, check
//! the expectations, and report.

use kustomer_mock::Clock;

use super::expect::{ExpectationResult, Facts as ExpectFacts, evaluate};
use super::load::{Scenario, ScenarioError, Step};
use crate::harness::Harness;
use crate::report::{Report, ScenarioInfo, SessionJournal, StepResult};
use crate::workflow::param::{child_path, index_path};

/// What running a scenario gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub report: Report,
    pub journal: SessionJournal,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.report.passed
    }
}

impl Scenario {
    fn error(&self, path: String, message: String) -> ScenarioError {
        ScenarioError {
            origin: self.origin.clone(),
            path,
            message,
        }
    }

    /// Runs the scenario. `Err` is a scenario that could not run (a key it names does not
    /// exist, the system never settled); failed expectations are in the report.
    pub async fn run(&self) -> Result<Outcome, ScenarioError> {
        let harness = Harness::from_scenario(self)
            .await
            .map_err(|e| self.error("$".into(), e.to_string()))?;
        let result = self.run_on(&harness).await;
        harness.shutdown().await;
        result
    }

    /// Runs the steps on an existing harness (built with [`Harness::from_scenario`]).
    pub async fn run_on(&self, harness: &Harness) -> Result<Outcome, ScenarioError> {
        let mut steps = Vec::new();
        let mut expectations: Vec<ExpectationResult> = Vec::new();
        let settle = |at: String| async move {
            harness
                .settled()
                .await
                .map_err(|e| self.error(at, format!("the system did not settle: {e}")))
        };
        for (i, step) in self.steps.iter().enumerate() {
            let at = index_path("$.steps", i);
            match step {
                Step::Request {
                    request,
                    settle: wait,
                    status,
                } => {
                    let answer = harness
                        .trigger(request.clone())
                        .await
                        .map_err(|e| self.error(child_path(&at, "request"), e.to_string()))?;
                    let who = match (&request.key, &request.token, &request.authorization) {
                        (Some(key), _, _) => format!(" as {key}"),
                        (_, Some(_), _) => " with a token".to_string(),
                        (_, _, Some(_)) => " with a raw Authorization header".to_string(),
                        _ => " without credentials".to_string(),
                    };
                    steps.push(StepResult {
                        index: i,
                        description: format!(
                            "{} {}{who}",
                            request.method.to_ascii_uppercase(),
                            request.path
                        ),
                        status: Some(answer.status),
                        request_id: answer.request_id,
                    });
                    if let Some(want) = status {
                        expectations.push(ExpectationResult {
                            at: child_path(&at, "status"),
                            description: format!("step {} answers {want}", i + 1),
                            passed: answer.status == *want,
                            expected: serde_json::json!(want),
                            actual: serde_json::json!(answer.status),
                        });
                    }
                    if *wait {
                        settle(at).await?;
                    }
                }
                Step::AdvanceClock { millis, text } => {
                    let now = harness.server().clock().advance(*millis);
                    // Scheduled workflows that came due run now, before the next step.
                    settle(at).await?;
                    steps.push(StepResult {
                        index: i,
                        description: format!("advance the clock {text} (now {now})"),
                        status: None,
                        request_id: None,
                    });
                }
                Step::SetClock(t) => {
                    harness.server().clock().set(*t);
                    settle(at).await?;
                    steps.push(StepResult {
                        index: i,
                        description: format!("set the clock to {t}"),
                        status: None,
                        request_id: None,
                    });
                }
                Step::Call { call, settle: wait } => {
                    let id = harness.workflow_id(&call.workflow).ok_or_else(|| {
                        self.error(
                            child_path(&at, "call"),
                            format!("no workflow `{}` is installed", call.workflow),
                        )
                    })?;
                    let inputs = if call.inputs.is_null() {
                        serde_json::json!({})
                    } else {
                        call.inputs.clone()
                    };
                    harness
                        .call(&id, inputs)
                        .map_err(|e| self.error(child_path(&at, "call"), e.to_string()))?;
                    steps.push(StepResult {
                        index: i,
                        description: format!("call workflow {}", call.workflow),
                        status: None,
                        request_id: None,
                    });
                    if *wait {
                        settle(at).await?;
                    }
                }
                Step::Settle => {
                    settle(at).await?;
                    steps.push(StepResult {
                        index: i,
                        description: "settle".into(),
                        status: None,
                        request_id: None,
                    });
                }
            }
        }
        settle("$".into()).await?;
        let facts = harness.facts();
        let checks = ExpectFacts {
            store: harness.server().store(),
            runs: &facts.runs,
            loops: &facts.loops,
            journal: &facts.journal,
            events: &facts.events,
        };
        for (i, e) in self.expectations.iter().enumerate() {
            expectations.push(evaluate(e, index_path("$.expect", i), &checks));
        }
        let info = ScenarioInfo {
            name: self.name.clone(),
            file: self.origin.clone(),
            description: self.description.clone(),
        };
        let base = harness.url();
        Ok(Outcome {
            report: Report::new(info, steps, &facts, expectations, &base),
            journal: SessionJournal::from_facts(&facts, &base),
        })
    }

    /// The virtual clock the scenario starts with.
    pub fn clock(&self) -> Clock {
        Clock::virtual_at(self.clock_start)
    }
}
