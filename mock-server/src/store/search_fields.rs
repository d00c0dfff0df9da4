//! The fields a search names, derived from the objects' declarations: every attribute of
//! a context's object is `<type>_<attribute in snake_case>` (`conversation_created_at`),
//! every to-one relationship `<type>_<relationship>_id` (`conversation_customer_id`),
//! and custom attributes `<type>_custom_<name>`. What a field holds (and so which
//! operators and operands it takes) comes from the attribute's schema, the one the OpenAPI
//! document shows; two attributes keep Kustomer's own meaning: `tags` are matched by id
//! or by tag name, `emails` by their `email`, ignoring case.

use std::borrow::Cow;

use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::search::Op;
pub use super::search_contexts::{OBJECT_CONTEXTS, SearchContext};
use crate::model::{KObject, Kind, Resource};

/// Where a field's value is on the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `attributes.<name>`.
    Attribute(&'static str),
    /// `relationships.<name>.data.id`.
    Relationship(&'static str),
    /// `attributes.custom.<name>`; for a KObject, of the klass it names
    /// (`kobject_custom_<klass>_<name>`), or of any klass when it names none.
    Custom { klass: Option<String>, name: String },
}

/// A declared field: its search name, where it reads, what it holds.
#[derive(Debug)]
pub(super) struct Declared {
    name: String,
    target: Target,
    kind: FieldKind,
}

/// An object's searchable fields, from its declaration.
#[derive(Debug)]
pub struct Declaration {
    fields: Vec<Declared>,
    /// Whether its attributes hold `custom` (so `<type>_custom_<name>` fields exist).
    custom: bool,
}

/// A searchable field, as named in criteria and `sort`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchField {
    object: &'static str,
    target: Target,
    kind: FieldKind,
}

impl SearchField {
    /// The field called `name`, of any object.
    pub fn parse(name: &str) -> Option<SearchField> {
        OBJECT_CONTEXTS.iter().find_map(|context| {
            let rest = name.strip_prefix(context.name)?.strip_prefix('_')?;
            let declaration = (context.declaration)();
            if let Some(custom) = rest.strip_prefix("custom_").filter(|c| !c.is_empty()) {
                if !declaration.custom {
                    return None;
                }
                // A KObject's custom field names its klass first; names of custom
                // attributes have no `_`, klass names may.
                let target = match custom.rsplit_once('_') {
                    Some((klass, name))
                        if context.name == KObject::KIND
                            && !klass.is_empty()
                            && !name.is_empty() =>
                    {
                        Target::Custom {
                            klass: Some(klass.to_string()),
                            name: name.to_string(),
                        }
                    }
                    _ => Target::Custom {
                        klass: None,
                        name: custom.to_string(),
                    },
                };
                return Some(SearchField {
                    object: context.name,
                    target,
                    kind: FieldKind::Any,
                });
            }
            declaration
                .fields
                .iter()
                .find(|d| d.name == name)
                .map(|d| SearchField {
                    object: context.name,
                    target: d.target.clone(),
                    kind: d.kind,
                })
        })
    }

    /// The name the query uses.
    pub fn name(&self) -> Cow<'static, str> {
        let object = self.object;
        Cow::Owned(match &self.target {
            Target::Attribute(name) => declared_name(object, name),
            Target::Relationship(name) => format!("{object}_{}_id", snake_case(name)),
            Target::Custom {
                klass: Some(klass),
                name,
            } => format!("{object}_custom_{klass}_{name}"),
            Target::Custom { klass: None, name } => format!("{object}_custom_{name}"),
        })
    }

    /// The object whose records carry this field (`conversation`, `kobject`).
    pub fn object(&self) -> &'static str {
        self.object
    }

    /// What kind of value the field holds.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }

    /// Where the field reads.
    pub fn target(&self) -> &Target {
        &self.target
    }
}

/// The field names of an object, for messages (`<type>_custom_<name>` last).
pub fn field_names(context: &SearchContext) -> Vec<String> {
    let object = context.object();
    let declaration = (object.declaration)();
    let mut names: Vec<String> = declaration.fields.iter().map(|d| d.name.clone()).collect();
    if declaration.custom {
        names.push(match (object.name == KObject::KIND, context.klass()) {
            (true, Some(klass)) => format!("{}_custom_{klass}_<name>", object.name),
            (true, None) => format!("{}_custom_<klass>_<name>", object.name),
            (false, _) => format!("{}_custom_<name>", object.name),
        });
    }
    names
}

/// `<type>_<attribute in snake_case>`; Kustomer names the list of emails in the singular
/// (`customer_email`), as its standard attributes do.
fn declared_name(object: &str, attribute: &str) -> String {
    match attribute {
        "emails" => format!("{object}_email"),
        _ => format!("{object}_{}", snake_case(attribute)),
    }
}

/// The kind of value a field holds: it decides the operators the field takes and the type
/// of their operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An instant (`*_created_at`, `*_updated_at`); operands are ISO-8601 timestamps.
    Time,
    /// Free text (`*_name`), possibly absent.
    Text,
    /// One of a fixed set of strings (`conversation_status`: open, snoozed, done).
    Enum(&'static [&'static str]),
    /// A whole number (`conversation_priority`).
    Number,
    /// A record id (`conversation_customer_id`).
    Id,
    /// Tag ids; an operand names a tag by id or by name.
    Tags,
    /// Email entries, matched by their `email` (case-insensitive).
    Emails,
    /// Any JSON value (custom attributes, flags, lists and objects).
    Any,
}

impl FieldKind {
    /// The operators a field of this kind takes.
    pub fn operators(self) -> &'static [Op] {
        use Op::*;
        match self {
            FieldKind::Time | FieldKind::Number => {
                &[Equals, NotEquals, Gt, Gte, Lt, Lte, In, Exists, NotSet]
            }
            FieldKind::Text => &[Equals, NotEquals, In, Contains, Exists, NotSet],
            FieldKind::Enum(_) | FieldKind::Id => &[Equals, NotEquals, In, Exists, NotSet],
            FieldKind::Tags | FieldKind::Emails => {
                &[Equals, NotEquals, In, Contains, Exists, NotSet]
            }
            FieldKind::Any => &[
                Equals, NotEquals, Gt, Gte, Lt, Lte, In, Contains, Exists, NotSet,
            ],
        }
    }

    /// Whether records can be sorted by a field of this kind (lists cannot).
    pub fn sortable(self) -> bool {
        !matches!(self, FieldKind::Tags | FieldKind::Emails)
    }
}

/// The fields of `R`, from its attributes' and relationships' schemas.
pub(super) fn declare<R>() -> Declaration
where
    R: Resource,
    R::Attributes: ToSchema,
    R::Relationships: ToSchema,
{
    let mut referenced = Vec::new();
    R::Attributes::schemas(&mut referenced);
    let resolve = |name: &str| {
        referenced
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, schema)| as_json(schema))
    };
    let mut fields = Vec::new();
    let mut custom = false;
    let id_items = schema_reference::<crate::support::ids::Id>();
    for (name, schema) in properties(&R::Attributes::schema()) {
        let kind = match name {
            // Kustomer's meanings, which a schema cannot say: tags held by id match by
            // id or by name (a KObject's tags are names, matched as written).
            "tags" if schema.pointer("/items/$ref") == Some(&id_items) => FieldKind::Tags,
            "emails" => FieldKind::Emails,
            // Searched by `<type>_custom_<name>`.
            "custom" => {
                custom = true;
                continue;
            }
            _ => kind_of(&schema, &resolve),
        };
        fields.push(Declared {
            name: declared_name(R::KIND, name),
            target: Target::Attribute(name),
            kind,
        });
    }
    for (name, schema) in properties(&R::Relationships::schema()) {
        // A to-one relationship carries `data`; one known by its link only does not.
        if schema.pointer("/properties/data").is_some() {
            fields.push(Declared {
                name: format!("{}_{}_id", R::KIND, snake_case(name)),
                target: Target::Relationship(name),
                kind: FieldKind::Id,
            });
        }
    }
    Declaration { fields, custom }
}

/// `"#/components/schemas/<T's name>"`, as a property's `$ref` holds it.
fn schema_reference<T: ToSchema>() -> Value {
    Value::from(format!("#/components/schemas/{}", T::name()))
}

fn as_json(schema: &RefOr<Schema>) -> Option<Value> {
    serde_json::to_value(schema).ok()
}

/// The properties of an object schema, in declared order, with names that live as long as
/// the program (the schema is built once per context).
fn properties(schema: &RefOr<Schema>) -> Vec<(&'static str, Value)> {
    let Some(Value::Object(mut object)) = as_json(schema) else {
        return Vec::new();
    };
    match object.remove("properties") {
        Some(Value::Object(properties)) => properties
            .into_iter()
            .map(|(name, schema)| (&*Box::leak(name.into_boxed_str()), schema))
            .collect(),
        _ => Vec::new(),
    }
}

/// What a property's schema says it holds.
fn kind_of(schema: &Value, resolve: &dyn Fn(&str) -> Option<Value>) -> FieldKind {
    // `Option<T>`: `oneOf: [T, {"type": "null"}]`.
    if let Some(variants) = schema.get("oneOf").and_then(Value::as_array) {
        let not_null: Vec<&Value> = variants
            .iter()
            .filter(|v| v.get("type") != Some(&Value::from("null")))
            .collect();
        return match not_null.as_slice() {
            [only] => kind_of(only, resolve),
            _ => FieldKind::Any,
        };
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        if name == <crate::support::clock::Timestamp as ToSchema>::name() {
            return FieldKind::Time;
        }
        if name == <crate::support::ids::Id as ToSchema>::name() {
            return FieldKind::Id;
        }
        return resolve(name).map_or(FieldKind::Any, |s| kind_of(&s, resolve));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<&'static str> = values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| &*Box::leak(v.to_string().into_boxed_str()))
            .collect();
        return FieldKind::Enum(Box::leak(values.into_boxed_slice()));
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    match types.iter().find(|t| **t != "null") {
        Some(&"string") if schema.get("format") == Some(&Value::from("date-time")) => {
            FieldKind::Time
        }
        Some(&"string") => FieldKind::Text,
        Some(&"integer") => FieldKind::Number,
        _ => FieldKind::Any,
    }
}

/// `createdAt` → `created_at`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> SearchField {
        SearchField::parse(name).unwrap_or_else(|| panic!("{name} is a field"))
    }

    #[test]
    fn the_fields_kustomer_names_come_from_the_declarations() {
        let cases = [
            ("conversation_created_at", FieldKind::Time),
            ("conversation_updated_at", FieldKind::Time),
            ("conversation_name", FieldKind::Text),
            ("conversation_priority", FieldKind::Number),
            ("conversation_tags", FieldKind::Tags),
            ("conversation_customer_id", FieldKind::Id),
            ("conversation_ended_at", FieldKind::Time),
            ("customer_name", FieldKind::Text),
            ("customer_email", FieldKind::Emails),
            ("message_channel", FieldKind::Enum(&[])),
            ("message_conversation_id", FieldKind::Id),
            ("kobject_title", FieldKind::Text),
            ("kobject_klass_id", FieldKind::Id),
            ("kobject_customer_id", FieldKind::Id),
            ("customer_created_at", FieldKind::Time),
        ];
        for (name, kind) in cases {
            match (field(name).kind(), kind) {
                (FieldKind::Enum(_), FieldKind::Enum(_)) => {}
                (found, kind) => assert_eq!(found, kind, "{name}"),
            }
            assert_eq!(field(name).name(), name);
        }
        match field("conversation_status").kind() {
            FieldKind::Enum(values) => assert_eq!(values, ["open", "snoozed", "done"]),
            other => panic!("status is {other:?}"),
        }
        assert_eq!(
            field("conversation_custom_orderNum").target(),
            &Target::Custom {
                klass: None,
                name: "orderNum".into()
            }
        );
        let calendly = field("kobject_custom_calendly-event_customersCompanyStr");
        assert_eq!(
            calendly.target(),
            &Target::Custom {
                klass: Some("calendly-event".into()),
                name: "customersCompanyStr".into()
            }
        );
        assert_eq!(
            calendly.name(),
            "kobject_custom_calendly-event_customersCompanyStr"
        );
        assert_eq!(
            field("kobject_custom_my_klass_totalNum").target(),
            &Target::Custom {
                klass: Some("my_klass".into()),
                name: "totalNum".into()
            }
        );
    }

    #[test]
    fn names_that_are_not_declared_are_not_fields() {
        for name in [
            "conversation_custom",
            "conversation_custom_",
            "conversation_messages_id",
            "conversation_createdAt",
            "customer_status",
            "customer_emails",
            "message_custom_x",
            "conversation_",
        ] {
            assert!(SearchField::parse(name).is_none(), "{name}");
        }
    }

    #[test]
    fn every_listed_name_parses_back() {
        for object in OBJECT_CONTEXTS {
            let context = SearchContext::parse(object.name).unwrap();
            for name in field_names(&context) {
                if name.ends_with("<name>") {
                    continue;
                }
                let field = field(&name);
                assert_eq!(field.object(), object.name);
                assert_eq!(field.name(), name.as_str());
            }
        }
    }
}
