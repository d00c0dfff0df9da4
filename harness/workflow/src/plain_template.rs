//! Templates that are only text and plain paths (`{{{variables.baseUrl}}}/v1/
//! conversations/{{{steps.1.id}}}`, `Bearer {{{variables.API_Key}}}`), rendered without
//! Handlebars: each path is read from the run's scope on its own, so a run whose
//! templates are all plain never builds its whole scope document.
//!
//! Only what renders exactly as Handlebars would takes this way: paths of two or more
//! `[A-Za-z0-9_]` segments (one segment could name a helper, like `{{date}}`) whose
//! values are strings, numbers, booleans, null or missing; `{{path}}` escapes as
//! Handlebars' default escape does. Anything else (blocks, helpers, `@` names, arrays,
//! objects, an index into an array that is not a number) returns `None`, and the
//! caller renders the template with Handlebars. Tested against Handlebars itself.

use serde_json::Value;

use super::scope::Scope;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Path { path: String, escape: bool },
}

/// A template of text and plain paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainTemplate {
    pieces: Vec<Piece>,
}

impl PlainTemplate {
    /// The template as text and plain paths, or `None` when it holds anything else.
    pub fn parse(source: &str) -> Option<PlainTemplate> {
        let mut pieces = Vec::new();
        let mut rest = source;
        while let Some(start) = rest.find("{{") {
            let text = &rest[..start];
            // `\{{` is Handlebars' escaped mustache.
            if text.ends_with('\\') {
                return None;
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(text.to_string()));
            }
            let after = &rest[start..];
            let (inner, escape, len) = match after.strip_prefix("{{{") {
                Some(triple) => {
                    let end = triple.find("}}}")?;
                    (&triple[..end], false, 3 + end + 3)
                }
                None => {
                    let end = after[2..].find("}}")?;
                    (&after[2..2 + end], true, 2 + end + 2)
                }
            };
            // Handlebars' whitespace only: `str::trim` would also strip a non-breaking
            // space, which Handlebars reads as part of the name.
            let path = inner.trim_matches(HANDLEBARS_WHITESPACE);
            if !is_plain_path(path) {
                return None;
            }
            pieces.push(Piece::Path {
                path: path.to_string(),
                escape,
            });
            rest = &after[len..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Some(PlainTemplate { pieces })
    }

    /// The rendering, or `None` when a value is one Handlebars renders its own way.
    pub fn render(&self, scope: &Scope<'_>) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Path { path, escape } => {
                    let value = scope.lookup_plain(path).ok()?;
                    let text = match value.as_deref() {
                        None | Some(Value::Null) => continue,
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        Some(Value::Bool(b)) => b.to_string(),
                        Some(Value::Array(_) | Value::Object(_)) => return None,
                    };
                    if *escape {
                        out.push_str(&handlebars::html_escape(&text));
                    } else {
                        out.push_str(&text);
                    }
                }
            }
        }
        Some(out)
    }
}

/// What Handlebars skips around an expression; any other character is part of it.
const HANDLEBARS_WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// Words Handlebars reads as something other than a key when they lead a path.
const KEYWORDS: &[&str] = &["this", "true", "false", "null", "undefined", "else"];

/// Two or more dot-separated segments of ASCII letters, digits and `_`, the first
/// neither a number nor a keyword.
fn is_plain_path(path: &str) -> bool {
    let segments: Vec<&str> = path.split('.').collect();
    segments.len() >= 2
        && !segments[0].bytes().all(|b| b.is_ascii_digit())
        && !KEYWORDS.contains(&segments[0])
        && segments.iter().all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Templates, compile};
    use kustomer_mock::Clock;
    use serde_json::json;

    fn data() -> Value {
        json!({
            "steps": {"1": {
                "id": "c1", "name": "Tom & \"Jerry\" <b>'x'</b> `=`", "priority": 4, "ratio": 0.5,
                "big": 12345678901234567890u64, "neg": -3, "done": true, "none": null,
                "tags": ["a", "b"], "custom": {"Dot.In.Name": 7, "inner": {"x": "y"}},
                "list": [{"k": "v"}, 2], "empty": ""
            }},
            "variables": {"API_Key": "kmk_secret", "baseUrl": "http://127.0.0.1:9"}
        })
    }

    /// Every template the plain renderer accepts renders as Handlebars renders it.
    #[test]
    fn renders_what_handlebars_renders_or_declines() {
        let templates = Templates::new(Clock::virtual_default());
        let scope = Scope::new(data(), &templates);
        let sources = [
            "{{{variables.baseUrl}}}/v1/conversations/{{{steps.1.id}}}",
            "Bearer {{{variables.API_Key}}}",
            "{{steps.1.name}}",
            "{{{steps.1.name}}}",
            "{{ steps.1.name }} and {{{  steps.1.id  }}}",
            "{{steps.1.priority}}/{{steps.1.ratio}}/{{steps.1.big}}/{{steps.1.neg}}",
            "{{steps.1.done}}{{steps.1.none}}{{steps.1.missing}}{{steps.9.x}}",
            "[{{steps.1.empty}}]",
            "{{steps.1.tags.1}}{{steps.1.tags.5}}",
            "{{steps.1.tags}}",
            "{{steps.1.custom}}",
            "{{steps.1.tags.x}}",
            "{{steps.1.list.0.k}}",
            "{{steps.1.id.x}}",
            "{{steps.1.custom.inner.x}}",
            "{\"id\": \"{{{steps.1.id}}}\", \"n\": {{steps.1.priority}}}",
            "a}}b{{steps.1.id}}",
            "{{steps.1.id}}}",
            "{{{steps.1.id}}}}",
            "\\{{steps.1.id}}",
            "{{#if steps.1.done}}yes{{/if}}",
            "{{date}}",
            "{{json steps.1.tags}}",
            "{{steps.1.custom.[Dot.In.Name]}}",
            "{{~steps.1.id~}}",
            "{{!comment}}{{steps.1.id}}",
            "{{1.id}}",
            "{{this.steps.1.id}}",
            "{{../steps.1.id}}",
            "{{@root.steps.1.id}}",
            "{{&steps.1.name}}",
            "ünïcode {{steps.1.id}} ✓",
            "{{steps.1.id\u{a0}}}",
            "{{\u{a0}steps.1.id}}",
            "{{{steps.1.id\u{2003}}}}",
            "{{\tsteps.1.id\r\n}}",
            "{{steps.1.id\u{c}}}",
        ];
        let mut plain_rendered = 0;
        for source in sources {
            let handlebars = compile(source).and_then(|t| templates.render(&t, scope.context()));
            if let Some(text) = PlainTemplate::parse(source).and_then(|p| p.render(&scope)) {
                plain_rendered += 1;
                assert_eq!(Ok(text), handlebars, "`{source}`");
            }
        }
        assert!(
            plain_rendered >= 15,
            "the common forms render plainly: {plain_rendered}"
        );
    }

    #[test]
    fn takes_only_text_and_plain_paths() {
        let plain = |s: &str| PlainTemplate::parse(s).is_some();
        assert!(plain(
            "{{{variables.baseUrl}}}/v1/conversations/{{{steps.1.id}}}"
        ));
        assert!(plain("Bearer {{{variables.API_Key}}}"));
        assert!(plain("{{ steps.1.name }}"));
        assert!(!plain("{{name}}"), "one segment may name a helper");
        assert!(!plain("{{this.steps.1.id}}"));
        assert!(!plain("{{date 'hours'}}"));
        assert!(!plain("{{#each steps.1.tags}}{{this}}{{/each}}"));
        assert!(!plain("{{steps.1.custom.@flag}}"));
        assert!(!plain("{{steps.1.id"));
        assert!(!plain("\\{{steps.1.id}}"));
        assert!(
            !plain("{{steps.1.id\u{a0}}}"),
            "a non-breaking space is part of the name for Handlebars"
        );
    }
}
