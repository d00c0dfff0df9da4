//! Time: every timestamp, window and expiry in the mock reads this clock.
//!
//! A real clock follows the system time (plus any offset an admin applied); a virtual
//! clock stands still until it is set or advanced, so tests and scenarios get the same
//! timestamps, rate-limit windows and expiries on every run.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A UTC instant with millisecond precision, shown as `2026-11-24T13:35:39.123Z`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From milliseconds since the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub fn epoch_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Parses an ISO-8601 / RFC 3339 timestamp (`2026-11-24T13:35:39.123Z`, offsets allowed).
    pub fn parse(text: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|dt| Timestamp(dt.timestamp_millis()))
    }

    /// This instant plus `millis` (negative goes back).
    pub fn plus_millis(self, millis: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(millis))
    }

    /// The ISO form with milliseconds and `Z`.
    pub fn to_iso(self) -> String {
        match DateTime::<Utc>::from_timestamp_millis(self.0) {
            Some(dt) => dt.to_rfc3339_opts(SecondsFormat::Millis, true),
            None => "1970-01-01T00:00:00.000Z".to_string(),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_iso())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_iso())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not an ISO-8601 timestamp (e.g. 2026-11-24T13:35:39.123Z)"
            ))
        })
    }
}

/// The default start of a virtual clock: a fixed, documented instant.
pub const DEFAULT_VIRTUAL_START: Timestamp = Timestamp(1_795_478_400_000); // 2026-11-24T00:00:00.000Z

#[derive(Debug)]
struct ClockInner {
    virtual_mode: bool,
    /// Virtual: the current instant. Real: the offset added to the system time.
    value: AtomicI64,
}

/// The mock's clock; cheap to clone, all clones share the same time.
#[derive(Clone, Debug)]
pub struct Clock(Arc<ClockInner>);

impl Clock {
    /// Follows the system time.
    pub fn real() -> Clock {
        Clock(Arc::new(ClockInner {
            virtual_mode: false,
            value: AtomicI64::new(0),
        }))
    }

    /// Stands still at `start` until set or advanced.
    pub fn virtual_at(start: Timestamp) -> Clock {
        Clock(Arc::new(ClockInner {
            virtual_mode: true,
            value: AtomicI64::new(start.millis()),
        }))
    }

    /// A virtual clock at [`DEFAULT_VIRTUAL_START`].
    pub fn virtual_default() -> Clock {
        Clock::virtual_at(DEFAULT_VIRTUAL_START)
    }

    /// Whether this clock only moves when told to.
    pub fn is_virtual(&self) -> bool {
        self.0.virtual_mode
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        let value = self.0.value.load(Ordering::SeqCst);
        if self.0.virtual_mode {
            Timestamp(value)
        } else {
            Timestamp(Utc::now().timestamp_millis().saturating_add(value))
        }
    }

    /// Moves the clock forward by `millis` (a real clock gains an offset).
    pub fn advance(&self, millis: i64) -> Timestamp {
        self.0.value.fetch_add(millis, Ordering::SeqCst);
        self.now()
    }

    /// Sets the current instant (a real clock keeps running from there).
    pub fn set(&self, to: Timestamp) -> Timestamp {
        if self.0.virtual_mode {
            self.0.value.store(to.millis(), Ordering::SeqCst);
        } else {
            let offset = to.millis() - Utc::now().timestamp_millis();
            self.0.value.store(offset, Ordering::SeqCst);
        }
        self.now()
    }
}

/// Parses a duration such as `60s`, `5m`, `1h30m`, `250ms`, `2d` into milliseconds.
/// A bare number is seconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(secs) = text.parse::<i64>() {
        return secs
            .checked_mul(1000)
            .ok_or_else(|| format!("duration `{text}` is too large"));
    }
    let mut total: i64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return Err(format!(
                "`{text}` is not a duration (use e.g. 60s, 5m, 1h30m, 250ms, 2d)"
            ));
        }
        let amount: i64 = rest[..digits]
            .parse()
            .map_err(|_| format!("duration `{text}` is too large"))?;
        rest = &rest[digits..];
        let unit_len = rest.chars().take_while(|c| c.is_ascii_alphabetic()).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => {
                return Err(format!(
                    "`{text}` has an unknown unit `{unit}` (use ms, s, m, h or d)"
                ));
            }
        };
        total = amount
            .checked_mul(factor)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration `{text}` is too large"))?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip_with_millis() {
        let t = Timestamp::parse("2026-11-24T13:35:39.123Z").unwrap();
        assert_eq!(t.to_iso(), "2026-11-24T13:35:39.123Z");
        assert_eq!(DEFAULT_VIRTUAL_START.to_iso(), "2026-11-24T00:00:00.000Z");
        assert!(Timestamp::parse("yesterday").is_none());
    }

    #[test]
    fn virtual_clock_moves_only_when_told() {
        let clock = Clock::virtual_default();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        assert_eq!(clock.advance(60_000), start.plus_millis(60_000));
        let target = Timestamp::parse("2027-01-01T00:00:00.000Z").unwrap();
        assert_eq!(clock.set(target), target);
    }

    #[test]
    fn real_clock_can_be_shifted() {
        let clock = Clock::real();
        let before = clock.now();
        let shifted = clock.advance(3_600_000);
        assert!(shifted.millis() - before.millis() >= 3_600_000);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s"), Ok(60_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("2d"), Ok(172_800_000));
        assert_eq!(parse_duration("90"), Ok(90_000));
        assert!(parse_duration("5 minutes").is_err());
        assert!(
            parse_duration("10y")
                .unwrap_err()
                .contains("unknown unit `y`")
        );
        assert!(parse_duration("").is_err());
    }
}
