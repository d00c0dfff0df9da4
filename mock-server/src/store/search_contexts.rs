//! The contexts a search reads (`queryContext`): one per searchable object, listed once in
//! [`search_contexts!`] below, each naming its object and its collection in `OrgData`.
//! Everything else (its field names, how a record is read, the roles it needs, its
//! OpenAPI schema) comes from the object's declaration. KObjects add one context per
//! klass: `kobject_<klass name>`.

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;
use utoipa::openapi::{RefOr, Schema};

use super::OrgData;
use super::search_fields::{Declaration, declare};
use crate::http::auth::roles;
use crate::model::{Company, Conversation, Customer, KObject, Kind, Message, Note, Record};

/// A record a search reads, by wire name.
pub trait Searchable: Sync {
    /// The whole resource (for the page answered).
    fn resource(&self) -> Value;
    /// `attributes.<name>`.
    fn attribute(&self, name: &str) -> Option<Value>;
    /// `relationships.<name>`.
    fn relationship(&self, name: &str) -> Option<Value>;
    /// `attributes.custom.<name>`.
    fn custom(&self, name: &str) -> Option<Value> {
        match self.attribute("custom") {
            Some(Value::Object(mut custom)) => custom.remove(name),
            _ => None,
        }
    }
    /// The klass of a KObject (`None` for other objects).
    fn klass(&self) -> Option<&str> {
        None
    }
}

/// One searchable object: its `queryContext` name, the roles that may read it, its
/// declared fields, its records, and its schema (for the search answer's document).
pub struct ObjectContext {
    pub name: &'static str,
    pub read_roles: &'static [&'static str],
    pub(super) declaration: fn() -> &'static Declaration,
    pub(super) each: for<'a> fn(&'a OrgData, &mut dyn FnMut(&'a dyn Searchable)),
    pub schemas: fn(&mut Vec<(String, RefOr<Schema>)>),
    pub schema_name: fn() -> String,
}

impl fmt::Debug for ObjectContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectContext({})", self.name)
    }
}

impl PartialEq for ObjectContext {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for ObjectContext {}

/// The searchable objects: `Object => collection in OrgData, roles that may read it;`,
/// optionally followed by `{ ... }` overriding [`Searchable`]'s defaults. Each line makes
/// the object a `queryContext`, with its fields, from its declaration, and reads its
/// records through its [`Record`] reads.
macro_rules! search_contexts {
    ($($object:ty => $collection:ident, $roles:expr $(, { $($extra:tt)* })?;)*) => {
        $(
            impl Searchable for $object {
                fn resource(&self) -> Value {
                    Record::resource(self)
                }
                fn attribute(&self, name: &str) -> Option<Value> {
                    Record::attribute(self, name)
                }
                fn relationship(&self, name: &str) -> Option<Value> {
                    Record::relationship(self, name)
                }
                $($($extra)*)?
            }
        )*

        /// Every searchable object, in the order error details list them.
        pub static OBJECT_CONTEXTS: &[ObjectContext] = &[$(
            ObjectContext {
                name: <$object as Kind>::KIND,
                read_roles: $roles,
                declaration: {
                    fn declaration() -> &'static Declaration {
                        static DECLARED: OnceLock<Declaration> = OnceLock::new();
                        DECLARED.get_or_init(declare::<$object>)
                    }
                    declaration
                },
                each: {
                    fn each<'a>(data: &'a OrgData, visit: &mut dyn FnMut(&'a dyn Searchable)) {
                        for record in data.$collection.values() {
                            visit(record);
                        }
                    }
                    each
                },
                schemas: crate::openapi::resources::push_resource::<$object>,
                schema_name: crate::openapi::resources::resource_name::<$object>,
            },
        )*];
    };
}

search_contexts! {
    Conversation => conversations, roles::CONVERSATION_READ;
    Customer => customers, roles::CUSTOMER_READ;
    Message => messages, roles::MESSAGE_READ;
    Note => notes, roles::NOTE_READ;
    Company => companies, roles::COMPANY_READ;
    KObject => kobjects, roles::KOBJECT_READ, {
        fn custom(&self, name: &str) -> Option<Value> {
            self.attributes.custom.get(name).cloned()
        }
        fn klass(&self) -> Option<&str> {
            Some(&self.klass)
        }
    };
}

/// Which records a search reads (`queryContext`): an object's, and for KObjects
/// optionally one klass's (`kobject_order`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchContext {
    object: &'static ObjectContext,
    klass: Option<String>,
}

impl SearchContext {
    /// `conversation`, `customer`, `message`, `kobject` or `kobject_<klass>`.
    pub fn parse(text: &str) -> Option<SearchContext> {
        if let Some(object) = OBJECT_CONTEXTS.iter().find(|c| c.name == text) {
            return Some(SearchContext {
                object,
                klass: None,
            });
        }
        let klass = text
            .strip_prefix(KObject::KIND)?
            .strip_prefix('_')
            .filter(|k| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })?;
        Some(SearchContext {
            object: object_named(KObject::KIND)?,
            klass: Some(klass.to_string()),
        })
    }

    /// The `queryContext` names, for error details.
    pub fn names() -> Vec<String> {
        let mut names: Vec<String> = OBJECT_CONTEXTS.iter().map(|c| c.name.to_string()).collect();
        names.push(format!("{}_<klass name>", KObject::KIND));
        names
    }

    /// The context's name as the query writes it.
    pub fn name(&self) -> String {
        match &self.klass {
            Some(klass) => format!("{}_{klass}", self.object.name),
            None => self.object.name.to_string(),
        }
    }

    /// The object whose records the search reads.
    pub fn object(&self) -> &'static ObjectContext {
        self.object
    }

    /// The klass a `kobject_<klass>` search reads.
    pub fn klass(&self) -> Option<&str> {
        self.klass.as_deref()
    }

    /// The conversation context (a search without `queryContext`).
    pub fn default_context() -> SearchContext {
        SearchContext {
            object: object_named(Conversation::KIND).unwrap_or(&OBJECT_CONTEXTS[0]),
            klass: None,
        }
    }

    /// Visits every record of the context (a klass's KObjects only, for `kobject_<klass>`).
    pub(super) fn each<'a>(&self, data: &'a OrgData, visit: &mut dyn FnMut(&'a dyn Searchable)) {
        match &self.klass {
            None => (self.object.each)(data, visit),
            Some(klass) => (self.object.each)(data, &mut |record| {
                if record.klass() == Some(klass.as_str()) {
                    visit(record);
                }
            }),
        }
    }
}

/// The searchable object called `name`.
pub fn object_named(name: &str) -> Option<&'static ObjectContext> {
    OBJECT_CONTEXTS.iter().find(|c| c.name == name)
}
