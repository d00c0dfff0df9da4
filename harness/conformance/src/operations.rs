//! Which of the reference's operations the mock serves: the reference's paths (written
//! without `/v1`) matched to the mock's own OpenAPI document, template parameters
//! compared by position, not by name (`{id}` and `{customerId}` are the same slot).

use std::collections::BTreeSet;

use serde_json::Value;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// One operation of the reference that the mock serves.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    /// The mock's template, with `/v1` (what is requested).
    pub template: String,
    /// The reference's template, with `/v1`: the same slots, named as the reference names
    /// them (`/v1/klasses/{id}` and `/v1/klasses/{name}` are one mock route that reads a
    /// klass id or a klass name).
    pub reference_template: String,
    /// The reference's answer for the first 2xx status it documents.
    pub status: u16,
    pub schema: Value,
}

impl Operation {
    pub fn name(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.template)
    }
}

/// The reference's operations, split into those the mock serves and the rest.
pub struct Coverage {
    pub served: Vec<Operation>,
    pub reference_total: usize,
    pub not_served: Vec<String>,
}

/// `/customers/{customerId}/events/{id}` → `/customers/{}/events/{}`; the reference
/// also writes one parameter as `=:name`.
pub fn shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template.trim_end_matches('/');
    while let Some(start) = rest.find(['{', ':']) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let end = if from.starts_with('{') {
            from.find('}').map_or(from.len(), |i| i + 1)
        } else {
            from.find('/').unwrap_or(from.len())
        };
        out.push_str("{}");
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

pub fn coverage(reference: &Value, mock: &Value) -> Coverage {
    let mut mock_operations = BTreeSet::new();
    for (template, item) in mock["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if item.get(method).is_some() {
                mock_operations.insert((method, shape(template), template.clone()));
            }
        }
    }
    let mut served = Vec::new();
    let mut not_served = Vec::new();
    let mut reference_total = 0;
    for (path, item) in reference["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            reference_total += 1;
            let wanted = shape(&format!("/v1{path}"));
            let found = mock_operations
                .iter()
                .find(|(m, s, _)| *m == method && *s == wanted);
            match found {
                Some((_, _, template)) => {
                    let (status, schema) = success(operation);
                    served.push(Operation {
                        method: method.to_string(),
                        template: template.clone(),
                        reference_template: format!("/v1{path}"),
                        status,
                        schema,
                    });
                }
                None => not_served.push(format!("{} /v1{path}", method.to_uppercase())),
            }
        }
    }
    Coverage {
        served,
        reference_total,
        not_served,
    }
}

/// The first 2xx answer the reference documents, and its JSON schema (null when none).
fn success(operation: &Value) -> (u16, Value) {
    let responses = operation["responses"].as_object();
    let found = responses
        .into_iter()
        .flatten()
        .find_map(|(status, answer)| {
            let status: u16 = status.parse().ok()?;
            (200..300).contains(&status).then_some((status, answer))
        });
    match found {
        Some((status, answer)) => (
            status,
            answer["content"]["application/json"]["schema"].clone(),
        ),
        None => (200, Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameters_match_by_position() {
        assert_eq!(shape("/v1/customers/{id}/"), "/v1/customers/{}");
        assert_eq!(shape("/customers/email={email}"), "/customers/email={}");
        assert_eq!(
            shape("/messages/externalid=:externalId"),
            "/messages/externalid={}"
        );
        assert_eq!(shape("/a/{x}/b/{y}"), "/a/{}/b/{}");
    }

    #[test]
    fn only_operations_of_both_documents_are_served() {
        let reference = json!({"paths": {
            "/customers/{id}": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}}},
                "delete": {"responses": {"204": {}}}
            },
            "/brands": {"get": {"responses": {"200": {}}}}
        }});
        let mock = json!({"paths": {"/v1/customers/{customerId}": {"get": {}, "put": {}}}});
        let coverage = coverage(&reference, &mock);
        assert_eq!(coverage.reference_total, 3);
        assert_eq!(coverage.served.len(), 1);
        assert_eq!(coverage.served[0].name(), "GET /v1/customers/{customerId}");
        assert_eq!(coverage.served[0].schema, json!({"type": "object"}));
        assert_eq!(
            coverage.not_served,
            ["DELETE /v1/customers/{id}", "GET /v1/brands"]
        );
    }
}
