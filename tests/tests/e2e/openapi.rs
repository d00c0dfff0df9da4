//! The OpenAPI document describes what the server really does: every operation is called
//! and its answer validated against the schema the document gives for that status, errors
//! included; the committed `docs/openapi.json` is the generated one.

use std::collections::BTreeSet;

use kustomer_mock::model::LimitsPatch;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// Validates answers against the document and remembers which operations were covered.
struct Conformance {
    doc: Value,
    covered: BTreeSet<String>,
}

impl Conformance {
    fn new() -> Conformance {
        Conformance {
            doc: kustomer_mock::openapi_document().clone(),
            covered: BTreeSet::new(),
        }
    }

    /// Every operation of the document, as `METHOD template`.
    fn operations(&self) -> BTreeSet<String> {
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
    fn check(&mut self, method: Method, template: &str, answer: &Answer) {
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

async fn call(
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

#[tokio::test]
async fn every_operation_answers_as_documented() {
    let server = server().await;
    let mut doc = Conformance::new();
    let s = &server;
    let t = Some(ADMIN);

    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/conversations",
        "/v1/conversations",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    let body =
        json!({ "customer": CUSTOMER_ADA, "name": "OpenAPI", "custom": { "orderStr": "7" } });
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/conversations",
        "/v1/conversations",
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let conversation = a.data()["id"].as_str().unwrap().to_string();
    let one = format!("/v1/conversations/{conversation}");
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/conversations/{id}",
        &one,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    let body = json!({ "priority": 2, "snooze": { "time": "2026-12-01T00:00:00.000Z" }, "status": "snoozed" });
    let a = call(
        &mut doc,
        s,
        Method::PUT,
        "/v1/conversations/{id}",
        &one,
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        &mut doc,
        s,
        Method::PATCH,
        "/v1/conversations/{id}",
        &one,
        t,
        Some(r#"{"status": "done"}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.data()["attributes"]["endedAt"].is_string());
    let tags = format!("{one}/tags");
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/conversations/{id}/tags",
        &tags,
        t,
        Some(r#"["billing", "vip"]"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        &mut doc,
        s,
        Method::DELETE,
        "/v1/conversations/{id}/tags",
        &tags,
        t,
        Some(r#"{"tags": ["vip"]}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let notes = format!("{one}/notes");
    let body =
        json!({ "body": "Checked", "userMentions": [{ "user": "64a0c0ffee00000000000d01" }] });
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/conversations/{id}/notes",
        &notes,
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/conversations/{id}/notes",
        &notes,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);

    let body = json!({ "name": "Grace", "emails": [{ "type": "work", "email": "grace@example.com" }], "phones": [{ "phone": "+15550100" }] });
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/customers",
        "/v1/customers",
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let customer = format!("/v1/customers/{}", a.data()["id"].as_str().unwrap());
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/customers/{id}",
        &customer,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    let a = call(
        &mut doc,
        s,
        Method::PUT,
        "/v1/customers/{id}",
        &customer,
        t,
        Some(r#"{"displayName": "G"}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        &mut doc,
        s,
        Method::PATCH,
        "/v1/customers/{id}",
        &customer,
        t,
        Some(r#"{"externalId": "g-1"}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let theirs = format!("/v1/customers/{CUSTOMER_ADA}/conversations");
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/customers/{id}/conversations",
        &theirs,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    assert!(a.body["meta"]["total"].as_u64().unwrap() >= 1);
    for context in ["conversation", "customer"] {
        let body = json!({ "queryContext": context, "sort": [{ format!("{context}_updated_at"): "asc" }] });
        let a = call(
            &mut doc,
            s,
            Method::POST,
            "/v1/customers/search",
            "/v1/customers/search",
            t,
            Some(&body.to_string()),
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(!a.body["data"].as_array().unwrap().is_empty());
    }

    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/tags",
        "/v1/tags?deleted=false",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/tags",
        "/v1/tags",
        t,
        Some(r##"{"name": "documented", "color": "#00ff00"}"##),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let tag = format!("/v1/tags/{}", a.data()["id"].as_str().unwrap());
    let a = call(&mut doc, s, Method::GET, "/v1/tags/{id}", &tag, t, None).await;
    assert_eq!(a.status, 200);
    let a = call(
        &mut doc,
        s,
        Method::PUT,
        "/v1/tags/{id}",
        &tag,
        t,
        Some(r#"{"color": null}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(&mut doc, s, Method::DELETE, "/v1/tags/{id}", &tag, t, None).await;
    assert_eq!(a.status, 204);
    let a = call(&mut doc, s, Method::GET, "/v1/tags/{id}", &tag, t, None).await;
    assert_eq!(a.data()["attributes"]["deleted"], true);

    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/users/current",
        "/v1/users/current",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/auth/tokens/current",
        "/v1/auth/tokens/current",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200);
    // Messages, on the conversation about to be deleted.
    let body = json!({ "channel": "email", "app": "postmark", "direction": "in", "preview": "Hi", "meta": { "from": "ada@example.com" } });
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/conversations/{id}/messages",
        &format!("{one}/messages"),
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let message = format!("/v1/messages/{}", a.data()["id"].as_str().unwrap());
    let body = json!({ "conversation": conversation, "channel": "sms", "app": "twilio", "direction": "out" });
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/messages",
        "/v1/messages",
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    for (method, template, path, body) in [
        (
            Method::GET,
            "/v1/conversations/{id}/messages",
            format!("{one}/messages"),
            None,
        ),
        (
            Method::GET,
            "/v1/customers/{id}/messages",
            format!("/v1/customers/{CUSTOMER_ADA}/messages"),
            None,
        ),
        (Method::GET, "/v1/messages/{id}", message.clone(), None),
        (
            Method::PUT,
            "/v1/messages/{id}",
            message.clone(),
            Some(r#"{"preview": "Hello", "sentiment": {"polarity": 1, "confidence": 0.5}}"#),
        ),
        (
            Method::PATCH,
            "/v1/messages/{id}",
            message.clone(),
            Some(r#"{"lang": "en_us"}"#),
        ),
    ] {
        let a = call(&mut doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
    directory_operations(&mut doc, s, t, &one).await;
    object_operations(&mut doc, s, t).await;
    klass_operations(&mut doc, s, t).await;
    hook_operations(&mut doc, s, t).await;
    record_operations(&mut doc, s, t).await;
    bulk_operations(&mut doc, s, t).await;
    brand_operations(&mut doc, s, t).await;
    schedule_operations(&mut doc, s, t).await;
    merge_operations(&mut doc, s, t).await;
    let a = call(
        &mut doc,
        s,
        Method::DELETE,
        "/v1/conversations/{id}",
        &one,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 204);

    let missing = doc
        .operations()
        .difference(&doc.covered)
        .cloned()
        .collect::<Vec<_>>();
    assert!(
        missing.is_empty(),
        "operations this test does not call: {missing:?}"
    );
}

#[tokio::test]
async fn errors_answer_as_documented() {
    let server = builder().body_limit(4096).start().await.unwrap();
    let mut doc = Conformance::new();
    let s = &server;
    let t = Some(ADMIN);

    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/conversations",
        "/v1/conversations",
        t,
        Some("{"),
    )
    .await;
    assert_eq!(a.status, 400);
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/tags",
        "/v1/tags?page=0",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 400);
    let a = call(&mut doc, s, Method::GET, "/v1/tags", "/v1/tags", None, None).await;
    assert_eq!(a.status, 401);
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/tags",
        "/v1/tags",
        Some(READONLY),
        Some(r#"{"name": "x"}"#),
    )
    .await;
    assert_eq!(a.status, 403);
    let a = call(
        &mut doc,
        s,
        Method::GET,
        "/v1/conversations/{id}",
        "/v1/conversations/0123456789abcdef01234567",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 404);
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/tags",
        "/v1/tags",
        t,
        Some(r#"{"name": "billing"}"#),
    )
    .await;
    assert_eq!(a.status, 409);
    let big = json!({ "name": "x".repeat(5000) }).to_string();
    let a = call(
        &mut doc,
        s,
        Method::POST,
        "/v1/customers",
        "/v1/customers",
        t,
        Some(&big),
    )
    .await;
    assert_eq!(a.status, 413);
    server.drain();
    let a = call(&mut doc, s, Method::GET, "/v1/tags", "/v1/tags", t, None).await;
    assert_eq!(a.status, 503);

    let limited = builder()
        .limits(LimitsPatch {
            requests_per_window: Some(1),
            ..LimitsPatch::default()
        })
        .start()
        .await
        .unwrap();
    let first = get(&limited, "/v1/tags", ADMIN).await;
    assert_eq!(first.status, 200);
    let a = call(
        &mut doc,
        &limited,
        Method::GET,
        "/v1/tags",
        "/v1/tags",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 429);
}

#[tokio::test]
async fn the_document_is_served_and_committed_as_generated() {
    let server = server().await;
    let served = admin(&server, Method::GET, "/openapi.json", None).await;
    assert_eq!(served.status, 200);
    assert_eq!(&served.body, kustomer_mock::openapi_document());
    assert_eq!(served.body["openapi"], "3.1.0");

    let committed = fixtures_dir().join("../docs/openapi.json");
    let committed = std::fs::read_to_string(&committed).expect("docs/openapi.json exists");
    assert!(
        committed == kustomer_harness::openapi::rendered(),
        "docs/openapi.json is stale: run `make openapi`"
    );
}

/// Users, teams, shortcuts, the customer list and the lookups by natural key.
async fn hook_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let mut hooks = Vec::new();
    for kind in ["form", "web"] {
        let path = format!("/v1/hooks/{kind}");
        let body = Some(r#"{"name": "documented"}"#);
        let a = call(doc, s, Method::POST, "/v1/hooks/{type}", &path, t, body).await;
        assert_eq!(a.status, 201, "{}", a.body);
        hooks.push(a.data().clone());
    }
    let a = call(doc, s, Method::GET, "/v1/hooks", "/v1/hooks", t, None).await;
    assert_eq!(a.status, 200);
    let form = hooks[0]["attributes"]["url"].as_str().unwrap();
    let template = "/v1/hooks/form/{id}/{hash}";
    let a = call(
        doc,
        s,
        Method::POST,
        template,
        form,
        None,
        Some(r#"{"a": 1}"#),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
    let web = hooks[1]["attributes"]["url"].as_str().unwrap();
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/hooks/web/{id}",
        web,
        t,
        Some("{}"),
    )
    .await;
    assert_eq!(a.status, 202, "{}", a.body);
}

async fn directory_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
    conversation: &str,
) {
    let put_ext = send(
        s,
        Method::PUT,
        conversation,
        t,
        Some(r#"{"externalId": "documented-1"}"#),
    )
    .await;
    assert_eq!(put_ext.status, 200, "{}", put_ext.body);
    let agent = "64a0c0ffee00000000000d01";
    let team = "64a0c0ffee00000000000e01";
    let calls = [
        ("/v1/customers", "/v1/customers?pageSize=2".to_string()),
        ("/v1/users", "/v1/users".to_string()),
        ("/v1/users/{id}", format!("/v1/users/{agent}")),
        ("/v1/users/{id}/teams", format!("/v1/users/{agent}/teams")),
        ("/v1/teams", "/v1/teams".to_string()),
        ("/v1/teams/{id}", format!("/v1/teams/{team}")),
        ("/v1/shortcuts", "/v1/shortcuts".to_string()),
        (
            "/v1/customers/email={email}",
            "/v1/customers/email=ada@example.com".to_string(),
        ),
        (
            "/v1/customers/externalId={externalId}",
            "/v1/customers/externalId=cust-ada".to_string(),
        ),
        (
            "/v1/customers/phone={phone}",
            "/v1/customers/phone=15550100".to_string(),
        ),
        (
            "/v1/conversations/externalId={externalId}",
            "/v1/conversations/externalId=documented-1".to_string(),
        ),
    ];
    for (template, path) in calls {
        let a = call(doc, s, Method::GET, template, &path, t, None).await;
        assert_eq!(a.status, 200, "{path}: {}", a.body);
    }
    for (template, path) in [
        (
            "/v1/teams/{id}",
            "/v1/teams/0123456789abcdef01234567".to_string(),
        ),
        (
            "/v1/customers/email={email}",
            "/v1/customers/email=nobody@example.com".to_string(),
        ),
    ] {
        let a = call(doc, s, Method::GET, template, &path, t, None).await;
        assert_eq!(a.status, 404, "{path}: {}", a.body);
    }
}

/// Companies (issue 26).
async fn object_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let body = json!({"name": "Analytical Engines", "externalId": "ae-1", "domains": [{"domain": "engines.example"}], "employeeCount": 12});
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/companies",
        "/v1/companies",
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let company = format!("/v1/companies/{}", a.data()["id"].as_str().unwrap());
    let a = call(
        doc,
        s,
        Method::GET,
        "/v1/companies",
        "/v1/companies?filter=engines",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    for (method, body) in [
        (Method::GET, None),
        (Method::PUT, Some(r#"{"name": "Engines Ltd"}"#)),
        (Method::PATCH, Some(r#"{"custom": {"tierStr": "gold"}}"#)),
    ] {
        let a = call(doc, s, method, "/v1/companies/{id}", &company, t, body).await;
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let linked = json!({"company": company.trim_start_matches("/v1/companies/")});
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/customers/{id}",
        &format!("/v1/customers/{CUSTOMER_ADA}"),
        t,
        Some(&linked.to_string()),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    note_operations(doc, s, t).await;
    draft_operations(doc, s, t).await;
}

/// Drafts (one sent, one deleted) and outbound accounts.
async fn draft_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let grace = "/v1/customers/64a0c0ffee00000000000c02/drafts";
    let body = json!({"channel": "email", "conversation": CONV_2, "subject": "Re: hello", "body": "Hi", "to": [{"email": "grace@example.com"}], "sendAt": "2030-01-01T00:00:00.000Z"});
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/customers/{id}/drafts",
        grace,
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let draft = format!("/v1/drafts/{}", a.data()["id"].as_str().unwrap());
    let a = call(
        doc,
        s,
        Method::GET,
        "/v1/customers/{id}/drafts",
        grace,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/drafts/{id}",
        &draft,
        t,
        Some(r#"{"status": "sent"}"#),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/drafts/{id}",
        &draft,
        t,
        Some(r#"{"body": "again"}"#),
    )
    .await;
    assert_eq!(a.status, 409, "{}", a.body);
    let a = call(doc, s, Method::DELETE, "/v1/drafts/{id}", &draft, t, None).await;
    assert_eq!(a.status, 204, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::GET,
        "/v1/outboundAccounts",
        "/v1/outboundAccounts",
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

/// Notes by id, for the org and per customer.
async fn note_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let body = json!({"conversation": CONV_2, "body": "Called twice", "externalId": "n-1", "userMentions": [{"team": "64a0c0ffee00000000000e01"}], "attachments": [{"_id": "64a0c0ffee0000000000aa01", "name": "log.txt", "contentType": "text/plain", "contentLength": 12}]});
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/notes",
        "/v1/notes",
        t,
        Some(&body.to_string()),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let note = format!("/v1/notes/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (
            Method::GET,
            "/v1/notes",
            "/v1/notes?pageSize=2".to_string(),
            None,
        ),
        (
            Method::GET,
            "/v1/customers/{id}/notes",
            format!("/v1/customers/{CUSTOMER_ADA}/notes"),
            None,
        ),
        (Method::GET, "/v1/notes/{id}", note.clone(), None),
        (
            Method::PUT,
            "/v1/notes/{id}",
            note.clone(),
            Some(r#"{"body": "Called three times"}"#),
        ),
        (
            Method::PATCH,
            "/v1/notes/{id}",
            note.clone(),
            Some(r#"{"lang": "en", "deleted": null}"#),
        ),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
    let a = call(doc, s, Method::DELETE, "/v1/notes/{id}", &note, t, None).await;
    assert_eq!(a.status, 204, "{}", a.body);
}

/// Writes and reads through a record: a customer's new conversation and message, the
/// message by external id, a company's KObjects, a record's events, deleting a customer.
async fn record_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/customers",
        "/v1/customers",
        t,
        Some(r#"{"name": "Doc"}"#),
    )
    .await;
    let customer = a.data()["id"].as_str().unwrap().to_string();
    let message =
        r#"{"channel": "email", "app": "postmark", "direction": "in", "externalId": "doc-mail"}"#;
    let calls = [
        (
            Method::POST,
            "/v1/customers/{id}/conversations",
            format!("/v1/customers/{customer}/conversations"),
            Some("{}"),
            201,
        ),
        (
            Method::POST,
            "/v1/customers/{id}/messages",
            format!("/v1/customers/{customer}/messages"),
            Some(message),
            201,
        ),
        (
            Method::GET,
            "/v1/messages/externalid={externalId}",
            "/v1/messages/externalid=doc-mail".to_string(),
            None,
            200,
        ),
        (
            Method::GET,
            "/v1/companies/{id}/klasses/{name}",
            "/v1/companies/64a0c0ffee00000000001c01/klasses/order".to_string(),
            None,
            200,
        ),
        (
            Method::GET,
            "/v1/customers/{id}/events",
            format!("/v1/customers/{customer}/events"),
            None,
            200,
        ),
        (
            Method::GET,
            "/v1/conversations/{id}/events",
            format!("/v1/conversations/{CONV_1}/events"),
            None,
            200,
        ),
        (
            Method::DELETE,
            "/v1/customers/{id}",
            format!("/v1/customers/{customer}"),
            None,
            204,
        ),
    ];
    for (method, template, path, body, status) in calls {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, status, "{template}: {}", a.body);
    }
}

/// The bulk routes: each creates, then changes, then (where it can) deletes one record.
async fn bulk_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let message =
        json!({"conversation": CONV_2, "channel": "email", "app": "postmark", "direction": "in"});
    let creates = [
        (
            "/v1/conversations/bulk",
            "/v1/conversations/bulk",
            json!({"customer": CUSTOMER_ADA}),
            201,
            json!({"name": "Bulk"}),
        ),
        (
            "/v1/customers/bulk",
            "/v1/customers/bulk",
            json!({"name": "Bulk"}),
            201,
            json!({"name": "Bulk 2"}),
        ),
        (
            "/v1/companies/bulk",
            "/v1/companies/bulk",
            json!({"name": "Bulk Co"}),
            201,
            json!({"name": "Bulk Co 2"}),
        ),
        (
            "/v1/messages/bulk",
            "/v1/messages/bulk",
            message,
            200,
            json!({"preview": "Bulk"}),
        ),
        (
            "/v1/notes/bulk",
            "/v1/notes/bulk",
            json!({"conversation": CONV_2, "body": "Bulk"}),
            201,
            json!({"body": "Bulk 2"}),
        ),
        (
            "/v1/klasses/{name}/bulk",
            "/v1/klasses/order/bulk",
            json!({"title": "Bulk"}),
            201,
            json!({"title": "Bulk 2"}),
        ),
    ];
    for (template, path, item, status, change) in creates {
        let body = json!([item]).to_string();
        let a = call(doc, s, Method::POST, template, path, t, Some(&body)).await;
        assert_eq!(a.status, status, "{template}: {}", a.body);
        let id = a.data()["attributes"]["ids"][0]
            .as_str()
            .unwrap()
            .to_string();
        let put_status =
            if template.starts_with("/v1/messages") || template.starts_with("/v1/klasses") {
                200
            } else {
                201
            };
        let with_ids = format!("{path}?ids={id}");
        let a = call(
            doc,
            s,
            Method::PUT,
            template,
            &with_ids,
            t,
            Some(&change.to_string()),
        )
        .await;
        assert_eq!(a.status, put_status, "{template}: {}", a.body);
        assert_eq!(a.data()["attributes"]["status"], "complete", "{}", a.body);
        if template.starts_with("/v1/customers") || template.starts_with("/v1/klasses") {
            let a = call(doc, s, Method::DELETE, template, &with_ids, t, None).await;
            assert_eq!(a.status, 201, "{template}: {}", a.body);
        }
    }
}

/// Brands: the default, a new one, the list, a read and a patch.
async fn brand_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let body = r#"{"name": "Doc Brand", "iconUrl": "https://doc.example/i.svg"}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/brands",
        "/v1/brands",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let brand = format!("/v1/brands/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (Method::GET, "/v1/brands", "/v1/brands".to_string(), None),
        (
            Method::GET,
            "/v1/brands/default",
            "/v1/brands/default".to_string(),
            None,
        ),
        (Method::GET, "/v1/brands/{id}", brand.clone(), None),
        (
            Method::PATCH,
            "/v1/brands/{id}",
            brand.clone(),
            Some(r#"{"name": "Doc Brand 2"}"#),
        ),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
}

/// Schedules: a new one, the list, the default, a read, an update and a delete.
async fn schedule_operations(
    doc: &mut Conformance,
    s: &kustomer_mock::MockServer,
    t: Option<&str>,
) {
    let body = r#"{"name": "Doc hours", "timezone": "UTC", "hours": {"1": [[540, 1020]]}}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/schedules",
        "/v1/schedules",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let schedule = format!("/v1/schedules/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (
            Method::GET,
            "/v1/schedules",
            "/v1/schedules".to_string(),
            None,
        ),
        (
            Method::GET,
            "/v1/schedules/default",
            "/v1/schedules/default".to_string(),
            None,
        ),
        (Method::GET, "/v1/schedules/{id}", schedule.clone(), None),
        (
            Method::PUT,
            "/v1/schedules/{id}",
            schedule.clone(),
            Some(r#"{"name": "Doc hours 2"}"#),
        ),
        (Method::DELETE, "/v1/schedules/{id}", schedule.clone(), None),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
}

/// Klasses and KObjects: every route once, on a klass of its own.
async fn klass_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let a = call(doc, s, Method::GET, "/v1/klasses", "/v1/klasses", t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let body = r#"{"name": "booking", "displayName": "Booking", "jsonSchema": {"properties": {"roomStr": {}}}}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/klasses",
        "/v1/klasses",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let klass = format!("/v1/klasses/{}", a.data()["id"].as_str().unwrap());
    let a = call(doc, s, Method::GET, "/v1/klasses/{name}", &klass, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = call(
        doc,
        s,
        Method::PUT,
        "/v1/klasses/{name}",
        &klass,
        t,
        Some(r##"{"color": "#ff0000"}"##),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let body = r#"{"title": "Room 12", "externalId": "b-12", "custom": {"roomStr": "12"}}"#;
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/klasses/{name}",
        "/v1/klasses/booking",
        t,
        Some(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let object = format!("/v1/klasses/booking/{}", a.data()["id"].as_str().unwrap());
    let customer = format!("/v1/customers/{CUSTOMER_ADA}/klasses/booking");
    let a = call(
        doc,
        s,
        Method::POST,
        "/v1/customers/{id}/klasses/{name}",
        &customer,
        t,
        Some(r#"{"title": "Room 14"}"#),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let second = format!("/v1/klasses/booking/{}", a.data()["id"].as_str().unwrap());
    for (method, template, path, body) in [
        (
            Method::GET,
            "/v1/klasses/{name}",
            "/v1/klasses/booking".to_string(),
            None,
        ),
        (
            Method::GET,
            "/v1/customers/{id}/klasses/{name}",
            customer.clone(),
            None,
        ),
        (Method::GET, "/v1/klasses/{name}/{id}", object.clone(), None),
        (
            Method::GET,
            "/v1/klasses/{name}/externalId={externalId}",
            "/v1/klasses/booking/externalId=b-12".to_string(),
            None,
        ),
        (
            Method::PUT,
            "/v1/klasses/{name}/{id}",
            object.clone(),
            Some(r#"{"description": "sea view"}"#),
        ),
        (
            Method::PATCH,
            "/v1/klasses/{name}/{id}",
            object.clone(),
            Some(r#"{"custom": {"roomStr": "13"}}"#),
        ),
    ] {
        let a = call(doc, s, method, template, &path, t, body).await;
        assert_eq!(a.status, 200, "{template}: {}", a.body);
    }
    for path in [&object, &second] {
        let a = call(
            doc,
            s,
            Method::DELETE,
            "/v1/klasses/{name}/{id}",
            path,
            t,
            None,
        )
        .await;
        assert_eq!(a.status, 204, "{}", a.body);
    }
    let a = call(
        doc,
        s,
        Method::DELETE,
        "/v1/klasses/{name}",
        &klass,
        t,
        None,
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.body);
}

/// Two new customers merged, and the merge read back by id and by customer.
async fn merge_operations(doc: &mut Conformance, s: &kustomer_mock::MockServer, t: Option<&str>) {
    let mut ids = Vec::new();
    for name in ["Merge Source", "Merge Target"] {
        let body = json!({ "name": name }).to_string();
        let a = post(s, "/v1/customers", ADMIN, &body).await;
        assert_eq!(a.status, 201, "{}", a.body);
        ids.push(a.data()["id"].as_str().unwrap().to_string());
    }
    let body = json!({"source": ids[0], "target": ids[1]}).to_string();
    let templates = [
        "/v1/customers/merges",
        "/v1/customers/merges/{id}",
        "/v1/customers/{id}/merges",
    ];
    let a = call(
        doc,
        s,
        Method::POST,
        templates[0],
        templates[0],
        t,
        Some(&body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let merge = format!("/v1/customers/merges/{}", a.data()["id"].as_str().unwrap());
    let a = call(doc, s, Method::GET, templates[1], &merge, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let listed = format!("/v1/customers/{}/merges", ids[1]);
    let a = call(doc, s, Method::GET, templates[2], &listed, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);

    // One event of the target, as its list names it.
    let events = get(s, &format!("/v1/customers/{}/events", ids[1]), ADMIN).await;
    let event = events.data()[0]["links"]["self"]
        .as_str()
        .unwrap()
        .to_string();
    let template = "/v1/customers/{id}/events/{eventId}";
    let a = call(doc, s, Method::GET, template, &event, t, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
}
