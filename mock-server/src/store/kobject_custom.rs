//! A KObject's `custom` attributes, checked against its klass: Kustomer types a custom
//! attribute by its name's suffix (`orderStatusStr` is a string, `totalNum` a number),
//! and a klass whose `jsonSchema` lists `properties` takes only those names.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::model::Klass;
use crate::support::clock::Timestamp;

/// The longest `Str`/`Txt` value Kustomer takes.
const MAX_TEXT: usize = 1024;
/// The most custom attributes one object carries.
const MAX_ATTRIBUTES: usize = 100;

/// A custom attribute's type, from its name's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CustomType {
    Text,
    Number,
    Bool,
    Time,
    Url,
    /// A tree value: a path of choices, written as one string (`shipping.late`).
    Tree,
}

/// The suffixes, longest first where one ends another (none do today).
const SUFFIXES: &[(&str, CustomType, &str)] = &[
    (
        "Str",
        CustomType::Text,
        "a string of at most 1024 characters",
    ),
    (
        "Txt",
        CustomType::Text,
        "a string of at most 1024 characters",
    ),
    ("Num", CustomType::Number, "a number"),
    ("Bool", CustomType::Bool, "true or false"),
    ("At", CustomType::Time, "an ISO-8601 date-time"),
    ("Url", CustomType::Url, "an absolute URL (http or https)"),
    ("Tree", CustomType::Tree, "a string naming a tree value"),
];

/// Checks every attribute of `custom` against `klass`: a 400 names the first one that
/// is wrong, with its JSON pointer (`/custom/totalNum`).
pub fn check(custom: &Map<String, Value>, klass: &Klass) -> Result<(), ApiError> {
    if custom.len() > MAX_ATTRIBUTES {
        return Err(ApiError::bad_request(
            "invalid_value",
            format!(
                "`custom` holds {} attributes; a KObject carries at most {MAX_ATTRIBUTES}",
                custom.len()
            ),
        )
        .at_pointer("/custom"));
    }
    let declared = klass
        .json_schema
        .as_ref()
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    for (name, value) in custom {
        let pointer = format!("/custom/{}", name.replace('~', "~0").replace('/', "~1"));
        if let Some(declared) = declared
            && !declared.contains_key(name)
        {
            let known: Vec<&str> = declared.keys().map(String::as_str).collect();
            return Err(ApiError::bad_request(
                "unknown_attribute",
                format!(
                    "`custom.{name}` is not an attribute of klass `{}`: it defines {}",
                    klass.attributes.name,
                    known.join(", ")
                ),
            )
            .at_pointer(pointer));
        }
        let Some((suffix, kind, what)) = SUFFIXES
            .iter()
            .find(|(suffix, ..)| name.len() > suffix.len() && name.ends_with(suffix))
        else {
            return Err(ApiError::bad_request(
                "invalid_attribute_name",
                format!(
                    "`custom.{name}` has no type suffix: Kustomer names custom attributes by type, ending in Str, Txt, Num, Bool, At, Url or Tree (e.g. `{name}Str`)"
                ),
            )
            .at_pointer(pointer));
        };
        if !fits(*kind, value) {
            return Err(ApiError::bad_request(
                "invalid_type",
                format!(
                    "`custom.{name}` ends in `{suffix}`, so it holds {what} or null, not {}",
                    short(value)
                ),
            )
            .at_pointer(pointer));
        }
    }
    Ok(())
}

fn fits(kind: CustomType, value: &Value) -> bool {
    match (kind, value) {
        (_, Value::Null) => true,
        (CustomType::Text, Value::String(text)) => text.chars().count() <= MAX_TEXT,
        (CustomType::Tree, Value::String(_)) => true,
        (CustomType::Number, Value::Number(_)) => true,
        (CustomType::Bool, Value::Bool(_)) => true,
        (CustomType::Time, Value::String(text)) => Timestamp::parse(text).is_some(),
        (CustomType::Url, Value::String(text)) => {
            let rest = text
                .strip_prefix("https://")
                .or_else(|| text.strip_prefix("http://"));
            rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
        }
        _ => false,
    }
}

/// A value as a detail shows it.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::klass::{KlassAttributes, KlassRelationships, KlassStatus};
    use crate::model::{ToMany, ToOne};
    use crate::support::ids::Id;
    use serde_json::json;

    fn klass(schema: Option<Value>) -> Klass {
        let id = Id::parse("64a0c0ffee00000000000a01").unwrap();
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        Klass {
            id,
            attributes: KlassAttributes {
                name: "order".into(),
                display_name: None,
                icon: None,
                color: None,
                klass_schema: None,
                app_version: None,
                app_disabled: false,
                status: KlassStatus::Enabled,
                mixins: Vec::new(),
                updated_at: now,
                created_at: now,
                s3_data_url: None,
            },
            relationships: KlassRelationships {
                org: ToOne::new(id),
                kobjects: ToMany::new(id),
            },
            json_schema: schema,
        }
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn values_of_each_suffix_pass() {
        let custom = map(json!({
            "statusStr": "paid", "notesTxt": "x", "totalNum": 12.5, "giftBool": true,
            "paidAt": "2026-01-02T03:04:05Z", "receiptUrl": "https://example.com/r/1",
            "reasonTree": "shipping.late", "cancelledAt": null
        }));
        check(&custom, &klass(None)).unwrap();
    }

    #[test]
    fn a_wrong_type_names_the_attribute_and_its_pointer() {
        for (custom, pointer) in [
            (json!({"totalNum": "12"}), "/custom/totalNum"),
            (json!({"giftBool": "yes"}), "/custom/giftBool"),
            (json!({"paidAt": "yesterday"}), "/custom/paidAt"),
            (json!({"receiptUrl": "example.com"}), "/custom/receiptUrl"),
            (json!({"statusStr": 3}), "/custom/statusStr"),
            (json!({"statusStr": "x".repeat(1025)}), "/custom/statusStr"),
            (json!({"status": "paid"}), "/custom/status"),
        ] {
            let e = check(&map(custom), &klass(None)).unwrap_err();
            assert_eq!(e.source.as_ref().unwrap()["pointer"], pointer);
            let name = pointer.rsplit('/').next().unwrap();
            assert!(e.detail.contains(name), "{}", e.detail);
        }
    }

    #[test]
    fn a_klass_schema_limits_the_names() {
        let k = klass(Some(
            json!({"properties": {"statusStr": {"type": "string"}}}),
        ));
        check(&map(json!({"statusStr": "paid"})), &k).unwrap();
        let e = check(&map(json!({"totalNum": 1})), &k).unwrap_err();
        assert_eq!(e.code, "unknown_attribute");
        assert!(e.detail.contains("statusStr"), "{}", e.detail);
    }
}
