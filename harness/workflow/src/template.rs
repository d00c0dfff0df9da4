//! Handlebars templates, as Kustomer workflows use them: `{{{steps.1.id}}}` (not
//! escaped), `{{steps.1.name}}` (HTML-escaped), `#if`/`#each`/`#unless`, and the helpers
//! `date`, `dateDiff`, `dateFormat`, `math` and `json`.
//!
//! Templates are compiled once, when a workflow is loaded; rendering uses one registry
//! per engine that holds the helpers (the date helpers read the mock's clock, so a
//! virtual clock makes them deterministic).

use chrono::{DateTime, Utc};
use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, RenderErrorReason,
    Renderable, ScopedJson, StringOutput, Template,
};
use kustomer_mock::Clock;
use serde_json::{Number, Value};

use super::dates::{format_moment, instant_of, unit_millis};
use super::functions::format_date;

/// Rewrites path segments Handlebars cannot parse: `custom.@flagBool` and
/// `custom['@flagBool']` → `custom.[@flagBool]` inside `{{ }}` (Kustomer's custom
/// attributes may start with `@`, and apps write them in JavaScript's brackets).
pub fn preprocess(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find("}}").map(|e| e + 2).unwrap_or(after.len());
        out.push_str(&bracket_at_segments(&after[..end]));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn bracket_at_segments(expression: &str) -> String {
    let bytes = expression.as_bytes();
    let mut out = String::with_capacity(expression.len() + 4);
    let mut i = 0;
    while i < bytes.len() {
        // `custom['@x']` / `custom["@x"]`, JavaScript's way into a key: `custom.[@x]`.
        if bytes[i] == b'['
            && i > 0
            && !matches!(bytes[i - 1], b'.' | b' ' | b'{' | b'(' | b'=')
            && let Some(quote) = bytes.get(i + 1).filter(|q| matches!(q, b'\'' | b'"'))
            && let Some(len) = expression[i + 2..].find(&format!("{}]", *quote as char))
        {
            out.push_str(".[");
            out.push_str(&expression[i + 2..i + 2 + len]);
            out.push(']');
            i += 2 + len + 2;
            continue;
        }
        if bytes[i] == b'.' && bytes.get(i + 1) == Some(&b'@') {
            let seg_end = expression[i + 1..]
                .find(|c: char| c.is_whitespace() || c == '.' || c == '}' || c == ')')
                .map(|e| i + 1 + e)
                .unwrap_or(expression.len());
            out.push_str(".[");
            out.push_str(&expression[i + 1..seg_end]);
            out.push(']');
            i = seg_end;
        } else {
            let c = expression[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// A template that does not parse, or does not render: Handlebars' message (the first
/// line of it, for a parse error).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// Compiles a template (after [`preprocess`]); `Err` is the parser's message.
pub fn compile(source: &str) -> Result<Template, TemplateError> {
    Template::compile(&preprocess(source))
        .map_err(|e| TemplateError(e.to_string().lines().next().unwrap_or("").to_string()))
}

/// The helper registry of one engine.
pub struct Templates {
    registry: Handlebars<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

impl Templates {
    /// A registry whose date helpers read `clock`.
    pub fn new(clock: Clock) -> Templates {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(false);
        registry.register_helper(
            "date",
            Box::new(DateHelper {
                clock: clock.clone(),
            }),
        );
        registry.register_helper("dateDiff", Box::new(DateDiffHelper { clock }));
        registry.register_helper("dateFormat", Box::new(DateFormatHelper));
        registry.register_helper("math", Box::new(MathHelper));
        registry.register_helper("json", Box::new(JsonHelper));
        Templates { registry }
    }

    /// Renders a compiled template over `context`.
    pub fn render(&self, template: &Template, context: &Context) -> Result<String, TemplateError> {
        let mut rc = RenderContext::new(None);
        let mut out = StringOutput::new();
        template
            .render(&self.registry, context, &mut rc, &mut out)
            .map_err(|e| TemplateError(e.to_string()))?;
        out.into_string().map_err(|e| TemplateError(e.to_string()))
    }
}

fn fail(message: String) -> RenderError {
    RenderErrorReason::Other(message).into()
}

fn now_of(clock: &Clock) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(clock.now().millis()).unwrap_or_default()
}

fn iso(instant: DateTime<Utc>) -> String {
    format_date(instant, None)
}

/// `{{date 'hours' count=2}}`: the instant `count` units **before** now (Kustomer's
/// convention; a negative count is in the future); `{{date}}` is now; `format=` formats.
struct DateHelper {
    clock: Clock,
}

impl HelperDef for DateHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let now = now_of(&self.clock);
        let instant = match h.param(0).and_then(|p| p.value().as_str()) {
            None => now,
            Some(unit) => {
                let per = unit_millis(unit)
                    .ok_or_else(|| fail(format!("date: unknown unit `{unit}`")))?;
                let count = h
                    .hash_get("count")
                    .and_then(|c| number_of(c.value()))
                    .unwrap_or(0.0);
                now - chrono::Duration::milliseconds((count * per as f64) as i64)
            }
        };
        let text = match h.hash_get("format").and_then(|f| f.value().as_str()) {
            Some(format) => format_moment(instant, format),
            None => iso(instant),
        };
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

/// `{{dateDiff 'milliseconds' from=A to=B}}`: `B - A` in whole units (`to` defaults to now).
struct DateDiffHelper {
    clock: Clock,
}

impl HelperDef for DateDiffHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let unit = h
            .param(0)
            .and_then(|p| p.value().as_str())
            .unwrap_or("milliseconds");
        let per =
            unit_millis(unit).ok_or_else(|| fail(format!("dateDiff: unknown unit `{unit}`")))?;
        let from = h.hash_get("from").and_then(|v| instant_of(v.value()));
        let to = match h.hash_get("to") {
            Some(v) => instant_of(v.value()),
            None => Some(now_of(&self.clock)),
        };
        let value = match (from, to) {
            (Some(from), Some(to)) => Value::from((to - from).num_milliseconds() / per),
            _ => Value::Null,
        };
        Ok(ScopedJson::Derived(value))
    }
}

/// `{{dateFormat value format='LL'}}`.
struct DateFormatHelper;

impl HelperDef for DateFormatHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let instant = h.param(0).and_then(|p| instant_of(p.value()));
        let format = h
            .hash_get("format")
            .and_then(|f| f.value().as_str())
            .or_else(|| h.param(1).and_then(|p| p.value().as_str()));
        let value = match instant {
            Some(instant) => Value::String(format_date(instant, format)),
            None => Value::Null,
        };
        Ok(ScopedJson::Derived(value))
    }
}

/// `{{math a "+" b}}` with `+ - * / %`; operands may be numeric strings.
struct MathHelper;

impl HelperDef for MathHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        // An absent or non-numeric operand fails the step, naming it: rendering `""`
        // would send an empty value on to the next step, far from the mistake.
        let operand = |i: usize, which: &str| -> Result<Option<f64>, RenderError> {
            let param = h.param(i);
            let value = param.map(|p| p.value()).unwrap_or(&Value::Null);
            match number_of(value) {
                Some(x) => Ok(Some(x)),
                None => Err(fail(format!(
                    "math: the {which} operand{} is {}, not a number",
                    param
                        .and_then(|p| p.relative_path())
                        .map(|path| format!(" `{path}`"))
                        .unwrap_or_default(),
                    if value.is_null() {
                        "absent".to_string()
                    } else {
                        value.to_string()
                    }
                ))),
            }
        };
        let a = operand(0, "left")?;
        let op = h.param(1).and_then(|p| p.value().as_str()).unwrap_or("");
        let b = operand(2, "right")?;
        let result = match (a, b) {
            (Some(a), Some(b)) => match op {
                "+" => Some(a + b),
                "-" => Some(a - b),
                "*" => Some(a * b),
                "/" if b != 0.0 => Some(a / b),
                "%" if b != 0.0 => Some(a % b),
                "/" | "%" => None,
                other => {
                    return Err(fail(format!(
                        "math: unknown operator `{other}` (use + - * / %)"
                    )));
                }
            },
            _ => None,
        };
        Ok(ScopedJson::Derived(
            result.map(number_value).unwrap_or(Value::Null),
        ))
    }
}

/// `{{{json value}}}`: the value as JSON text.
struct JsonHelper;

impl HelperDef for JsonHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let text = h
            .param(0)
            .map(|p| p.value().to_string())
            .unwrap_or_else(|| "null".into());
        Ok(ScopedJson::Derived(Value::String(text)))
    }
}

/// A number from a JSON number or a numeric string.
pub fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// A whole result as an integer, else a float.
fn number_value(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kustomer_mock::Timestamp;
    use serde_json::json;

    fn render(source: &str, data: Value) -> Result<String, TemplateError> {
        let clock = Clock::virtual_at(Timestamp::parse("2026-11-24T12:00:00.000Z").unwrap());
        let templates = Templates::new(clock);
        templates.render(&compile(source)?, &Context::from(data))
    }

    #[test]
    fn braces_escape_and_blocks() {
        let data = json!({"steps": {"1": {"id": "c1", "name": "<b>", "tags": ["a", "b"], "custom": {"@flagBool": true}}}});
        assert_eq!(render("{{{steps.1.id}}}", data.clone()).unwrap(), "c1");
        assert_eq!(
            render("{{steps.1.name}}", data.clone()).unwrap(),
            "&lt;b&gt;"
        );
        assert_eq!(render("{{{steps.1.name}}}", data.clone()).unwrap(), "<b>");
        assert_eq!(
            render(
                "{{#if steps.1.custom.@flagBool}}on{{else}}off{{/if}}",
                data.clone()
            )
            .unwrap(),
            "on"
        );
        assert_eq!(
            render("{{#unless steps.1.missing}}none{{/unless}}", data.clone()).unwrap(),
            "none"
        );
        assert_eq!(
            render("{{#each steps.1.tags}}{{this}};{{/each}}", data.clone()).unwrap(),
            "a;b;"
        );
        assert_eq!(render("[{{steps.9.nothing}}]", data).unwrap(), "[]");
        assert!(compile("{{#if x}}").is_err());
    }

    #[test]
    fn helpers() {
        let data =
            json!({"a": "2", "b": 3, "start": "2026-11-24T10:30:00.000Z", "obj": {"k": [1]}});
        assert_eq!(render("{{math a \"+\" b}}", data.clone()).unwrap(), "5");
        assert_eq!(render("{{math b \"/\" 2}}", data.clone()).unwrap(), "1.5");
        assert!(render("{{math a \"^\" b}}", data.clone()).is_err());
        let absent = render("{{math a \"+\" steps.1.missing}}", data.clone()).unwrap_err();
        assert!(
            absent
                .0
                .contains("right operand `steps.1.missing` is absent"),
            "{absent}"
        );
        let text = render("{{math \"x\" \"+\" b}}", data.clone()).unwrap_err();
        assert!(text.0.contains("left operand is \"x\""), "{text}");
        assert_eq!(
            render("{{{date 'hours' count=0}}}", data.clone()).unwrap(),
            "2026-11-24T12:00:00.000Z"
        );
        assert_eq!(
            render("{{{date 'days' count=1}}}", data.clone()).unwrap(),
            "2026-11-23T12:00:00.000Z"
        );
        assert_eq!(
            render("{{dateDiff 'minutes' from=start}}", data.clone()).unwrap(),
            "90"
        );
        assert_eq!(
            render("{{dateFormat start format='YYYY/MM/DD'}}", data.clone()).unwrap(),
            "2026/11/24"
        );
        assert_eq!(render("{{{json obj}}}", data).unwrap(), "{\"k\":[1]}");
    }

    #[test]
    fn bracketed_at_keys_render() {
        let data = json!({"steps": {"1": {"custom": {"@effotim2TimerStartAt": "2026-11-24T10:00:00.000Z"}}}});
        assert_eq!(
            render(
                "{{{steps.1.custom['@effotim2TimerStartAt']}}}",
                data.clone()
            )
            .unwrap(),
            "2026-11-24T10:00:00.000Z"
        );
        assert_eq!(
            render("{{{steps.1.custom['@other']}}}", data).unwrap(),
            "",
            "a missing key renders empty, as Handlebars does"
        );
    }

    #[test]
    fn preprocess_only_touches_at_segments_inside_braces() {
        assert_eq!(
            preprocess("a.@b {{x.@y}} {{@index}}"),
            "a.@b {{x.[@y]}} {{@index}}"
        );
        assert_eq!(
            preprocess("{{dateDiff 'ms' from=s.custom.@t to=n}}"),
            "{{dateDiff 'ms' from=s.custom.[@t] to=n}}"
        );
        assert_eq!(
            preprocess("{{{steps.1.custom['@effotim2TimerStartAt']}}} x['y']"),
            "{{{steps.1.custom.[@effotim2TimerStartAt]}}} x['y']"
        );
        assert_eq!(
            preprocess("{{dateDiff 'ms' from=c[\"@t\"]}}"),
            "{{dateDiff 'ms' from=c.[@t]}}"
        );
    }
}
