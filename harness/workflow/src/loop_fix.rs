//! The fix a loop's explanation gives, for the attribute that let the workflow re-fire:
//! a trigger that reads the record (`/#steps.1.priority`) holds again after the
//! workflow's own update, one that compares what this update changed
//! (`/#steps.1.changes.attributes.priority`) does not.

use serde_json::Value;

/// The record attribute a trigger condition reads: the first `/#steps.1.<attribute>`
/// reference (`custom.<key>` for a custom attribute), or the field of a
/// `changes.attributes.<field>` reference; `None` when it reads none.
pub fn refiring_attribute(condition: &Value) -> Option<String> {
    match condition {
        Value::String(text) => attribute_of(text.strip_prefix("/#steps.1.")?),
        Value::Array(items) => items.iter().find_map(refiring_attribute),
        Value::Object(map) => {
            if map.get("op").and_then(Value::as_str) == Some("changed") {
                return map.get("values")?.get(0)?.as_str().map(str::to_string);
            }
            map.get("values").and_then(refiring_attribute)
        }
        _ => None,
    }
}

fn attribute_of(path: &str) -> Option<String> {
    let path = crate::path::normalize_brackets(path);
    let mut segments = path.split('.');
    let first = segments.next()?;
    match first {
        "" | "id" | "event" | "relationships" => None,
        "changes" => {
            let field = segments.nth(1)?;
            match (field, segments.next()) {
                ("custom", Some("after" | "before")) => {
                    segments.next().map(|k| format!("custom.{k}"))
                }
                _ => Some(field.to_string()),
            }
        }
        "custom" => Some(match segments.next() {
            Some(key) => format!("custom.{key}"),
            None => "custom".to_string(),
        }),
        other => Some(other.to_string()),
    }
}

/// `changes.attributes.<attribute>.<side>` as Kustomer's events spell it
/// (`changes.attributes.custom.<side>.<key>` for a custom attribute).
fn change_path(attribute: &str, side: &str) -> String {
    match attribute.strip_prefix("custom.") {
        Some(key) => format!("/#steps.1.changes.attributes.custom.{side}.{key}"),
        None => format!("/#steps.1.changes.attributes.{attribute}.{side}"),
    }
}

/// The fix for a trigger that reads `attribute` (tags when none is known).
pub fn fix_for(attribute: Option<&str>) -> String {
    let attribute = attribute.unwrap_or("tags");
    let (after, before) = (
        change_path(attribute, "after"),
        change_path(attribute, "before"),
    );
    if attribute == "tags" {
        return format!(
            "compare the update's changes instead of the record: and(contains({after}, TAG), dnc({before}, TAG)) fires only when the tag was *added* by this update, so the workflow's own update does not fire it again"
        );
    }
    format!(
        "compare the update's changes instead of the record: and(eq({after}, VALUE), neq({before}, VALUE)) fires only when this update set {attribute} to VALUE, so the workflow's own update, which leaves {attribute} as it is, does not fire it again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_attribute_the_trigger_reads() {
        let on = |c: Value| refiring_attribute(&c);
        assert_eq!(
            on(json!({"op": "eq", "values": ["/#steps.1.priority", 5]})).as_deref(),
            Some("priority")
        );
        assert_eq!(
            on(json!({"op": "and", "values": [{"op": "true"}, {"op": "eq", "values": ["/#steps.1.status", "open"]}]})).as_deref(),
            Some("status")
        );
        assert_eq!(
            on(json!({"op": "eq", "values": ["/#steps.1.custom.@vipBool", true]})).as_deref(),
            Some("custom.@vipBool")
        );
        assert_eq!(
            on(json!({"op": "eq", "values": ["/#steps.1.custom['@vipBool']", true]})).as_deref(),
            Some("custom.@vipBool")
        );
        assert_eq!(
            on(json!({"op": "eq", "values": ["/#steps.1.changes.attributes.custom.after.@t", 1]}))
                .as_deref(),
            Some("custom.@t")
        );
        assert_eq!(
            on(json!({"op": "changed", "values": ["status"]})).as_deref(),
            Some("status")
        );
        assert_eq!(
            on(json!({"op": "contains", "values": ["/#steps.1.tags", "t1"]})).as_deref(),
            Some("tags")
        );
        assert_eq!(on(json!({"op": "true", "values": [true]})), None);
        assert_eq!(
            on(json!({"op": "eq", "values": ["/#steps.1.event.name", "x"]})),
            None
        );
    }

    #[test]
    fn the_fix_compares_the_changes_of_that_attribute() {
        let priority = fix_for(Some("priority"));
        assert!(
            priority.contains("eq(/#steps.1.changes.attributes.priority.after, VALUE)"),
            "{priority}"
        );
        assert!(priority.contains("set priority to VALUE"), "{priority}");
        assert!(!priority.contains("tags"), "{priority}");
        let custom = fix_for(Some("custom.@vipBool"));
        assert!(
            custom.contains("/#steps.1.changes.attributes.custom.after.@vipBool"),
            "{custom}"
        );
        let tags = fix_for(None);
        assert!(
            tags.contains("contains(/#steps.1.changes.attributes.tags.after, TAG)"),
            "{tags}"
        );
    }
}
