//! `LazyJson`: a JSON value rendered on first read from what was captured when it was
//! made (a copy of the record at commit time), then kept by this handle and its clones.
//!
//! An event's `data` (the record as a JSON:API resource) and `changes` (the diff of two
//! such renderings) were built under the org's write lock for every write, and most are
//! never read: nothing subscribes to an event no workflow listens to. Built on first
//! read instead, outside the lock and only when needed, from an immutable snapshot, so
//! the value is the same whenever it is computed. It reads as a `serde_json::Value`
//! (`Deref`), and serializes, compares and prints as one.
//!
//! It can also be JSON text kept as received ([`LazyJson::text`]), or text written on
//! first read from what was captured ([`LazyJson::text_on_read`]): a workflow's REST step
//! keeps its response so, written and checked only if a later step or a reader of the run
//! log reads it.
//!
//! A rendering is several times the size of the snapshot it comes from (≈ 12 KB for a
//! conversation update's `data` and `changes`), so a log that keeps thousands of events
//! should not keep their renderings: [`LazyJson::unrendered`] gives a twin that renders
//! again on its own first read, sharing only the snapshot.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

type Render = Arc<dyn Fn() -> Value + Send + Sync>;
type Derive = Arc<dyn Fn(&Value) -> Value + Send + Sync>;

/// What a value is rendered from.
enum Source {
    /// Given up front: there is nothing to render it again from.
    Ready,
    /// A snapshot.
    Snapshot(Render),
    /// Another value's rendering (an event's `changes` reuses its `data`).
    Derived(LazyJson, Derive),
    /// JSON text (checked to parse as a `Value` when it was made), shared by twins.
    Text(Arc<Text>),
    /// JSON text written on first read, shared by twins.
    OnRead(Arc<OnRead>),
}

/// JSON text kept in the box it came in (`Arc<RawValue>` would copy it into a new one).
struct Text(Box<RawValue>);

type MakeText = Box<dyn Fn() -> Option<Box<RawValue>> + Send + Sync>;

/// Text made once by `make` from what it captured; `otherwise` gives the value when there
/// is no text or it would not parse as a `Value`.
struct OnRead {
    make: MakeText,
    otherwise: Render,
    /// `None`: `otherwise` gives the value.
    text: OnceLock<Option<Box<RawValue>>>,
}

impl OnRead {
    fn text(&self) -> Option<&RawValue> {
        self.text
            .get_or_init(|| (self.make)().filter(|text| parses_as_value(text.get())))
            .as_deref()
    }

    fn value(&self) -> Value {
        match self.text() {
            Some(text) => parse_checked(text),
            None => (self.otherwise)(),
        }
    }
}

/// The value of text checked to parse as one; `Null` would take a broken invariant.
fn parse_checked(text: &RawValue) -> Value {
    serde_json::from_str(text.get()).unwrap_or(Value::Null)
}

struct Inner {
    source: Source,
    rendered: OnceLock<Value>,
}

/// A JSON value, computed once on first read. Clones share the value.
#[derive(Clone)]
pub struct LazyJson(Arc<Inner>);

impl LazyJson {
    fn with(source: Source, rendered: OnceLock<Value>) -> LazyJson {
        LazyJson(Arc::new(Inner { source, rendered }))
    }

    /// A value `render` computes on first read; it must only read what it captured.
    pub fn new(render: impl Fn() -> Value + Send + Sync + 'static) -> LazyJson {
        LazyJson::with(Source::Snapshot(Arc::new(render)), OnceLock::new())
    }

    /// A value computed on first read from `from`'s value (rendered once for both).
    pub fn derived(
        from: &LazyJson,
        derive: impl Fn(&Value) -> Value + Send + Sync + 'static,
    ) -> LazyJson {
        LazyJson::with(
            Source::Derived(from.clone(), Arc::new(derive)),
            OnceLock::new(),
        )
    }

    /// The value of JSON text, parsed on first read; `None` when the text would not
    /// parse as a `Value`. `RawValue` takes what a `Value` refuses (a number past `f64`,
    /// half a surrogate pair, nesting past serde_json's depth limit once wrapped), and a
    /// read must not turn such text into `null`.
    pub fn text(json: Box<RawValue>) -> Option<LazyJson> {
        parses_as_value(json.get()).then(|| LazyJson::checked_text(json))
    }

    /// Text known to parse as a `Value`.
    fn checked_text(json: Box<RawValue>) -> LazyJson {
        LazyJson::with(Source::Text(Arc::new(Text(json))), OnceLock::new())
    }

    /// `value` kept as its JSON text, which is smaller than the tree. Text written from a
    /// `Value` parses back as one unless it nests past the parser's depth limit, so only
    /// a deeply nested value is checked the way [`LazyJson::text`] checks (and kept as
    /// the value if it would not parse): checking every step's params cost more than
    /// writing them.
    pub fn text_of(value: Value) -> LazyJson {
        let Ok(text) = serde_json::value::to_raw_value(&value) else {
            return value.into();
        };
        if nests_within(&value, SURELY_PARSED_DEPTH) {
            return LazyJson::checked_text(text);
        }
        LazyJson::text(text).unwrap_or_else(|| value.into())
    }

    /// JSON text `make` writes on first read (of the value or of the text), from what it
    /// captured: the same text whenever it runs. When it gives none, or text that would not
    /// parse as a `Value`, the value is `otherwise`'s. Nothing is written for a value that
    /// is never read.
    pub fn text_on_read(
        make: impl Fn() -> Option<Box<RawValue>> + Send + Sync + 'static,
        otherwise: impl Fn() -> Value + Send + Sync + 'static,
    ) -> LazyJson {
        let on_read = OnRead {
            make: Box::new(make),
            otherwise: Arc::new(otherwise),
            text: OnceLock::new(),
        };
        LazyJson::with(Source::OnRead(Arc::new(on_read)), OnceLock::new())
    }

    /// The JSON text this value was made from, if it was made from text (text written on
    /// read is written now).
    pub fn as_text(&self) -> Option<&RawValue> {
        match &self.0.source {
            Source::Text(json) => Some(&json.0),
            Source::OnRead(on_read) => on_read.text(),
            _ => None,
        }
    }

    /// Whether the value comes from text, kept or written on read: a handle that is cheap
    /// to keep and reads the same every time, without rendering anything to ask.
    pub fn is_from_text(&self) -> bool {
        matches!(self.0.source, Source::Text(_) | Source::OnRead(_))
    }

    /// A value known now.
    pub fn ready(value: Value) -> LazyJson {
        LazyJson::with(Source::Ready, OnceLock::from(value))
    }

    /// The value, owned: taken without a copy when this is its only handle and it was
    /// rendered or given ready.
    pub fn into_value(self) -> Value {
        self.value();
        match Arc::try_unwrap(self.0) {
            Ok(mut inner) => inner.rendered.take().unwrap_or(Value::Null),
            Err(shared) => LazyJson(shared).value().clone(),
        }
    }

    /// The value (computed now if it was not yet).
    pub fn value(&self) -> &Value {
        self.0.rendered.get_or_init(|| match &self.0.source {
            Source::Ready => unreachable!("a ready value is set when it is made"),
            Source::Snapshot(render) => render(),
            Source::Derived(from, derive) => derive(from.value()),
            // Checked to parse when it was made.
            Source::Text(json) => parse_checked(&json.0),
            Source::OnRead(on_read) => on_read.value(),
        })
    }

    /// Whether this handle holds a rendering that [`LazyJson::unrendered`] would not keep.
    pub fn holds_rendering(&self) -> bool {
        !matches!(self.0.source, Source::Ready) && self.0.rendered.get().is_some()
    }

    /// A twin with the same value that renders it again on its own first read, so this
    /// handle's rendering is freed with its last clone. A ready value is shared as is;
    /// a derived value's twin reads a twin of its source.
    pub fn unrendered(&self) -> LazyJson {
        match &self.0.source {
            Source::Derived(from, _) => self.unrendered_from(&from.unrendered()),
            _ => self.unrendered_from(self),
        }
    }

    /// Like [`LazyJson::unrendered`], with a derived value reading `from` (a twin of its
    /// source the caller keeps too, so the source is rendered once for both).
    pub fn unrendered_from(&self, from: &LazyJson) -> LazyJson {
        match &self.0.source {
            Source::Ready => self.clone(),
            Source::Snapshot(render) => {
                LazyJson::with(Source::Snapshot(Arc::clone(render)), OnceLock::new())
            }
            Source::Text(json) => LazyJson::with(Source::Text(Arc::clone(json)), OnceLock::new()),
            Source::OnRead(on_read) => {
                LazyJson::with(Source::OnRead(Arc::clone(on_read)), OnceLock::new())
            }
            Source::Derived(_, derive) => LazyJson::with(
                Source::Derived(from.clone(), Arc::clone(derive)),
                OnceLock::new(),
            ),
        }
    }
}

impl Deref for LazyJson {
    type Target = Value;
    fn deref(&self) -> &Value {
        self.value()
    }
}

impl From<Value> for LazyJson {
    fn from(value: Value) -> LazyJson {
        LazyJson::ready(value)
    }
}

impl PartialEq for LazyJson {
    fn eq(&self, other: &LazyJson) -> bool {
        self.value() == other.value()
    }
}

impl fmt::Debug for LazyJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

impl Serialize for LazyJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LazyJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(LazyJson::ready)
    }
}

/// Arrays and objects nested this deep at most parse back whatever they hold: well
/// under serde_json's limit (128).
const SURELY_PARSED_DEPTH: usize = 100;

/// Whether `value` nests at most `levels` arrays and objects deep.
fn nests_within(value: &Value, levels: usize) -> bool {
    match value {
        Value::Array(items) => levels > 0 && items.iter().all(|v| nests_within(v, levels - 1)),
        Value::Object(map) => levels > 0 && map.values().all(|v| nests_within(v, levels - 1)),
        _ => true,
    }
}

/// Whether `text` parses as a `serde_json::Value`, checked by the same parser with the
/// same limits, building nothing.
fn parses_as_value(text: &str) -> bool {
    serde_json::from_str::<ParsesAsValue>(text).is_ok()
}

/// Accepts every JSON value through `deserialize_any`, which (unlike `RawValue` and
/// `IgnoredAny`) parses numbers and string escapes and counts nesting as `Value` does.
struct ParsesAsValue;

impl<'de> Deserialize<'de> for ParsesAsValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ParsesAsValue)
    }
}

impl<'de> serde::de::Visitor<'de> for ParsesAsValue {
    type Value = ParsesAsValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<ParsesAsValue>()?.is_some() {}
        Ok(self)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<ParsesAsValue, ParsesAsValue>()?.is_some() {}
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn computed_once_on_first_read_and_reads_as_the_value() {
        static BUILT: AtomicUsize = AtomicUsize::new(0);
        let lazy = LazyJson::new(|| {
            BUILT.fetch_add(1, Ordering::SeqCst);
            json!({"a": [1, 2]})
        });
        let copy = lazy.clone();
        assert_eq!(BUILT.load(Ordering::SeqCst), 0);
        assert_eq!(lazy["a"][1], 2);
        assert_eq!(copy, LazyJson::ready(json!({"a": [1, 2]})));
        assert_eq!(BUILT.load(Ordering::SeqCst), 1);
        assert_eq!(serde_json::to_string(&copy).unwrap(), r#"{"a":[1,2]}"#);
        let back: LazyJson = serde_json::from_str(r#"{"b":null}"#).unwrap();
        assert!(back["b"].is_null());
    }

    #[test]
    fn text_is_parsed_on_first_read_and_kept_as_given() {
        let text = RawValue::from_string(r#"{"b": [1, 2.5], "a": null}"#.into()).unwrap();
        let lazy = LazyJson::text(text).expect("JSON");
        assert_eq!(
            lazy.as_text().map(RawValue::get),
            Some(r#"{"b": [1, 2.5], "a": null}"#)
        );
        assert!(!lazy.holds_rendering());
        assert_eq!(lazy["b"][1], 2.5);
        assert_eq!(
            serde_json::to_string(&lazy).unwrap(),
            r#"{"b":[1,2.5],"a":null}"#
        );
        let twin = lazy.unrendered();
        assert!(!twin.holds_rendering());
        assert_eq!(twin, lazy);
        assert_eq!(lazy.clone().into_value(), json!({"b": [1, 2.5], "a": null}));
        assert_eq!(LazyJson::ready(json!(3)).into_value(), json!(3));
    }

    #[test]
    fn text_on_read_is_written_once_on_first_read_and_shared_by_twins() {
        static WRITTEN: AtomicUsize = AtomicUsize::new(0);
        let lazy = LazyJson::text_on_read(
            || {
                WRITTEN.fetch_add(1, Ordering::SeqCst);
                RawValue::from_string(r#"{"a": [1, 2]}"#.into()).ok()
            },
            || json!("unused"),
        );
        assert!(lazy.is_from_text());
        let twin = lazy.unrendered();
        assert_eq!(WRITTEN.load(Ordering::SeqCst), 0, "nothing written unread");
        assert_eq!(lazy["a"][1], 2);
        assert_eq!(
            twin.as_text().map(RawValue::get),
            Some(r#"{"a": [1, 2]}"#),
            "the twin reads the same text"
        );
        assert_eq!(twin, lazy);
        assert_eq!(WRITTEN.load(Ordering::SeqCst), 1, "written once for both");
        assert!(!LazyJson::from(json!(1)).is_from_text());
    }

    #[test]
    fn text_on_read_falls_back_when_there_is_none_or_a_value_would_refuse_it() {
        let refused = LazyJson::text_on_read(
            || RawValue::from_string(r#"{"n": 1e400}"#.into()).ok(),
            || json!({"n": "1e400"}),
        );
        assert!(refused.as_text().is_none(), "no text a Value would refuse");
        assert_eq!(refused["n"], "1e400");
        let none = LazyJson::text_on_read(|| None, || json!("body text"));
        assert_eq!(*none, json!("body text"));
        assert_eq!(serde_json::to_string(&none).unwrap(), r#""body text""#);
    }

    #[test]
    fn text_is_taken_only_when_it_parses_as_a_value() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let cases = [
            (r#"{"n": 1e400}"#.to_string(), false),
            (r#"{"s": "\ud83d"}"#.to_string(), false),
            (r#"{"\udc00": 1}"#.to_string(), false),
            (nested(200), false),
            (
                r#"{"n": 1e300, "s": "\ud83d\ude00", "u": 18446744073709551615}"#.into(),
                true,
            ),
            (nested(100), true),
        ];
        for (text, parses) in cases {
            let raw = RawValue::from_string(text.clone()).expect("RawValue takes it");
            assert_eq!(
                serde_json::from_str::<Value>(&text).is_ok(),
                parses,
                "Value on `{text}`"
            );
            let lazy = LazyJson::text(raw);
            assert_eq!(lazy.is_some(), parses, "LazyJson::text on `{text}`");
            if let Some(lazy) = lazy {
                assert_eq!(*lazy, serde_json::from_str::<Value>(&text).unwrap());
            }
        }
    }

    #[test]
    fn a_value_kept_as_text_reads_back_as_itself_at_any_depth() {
        let nested = |depth: usize| {
            (0..depth).fold(json!({"n": 1.5, "s": "é\u{1F600}"}), |inner, i| {
                if i % 2 == 0 {
                    json!([inner])
                } else {
                    json!({ "k": inner })
                }
            })
        };
        for depth in [0, 1, 98, 99, 100, 126, 127, 200] {
            let value = nested(depth);
            let lazy = LazyJson::text_of(value.clone());
            assert_eq!(*lazy, value, "depth {depth}");
            // Kept as text exactly when that text parses back as a `Value`.
            let text = serde_json::to_string(&value).unwrap();
            assert_eq!(
                lazy.as_text().is_some(),
                serde_json::from_str::<Value>(&text).is_ok(),
                "depth {depth}"
            );
        }
        assert!(LazyJson::text_of(nested(3)).as_text().is_some());
        assert!(LazyJson::text_of(nested(200)).as_text().is_none());
    }

    #[test]
    fn an_unrendered_twin_renders_the_same_value_again_and_keeps_the_derivation() {
        let renders = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&renders);
        let data = LazyJson::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            json!({"n": 2})
        });
        let doubled = LazyJson::derived(&data, |d| json!(d["n"].as_i64().unwrap() * 2));
        assert!(!data.holds_rendering());
        assert_eq!(*doubled, json!(4));
        assert!(data.holds_rendering() && doubled.holds_rendering());
        assert_eq!(
            renders.load(Ordering::SeqCst),
            1,
            "derived reads the source's rendering"
        );

        let data_twin = data.unrendered();
        let doubled_twin = doubled.unrendered_from(&data_twin);
        assert!(!data_twin.holds_rendering() && !doubled_twin.holds_rendering());
        assert_eq!(*doubled_twin, json!(4));
        assert_eq!(*data_twin, json!({"n": 2}));
        assert_eq!(
            renders.load(Ordering::SeqCst),
            2,
            "the twins share one new rendering"
        );
        assert_eq!(*doubled.unrendered(), json!(4));
        assert_eq!(renders.load(Ordering::SeqCst), 3);

        let ready = LazyJson::ready(json!(1));
        assert!(
            !ready.holds_rendering(),
            "a ready value has nothing to drop"
        );
        assert_eq!(*ready.unrendered(), json!(1));
    }
}
