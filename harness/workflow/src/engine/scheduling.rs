//! Callable workflows scheduled for later (`kustomer.app.scheduler.schedule-workflow`),
//! started when the mock's clock reaches their time.

use std::sync::Arc;

use kustomer_mock::{Cause, Id};
use serde::Serialize;
use serde_json::{Value, json};

use super::{Engine, EngineInner};

/// A callable workflow scheduled for later (`kustomer.app.scheduler.schedule-workflow`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scheduled {
    pub id: Id,
    pub due: kustomer_mock::Timestamp,
    pub workflow: String,
    pub inputs: Value,
    #[serde(skip)]
    pub(super) cause: Cause,
}

impl Engine {
    /// Callable workflows waiting for their time, soonest first.
    pub fn scheduled(&self) -> Vec<Scheduled> {
        let mut list = self.0.schedules.lock().clone();
        list.sort_by_key(|s| (s.due, s.id));
        list
    }

    /// Starts every scheduled workflow whose time has come on the mock's clock, in time order.
    pub fn fire_due(&self) {
        self.0.fire_due();
    }
}

impl EngineInner {
    /// `kustomer.app.scheduler.schedule-workflow {runAt: {value, type}, workflowId, inputs}`:
    /// `relative` runs `value` seconds from now (a public Kustomer export labels
    /// `"value": 60` "Wait 1 minute"), `absolute` at an ISO timestamp or epoch milliseconds.
    pub(crate) fn schedule_from_step(
        &self,
        params: &Value,
        cause: Cause,
        now: kustomer_mock::Timestamp,
    ) -> Result<Value, Value> {
        let workflow = params
            .get("workflowId")
            .and_then(Value::as_str)
            .ok_or_else(|| json!({"message": "`workflowId` is required"}))?;
        let installed = self
            .installed(workflow)
            .ok_or_else(|| json!({"message": format!("no workflow `{workflow}` is installed")}))?;
        if !installed.workflow.callable() {
            return Err(json!({"message": format!("workflow `{workflow}` is not callable")}));
        }
        let run_at = params.get("runAt").cloned().unwrap_or(Value::Null);
        let due = match (run_at.get("type").and_then(Value::as_str), run_at.get("value")) {
            (Some("relative") | None, Some(value)) => {
                let seconds = super::super::template::number_of(value)
                    .filter(|s| s.is_finite() && *s >= 0.0)
                    .ok_or_else(|| json!({"message": format!("`runAt.value` must be a number of seconds (0 or more), not {value}")}))?;
                now.plus_millis((seconds * 1000.0) as i64)
            }
            (Some("absolute"), Some(value)) => match value {
                Value::String(text) => kustomer_mock::Timestamp::parse(text)
                    .ok_or_else(|| json!({"message": format!("`runAt.value` `{text}` is not an ISO-8601 timestamp")}))?,
                Value::Number(n) => kustomer_mock::Timestamp::from_millis(n.as_i64().unwrap_or(0)),
                other => return Err(json!({"message": format!("`runAt.value` must be a timestamp, not {other}")})),
            },
            _ => return Err(json!({"message": "`runAt` must be {\"type\": \"relative\" | \"absolute\", \"value\": ...}"})),
        };
        let Some(attached) = self.attached.get() else {
            return Err(json!({"message": "the engine is not attached"}));
        };
        let id = attached.state.store.ids().derive(
            now,
            &[
                b"schedule",
                cause.run.as_deref().unwrap_or("").as_bytes(),
                cause.step.as_deref().unwrap_or("").as_bytes(),
            ],
        );
        let inputs = params.get("inputs").cloned().unwrap_or_else(|| json!({}));
        self.schedules.lock().push(Scheduled {
            id,
            due,
            workflow: workflow.to_string(),
            inputs,
            cause,
        });
        Ok(json!({"scheduleId": id, "workflowId": workflow, "runAt": due}))
    }

    pub(super) fn fire_due(self: &Arc<Self>) {
        let Some(attached) = self.attached.get() else {
            return;
        };
        let now = attached.state.store.now();
        let due: Vec<Scheduled> = {
            let mut schedules = self.schedules.lock();
            let (due, later): (Vec<Scheduled>, Vec<Scheduled>) =
                schedules.drain(..).partition(|s| s.due <= now);
            *schedules = later;
            due
        };
        let mut due = due;
        due.sort_by_key(|s| (s.due, s.id));
        for scheduled in due {
            if let Some(installed) = self.installed(&scheduled.workflow) {
                self.enqueue_call(attached, installed, scheduled.inputs, Some(scheduled.cause));
            }
        }
    }
}
