//! Checks an answer against the document: the response the document gives for the
//! operation and status, its headers, and its body against the schema (which must refuse
//! an undocumented member); remembers the operations covered.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Validates answers against the document and remembers which operations were covered.
pub struct Conformance {
    doc: Value,
    pub covered: BTreeSet<String>,
}

impl Conformance {
    /// Against the mock's document.
    pub fn new() -> Conformance {
        Conformance::of(kustomer_mock::openapi_document().clone())
    }

    /// Against `doc` (a harness server's, with the workflows API).
    pub fn of(doc: Value) -> Conformance {
        Conformance {
            doc,
            covered: BTreeSet::new(),
        }
    }

    /// Every operation of the document, as `METHOD template`.
    pub fn operations(&self) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        for (template, item) in self.doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                all.insert(format!("{} {template}", method.to_uppercase()));
            }
        }
        all
    }

    /// The documented response of `operation` for `status`, `$ref` resolved.
    fn response(&self, method: &Method, template: &str, status: u16) -> Value {
        let operation = &self.doc["paths"][template][method.as_str().to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {template} is not in the document"
        );
        let response = &operation["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{method} {template} does not document {status}"
        );
        match response["$ref"].as_str() {
            Some(reference) => {
                let name = reference.trim_start_matches("#/components/responses/");
                self.doc["components"]["responses"][name].clone()
            }
            None => response.clone(),
        }
    }

    /// Checks `answer` against the document.
    pub fn check(&mut self, method: Method, template: &str, answer: &Answer) {
        let status = answer.status.as_u16();
        let response = self.response(&method, template, status);
        let header = "x-kmock-request-id";
        assert!(
            response["headers"][header].is_object(),
            "{method} {template} {status}: {header} not documented"
        );
        assert!(
            answer.header(header).is_some(),
            "{method} {template} {status}: no {header}"
        );
        let schema = &response["content"]["application/json"]["schema"];
        if schema.is_null() {
            assert!(
                answer.body.is_null(),
                "{method} {template} {status}: no body documented, got {}",
                answer.body
            );
        } else {
            let reference = schema["$ref"].as_str().unwrap_or_else(|| {
                panic!("{method} {template} {status}: the schema is not a component: {schema}")
            });
            let mut root = self.doc.clone();
            root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
            root["$ref"] = json!(reference);
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .expect("the document's schemas compile");
            let errors: Vec<String> = validator
                .iter_errors(&answer.body)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{method} {template} {status} does not match the document:\n{}\nbody: {}",
                errors.join("\n"),
                answer.body
            );
            // The check has teeth: a member the document does not name is refused.
            let mut altered = answer.body.clone();
            altered["undocumentedMember"] = json!(1);
            assert!(
                !validator.is_valid(&altered),
                "{method} {template} {status}: the schema accepts undocumented members"
            );
        }
        self.covered
            .insert(format!("{} {template}", method.as_str()));
    }
}

pub async fn call(
    conformance: &mut Conformance,
    server: &kustomer_mock::MockServer,
    method: Method,
    template: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let answer = send(server, method.clone(), path, token, body).await;
    conformance.check(method, template, &answer);
    answer
}

/// One call of a table: the operation (method and template), the path to call, the body
/// and the status it must answer.
pub type Row<'a> = (Method, &'a str, String, Option<String>, u16);

/// Calls each row in turn, as [`call`] does, and checks its status; the answers, in order.
pub async fn call_each(
    conformance: &mut Conformance,
    server: &kustomer_mock::MockServer,
    token: Option<&str>,
    rows: Vec<Row<'_>>,
) -> Vec<Answer> {
    let mut answers = Vec::new();
    for (method, template, path, body, status) in rows {
        let answer = call(
            conformance,
            server,
            method.clone(),
            template,
            &path,
            token,
            body.as_deref(),
        )
        .await;
        assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
        answers.push(answer);
    }
    answers
}
