//! `/#fn:<name>,<path>[,<arg>...]` functions: a typed value from the value at the path.
//!
//! Like Kustomer's (JavaScript) functions they do not fail at run time: a value they
//! cannot convert gives `null` (JavaScript's `NaN`). An unknown name is a load-time error.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Number, Value};

use super::dates;

/// Every function `/#fn:` knows.
pub const FUNCTIONS: &[&str] = &[
    "parseInt",
    "parseFloat",
    "toString",
    "toLowerCase",
    "toUpperCase",
    "dateFormat",
    "jsonParse",
    "jsonStringify",
    "ifExists",
    "isValidEmailAddress",
];

/// A `/#fn:` reference to a function this engine does not have.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown function `{name}` in `/#fn:{text}` (known: {known})", known = FUNCTIONS.join(", "))]
pub struct UnknownFunction {
    pub name: String,
    pub text: String,
}

/// A parsed function reference.
#[derive(Debug, Clone, PartialEq)]
pub struct FnRef {
    pub name: String,
    pub path: String,
    pub args: Vec<String>,
}

impl FnRef {
    /// Parses the text after `/#fn:`; `Err` names the problem.
    pub fn parse(text: &str) -> Result<FnRef, UnknownFunction> {
        let mut parts = text.splitn(3, ',');
        let name = parts.next().unwrap_or("").trim().to_string();
        if !FUNCTIONS.contains(&name.as_str()) {
            return Err(UnknownFunction {
                name,
                text: text.to_string(),
            });
        }
        let path = parts
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches("/#")
            .to_string();
        // `dateFormat`'s format may hold commas: it takes the rest as one argument.
        let args = match parts.next() {
            None => Vec::new(),
            Some(rest) if name == "dateFormat" => vec![rest.to_string()],
            Some(rest) => rest.split(',').map(str::to_string).collect(),
        };
        Ok(FnRef { name, path, args })
    }

    /// Applies the function to the value found at the path (`None` when missing).
    pub fn apply(&self, value: Option<&Value>) -> Value {
        let value = value.filter(|v| !v.is_null());
        match self.name.as_str() {
            "parseInt" => value
                .and_then(parse_int)
                .map(Value::from)
                .unwrap_or(Value::Null),
            "parseFloat" => value
                .and_then(parse_float)
                .and_then(Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            "toString" => Value::String(value.map(text_of).unwrap_or_default()),
            "toLowerCase" => value
                .map(|v| Value::String(text_of(v).to_lowercase()))
                .unwrap_or(Value::Null),
            "toUpperCase" => value
                .map(|v| Value::String(text_of(v).to_uppercase()))
                .unwrap_or(Value::Null),
            "dateFormat" => value
                .and_then(dates::instant_of)
                .map(|t| Value::String(format_date(t, self.args.first().map(String::as_str))))
                .unwrap_or(Value::Null),
            "jsonParse" => value
                .and_then(Value::as_str)
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(Value::Null),
            "jsonStringify" => Value::String(
                value
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "null".into()),
            ),
            "ifExists" => match value {
                Some(_) => Value::String(self.args.join(",")),
                None => Value::String(String::new()),
            },
            "isValidEmailAddress" => {
                let text = value.and_then(Value::as_str).unwrap_or("");
                Value::Bool(
                    text.split_once('@')
                        .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty()),
                )
            }
            _ => Value::Null,
        }
    }
}

/// A value as text: strings as they are, others as JSON.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// JavaScript's `parseInt`: leading white space, a sign, then digits; `None` for NaN.
fn parse_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.trunc() as i64)),
        Value::String(s) => {
            let s = s.trim_start();
            let (sign, digits) = match s.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, s.strip_prefix('+').unwrap_or(s)),
            };
            let end = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            digits[..end].parse::<i64>().ok().map(|n| sign * n)
        }
        Value::Bool(_) | Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// JavaScript's `parseFloat` (the longest numeric prefix).
fn parse_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let s = s.trim_start();
            (1..=s.len())
                .rev()
                .filter(|&i| s.is_char_boundary(i))
                .find_map(|i| s[..i].parse::<f64>().ok())
        }
        _ => None,
    }
}

/// Formats an instant: ISO-8601 by default, else a moment.js-style format.
pub fn format_date(instant: DateTime<Utc>, format: Option<&str>) -> String {
    match format {
        None | Some("") => instant.to_rfc3339_opts(SecondsFormat::Millis, true),
        Some(format) => dates::format_moment(instant, format),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(text: &str, value: Value) -> Value {
        FnRef::parse(text).unwrap().apply(Some(&value))
    }

    #[test]
    fn parses_names_paths_and_args() {
        let f = FnRef::parse("parseInt,steps.x.match").unwrap();
        assert_eq!(f.path, "steps.x.match");
        assert!(
            FnRef::parse("explode,steps.x")
                .unwrap_err()
                .to_string()
                .contains("unknown function `explode`")
        );
        let d = FnRef::parse("dateFormat,steps.1.createdAt,YYYY-MM-DD, HH:mm").unwrap();
        assert_eq!(d.args, vec!["YYYY-MM-DD, HH:mm"]);
    }

    #[test]
    fn conversions_follow_javascript() {
        assert_eq!(call("parseInt,x", json!("42abc")), json!(42));
        assert_eq!(call("parseInt,x", json!("  -7")), json!(-7));
        assert_eq!(call("parseInt,x", json!("abc")), Value::Null);
        assert_eq!(call("parseInt,x", json!(3.9)), json!(3));
        assert_eq!(call("parseFloat,x", json!("3.25 kg")), json!(3.25));
        assert_eq!(call("parseFloat,x", json!(true)), Value::Null);
        assert_eq!(call("toString,x", json!(12)), json!("12"));
        assert_eq!(call("toLowerCase,x", json!("AbC")), json!("abc"));
        assert_eq!(call("toUpperCase,x", json!("AbC")), json!("ABC"));
        assert_eq!(call("jsonParse,x", json!("{\"a\":1}")), json!({"a": 1}));
        assert_eq!(call("jsonParse,x", json!("{oops")), Value::Null);
        assert_eq!(
            call("jsonStringify,x", json!({"a": [1]})),
            json!("{\"a\":[1]}")
        );
        assert_eq!(
            call("dateFormat,x", json!("2026-11-24T13:35:39Z")),
            json!("2026-11-24T13:35:39.000Z")
        );
        assert_eq!(
            call("dateFormat,x,YYYY-MM-DD", json!("2026-11-24T13:35:39Z")),
            json!("2026-11-24")
        );
        assert_eq!(call("isValidEmailAddress,x", json!("k@t")), json!(true));
        assert_eq!(
            call("isValidEmailAddress,x", json!("www.kustomer.com")),
            json!(false)
        );
        assert_eq!(call("ifExists,x,present", json!(1)), json!("present"));
        assert_eq!(FnRef::parse("parseInt,x").unwrap().apply(None), Value::Null);
        assert_eq!(FnRef::parse("toString,x").unwrap().apply(None), json!(""));
    }
}
