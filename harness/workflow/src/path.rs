//! Dotted paths into JSON: `steps.1.changes.attributes.tags.after`, `assignedUsers.0`,
//! `custom.@effotim2TimerBool`. A numeric segment indexes an array; an object key may
//! itself contain dots (`Dot.In.Name`), so a segment that is not a key is joined with the
//! next ones. A missing path is `None` (resolved as `null`, never an error).

use serde_json::Value;

/// `custom['@x']`, `custom["@x"]` and `tags[0]` written the JavaScript way, as the dotted
/// path the walker reads (`custom.@x`, `tags.0`). Real app templates and exports write
/// keys that start with `@` in brackets.
pub fn normalize_brackets(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        let inner = rest[open + 1..close].trim();
        let key = inner
            .strip_prefix('\'')
            .and_then(|k| k.strip_suffix('\''))
            .or_else(|| inner.strip_prefix('"').and_then(|k| k.strip_suffix('"')))
            .unwrap_or(inner);
        out.push_str(&rest[..open]);
        if !out.is_empty() && !out.ends_with('.') {
            out.push('.');
        }
        out.push_str(key);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// JavaScript's `.length` where the path ends in it and the value before it is a string
/// (its UTF-16 length, as JavaScript counts) or an array; `None` otherwise. Read only
/// when the path itself finds nothing, so a real `length` key wins.
pub fn js_length(parent: Option<&Value>) -> Option<Value> {
    match parent? {
        Value::String(s) => Some(Value::from(s.encode_utf16().count())),
        Value::Array(items) => Some(Value::from(items.len())),
        _ => None,
    }
}

/// The value at `path` under `root`.
pub fn lookup<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.trim();
    if path.is_empty() {
        return Some(root);
    }
    with_segments(path, |segments| walk(root, segments))
}

/// Calls `f` with `path` split at its dots, the segments kept on the stack when there
/// are few: a run looks up its references one by one, and a vector per lookup was a
/// good part of each.
pub fn with_segments<R>(path: &str, f: impl FnOnce(&[&str]) -> R) -> R {
    const ON_STACK: usize = 16;
    let mut stack = [""; ON_STACK];
    let mut count = 0;
    for segment in path.split('.') {
        if count == ON_STACK {
            let all: Vec<&str> = path.split('.').collect();
            return f(&all);
        }
        stack[count] = segment;
        count += 1;
    }
    f(&stack[..count])
}

/// [`lookup`] from `value`, the path already split at its dots.
pub fn walk<'a>(value: &'a Value, segments: &[&str]) -> Option<&'a Value> {
    if segments.is_empty() {
        return Some(value);
    }
    match value {
        Value::Object(map) => {
            // Shortest key first; a longer one only when the key itself holds dots.
            for n in 1..=segments.len() {
                let found = if n == 1 {
                    map.get(segments[0])
                } else {
                    map.get(&segments[..n].join("."))
                };
                if let Some(next) = found
                    && let Some(hit) = walk(next, &segments[n..])
                {
                    return Some(hit);
                }
            }
            None
        }
        Value::Array(items) => {
            let index: usize = segments[0].parse().ok()?;
            walk(items.get(index)?, &segments[1..])
        }
        _ => None,
    }
}

/// A plain path's segment that is not a number met an array (Handlebars fails there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnIndex;

/// The value at a plain path as Handlebars finds it (`{{{steps.1.id}}}`): every segment
/// a key of an object or an index of an array, never keys joined; a path that runs into
/// a string, number or missing key is missing. `Err` where Handlebars fails to render:
/// a segment that is not an index, into an array.
pub fn lookup_plain<'a>(root: &'a Value, path: &str) -> Result<Option<&'a Value>, NotAnIndex> {
    if path.is_empty() {
        return Ok(Some(root));
    }
    let mut value = root;
    for segment in path.split('.') {
        let next = match value {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => items.get(segment.parse::<usize>().map_err(|_| NotAnIndex)?),
            _ => None,
        };
        match next {
            Some(next) => value = next,
            None => return Ok(None),
        }
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_objects_arrays_and_odd_keys() {
        let v = json!({"steps": {"1": {"tags": ["a", "b"], "custom": {"@flagBool": true}, "Dot.In.Name": 7}}});
        assert_eq!(lookup(&v, "steps.1.tags.1"), Some(&json!("b")));
        assert_eq!(lookup(&v, "steps.1.custom.@flagBool"), Some(&json!(true)));
        assert_eq!(lookup(&v, "steps.1.Dot.In.Name"), Some(&json!(7)));
        assert_eq!(lookup(&v, "steps.1.tags"), Some(&json!(["a", "b"])));
        assert_eq!(lookup(&v, "steps.1.tags.9"), None);
        assert_eq!(lookup(&v, "steps.2.id"), None);
        assert_eq!(lookup(&v, "steps.1.tags.x"), None);
        assert_eq!(lookup(&v, ""), Some(&v));
    }

    #[test]
    fn bracketed_keys_and_length() {
        assert_eq!(normalize_brackets("custom['@x']"), "custom.@x");
        assert_eq!(normalize_brackets("a[\"b.c\"].d"), "a.b.c.d");
        assert_eq!(normalize_brackets("tags[0]"), "tags.0");
        assert_eq!(normalize_brackets("plain.path"), "plain.path");
        assert_eq!(normalize_brackets("open[only"), "open[only");
        assert_eq!(js_length(Some(&json!("héllo"))), Some(json!(5)));
        assert_eq!(
            js_length(Some(&json!("😀"))),
            Some(json!(2)),
            "UTF-16 units"
        );
        assert_eq!(js_length(Some(&json!([1, 2, 3]))), Some(json!(3)));
        assert_eq!(js_length(Some(&json!(42))), None, "a number has no length");
        assert_eq!(js_length(None), None);
    }

    #[test]
    fn long_paths_are_walked_whole() {
        let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let deep = keys
            .iter()
            .rev()
            .fold(json!("bottom"), |inner, key| json!({ key.as_str(): inner }));
        for depth in [15, 16, 17, 40] {
            let path = keys[..depth].join(".");
            let mut expected = &deep;
            for key in &keys[..depth] {
                expected = &expected[key.as_str()];
            }
            assert_eq!(lookup(&deep, &path), Some(expected), "{depth} segments");
            assert_eq!(
                with_segments(&path, |segments| segments.len()),
                depth,
                "{depth} segments"
            );
        }
        assert_eq!(lookup(&deep, &keys.join(".")), Some(&json!("bottom")));
        assert_eq!(
            with_segments("a..b.", |s| s.join("|")),
            "a||b|",
            "empty segments are kept"
        );
    }
}
