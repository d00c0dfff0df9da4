//! Checks an answer against the reference's response schema, read the way its README says
//! to read it: "these attributes exist, with these types when set". Every property the
//! schema lists must be present in the answer; a value's type must match unless it is
//! `null` (the reference types fields that are often `null` as plain strings).
//!
//! "Every property" means the answer's structure (envelope, `data`, `links`, `meta`,
//! `included`), every attribute and every relationship with its `data` and `links`. The
//! members inside one attribute's value (a `sentiment`, an email entry, the custom
//! attributes) are type-checked when present but not required: the reference's example
//! lists the members its example record happened to have.
//!
//! The reference was generated from examples, and it sometimes types one attribute of an
//! object differently in two operations (a message's `size` is an integer in
//! `GET /messages/{id}` and a string in `POST /messages`). An attribute's value passes
//! when it has any type the reference gives that attribute of that object anywhere.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

/// One difference between an answer and the schema, at a JSONPath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub problem: String,
}

/// The reference document's components, for `$ref`.
pub struct Schemas<'a> {
    components: Option<&'a Map<String, Value>>,
    /// Every type the reference gives an attribute, by (collection, attribute).
    attribute_types: HashMap<(String, String), BTreeSet<String>>,
}

/// The object an operation answers with, by its path's last literal segment
/// (`/customers/{id}/messages` and `/messages/{id}` both answer messages).
pub fn collection_of(path: &str) -> &str {
    path.split('/')
        .rev()
        .find(|s| !s.is_empty() && !s.contains(['{', '=', ':']))
        .unwrap_or_default()
}

impl<'a> Schemas<'a> {
    pub fn new(reference: &'a Value) -> Schemas<'a> {
        let mut schemas = Schemas {
            components: reference["components"]["schemas"].as_object(),
            attribute_types: HashMap::new(),
        };
        schemas.attribute_types = schemas.collect_attribute_types(reference);
        schemas
    }

    fn collect_attribute_types(
        &self,
        reference: &'a Value,
    ) -> HashMap<(String, String), BTreeSet<String>> {
        let mut types: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
        for (path, item) in reference["paths"].as_object().into_iter().flatten() {
            let collection = collection_of(path);
            let operations = item.as_object().into_iter().flatten();
            let answers =
                operations.flat_map(|(_, op)| op["responses"].as_object().into_iter().flatten());
            for (_, answer) in answers {
                let data = &self.resolve(&answer["content"]["application/json"]["schema"])["properties"]
                    ["data"];
                let data = self.resolve(data);
                let record = if data.get("items").is_some() {
                    self.resolve(&data["items"])
                } else {
                    data
                };
                let attributes = self.resolve(&record["properties"]["attributes"]);
                for (name, schema) in attributes["properties"].as_object().into_iter().flatten() {
                    if let Some(kind) = schema_type(self.resolve(schema)) {
                        types
                            .entry((collection.to_string(), name.clone()))
                            .or_default()
                            .insert(kind.to_string());
                    }
                }
            }
        }
        types
    }

    /// Whether the reference gives the attribute at `path` (`...attributes.<name>`) of
    /// `collection` the type of `value` in some operation.
    fn typed_so_elsewhere(&self, collection: &str, path: &str, value: &Value) -> bool {
        let Some((parent, name)) = path.rsplit_once('.') else {
            return false;
        };
        if !parent.ends_with(".attributes") {
            return false;
        }
        let key = (collection.to_string(), name.to_string());
        self.attribute_types
            .get(&key)
            .is_some_and(|kinds| kinds.iter().any(|kind| has_type(value, kind)))
    }

    fn resolve(&self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        // A chain of references ends; a cycle is cut after a few hops.
        for _ in 0..8 {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                return schema;
            };
            let name = reference.trim_start_matches("#/components/schemas/");
            match self.components.and_then(|c| c.get(name)) {
                Some(target) => schema = target,
                None => return schema,
            }
        }
        schema
    }

    /// Every mismatch of `value` against `schema`, `path` being where `value` is, in an
    /// answer about `collection`'s records.
    pub fn check(
        &self,
        schema: &Value,
        value: &Value,
        path: &str,
        collection: &str,
    ) -> Vec<Mismatch> {
        let mut found = Vec::new();
        let at = Place {
            collection,
            open: false,
        };
        self.walk(schema, value, path, at, &mut found);
        found
    }

    fn walk(
        &self,
        schema: &Value,
        value: &Value,
        path: &str,
        at: Place<'_>,
        found: &mut Vec<Mismatch>,
    ) {
        let schema = self.resolve(schema);
        if value.is_null() {
            return;
        }
        let expected = schema_type(schema);
        if let Some(expected) = expected
            && !has_type(value, expected)
            && !self.typed_so_elsewhere(at.collection, path, value)
        {
            found.push(Mismatch {
                path: path.to_string(),
                problem: format!("expected {expected}, got {}", type_name(value)),
            });
            return;
        }
        if let (Some(properties), Some(object)) = (
            schema.get("properties").and_then(Value::as_object),
            value.as_object(),
        ) {
            for (name, property) in properties {
                let child = member_path(path, name);
                match object.get(name) {
                    Some(member) => {
                        let open = at.open || path.ends_with(".attributes");
                        self.walk(property, member, &child, Place { open, ..at }, found);
                    }
                    None if !at.open => found.push(Mismatch {
                        path: child,
                        problem: "missing".to_string(),
                    }),
                    None => {}
                }
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (index, item) in array.iter().enumerate() {
                self.walk(items, item, &format!("{path}[{index}]"), at, found);
            }
        }
    }
}

/// Where a walk is: the operation's object, and whether it is inside an attribute's value
/// (where members are not required).
#[derive(Clone, Copy)]
struct Place<'c> {
    collection: &'c str,
    open: bool,
}

/// The schema's type; one with properties and no type is an object.
fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type").and_then(Value::as_str) {
        Some(kind) => Some(kind),
        None if schema.get("properties").is_some() => Some("object"),
        None => None,
    }
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        _ => true,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `$.a.b`, or `$.a["odd-name"]` for a name that is not an identifier.
fn member_path(path: &str, name: &str) -> String {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{name}")
    } else {
        format!("{path}[{name:?}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "data": {"type": "object", "properties": {
                "id": {"type": "string"},
                "attributes": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "count": {"type": "integer"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "custom": {"type": "object", "properties": {"exampleStr": {"type": "string"}}}
                }},
                "meta": {"type": "object", "properties": {"page": {"type": "integer"}}}
            }}
        }})
    }

    fn check(value: Value) -> Vec<Mismatch> {
        let reference = json!({});
        Schemas::new(&reference).check(&schema(), &value, "$", "things")
    }

    #[test]
    fn a_complete_answer_with_nulls_passes() {
        let answer = json!({"data": {"id": "a", "attributes": {
            "name": null, "count": 3, "tags": ["x"], "custom": {}
        }, "meta": {"page": 1}}});
        assert_eq!(check(answer), vec![]);
    }

    #[test]
    fn a_missing_attribute_is_named_by_its_path() {
        let answer = json!({"data": {"id": "a", "attributes": {
            "name": "n", "tags": [], "custom": {}
        }}});
        let missing = |path: &str| Mismatch {
            path: path.into(),
            problem: "missing".into(),
        };
        // An attribute's members are not required, but a `meta` outside attributes is.
        assert_eq!(
            check(answer),
            vec![missing("$.data.attributes.count"), missing("$.data.meta")]
        );
    }

    #[test]
    fn a_wrong_type_is_named_inside_arrays_too() {
        let answer = json!({"data": {"id": "a", "attributes": {
            "name": "n", "count": "3", "tags": ["x", 2], "custom": {"exampleStr": 1}
        }, "meta": {"page": 1}}});
        let found = check(answer);
        let paths: Vec<&str> = found.iter().map(|m| m.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.data.attributes.count",
                "$.data.attributes.tags[1]",
                "$.data.attributes.custom.exampleStr"
            ]
        );
        assert_eq!(found[0].problem, "expected integer, got string");
    }

    #[test]
    fn references_are_followed() {
        let reference = json!({"components": {"schemas": {"Thing": {
            "type": "object", "properties": {"id": {"type": "string"}}
        }}}});
        let schemas = Schemas::new(&reference);
        let schema = json!({"$ref": "#/components/schemas/Thing"});
        assert_eq!(
            schemas.check(&schema, &json!({"id": "x"}), "$", "things"),
            vec![]
        );
        assert_eq!(
            schemas.check(&schema, &json!({}), "$", "things")[0].path,
            "$.id"
        );
    }

    #[test]
    fn an_attribute_may_have_any_type_the_reference_gives_it_for_its_object() {
        let answer_with = |size: &str| {
            json!({"responses": {"200": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"data": {"type": "object", "properties": {
                    "attributes": {"type": "object", "properties": {"size": {"type": size}}}
                }}}
            }}}}}})
        };
        let reference = json!({"paths": {
            "/messages": {"post": answer_with("string")},
            "/conversations/{id}/messages": {"get": answer_with("integer")},
            "/notes": {"get": answer_with("boolean")}
        }});
        let schemas = Schemas::new(&reference);
        let schema = reference["paths"]["/messages"]["post"]["responses"]["200"]["content"]["application/json"]["schema"].clone();
        let answer = |size: Value| json!({"data": {"attributes": {"size": size}}});
        assert_eq!(
            schemas.check(&schema, &answer(json!(3)), "$", "messages"),
            vec![]
        );
        let wrong = schemas.check(&schema, &answer(json!(true)), "$", "messages");
        assert_eq!(wrong[0].problem, "expected string, got boolean");
        assert_eq!(collection_of("/customers/{id}/messages"), "messages");
        assert_eq!(collection_of("/customers/email={email}"), "customers");
    }

    #[test]
    fn odd_member_names_are_quoted() {
        assert_eq!(member_path("$", "a-b"), "$[\"a-b\"]");
        assert_eq!(member_path("$", "ab_1"), "$.ab_1");
    }
}
