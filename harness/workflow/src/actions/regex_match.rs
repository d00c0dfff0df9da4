//! `kustomer.regex-match.generic`: the first match of `regex` in `testString`. Kustomer runs
//! JavaScript regular expressions, so lookaround (`(?<=#)\d+`) and backreferences work
//! here too (fancy-regex).

use fancy_regex::Regex;
use serde_json::{Value, json};

use crate::functions::text_of;

/// `{testString, regex}` → `{"match": <first match or null>, "groups": [...]}`.
pub fn run(params: &Value) -> Result<Value, Value> {
    let text = params.get("testString").map(text_of).unwrap_or_default();
    let pattern = params
        .get("regex")
        .and_then(Value::as_str)
        .ok_or_else(|| json!({"message": "`regex` is required"}))?;
    let regex = Regex::new(pattern)
        .map_err(|e| json!({"message": format!("bad regular expression `{pattern}`: {e}")}))?;
    let captures = regex
        .captures(&text)
        .map_err(|e| json!({"message": format!("regular expression `{pattern}` failed: {e}")}))?;
    Ok(match captures {
        Some(captures) => json!({
            "match": captures.get(0).map(|m| m.as_str()),
            "groups": captures.iter().skip(1).map(|g| g.map(|m| m.as_str())).collect::<Vec<_>>(),
        }),
        None => json!({"match": null, "groups": []}),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_and_groups() {
        let out = run(&json!({"testString": "order #1042 and #7", "regex": "#(\\d+)"})).unwrap();
        assert_eq!(out, json!({"match": "#1042", "groups": ["1042"]}));
        assert_eq!(
            run(&json!({"testString": "none", "regex": "\\d"})).unwrap()["match"],
            Value::Null
        );
        assert!(run(&json!({"testString": "x", "regex": "("})).is_err());
        assert_eq!(
            run(&json!({"testString": 17, "regex": ".*"})).unwrap()["match"],
            "17"
        );
    }

    #[test]
    fn lookaround_as_in_javascript() {
        let out = run(&json!({"testString": "ref: #1042", "regex": "(?<=#)\\d+"})).unwrap();
        assert_eq!(out["match"], "1042");
        let ahead = run(&json!({"testString": "a1 b2", "regex": "[a-z](?=2)"})).unwrap();
        assert_eq!(ahead["match"], "b");
        let none = run(&json!({"testString": "1042", "regex": "(?<=#)\\d+"})).unwrap();
        assert_eq!(none["match"], Value::Null, "no `#` before the digits");
    }
}
