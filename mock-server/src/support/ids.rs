//! Deterministic 24-hex ids (MongoDB ObjectId style).
//!
//! An id is 4 bytes of the clock's seconds followed by 8 bytes of a seeded hash, so ids
//! look and sort like Kustomer's while a seed and a clock reproduce them exactly.
//! Two ways to get one:
//! - [`IdGen::next`]: the next id of the server's sequence (a counter mixed with the seed);
//!   used for requests nobody else caused (a user's request, an admin call).
//! - [`IdGen::derive`]: an id computed from a key (e.g. "the 2nd record created by request R");
//!   used for everything a workflow run causes, so concurrent runs cannot race for
//!   counter values and the same scenario yields the same ids.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::support::clock::Timestamp;

/// A 12-byte id shown as 24 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id([u8; 12]);

impl Id {
    /// Builds an id from raw bytes.
    pub const fn from_bytes(bytes: [u8; 12]) -> Self {
        Id(bytes)
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 12] {
        &self.0
    }

    /// Parses 24 hex characters (either case); anything else is `None`.
    pub fn parse(text: &str) -> Option<Id> {
        let bytes = text.as_bytes();
        if bytes.len() != 24 {
            return None;
        }
        let mut out = [0u8; 12];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            out[i] = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
        }
        Some(Id(out))
    }

    /// The 24-character lowercase hex form.
    pub fn to_hex(&self) -> String {
        self.hex_str(&mut [0; 24]).to_owned()
    }

    /// The hex form written into `buf`, as text: ids are shown in every response, event,
    /// run and explanation, and collecting them `char` by `char` into a `String` cost
    /// several hundred instructions each.
    pub fn hex_str<'a>(&self, buf: &'a mut [u8; 24]) -> &'a str {
        *buf = self.hex_bytes();
        // Hex digits are ASCII.
        std::str::from_utf8(buf).unwrap_or_default()
    }

    /// The hex form as ASCII bytes, without allocating (ids are written into every
    /// response and event).
    pub fn hex_bytes(&self) -> [u8; 24] {
        let mut out = [0u8; 24];
        for (i, b) in self.0.iter().enumerate() {
            out[2 * i] = HEX[(b >> 4) as usize];
            out[2 * i + 1] = HEX[(b & 0xf) as usize];
        }
        out
    }
}

/// Lowercase hex digits, as ids (and the `traceparent` span) are written.
pub(crate) const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.hex_str(&mut [0; 24]))
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({self})")
    }
}

/// The error of parsing a malformed id.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{0}` is not a valid id (expected 24 hexadecimal characters)")]
pub struct BadId(pub String);

impl FromStr for Id {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id::parse(s).ok_or_else(|| BadId(s.to_string()))
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.hex_str(&mut [0; 24]))
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(IdVisitor)
    }
}

/// Reads an id from borrowed text where it can, without a `String` per id.
struct IdVisitor;

impl serde::de::Visitor<'_> for IdVisitor {
    type Value = Id;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Id, E> {
        Id::parse(text).ok_or_else(|| E::custom(BadId(text.to_owned())))
    }
}

/// The server's id source: a seed and a counter.
#[derive(Debug)]
pub struct IdGen {
    seed: u64,
    counter: AtomicU64,
}

impl IdGen {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        IdGen {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// The seed this generator was built with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many ids [`IdGen::next`] has handed out (saved with the state so a restored
    /// server continues the sequence).
    pub fn position(&self) -> u64 {
        self.counter.load(Ordering::SeqCst)
    }

    /// Moves the sequence to `position` (used when loading saved state).
    pub fn set_position(&self, position: u64) {
        self.counter.store(position, Ordering::SeqCst);
    }

    /// The next id of the sequence, stamped with `now`.
    pub fn next(&self, now: Timestamp) -> Id {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        compose(now, mix(self.seed ^ mix(n.wrapping_add(0x9e37_79b9))))
    }

    /// An id computed from `parts`: the same parts (and seed and time) give the same id.
    pub fn derive(&self, now: Timestamp, parts: &[&[u8]]) -> Id {
        compose(now, hash_parts(self.seed, parts))
    }
}

fn compose(now: Timestamp, low: u64) -> Id {
    let secs = (now.millis().div_euclid(1000)) as u32;
    let mut out = [0u8; 12];
    out[..4].copy_from_slice(&secs.to_be_bytes());
    out[4..].copy_from_slice(&low.to_be_bytes());
    Id(out)
}

/// SplitMix64's finaliser: a fixed, platform-independent 64-bit mixer.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over the parts (with separators) folded through [`mix`]; stable across
/// platforms and releases, unlike `std`'s hasher.
pub fn hash_parts(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ mix(seed);
    for part in parts {
        for &b in *part {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_and_rejects_bad_input() {
        let id = Id::parse("64a0c0ffee00000000000a11").unwrap();
        assert_eq!(id.to_hex(), "64a0c0ffee00000000000a11");
        assert_eq!(Id::parse("64A0C0FFEE00000000000A11"), Some(id));
        assert!(Id::parse("64a0c0ffee00000000000a1").is_none());
        assert!(Id::parse("64a0c0ffee00000000000a1g").is_none());
        assert!(Id::parse("").is_none());
    }

    #[test]
    fn every_form_shows_the_same_hex() {
        let id = Id::parse("64A0C0FFEE00000000000A11").unwrap();
        let hex = "64a0c0ffee00000000000a11";
        assert_eq!(id.to_string(), hex);
        assert_eq!(format!("{id:?}"), format!("Id({hex})"));
        assert_eq!(id.hex_str(&mut [0; 24]), hex);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{hex}\""));
        assert_eq!(serde_json::from_str::<Id>(&json).unwrap(), id);
        let refused = serde_json::from_str::<Id>("\"64a0\"")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("`64a0` is not a valid id"), "{refused}");
        let wrong_type = serde_json::from_str::<Id>("5").unwrap_err().to_string();
        assert!(wrong_type.contains("expected a string"), "{wrong_type}");
    }

    #[test]
    fn same_seed_same_sequence_other_seed_other_sequence() {
        let t = Timestamp::from_millis(1_764_000_000_000);
        let a = IdGen::new(7);
        let b = IdGen::new(7);
        let c = IdGen::new(8);
        let seq_a: Vec<Id> = (0..5).map(|_| a.next(t)).collect();
        let seq_b: Vec<Id> = (0..5).map(|_| b.next(t)).collect();
        let seq_c: Vec<Id> = (0..5).map(|_| c.next(t)).collect();
        assert_eq!(seq_a, seq_b);
        assert_ne!(seq_a, seq_c);
        let mut unique = seq_a.clone();
        unique.dedup();
        assert_eq!(unique.len(), 5);
        assert_eq!(&seq_a[0].to_hex()[..8], format!("{:08x}", 1_764_000_000u32));
    }

    #[test]
    fn derive_depends_on_every_part() {
        let t = Timestamp::from_millis(0);
        let g = IdGen::new(1);
        let x = g.derive(t, &[b"a", b"bc"]);
        assert_eq!(x, g.derive(t, &[b"a", b"bc"]));
        assert_ne!(x, g.derive(t, &[b"ab", b"c"]));
        assert_ne!(x, IdGen::new(2).derive(t, &[b"a", b"bc"]));
    }
}
