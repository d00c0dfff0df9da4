//! The last step of every write: compute `changes`, build the event, publish it.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Actor, Store};
use crate::events::lazy_json::LazyJson;
use crate::events::record_view::{EventRecords, RecordView, field_change};
use crate::events::{Event, EventMeta, MockMeta};
use crate::model::{Org, Record};
use crate::support::ids::Id;
use crate::support::json_object::object;

/// What a write did to a record.
pub(super) enum Commit<'a, R: Record> {
    Create(&'a R),
    /// `forced` lists server-maintained attributes the write *set* (so they appear in
    /// `changes` even when a standing virtual clock gives them their old value).
    /// `custom_changed` says whether the `custom` attribute differs (the event's
    /// `meta.customChanged`, needed now while `changes` is computed on first read).
    Update {
        before: R,
        after: &'a R,
        forced: &'static [&'static str],
        custom_changed: bool,
    },
    /// The record as it was before it was removed.
    Delete(&'a R),
}

/// The fields whose values differ (whole values: arrays and objects compare as a whole),
/// in the order of `after`, then fields only `before` had; plus every `forced` field.
pub(crate) fn diff(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    forced: &[&str],
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in after {
        if let Some(change) =
            field_change(before.get(key), Some(value), forced.contains(&key.as_str()))
        {
            out.insert(key.clone(), change);
        }
    }
    for (key, value) in before {
        if !after.contains_key(key)
            && let Some(change) = field_change(Some(value), None, false)
        {
            out.insert(key.clone(), change);
        }
    }
    out
}

/// Relationships compared by their `data` (links never change).
fn relationship_data(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter_map(|(k, v)| v.get("data").map(|d| (k.clone(), d.clone())))
        .collect()
}

/// `{"attributes": ..., "relationships": ...}` of an update: what changed between the
/// record before and `after`, the rendering of the record after (the event's `data`,
/// rendered once for both).
fn changes_of<R: Record>(before: &R, after: &Value, forced: &[&str]) -> Value {
    let empty = Map::new();
    let part = |name: &str| after.get(name).and_then(Value::as_object).unwrap_or(&empty);
    let attributes = diff(&before.attribute_map(), part("attributes"), forced);
    let relationships = diff(
        &relationship_data(&before.relationship_map()),
        &relationship_data(part("relationships")),
        &[],
    );
    object([
        ("attributes", Value::Object(attributes)),
        ("relationships", Value::Object(relationships)),
    ])
}

impl Store {
    /// Publishes the event of a committed write. Call while holding the org's write lock
    /// so each record's events leave in commit order. The event's `data` and `changes`
    /// are rendered from copies of the records when first read, not under the lock
    /// (`changes` from the `data` rendering).
    pub(super) fn publish_commit<R: Record + Send + Sync + 'static>(
        &self,
        org: &Org,
        actor: &Actor,
        commit: Commit<'_, R>,
    ) {
        let (action, record, before, custom_changed) = match commit {
            Commit::Create(record) => ("create", record.clone(), None, false),
            Commit::Delete(record) => ("delete", record.clone(), None, false),
            Commit::Update {
                before,
                after,
                forced,
                custom_changed,
            } => (
                "update",
                after.clone(),
                Some((before, forced)),
                custom_changed,
            ),
        };
        let data_id = record.id();
        let name = format!("kustomer.{}.{action}", record.event_kind());
        let record = Arc::new(record);
        let before = before.map(|(before, forced)| (Arc::new(before), forced));
        let records = EventRecords::new(
            record.clone(),
            before
                .as_ref()
                .map(|(b, _)| b.clone() as Arc<dyn RecordView>),
            before.as_ref().map_or(&[], |(_, forced)| *forced),
        );
        let data = LazyJson::new(move || record.resource());
        let changes = before.map(|(before, forced)| {
            LazyJson::derived(&data, move |after| {
                changes_of(before.as_ref(), after, forced)
            })
        });
        let id = self.event_id(actor, data_id, &name);
        let event = Event {
            id,
            name,
            org: org.id,
            org_name: org.name.clone(),
            partition: org.id,
            data_id,
            data,
            changes,
            records: Some(records),
            created_at: self.clock.now(),
            client: actor.client.to_string(),
            persist: true,
            meta: EventMeta { custom_changed },
            sns_filters: Vec::new(),
            mock: MockMeta {
                request_id: actor.request_id,
                cause: actor.cause.clone(),
            },
        };
        self.bus.publish(event);
    }

    fn event_id(&self, actor: &Actor, record: Id, name: &str) -> Id {
        match actor.request_id {
            Some(request) => self.ids.derive(
                self.clock.now(),
                &[
                    request.as_bytes(),
                    b"event",
                    record.as_bytes(),
                    name.as_bytes(),
                ],
            ),
            None => self.ids.next(self.clock.now()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn diff_lists_only_changed_and_forced_fields() {
        let before =
            map(json!({"status": "open", "tags": ["a"], "rev": 1, "updatedAt": "t", "name": null}));
        let after =
            map(json!({"status": "done", "tags": ["a"], "rev": 2, "updatedAt": "t", "name": "x"}));
        let d = diff(&before, &after, &["updatedAt"]);
        let keys: Vec<&str> = d.keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, vec!["status", "rev", "updatedAt", "name"]);
        assert_eq!(
            d["status"],
            json!({"op": "replace", "before": "open", "after": "done"})
        );
        assert_eq!(d["name"]["op"], "add");
    }

    #[test]
    fn removed_field_is_remove() {
        let d = diff(&map(json!({"a": 1})), &map(json!({})), &[]);
        assert_eq!(d["a"], json!({"op": "remove", "before": 1, "after": null}));
    }
}
