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

    /// The ISO form with milliseconds and `Z`. Every response and event shows several
    /// timestamps, so years 0000–9999 are formatted by hand (chrono's general
    /// formatter was a visible share of a `GET`); other years go through chrono.
    pub fn to_iso(self) -> String {
        match self.iso_bytes() {
            // ASCII digits and separators: one copy, not a char at a time.
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => match DateTime::<Utc>::from_timestamp_millis(self.0) {
                Some(dt) => dt.to_rfc3339_opts(SecondsFormat::Millis, true),
                None => "1970-01-01T00:00:00.000Z".to_string(),
            },
        }
    }

    /// The ISO form as ASCII bytes for years 0000–9999, without allocating.
    pub(crate) fn iso_bytes(self) -> Option<[u8; 24]> {
        let days = self.0.div_euclid(MILLIS_PER_DAY);
        let in_day = self.0.rem_euclid(MILLIS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if !(0..=9999).contains(&year) {
            return None;
        }
        let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
        let (second, milli) = (in_day / 1000 % 60, in_day % 1000);
        let mut out = [0u8; 24];
        let mut put = |at: usize, value: i64, width: usize| {
            let mut v = value;
            for i in (0..width).rev() {
                out[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, year, 4);
        put(5, month, 2);
        put(8, day, 2);
        put(11, hour, 2);
        put(14, minute, 2);
        put(17, second, 2);
        put(20, milli, 3);
        for (at, c) in [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (23, b'Z'),
        ] {
            out[at] = c;
        }
        Some(out)
    }
}

const MILLIS_PER_DAY: i64 = 86_400_000;

/// (year, month, day) of a day count since 1970-01-01 in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
        match self.iso_bytes() {
            // The ISO form is ASCII.
            Some(bytes) => {
                serializer.serialize_str(std::str::from_utf8(&bytes).unwrap_or_default())
            }
            None => serializer.serialize_str(&self.to_iso()),
        }
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

/// Why a duration was refused; the message names the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration")]
    Empty,
    #[error("duration `{0}` is too large")]
    TooLarge(String),
    #[error("`{text}` has an unknown unit `{unit}` (use ms, s, m, h or d)")]
    UnknownUnit { text: String, unit: String },
    #[error("`{0}` is not a duration (use e.g. 60s, 5m, 1h30m, 250ms, 2d)")]
    NotADuration(String),
}

/// Parses a duration such as `60s`, `5m`, `1h30m`, `250ms`, `2d` into milliseconds, with
/// humantime's grammar (which also takes `5 minutes`, `1.5h`, `1w`). A bare number is
/// seconds, as the mock has always documented (humantime wants a unit); a negative bare
/// number is returned as it is, for the callers to refuse with their own words.
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let text = text.trim();
    let too_large = || DurationError::TooLarge(text.to_string());
    if let Ok(secs) = text.parse::<i64>() {
        return secs.checked_mul(1000).ok_or_else(too_large);
    }
    let duration = humantime::parse_duration(text).map_err(|e| match e {
        humantime::DurationError::Empty => DurationError::Empty,
        humantime::DurationError::UnknownUnit { unit, .. } => DurationError::UnknownUnit {
            text: text.to_string(),
            unit,
        },
        humantime::DurationError::NumberOverflow => too_large(),
        _ => DurationError::NotADuration(text.to_string()),
    })?;
    i64::try_from(duration.as_millis()).map_err(|_| too_large())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_formatted_iso_matches_chrono() {
        let chrono_iso = |millis: i64| {
            DateTime::<Utc>::from_timestamp_millis(millis)
                .unwrap()
                .to_rfc3339_opts(SecondsFormat::Millis, true)
        };
        let mut millis: i64 = -62_135_596_800_000; // 0001-01-01
        let mut step: i64 = 1;
        while millis < 253_402_300_799_999 {
            assert_eq!(Timestamp(millis).to_iso(), chrono_iso(millis), "{millis}");
            millis += step;
            step = step * 3 / 2 + 997;
        }
        for day in (-719_162..2_932_896).step_by(7) {
            let millis = day * MILLIS_PER_DAY + (day * 7919).rem_euclid(MILLIS_PER_DAY);
            assert_eq!(Timestamp(millis).to_iso(), chrono_iso(millis), "{millis}");
        }
        for edge in [
            0,
            -1,
            951_782_400_000,
            1_709_164_800_000,
            253_402_300_799_999,
        ] {
            assert_eq!(Timestamp(edge).to_iso(), chrono_iso(edge), "{edge}");
        }
        assert_eq!(
            Timestamp(253_402_300_800_000).to_iso(),
            chrono_iso(253_402_300_800_000)
        );
    }

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
        assert_eq!(parse_duration(" 29m "), Ok(1_740_000));
        assert_eq!(parse_duration("-5"), Ok(-5_000));
        // humantime's longer forms.
        assert_eq!(parse_duration("5 minutes"), Ok(300_000));
        assert_eq!(parse_duration("1w"), Ok(604_800_000));
        assert_eq!(
            parse_duration("10x").unwrap_err().to_string(),
            "`10x` has an unknown unit `x` (use ms, s, m, h or d)"
        );
        assert_eq!(
            parse_duration("soon").unwrap_err().to_string(),
            "`soon` is not a duration (use e.g. 60s, 5m, 1h30m, 250ms, 2d)"
        );
        assert_eq!(
            parse_duration("9223372036854775807")
                .unwrap_err()
                .to_string(),
            "duration `9223372036854775807` is too large"
        );
        assert_eq!(
            parse_duration("9999999999999999h").unwrap_err().to_string(),
            "duration `9999999999999999h` is too large"
        );
        assert_eq!(
            parse_duration("").unwrap_err().to_string(),
            "empty duration"
        );
        assert_eq!(parse_duration("  "), Err(DurationError::Empty));
    }
}
