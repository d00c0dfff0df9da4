//! Helpers shared by the end-to-end tests.

use std::path::PathBuf;

use kustomer_mock::{FixtureBundle, MockServer, MockServerBuilder};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Fixture tokens (see fixtures/acme.json).
pub const WORKFLOW: &str = "kmk_acme_workflow_3f9c2a7e5b1d4c8a";
pub const READONLY: &str = "kmk_acme_readonly_8e1f6b2c9d3a7e40";
pub const EXPIRED: &str = "kmk_acme_expired_5a7d3e9f1b2c6d80";
pub const OFFICE: &str = "kmk_acme_office_2b8e4f6a0c9d1e37";
pub const ADMIN: &str = "kmk_acme_admin_7c3e9a1f5d2b8e64";

/// Fixture ids.
pub const CONV_1: &str = "64a0c0ffee00000000000b01";
pub const CONV_2: &str = "64a0c0ffee00000000000b02";
pub const CONV_3: &str = "64a0c0ffee00000000000b03";
pub const CUSTOMER_ADA: &str = "64a0c0ffee00000000000c01";
pub const TAG_AUTO_CLOSE: &str = "64a0c0ffee00000000000a11";
pub const TAG_VIP: &str = "64a0c0ffee00000000000a12";
pub const TAG_BILLING: &str = "64a0c0ffee00000000000a13";

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

pub fn acme() -> FixtureBundle {
    FixtureBundle::from_file(&fixtures_dir().join("acme.json")).expect("fixtures/acme.json loads")
}

/// A builder with the acme fixtures and seed 1.
pub fn builder() -> MockServerBuilder {
    MockServer::builder().seed(1).fixtures(acme())
}

/// A started server with the acme fixtures.
pub async fn server() -> MockServer {
    builder().start().await.expect("server starts")
}

/// A response with its parsed body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first error of a Kustomer error body, after checking the whole shape.
    pub fn error(&self) -> &Value {
        assert_error_shape(&self.body, self.status);
        &self.body["errors"][0]
    }

    /// Asserts status and error code.
    pub fn expect_error(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        let error = self.error();
        assert_eq!(error["code"], code, "body: {}", self.body);
        error
    }

    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// `field` of every item of a listed `data`, as text.
    pub fn each(&self, field: &str) -> Vec<&str> {
        let items = self.data().as_array().expect("`data` is a list");
        items
            .iter()
            .map(|item| item[field].as_str().expect("the field is text"))
            .collect()
    }
}

/// Every error body: `{"errors":[{status (integer, = HTTP status), code, title, detail, source}]}`,
/// as Kustomer's reference writes it.
pub fn assert_error_shape(body: &Value, status: StatusCode) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array: {body}"));
    assert_eq!(errors.len(), 1, "{body}");
    let e = &errors[0];
    assert!(e["status"].is_u64(), "status is an integer: {body}");
    assert_eq!(e["status"], status.as_u16(), "{body}");
    assert!(e["source"].is_object(), "every error has a source: {body}");
    assert_eq!(e["title"], status.canonical_reason().unwrap(), "{body}");
    assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "{body}");
    assert!(
        e["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

/// Sends a request; `token` None sends no Authorization header.
pub async fn send(
    server: &MockServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let client = reqwest::Client::new();
    let mut request = client.request(method, format!("{}{}", server.url(), path));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    answer(request.send().await.expect("request is answered")).await
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn get(server: &MockServer, path: &str, token: &str) -> Answer {
    send(server, Method::GET, path, Some(token), None).await
}

pub async fn post(server: &MockServer, path: &str, token: &str, body: &str) -> Answer {
    send(server, Method::POST, path, Some(token), Some(body)).await
}

pub async fn put(server: &MockServer, path: &str, token: &str, body: &str) -> Answer {
    send(server, Method::PUT, path, Some(token), Some(body)).await
}

pub async fn delete(server: &MockServer, path: &str, token: &str, body: Option<&str>) -> Answer {
    send(server, Method::DELETE, path, Some(token), body).await
}

/// Sends to the admin API (no Authorization).
pub async fn admin(server: &MockServer, method: Method, path: &str, body: Option<&str>) -> Answer {
    send(server, method, &format!("/__admin{path}"), None, body).await
}

/// A workflow fixture as JSON (to load as is or to vary).
pub fn workflow_json(name: &str) -> Value {
    let path = fixtures_dir()
        .join("workflows")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// A workflow fixture, loaded.
pub fn workflow(name: &str) -> kustomer_harness::workflow::LoadedWorkflow {
    kustomer_harness::workflow::load_value(workflow_json(name), name).unwrap()
}

/// A harness with the acme fixtures, seed 1, and these workflows.
pub async fn harness_with(
    workflows: Vec<kustomer_harness::workflow::LoadedWorkflow>,
) -> kustomer_harness::harness::Harness {
    let mut builder = kustomer_harness::harness::Harness::builder()
        .fixtures(acme())
        .seed(1);
    for w in workflows {
        builder = builder.workflow(w);
    }
    builder.start().await.expect("harness starts")
}

/// Tags a conversation `auto-close` (what starts the seed workflow and the stories).
pub async fn tag_auto_close(
    server: &MockServer,
    conversation: impl std::fmt::Display,
    token: &str,
) -> Answer {
    post(
        server,
        &format!("/v1/conversations/{conversation}/tags"),
        token,
        r#"["auto-close"]"#,
    )
    .await
}

/// Waits for the harness to settle (fails the test after the engine's timeout).
pub async fn settle(harness: &kustomer_harness::harness::Harness) {
    harness.settled().await.expect("the system settles");
}

/// A failure-story workflow (fixtures/stories), loaded.
pub fn story(name: &str) -> kustomer_harness::workflow::LoadedWorkflow {
    kustomer_harness::workflow::load_file(
        &fixtures_dir().join("stories").join(format!("{name}.json")),
    )
    .unwrap()
}
