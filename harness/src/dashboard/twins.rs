//! The dashboard's JSON twins under `/__admin` (everything else it shows is the admin
//! API as it was): the causal tree of the session, grouped by root and filtered, and
//! turning a workflow on or off.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use kustomer_mock::{
    ApiError, AppState, Event, EventQuery, Id, JournalEntry, parse_body, query_pairs,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::report::html::{alert_status, has_problem};
use crate::report::tree::{self, Facts, Node};
use crate::workflow::{Engine, LoopRecord, Run};

/// The first event of the session (fixture events before it are not shown).
#[derive(Debug, Clone, Default)]
pub struct SessionStart(pub Arc<AtomicU64>);

impl SessionStart {
    pub fn set(&self, seq: u64) {
        self.0.store(seq, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Roots shown when the caller names no limit: the page keeps its list bounded.
pub const DEFAULT_ROOTS: usize = 100;

/// Which roots a view wants; every condition given must hold somewhere in the root.
#[derive(Debug, Default)]
pub struct TreeFilter {
    pub workflow: Option<String>,
    pub record: Option<String>,
    pub status: Option<u16>,
    pub problems: bool,
}

impl TreeFilter {
    /// Whether the filter lets every root through.
    pub fn is_empty(&self) -> bool {
        self.workflow.is_none() && self.record.is_none() && self.status.is_none() && !self.problems
    }

    pub fn matches(&self, root: &Node) -> bool {
        (!self.problems || has_problem(root))
            && self.workflow.as_deref().is_none_or(|w| {
                any(
                    root,
                    &|n| matches!(n, Node::Run { workflow, .. } if workflow.contains(w)),
                )
            })
            && self.record.as_deref().is_none_or(|r| {
                any(root, &|n| match n {
                    Node::Event { data_id, .. } => data_id.to_hex().contains(r),
                    Node::Request { path, .. } => path.contains(r),
                    _ => false,
                })
            })
            && self.status.is_none_or(|s| {
                any(
                    root,
                    &|n| matches!(n, Node::Request { status, .. } if *status == s),
                )
            })
    }
}

fn any(node: &Node, test: &dyn Fn(&Node) -> bool) -> bool {
    if test(node) {
        return true;
    }
    let children = match node {
        Node::Request { children, .. }
        | Node::Event { children, .. }
        | Node::Run { children, .. }
        | Node::Step { children, .. } => children,
    };
    children.iter().any(|c| any(c, test))
}

/// What the server keeps of the session, read cheaply: the journal without headers
/// and bodies, the events as shared, the runs and loops.
pub struct Kept {
    pub journal: Vec<JournalEntry>,
    pub events: Vec<Arc<Event>>,
    pub runs: Vec<Run>,
    pub loops: Vec<LoopRecord>,
}

impl Kept {
    /// The session's facts as the server holds them now (fixture events excluded).
    pub fn now(app: &AppState, engine: &Engine, start: &SessionStart) -> Kept {
        let page = app.store.bus().query(&EventQuery {
            after_seq: Some(start.get().saturating_sub(1)),
            ..EventQuery::default()
        });
        Kept {
            journal: app.journal.heads(),
            events: page.events.into_iter().map(|(_, e)| e).collect(),
            runs: engine.runs(),
            loops: engine.loops(),
        }
    }

    /// The chains that are roots of the tree, as their root ids, in the tree's order
    /// (see [`tree::build`]): requests nobody's run made, callable runs started from
    /// outside, then changes no `/v1` request made.
    pub fn root_ids(&self) -> Vec<Id> {
        let journaled: HashSet<Id> = self.journal.iter().map(|j| j.id).collect();
        let requests = self
            .journal
            .iter()
            .filter(|j| j.cause.run.is_none())
            .map(|j| j.cause.root);
        let calls = self
            .runs
            .iter()
            .filter(|r| r.event.name.ends_with(".call") && r.cause.parent_run.is_none())
            .map(|r| r.cause.root);
        let changes = self
            .events
            .iter()
            .filter(|e| {
                e.mock.cause.run.is_none()
                    && e.mock.request_id.is_none_or(|r| !journaled.contains(&r))
            })
            .map(|e| e.mock.cause.root);
        requests.chain(calls).chain(changes).collect()
    }

    /// The facts of the chains rooted at `roots` (all of them when `None`).
    pub fn facts(&self, roots: Option<&HashSet<Id>>) -> Facts {
        let wanted = |root: &Id| roots.is_none_or(|set| set.contains(root));
        Facts {
            journal: self
                .journal
                .iter()
                .filter(|j| wanted(&j.cause.root))
                .cloned()
                .collect(),
            events: self
                .events
                .iter()
                .filter(|e| wanted(&e.mock.cause.root))
                .map(|e| (**e).clone())
                .collect(),
            runs: self
                .runs
                .iter()
                .filter(|r| wanted(&r.cause.root))
                .cloned()
                .collect(),
            loops: self
                .loops
                .iter()
                .filter(|l| wanted(&l.root))
                .cloned()
                .collect(),
        }
    }
}

/// The newest `limit` roots matching `filter`, newest first, with the counts. Without a
/// filter only the chains shown are built into trees: a first view stays quick however
/// many runs are kept.
pub fn tree_view(kept: &Kept, filter: &TreeFilter, limit: usize) -> Value {
    let root_ids = kept.root_ids();
    let total = root_ids.len();
    let (shown, matching): (Vec<Node>, usize) = if filter.is_empty() {
        let mut newest = HashSet::new();
        for id in root_ids.iter().rev() {
            if newest.len() == limit {
                break;
            }
            newest.insert(*id);
        }
        let roots = tree::build(&kept.facts(Some(&newest)));
        (roots.into_iter().rev().take(limit).collect(), total)
    } else {
        let roots = tree::build(&kept.facts(None));
        let matching: Vec<Node> = roots
            .into_iter()
            .rev()
            .filter(|r| filter.matches(r))
            .collect();
        let count = matching.len();
        (matching.into_iter().take(limit).collect(), count)
    };
    // The loops whose halted run is shown, each with its explanation and fix.
    let mut runs_shown = HashSet::new();
    for root in &shown {
        collect_runs(root, &mut runs_shown);
    }
    let loops: Vec<Value> = kept
        .loops
        .iter()
        .filter(|l| runs_shown.contains(l.run.as_str()))
        .map(|l| json!(l))
        .collect();
    let alerts = shown
        .iter()
        .filter(|r| {
            any(
                r,
                &|n| matches!(n, Node::Request { status, .. } if alert_status(*status)),
            )
        })
        .count();
    json!({
        "meta": { "roots": total, "matching": matching, "shown": shown.len(), "alerts": alerts },
        "data": shown,
        "loops": loops,
    })
}

fn collect_runs<'a>(node: &'a Node, out: &mut HashSet<&'a str>) {
    let children = match node {
        Node::Run { id, children, .. } => {
            out.insert(id.as_str());
            children
        }
        Node::Request { children, .. }
        | Node::Event { children, .. }
        | Node::Step { children, .. } => children,
    };
    for child in children {
        collect_runs(child, out);
    }
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

fn invalid(name: &str, message: String) -> ApiError {
    ApiError::bad_request("invalid_parameter", message).at_parameter(name)
}

/// `GET /__admin/tree?workflow=&record=&status=&problems=true&limit=`: the causal tree,
/// newest root first, and the loops found in it.
pub async fn tree(
    State(app): State<AppState>,
    Extension(engine): Extension<Engine>,
    Extension(start): Extension<SessionStart>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let pairs = query_pairs(raw.as_deref())?;
    let status = match param(&pairs, "status") {
        None => None,
        Some(text) => Some(text.parse::<u16>().map_err(|_| {
            invalid(
                "status",
                format!("`status` must be an HTTP status, not `{text}`"),
            )
        })?),
    };
    let limit = match param(&pairs, "limit") {
        None => DEFAULT_ROOTS,
        Some(text) => text
            .parse::<usize>()
            .map_err(|_| invalid("limit", format!("`limit` must be a number, not `{text}`")))?,
    };
    let problems = match param(&pairs, "problems").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(invalid(
                "problems",
                format!("`problems` must be true or false, not `{other}`"),
            ));
        }
    };
    let filter = TreeFilter {
        workflow: param(&pairs, "workflow"),
        record: param(&pairs, "record"),
        status,
        problems,
    };
    let kept = Kept::now(&app, &engine, &start);
    Ok(Json(tree_view(&kept, &filter, limit)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnabledBody {
    enabled: bool,
}

/// `PATCH /__admin/workflows/{id}` `{"enabled": false}`: turns a workflow off (or on).
pub async fn set_enabled(
    Extension(engine): Extension<Engine>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: EnabledBody = parse_body(&body)?;
    if !engine.set_enabled(&id, body.enabled) {
        return Err(ApiError::not_found("workflow", &id));
    }
    let installed = engine
        .workflow(&id)
        .ok_or_else(|| ApiError::not_found("workflow", &id))?;
    Ok(Json(json!(installed.info())))
}
