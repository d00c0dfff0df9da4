//! Building JSON objects by moving values in.
//!
//! `serde_json::json!` serializes every interpolated expression into a new `Value`
//! (`to_value(&expr)`), so an object built around a large value copies it through the
//! serializer. On the paths every request and event takes (resources, `changes`,
//! workflow scopes, REST step outputs) that copy was a leading cost; these helpers move.

use serde_json::{Map, Value};

/// `{k1: v1, k2: v2, ...}` in the order given, values moved in.
pub fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(map(entries))
}

/// The same as a `Map`, for callers that hand out maps (a record's attributes).
pub fn map<const N: usize>(entries: [(&str, Value); N]) -> Map<String, Value> {
    let mut map = Map::with_capacity(N);
    for (key, value) in entries {
        map.insert(key.to_string(), value);
    }
    map
}

/// A string value.
pub fn string(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_the_same_object_as_json_macro_in_the_same_order() {
        let inner = json!({"b": [1, 2], "a": null});
        let built = object([
            ("z", string("x")),
            ("inner", inner.clone()),
            ("n", 3.into()),
        ]);
        assert_eq!(built, json!({"z": "x", "inner": inner, "n": 3}));
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            r#"{"z":"x","inner":{"b":[1,2],"a":null},"n":3}"#
        );
    }
}
