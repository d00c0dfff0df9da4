//! The typed record copies behind an event, read one field at a time.
//!
//! An event's `data` and `changes` render whole records on first read (for a
//! conversation update about 5 µs and 10 µs of JSON maps). A workflow trigger usually
//! reads a field or two of them (`changes.attributes.tags.after`), and most triggers on
//! a busy server do not match. [`EventRecords`] answers such a read from the copies the
//! event was built from, rendering only that field, with the value the whole rendering
//! holds at that place: each record renders its attributes through the same
//! [`Record::attribute`], and a change is decided by the same [`field_change`] rule.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::json_object::{object, string};
use crate::model::Record;

/// A record copy, read field by field.
pub trait RecordView: Send + Sync {
    /// `attributes.<name>` of the record's resource.
    fn attribute(&self, name: &str) -> Option<Value>;
    /// `relationships.<name>` of the record's resource.
    fn relationship(&self, name: &str) -> Option<Value>;
    /// `relationships` of the record's resource.
    fn relationships(&self) -> Map<String, Value>;
    /// Whether attribute `name` renders the same in `self` and `other`, told from the typed
    /// fields ([`Record::same_attribute`]); `None` when only rendering tells.
    fn same_attribute(&self, other: &dyn RecordView, name: &str) -> Option<bool>;
    /// The copy itself, for [`RecordView::same_attribute`] to see `other`'s type.
    fn as_any(&self) -> &dyn Any;
}

impl<R: Record + Send + Sync + 'static> RecordView for R {
    fn attribute(&self, name: &str) -> Option<Value> {
        Record::attribute(self, name)
    }

    fn relationship(&self, name: &str) -> Option<Value> {
        Record::relationship(self, name)
    }

    fn relationships(&self) -> Map<String, Value> {
        Record::relationships(self)
    }

    fn same_attribute(&self, other: &dyn RecordView, name: &str) -> Option<bool> {
        Record::same_attribute(self, other.as_any().downcast_ref::<R>()?, name)
    }

    fn as_any(&self) -> &dyn Any {
        self
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
        if self.listed_by_type(name) == Some(false) {
            return None;
        }
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
        let before_copy = self.before.as_ref()?;
        match (self.listed_by_type(name), part) {
            (Some(false), _) => return None,
            // Listed: the side asked for is all there is to render.
            (Some(true), "before") => {
                return Some(before_copy.attribute(name).unwrap_or(Value::Null));
            }
            (Some(true), "after") => {
                return Some(self.after.attribute(name).unwrap_or(Value::Null));
            }
            _ => {}
        }
        let before = before_copy.attribute(name);
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

    /// Whether `changes` lists attribute `name`, told from the typed copies without
    /// rendering: a list or map the copies hold ([`Record::same_attribute`]) is listed when
    /// it differs. `None` when only the renderings tell, or the write forced the field.
    /// A trigger reads `changes.attributes.tags.after` of every update, and rendering both
    /// tag lists to compare them was most of what such a read cost.
    fn listed_by_type(&self, name: &str) -> Option<bool> {
        let before = self.before.as_ref()?;
        if self.forced.contains(&name) {
            return None;
        }
        self.after
            .same_attribute(before.as_ref(), name)
            .map(|same| !same)
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
    use crate::clock::Timestamp;
    use crate::ids::Id;
    use crate::model::Conversation;
    use serde_json::json;

    fn id(n: u8) -> Id {
        Id::from_bytes([n; 12])
    }

    fn conversation() -> Conversation {
        Conversation::open(id(1), id(2), id(3), id(4), Timestamp::from_millis(0))
    }

    /// Each variant differs from the plain conversation in some of the typed fields.
    fn variants() -> Vec<Conversation> {
        let mut tagged = conversation();
        tagged.tags.push(id(5));
        let mut assigned = conversation();
        assigned.assigned_users.push(id(6));
        assigned.assigned_teams.push(id(7));
        let mut custom = conversation();
        custom.custom.insert("k".into(), json!(1));
        vec![conversation(), tagged, assigned, custom]
    }

    #[test]
    fn typed_sameness_agrees_with_the_renderings() {
        let plain = conversation();
        for other in variants() {
            for name in ["tags", "assignedUsers", "assignedTeams", "custom"] {
                let rendered = Record::attribute(&plain, name) == Record::attribute(&other, name);
                assert_eq!(
                    RecordView::same_attribute(&plain, &other, name),
                    Some(rendered),
                    "{name}"
                );
            }
            assert_eq!(RecordView::same_attribute(&plain, &other, "status"), None);
        }
    }

    #[test]
    fn a_change_read_from_the_typed_copies_is_the_rendered_one() {
        let rendered = |before: &Conversation, after: &Conversation, forced: &[&str], name| {
            field_change(
                Record::attribute(before, name).as_ref(),
                Record::attribute(after, name).as_ref(),
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
