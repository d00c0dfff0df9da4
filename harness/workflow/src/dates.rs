//! Dates for templates and functions: reading instants and moment.js-style formats.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

/// An instant from an ISO-8601 string or epoch milliseconds.
pub fn instant_of(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(s) => DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .map(|d| d.with_timezone(&Utc))
            .or_else(|| {
                s.trim()
                    .parse::<i64>()
                    .ok()
                    .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
            }),
        Value::Number(n) => n
            .as_i64()
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
        _ => None,
    }
}

/// Milliseconds in one `unit` (`ms`/`milliseconds`, `seconds`, `minutes`, `hours`, `days`,
/// `weeks`; singular or plural).
pub fn unit_millis(unit: &str) -> Option<i64> {
    let unit = unit.trim().to_ascii_lowercase();
    if unit == "ms" {
        return Some(1);
    }
    let unit = unit.strip_suffix('s').unwrap_or(&unit);
    Some(match unit {
        "millisecond" => 1,
        "second" | "sec" => 1000,
        "minute" | "min" => 60_000,
        "hour" => 3_600_000,
        "day" => 86_400_000,
        "week" => 604_800_000,
        _ => return None,
    })
}

/// A moment.js-style format (`YYYY-MM-DD HH:mm:ss.SSS`, `LL`, ...) rendered with chrono.
pub fn format_moment(instant: DateTime<Utc>, format: &str) -> String {
    const TOKENS: &[(&str, &str)] = &[
        ("YYYY", "%Y"),
        ("YY", "%y"),
        ("MMMM", "%B"),
        ("MMM", "%b"),
        ("MM", "%m"),
        ("DD", "%d"),
        ("Do", "%e"),
        ("dddd", "%A"),
        ("ddd", "%a"),
        ("HH", "%H"),
        ("hh", "%I"),
        ("mm", "%M"),
        ("ss", "%S"),
        ("SSS", "%3f"),
        ("A", "%p"),
        ("ZZ", "%z"),
        ("Z", "%:z"),
        ("LLLL", "%A, %B %e, %Y %l:%M %p"),
        ("LLL", "%B %e, %Y %l:%M %p"),
        ("LL", "%B %e, %Y"),
        ("L", "%m/%d/%Y"),
    ];
    let mut pattern = String::new();
    let mut rest = format;
    'outer: while !rest.is_empty() {
        // Longest tokens first at each position.
        let mut candidates: Vec<&(&str, &str)> =
            TOKENS.iter().filter(|(t, _)| rest.starts_with(t)).collect();
        candidates.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        if let Some((token, chrono)) = candidates.first() {
            pattern.push_str(chrono);
            rest = &rest[token.len()..];
            continue 'outer;
        }
        let c = rest.chars().next().unwrap_or(' ');
        if c == '%' {
            pattern.push_str("%%");
        } else {
            pattern.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    instant.format(&pattern).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instants_and_formats() {
        let t = instant_of(&json!("2026-11-24T13:05:09.007Z")).unwrap();
        assert_eq!(
            format_moment(t, "YYYY-MM-DD HH:mm:ss.SSS"),
            "2026-11-24 13:05:09.007"
        );
        assert_eq!(format_moment(t, "LL"), "November 24, 2026");
        assert_eq!(instant_of(&json!(0)).unwrap().timestamp(), 0);
        assert!(instant_of(&json!("nope")).is_none());
        assert_eq!(unit_millis("Hours"), Some(3_600_000));
        assert_eq!(unit_millis("day"), Some(86_400_000));
        assert_eq!(unit_millis("fortnight"), None);
        assert_eq!(unit_millis("ms"), Some(1));
        assert_eq!(unit_millis("m"), None);
    }
}
