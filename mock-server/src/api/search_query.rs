//! The body of `POST /v1/customers/search` (`and`, `or`, `not`, `sort`, `timeZone`,
//! `queryContext`) read into a [`SearchQuery`]. Every fault is a 400 whose
//! `source.pointer` points at the member that is wrong (`/and/0/conversation_colour`) and
//! whose detail names the field or operator; members the mock does not know at the top
//! level (`fields`, ...) are ignored, as on every route.

use serde_json::{Map, Value};

use super::body::parse_body;
use super::search_time::{SearchZone, instant, time_zone};
use crate::error::ApiError;
use crate::store::{
    Criterion, FieldKind, Op, Operand, SearchContext, SearchField, SearchQuery, SortKey, Target,
    Test, field_names,
};
use crate::support::ids::Id;

/// The body as a JSON object (a malformed body is a 400 with a pointer).
pub fn read_body(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    parse_body(bytes)
}

/// `queryContext`: which records the search reads (`conversation` when absent).
pub fn query_context(body: &Map<String, Value>) -> Result<SearchContext, ApiError> {
    let names = SearchContext::names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    match body.get("queryContext") {
        None | Some(Value::Null) => Ok(SearchContext::default_context()),
        Some(Value::String(text)) => SearchContext::parse(text).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_value",
                format!(
                    "`queryContext` `{text}` is not searchable in the mock: use {}",
                    quoted(&names)
                ),
            )
            .at_pointer("/queryContext")
        }),
        Some(other) => Err(ApiError::bad_request(
            "invalid_type",
            format!(
                "`queryContext` must be a string ({}), not {}",
                quoted(&names),
                type_name(other)
            ),
        )
        .at_pointer("/queryContext")),
    }
}

/// The whole query: (all of `and`) and (any of `or`), then `sort`.
pub fn compile(body: &Map<String, Value>, context: SearchContext) -> Result<SearchQuery, ApiError> {
    let zone = time_zone(body)?;
    let reader = Reader {
        context: context.clone(),
        zone,
    };
    let mut all = reader.list(body.get("and"), "/and", "and")?;
    let any = reader.list(body.get("or"), "/or", "or")?;
    if !any.is_empty() {
        all.push(Criterion::Any(any));
    }
    if let Some(not) = body.get("not").filter(|v| !v.is_null()) {
        all.push(reader.not(not, "/not")?);
    }
    let sort = reader.sort(body.get("sort"))?;
    Ok(SearchQuery {
        context,
        criterion: Criterion::All(all),
        sort,
    })
}

struct Reader {
    context: SearchContext,
    /// `timeZone`, as minutes east of UTC.
    zone: SearchZone,
}

impl Reader {
    /// `not`: a criterion, or a list of criteria that must not all hold.
    fn not(&self, value: &Value, pointer: &str) -> Result<Criterion, ApiError> {
        let inner = match value {
            Value::Array(_) => Criterion::All(self.list(Some(value), pointer, "not")?),
            _ => self.criterion(value, pointer)?,
        };
        Ok(Criterion::Not(Box::new(inner)))
    }

    /// A list of criteria (`and`/`or`); absent or `null` is an empty list.
    fn list(
        &self,
        value: Option<&Value>,
        pointer: &str,
        name: &str,
    ) -> Result<Vec<Criterion>, ApiError> {
        match value {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.criterion(item, &format!("{pointer}/{i}")))
                .collect(),
            Some(other) => Err(ApiError::bad_request(
                "invalid_type",
                format!(
                    "`{name}` must be an array of criteria such as [{{\"conversation_status\": {{\"equals\": \"open\"}}}}], not {}",
                    type_name(other)
                ),
            )
            .at_pointer(pointer)),
        }
    }

    /// One criterion: an object of fields (each with its operators) and nested `and`/`or`
    /// lists, all of which must hold.
    fn criterion(&self, value: &Value, pointer: &str) -> Result<Criterion, ApiError> {
        let map = match value {
            Value::Object(map) if !map.is_empty() => map,
            Value::Object(_) => {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!(
                        "The criterion at `{pointer}` is empty: name a field and its operators, e.g. {{\"conversation_status\": {{\"equals\": \"open\"}}}}"
                    ),
                )
                .at_pointer(pointer));
            }
            other => {
                return Err(ApiError::bad_request(
                    "invalid_type",
                    format!(
                        "The criterion at `{pointer}` must be an object such as {{\"conversation_status\": {{\"equals\": \"open\"}}}}, not {}",
                        type_name(other)
                    ),
                )
                .at_pointer(pointer));
            }
        };
        let mut parts = Vec::with_capacity(map.len());
        for (key, value) in map {
            let at = format!("{pointer}/{}", escape(key));
            parts.push(match key.as_str() {
                "and" => Criterion::All(self.list(Some(value), &at, "and")?),
                "or" => Criterion::Any(self.list(Some(value), &at, "or")?),
                "not" => self.not(value, &at)?,
                name => self.field_criterion(name, value, &at)?,
            });
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Criterion::All(parts)
        })
    }

    /// A field of this search's context, by name (`pointer` points at it).
    fn field(&self, name: &str, pointer: &str) -> Result<SearchField, ApiError> {
        let fields = field_names(&self.context).join(", ");
        let context = self.context.name();
        let field = SearchField::parse(name).ok_or_else(|| {
            ApiError::bad_request(
                "unknown_field",
                format!(
                    "Unknown search field `{name}` at `{pointer}`: a `{context}` search takes {fields}"
                ),
            )
            .at_pointer(pointer)
        })?;
        if field.object() != self.context.object().name {
            return Err(ApiError::bad_request(
                "unknown_field",
                format!(
                    "`{name}` at `{pointer}` is a field of `{}` searches, but this search's queryContext is `{context}` (it takes {fields})",
                    field.object()
                ),
            )
            .at_pointer(pointer));
        }
        if let (
            Some(klass),
            Target::Custom {
                klass: Some(other), ..
            },
        ) = (self.context.klass(), field.target())
            && klass != other
        {
            return Err(ApiError::bad_request(
                "unknown_field",
                format!(
                    "`{name}` at `{pointer}` is a custom attribute of klass `{other}`, but this search reads klass `{klass}` (it takes {fields})"
                ),
            )
            .at_pointer(pointer));
        }
        Ok(field)
    }

    /// `{"<field>": {"<op>": operand, ...}}`: every operator given must hold.
    fn field_criterion(
        &self,
        name: &str,
        value: &Value,
        pointer: &str,
    ) -> Result<Criterion, ApiError> {
        let field = self.field(name, pointer)?;
        let kind = field.kind();
        let ops = match value {
            Value::Object(ops) if !ops.is_empty() => ops,
            other => {
                return Err(ApiError::bad_request(
                    "invalid_type",
                    format!(
                        "`{name}` takes an object of operators such as {{\"equals\": ...}} ({}), not {}",
                        op_list(kind.operators()),
                        describe(other)
                    ),
                )
                .at_pointer(pointer));
            }
        };
        let mut tests = Vec::with_capacity(ops.len());
        for (op_name, operand) in ops {
            let at = format!("{pointer}/{}", escape(op_name));
            let op = Op::parse(op_name).ok_or_else(|| {
                ApiError::bad_request(
                    "unknown_operator",
                    format!(
                        "Unknown operator `{op_name}` for `{name}` at `{at}`: it takes {}",
                        op_list(kind.operators())
                    ),
                )
                .at_pointer(&at)
            })?;
            if !kind.operators().contains(&op) {
                return Err(ApiError::bad_request(
                    "invalid_operator",
                    format!(
                        "`{}` does not apply to `{name}` ({}): it takes {}",
                        op.as_str(),
                        kind_name(kind),
                        op_list(kind.operators())
                    ),
                )
                .at_pointer(&at));
            }
            let test = match op {
                Op::Exists | Op::NotSet => match operand {
                    Value::Bool(wanted) => Test::Exists(*wanted == (op == Op::Exists)),
                    other => {
                        return Err(ApiError::bad_request(
                            "invalid_type",
                            format!(
                                "`{}` of `{name}` takes true or false, not {}",
                                op.as_str(),
                                describe(other)
                            ),
                        )
                        .at_pointer(&at));
                    }
                },
                Op::In => match operand {
                    Value::Array(items) => Test::In(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| {
                                self.operand(name, kind, op, item, &format!("{at}/{i}"))
                            })
                            .collect::<Result<_, _>>()?,
                    ),
                    other => {
                        return Err(ApiError::bad_request(
                            "invalid_type",
                            format!(
                                "`in` of `{name}` takes an array of values, not {}",
                                describe(other)
                            ),
                        )
                        .at_pointer(&at));
                    }
                },
                op => Test::Compare(op, self.operand(name, kind, op, operand, &at)?),
            };
            tests.push(Criterion::Field {
                field: field.clone(),
                test,
            });
        }
        Ok(if tests.len() == 1 {
            tests.remove(0)
        } else {
            Criterion::All(tests)
        })
    }

    /// `sort`: `[{"<field>": "asc"|"desc"}, ...]` (a single object is accepted too).
    fn sort(&self, value: Option<&Value>) -> Result<Vec<SortKey>, ApiError> {
        let entries: Vec<(String, &Value)> = match value {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("/sort/{i}"), item))
                .collect(),
            Some(entry @ Value::Object(_)) => vec![("/sort".to_string(), entry)],
            Some(other) => {
                return Err(ApiError::bad_request(
                    "invalid_type",
                    format!(
                        "`sort` must be an array such as [{{\"conversation_updated_at\": \"asc\"}}], not {}",
                        type_name(other)
                    ),
                )
                .at_pointer("/sort"));
            }
        };
        let mut keys = Vec::new();
        for (pointer, entry) in entries {
            let map = match entry {
                Value::Object(map) if !map.is_empty() => map,
                other => {
                    return Err(ApiError::bad_request(
                        "invalid_type",
                        format!(
                            "Each `sort` entry must be an object such as {{\"conversation_updated_at\": \"asc\"}}, not {}",
                            describe(other)
                        ),
                    )
                    .at_pointer(pointer));
                }
            };
            for (name, direction) in map {
                let at = format!("{pointer}/{}", escape(name));
                let field = self.field(name, &at)?;
                if !field.kind().sortable() {
                    return Err(ApiError::bad_request(
                        "invalid_value",
                        format!(
                            "`{name}` holds a list ({}) and cannot be sorted by",
                            kind_name(field.kind())
                        ),
                    )
                    .at_pointer(&at));
                }
                let descending = match direction.as_str().map(str::to_ascii_lowercase).as_deref() {
                    Some("asc") => false,
                    Some("desc") => true,
                    _ => {
                        return Err(ApiError::bad_request(
                            "invalid_value",
                            format!(
                                "The sort direction of `{name}` must be \"asc\" or \"desc\", not {}",
                                describe(direction)
                            ),
                        )
                        .at_pointer(&at));
                    }
                };
                keys.push(SortKey { field, descending });
            }
        }
        Ok(keys)
    }
}

impl Reader {
    /// One operand, checked against the field's kind.
    fn operand(
        &self,
        name: &str,
        kind: FieldKind,
        op: Op,
        value: &Value,
        pointer: &str,
    ) -> Result<Operand, ApiError> {
        operand_of(name, kind, op, value, pointer, self.zone)
    }
}

/// One operand, checked against the field's kind.
fn operand_of(
    name: &str,
    kind: FieldKind,
    op: Op,
    value: &Value,
    pointer: &str,
    zone: SearchZone,
) -> Result<Operand, ApiError> {
    let wrong = |expected: &str| {
        ApiError::bad_request(
            "invalid_type",
            format!(
                "`{name}` {expected}: {} at `{pointer}` is not one",
                describe(value)
            ),
        )
        .at_pointer(pointer)
    };
    let text = || value.as_str().map(str::to_string);
    match kind {
        FieldKind::Time => value
            .as_str()
            .and_then(|text| instant(text, zone))
            .map(Operand::Time)
            .ok_or_else(|| wrong("compares timestamps (ISO-8601, e.g. 2026-01-01T00:00:00.000Z, or a date such as 2026-01-01 in the search's timeZone)")),
        FieldKind::Text | FieldKind::Emails => text()
            .map(Operand::Text)
            .ok_or_else(|| wrong("compares strings")),
        FieldKind::Enum(values) => {
            let text = text().ok_or_else(|| wrong(&format!("compares {}", values.join(", "))))?;
            if !values.contains(&text.as_str()) {
                return Err(ApiError::bad_request(
                    "invalid_value",
                    format!(
                        "`{name}` is {}: `{text}` at `{pointer}` is none of them",
                        or_list(values)
                    ),
                )
                .at_pointer(pointer));
            }
            Ok(Operand::Text(text))
        }
        FieldKind::Number => value
            .as_i64()
            .map(Operand::Number)
            .ok_or_else(|| wrong("compares whole numbers")),
        FieldKind::Id => value
            .as_str()
            .and_then(Id::parse)
            .map(Operand::Id)
            .ok_or_else(|| wrong("compares ids (24 hexadecimal characters)")),
        FieldKind::Tags => match value.as_str() {
            Some(text) if !text.trim().is_empty() => Ok(Id::parse(text)
                .map(Operand::Id)
                .unwrap_or_else(|| Operand::Text(text.to_string()))),
            _ => Err(wrong("holds tags, named by id or by name")),
        },
        FieldKind::Any => match (op, value) {
            (_, Value::Null) => Err(wrong(
                "is compared with a value (use {\"not_set\": true} for a missing one)",
            )),
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, Value::Number(_) | Value::String(_)) => {
                Ok(Operand::Json(value.clone()))
            }
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, _) => {
                Err(wrong("is ordered by a number, a timestamp or a string"))
            }
            _ => Ok(Operand::Json(value.clone())),
        },
    }
}

/// A pointer segment (`~` and `/` escaped).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `a, b or c`.
fn or_list(values: &[&str]) -> String {
    match values.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn op_list(ops: &[Op]) -> String {
    ops.iter()
        .map(|op| op.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Time => "a timestamp",
        FieldKind::Text => "text",
        FieldKind::Enum(_) => "one of a fixed set of values",
        FieldKind::Number => "a number",
        FieldKind::Id => "an id",
        FieldKind::Tags => "a list of tags",
        FieldKind::Emails => "a list of emails",
        FieldKind::Any => "a custom attribute",
    }
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

/// A value as the detail shows it: short JSON.
fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        format!(
            "{} ({}…)",
            type_name(value),
            text.chars().take(40).collect::<String>()
        )
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::clock::Timestamp;
    use serde_json::json;

    fn compile_json(body: Value) -> Result<SearchQuery, ApiError> {
        let map = body.as_object().unwrap().clone();
        let context = query_context(&map)?;
        compile(&map, context)
    }

    fn pointer(e: &ApiError) -> String {
        e.source.as_ref().unwrap()["pointer"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_taps_body_compiles() {
        let query = compile_json(json!({
            "and": [{"conversation_updated_at": {"gte": "2026-01-01T00:00:00.000000Z"}}],
            "sort": [{"conversation_updated_at": "asc"}],
            "queryContext": "conversation"
        }))
        .unwrap();
        assert_eq!(query.context.name(), "conversation");
        assert_eq!(
            query.criterion,
            Criterion::All(vec![Criterion::Field {
                field: SearchField::parse("conversation_updated_at").unwrap(),
                test: Test::Compare(
                    Op::Gte,
                    Operand::Time(Timestamp::parse("2026-01-01T00:00:00Z").unwrap())
                ),
            }])
        );
        assert_eq!(query.sort.len(), 1);
    }

    #[test]
    fn faults_point_at_the_member() {
        let e = compile_json(json!({"and": [{"conversation_colour": {"equals": 1}}]})).unwrap_err();
        assert_eq!(e.code, "unknown_field");
        assert_eq!(pointer(&e), "/and/0/conversation_colour");
        let e = compile_json(json!({"or": [{"or": [{"conversation_status": {"eq": "open"}}]}]}))
            .unwrap_err();
        assert_eq!(e.code, "unknown_operator");
        assert_eq!(pointer(&e), "/or/0/or/0/conversation_status/eq");
        let e = compile_json(json!({"and": [{"conversation_priority": {"in": [1, "x"]}}]}))
            .unwrap_err();
        assert_eq!(pointer(&e), "/and/0/conversation_priority/in/1");
        let e = compile_json(json!({"sort": [{"conversation_tags": "asc"}]})).unwrap_err();
        assert_eq!(pointer(&e), "/sort/0/conversation_tags");
        let e = compile_json(json!({"queryContext": "ticket"})).unwrap_err();
        assert_eq!(pointer(&e), "/queryContext");
        let e = compile_json(
            json!({"queryContext": "customer", "and": [{"conversation_name": {"equals": "x"}}]}),
        )
        .unwrap_err();
        assert_eq!(e.code, "unknown_field");
        assert!(e.detail.contains("`conversation` searches"), "{}", e.detail);
    }
}
