//! The checks a scenario's steps and expectations pass before anything runs: one thing
//! per step and per expectation, record paths and run states spelled as the runner reads
//! them.

use kustomer_mock::Timestamp;

use super::def::{ExpectDef, StepDef};
use super::load::Step;
use super::record_path::{RecordPath, record_paths};
use crate::workflow::param::{PathError, child_path};

pub(super) fn check_step(s: &StepDef, at: &str) -> Result<Step, PathError> {
    let kinds = [
        s.request.is_some(),
        s.advance_clock.is_some(),
        s.set_clock.is_some(),
        s.call.is_some(),
    ];
    let count = kinds.iter().filter(|k| **k).count();
    if count > 1 {
        return Err(PathError::new(
            at.to_string(),
            "a step does one thing: request, advanceClock, setClock, call or settle",
        ));
    }
    if s.status.is_some() && s.request.is_none() {
        return Err(PathError::new(
            child_path(at, "status"),
            "`status` checks a request's answer: it needs `request`",
        ));
    }
    if let Some(request) = &s.request {
        let method = request.method.to_ascii_uppercase();
        if !["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(&method.as_str())
        {
            return Err(PathError::new(
                child_path(&child_path(at, "request"), "method"),
                format!("`{}` is not an HTTP method", request.method),
            ));
        }
        if !request.path.starts_with('/') {
            return Err(PathError::new(
                child_path(&child_path(at, "request"), "path"),
                format!(
                    "the path `{}` must start with / (e.g. /v1/conversations)",
                    request.path
                ),
            ));
        }
        let auths = [
            request.key.is_some(),
            request.token.is_some(),
            request.authorization.is_some(),
        ];
        if auths.iter().filter(|a| **a).count() > 1 {
            return Err(PathError::new(
                child_path(at, "request"),
                "use one of `key`, `token` or `authorization`",
            ));
        }
        return Ok(Step::Request {
            request: request.clone(),
            settle: s.settle.unwrap_or(true),
            status: s.status,
        });
    }
    if let Some(text) = &s.advance_clock {
        if text.trim_start().starts_with('-') {
            return Err(PathError::new(
                child_path(at, "advanceClock"),
                "the clock only advances forwards",
            ));
        }
        let duration = crate::duration::parse(text)
            .map_err(|e| PathError::new(child_path(at, "advanceClock"), e.to_string()))?;
        let millis = i64::try_from(duration.as_millis()).map_err(|_| {
            PathError::new(
                child_path(at, "advanceClock"),
                format!("duration `{text}` is too large"),
            )
        })?;
        return Ok(Step::AdvanceClock {
            millis,
            text: text.clone(),
        });
    }
    if let Some(text) = &s.set_clock {
        let t = Timestamp::parse(text).ok_or_else(|| {
            PathError::new(
                child_path(at, "setClock"),
                format!("`{text}` is not an ISO-8601 timestamp"),
            )
        })?;
        return Ok(Step::SetClock(t));
    }
    if let Some(call) = &s.call {
        return Ok(Step::Call {
            call: call.clone(),
            settle: s.settle.unwrap_or(true),
        });
    }
    match s.settle {
        Some(true) => Ok(Step::Settle),
        _ => Err(PathError::new(
            at.to_string(),
            "an empty step: use request, advanceClock, setClock, call or settle: true",
        )),
    }
}

pub(super) fn check_expectation(e: &ExpectDef, at: &str) -> Result<(), PathError> {
    let kinds = [
        ("record", e.record.is_some()),
        ("runs", e.runs.is_some()),
        ("loop", e.loop_detected.is_some()),
        ("status", e.status.is_some()),
        ("journal", e.journal.is_some()),
        ("event", e.event.is_some()),
    ];
    let present: Vec<&str> = kinds.iter().filter(|(_, p)| *p).map(|(k, _)| *k).collect();
    match present.as_slice() {
        [] => Err(PathError::new(
            at.to_string(),
            "an expectation needs one of record, runs, loop, status, journal or event",
        )),
        [_] => {
            if e.record.is_some() && e.attributes.is_none() {
                return Err(PathError::new(
                    at.to_string(),
                    "a `record` expectation needs `attributes`",
                ));
            }
            if let Some(record) = &e.record
                && RecordPath::parse(record).is_none()
            {
                return Err(PathError::new(
                    child_path(at, "record"),
                    format!("`{record}` is not a record path (use {})", record_paths()),
                ));
            }
            if e.runs.is_some()
                && e.count.is_none()
                && e.states.is_none()
                && e.last_state.is_none()
                && e.explanation_contains.is_none()
            {
                return Err(PathError::new(
                    at.to_string(),
                    "a `runs` expectation needs count, states, lastState or explanationContains",
                ));
            }
            let states = e.states.iter().flatten().chain(e.last_state.iter());
            for state in states {
                if ![
                    "queued",
                    "running",
                    "not-matched",
                    "completed",
                    "failed",
                    "halted",
                    "interrupted",
                ]
                .contains(&state.as_str())
                {
                    return Err(PathError::new(
                        at.to_string(),
                        format!(
                            "`{state}` is not a run state (not-matched, completed, failed, halted, interrupted)"
                        ),
                    ));
                }
            }
            Ok(())
        }
        many => Err(PathError::new(
            at.to_string(),
            format!(
                "an expectation checks one thing, not {}",
                many.join(" and ")
            ),
        )),
    }
}
