//! The request journal: every `/v1` request and its response, with its cause.
//!
//! Secrets never enter it: `Authorization` values are replaced by the name of the key
//! they resolved to (`Bearer [key:acme-workflow]`) or by `[masked]`. Transport headers
//! that differ between runs (`host`, `date`, ...) are left out so a seeded run journals
//! the same bytes every time.
//!
//! The request path records an [`Exchange`] (headers and body bytes, which it holds
//! anyway); the journal keeps the bytes and parses them into a [`JournalEntry`] only when
//! read: parsing every response body back into JSON on the request path cost more than
//! the handler itself, and most entries are never read.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use bytes::Bytes;
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

/// One request and its response as the pipeline saw them.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub id: Id,
    pub at: Timestamp,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The key's name when the token matched one (also how `Authorization` is shown).
    pub key: Option<String>,
    pub request_headers: HeaderMap,
    pub request_body: Bytes,
    pub status: u16,
    pub response_headers: HeaderMap,
    pub response_body: Bytes,
    pub cause: Cause,
}

/// What the ring keeps of an [`Exchange`]: headers filtered and masked into one buffer,
/// and bodies that own their bytes. Request headers and bodies are views into the
/// connection's read buffer; keeping them would keep those (kilobytes each) alive.
#[derive(Debug)]
struct Recorded {
    id: Id,
    at: Timestamp,
    method: String,
    path: String,
    query: Option<String>,
    key: Option<String>,
    request_headers: HeaderList,
    request_body: Bytes,
    status: u16,
    response_headers: HeaderList,
    response_body: Bytes,
    cause: Cause,
}

impl Recorded {
    fn from(x: Exchange) -> Recorded {
        let key = x.key.as_deref();
        Recorded {
            request_headers: HeaderList::capture(&x.request_headers, key),
            response_headers: HeaderList::capture(&x.response_headers, key),
            request_body: Bytes::copy_from_slice(&x.request_body),
            response_body: x.response_body,
            id: x.id,
            at: x.at,
            method: x.method,
            path: x.path,
            query: x.query,
            key: x.key,
            status: x.status,
            cause: x.cause,
        }
    }

    /// The journal's form: bodies as JSON.
    fn render(&self) -> JournalEntry {
        JournalEntry {
            id: self.id,
            at: self.at,
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            key: self.key.clone(),
            request_headers: self.request_headers.to_map(),
            request_body: body_value(&self.request_body),
            status: self.status,
            response_headers: self.response_headers.to_map(),
            response_body: body_value(&self.response_body),
            cause: self.cause.clone(),
        }
    }
}

/// Journaled headers, `Authorization` masked, in one buffer (two allocations in all).
#[derive(Debug, Default)]
struct HeaderList {
    text: String,
    /// Where each name and each value ends in `text`.
    ends: Vec<(u32, u32)>,
}

impl HeaderList {
    fn capture(headers: &HeaderMap, key_name: Option<&str>) -> HeaderList {
        // Sized exactly: entries stay in the ring for 10,000 requests, so slack adds up.
        let size: usize = headers
            .iter()
            .filter(|(name, _)| journaled_header(name.as_str()))
            .map(|(name, value)| name.as_str().len() + value.len() + 32)
            .sum();
        let count = headers
            .keys()
            .filter(|name| journaled_header(name.as_str()))
            .count();
        let mut list = HeaderList {
            text: String::with_capacity(size),
            ends: Vec::with_capacity(count),
        };
        for (name, value) in headers {
            if !journaled_header(name.as_str()) {
                continue;
            }
            list.text.push_str(name.as_str());
            let name_end = list.text.len() as u32;
            let text = String::from_utf8_lossy(value.as_bytes());
            if name == AUTHORIZATION {
                list.text.push_str(&mask_authorization(&text, key_name));
            } else {
                list.text.push_str(&text);
            }
            list.ends.push((name_end, list.text.len() as u32));
        }
        list
    }

    /// By name; of a repeated header the last value, as collecting a `HeaderMap` would.
    fn to_map(&self) -> BTreeMap<String, String> {
        let mut start = 0usize;
        let mut map = BTreeMap::new();
        for &(name_end, value_end) in &self.ends {
            let (name_end, value_end) = (name_end as usize, value_end as usize);
            map.insert(
                self.text[start..name_end].to_string(),
                self.text[name_end..value_end].to_string(),
            );
            start = value_end;
        }
        map
    }
}

/// Journaled headers by name, `Authorization` masked.
pub fn header_map(headers: &HeaderMap, key_name: Option<&str>) -> BTreeMap<String, String> {
    HeaderList::capture(headers, key_name).to_map()
}

/// What the ring holds: exchanges from the request path, entries recorded as such.
#[derive(Debug)]
enum Stored {
    Raw(Box<Recorded>),
    Entry(Box<JournalEntry>),
}

impl Stored {
    fn method(&self) -> &str {
        match self {
            Stored::Raw(x) => &x.method,
            Stored::Entry(e) => &e.method,
        }
    }

    fn path(&self) -> &str {
        match self {
            Stored::Raw(x) => &x.path,
            Stored::Entry(e) => &e.path,
        }
    }

    fn status(&self) -> u16 {
        match self {
            Stored::Raw(x) => x.status,
            Stored::Entry(e) => e.status,
        }
    }

    fn render(&self) -> JournalEntry {
        match self {
            Stored::Raw(x) => x.render(),
            Stored::Entry(e) => (**e).clone(),
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
    entries: Mutex<Ring<Stored>>,
    enabled: AtomicBool,
}

impl Journal {
    pub fn new(capacity: usize, enabled: bool) -> Journal {
        Journal {
            entries: Mutex::new(Ring::new(capacity)),
            enabled: AtomicBool::new(enabled),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring<Stored>> {
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
            self.push(Stored::Entry(Box::new(entry)));
        }
    }

    /// Appends an exchange (when enabled); its bodies are parsed when read.
    pub fn record_exchange(&self, exchange: Exchange) {
        if self.is_enabled() {
            self.push(Stored::Raw(Box::new(Recorded::from(exchange))));
        }
    }

    /// Pushes under the lock; the entry that falls off the ring is dropped after it.
    fn push(&self, item: Stored) {
        let (_, evicted) = self.lock().push_evicting(item);
        drop(evicted);
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
                        .is_none_or(|m| m.eq_ignore_ascii_case(e.method()))
                    && query.path.as_deref().is_none_or(|p| e.path() == p)
                    && query.status.is_none_or(|s| s == e.status())
            })
            .take(limit)
            .map(|(seq, e)| (seq, e.render()))
            .collect();
        (entries, ring.dropped())
    }

    /// Every entry held, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.lock().iter().map(|(_, e)| e.render()).collect()
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
