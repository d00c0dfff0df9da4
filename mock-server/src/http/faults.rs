//! Fault injection: seeded rules that make `/v1` requests (and workflow REST steps) fail
//! the way real networks and servers do — an error status, added latency, or a dropped
//! connection.
//!
//! A rule matches a method and a path pattern (`*` stands for one path segment's
//! characters, `**` for anything), then fires on every Nth match or with a probability.
//! The probability is decided by a hash of the rule's seed and the match count, never by
//! a random source, so the same requests in the same order hit the same faults.

use parking_lot::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::events::cause::Cause;
use crate::support::clock::Timestamp;
use crate::support::ids::{Id, hash_parts};
use crate::support::ring::Ring;

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultAction {
    /// Answer with this status (and a Kustomer error body naming the fault).
    Status { status: u16 },
    /// Wait this long (real time) before handling the request.
    Latency { ms: u64 },
    /// Close the connection without answering.
    Drop,
}

/// A rule as given by `POST /__admin/faults` or a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// `GET`, `PUT`, ...; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A path pattern: `/v1/conversations/*`, `/v1/**`.
    pub path: String,
    /// Fire on a fraction of the matching requests (0 to 1), decided by the seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Fire on every Nth matching request (1: all of them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Fire at most this many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Only requests a workflow run made (`true`), or only the others (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_workflows: Option<bool>,
    #[serde(default)]
    pub seed: u64,
    /// `{"kind": "status", "status": 503}`, `{"kind": "latency", "ms": 2000}` or `{"kind": "drop"}`.
    pub action: FaultAction,
}

impl FaultSpec {
    /// `Err` names the field that is wrong.
    pub fn check(&self) -> Result<(), (String, String)> {
        if !self.path.starts_with('/') {
            return Err((
                "/path".into(),
                format!("the path pattern `{}` must start with /", self.path),
            ));
        }
        if let Err(e) = PathPattern::new(&self.path) {
            return Err((
                "/path".into(),
                format!("the path pattern `{}` is not valid: {e}", self.path),
            ));
        }
        if let Some(p) = self.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err((
                "/probability".into(),
                format!("a probability is from 0 to 1, not {p}"),
            ));
        }
        if self.every == Some(0) {
            return Err(("/every".into(), "`every` is 1 or more".into()));
        }
        if let FaultAction::Status { status } = self.action
            && !(400..=599).contains(&status)
        {
            return Err((
                "/action/status".into(),
                format!("an injected status is from 400 to 599, not {status}"),
            ));
        }
        Ok(())
    }
}

/// A rule in force, with its counters.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    pub id: Id,
    #[serde(flatten)]
    pub spec: FaultSpec,
    #[serde(skip)]
    pattern: PathPattern,
    /// Requests the rule matched.
    pub matched: u64,
    /// Times it fired.
    pub fired: u64,
}

/// One time a fault fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultHit {
    pub rule: Id,
    pub at: Timestamp,
    pub method: String,
    pub path: String,
    pub action: FaultAction,
    /// The workflow run and step whose request it hit, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
}

/// A rule's path pattern, compiled once when the rule is added.
///
/// The documented syntax (`*`: one segment's characters; `**`: any characters, `/`
/// included, wherever it stands) is written as a globset glob: other characters are
/// literal (escaped), `*` does not cross `/`, and each `**` becomes `{*,*/**/*}` (no `/`,
/// or at least one), so that `/v1/conv**` keeps meaning what it did. The glob is matched
/// as one regex, in time linear in the path, however many `**` the pattern has.
#[derive(Debug, Clone)]
pub struct PathPattern(globset::GlobMatcher);

impl PathPattern {
    /// Compiles `pattern` (a trailing `/` is ignored, as on the paths matched).
    pub fn new(pattern: &str) -> Result<PathPattern, globset::Error> {
        let mut glob = String::with_capacity(pattern.len() * 2);
        let mut rest = pattern.trim_end_matches('/');
        while let Some(star) = rest.find('*') {
            glob.push_str(&globset::escape(&rest[..star]));
            rest = &rest[star..];
            if let Some(after) = rest.strip_prefix("**") {
                glob.push_str("{*,*/**/*}");
                rest = after;
            } else {
                glob.push('*');
                rest = &rest[1..];
            }
        }
        glob.push_str(&globset::escape(rest));
        let matcher = globset::GlobBuilder::new(&glob)
            .literal_separator(true)
            .backslash_escape(false)
            .build()?
            .compile_matcher();
        Ok(PathPattern(matcher))
    }

    /// Whether `path` (a trailing `/` ignored) matches.
    pub fn matches(&self, path: &str) -> bool {
        self.0.is_match(path.trim_end_matches('/'))
    }
}

/// Whether `path` matches `pattern` (`*`: any characters but `/`; `**`: any characters);
/// `false` for a pattern that does not compile.
#[cfg(test)]
pub fn path_matches(pattern: &str, path: &str) -> bool {
    PathPattern::new(pattern).is_ok_and(|p| p.matches(path))
}

/// The rules and the log of hits.
#[derive(Debug)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
    hits: Mutex<Ring<FaultHit>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rules: Mutex::new(Vec::new()),
            hits: Mutex::new(Ring::new(10_000)),
        }
    }
}

impl Faults {
    fn rules(&self) -> parking_lot::MutexGuard<'_, Vec<FaultRule>> {
        self.rules.lock()
    }

    fn hits(&self) -> parking_lot::MutexGuard<'_, Ring<FaultHit>> {
        self.hits.lock()
    }

    /// Adds a rule; `Err` (from [`FaultSpec::check`]) names the field that is wrong.
    pub fn add(&self, id: Id, spec: FaultSpec) -> Result<FaultRule, (String, String)> {
        spec.check()?;
        let pattern =
            PathPattern::new(&spec.path).map_err(|e| ("/path".to_string(), e.to_string()))?;
        let rule = FaultRule {
            id,
            spec,
            pattern,
            matched: 0,
            fired: 0,
        };
        self.rules().push(rule.clone());
        Ok(rule)
    }

    /// The rules with their counters.
    pub fn list(&self) -> Vec<FaultRule> {
        self.rules().clone()
    }

    /// Removes one rule; `false` if there was none.
    pub fn remove(&self, id: Id) -> bool {
        let mut rules = self.rules();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    /// Removes every rule and forgets the hits.
    pub fn clear(&self) {
        self.rules().clear();
        self.hits().clear();
    }

    /// Whether any rule is in force (the fast path skips everything when none is).
    pub fn is_empty(&self) -> bool {
        self.rules().is_empty()
    }

    /// The fault for this request, if a rule fires; counts and logs it.
    pub fn decide(
        &self,
        method: &str,
        path: &str,
        cause: &Cause,
        now: Timestamp,
    ) -> Option<(Id, FaultAction)> {
        let from_workflow = cause.run.is_some();
        let mut rules = self.rules();
        for rule in rules.iter_mut() {
            let spec = &rule.spec;
            if spec
                .method
                .as_deref()
                .is_some_and(|m| !m.eq_ignore_ascii_case(method))
                || spec.from_workflows.is_some_and(|w| w != from_workflow)
                || !rule.pattern.matches(path)
            {
                continue;
            }
            rule.matched += 1;
            let n = rule.matched;
            if spec.times.is_some_and(|t| rule.fired >= t) {
                continue;
            }
            let every = spec.every.is_none_or(|e| n % e == 0);
            let chance = spec.probability.is_none_or(|p| {
                let roll = hash_parts(spec.seed, &[rule.id.as_bytes(), &n.to_be_bytes()]);
                (roll as f64 / u64::MAX as f64) < p
            });
            if every && chance {
                rule.fired += 1;
                let hit = FaultHit {
                    rule: rule.id,
                    at: now,
                    method: method.to_string(),
                    path: path.to_string(),
                    action: spec.action.clone(),
                    run: cause.run.clone(),
                    step: cause.step.clone(),
                };
                let action = spec.action.clone();
                let id = rule.id;
                drop(rules);
                self.hits().push(hit);
                return Some((id, action));
            }
        }
        None
    }

    /// The hits, oldest first.
    pub fn log(&self) -> Vec<FaultHit> {
        self.hits().iter().map(|(_, h)| h.clone()).collect()
    }

    /// The fault that hit a workflow run's step, if one did (the engine's run log names it).
    pub fn hit_for(&self, run: &str, step: &str) -> Option<FaultHit> {
        self.hits()
            .iter()
            .rev()
            .find(|(_, h)| h.run.as_deref() == Some(run) && h.step.as_deref() == Some(step))
            .map(|(_, h)| h.clone())
    }
}

/// Marks a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// A fault hit, as a JSON value for run logs.
pub fn hit_value(hit: &FaultHit) -> Value {
    serde_json::to_value(hit).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(path_matches("/v1/conversations/*", "/v1/conversations/abc"));
        assert!(!path_matches(
            "/v1/conversations/*",
            "/v1/conversations/abc/tags"
        ));
        assert!(path_matches("/v1/**", "/v1/conversations/abc/tags"));
        assert!(path_matches(
            "/v1/conversations/*/tags",
            "/v1/conversations/abc/tags/"
        ));
        assert!(!path_matches("/v1/tags", "/v1/tagsx"));
        assert!(!path_matches("/v1/**", "/v1"));
        assert!(path_matches("/v1/conv**", "/v1/conversations/abc/tags"));
        assert!(path_matches("/v1/**/tags", "/v1/conversations/abc/tags"));
        // Glob syntax the mock does not document is literal.
        assert!(path_matches("/v1/a?b/[x]/{c,d}", "/v1/a?b/[x]/{c,d}"));
        assert!(!path_matches("/v1/a?b", "/v1/aXb"));
        assert!(!path_matches("/v1/{c,d}", "/v1/c"));
        assert!(path_matches("/v1/a\\b", "/v1/a\\b"));
    }

    /// The old recursive matcher tried every split for each `**`: exponential in their
    /// number on a path that does not match.
    #[test]
    fn many_double_stars_match_as_one_glob() {
        let pattern = format!("/v1/{}b", "**a".repeat(30));
        let no_b = format!("/v1/{}", "a/".repeat(40));
        assert!(!path_matches(&pattern, &no_b));
        let with_b = format!("{}b", no_b.trim_end_matches('/'));
        assert!(path_matches(&pattern, &with_b));
        assert!(!path_matches(&pattern, &format!("/v1/{}b", "a".repeat(29))));
        assert!(path_matches(&pattern, &format!("/v1/{}b", "a".repeat(30))));
    }

    fn spec(every: Option<u64>, probability: Option<f64>) -> FaultSpec {
        FaultSpec {
            method: Some("PUT".into()),
            path: "/v1/**".into(),
            probability,
            every,
            times: None,
            from_workflows: None,
            seed: 7,
            action: FaultAction::Status { status: 503 },
        }
    }

    #[test]
    fn every_nth_and_seeded_probability_are_reproducible() {
        let cause = Cause::root(Id::from_bytes([1; 12]));
        let t = Timestamp::from_millis(0);
        let faults = Faults::default();
        faults
            .add(Id::from_bytes([2; 12]), spec(Some(3), None))
            .unwrap();
        let fired: Vec<bool> = (0..6)
            .map(|_| faults.decide("PUT", "/v1/x", &cause, t).is_some())
            .collect();
        assert_eq!(fired, [false, false, true, false, false, true]);
        assert!(
            faults.decide("GET", "/v1/x", &cause, t).is_none(),
            "the method must match"
        );

        let pattern = |seed_rule: u8| {
            let f = Faults::default();
            f.add(Id::from_bytes([seed_rule; 12]), spec(None, Some(0.5)))
                .unwrap();
            (0..64)
                .map(|_| f.decide("PUT", "/v1/x", &cause, t).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(pattern(3), pattern(3), "same rule, same seed: same faults");
        let hits = pattern(3).iter().filter(|h| **h).count();
        assert!((16..=48).contains(&hits), "about half: {hits}");
    }

    #[test]
    fn specs_are_checked() {
        let mut bad = spec(Some(0), None);
        assert_eq!(bad.check().unwrap_err().0, "/every");
        bad.every = None;
        bad.probability = Some(1.5);
        assert_eq!(bad.check().unwrap_err().0, "/probability");
        bad.probability = None;
        bad.action = FaultAction::Status { status: 200 };
        assert_eq!(bad.check().unwrap_err().0, "/action/status");
        bad.action = FaultAction::Drop;
        assert!(bad.check().is_ok());
        assert_eq!(
            Faults::default()
                .add(
                    Id::from_bytes([2; 12]),
                    FaultSpec {
                        every: Some(0),
                        ..bad
                    }
                )
                .unwrap_err()
                .0,
            "/every",
            "add checks the spec"
        );
    }
}
