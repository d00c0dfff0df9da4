//! Small value objects conversations and customers share: what Kustomer's analysis and
//! routing attach to a record (sentiment, suggested tags, queue) and the milestones the
//! store stamps (first response, first and last done). Each renders as the reference's
//! example answers show, `{}` while empty.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// `{"polarity": -1|0|1, "confidence": -1..1}`, as an analysis wrote it; `{}` until then.
/// A write may send a member as `null`, which leaves it unset (the answer omits it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[serde(remote = "Self")]
pub struct Sentiment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = -1, maximum = 1)]
    pub polarity: Option<i8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = -1, maximum = 1)]
    pub confidence: Option<f64>,
}

/// A tag an analysis suggests, by name, with its confidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[serde(remote = "Self")]
pub struct SuggestedTag {
    pub tag: String,
    pub confidence: f64,
}

/// The queue routing put the conversation in: a queue id, or an external queue's name
/// (`amazon-connect`). The mock has no queues, so it keeps what was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[serde(remote = "Self")]
pub struct Queue {
    /// One of `id` and `external` is required (checked on write, as the reference's
    /// `anyOf` says).
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub external: Option<ExternalQueue>,
}

/// The external queues the reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ExternalQueue {
    #[serde(rename = "amazon-connect")]
    AmazonConnect,
}

/// A moment the store stamps once (first response) or on each occurrence (done):
/// when, by whom, and how long after the conversation began, in milliseconds.
/// `{}` until it happens.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Milestone {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Timestamp>, nullable = false)]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Id>, nullable = false)]
    pub created_by: Option<Id>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub time: Option<u64>,
}

impl Milestone {
    /// The milestone reached at `at` by `by`, `began` being when the conversation began.
    pub fn reached(at: Timestamp, by: Id, began: Timestamp) -> Milestone {
        Milestone {
            created_at: Some(at),
            created_by: Some(by),
            time: Some(u64::try_from(at.millis() - began.millis()).unwrap_or(0)),
        }
    }
}

/// Serde lets a derived struct be read from a JSON array too (`[1, 0.5]` as a sentiment);
/// Kustomer takes objects only. These value objects are derived with `remote = "Self"`
/// and read here from an object alone, so an array is a 400 naming the attribute.
macro_rules! objects_only {
    ($($value:ty),*) => {$(
        impl Serialize for $value {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                <$value>::serialize(self, serializer)
            }
        }

        impl<'de> Deserialize<'de> for $value {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                /// The derived reading, as a `Deserialize` type for serde_path_to_error.
                struct Derived($value);
                impl<'de> Deserialize<'de> for Derived {
                    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        <$value>::deserialize(d).map(Derived)
                    }
                }
                let object = Map::<String, Value>::deserialize(deserializer)?;
                serde_path_to_error::deserialize::<_, Derived>(Value::Object(object))
                    .map(|derived| derived.0)
                    .map_err(|e| match e.path().to_string().as_str() {
                        "." => serde::de::Error::custom(e.inner()),
                        member => serde::de::Error::custom(format_args!("`{member}`: {}", e.inner())),
                    })
            }
        }
    )*};
}

objects_only!(Sentiment, SuggestedTag, Queue);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn value_objects_are_read_from_objects_only() {
        let sentiment: Sentiment =
            serde_json::from_value(json!({"polarity": 1, "confidence": 0.5})).unwrap();
        assert_eq!(sentiment.polarity, Some(1));
        assert_eq!(
            serde_json::to_value(&sentiment).unwrap(),
            json!({"polarity": 1, "confidence": 0.5})
        );
        assert!(serde_json::from_value::<Sentiment>(json!([1, 0.5])).is_err());
        assert!(serde_json::from_value::<Queue>(json!(["q1", null])).is_err());
        assert!(serde_json::from_value::<SuggestedTag>(json!(["vip", 0.9])).is_err());
        let unknown = serde_json::from_value::<Queue>(json!({"id": "q", "nope": 1})).unwrap_err();
        assert!(unknown.to_string().contains("nope"), "{unknown}");
        let wrong = serde_json::from_value::<Queue>(json!({"external": "x"})).unwrap_err();
        assert!(wrong.to_string().starts_with("`external`: "), "{wrong}");
    }
}
