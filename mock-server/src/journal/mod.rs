//! The request journal: every `/v1` request and its response, with its cause.
//!
//! Secrets never enter it: `Authorization` values are replaced by the name of the key
//! they resolved to (`Bearer [key:acme-workflow]`) or by `[masked]`. Transport headers
//! that differ between runs (`host`, `date`, ...) are left out so a seeded run journals
//! the same bytes every time.
//!
//! The request path records an [`Exchange`] (headers and body bytes, which it holds
//! anyway); the journal copies them into one byte record of its ring ([`record`],
//! [`crate::support::byte_ring`]) and parses that into a [`JournalEntry`] only when read: parsing
//! every response body back into JSON on the request path cost more than the handler
//! itself, and most entries are never read.

mod record;

use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::events::cause::Cause;
use crate::support::byte_ring::ByteRing;
use crate::support::clock::Timestamp;
use crate::support::ids::Id;
use record::Encoder;

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
#[cfg(test)]
pub fn mask_authorization(value: &str, key_name: Option<&str>) -> String {
    masked_authorization_parts(value, key_name).concat()
}

/// [`mask_authorization`] as pieces to write one after the other (no allocation).
pub fn masked_authorization_parts<'a>(value: &'a str, key_name: Option<&'a str>) -> [&'a str; 5] {
    let (scheme, rest) = match value.split_once(' ') {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, value),
    };
    let shown = match key_name {
        Some(name) => ["[key:", name, "]"],
        None if rest.is_empty() => ["", "", ""],
        None => ["[masked]", "", ""],
    };
    match scheme {
        Some(scheme) => [scheme, " ", shown[0], shown[1], shown[2]],
        None => ["", "", shown[0], shown[1], shown[2]],
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

/// One request and its response as the pipeline saw them (borrowed: the journal copies
/// what it keeps).
#[derive(Debug, Clone)]
pub struct Exchange<'a> {
    pub id: Id,
    pub at: Timestamp,
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    /// The key's name when the token matched one (also how `Authorization` is shown).
    pub key: Option<&'a str>,
    pub request_headers: &'a HeaderMap,
    pub request_body: &'a [u8],
    pub status: u16,
    pub response_headers: &'a HeaderMap,
    pub response_body: &'a [u8],
    pub cause: &'a Cause,
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

/// Default byte budget of the journal: 10,000 exchanges on single records (~2.5 KB
/// each), or about 300 list pages of 100 conversations (~110 KB each).
pub const DEFAULT_JOURNAL_BYTES: usize = 32 * 1024 * 1024;

/// A journal bounded by entries and bytes, that can be switched off (benchmarks measure
/// both). Entries are byte records in one ring (see [`crate::support::byte_ring`]).
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<ByteRing>,
    enabled: AtomicBool,
    /// The largest record the ring takes (fixed, so read without the lock).
    max_record: usize,
    /// Exchanges not kept at all (a budget smaller than their headers), counted with
    /// what fell off the ring so the loss shows in `dropped`.
    refused: AtomicU64,
}

impl Journal {
    /// A journal of at most `capacity` entries and `bytes` bytes.
    pub fn new(capacity: usize, bytes: usize, enabled: bool) -> Journal {
        let ring = ByteRing::new(capacity, bytes);
        Journal {
            max_record: ring.max_record(),
            entries: Mutex::new(ring),
            enabled: AtomicBool::new(enabled),
            refused: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> parking_lot::MutexGuard<'_, ByteRing> {
        self.entries.lock()
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::Relaxed);
    }

    /// Appends an exchange (when enabled); its bodies are parsed when read. An exchange
    /// larger than the whole byte budget is kept with its bodies' sizes instead.
    pub fn record_exchange(&self, exchange: Exchange<'_>) {
        if !self.is_enabled() {
            return;
        }
        let mut encoder = Encoder::new(&exchange);
        let mut len = encoder.len();
        if len > self.max_record {
            encoder = encoder.without_bodies();
            len = encoder.len();
        }
        // Refused only when even the headers exceed the budget: nothing to keep then.
        if self
            .lock()
            .push_with(len, |dst| encoder.write(dst))
            .is_err()
        {
            self.refused.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Entries matching `query`, oldest first, with their sequence numbers, and the
    /// count of entries that fell off the ring.
    pub fn query(&self, query: &JournalQuery) -> (Vec<(u64, JournalEntry)>, u64) {
        let ring = self.lock();
        let limit = query.limit.unwrap_or(usize::MAX);
        let entries = ring
            .iter()
            .filter(|(seq, record)| {
                // A record that does not read is let through, for `decode` to report.
                let Some(s) = record::summary(record) else {
                    return true;
                };
                query.after_seq.is_none_or(|a| *seq > a)
                    && query
                        .method
                        .as_deref()
                        .is_none_or(|m| m.as_bytes().eq_ignore_ascii_case(s.method))
                    && query.path.as_deref().is_none_or(|p| s.path == p.as_bytes())
                    && query.status.is_none_or(|status| status == s.status)
            })
            .take(limit)
            .filter_map(|(seq, record)| Some((seq, decode(seq, record)?)))
            .collect();
        (
            entries,
            ring.dropped() + self.refused.load(Ordering::Relaxed),
        )
    }

    /// The sequence number of the newest entry held (0 when none): a cheap "anything
    /// new?" for watchers such as the dashboard, which must not decode the ring to ask.
    pub fn last_seq(&self) -> u64 {
        self.lock().iter().next_back().map_or(0, |(seq, _)| seq)
    }

    /// Every entry held, oldest first, without headers and bodies (empty and null): for
    /// views of the causal chain, which would otherwise parse every body to drop it.
    pub fn heads(&self) -> Vec<JournalEntry> {
        self.lock()
            .iter()
            .filter_map(|(_, record)| record::decode_head(record))
            .collect()
    }

    /// Every entry held, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        self.lock()
            .iter()
            .filter_map(|(seq, record)| decode(seq, record))
            .collect()
    }

    pub fn clear(&self) {
        let mut ring = self.lock();
        ring.clear();
        self.refused.store(0, Ordering::Relaxed);
    }
}

/// A record read back; one that does not decode (a bug: only the encoder writes them) is
/// logged rather than shown wrong.
fn decode(seq: u64, record: &[u8]) -> Option<JournalEntry> {
    let entry = record::decode(record);
    if entry.is_none() {
        tracing::error!(seq, len = record.len(), "a journal record does not decode");
    }
    entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exchange_no_budget_can_hold_counts_as_dropped() {
        let journal = Journal::new(10, 64, true);
        let headers = HeaderMap::new();
        let cause = Cause::root(Id::from_bytes([1; 12]));
        journal.record_exchange(Exchange {
            id: Id::from_bytes([2; 12]),
            at: Timestamp::from_millis(0),
            method: "GET",
            path: "/v1/a-path-long-enough-that-the-record-needs-more-than-64-bytes",
            query: None,
            key: None,
            request_headers: &headers,
            request_body: b"",
            status: 200,
            response_headers: &headers,
            response_body: b"{}",
            cause: &cause,
        });
        assert_eq!(journal.query(&JournalQuery::default()), (Vec::new(), 1));
        journal.clear();
        assert_eq!(journal.query(&JournalQuery::default()), (Vec::new(), 0));
    }

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
