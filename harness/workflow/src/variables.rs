//! Workflow variables, and the masking of secure ones wherever they could be shown.
//!
//! A `secure` value never appears in a run log, journal, report, error or snapshot: every
//! occurrence is replaced by `[secure:<NAME>]`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use std::sync::Arc;

use memchr::memmem::Finder;
use serde_json::{Map, Value};

use super::definition::VariableDef;

/// Values shorter than this are not masked (masking "a" would garble everything).
const MIN_MASKED_LEN: usize = 4;

/// The variables of one installed workflow.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    values: BTreeMap<String, VariableDef>,
}

impl Variables {
    /// The variables a workflow file defines.
    pub fn from_defs(defs: &BTreeMap<String, VariableDef>) -> Variables {
        Variables {
            values: defs.clone(),
        }
    }

    /// Sets (or replaces) one; a variable that was secure stays secure.
    pub fn set(&mut self, name: &str, def: VariableDef) {
        let was_secure = self.values.get(name).is_some_and(VariableDef::is_secure);
        let def = match def {
            VariableDef::Plain(value) if was_secure => VariableDef::Full {
                value,
                secure: true,
                description: None,
            },
            other => other,
        };
        self.values.insert(name.to_string(), def);
    }

    /// Every variable as defined (secure values as they are: for reinstalling, never for
    /// showing).
    pub fn defs(&self) -> &BTreeMap<String, VariableDef> {
        &self.values
    }

    /// Whether a variable of that name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// `{name: value}` as templates and references read it.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.values
                .iter()
                .map(|(k, v)| (k.clone(), v.value().clone()))
                .collect::<Map<_, _>>(),
        )
    }

    /// The secure values to mask.
    pub fn secrets(&self) -> Secrets {
        Secrets::new(
            self.values
                .iter()
                .filter(|(_, v)| v.is_secure())
                .map(|(k, v)| {
                    let text = match v.value() {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect(),
        )
    }

    /// Names and whether they are secure, values of secure ones masked.
    pub fn shown(&self) -> Value {
        Value::Object(
            self.values
                .iter()
                .map(|(k, v)| {
                    let shown = if v.is_secure() {
                        Value::String(format!("[secure:{k}]"))
                    } else {
                        v.value().clone()
                    };
                    (k.clone(), shown)
                })
                .collect(),
        )
    }
}

/// One secure value, with its substring search set up once: a run looks for its secrets
/// in every string it shows, and setting up a search per string (what `str::contains`
/// does) cost more than the search.
#[derive(Clone)]
struct Secret {
    name: String,
    value: String,
    finder: Finder<'static>,
}

impl Secret {
    fn new(name: String, value: String) -> Secret {
        let finder = Finder::new(value.as_bytes()).into_owned();
        Secret {
            name,
            value,
            finder,
        }
    }

    fn is_in(&self, text: &str) -> bool {
        text.len() >= self.value.len() && self.finder.find(text.as_bytes()).is_some()
    }

    /// `text` with every occurrence replaced by `[secure:NAME]` (`None`: none there). As
    /// `str::replace`, without setting up a search per call.
    fn masked_in(&self, text: &str) -> Option<String> {
        if text.len() < self.value.len() {
            return None;
        }
        let mut found = self.finder.find_iter(text.as_bytes()).peekable();
        found.peek()?;
        let mut out = String::with_capacity(text.len() + self.name.len());
        let mut copied = 0;
        for at in found {
            // A match is the secret's whole text, so it starts and ends on char bounds.
            out.push_str(&text[copied..at]);
            out.push_str("[secure:");
            out.push_str(&self.name);
            out.push(']');
            copied = at + self.value.len();
        }
        out.push_str(&text[copied..]);
        Some(out)
    }
}

/// Secure values and their names (longest first, so a secret inside another is masked
/// as the longer one). Cheap to clone.
#[derive(Clone, Default)]
pub struct Secrets(Arc<[Secret]>);

/// Names only: the values are what must never be shown.
impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|s| format!("[secure:{}]", s.name)))
            .finish()
    }
}

impl Secrets {
    /// Secrets from explicit (name, value) pairs.
    pub fn new(pairs: Vec<(String, String)>) -> Secrets {
        Secrets::longest_first(
            pairs
                .into_iter()
                .filter(|(_, v)| v.len() >= MIN_MASKED_LEN)
                .map(|(name, value)| Secret::new(name, value))
                .collect(),
        )
    }

    fn longest_first(mut all: Vec<Secret>) -> Secrets {
        all.sort_by_key(|s| std::cmp::Reverse(s.value.len()));
        Secrets(all.into())
    }

    /// Adds the secrets of `other`.
    pub fn extend(&mut self, other: &Secrets) {
        if other.is_empty() {
            return;
        }
        *self = Secrets::longest_first(self.0.iter().chain(other.0.iter()).cloned().collect());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text with every secret replaced by `[secure:NAME]`.
    pub fn mask_str(&self, text: &str) -> String {
        self.masked(text).into_owned()
    }

    /// [`Secrets::mask_str`], borrowing `text` back when no secret appears in it.
    pub fn masked<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for secret in self.0.iter() {
            if let Some(masked) = secret.masked_in(&out) {
                out = Cow::Owned(masked);
            }
        }
        out
    }

    /// Whether any secret appears in `text`.
    pub fn appear_in_text(&self, text: &str) -> bool {
        self.0.iter().any(|secret| secret.is_in(text))
    }

    /// [`Secrets::mask`] in place: only strings that hold a secret are rewritten.
    pub fn mask_in_place(&self, value: &mut Value) {
        if self.0.is_empty() {
            return;
        }
        let keys_hold_one = match value {
            Value::String(text) => {
                if let Cow::Owned(masked) = self.masked(text) {
                    *text = masked;
                }
                return;
            }
            Value::Array(items) => {
                items.iter_mut().for_each(|v| self.mask_in_place(v));
                return;
            }
            Value::Object(map) => map.keys().any(|k| self.appear_in_text(k)),
            _ => return,
        };
        if keys_hold_one {
            // Rare: a key to rename means a new map.
            *value = self.mask(value);
        } else if let Value::Object(map) = value {
            map.values_mut().for_each(|v| self.mask_in_place(v));
        }
    }

    /// The value with every string (and object key) masked: one pass, each string
    /// searched once.
    pub fn mask(&self, value: &Value) -> Value {
        if self.0.is_empty() {
            return value.clone();
        }
        match value {
            Value::String(s) => Value::String(self.mask_str(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.mask(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.mask_str(k), self.mask(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secure_values_are_masked_everywhere() {
        let defs: BTreeMap<String, VariableDef> = serde_json::from_value(json!({
            "API_Key": {"value": "tok-123456", "secure": true},
            "baseUrl": "http://x"
        }))
        .unwrap();
        let vars = Variables::from_defs(&defs);
        let secrets = vars.secrets();
        let masked = secrets.mask(
            &json!({"headers": {"Authorization": "Bearer tok-123456"}, "list": ["tok-123456"]}),
        );
        assert_eq!(
            masked["headers"]["Authorization"],
            "Bearer [secure:API_Key]"
        );
        assert_eq!(masked["list"][0], "[secure:API_Key]");
        assert_eq!(vars.shown()["API_Key"], "[secure:API_Key]");
        assert_eq!(vars.shown()["baseUrl"], "http://x");
        assert_eq!(vars.to_json()["API_Key"], "tok-123456");
    }

    #[test]
    fn the_longer_secret_wins_keys_are_masked_and_debug_shows_names_only() {
        let secrets = Secrets::new(vec![
            ("Short".into(), "abcd1234".into()),
            ("Long".into(), "xxabcd1234yy".into()),
            ("Tiny".into(), "abc".into()),
        ]);
        let value = json!({"xxabcd1234yy key": ["abcd1234 and xxabcd1234yy", 5, null]});
        let masked = secrets.mask(&value);
        assert_eq!(
            masked,
            json!({"[secure:Long] key": ["[secure:Short] and [secure:Long]", 5, null]})
        );
        let mut in_place = value.clone();
        secrets.mask_in_place(&mut in_place);
        assert_eq!(in_place, masked);
        let mut nested = json!({"h": {"Authorization": "Bearer abcd1234"}, "n": 1});
        secrets.mask_in_place(&mut nested);
        assert_eq!(
            nested,
            json!({"h": {"Authorization": "Bearer [secure:Short]"}, "n": 1})
        );
        assert_eq!(secrets.mask_str("abc"), "abc", "too short to be masked");
        assert_eq!(
            secrets.mask_str("abcd1234abcd1234 é abcd1234"),
            "[secure:Short][secure:Short] é [secure:Short]",
            "every occurrence, back to back and after multi-byte text"
        );
        assert!(secrets.appear_in_text("..abcd1234.."));
        assert!(!secrets.appear_in_text("abcd123"));
        let shown = format!("{secrets:?}");
        assert!(
            shown.contains("[secure:Long]") && !shown.contains("abcd1234"),
            "{shown}"
        );
    }

    #[test]
    fn an_override_of_a_secure_variable_stays_secure() {
        let defs: BTreeMap<String, VariableDef> =
            serde_json::from_value(json!({"API_Key": {"value": "old-value", "secure": true}}))
                .unwrap();
        let mut vars = Variables::from_defs(&defs);
        vars.set("API_Key", VariableDef::Plain(json!("new-secret")));
        assert_eq!(
            vars.secrets().mask_str("x new-secret y"),
            "x [secure:API_Key] y"
        );
    }
}
