//! The typed record copies behind an event, read one field at a time.
//!
//! An event's `data` and `changes` render whole records on first read. A workflow trigger usually
//! reads a field or two of them (`changes.attributes.tags.after`), and most triggers on
//! a busy server do not match. [`EventRecords`] answers such a read from the copies the
//! event was built from, rendering only that field, with the value the whole rendering
//! holds at that place: each record renders its attributes through the same
//! [`Record::attribute`], and a change is decided by the same [`field_change`] rule.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::model::Record;
use crate::support::json_object::{object, string};

/// A record copy, read field by field.
pub trait RecordView: Send + Sync {
    /// `attributes.<name>` of the record's resource.
    fn attribute(&self, name: &str) -> Option<Value>;
    /// `relationships.<name>` of the record's resource.
    fn relationship(&self, name: &str) -> Option<Value>;
    /// `relationships` of the record's resource.
    fn relationships(&self) -> Map<String, Value>;
}

impl<R: Record> RecordView for R {
    fn attribute(&self, name: &str) -> Option<Value> {
        Record::attribute(self, name)
    }

    fn relationship(&self, name: &str) -> Option<Value> {
        Record::relationship(self, name)
    }

    fn relationships(&self) -> Map<String, Value> {
        self.relationship_map()
    }
}

/// The `op` of a field's change.
fn op(before: &Value, after: &Value) -> &'static str {
    match (before.is_null(), after.is_null()) {
        (true, _) => "add",
        (false, true) => "remove",
        (false, false) => "replace",
    }
}

/// `{op, before, after}` for one field.
fn change(before: Option<&Value>, after: Option<&Value>) -> Value {
    let before = before.cloned().unwrap_or(Value::Null);
    let after = after.cloned().unwrap_or(Value::Null);
    object([
        ("op", string(op(&before, &after))),
        ("before", before),
        ("after", after),
    ])
}

/// Whether `changes` lists a field: its value differs (whole values: arrays and objects
/// compare as a whole), it is gone, or the write `forced` it (server-maintained fields
/// the write set).
fn listed(before: Option<&Value>, after: Option<&Value>, forced: bool) -> bool {
    match after {
        Some(now) => forced || before != Some(now),
        None => before.is_some(),
    }
}

/// The entry of `changes` for one field, or `None` when the field is not [`listed`].
pub fn field_change(before: Option<&Value>, after: Option<&Value>, forced: bool) -> Option<Value> {
    listed(before, after, forced).then(|| change(before, after))
}

/// The records an event was built from: the record as the event shows it (`data`), and
/// for an update the record before, with the fields the write forced into `changes`.
#[derive(Clone)]
pub struct EventRecords {
    after: Arc<dyn RecordView>,
    before: Option<Arc<dyn RecordView>>,
    forced: &'static [&'static str],
}

impl EventRecords {
    pub fn new(
        after: Arc<dyn RecordView>,
        before: Option<Arc<dyn RecordView>>,
        forced: &'static [&'static str],
    ) -> EventRecords {
        EventRecords {
            after,
            before,
            forced,
        }
    }

    /// `data.attributes.<name>`.
    pub fn attribute(&self, name: &str) -> Option<Value> {
        self.after.attribute(name)
    }

    /// `data.relationships.<name>`.
    pub fn relationship(&self, name: &str) -> Option<Value> {
        self.after.relationship(name)
    }

    /// `data.relationships`.
    pub fn relationships(&self) -> Map<String, Value> {
        self.after.relationships()
    }

    /// Whether the event has `changes` (an update).
    pub fn has_changes(&self) -> bool {
        self.before.is_some()
    }

    /// `changes.attributes.<name>`.
    pub fn attribute_change(&self, name: &str) -> Option<Value> {
        let before = self.before.as_ref()?.attribute(name);
        field_change(
            before.as_ref(),
            self.after.attribute(name).as_ref(),
            self.forced.contains(&name),
        )
    }

    /// `changes.attributes.<name>.<part>` (`op`, `before` or `after`), without building
    /// the rest of the entry.
    pub fn attribute_change_part(&self, name: &str, part: &str) -> Option<Value> {
        let before = self.before.as_ref()?.attribute(name);
        let after = self.after.attribute(name);
        if !listed(before.as_ref(), after.as_ref(), self.forced.contains(&name)) {
            return None;
        }
        let (before, after) = (before.unwrap_or(Value::Null), after.unwrap_or(Value::Null));
        match part {
            "op" => Some(string(op(&before, &after))),
            "before" => Some(before),
            "after" => Some(after),
            _ => None,
        }
    }

    /// `changes.relationships.<name>` (relationships compare by their `data`).
    pub fn relationship_change(&self, name: &str) -> Option<Value> {
        let data = |r: Option<Value>| r.and_then(|mut r| r.get_mut("data").map(Value::take));
        let before = data(self.before.as_ref()?.relationship(name));
        field_change(
            before.as_ref(),
            data(self.after.relationship(name)).as_ref(),
            false,
        )
    }
}

impl fmt::Debug for EventRecords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventRecords")
    }
}

/// The copies are another way to read `data` and `changes`, which events compare by.
impl PartialEq for EventRecords {
    fn eq(&self, _: &EventRecords) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Conversation;
    use crate::support::clock::Timestamp;
    use crate::support::ids::Id;
    use serde_json::json;

    fn id(n: u8) -> Id {
        Id::from_bytes([n; 12])
    }

    fn conversation() -> Conversation {
        Conversation::open(id(1), id(2), id(3), id(4), Timestamp::from_millis(0))
    }

    /// Each variant differs from the plain conversation in some attributes.
    fn variants() -> Vec<Conversation> {
        let mut tagged = conversation();
        tagged.attributes.tags.push(id(5));
        let mut assigned = conversation();
        assigned.attributes.assigned_users.push(id(6));
        assigned.attributes.assigned_teams.push(id(7));
        let mut custom = conversation();
        custom.attributes.custom.insert("k".into(), json!(1));
        vec![conversation(), tagged, assigned, custom]
    }

    #[test]
    fn a_change_read_field_by_field_is_the_one_of_the_whole_renderings() {
        let rendered = |before: &Conversation, after: &Conversation, forced: &[&str], name| {
            let (before, after) = (before.resource(), after.resource());
            field_change(
                before["attributes"].get(name),
                after["attributes"].get(name),
                forced.contains(&name),
            )
        };
        let cases: [&'static [&'static str]; 2] = [&[], &["tags", "custom"]];
        for forced in cases {
            for before in variants() {
                for after in variants() {
                    let records = EventRecords::new(
                        Arc::new(after.clone()),
                        Some(Arc::new(before.clone())),
                        forced,
                    );
                    for name in ["tags", "assignedUsers", "custom", "status"] {
                        let whole = rendered(&before, &after, forced, name);
                        assert_eq!(records.attribute_change(name), whole, "{name}");
                        for part in ["op", "before", "after"] {
                            assert_eq!(
                                records.attribute_change_part(name, part),
                                whole.as_ref().map(|w| w[part].clone()),
                                "{name}.{part}"
                            );
                        }
                    }
                }
            }
        }
    }
}
