//! Step params and condition operands, compiled when a workflow loads and resolved when
//! a step runs.
//!
//! - a string that is exactly `/#<path>` → the value at the path, keeping its JSON type;
//! - `/#fn:<name>,<path>[,args]` → a function of that value;
//! - any other string holding `{{` → a Handlebars template (renders to a string);
//! - other strings, numbers, booleans, null → themselves;
//! - arrays and objects → walked, every string inside resolved.

use std::sync::Arc;

use handlebars::Template;
use serde_json::{Map, Value};

use super::functions::FnRef;
use super::path::{js_length, normalize_brackets};
use super::plain_template::PlainTemplate;
use super::scope::Scope;
use super::template::{TemplateError, compile};

/// A mistake in a workflow, found where it is: the JSONPath, and what is wrong there.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PathError {
    pub path: String,
    pub message: String,
}

impl PathError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> PathError {
        PathError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A template param that failed to render when its step ran.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("template `{template}` failed: {reason}")]
pub struct ResolveError {
    pub template: String,
    pub reason: TemplateError,
}

/// A compiled value.
#[derive(Debug, Clone)]
pub enum Param {
    Literal(Value),
    Ref(String),
    Func(FnRef),
    Template {
        source: String,
        template: Arc<Template>,
        /// The same template when it is only text and plain paths.
        plain: Option<Arc<PlainTemplate>>,
    },
    Array(Vec<Param>),
    Object {
        entries: Vec<(String, Param)>,
        /// The resolved object's map with every literal entry in place and `null` in the
        /// others: resolving clones it (its hash table is copied, not rebuilt key by key)
        /// and sets the others in order, so no key is hashed per run.
        skeleton: Map<String, Value>,
    },
}

/// Where a compile error is: a JSONPath like `$.steps[0].params.uri`.
pub fn child_path(base: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@' || c == '-');
    if plain {
        format!("{base}.{key}")
    } else {
        format!("{base}[{}]", Value::String(key.to_string()))
    }
}

/// `base[i]`.
pub fn index_path(base: &str, index: usize) -> String {
    format!("{base}[{index}]")
}

impl Param {
    /// Compiles `value` found at `at`; `Err` names the path and the mistake. An array or object
    /// holding no reference or template is one literal: resolving it is a copy of the
    /// value, not a new one built key by key.
    pub fn compile(value: &Value, at: &str) -> Result<Param, PathError> {
        let param = Self::compile_parts(value, at)?;
        let constant = match &param {
            Param::Array(items) => items.iter().all(|p| p.as_literal().is_some()),
            Param::Object { entries, .. } => entries.iter().all(|(_, p)| p.as_literal().is_some()),
            _ => false,
        };
        // Its parts are literals that came from `value` unchanged, so it is `value`.
        Ok(if constant {
            Param::Literal(value.clone())
        } else {
            param
        })
    }

    fn compile_parts(value: &Value, at: &str) -> Result<Param, PathError> {
        Ok(match value {
            Value::String(s) => Self::compile_str(s, at)?,
            Value::Array(items) => Param::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Param::compile(v, &index_path(at, i)))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let entries: Vec<(String, Param)> = map
                    .iter()
                    .map(|(k, v)| {
                        Ok::<_, PathError>((k.clone(), Param::compile(v, &child_path(at, k))?))
                    })
                    .collect::<Result<_, _>>()?;
                let skeleton = entries
                    .iter()
                    .map(|(k, p)| (k.clone(), p.as_literal().cloned().unwrap_or(Value::Null)))
                    .collect();
                Param::Object { entries, skeleton }
            }
            other => Param::Literal(other.clone()),
        })
    }

    fn compile_str(s: &str, at: &str) -> Result<Param, PathError> {
        if let Some(rest) = s.strip_prefix("/#fn:") {
            return FnRef::parse(rest)
                .map(Param::Func)
                .map_err(|e| PathError::new(at, e.to_string()));
        }
        if let Some(path) = s.strip_prefix("/#") {
            return Ok(Param::Ref(normalize_brackets(path)));
        }
        if s.contains("{{") {
            let template = compile(s)
                .map_err(|m| PathError::new(at, format!("bad template syntax in `{s}`: {m}")))?;
            return Ok(Param::Template {
                source: s.to_string(),
                template: Arc::new(template),
                plain: PlainTemplate::parse(s).map(Arc::new),
            });
        }
        Ok(Param::Literal(Value::String(s.to_string())))
    }

    /// The literal this is, if it holds no reference or template.
    pub fn as_literal(&self) -> Option<&Value> {
        match self {
            Param::Literal(v) => Some(v),
            _ => None,
        }
    }

    /// Resolves against the run's data.
    pub fn resolve(&self, scope: &Scope<'_>) -> Result<Value, ResolveError> {
        Ok(match self {
            Param::Literal(v) => v.clone(),
            Param::Ref(path) => match scope.lookup(path) {
                Some(found) => found.into_owned(),
                None => path
                    .strip_suffix(".length")
                    .and_then(|parent| js_length(scope.lookup(parent).as_deref()))
                    .unwrap_or(Value::Null),
            },
            Param::Func(f) => f.apply(scope.lookup(&f.path).as_deref()),
            Param::Template {
                source,
                template,
                plain,
            } => match plain.as_ref().and_then(|plain| plain.render(scope)) {
                Some(text) => Value::String(text),
                None => Value::String(scope.templates.render(template, scope.context()).map_err(
                    |reason| ResolveError {
                        template: source.clone(),
                        reason,
                    },
                )?),
            },
            Param::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|p| p.resolve(scope))
                    .collect::<Result<_, _>>()?,
            ),
            Param::Object { entries, skeleton } => {
                let mut map = skeleton.clone();
                // The skeleton's keys are the entries' keys, in the same order.
                for ((_, param), slot) in entries.iter().zip(map.values_mut()) {
                    if param.as_literal().is_none() {
                        *slot = param.resolve(scope)?;
                    }
                }
                Value::Object(map)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Templates;
    use kustomer_mock::Clock;
    use serde_json::json;

    fn resolve(param: Value, data: Value) -> Value {
        let templates = Templates::new(Clock::virtual_default());
        let scope = Scope::new(data, &templates);
        Param::compile(&param, "$")
            .unwrap()
            .resolve(&scope)
            .unwrap()
    }

    #[test]
    fn every_resolution_form() {
        let data = json!({"steps": {"1": {"id": "c1", "tags": ["a"], "priority": 4, "match": "17", "custom": {"@x": true}}},
                          "variables": {"API_Key": "k"}});
        let params = json!({
            "whole": "/#steps.1.tags",
            "number": "/#steps.1.priority",
            "odd": "/#steps.1.custom.@x",
            "missing": "/#steps.2.id",
            "fn": "/#fn:parseInt,steps.1.match",
            "uri": "http://h/v1/conversations/{{{steps.1.id}}}",
            "headers": {"Authorization": "Bearer {{{variables.API_Key}}}"},
            "list": ["/#steps.1.id", 3, null, "plain"],
            "empty": "{{steps.9.x}}"
        });
        let out = resolve(params, data);
        assert_eq!(out["whole"], json!(["a"]), "keeps the JSON type");
        assert_eq!(out["number"], json!(4));
        assert_eq!(out["odd"], json!(true));
        assert_eq!(out["missing"], Value::Null, "a missing path is null");
        assert_eq!(out["fn"], json!(17));
        assert_eq!(out["uri"], "http://h/v1/conversations/c1");
        assert_eq!(out["headers"]["Authorization"], "Bearer k");
        assert_eq!(out["list"], json!(["c1", 3, null, "plain"]));
        assert_eq!(out["empty"], "");
    }

    #[test]
    fn javascript_length_and_bracketed_keys() {
        let data = json!({"steps": {"1": {"match": "abc", "tags": ["a", "b"], "n": 5,
                          "custom": {"@effotim2TimerStartAt": "t0"}, "obj": {"length": 9}}}});
        let out = resolve(
            json!({"s": "/#steps.1.match.length", "a": "/#steps.1.tags.length",
                   "n": "/#steps.1.n.length", "own": "/#steps.1.obj.length",
                   "gone": "/#steps.1.missing.length",
                   "at": "/#steps.1.custom['@effotim2TimerStartAt']"}),
            data,
        );
        assert_eq!(out["s"], json!(3));
        assert_eq!(out["a"], json!(2));
        assert_eq!(out["n"], Value::Null, "a number has no length");
        assert_eq!(out["own"], json!(9), "a real `length` key wins");
        assert_eq!(out["gone"], Value::Null);
        assert_eq!(out["at"], json!("t0"));
    }

    #[test]
    fn parts_without_references_or_templates_compile_to_one_literal() {
        let value = json!({
            "data": {"status": "done", "tags": ["a", {"n": 1}], "none": null},
            "empty": {},
            "uri": "http://h/{{{steps.1.id}}}",
            "list": ["/#steps.1.id", [1, 2]]
        });
        let Param::Object { entries, .. } = Param::compile(&value, "$").unwrap() else {
            panic!("an object with a template stays an object");
        };
        let part = |key: &str| &entries.iter().find(|(k, _)| k == key).unwrap().1;
        assert_eq!(part("data").as_literal(), Some(&value["data"]));
        assert_eq!(part("empty").as_literal(), Some(&json!({})));
        assert!(matches!(part("uri"), Param::Template { .. }));
        let Param::Array(items) = part("list") else {
            panic!("an array with a reference stays an array");
        };
        assert!(matches!(items[0], Param::Ref(_)));
        assert_eq!(items[1].as_literal(), Some(&json!([1, 2])));
        // Resolved, the literal parts are the values written, in their order.
        let out = resolve(value.clone(), json!({"steps": {"1": {"id": "c1"}}}));
        assert_eq!(out["data"], value["data"]);
        assert_eq!(
            serde_json::to_string(&out["data"]).unwrap(),
            r#"{"status":"done","tags":["a",{"n":1}],"none":null}"#
        );
        assert_eq!(out["list"], json!(["c1", [1, 2]]));
        // Literal and resolved entries alike, in the order written.
        assert_eq!(
            serde_json::to_string(&out).unwrap(),
            r#"{"data":{"status":"done","tags":["a",{"n":1}],"none":null},"empty":{},"uri":"http://h/c1","list":["c1",[1,2]]}"#
        );
    }

    #[test]
    fn compile_errors_name_the_path() {
        let err = Param::compile(&json!({"uri": "{{#if x}}"}), "$.steps[0].params").unwrap_err();
        assert_eq!(err.path, "$.steps[0].params.uri");
        assert!(
            err.message.contains("bad template syntax"),
            "{}",
            err.message
        );
        let err = Param::compile(&json!(["/#fn:nope,steps.1"]), "$.p").unwrap_err();
        assert_eq!(err.path, "$.p[0]");
        assert!(err.message.contains("unknown function `nope`"));
        assert_eq!(child_path("$", "Dot.In.Name"), "$[\"Dot.In.Name\"]");
    }
}
