//! `LazyJson`: a JSON value computed on first read from what was captured when it was
//! made (a copy of the record at commit time), then kept.
//!
//! An event's `data` (the record as a JSON:API resource) and `changes` (the diff of two
//! such renderings) were built under the org's write lock for every write, and most are
//! never read: nothing subscribes to an event no workflow listens to. Built on first
//! read instead, outside the lock and only when needed, from an immutable snapshot, so
//! the value is the same whenever it is computed. It reads as a `serde_json::Value`
//! (`Deref`), and serializes, compares and prints as one.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

type Build = Box<dyn FnOnce() -> Value + Send>;

/// A JSON value, computed once on first read. Clones share the value.
#[derive(Clone)]
pub struct LazyJson(Arc<LazyLock<Value, Build>>);

impl LazyJson {
    /// A value `build` computes on first read; it must only read what it captured.
    pub fn new(build: impl FnOnce() -> Value + Send + 'static) -> LazyJson {
        LazyJson(Arc::new(LazyLock::new(Box::new(build))))
    }

    /// A value known now.
    pub fn ready(value: Value) -> LazyJson {
        LazyJson::new(move || value)
    }

    /// The value (computed now if it was not yet).
    pub fn value(&self) -> &Value {
        LazyLock::force(&self.0)
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
}
