//! Running one workflow for one event: match the trigger, consult the loop guard, then
//! step by step resolve params, run the action, follow the first transition that holds
//! (or error case, when the step failed). Everything shown is masked.

use std::sync::Arc;
use std::time::Instant;

use kustomer_mock::FaultAction;
use kustomer_mock::{Cause, LazyJson};
use serde_json::{Value, json};

use super::actions::{self, Action, ActionEnv};
use super::engine::{EngineInner, Job};
use super::explain::{explain_loop, explain_run};
use super::load::{LoadedWorkflow, Transition};
use super::loop_guard::{LoopHop, LoopRecord, Verdict, judge};
use super::run_log::{
    EventRef, Halt, Run, RunCause, RunState, StepLog, TransitionLog, WorkflowRef,
};
use super::scope::Scope;
use super::variables::Secrets;

/// Steps one run may take (cycles are refused at load; this only guards the impossible).
const MAX_STEPS_PER_RUN: usize = 1000;

/// Tries every transition in order; the first that holds is taken.
fn choose(
    transitions: &[Transition],
    scope: &Scope<'_>,
    secrets: &Secrets,
) -> (Option<String>, Vec<TransitionLog>) {
    let mut chosen = None;
    let logs = transitions
        .iter()
        .enumerate()
        .map(|(index, t)| {
            let (holds, condition) = match &t.condition {
                None => (true, None),
                Some(c) => {
                    let outcome = c.evaluate(scope);
                    (outcome.holds, Some(outcome.explanation.masked(secrets)))
                }
            };
            if holds && chosen.is_none() {
                chosen = Some(t.target.clone());
            }
            TransitionLog {
                index,
                target: t.target.clone(),
                name: t.name.clone(),
                holds,
                condition,
            }
        })
        .collect();
    (chosen, logs)
}

impl EngineInner {
    /// Runs a job to its end and records the run.
    pub(crate) async fn execute(self: Arc<Self>, job: Job) {
        let Some(attached) = self.attached.get() else {
            return;
        };
        let store = &attached.state.store;
        let workflow = &job.installed.workflow;
        let event = &job.event;
        let config = self.config.read().clone();
        let incoming = &event.mock.cause;
        // The full chain comes from the parent run when the engine knows it and the header
        // may have been cut to its last hops; a whole chain is read as it came, as the
        // run book's lock is the engine's busiest.
        let cut = incoming.chain_may_be_cut();
        let parent_chain = incoming.run.as_ref().filter(|_| cut).and_then(|parent| {
            let book = self.book.lock();
            book.chain_of(parent)
        });
        let mut run = Run {
            id: job.run_id.clone(),
            workflow: WorkflowRef {
                id: workflow.id.clone(),
                name: workflow.def.name.clone(),
            },
            event: EventRef {
                id: event.id,
                name: event.name.clone(),
                data_id: event.data_id,
                request_id: event.mock.request_id,
            },
            record: event.data_id,
            state: RunState::Running,
            started_at: store.now(),
            ended_at: None,
            cause: RunCause {
                root: incoming.root,
                depth: incoming.depth,
                parent_run: incoming.run.clone(),
                chain: parent_chain.unwrap_or_else(|| incoming.chain.clone()),
            },
            trigger: Arc::default(),
            steps: Vec::new(),
            error: None,
            halt: None,
            iteration: 1,
            summary: "running".into(),
            explanation: None,
        };
        let hop = kustomer_mock::Hop {
            workflow: workflow.id.clone(),
            record: event.data_id.to_hex(),
        };
        run.iteration = run.cause.chain.iter().filter(|h| **h == hop).count() as u32 + 1;
        let runs_for_root = self.count_for_root(incoming.root);
        let secrets = &self.secrets_for(&job.installed);
        let mut scope = Scope::for_run(
            Arc::clone(event),
            job.inputs.as_ref(),
            Arc::clone(&job.installed.variables_json),
            &attached.templates,
        );
        let missing = job
            .inputs
            .as_ref()
            .filter(|_| workflow.callable())
            .map(|inputs| workflow.def.trigger.missing_inputs(inputs))
            .unwrap_or_default();
        let (target, tried) = if missing.is_empty() {
            choose(&workflow.trigger, &scope, secrets)
        } else {
            (None, Vec::new())
        };
        run.trigger = tried.into();
        match target {
            None if !missing.is_empty() => {
                let message = format!(
                    "missing required input(s) {} (the trigger's schema.required)",
                    missing.join(", ")
                );
                run.state = RunState::Failed;
                run.summary = format!("failed: {message}");
                run.error = Some(json!({"message": message, "missing": missing}));
            }
            None => {
                run.state = RunState::NotMatched;
                run.summary = if workflow.trigger.is_empty() {
                    "not matched: the trigger has no transitions".into()
                } else {
                    format!(
                        "not matched: none of the {} trigger transition(s) held",
                        workflow.trigger.len()
                    )
                };
            }
            Some(target) => {
                match judge(
                    &config.loop_guard,
                    config.hard_cap,
                    &run.cause.chain,
                    &hop,
                    incoming.depth,
                    runs_for_root,
                ) {
                    Verdict::Halt { reason, repeats } => {
                        self.halt(&mut run, workflow, reason, repeats, &config, store.now())
                    }
                    Verdict::Proceed => {
                        // Kept as running while its steps run (a run its requests cause
                        // reads its chain from the book). A run that ends before any
                        // step is recorded once, when it ends.
                        self.record_run(run.clone());
                        // Boxed: the steps' future (a REST call's among them) is most of
                        // a run's, and most runs (not matched) never get here, yet every
                        // run's task was allocated and copied at its size.
                        Box::pin(
                            self.run_steps(&mut run, &job, target, &mut scope, &config, secrets),
                        )
                        .await;
                    }
                }
            }
        }
        run.ended_at = Some(store.now());
        if run.explanation.is_none() {
            run.explanation = explain_run(&run, Some(workflow), store, job.installed.org);
        }
        self.record_run(run);
    }

    fn halt(
        &self,
        run: &mut Run,
        workflow: &LoadedWorkflow,
        reason: &'static str,
        repeats: u32,
        config: &super::engine::EngineConfig,
        now: kustomer_mock::Timestamp,
    ) {
        let mut chain: Vec<LoopHop> = run
            .cause
            .chain
            .iter()
            .map(|h| LoopHop {
                workflow: h.workflow.clone(),
                workflow_name: self
                    .installed(&h.workflow)
                    .map(|w| w.workflow.def.name.clone()),
                record: h.record.clone(),
            })
            .collect();
        chain.push(LoopHop {
            workflow: workflow.id.clone(),
            workflow_name: Some(workflow.def.name.clone()),
            record: run.record.to_hex(),
        });
        let message = match reason {
            "max-repeats" => format!(
                "halted by the loop guard: workflow `{}` fired on record {} for the {}{} time in one causal chain (maxRepeats is {})",
                workflow.def.name,
                run.record,
                repeats,
                ordinal(repeats),
                config.loop_guard.max_repeats
            ),
            "max-depth" => format!(
                "halted by the loop guard: the causal chain is {} hops deep (maxDepth is {})",
                run.cause.depth, config.loop_guard.max_depth
            ),
            _ => format!(
                "halted by the hard cap: more than {} runs came from one causal root {}",
                config.hard_cap, run.cause.root
            ),
        };
        let loop_id = format!("loop-{}", run.id);
        let condition = run
            .trigger
            .iter()
            .find(|t| t.holds)
            .and_then(|t| t.condition.clone());
        let mut record = LoopRecord {
            id: loop_id.clone(),
            reason: reason.to_string(),
            workflow: run.workflow.clone(),
            record: run.record,
            run: run.id.clone(),
            root: run.cause.root,
            depth: run.cause.depth,
            repeats,
            chain,
            condition,
            detected_at: now,
            explanation: String::new(),
        };
        record.explanation = explain_loop(&record, Some(workflow), &run.trigger);
        run.explanation = Some(record.explanation.clone());
        self.loops.lock().push(record);
        run.state = RunState::Halted;
        run.summary = message.clone();
        run.halt = Some(Halt {
            reason: reason.to_string(),
            message,
            loop_id: Some(loop_id),
        });
    }

    async fn run_steps(
        self: &Arc<Self>,
        run: &mut Run,
        job: &Job,
        first: String,
        scope: &mut Scope<'_>,
        config: &super::engine::EngineConfig,
        secrets: &Secrets,
    ) {
        let Some(attached) = self.attached.get() else {
            return;
        };
        let store = &attached.state.store;
        let workflow = &job.installed.workflow;
        let org = store.org_state(job.installed.org).map(|o| o.org());
        let mut current = first;
        loop {
            if run.steps.len() >= MAX_STEPS_PER_RUN {
                run.state = RunState::Failed;
                run.summary = format!("failed: more than {MAX_STEPS_PER_RUN} steps in one run");
                return;
            }
            let Some(step) = workflow.steps.get(&current) else {
                run.state = RunState::Failed;
                run.summary = format!("failed: no step `{current}`");
                return;
            };
            let started_at = store.now();
            let clock = Instant::now();
            let cause = Cause {
                root: run.cause.root,
                depth: run.cause.depth,
                run: Some(run.id.clone()),
                workflow: Some(workflow.id.clone()),
                step: Some(step.id.clone()),
                chain: run.chain_with_self(),
            };
            let resolved = step.params.resolve(scope);
            let result: Option<Result<LazyJson, Value>> = match (&step.action, &resolved) {
                (None, _) => None,
                (Some(_), Err(message)) => Some(Err(
                    json!({"message": format!("the params could not be resolved: {message}"), "kind": "params"}),
                )),
                (Some(Action::CallWorkflow), Ok(params)) => Some(
                    self.call_from_step(params, cause.child())
                        .map(LazyJson::from),
                ),
                (Some(Action::ScheduleWorkflow), Ok(params)) => Some(
                    self.schedule_from_step(params, cause.child(), started_at)
                        .map(LazyJson::from),
                ),
                (Some(action), Ok(params)) => {
                    let request_id = store.ids().derive(
                        started_at,
                        &[b"native", run.id.as_bytes(), step.id.as_bytes()],
                    );
                    let (org_id, user) = match &org {
                        Ok(o) => (o.id, o.workflow_user),
                        Err(_) => (job.installed.org, job.installed.org),
                    };
                    let env = ActionEnv {
                        http: &self.http,
                        mock: &attached.mock,
                        base_url: &attached.base_url,
                        mock_origin: &attached.mock_origin,
                        rewrite_kustomer_hosts: config.rewrite_kustomer_hosts,
                        cause: &cause,
                        timeout: config.rest_timeout,
                        templates: &attached.templates,
                        faults: &attached.state.faults,
                        store,
                        org: org_id,
                        user,
                        request_id,
                    };
                    let result = actions::execute(action.clone(), params, &env).await;
                    Some(result.map_err(|error| {
                        name_the_fault(error, &attached.state.faults, &run.id, &step.id)
                    }))
                }
            };
            // Masked where they are, now that the action is done with them.
            let shown_params = match resolved {
                Ok(mut params) => {
                    secrets.mask_in_place(&mut params);
                    params
                }
                Err(_) => Value::Null,
            };
            let mut log = StepLog {
                id: step.id.clone(),
                action: step.action_name.clone(),
                display_name: step.display_name.clone(),
                params: LazyJson::text_of(shown_params),
                output: None,
                error: None,
                transitions: Vec::new(),
                next: None,
                started_at,
                ended_at: store.now(),
                elapsed_ms: Some(clock.elapsed().as_secs_f64() * 1000.0),
            };
            let (next, failed) = match result {
                None | Some(Ok(_)) => {
                    if let Some(Ok(output)) = result {
                        log.output = Some(shown_output(secrets, &output));
                        scope.set_step(&step.id, output);
                    }
                    let (next, tried) = choose(&step.transitions, scope, secrets);
                    log.transitions = tried;
                    (next, None)
                }
                Some(Err(error)) => {
                    let shown = secrets.mask(&error);
                    log.error = Some(shown.clone());
                    scope.set_step(&step.id, json!({"error": error}).into());
                    let (next, tried) = choose(&step.error_cases, scope, secrets);
                    log.transitions = tried;
                    (next, Some(shown))
                }
            };
            log.next = next.clone();
            // Most runs take one step, and a kept run keeps this vector: room for one
            // (240 bytes) rather than the four a first push makes room for.
            if run.steps.capacity() == 0 {
                run.steps.reserve_exact(1);
            }
            run.steps.push(log);
            match (next, failed) {
                (Some(next), _) => current = next,
                (None, Some(error)) => {
                    let message = error["message"]
                        .as_str()
                        .unwrap_or("the step failed")
                        .to_string();
                    let meta = &error["body"]["errors"][0]["meta"];
                    let limit = match (error["status"].as_u64(), meta["limit"].as_str()) {
                        (Some(429), Some(limit)) => format!(
                            " ({limit} limit of {} per {} s; resets at {}; iteration {} of this workflow on this record)",
                            meta["max"],
                            meta["windowSeconds"],
                            meta["resetAt"].as_str().unwrap_or("?"),
                            run.iteration
                        ),
                        _ => String::new(),
                    };
                    run.summary = format!("failed at step `{}`: {message}{limit}", step.id);
                    run.error = Some(error);
                    run.state = RunState::Failed;
                    return;
                }
                (None, None) => {
                    run.state = RunState::Completed;
                    run.summary = format!("completed: {} step(s) ran", run.steps.len());
                    return;
                }
            }
        }
    }

    /// `kustomer.workflow.call {workflowId, inputs}`: queues the callable workflow.
    fn call_from_step(self: &Arc<Self>, params: &Value, cause: Cause) -> Result<Value, Value> {
        let id = params
            .get("workflowId")
            .and_then(Value::as_str)
            .ok_or_else(|| json!({"message": "`workflowId` is required"}))?;
        let inputs = params.get("inputs").cloned().unwrap_or_else(|| json!({}));
        let attached = self
            .attached
            .get()
            .ok_or_else(|| json!({"message": "the engine is not attached"}))?;
        let installed = self
            .installed(id)
            .ok_or_else(|| json!({"message": format!("no workflow `{id}` is installed")}))?;
        if !installed.workflow.callable() {
            return Err(json!({"message": format!("workflow `{id}` is not callable")}));
        }
        let run_id = self.enqueue_call(attached, installed, inputs, Some(cause));
        Ok(json!({"workflowId": id, "runId": run_id}))
    }
}

/// A step's output as the run log shows it: secure values masked. JSON text that holds
/// no secret (and no escape, behind which one could hide) is shown as it is, unparsed;
/// whether it does is looked at when the shown output is first read.
fn shown_output(secrets: &Secrets, output: &LazyJson) -> LazyJson {
    if secrets.is_empty() {
        return output.clone();
    }
    if output.is_from_text() {
        // Twins: what reading them renders is not kept with the run log.
        let (text_of, value_of) = (output.unrendered(), output.unrendered());
        let (secrets, masking) = (secrets.clone(), secrets.clone());
        return LazyJson::text_on_read(
            move || {
                text_of
                    .as_text()
                    .filter(|text| {
                        !text.get().contains('\\') && !secrets.appear_in_text(text.get())
                    })
                    .map(ToOwned::to_owned)
            },
            move || masking.mask(value_of.unrendered().value()),
        );
    }
    LazyJson::from(secrets.mask(output.value()))
}

/// Adds to a step's error the injected fault that caused it, if one did.
fn name_the_fault(
    mut error: Value,
    faults: &kustomer_mock::Faults,
    run: &str,
    step: &str,
) -> Value {
    if let Some(hit) = faults.hit_for(run, step) {
        let what = match &hit.action {
            FaultAction::Status { status } => format!("answered {status}"),
            FaultAction::Latency { ms } => format!("delayed it {ms} ms"),
            FaultAction::Drop => "dropped the connection".to_string(),
        };
        let message = error["message"]
            .as_str()
            .unwrap_or("the step failed")
            .to_string();
        error["message"] = Value::String(format!(
            "{message} (injected: fault rule {} {what})",
            hit.rule
        ));
        error["fault"] = kustomer_mock::hit_value(&hit);
    }
    error
}

fn ordinal(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    fn text(json: &str) -> LazyJson {
        LazyJson::text(RawValue::from_string(json.into()).unwrap()).expect("JSON")
    }

    #[test]
    fn outputs_show_secrets_masked_and_other_text_as_it_is() {
        let secrets = Secrets::new(vec![("API_Key".into(), "tok-123456".into())]);
        let plain = text(r#"{"body": {"note": "nothing to hide"}}"#);
        let shown = shown_output(&secrets, &plain);
        assert_eq!(
            shown.as_text().map(RawValue::get),
            plain.as_text().map(RawValue::get)
        );
        assert!(!shown.holds_rendering(), "shown without being parsed");

        let echoed = shown_output(
            &secrets,
            &text(r#"{"body": {"token": "Bearer tok-123456"}}"#),
        );
        assert_eq!(echoed["body"]["token"], "Bearer [secure:API_Key]");

        // Behind an escape the text does not show the secret; the value does.
        let escaped = shown_output(
            &secrets,
            &text(r#"{"body": {"token": "tok-\u0031\u00323456"}}"#),
        );
        assert_eq!(escaped["body"]["token"], "[secure:API_Key]");

        let value = shown_output(&secrets, &LazyJson::from(json!({"k": "tok-123456"})));
        assert_eq!(value["k"], "[secure:API_Key]");
    }

    #[test]
    fn an_output_written_on_read_is_looked_at_for_secrets_only_when_read() {
        static WRITTEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let secrets = Secrets::new(vec![("API_Key".into(), "tok-123456".into())]);
        let echoing = LazyJson::text_on_read(
            || {
                WRITTEN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                RawValue::from_string(r#"{"echo": "tok-123456", "n": 1}"#.into()).ok()
            },
            || Value::Null,
        );
        let shown = shown_output(&secrets, &echoing);
        assert_eq!(WRITTEN.load(std::sync::atomic::Ordering::SeqCst), 0);
        assert!(
            shown.as_text().is_none(),
            "text holding a secret is not shown"
        );
        assert_eq!(*shown, json!({"echo": "[secure:API_Key]", "n": 1}));
        assert_eq!(
            echoing["echo"], "tok-123456",
            "the step itself reads the value"
        );
        assert_eq!(WRITTEN.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
