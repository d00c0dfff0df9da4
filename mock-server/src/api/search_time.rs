//! `timeZone` of a search: where a date without a time (`2026-01-05`) falls.

use chrono::TimeZone;
use chrono_tz::Tz;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::support::clock::Timestamp;

/// The zone a search reads dates without a time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SearchZone {
    /// A fixed offset, in minutes east of UTC (`UTC`, `+01:00`).
    Offset(i32),
    /// An IANA zone (`America/New_York`): its offset on each date, summer time included.
    Named(Tz),
}

/// `timeZone`: `UTC`, `GMT`, an offset (`+01:00`, `UTC-0530`) or an IANA zone name
/// (`Europe/Paris`, from the zone database chrono-tz carries). A name that is no zone is
/// refused rather than read as UTC, which would shift every date silently.
pub(super) fn time_zone(body: &Map<String, Value>) -> Result<SearchZone, ApiError> {
    match body.get("timeZone") {
        None | Some(Value::Null) => Ok(SearchZone::Offset(0)),
        Some(Value::String(zone)) => {
            if let Some(minutes) = offset_minutes(zone) {
                return Ok(SearchZone::Offset(minutes));
            }
            zone.parse::<Tz>().map(SearchZone::Named).map_err(|_| {
                ApiError::bad_request(
                    "invalid_value",
                    format!(
                        "`timeZone` `{zone}` is not a time zone: use an IANA name such as \"America/New_York\", \"UTC\" or an offset such as \"+01:00\""
                    ),
                )
                .at_pointer("/timeZone")
            })
        }
        Some(other) => Err(ApiError::bad_request(
            "invalid_type",
            format!(
                "`timeZone` must be a string such as \"UTC\" or \"America/New_York\", not {}",
                type_name(other)
            ),
        )
        .at_pointer("/timeZone")),
    }
}

/// `+hh:mm`, `-hhmm` or `UTC±hh:mm` as minutes east of UTC.
fn offset_minutes(zone: &str) -> Option<i32> {
    let rest = zone
        .strip_prefix("UTC")
        .or_else(|| zone.strip_prefix("GMT"))
        .unwrap_or(zone);
    if rest.is_empty() || rest == "Z" {
        return Some(0);
    }
    let (sign, digits) = match rest.split_at(1) {
        ("+", d) => (1, d),
        ("-", d) => (-1, d),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    (hours <= 14 && minutes < 60).then_some(sign * (hours * 60 + minutes))
}

/// An instant: a full ISO-8601 timestamp, or a date read at midnight in the search's zone
/// (in a named zone, the first instant of that date where midnight itself is skipped by a
/// change of offset).
pub(super) fn instant(text: &str, zone: SearchZone) -> Option<Timestamp> {
    Timestamp::parse(text).or_else(|| {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        let midnight = date.and_hms_opt(0, 0, 0)?;
        let millis = match zone {
            SearchZone::Offset(minutes) => {
                midnight.and_utc().timestamp_millis() - i64::from(minutes) * 60_000
            }
            SearchZone::Named(tz) => {
                let local = tz.from_local_datetime(&midnight);
                let first = local.earliest().or_else(|| {
                    // Midnight does not exist that day: the first hour that does.
                    (1..=3).find_map(|h| {
                        tz.from_local_datetime(&date.and_hms_opt(h, 0, 0)?)
                            .earliest()
                    })
                })?;
                first.timestamp_millis()
            }
        };
        Some(Timestamp::from_millis(millis))
    })
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn zone(value: Value) -> Result<SearchZone, ApiError> {
        let body = json!({ "timeZone": value });
        time_zone(body.as_object().unwrap())
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn offsets_and_dates() {
        assert_eq!(offset_minutes("UTC"), Some(0));
        assert_eq!(offset_minutes("+01:00"), Some(60));
        assert_eq!(offset_minutes("UTC-0530"), Some(-330));
        assert_eq!(offset_minutes("Europe/Paris"), None);
        let utc = instant("2026-01-05", SearchZone::Offset(0)).unwrap();
        assert_eq!(utc, at("2026-01-05T00:00:00Z"));
        assert_eq!(
            instant("2026-01-05", SearchZone::Offset(60)).unwrap(),
            at("2026-01-04T23:00:00Z")
        );
        assert!(instant("5 Jan", SearchZone::Offset(0)).is_none());
    }

    #[test]
    fn a_named_zone_follows_its_summer_time() {
        let new_york = zone(json!("America/New_York")).unwrap();
        assert_eq!(
            instant("2026-01-05", new_york).unwrap(),
            at("2026-01-05T05:00:00Z")
        );
        assert_eq!(
            instant("2026-07-05", new_york).unwrap(),
            at("2026-07-05T04:00:00Z")
        );
        // Santiago skips midnight when its summer time starts (2026-09-06).
        let santiago = zone(json!("America/Santiago")).unwrap();
        assert_eq!(
            instant("2026-09-06", santiago).unwrap(),
            at("2026-09-06T04:00:00Z")
        );
    }

    #[test]
    fn a_name_that_is_no_zone_is_refused_at_its_pointer() {
        let error = zone(json!("Mars/Olympus_Mons")).unwrap_err();
        assert_eq!(error.code, "invalid_value");
        assert!(
            error.detail.contains("Mars/Olympus_Mons"),
            "{}",
            error.detail
        );
        let error = zone(json!(5)).unwrap_err();
        assert_eq!(error.code, "invalid_type");
    }
}
