//! The loop guard (the engine's own, not Kustomer's): a run is halted before its steps
//! when its workflow already fired on its record `maxRepeats` times in the same causal
//! chain, or when the chain is deeper than `maxDepth`. Kustomer-faithful mode turns it
//! off; a hard cap of runs per causal root still stops a runaway chain.

use kustomer_mock::{Hop, Id, Timestamp};
use serde::{Deserialize, Serialize};

use super::condition_log::ConditionLog;

/// Loop guard settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoopGuardConfig {
    /// Off is Kustomer-faithful mode: only Kustomer's limits (and the hard cap) stop a loop.
    pub enabled: bool,
    /// Fires of one workflow on one record allowed in one chain.
    pub max_repeats: u32,
    /// Hops allowed in one chain.
    pub max_depth: u32,
}

impl Default for LoopGuardConfig {
    fn default() -> Self {
        LoopGuardConfig {
            enabled: true,
            max_repeats: 3,
            max_depth: 16,
        }
    }
}

/// Runs allowed per causal root, whatever the guard says.
pub const DEFAULT_HARD_CAP: usize = 1000;

/// One hop of a detected loop, with names for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoopHop {
    pub workflow: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_name: Option<String>,
    pub record: String,
}

/// A `loop-detected` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoopRecord {
    pub id: String,
    /// `max-repeats`, `max-depth` or `hard-cap`.
    pub reason: String,
    pub workflow: super::run_log::WorkflowRef,
    pub record: Id,
    /// The run that was halted.
    pub run: String,
    pub root: Id,
    pub depth: u32,
    /// How many times the workflow fired on the record in this chain, the halted run included.
    pub repeats: u32,
    /// Every hop from the root to the halted run (the halted run last).
    pub chain: Vec<LoopHop>,
    /// The trigger condition that let the workflow fire again, with its values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ConditionLog>,
    pub detected_at: Timestamp,
    /// The loop in words, with the fix.
    pub explanation: String,
}

/// What the guard decides for a run about to run its steps.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Proceed,
    Halt { reason: &'static str, repeats: u32 },
}

/// Decides whether a run may proceed. `chain` holds the hops before it; `runs_for_root`
/// counts the runs of its root so far, this one included.
pub fn judge(
    config: &LoopGuardConfig,
    hard_cap: usize,
    chain: &[Hop],
    hop: &Hop,
    depth: u32,
    runs_for_root: usize,
) -> Verdict {
    let repeats = chain.iter().filter(|h| *h == hop).count() as u32 + 1;
    if runs_for_root > hard_cap {
        return Verdict::Halt {
            reason: "hard-cap",
            repeats,
        };
    }
    if !config.enabled {
        return Verdict::Proceed;
    }
    if repeats > config.max_repeats {
        return Verdict::Halt {
            reason: "max-repeats",
            repeats,
        };
    }
    if depth > config.max_depth {
        return Verdict::Halt {
            reason: "max-depth",
            repeats,
        };
    }
    Verdict::Proceed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(w: &str, r: &str) -> Hop {
        Hop {
            workflow: w.into(),
            record: r.into(),
        }
    }

    #[test]
    fn repeats_depth_and_cap() {
        let guard = LoopGuardConfig::default();
        let me = hop("wf", "c1");
        let chain = vec![me.clone(), hop("other", "c1"), me.clone(), me.clone()];
        assert_eq!(
            judge(&guard, 1000, &chain[..2], &me, 2, 3),
            Verdict::Proceed
        );
        assert_eq!(
            judge(&guard, 1000, &chain[..3], &me, 3, 4),
            Verdict::Proceed
        );
        assert_eq!(
            judge(&guard, 1000, &chain, &me, 4, 5),
            Verdict::Halt {
                reason: "max-repeats",
                repeats: 4
            }
        );
        assert_eq!(
            judge(&guard, 1000, &[], &me, 17, 1),
            Verdict::Halt {
                reason: "max-depth",
                repeats: 1
            }
        );
        let off = LoopGuardConfig {
            enabled: false,
            ..guard
        };
        assert_eq!(judge(&off, 1000, &chain, &me, 40, 5), Verdict::Proceed);
        assert_eq!(
            judge(&off, 1000, &chain, &me, 40, 1001),
            Verdict::Halt {
                reason: "hard-cap",
                repeats: 4
            }
        );
    }
}
