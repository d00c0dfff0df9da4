//! The dashboard's JSON twins under `/__admin` (everything else it shows is the admin
//! API as it was): the causal tree of the session, grouped by root and filtered, and
//! turning a workflow on or off.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use kustomer_mock::{ApiError, AppState, EventQuery, parse_body, query_pairs};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::report::html::{alert_status, has_problem};
use crate::report::tree::{self, Facts, Node};
use crate::workflow::Engine;

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

/// The session's facts as the server holds them now.
pub fn facts(app: &AppState, engine: &Engine, start: &SessionStart) -> Facts {
    let page = app.store.bus().query(&EventQuery {
        after_seq: Some(start.get().saturating_sub(1)),
        ..EventQuery::default()
    });
    Facts {
        journal: app.journal.entries(),
        events: page.events.into_iter().map(|(_, e)| (*e).clone()).collect(),
        runs: engine.runs(),
        loops: engine.loops(),
    }
}

/// The newest `limit` roots matching `filter`, newest first, with the counts.
pub fn tree_view(facts: &Facts, filter: &TreeFilter, limit: usize) -> Value {
    let roots = tree::build(facts);
    let total = roots.len();
    let matching: Vec<&Node> = roots.iter().rev().filter(|r| filter.matches(r)).collect();
    let shown: Vec<&Node> = matching.iter().take(limit).copied().collect();
    // The loops whose halted run is shown, each with its explanation and fix.
    let mut runs_shown = HashSet::new();
    for root in &shown {
        collect_runs(root, &mut runs_shown);
    }
    let loops: Vec<Value> = facts
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
        "meta": { "roots": total, "matching": matching.len(), "shown": shown.len(), "alerts": alerts },
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
    let facts = facts(&app, &engine, &start);
    Ok(Json(tree_view(&facts, &filter, limit)))
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
