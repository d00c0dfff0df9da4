//! Search (`POST /v1/customers/search`): the query a search runs, how one record is tested
//! against it, and the run itself.
//!
//! A run only reads: it holds the org's read lock, tests records by reference, sorts the
//! references of the matches, and builds resources only for the page it answers, so a
//! search over a large org copies nothing but the matching references. Kustomer reads at
//! most [`READ_CAP`] matches of a search; pages past them are refused.

use std::cmp::Ordering;

use serde_json::Value;

use super::search_contexts::Searchable;
use super::{Listing, OrgData, Page, Store};
use crate::error::ApiError;
use crate::model::customer::ContactEntry;
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

pub use super::search_fields::{FieldKind, SearchContext, SearchField, Target, field_names};

/// The most matches of one search Kustomer reads: later pages are refused.
pub const READ_CAP: usize = 10_000;

/// An operator of a criterion, by the name Kustomer's clients write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Contains,
    Exists,
    /// `not_set: true`: the field is absent, null or empty (`exists: false`).
    NotSet,
}

impl Op {
    pub const ALL: &'static [Op] = &[
        Op::Equals,
        Op::NotEquals,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::In,
        Op::Contains,
        Op::Exists,
        Op::NotSet,
    ];

    pub fn parse(text: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|op| op.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::NotEquals => "not_equals",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::In => "in",
            Op::Contains => "contains",
            Op::Exists => "exists",
            Op::NotSet => "not_set",
        }
    }
}

/// A typed operand, checked against its field's kind when the query was read.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Time(Timestamp),
    Number(i64),
    Text(String),
    Id(Id),
    /// A custom attribute's operand: any JSON.
    Json(Value),
}

/// How a field is tested.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `equals`, `not_equals`, `gt`, `gte`, `lt`, `lte` or `contains` with one operand.
    Compare(Op, Operand),
    /// `in`: equal to any of the operands.
    In(Vec<Operand>),
    /// `exists: true|false`, and `not_set: false|true`.
    Exists(bool),
}

/// A criterion: all of / any of nested criteria, or one test of one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Criterion {
    /// Every nested criterion holds (an empty list always holds).
    All(Vec<Criterion>),
    /// At least one nested criterion holds (an empty list always holds: it asks nothing).
    Any(Vec<Criterion>),
    /// The nested criterion does not hold.
    Not(Box<Criterion>),
    Field {
        field: SearchField,
        test: Test,
    },
}

/// One `sort` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub field: SearchField,
    pub descending: bool,
}

/// A whole search: what it reads, which records match, in which order.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub context: SearchContext,
    pub criterion: Criterion,
    /// Empty: creation order.
    pub sort: Vec<SortKey>,
}

/// A field's value on one record, read through the record's declaration.
enum Owned {
    Time(Timestamp),
    Text(Option<String>),
    Number(i64),
    Id(Id),
    Tags(Vec<Id>),
    Emails(Vec<ContactEntry>),
    Json(Option<Value>),
}

impl Owned {
    fn borrow(&self) -> FieldValue<'_> {
        match self {
            Owned::Time(t) => FieldValue::Time(*t),
            Owned::Text(t) => FieldValue::Text(t.as_deref()),
            Owned::Number(n) => FieldValue::Number(*n),
            Owned::Id(id) => FieldValue::Id(*id),
            Owned::Tags(ids) => FieldValue::Tags(ids),
            Owned::Emails(entries) => FieldValue::Emails(entries),
            Owned::Json(v) => FieldValue::Json(v.as_ref()),
        }
    }
}

/// A field's value, borrowed from its [`Owned`] reading.
enum FieldValue<'a> {
    Time(Timestamp),
    Text(Option<&'a str>),
    Number(i64),
    Id(Id),
    Tags(&'a [Id]),
    Emails(&'a [ContactEntry]),
    Json(Option<&'a Value>),
}

impl Store {
    /// Runs a search in one org: the records of the query's context that match, in the
    /// query's order (ties and the default in creation order), and the page asked for.
    /// `total` counts at most `READ_CAP` matches.
    pub fn search(&self, org: Id, query: &SearchQuery, page: Page) -> Result<Listing, ApiError> {
        let state = self.org_state(org)?;
        let data = state.read();
        if let Some(klass) = query.context.klass()
            && !data.klasses.values().any(|k| k.attributes.name == klass)
        {
            return Err(ApiError::bad_request(
                "invalid_value",
                format!("`queryContext` `kobject_{klass}` names no klass of the org (`GET /v1/klasses` lists them)"),
            )
            .at_pointer("/queryContext"));
        }
        let mut hits: Vec<&dyn Searchable> = Vec::new();
        query.context.each(&data, &mut |record| {
            if query.criterion.holds(record, &data) {
                hits.push(record);
            }
        });
        if !query.sort.is_empty() {
            let mut keyed: Vec<(&dyn Searchable, Vec<Option<Owned>>)> = hits
                .into_iter()
                .map(|hit| {
                    let keys = query.sort.iter().map(|k| value_of(&k.field, hit)).collect();
                    (hit, keys)
                })
                .collect();
            // A stable sort: records that tie on every key keep their creation order.
            keyed.sort_by(|a, b| compare(&query.sort, &a.1, &b.1));
            hits = keyed.into_iter().map(|(hit, _)| hit).collect();
        }
        hits.truncate(READ_CAP);
        let total = hits.len();
        let data = page
            .slice(hits.into_iter())
            .into_iter()
            .map(|hit| hit.resource())
            .collect();
        Ok(Listing { data, total })
    }
}

impl Criterion {
    fn holds(&self, record: &dyn Searchable, data: &OrgData) -> bool {
        match self {
            Criterion::All(all) => all.iter().all(|c| c.holds(record, data)),
            Criterion::Any(any) => any.is_empty() || any.iter().any(|c| c.holds(record, data)),
            Criterion::Not(inner) => !inner.holds(record, data),
            Criterion::Field { field, test } => match value_of(field, record) {
                Some(value) => test_value(test, &value.borrow(), data),
                None => false,
            },
        }
    }
}

/// The field's value on the record (`None` for a custom field of another klass), read by
/// name through the record's declaration and typed by the field's kind.
fn value_of(field: &SearchField, record: &dyn Searchable) -> Option<Owned> {
    let value = match field.target() {
        Target::Attribute(name) => record.attribute(name),
        Target::Relationship(name) => record
            .relationship(name)
            .and_then(|r| r.pointer("/data/id").cloned()),
        Target::Custom { klass, name } => {
            if klass.as_deref().is_some_and(|k| record.klass() != Some(k)) {
                return None;
            }
            return Some(Owned::Json(record.custom(name)));
        }
    };
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Some(match field.kind() {
        FieldKind::Time => match text(value).as_deref().and_then(Timestamp::parse) {
            Some(t) => Owned::Time(t),
            // An instant not set (`endedAt` of an open conversation) is absent.
            None => Owned::Text(None),
        },
        FieldKind::Text | FieldKind::Enum(_) => Owned::Text(text(value)),
        FieldKind::Number => match value.as_ref().and_then(Value::as_i64) {
            Some(n) => Owned::Number(n),
            None => Owned::Text(None),
        },
        FieldKind::Id => match text(value).as_deref().and_then(Id::parse) {
            Some(id) => Owned::Id(id),
            None => Owned::Text(None),
        },
        FieldKind::Tags => {
            Owned::Tags(serde_json::from_value(value.unwrap_or(Value::Null)).unwrap_or_default())
        }
        FieldKind::Emails => {
            Owned::Emails(serde_json::from_value(value.unwrap_or(Value::Null)).unwrap_or_default())
        }
        FieldKind::Any => Owned::Json(value),
    })
}

/// Whether `value` passes `test`. On lists (tags, emails, array values) `equals`,
/// `contains` and `in` ask whether the list holds the operand, `not_equals` whether it
/// does not, and `exists` whether it is non-empty.
fn test_value(test: &Test, value: &FieldValue<'_>, data: &OrgData) -> bool {
    match value {
        FieldValue::Tags(ids) => test_list(test, ids.len(), |operand| {
            ids.iter().any(|id| tag_is(*id, operand, data))
        }),
        FieldValue::Emails(entries) => test_list(test, entries.len(), |operand| {
            entries.iter().any(|entry| email_is(entry, operand))
        }),
        FieldValue::Json(Some(Value::Array(items))) => test_list(test, items.len(), |operand| {
            items.iter().any(|item| {
                matches!(operand, Operand::Json(o) if json_order(item, o) == Some(Ordering::Equal))
            })
        }),
        scalar => test_scalar(test, scalar),
    }
}

fn test_list(test: &Test, len: usize, holds: impl Fn(&Operand) -> bool) -> bool {
    match test {
        Test::Exists(wanted) => (len > 0) == *wanted,
        Test::Compare(Op::Equals | Op::Contains, operand) => holds(operand),
        Test::Compare(Op::NotEquals, operand) => !holds(operand),
        Test::Compare(..) => false,
        Test::In(operands) => operands.iter().any(holds),
    }
}

/// A scalar test; a value that is absent (or `null`) only passes `not_equals`,
/// `exists: false` and `not_set: true`.
fn test_scalar(test: &Test, value: &FieldValue<'_>) -> bool {
    let equal = |operand: &Operand| order(value, operand) == Some(Ordering::Equal);
    match test {
        Test::Exists(wanted) => present(value) == *wanted,
        Test::In(operands) => operands.iter().any(equal),
        Test::Compare(op, operand) => match op {
            Op::Equals => equal(operand),
            Op::NotEquals => !equal(operand),
            Op::Gt => order(value, operand) == Some(Ordering::Greater),
            Op::Gte => matches!(
                order(value, operand),
                Some(Ordering::Greater | Ordering::Equal)
            ),
            Op::Lt => order(value, operand) == Some(Ordering::Less),
            Op::Lte => matches!(
                order(value, operand),
                Some(Ordering::Less | Ordering::Equal)
            ),
            Op::Contains => contains(value, operand),
            Op::In | Op::Exists | Op::NotSet => false,
        },
    }
}

fn present(value: &FieldValue<'_>) -> bool {
    match value {
        FieldValue::Text(text) => text.is_some(),
        FieldValue::Json(json) => json.is_some_and(|v| !v.is_null()),
        FieldValue::Tags(ids) => !ids.is_empty(),
        FieldValue::Emails(entries) => !entries.is_empty(),
        FieldValue::Time(_) | FieldValue::Number(_) | FieldValue::Id(_) => true,
    }
}

/// How a scalar value compares with an operand; `None` when they do not compare (absent
/// value, other type).
fn order(value: &FieldValue<'_>, operand: &Operand) -> Option<Ordering> {
    match (value, operand) {
        (FieldValue::Time(t), Operand::Time(o)) => Some(t.cmp(o)),
        (FieldValue::Number(n), Operand::Number(o)) => Some(n.cmp(o)),
        (FieldValue::Text(Some(text)), Operand::Text(o)) => Some((*text).cmp(o.as_str())),
        (FieldValue::Id(id), Operand::Id(o)) => Some(id.cmp(o)),
        (FieldValue::Json(Some(v)), Operand::Json(o)) => json_order(v, o),
        _ => None,
    }
}

/// Custom values: numbers by value, strings that are both timestamps as instants, other
/// strings as text, booleans by value; anything else is only equal to itself.
fn json_order(value: &Value, operand: &Value) -> Option<Ordering> {
    match (value, operand) {
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::String(a), Value::String(b)) => match (Timestamp::parse(a), Timestamp::parse(b)) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => Some(a.cmp(b)),
        },
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Null, _) => None,
        (a, b) => (a == b).then_some(Ordering::Equal),
    }
}

/// `contains` on text: a case-insensitive substring.
fn contains(value: &FieldValue<'_>, operand: &Operand) -> bool {
    let text = match value {
        FieldValue::Text(Some(text)) => *text,
        FieldValue::Json(Some(Value::String(text))) => text.as_str(),
        _ => return false,
    };
    let needle = match operand {
        Operand::Text(needle) => needle.as_str(),
        Operand::Json(Value::String(needle)) => needle.as_str(),
        _ => return false,
    };
    text.to_lowercase().contains(&needle.to_lowercase())
}

/// A tag named by id, or by the name of the tag with that id.
fn tag_is(id: Id, operand: &Operand, data: &OrgData) -> bool {
    match operand {
        Operand::Id(wanted) => id == *wanted,
        Operand::Text(name) => data
            .tags
            .get(&id)
            .is_some_and(|tag| tag.attributes.name == *name),
        _ => false,
    }
}

/// An email entry whose `email` is the operand, ignoring case.
fn email_is(entry: &ContactEntry, operand: &Operand) -> bool {
    match (entry.get("email").and_then(Value::as_str), operand) {
        (Some(email), Operand::Text(wanted)) => email.eq_ignore_ascii_case(wanted),
        _ => false,
    }
}

/// A value to sort by: absent values first (last when descending), then by type, then
/// by value.
#[derive(Debug, PartialEq)]
enum SortValue<'a> {
    Absent,
    Bool(bool),
    Number(f64),
    Time(Timestamp),
    Text(&'a str),
    Id(Id),
    Other,
}

impl SortValue<'_> {
    fn rank(&self) -> u8 {
        match self {
            SortValue::Absent => 0,
            SortValue::Bool(_) => 1,
            SortValue::Number(_) => 2,
            SortValue::Time(_) => 3,
            SortValue::Text(_) => 4,
            SortValue::Id(_) => 5,
            SortValue::Other => 6,
        }
    }

    fn cmp(&self, other: &SortValue<'_>) -> Ordering {
        match (self, other) {
            (SortValue::Bool(a), SortValue::Bool(b)) => a.cmp(b),
            (SortValue::Number(a), SortValue::Number(b)) => a.total_cmp(b),
            (SortValue::Time(a), SortValue::Time(b)) => a.cmp(b),
            (SortValue::Text(a), SortValue::Text(b)) => a.cmp(b),
            (SortValue::Id(a), SortValue::Id(b)) => a.cmp(b),
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

fn sort_value<'a>(value: Option<&'a Owned>) -> SortValue<'a> {
    match value.map(Owned::borrow) {
        Some(FieldValue::Time(t)) => SortValue::Time(t),
        Some(FieldValue::Number(n)) => SortValue::Number(n as f64),
        Some(FieldValue::Text(Some(text))) => SortValue::Text(text),
        Some(FieldValue::Id(id)) => SortValue::Id(id),
        Some(FieldValue::Json(Some(value))) => match value {
            Value::Null => SortValue::Absent,
            Value::Bool(b) => SortValue::Bool(*b),
            Value::Number(n) => n.as_f64().map_or(SortValue::Other, SortValue::Number),
            Value::String(s) => SortValue::Text(s),
            _ => SortValue::Other,
        },
        Some(FieldValue::Text(None) | FieldValue::Json(None)) | None => SortValue::Absent,
        Some(FieldValue::Tags(_) | FieldValue::Emails(_)) => SortValue::Other,
    }
}

/// Compares two records by their sort keys' values, read once per record; `Equal` leaves
/// them in creation order.
fn compare(keys: &[SortKey], a: &[Option<Owned>], b: &[Option<Owned>]) -> Ordering {
    for (i, key) in keys.iter().enumerate() {
        let ordering = sort_value(a[i].as_ref()).cmp(&sort_value(b[i].as_ref()));
        let ordering = if key.descending {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
