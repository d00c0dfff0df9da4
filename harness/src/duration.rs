//! Durations as scenario files (`advanceClock`, `restTimeout`) and `kmock serve --grace`
//! spell them: `60s`, `5m`, `1h30m`, `250ms`, `2d` (humantime's forms), or a bare number
//! of seconds, as the mock's admin API takes them.

use std::time::Duration;

/// A duration that does not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration")]
    Empty,
    #[error("`{text}` is not a duration (use e.g. 60s, 5m, 1h30m, 250ms, 2d): {reason}")]
    Invalid {
        text: String,
        reason: humantime::DurationError,
    },
}

/// Parses `text`; a bare number is seconds.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    humantime::parse_duration(text).map_err(|reason| DurationError::Invalid {
        text: text.to_string(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_scenarios_use_parse() {
        assert_eq!(parse("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse(" 90 "), Ok(Duration::from_secs(90)));
    }

    #[test]
    fn a_mistake_names_the_text_and_the_forms() {
        assert_eq!(parse(""), Err(DurationError::Empty));
        let message = parse("5 fortnights").unwrap_err().to_string();
        assert!(
            message.starts_with("`5 fortnights` is not a duration (use e.g. 60s"),
            "{message}"
        );
        assert!(parse("-5s").is_err());
    }
}
