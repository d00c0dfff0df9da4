//! Klass: the definition of a custom object type (`order`, `calendly-event`); its records
//! are KObjects (`model/kobject.rs`). The klass's `name` is how routes, events
//! (`kustomer.kobject.<name>.create`) and searches (`kobject_<name>`) name the type.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::resource::{ToMany, ToOne, resource};
use super::{KObject, Org};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// `enabled` or `disabled`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KlassStatus {
    #[default]
    Enabled,
    Disabled,
}

/// What a klass's objects offer in Kustomer's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KlassMixin {
    Commentable,
    Assignable,
    Editable,
    Creatable,
}

/// A klass as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Klass {
    pub id: Id,
    pub attributes: KlassAttributes,
    pub relationships: KlassRelationships,
    /// The `jsonSchema` written with the klass: when it lists `properties`, those are the
    /// only custom attributes its KObjects may carry. Not part of the answer (Kustomer's
    /// klass answers do not show it).
    #[serde(default)]
    pub json_schema: Option<Value>,
}

/// A klass's attributes, in Kustomer's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KlassAttributes {
    pub name: String,
    #[schema(required = true)]
    pub display_name: Option<String>,
    #[schema(required = true)]
    pub icon: Option<String>,
    #[schema(required = true)]
    pub color: Option<String>,
    /// `task` for task klasses.
    #[schema(required = true)]
    pub klass_schema: Option<String>,
    /// The version of the app that defined the klass.
    #[schema(required = true)]
    pub app_version: Option<String>,
    pub app_disabled: bool,
    pub status: KlassStatus,
    pub mixins: Vec<KlassMixin>,
    pub updated_at: Timestamp,
    pub created_at: Timestamp,
    /// Where Kustomer keeps large klass data; always null in the mock.
    #[schema(required = true)]
    pub s3_data_url: Option<String>,
}

/// A klass's relationships, in Kustomer's order.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KlassRelationships {
    #[schema(schema_with = crate::openapi::resources::to_one::<Org>)]
    pub org: ToOne<Org>,
    #[schema(schema_with = crate::openapi::resources::to_many)]
    pub kobjects: ToMany<Klass, KObject>,
}

resource!(
    Klass {
        KlassAttributes,
        KlassRelationships
    },
    kind = "klass",
    collection = "klasses",
    read_only = [
        "createdAt",
        "updatedAt",
        "appVersion",
        "appDisabled",
        "s3DataUrl"
    ],
);

/// The body of `POST /v1/klasses` (`name` required) and `PUT /v1/klasses/{id}` (which
/// cannot rename: `name`, when given, must be the klass's own).
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KlassWrite {
    #[serde(default)]
    #[schema(pattern = "^[0-9a-zA-Z_-]+$", max_length = 255)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 255)]
    pub display_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64)]
    pub icon: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64)]
    pub color: Option<String>,
    /// A JSON schema of the KObjects' `custom`: its `properties` name the custom
    /// attributes the klass's objects may carry.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub json_schema: Option<Map<String, Value>>,
    #[serde(default)]
    pub klass_schema: Option<KlassSchemaKind>,
    #[serde(default)]
    pub mixins: Option<Vec<KlassMixin>>,
    #[serde(default)]
    pub status: Option<KlassStatus>,
}

/// `klassSchema`: the one value Kustomer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KlassSchemaKind {
    Task,
}

impl super::Writable for KlassWrite {
    type Of = Klass;
}
