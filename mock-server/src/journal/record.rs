//! An [`Exchange`] as one byte record of the journal's ring, and back.
//!
//! Layout, integers little-endian, a "text" being a `u32` length and its bytes:
//! id (12 bytes), at (`i64` ms), status (`u16`), method, path, query and key (texts,
//! length `u32::MAX` for none), then for the request and for the response: a header
//! count (`u32`) and each journaled header's name and value (texts, `Authorization`
//! already masked), and the body (a text; or `u32::MAX` and the `u64` size of a body the
//! journal's byte budget could not hold); last the cause: root (12 bytes), depth
//! (`u32`), run, workflow and step (texts or none), a hop count (`u32`) and each hop's
//! workflow and record (texts).
//!
//! The request path only copies bytes; masking happens once here, and parsing bodies as
//! JSON waits until someone reads the journal.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use serde_json::Value;

use super::{Exchange, JournalEntry, body_value, journaled_header, masked_authorization_parts};
use crate::events::cause::{Cause, Hop};
use crate::support::clock::Timestamp;
use crate::support::ids::Id;

const NONE: u32 = u32::MAX;

/// Where encoded bytes go: counted first, to size the record exactly, then written.
trait Sink {
    fn put(&mut self, bytes: &[u8]);

    fn u32(&mut self, n: u32) {
        self.put(&n.to_le_bytes());
    }

    fn text(&mut self, bytes: &[u8]) {
        // Header values and bodies are far below 4 GiB (the body limit is 1 MiB).
        self.u32(bytes.len() as u32);
        self.put(bytes);
    }

    /// A text given in pieces (written one after the other, counted as one).
    fn pieces(&mut self, pieces: &[&str]) {
        self.u32(pieces.iter().map(|p| p.len()).sum::<usize>() as u32);
        for piece in pieces {
            self.put(piece.as_bytes());
        }
    }

    fn opt_text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text.as_bytes()),
            None => self.u32(NONE),
        }
    }
}

struct Count(usize);

impl Sink for Count {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

struct Fill<'a> {
    dst: &'a mut [u8],
    at: usize,
}

impl Sink for Fill<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.dst[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }
}

/// An exchange ready to encode: the shown `Authorization` values found once.
pub(super) struct Encoder<'a> {
    exchange: &'a Exchange<'a>,
    request_auth: Option<[&'a str; 5]>,
    response_auth: Option<[&'a str; 5]>,
    keep_bodies: bool,
}

impl<'a> Encoder<'a> {
    pub(super) fn new(exchange: &'a Exchange<'a>) -> Encoder<'a> {
        let key = exchange.key;
        // A value that is not visible ASCII shows as `[masked]` (or the key), no scheme.
        let shown = |headers: &'a HeaderMap| {
            headers
                .get(AUTHORIZATION)
                .map(|value| masked_authorization_parts(value.to_str().unwrap_or("?"), key))
        };
        Encoder {
            request_auth: shown(exchange.request_headers),
            response_auth: shown(exchange.response_headers),
            exchange,
            keep_bodies: true,
        }
    }

    /// The same exchange with its bodies replaced by their sizes (for records larger
    /// than the journal's whole byte budget).
    pub(super) fn without_bodies(mut self) -> Encoder<'a> {
        self.keep_bodies = false;
        self
    }

    /// The record's size in bytes.
    pub(super) fn len(&self) -> usize {
        let mut count = Count(0);
        self.encode(&mut count);
        count.0
    }

    /// Writes the record into `dst`, which is exactly [`Encoder::len`] bytes.
    pub(super) fn write(&self, dst: &mut [u8]) {
        let mut fill = Fill { dst, at: 0 };
        self.encode(&mut fill);
        debug_assert_eq!(fill.at, fill.dst.len());
    }

    fn encode(&self, sink: &mut impl Sink) {
        let x = self.exchange;
        sink.put(x.id.as_bytes());
        sink.put(&x.at.millis().to_le_bytes());
        sink.put(&x.status.to_le_bytes());
        sink.text(x.method.as_bytes());
        sink.text(x.path.as_bytes());
        sink.opt_text(x.query);
        sink.opt_text(x.key);
        headers(sink, x.request_headers, self.request_auth.as_ref());
        self.body(sink, x.request_body);
        headers(sink, x.response_headers, self.response_auth.as_ref());
        self.body(sink, x.response_body);
        cause(sink, x.cause);
    }

    fn body(&self, sink: &mut impl Sink, body: &[u8]) {
        if self.keep_bodies {
            sink.text(body);
        } else {
            sink.u32(NONE);
            sink.put(&(body.len() as u64).to_le_bytes());
        }
    }
}

fn headers(sink: &mut impl Sink, headers: &HeaderMap, shown_auth: Option<&[&str; 5]>) {
    // Every value of a repeated name counts (`keys()` would yield the name once).
    let kept = || {
        headers
            .iter()
            .filter(|(name, _)| journaled_header(name.as_str()))
    };
    sink.u32(kept().count() as u32);
    for (name, value) in kept() {
        sink.text(name.as_str().as_bytes());
        match shown_auth {
            Some(shown) if name == AUTHORIZATION => sink.pieces(shown),
            _ => sink.text(value.as_bytes()),
        }
    }
}

fn cause(sink: &mut impl Sink, cause: &Cause) {
    sink.put(cause.root.as_bytes());
    sink.u32(cause.depth);
    sink.opt_text(cause.run.as_deref());
    sink.opt_text(cause.workflow.as_deref());
    sink.opt_text(cause.step.as_deref());
    sink.u32(cause.chain.len() as u32);
    for hop in &cause.chain {
        sink.text(hop.workflow.as_bytes());
        sink.text(hop.record.as_bytes());
    }
}

/// Reads a record back. Records are only ever written by [`Encoder`], so `None` (a
/// record cut short) means a bug, not bad input.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    fn text(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()?;
        self.take(n as usize)
    }

    fn opt_text(&mut self) -> Option<Option<&'a [u8]>> {
        match self.u32()? {
            NONE => Some(None),
            n => self.take(n as usize).map(Some),
        }
    }

    fn string(&mut self) -> Option<String> {
        self.text().map(lossy)
    }

    fn headers(&mut self) -> Option<BTreeMap<String, String>> {
        let count = self.u32()?;
        let mut map = BTreeMap::new();
        for _ in 0..count {
            // Of a repeated header the last value, as collecting a `HeaderMap` would.
            let name = self.string()?;
            map.insert(name, self.string()?);
        }
        Some(map)
    }

    fn body(&mut self) -> Option<Value> {
        match self.u32()? {
            NONE => {
                let size = u64::from_le_bytes(self.array()?);
                Some(Value::String(format!(
                    "({size} bytes, not kept: larger than the journal's byte budget)"
                )))
            }
            n => self.take(n as usize).map(body_value),
        }
    }

    /// Steps over a body without parsing it.
    fn skip_body(&mut self) -> Option<()> {
        match self.u32()? {
            NONE => self.array::<8>().map(|_| ()),
            n => self.take(n as usize).map(|_| ()),
        }
    }

    /// Steps over headers without keeping them.
    fn skip_headers(&mut self) -> Option<()> {
        for _ in 0..self.u32()? {
            self.text()?;
            self.text()?;
        }
        Some(())
    }

    fn opt_string(&mut self) -> Option<Option<String>> {
        self.opt_text().map(|text| text.map(lossy))
    }

    fn cause(&mut self) -> Option<Cause> {
        let mut cause = Cause::root(Id::from_bytes(self.array()?));
        cause.depth = self.u32()?;
        cause.run = self.opt_string()?;
        cause.workflow = self.opt_string()?;
        cause.step = self.opt_string()?;
        let hops = self.u32()?;
        // The count comes from the record itself, so it is at most what the bytes hold.
        for _ in 0..hops {
            cause.chain.push(Hop {
                workflow: self.string()?,
                record: self.string()?,
            });
        }
        Some(cause)
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What filters read of a record without decoding all of it.
pub(super) struct Summary<'a> {
    pub method: &'a [u8],
    pub path: &'a [u8],
    pub status: u16,
}

pub(super) fn summary(record: &[u8]) -> Option<Summary<'_>> {
    let mut r = Reader { bytes: record };
    r.take(12 + 8)?;
    let status = u16::from_le_bytes(r.array()?);
    Some(Summary {
        method: r.text()?,
        path: r.text()?,
        status,
    })
}

/// The journal's form of a record: bodies as JSON.
pub(super) fn decode(record: &[u8]) -> Option<JournalEntry> {
    decode_with(record, true)
}

/// A record without its headers and bodies (left empty and null): what a causal view
/// needs, without parsing every body.
pub(super) fn decode_head(record: &[u8]) -> Option<JournalEntry> {
    decode_with(record, false)
}

fn decode_with(record: &[u8], whole: bool) -> Option<JournalEntry> {
    let mut r = Reader { bytes: record };
    let id = Id::from_bytes(r.array()?);
    let at = Timestamp::from_millis(i64::from_le_bytes(r.array()?));
    let status = u16::from_le_bytes(r.array()?);
    let method = r.string()?;
    let path = r.string()?;
    let query = r.opt_string()?;
    let key = r.opt_string()?;
    let (request_headers, request_body, response_headers, response_body) = if whole {
        (r.headers()?, r.body()?, r.headers()?, r.body()?)
    } else {
        r.skip_headers()?;
        r.skip_body()?;
        r.skip_headers()?;
        r.skip_body()?;
        (BTreeMap::new(), Value::Null, BTreeMap::new(), Value::Null)
    };
    let cause = r.cause()?;
    if !r.bytes.is_empty() {
        return None;
    }
    Some(JournalEntry {
        id,
        at,
        method,
        path,
        query,
        key,
        request_headers,
        request_body,
        status,
        response_headers,
        response_body,
        cause,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers() -> (HeaderMap, HeaderMap) {
        let mut request = HeaderMap::new();
        request.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Bearer kmk_secret_token"),
        );
        request.insert("host", HeaderValue::from_static("127.0.0.1:1234"));
        request.append("x-many", HeaderValue::from_static("first"));
        request.append("x-many", HeaderValue::from_static("last"));
        request.insert("x-bytes", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        let mut response = HeaderMap::new();
        response.insert("content-type", HeaderValue::from_static("application/json"));
        (request, response)
    }

    fn exchange<'a>(
        (request, response): &'a (HeaderMap, HeaderMap),
        cause: &'a Cause,
    ) -> Exchange<'a> {
        Exchange {
            id: Id::from_bytes([7; 12]),
            at: Timestamp::from_millis(1_795_000_000_123),
            method: "PUT",
            path: "/v1/conversations/abc",
            query: Some("x=1"),
            key: Some("acme-admin"),
            request_headers: request,
            request_body: br#"{"status":"done"}"#,
            status: 200,
            response_headers: response,
            response_body: b"not json",
            cause,
        }
    }

    fn caused() -> Cause {
        let mut cause = Cause::root(Id::from_bytes([1; 12])).child();
        cause.run = Some("run-1".into());
        cause.workflow = Some("close-on-tag".into());
        cause.chain.push(Hop {
            workflow: "close-on-tag".into(),
            record: "conv-1".into(),
        });
        cause
    }

    fn round_trip(encoder: &Encoder) -> JournalEntry {
        let mut record = vec![0; encoder.len()];
        encoder.write(&mut record);
        let summary = summary(&record).unwrap();
        assert_eq!(
            (summary.method, summary.path, summary.status),
            (&b"PUT"[..], &b"/v1/conversations/abc"[..], 200)
        );
        decode(&record).unwrap()
    }

    #[test]
    fn round_trips_with_authorization_masked_and_transport_headers_left_out() {
        let headers = headers();
        let cause = caused();
        let x = exchange(&headers, &cause);
        let entry = round_trip(&Encoder::new(&x));
        assert_eq!(entry.id, x.id);
        assert_eq!(entry.at, x.at);
        assert_eq!(entry.query.as_deref(), Some("x=1"));
        assert_eq!(entry.key.as_deref(), Some("acme-admin"));
        assert_eq!(
            entry.request_headers["authorization"],
            "Bearer [key:acme-admin]"
        );
        assert!(!entry.request_headers.contains_key("host"));
        assert_eq!(entry.request_headers["x-many"], "last");
        assert_eq!(entry.request_headers["x-bytes"], "caf\u{fffd}");
        assert_eq!(entry.request_body["status"], "done");
        assert_eq!(entry.response_headers["content-type"], "application/json");
        assert_eq!(entry.response_body, Value::String("not json".into()));
        assert_eq!(&entry.cause, x.cause);
    }

    #[test]
    fn a_head_is_the_entry_without_headers_and_bodies() {
        let headers = headers();
        let cause = caused();
        let x = exchange(&headers, &cause);
        for encoder in [Encoder::new(&x), Encoder::new(&x).without_bodies()] {
            let mut record = vec![0; encoder.len()];
            encoder.write(&mut record);
            let whole = decode(&record).unwrap();
            let head = decode_head(&record).unwrap();
            assert_eq!(
                head,
                JournalEntry {
                    request_headers: BTreeMap::new(),
                    request_body: Value::Null,
                    response_headers: BTreeMap::new(),
                    response_body: Value::Null,
                    ..whole
                }
            );
            assert!(decode_head(&record[..record.len() - 1]).is_none());
        }
    }

    #[test]
    fn without_bodies_keeps_their_sizes() {
        let headers = headers();
        let cause = caused();
        let x = exchange(&headers, &cause);
        let entry = round_trip(&Encoder::new(&x).without_bodies());
        assert_eq!(
            entry.request_body,
            Value::String("(17 bytes, not kept: larger than the journal's byte budget)".into())
        );
        assert_eq!(entry.status, 200);
        assert_eq!(entry.request_headers.len(), 3);
    }

    #[test]
    fn a_record_cut_short_reads_as_none() {
        let headers = headers();
        let cause = caused();
        let x = exchange(&headers, &cause);
        let encoder = Encoder::new(&x);
        let mut record = vec![0; encoder.len()];
        encoder.write(&mut record);
        assert!(decode(&record[..record.len() - 1]).is_none());
        let mut longer = record.clone();
        longer.push(0);
        assert!(decode(&longer).is_none());
        assert!(summary(&record[..20]).is_none());
    }
}
