//! Request bodies: a valid one for the route, then (most of the time) broken — a member
//! of another type, cut JSON, trailing junk, deep and huge bodies, random bytes, JSON
//! that parsers disagree on.

use rand::Rng;
use serde_json::{Map, Value, json};

use super::Generator;
use crate::known_ids::KnownIds;
use crate::targets::Route;

impl Generator {
    /// A valid body for the route, then maybe broken.
    pub(super) fn body(&mut self, route: &Route, method: &str, ids: &KnownIds) -> Option<Vec<u8>> {
        let takes_body = matches!(method, "POST" | "PUT" | "PATCH" | "DELETE");
        if !takes_body && !self.chance(0.05) {
            return None;
        }
        let base = self.valid_body(route, ids);
        let text = serde_json::to_string(&base).unwrap_or_default();
        Some(match self.rng.random_range(0..100) {
            0..=39 => text.into_bytes(),
            40..=54 => {
                let mutated = self.mutate_member(base);
                serde_json::to_string(&mutated)
                    .unwrap_or_default()
                    .into_bytes()
            }
            55..=61 => {
                let cut = self.rng.random_range(0..text.len().max(1));
                text.as_bytes()[..cut].to_vec()
            }
            62..=66 => {
                let junk = *self.pick(&["x", "}", "]", ",", " {}", "\u{0}", "garbage", "\n\n{"]);
                format!("{text}{junk}").into_bytes()
            }
            67..=70 => self.deep(),
            71 => self.huge(),
            72..=79 => self.random_value(4).to_string().into_bytes(),
            80..=83 => self.raw_junk(),
            84..=87 => self.tricky_json(),
            88..=91 => Vec::new(),
            _ => {
                let mut map = base.as_object().cloned().unwrap_or_default();
                map.insert(self.random_string(), self.random_value(3));
                Value::Object(map).to_string().into_bytes()
            }
        })
    }

    pub(super) fn valid_body(&mut self, route: &Route, ids: &KnownIds) -> Value {
        let t = route.template.as_str();
        if t.starts_with("/v1/workflows") {
            return self.workflow_body(t);
        }
        if t.ends_with("/tags") && t.contains("{id}") {
            let names = ["billing", "vip", "auto-close", "fuzz-tag", "ünïcödé", "💥"];
            let n = self.rng.random_range(0..3);
            let list: Vec<Value> = (0..n).map(|_| json!(*self.pick(&names))).collect();
            return if self.chance(0.5) {
                Value::Array(list)
            } else {
                json!({ "tags": list })
            };
        }
        if t.ends_with("/notes") {
            return json!({ "body": self.random_string(), "userMentions": [{ "user": self.hex(24) }] });
        }
        if t == "/v1/customers/search" {
            let context = *self.pick(&["conversation", "customer"]);
            let criterion = if context == "conversation" {
                json!({ "conversation_status": { "equals": self.pick(&["open", "done", "snoozed"]).to_string() } })
            } else {
                json!({ "customer_name": { "contains": self.random_string() } })
            };
            return json!({
                "and": [criterion],
                "sort": [{ format!("{context}_updated_at"): "asc" }],
                "queryContext": context,
            });
        }
        if t.starts_with("/v1/conversations") {
            let mut body = Map::new();
            body.insert("customer".into(), json!(self.pick(&ids.customers).clone()));
            body.insert("name".into(), json!(self.random_string()));
            if self.chance(0.5) {
                body.insert(
                    "status".into(),
                    json!(self.pick(&["open", "done", "snoozed"]).to_string()),
                );
            }
            body.insert("priority".into(), json!(self.rng.random_range(1..=5)));
            if self.chance(0.4) {
                body.insert("tags".into(), json!([self.pick(&ids.tags).clone()]));
            }
            if self.chance(0.3) {
                body.insert("custom".into(), json!({ "orderStr": self.random_string() }));
            }
            if self.chance(0.2) {
                body.insert("externalId".into(), json!(self.hex(6)));
            }
            return Value::Object(body);
        }
        if t.starts_with("/v1/customers") {
            return json!({
                "name": self.random_string(),
                "emails": [{ "type": "home", "email": format!("{}@example.com", self.hex(6)) }],
                "externalId": if self.chance(0.5) { json!(self.hex(5)) } else { Value::Null },
            });
        }
        if t.starts_with("/v1/tags") {
            return json!({ "name": format!("{}-{}", self.random_string(), self.hex(4)), "color": "#ff0000" });
        }
        json!({})
    }

    /// One member of the body replaced by a value of another type, or removed.
    pub(super) fn mutate_member(&mut self, base: Value) -> Value {
        match base {
            Value::Object(mut map) if !map.is_empty() => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = self.pick(&keys).clone();
                if self.chance(0.2) {
                    map.remove(&key);
                } else {
                    let value = self.random_value(2);
                    map.insert(key, value);
                }
                Value::Object(map)
            }
            Value::Array(mut items) => {
                items.push(self.random_value(2));
                Value::Array(items)
            }
            _ => self.random_value(2),
        }
    }

    pub(super) fn deep(&mut self) -> Vec<u8> {
        let depth = *self.pick(&[64usize, 200, 5_000, 100_000]);
        let (open, close) = if self.chance(0.5) {
            ("[", "]")
        } else {
            ("{\"a\":", "}")
        };
        let mut text = open.repeat(depth);
        text.push('1');
        if self.chance(0.7) {
            text.push_str(&close.repeat(depth));
        }
        text.into_bytes()
    }

    pub(super) fn huge(&mut self) -> Vec<u8> {
        let size = *self.pick(&[200_000usize, 1_100_000, 2_000_000]);
        json!({ "name": "x".repeat(size) }).to_string().into_bytes()
    }

    pub(super) fn raw_junk(&mut self) -> Vec<u8> {
        let len = self.rng.random_range(0..200);
        (0..len).map(|_| self.rng.random::<u8>()).collect()
    }

    pub(super) fn tricky_json(&mut self) -> Vec<u8> {
        let options: [&[u8]; 10] = [
            br#"{"name": "\ud800"}"#,
            br#"{"priority": 1e400}"#,
            br#"{"priority": -0}"#,
            br#"{"priority": 2.5}"#,
            br#"{"name": "a", "name": 5}"#,
            b"\xef\xbb\xbf{\"name\": \"bom\"}",
            br#"{"customer": 64a0c0ffee00000000000c01}"#,
            br#"{"tags": [null, 1, {}]}"#,
            br#"{"custom": {"": {"": {"": []}}}}"#,
            b"{\"name\": \"\xff\xfe\"}",
        ];
        self.pick(&options).to_vec()
    }

    pub(super) fn random_string(&mut self) -> String {
        let options = [
            String::new(),
            "plain".into(),
            "ünïcödé ✓".into(),
            "💥🔥".into(),
            "\u{0}\u{1}\u{7f}".into(),
            "\u{202e}rtl".into(),
            "a".repeat(300),
            "<script>alert(1)</script>".into(),
            "'; DROP TABLE conversations; --".into(),
            "{{handlebars}}".into(),
            " ".into(),
        ];
        let base = self.pick(&options).clone();
        format!("{base}{}", self.rng.random_range(0..1000))
    }

    pub(super) fn random_value(&mut self, depth: u32) -> Value {
        let top = if depth == 0 { 6 } else { 8 };
        match self.rng.random_range(0..top) {
            0 => Value::Null,
            1 => json!(self.rng.random_bool(0.5)),
            2 => json!(self.rng.random::<i64>()),
            3 => json!(self.rng.random::<f64>() * 1e12),
            4 => json!(self.random_string()),
            5 => json!(*self.pick(&[0, -1, 1, 5, 6, u32::MAX as i64])),
            6 => {
                let n = self.rng.random_range(0..4);
                Value::Array((0..n).map(|_| self.random_value(depth - 1)).collect())
            }
            _ => {
                let n = self.rng.random_range(0..4);
                Value::Object(
                    (0..n)
                        .map(|_| (self.random_string(), self.random_value(depth - 1)))
                        .collect(),
                )
            }
        }
    }
}
