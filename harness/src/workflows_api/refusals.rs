//! How the workflows API refuses: a path id that does not decode, a workflow that does not
//! load (its JSONPath turned into a JSON pointer into the body the caller sent), and the
//! engine's errors, all as Kustomer's error body.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use kustomer_mock::ApiError;
use serde_json::{Map, Value, json};

use crate::workflow::{EngineError, LoadError};

/// The `{id}` of a workflow route; a segment that does not decode (bad UTF-8 in its
/// percent-escapes) is a Kustomer 400 rather than axum's plain-text one.
pub struct WorkflowId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for WorkflowId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::bad_request("invalid_id", format!("Bad path parameter: {e}"))
                    .at_parameter("id")
            })?;
        Ok(WorkflowId(id))
    }
}

/// Where the members of a body came from: `""` for the body itself, `/data`,
/// `/data/attributes`, ... (Kustomer's envelopes), by member name.
#[derive(Debug, Default)]
pub struct Origins {
    by_member: Map<String, Value>,
}

impl Origins {
    /// Every member of `members` came from `prefix`.
    pub fn record(&mut self, members: &Map<String, Value>, prefix: &str) {
        for name in members.keys() {
            self.by_member.insert(name.clone(), json!(prefix));
        }
    }

    /// The origins of a whole workflow as `POST` takes it, unwrapped as the engine
    /// unwraps it (`{"data": ...}`, then `{"type": "workflow", "attributes": ...}`).
    pub fn of_definition(body: &Map<String, Value>) -> Origins {
        let mut prefix = String::new();
        let mut members = body;
        if members.len() <= 2
            && !members.contains_key("trigger")
            && let Some(Value::Object(data)) = members.get("data")
        {
            prefix.push_str("/data");
            members = data;
        }
        if members.get("type").and_then(Value::as_str) == Some("workflow")
            && let Some(Value::Object(attributes)) = members.get("attributes")
        {
            prefix.push_str("/attributes");
            members = attributes;
        }
        let mut origins = Origins::default();
        origins.record(members, &prefix);
        origins
    }

    /// The pointer into the body for a JSONPath into the definition; a path into a member
    /// the body did not send points at the whole body.
    pub fn pointer(&self, json_path: &str) -> String {
        let segments = path_segments(json_path);
        match segments
            .first()
            .and_then(|first| self.by_member.get(first))
            .and_then(Value::as_str)
        {
            Some(prefix) => {
                let mut pointer = prefix.to_string();
                for segment in &segments {
                    pointer.push('/');
                    pointer.push_str(&segment.replace('~', "~0").replace('/', "~1"));
                }
                pointer
            }
            None => String::new(),
        }
    }

    /// A workflow that does not load: 400 naming the path, pointing into the body.
    pub fn refusal(&self, e: &LoadError) -> ApiError {
        ApiError::bad_request("invalid_workflow", format!("{}: {}", e.path, e.message))
            .at_pointer(self.pointer(&e.path))
            .with_meta(json!({ "path": e.path }))
    }
}

/// The member names and indexes of a JSONPath as the engine writes them
/// (`$.steps[1].params["a b"]`).
fn path_segments(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            segments.push(after[..end].to_string());
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            if after.starts_with('"') {
                let mut strings = serde_json::Deserializer::from_str(after).into_iter::<String>();
                let Some(Ok(key)) = strings.next() else {
                    break;
                };
                segments.push(key);
                rest = after[strings.byte_offset()..]
                    .strip_prefix(']')
                    .unwrap_or_default();
            } else {
                let end = after.find(']').unwrap_or(after.len());
                segments.push(after[..end].to_string());
                rest = after.get(end + 1..).unwrap_or_default();
            }
        } else {
            break;
        }
    }
    segments
}

/// The engine's refusal of an install, or a workflow gone meanwhile.
pub fn engine_error(e: EngineError, origins: &Origins) -> ApiError {
    match e {
        EngineError::UnknownWorkflow(id) => ApiError::not_found("workflow", &id),
        EngineError::Load(load) => origins.refusal(&load),
        other => ApiError::bad_request("invalid_workflow", other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths_become_pointers_into_the_body_sent() {
        let body = json!({"data": {"type": "workflow", "id": "w", "attributes": {"steps": []}}});
        let origins = Origins::of_definition(body.as_object().unwrap());
        assert_eq!(
            origins.pointer("$.steps[1].transitions[0].target"),
            "/data/attributes/steps/1/transitions/0/target"
        );
        // A member the body did not send: the whole body.
        assert_eq!(origins.pointer("$.trigger.eventName"), "");

        let plain = json!({"name": "n", "trigger": {}, "steps": [{"params": {}}]});
        let origins = Origins::of_definition(plain.as_object().unwrap());
        assert_eq!(
            origins.pointer(r#"$.steps[0].params["a/b~c"].x"#),
            "/steps/0/params/a~1b~0c/x"
        );
        assert_eq!(origins.pointer("$.name"), "/name");
    }
}
