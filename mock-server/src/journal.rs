//! The request journal: every `/v1` request and its response, with its cause.
//!
//! Secrets never enter it: `Authorization` values are replaced by the name of the key
//! they resolved to (`Bearer [key:acme-workflow]`) or by `[masked]`. Transport headers
//! that differ between runs (`host`, `date`, ...) are left out so a seeded run journals
//! the same bytes every time.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cause::Cause;
use crate::clock::Timestamp;
use crate::ids::Id;
use crate::ring::Ring;

/// One request and its response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// The request id (also stamped on the events it caused).
    pub id: Id,
    pub at: Timestamp,
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The key's name when the token matched one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub request_headers: BTreeMap<String, String>,
    /// The body as JSON, as a string when it is not JSON, or null when empty.
    pub request_body: Value,
    pub status: u16,
    pub response_headers: BTreeMap<String, String>,
    pub response_body: Value,
    pub cause: Cause,
}

/// Headers never journaled: they vary between runs or belong to the connection.
const SKIPPED_HEADERS: &[&str] = &[
    "host",
    "date",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "accept-encoding",
    "upgrade",
];

/// Whether a header belongs in the journal.
pub fn journaled_header(name: &str) -> bool {
    !SKIPPED_HEADERS.contains(&name)
}

/// The shown form of an `Authorization` value: never the token itself.
pub fn mask_authorization(value: &str, key_name: Option<&str>) -> String {
    let (scheme, rest) = match value.split_once(' ') {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, value),
    };
    let shown = match key_name {
        Some(name) => format!("[key:{name}]"),
        None if rest.is_empty() => String::new(),
        None => "[masked]".to_string(),
    };
    match scheme {
        Some(scheme) => format!("{scheme} {shown}"),
        None => shown,
    }
}

/// Renders a body for the journal: JSON when it parses, text otherwise, null when empty.
pub fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => value,
        Err(_) => {
            const MAX: usize = 16 * 1024;
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX)]).into_owned();
            if bytes.len() > MAX {
                Value::String(format!("{text}… ({} bytes in all)", bytes.len()))
            } else {
                Value::String(text)
            }
        }
    }
}

/// Filters for reading the journal.
#[derive(Debug, Clone, Default)]
pub struct JournalQuery {
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
    pub after_seq: Option<u64>,
    pub limit: Option<usize>,
}

/// A bounded journal that can be switched off (benchmarks measure both).
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<Ring<JournalEntry>>,
    enabled: AtomicBool,
}

impl Journal {
    pub fn new(capacity: usize, enabled: bool) -> Journal {
        Journal {
            entries: Mutex::new(Ring::new(capacity)),
            enabled: AtomicBool::new(enabled),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring<JournalEntry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    /// Appends an entry (when enabled).
    pub fn record(&self, entry: JournalEntry) {
        if self.is_enabled() {
            self.lock().push(entry);
        }
    }

    /// Entries matching `query`, oldest first, with their sequence numbers, and the
    /// count of entries that fell off the ring.
    pub fn query(&self, query: &JournalQuery) -> (Vec<(u64, JournalEntry)>, u64) {
        let ring = self.lock();
        let limit = query.limit.unwrap_or(usize::MAX);
        let entries = ring
            .iter()
            .filter(|(seq, e)| {
                query.after_seq.is_none_or(|a| *seq > a)
                    && query
                        .method
                        .as_deref()
                        .is_none_or(|m| m.eq_ignore_ascii_case(&e.method))
                    && query.path.as_deref().is_none_or(|p| e.path == p)
                    && query.status.is_none_or(|s| s == e.status)
            })
            .take(limit)
            .map(|(seq, e)| (seq, e.clone()))
            .collect();
        (entries, ring.dropped())
    }

    /// Every entry held, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.lock().iter().map(|(_, e)| e.clone()).collect()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_form_of_authorization() {
        assert_eq!(
            mask_authorization("Bearer secret-token", Some("acme-workflow")),
            "Bearer [key:acme-workflow]"
        );
        assert_eq!(
            mask_authorization("Bearer secret-token", None),
            "Bearer [masked]"
        );
        assert_eq!(mask_authorization("secret-token", None), "[masked]");
        assert_eq!(mask_authorization("secret-token", Some("k")), "[key:k]");
    }

    #[test]
    fn bodies_render_as_json_text_or_null() {
        assert_eq!(body_value(b""), Value::Null);
        assert_eq!(body_value(br#"{"a":1}"#)["a"], 1);
        assert_eq!(body_value(b"{oops"), Value::String("{oops".into()));
    }
}
