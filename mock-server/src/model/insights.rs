//! Small value objects conversations and customers share: what Kustomer's analysis and
//! routing attach to a record (sentiment, suggested tags, queue) and the milestones the
//! store stamps (first response, first and last done). Each renders as the reference's
//! example answers show, `{}` while empty.

use serde::{Deserialize, Serialize};

use crate::support::clock::Timestamp;
use crate::support::ids::Id;

/// `{"polarity": -1|0|1, "confidence": -1..1}`, as an analysis wrote it; `{}` until then.
/// A write may send a member as `null`, which leaves it unset (the answer omits it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
pub struct SuggestedTag {
    pub tag: String,
    pub confidence: f64,
}

/// The queue routing put the conversation in: a queue id, or an external queue's name
/// (`amazon-connect`). The mock has no queues, so it keeps what was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
