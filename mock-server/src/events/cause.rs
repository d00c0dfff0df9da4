//! Causal metadata: which request, and which workflow run behind it, caused a change.
//!
//! A caller that acts because of an earlier event (the workflow engine) sends the
//! `x-kmock-cause` header; the mock stamps the cause on every event the request
//! produces, one hop deeper. That is how a loop is seen across real HTTP.
//!
//! Header format (documented in the README), `;`-separated `key=value` pairs, values
//! percent-encoded where they hold other characters than `A-Za-z0-9-_.~`:
//!
//! ```text
//! x-kmock-cause: root=<24 hex>; depth=<n>; run=<run id>; workflow=<workflow id>; step=<step id>; chain=<workflow>@<record>,<workflow>@<record>
//! ```
//!
//! `depth` is the depth of the event that started the run; the mock gives the events of
//! the request `depth + 1`. `chain` lists the (workflow, record) hops so far, the sending
//! run's own hop last. A W3C `traceparent` alone is accepted too: its trace id becomes the
//! root and the event gets depth 1.

use serde::{Deserialize, Serialize};

use crate::support::ids::{HEX, Id, IdGen, hash_parts};

/// The header the engine sends on its own requests.
pub const CAUSE_HEADER: &str = "x-kmock-cause";
/// The W3C trace context header, accepted as a fallback.
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// At most this many hops travel in the header (the engine keeps the full chain).
pub const MAX_HEADER_HOPS: usize = 64;

/// Why an `x-kmock-cause` value was refused; the message names the part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CauseHeaderError {
    #[error("`{0}` is not key=value")]
    NotKeyValue(String),
    #[error("root `{0}` is not a 24-hex id")]
    BadRoot(String),
    #[error("depth `{0}` is not a number")]
    BadDepth(String),
    #[error("chain hop `{0}` is not workflow@record")]
    BadHop(String),
    #[error("missing root=")]
    MissingRoot,
    #[error("missing depth=")]
    MissingDepth,
    #[error("bad percent-encoding in `{0}`")]
    BadPercentEncoding(String),
    #[error("`{0}` is not UTF-8 once decoded")]
    NotUtf8(String),
}

/// One hop of a causal chain: a workflow that ran on a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hop {
    pub workflow: String,
    pub record: String,
}

/// The causal position of a request or event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cause {
    /// The request (or seeded change) the whole chain started from.
    pub root: Id,
    /// Hops from the root: 0 for a change nobody else caused.
    pub depth: u32,
    /// The workflow run whose request caused this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// The workflow of that run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// The step of that run that made the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The (workflow, record) hops on the way, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chain: Vec<Hop>,
}

impl Cause {
    /// A new chain rooted at `root`.
    pub fn root(root: Id) -> Cause {
        Cause {
            root,
            depth: 0,
            run: None,
            workflow: None,
            step: None,
            chain: Vec::new(),
        }
    }

    /// The header value a caller sends to say "this request comes from `self`'s run".
    pub fn to_header(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::with_capacity(128 + 60 * self.chain.len().min(MAX_HEADER_HOPS));
        out.push_str("root=");
        out.push_str(self.root.hex_str(&mut [0; 24]));
        // Writing to a String cannot fail.
        let _ = write!(out, "; depth={}", self.depth);
        for (name, value) in [
            ("run", &self.run),
            ("workflow", &self.workflow),
            ("step", &self.step),
        ] {
            if let Some(value) = value {
                out.push_str("; ");
                out.push_str(name);
                out.push('=');
                encode_into(value, &mut out);
            }
        }
        let skip = self.chain.len().saturating_sub(MAX_HEADER_HOPS);
        for (i, hop) in self.chain[skip..].iter().enumerate() {
            out.push_str(if i == 0 { "; chain=" } else { "," });
            encode_into(&hop.workflow, &mut out);
            out.push('@');
            encode_into(&hop.record, &mut out);
        }
        out
    }

    /// The W3C `traceparent` matching this cause (trace id = root, span = run).
    pub fn to_traceparent(&self) -> String {
        let span = match &self.run {
            Some(run) => hash_parts(0, &[run.as_bytes()]),
            None => hash_parts(0, &[self.root.as_bytes()]),
        };
        // `00-00000000<root>-<span as 16 hex>-01`, written without `format!`: every
        // request of a REST step carries it.
        let mut out = String::with_capacity(55);
        out.push_str("00-00000000");
        out.push_str(self.root.hex_str(&mut [0; 24]));
        out.push('-');
        let span = span.max(1);
        for shift in (0..16).rev() {
            out.push(HEX[((span >> (4 * shift)) & 0xf) as usize] as char);
        }
        out.push_str("-01");
        out
    }

    /// Parses an `x-kmock-cause` value; `Err` names what is wrong. Whitespace around
    /// parts, keys and values is ASCII whitespace (a header value is ASCII).
    pub fn parse_header(value: &str) -> Result<Cause, CauseHeaderError> {
        let mut root = None;
        let mut depth = None;
        let mut cause = Cause::root(Id::from_bytes([0; 12]));
        for part in split_at_byte(value, b';') {
            let part = part.trim_ascii();
            if part.is_empty() {
                continue;
            }
            let (key, val) = split_once_at_byte(part, b'=')
                .ok_or_else(|| CauseHeaderError::NotKeyValue(part.to_string()))?;
            let val = val.trim_ascii();
            match key.trim_ascii() {
                "root" => {
                    root = Some(
                        Id::parse(val).ok_or_else(|| CauseHeaderError::BadRoot(val.to_string()))?,
                    )
                }
                "depth" => {
                    depth = Some(
                        val.parse::<u32>()
                            .map_err(|_| CauseHeaderError::BadDepth(val.to_string()))?,
                    )
                }
                "run" => cause.run = Some(decode(val)?),
                "workflow" => cause.workflow = Some(decode(val)?),
                "step" => cause.step = Some(decode(val)?),
                "chain" => {
                    // Kept with every event of the request: sized for the hops given.
                    let hops = split_at_byte(val, b',');
                    cause.chain.reserve_exact(hops.clone().count());
                    for hop in hops {
                        let hop = hop.trim_ascii();
                        if hop.is_empty() {
                            continue;
                        }
                        let (wf, rec) = split_once_at_byte(hop, b'@')
                            .ok_or_else(|| CauseHeaderError::BadHop(hop.to_string()))?;
                        cause.chain.push(Hop {
                            workflow: decode(wf)?,
                            record: decode(rec)?,
                        });
                    }
                }
                _ => {} // unknown keys are ignored, for forward compatibility
            }
        }
        cause.root = root.ok_or(CauseHeaderError::MissingRoot)?;
        cause.depth = depth.ok_or(CauseHeaderError::MissingDepth)?;
        Ok(cause)
    }

    /// Parses a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`) into a depth-0 parent cause.
    pub fn parse_traceparent(value: &str, ids: &IdGen) -> Option<Cause> {
        let parts: Vec<&str> = value.trim().split('-').collect();
        if parts.len() != 4 || parts[1].len() != 32 || parts[2].len() != 16 {
            return None;
        }
        if !parts[1].chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let root = Id::parse(&parts[1][8..]).unwrap_or_else(|| {
            ids.derive(
                crate::support::clock::Timestamp::from_millis(0),
                &[parts[1].as_bytes()],
            )
        });
        let mut cause = Cause::root(root);
        cause.run = Some(format!("span:{}", parts[2]));
        Some(cause)
    }

    /// Whether this cause's chain may lack its oldest hops: a header carries at most
    /// `MAX_HEADER_HOPS` of them, so a cause parsed from one with that many may have been
    /// cut, and one with fewer is whole.
    pub fn chain_may_be_cut(&self) -> bool {
        self.chain.len() >= MAX_HEADER_HOPS
    }

    /// The cause of what a request with this parent cause does: one hop deeper.
    pub fn child(&self) -> Cause {
        self.clone().into_child()
    }

    /// [`Cause::child`] of a cause not needed any more (no copy).
    pub fn into_child(mut self) -> Cause {
        self.depth = self.depth.saturating_add(1);
        self
    }
}

/// `text` split at every `sep` (an ASCII byte, so each piece is a `str`): what
/// `str::split` gives, with a byte loop instead of a char searcher set up per piece, on a
/// header every request of a workflow carries.
fn split_at_byte(text: &str, sep: u8) -> impl Iterator<Item = &str> + Clone {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == sep) {
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `text` split at its first `sep` (an ASCII byte), as `str::split_once`.
fn split_once_at_byte(text: &str, sep: u8) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == sep)?;
    Some((&text[..at], &text[at + 1..]))
}

/// What [`encode_into`] escapes: everything but the unreserved `A-Za-z0-9-_.~`.
const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but unreserved characters, appending to `out`. The
/// encoder yields each run of safe bytes as one piece, so an id or a step name is one
/// copy, as the hand-written loop it replaces did (bcdcf3f).
fn encode_into(text: &str, out: &mut String) {
    out.extend(percent_encoding::utf8_percent_encode(text, NOT_UNRESERVED));
}

fn decode(text: &str) -> Result<String, CauseHeaderError> {
    // Ids, run ids and most names have nothing encoded: a copy (6e4e269, callgrind).
    if !text.contains('%') {
        return Ok(text.to_owned());
    }
    // percent-encoding passes a malformed escape through as it is; the header refuses it.
    let well_formed = text.split('%').skip(1).all(|after| {
        after
            .as_bytes()
            .get(..2)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return Err(CauseHeaderError::BadPercentEncoding(text.to_string()));
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| CauseHeaderError::NotUtf8(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_with_odd_characters() {
        let cause = Cause {
            root: Id::parse("64a0c0ffee0000000000beef").unwrap(),
            depth: 2,
            run: Some("65aa00000000000000000001".into()),
            workflow: Some("close on tag; v2".into()),
            step: Some("clöse·ït ✓%".into()),
            chain: vec![
                Hop {
                    workflow: "wf@1".into(),
                    record: "c1".into(),
                },
                Hop {
                    workflow: "wf,2".into(),
                    record: "c2".into(),
                },
            ],
        };
        let header = cause.to_header();
        assert!(header.is_ascii(), "{header}");
        assert!(
            header.contains("step=cl%C3%B6se%C2%B7%C3%AFt%20%E2%9C%93%25"),
            "{header}"
        );
        assert_eq!(Cause::parse_header(&header), Ok(cause));
    }

    #[test]
    fn parses_with_spaces_empty_parts_and_empty_hops() {
        let cause = Cause::parse_header(
            " root=64a0c0ffee0000000000beef ;; depth= 2 ;chain= a@b , ,c@d%40e ;x=1",
        )
        .unwrap();
        assert_eq!(cause.depth, 2);
        let hops: Vec<(&str, &str)> = cause
            .chain
            .iter()
            .map(|h| (h.workflow.as_str(), h.record.as_str()))
            .collect();
        assert_eq!(hops, [("a", "b"), ("c", "d@e")]);
        assert!(Cause::parse_header("root=64a0c0ffee0000000000beef; depth=1; chain=a").is_err());
    }

    #[test]
    fn traceparent_is_root_and_a_span_of_the_run() {
        let mut cause = Cause::root(Id::parse("64a0c0ffee0000000000beef").unwrap());
        for run in [None, Some("r1"), Some("65aa00000000000000000001")] {
            cause.run = run.map(String::from);
            let span = hash_parts(0, &[run.map_or(cause.root.as_bytes(), str::as_bytes)]).max(1);
            assert_eq!(
                cause.to_traceparent(),
                format!("00-00000000{}-{span:016x}-01", cause.root)
            );
        }
    }

    #[test]
    fn byte_splits_agree_with_str_splits() {
        for text in [
            "",
            ";",
            "a",
            "a;b",
            ";a;;b;",
            "é;ü=1;=",
            "k=v=w",
            "no separator",
        ] {
            assert_eq!(
                split_at_byte(text, b';').collect::<Vec<_>>(),
                text.split(';').collect::<Vec<_>>(),
                "{text:?}"
            );
            assert_eq!(
                split_once_at_byte(text, b'='),
                text.split_once('='),
                "{text:?}"
            );
        }
    }

    #[test]
    fn rejects_missing_root_and_bad_depth() {
        assert_eq!(
            Cause::parse_header("depth=1").unwrap_err().to_string(),
            "missing root="
        );
        assert_eq!(
            Cause::parse_header("root=64a0c0ffee0000000000beef; depth=x")
                .unwrap_err()
                .to_string(),
            "depth `x` is not a number"
        );
        assert_eq!(
            Cause::parse_header("root=64a0c0ffee0000000000beef; chain=a")
                .unwrap_err()
                .to_string(),
            "chain hop `a` is not workflow@record"
        );
        assert_eq!(
            Cause::parse_header("root=64a0c0ffee0000000000beef; x")
                .unwrap_err()
                .to_string(),
            "`x` is not key=value"
        );
        assert_eq!(
            Cause::parse_header("root=beef; depth=1")
                .unwrap_err()
                .to_string(),
            "root `beef` is not a 24-hex id"
        );
        assert_eq!(
            Cause::parse_header("root=64a0c0ffee0000000000beef"),
            Err(CauseHeaderError::MissingDepth)
        );
    }

    #[test]
    fn rejects_malformed_percent_encoding() {
        for bad in ["%", "a%4", "%zz", "%+1", "a%%41"] {
            assert_eq!(
                decode(bad).unwrap_err().to_string(),
                format!("bad percent-encoding in `{bad}`")
            );
        }
        assert_eq!(
            decode("%C3").unwrap_err().to_string(),
            "`%C3` is not UTF-8 once decoded"
        );
        assert_eq!(decode("a%2fb%2F%41").as_deref(), Ok("a/b/A"));
    }

    #[test]
    fn traceparent_gives_root() {
        let ids = IdGen::new(1);
        let cause = Cause::parse_traceparent(
            "00-0000000064a0c0ffee0000000000beef-00f067aa0ba902b7-01",
            &ids,
        )
        .unwrap();
        assert_eq!(cause.root.to_hex(), "64a0c0ffee0000000000beef");
        assert!(Cause::parse_traceparent("garbage", &ids).is_none());
    }
}
