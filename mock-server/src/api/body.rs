//! Request bodies: JSON parsed into typed writes, every failure a 400 pointing at the
//! member that is wrong (`/tags/1`), never a 500.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;
use crate::model::{Kind, Resource, Writable};

/// Parses a body that must be a JSON object into `T`.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => {
            return Err(ApiError::invalid_json(
                "The request body is empty: send a JSON object of attributes",
            )
            .at_pointer(""));
        }
        Some(b'{') => {}
        Some(_) => {
            // Tell "not JSON at all" from "JSON, but not an object".
            return Err(match serde_json::from_slice::<Value>(bytes) {
                Ok(_) => ApiError::bad_request(
                    "invalid_type",
                    "The request body must be a JSON object of attributes",
                )
                .at_pointer(""),
                Err(e) => syntax_error(&e, ""),
            });
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| from_path_error(&e))?;
    de.end().map_err(|e| syntax_error(&e, ""))?;
    Ok(value)
}

/// Parses the body of a write to object `W::Of`: [`parse_body`], and an attribute the
/// object has but only the server sets is named as read-only.
pub fn parse_write<W: Writable>(bytes: &[u8]) -> Result<W, ApiError> {
    parse_body(bytes).map_err(read_only::<W>)
}

/// [`parse_write`] of a JSON value (native workflow actions).
pub fn parse_write_value<W: Writable>(value: Value) -> Result<W, ApiError> {
    parse_value(value).map_err(read_only::<W>)
}

/// An unknown attribute that the object has, read-only, gets its own code and detail.
fn read_only<W: Writable>(mut error: ApiError) -> ApiError {
    if error.code != UNKNOWN_ATTRIBUTE {
        return error;
    }
    let name = error
        .source
        .as_ref()
        .and_then(|s| s.get("pointer"))
        .and_then(Value::as_str)
        .and_then(|p| p.rsplit('/').next())
        .map(str::to_owned);
    if let Some(name) = name.filter(|n| W::Of::READ_ONLY.contains(&n.as_str())) {
        error.code = "read_only_attribute";
        error.detail = format!(
            "`{name}` of a {} is set by the server and cannot be written; leave it out of the body",
            W::Of::KIND
        );
    }
    error
}

/// Parses a JSON value (native workflow actions) into `T`, with the same errors.
pub fn parse_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| from_path_error(&e))
}

/// Parses any JSON (array bodies of the tag routes).
pub fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::invalid_json("The request body is empty").at_pointer(""));
    }
    serde_json::from_slice(bytes).map_err(|e| syntax_error(&e, ""))
}

fn syntax_error(e: &serde_json::Error, pointer: &str) -> ApiError {
    ApiError::invalid_json(format!(
        "The request body is not valid JSON: {} (line {}, column {})",
        strip_position(&e.to_string()),
        e.line(),
        e.column()
    ))
    .at_pointer(pointer)
}

/// The `code` of a body member the object does not have.
const UNKNOWN_ATTRIBUTE: &str = "unknown_attribute";

fn from_path_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let pointer = pointer_of(e.path());
    let inner = e.inner();
    if inner.is_syntax() || inner.is_eof() {
        return syntax_error(inner, &pointer);
    }
    let message = inner.to_string();
    // serde's words for a member a `deny_unknown_fields` type does not have; the path
    // already ends at that member.
    if let Some(name) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name)
    {
        let member = pointer;
        return ApiError::bad_request(
            UNKNOWN_ATTRIBUTE,
            format!(
                "Unknown attribute `{name}` at `{member}`: {}",
                strip_position(&message)
                    .split_once(", ")
                    .map_or("it is not part of this object", |(_, expected)| expected)
            ),
        )
        .at_pointer(member);
    }
    let field = if pointer.is_empty() {
        "the body".to_string()
    } else {
        format!("`{pointer}`")
    };
    ApiError::bad_request(
        "invalid_type",
        format!(
            "Invalid value at {field}: {}",
            strip_position(&inner.to_string())
        ),
    )
    .at_pointer(pointer)
}

/// serde_json appends " at line L column C"; the pointer says where instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A serde path as a JSON pointer (`tags[1]` → `/tags/1`).
pub fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConversationWrite;

    #[test]
    fn wrong_type_points_at_member() {
        let err = parse_body::<ConversationWrite>(br#"{"tags": ["a", 5]}"#).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert_eq!(err.source.as_ref().unwrap()["pointer"], "/tags/1");
    }

    #[test]
    fn unknown_enum_value_is_named() {
        let err = parse_body::<ConversationWrite>(br#"{"status": "closed"}"#).unwrap_err();
        assert_eq!(err.source.as_ref().unwrap()["pointer"], "/status");
        assert!(err.detail.contains("closed"), "{}", err.detail);
    }

    #[test]
    fn malformed_and_non_object_bodies() {
        let err = parse_body::<ConversationWrite>(b"{\"status\": ").unwrap_err();
        assert_eq!(err.code, "invalid_json");
        let err = parse_body::<ConversationWrite>(b"[1,2]").unwrap_err();
        assert_eq!(err.code, "invalid_type");
        let err = parse_body::<ConversationWrite>(b"nope").unwrap_err();
        assert_eq!(err.code, "invalid_json");
        let err = parse_body::<ConversationWrite>(b"{} trailing").unwrap_err();
        assert_eq!(err.code, "invalid_json");
        let err = parse_body::<ConversationWrite>(b"  ").unwrap_err();
        assert_eq!(err.code, "invalid_json");
    }

    #[test]
    fn an_unknown_attribute_is_refused_by_name_and_place() {
        let err =
            parse_write::<ConversationWrite>(br#"{"status": "done", "whatever": 1}"#).unwrap_err();
        assert_eq!(err.status.as_u16(), 400);
        assert_eq!(err.code, "unknown_attribute");
        assert_eq!(err.source.as_ref().unwrap()["pointer"], "/whatever");
        assert!(err.detail.contains("`whatever`"), "{}", err.detail);
    }

    #[test]
    fn a_read_only_attribute_is_named_as_such() {
        let err = parse_write::<ConversationWrite>(br#"{"rev": 7}"#).unwrap_err();
        assert_eq!(err.code, "read_only_attribute");
        assert_eq!(err.source.as_ref().unwrap()["pointer"], "/rev");
        assert!(err.detail.contains("`rev`"), "{}", err.detail);
    }
}
