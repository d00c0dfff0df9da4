//! Step 1 of a run, as `/#steps.1.<field>` reads it: the trigger's record flattened
//! (`id`, every attribute at the top level, each to-one relationship's id, and
//! `relationships`), its `changes`, and the `event`; or a callable workflow's inputs.
//!
//! [`output`] builds the whole value. [`Field`] reads one field of it without building
//! it, from the event's typed record copies: a trigger that reads
//! `changes.attributes.tags.after` renders the tags of two records, not two whole
//! conversations (most triggers on a busy server do not match, and never need more).
//! Both give the same value at every path (tested against each other).

use std::borrow::Cow;

use kustomer_mock::Event;
use kustomer_mock::EventRecords;
use kustomer_mock::{object, string};
use serde_json::Value;

use super::actions::flatten;

/// The whole of step 1.
pub fn output(event: &Event, inputs: Option<&Value>) -> Value {
    if let Some(inputs) = inputs {
        return inputs.clone();
    }
    let mut out = flatten(&event.data);
    if let Value::Object(map) = &mut out {
        if let Some(changes) = &event.changes {
            map.insert("changes".into(), changes.value().clone());
        }
        map.insert("event".into(), event_summary(event));
    }
    out
}

/// `steps.1.event`.
fn event_summary(event: &Event) -> Value {
    object([
        ("id", string(event.id.to_hex())),
        ("name", string(event.name.as_str())),
        ("createdAt", string(event.created_at.to_iso())),
        ("org", string(event.org.to_hex())),
        ("orgName", string(event.org_name.as_str())),
    ])
}

/// A part of step 1 that is read field by field instead of built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'k> {
    /// Step 1 itself.
    Whole,
    /// `changes`.
    Changes,
    /// `changes.attributes`.
    ChangedAttributes,
    /// `changes.attributes.<name>` (present only if the attribute is listed there).
    ChangedAttribute(&'k str),
    /// `changes.relationships`.
    ChangedRelationships,
}

/// What a key of a [`Part`] holds: another part, or a value.
pub enum Field<'e, 'k> {
    Part(Part<'k>),
    Value(Cow<'e, Value>),
}

/// Reads step 1 of a run triggered by `event`, which has typed record copies.
pub struct StepOne<'e> {
    event: &'e Event,
    records: &'e EventRecords,
}

impl<'e> StepOne<'e> {
    /// `None` when the event has no typed records (then step 1 is built whole).
    pub fn of(event: &'e Event) -> Option<StepOne<'e>> {
        let records = event.records.as_ref()?;
        // The copies and the event must agree on whether there are changes.
        (records.has_changes() == event.changes.is_some()).then_some(StepOne { event, records })
    }

    /// The value of key `key` of `part`, as the built step 1 has it.
    pub fn get<'k>(&self, part: Part<'k>, key: &'k str) -> Option<Field<'e, 'k>> {
        let value = |v: Value| Some(Field::Value(Cow::Owned(v)));
        match part {
            // The order of `output`: `event` and `changes` are written last over the
            // flattened record, `relationships` over the attributes, attributes over
            // `id`, and a relationship's id only where no attribute has its name.
            Part::Whole => match key {
                "event" => value(event_summary(self.event)),
                "changes" if self.event.changes.is_some() => Some(Field::Part(Part::Changes)),
                "relationships" => value(Value::Object(self.records.relationships())),
                _ => match self.records.attribute(key) {
                    Some(attribute) => value(attribute),
                    None if key == "id" => value(string(self.event.data_id.to_hex())),
                    None => self
                        .records
                        .relationship(key)
                        .and_then(|mut r| r.pointer_mut("/data/id").map(Value::take))
                        .and_then(value),
                },
            },
            Part::Changes => match key {
                "attributes" => Some(Field::Part(Part::ChangedAttributes)),
                "relationships" => Some(Field::Part(Part::ChangedRelationships)),
                _ => None,
            },
            // Read part by part: a trigger reads `...tags.after`, not the whole entry.
            Part::ChangedAttributes => Some(Field::Part(Part::ChangedAttribute(key))),
            Part::ChangedAttribute(name) => self
                .records
                .attribute_change_part(name, key)
                .and_then(value),
            Part::ChangedRelationships => self.records.relationship_change(key).and_then(value),
        }
    }

    /// The whole value of `part`, built (`None`: a changed attribute that is not listed).
    pub fn build(&self, part: Part<'_>) -> Option<Value> {
        let changes = || {
            self.event
                .changes
                .as_ref()
                .map(|c| c.value())
                .unwrap_or(&Value::Null)
        };
        Some(match part {
            Part::Whole => output(self.event, None),
            Part::Changes => changes().clone(),
            Part::ChangedAttributes => changes()["attributes"].clone(),
            Part::ChangedAttribute(name) => return self.records.attribute_change(name),
            Part::ChangedRelationships => changes()["relationships"].clone(),
        })
    }
}
