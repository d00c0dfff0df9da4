//! `timeZone` of a search: where a date without a time (`2026-01-05`) falls.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::support::clock::Timestamp;

/// `timeZone`: the zone a date without a time (`2026-01-05`) is read in, as minutes east
/// of UTC. `UTC`, `GMT` and offsets (`+01:00`) are honoured; other zone names are
/// accepted and read as UTC (the mock carries no zone database).
pub(super) fn time_zone(body: &Map<String, Value>) -> Result<i32, ApiError> {
    match body.get("timeZone") {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(zone)) => Ok(offset_minutes(zone).unwrap_or(0)),
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

/// An instant: a full ISO-8601 timestamp, or a date read at midnight in the search's zone.
pub(super) fn instant(text: &str, zone_minutes: i32) -> Option<Timestamp> {
    Timestamp::parse(text).or_else(|| {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        let midnight = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
        Some(Timestamp::from_millis(
            midnight - i64::from(zone_minutes) * 60_000,
        ))
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

    #[test]
    fn offsets_and_dates() {
        assert_eq!(offset_minutes("UTC"), Some(0));
        assert_eq!(offset_minutes("+01:00"), Some(60));
        assert_eq!(offset_minutes("UTC-0530"), Some(-330));
        assert_eq!(offset_minutes("Europe/Paris"), None);
        let utc = instant("2026-01-05", 0).unwrap();
        assert_eq!(utc, Timestamp::parse("2026-01-05T00:00:00Z").unwrap());
        assert_eq!(
            instant("2026-01-05", 60).unwrap(),
            Timestamp::parse("2026-01-04T23:00:00Z").unwrap()
        );
        assert!(instant("5 Jan", 0).is_none());
    }
}
