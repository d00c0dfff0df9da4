//! Inbound hooks: `POST /v1/hooks/{form,web,email}` creates one; data posted to it
//! (a form hook without a key, a web hook with one, an email hook through the admin
//! route standing for its address) starts the workflows listening to
//! `kustomer.hooks.<type>.<id>.receive`, with the data as `steps.1`.

use axum::http::Method;
use kustomer_harness::workflow::{RunState, load_value};
use serde_json::{Value, json};

use crate::common::*;

/// A workflow on `event` that copies `steps.1.<field>` into its output.
fn echo(name: &str, event: &str, field: &str) -> Value {
    json!({
        "name": name,
        "trigger": {"id": "1", "eventName": event,
                    "transitions": [{"target": "echo", "condition": {"op": "exists", "values": [format!("/#steps.1.{field}")]}}]},
        "steps": [{"id": "echo", "action": "kustomer.transform.generic",
                   "params": {"input": {"got": format!("/#steps.1.{field}")}}, "transitions": []}]
    })
}

async fn create(server: &kustomer_mock::MockServer, kind: &str) -> Value {
    let answer = post(
        server,
        &format!("/v1/hooks/{kind}"),
        ADMIN,
        r#"{"name": "inbound"}"#,
    )
    .await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.data().clone()
}

fn got(harness: &kustomer_harness::harness::Harness, name: &str) -> Value {
    let runs = harness.runs_of(name);
    assert_eq!(runs.len(), 1, "{runs:#?}");
    assert_eq!(runs[0].state, RunState::Completed, "{:#?}", runs[0]);
    runs[0].steps[0].output.as_ref().unwrap().value()["got"].clone()
}

#[tokio::test]
async fn posts_to_each_kind_of_hook_start_their_workflows() {
    // Hooks are created first (their ids name the events), then workflows on them.
    let probe = harness_with(vec![]).await;
    let form = create(probe.server(), "form").await;
    let web = create(probe.server(), "web").await;
    let email = create(probe.server(), "email").await;
    assert_eq!(form["attributes"]["type"], "form");
    let form_url = form["attributes"]["url"].as_str().unwrap().to_string();
    let hash = form["attributes"]["hash"].as_str().unwrap();
    assert_eq!(
        form_url,
        format!("/v1/hooks/form/{}/{hash}", form["id"].as_str().unwrap())
    );
    assert!(
        email["attributes"]["address"]
            .as_str()
            .unwrap()
            .contains('@')
    );
    probe.shutdown().await;

    // Same seed, same fixtures: the same hooks come back with the same ids.
    let workflows = [
        ("on-form", &form, "order"),
        ("on-web", &web, "ticket"),
        ("on-email", &email, "subject"),
    ]
    .into_iter()
    .map(|(name, hook, field)| {
        let event = hook["attributes"]["eventName"].as_str().unwrap();
        load_value(echo(name, event, field), name).unwrap()
    })
    .collect();
    let harness = harness_with(workflows).await;
    let server = harness.server();
    for kind in ["form", "web", "email"] {
        create(server, kind).await;
    }

    // A form hook takes a urlencoded form without any key.
    let response = reqwest::Client::new()
        .post(format!("{}{form_url}", server.url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("order=o-9&qty=2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let web_path = format!("/v1/hooks/web/{}", web["id"].as_str().unwrap());
    let answer = post(server, &web_path, ADMIN, r#"{"ticket": "T-1"}"#).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let email_path = format!("/hooks/email/{}", email["id"].as_str().unwrap());
    let answer = admin(
        server,
        Method::POST,
        &email_path,
        Some(r#"{"subject": "Refund"}"#),
    )
    .await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    settle(&harness).await;

    assert_eq!(got(&harness, "on-form"), "o-9");
    assert_eq!(got(&harness, "on-web"), "T-1");
    assert_eq!(got(&harness, "on-email"), "Refund");
}

#[tokio::test]
async fn wrong_hooks_and_bodies_are_kustomer_errors() {
    let server = server().await;
    let form = create(&server, "form").await;
    let id = form["id"].as_str().unwrap();
    let no_key = |path: String, body: &'static str| {
        let url = format!("{}{path}", server.url());
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .body(body)
                .send()
                .await
                .unwrap();
            answer(response).await
        }
    };
    // A wrong hash is the unknown hook's 404.
    let wrong = no_key(format!("/v1/hooks/form/{id}/not-the-hash"), r#"{"a": 1}"#).await;
    wrong.expect_error(404, "not_found");
    let not_object = no_key(
        form["attributes"]["url"].as_str().unwrap().to_string(),
        "[1, 2]",
    )
    .await;
    assert_eq!(not_object.status, 400, "{}", not_object.body);
    // A web hook wants a key; an unknown type is a 400 naming it.
    let web = no_key(format!("/v1/hooks/web/{id}"), "{}").await;
    assert_eq!(web.status, 401);
    let bad_type = post(&server, "/v1/hooks/sms", ADMIN, r#"{"name": "x"}"#).await;
    assert_eq!(
        bad_type.expect_error(400, "invalid_hook_type")["source"]["parameter"],
        "type"
    );
    let nameless = post(&server, "/v1/hooks/web", ADMIN, "{}").await;
    nameless.expect_error(400, "required");
    let no_role = post(&server, "/v1/hooks/web", READONLY, r#"{"name": "x"}"#).await;
    assert_eq!(no_role.status, 403);
    // The form hook's id posted as a web hook is not found either.
    let as_web = post(&server, &format!("/v1/hooks/web/{id}"), ADMIN, "{}").await;
    as_web.expect_error(404, "not_found");
    let listed = get(&server, "/v1/hooks", ADMIN).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_fixture_hook_keeps_the_id_and_hash_it_was_given() {
    let server = server().await;
    let bundle = json!({"orgs": [{"name": "acme", "hooks": [
        {"id": "64a0c0ffee00000000001f82", "type": "form", "name": "Fixed", "hash": "fixed-hash-1", "description": "The contact form"},
        {"type": "web", "name": "Seeded"}
    ]}]});
    let seeded = admin(&server, Method::POST, "/seed", Some(&bundle.to_string())).await;
    assert_eq!(seeded.status, 201, "{}", seeded.body);
    let listed = get(&server, "/v1/hooks", ADMIN).await;
    let fixed = listed
        .data()
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "64a0c0ffee00000000001f82")
        .expect("the fixture hook is listed")
        .clone();
    assert_eq!(
        fixed["attributes"]["url"],
        "/v1/hooks/form/64a0c0ffee00000000001f82/fixed-hash-1"
    );
    assert_eq!(fixed["attributes"]["description"], "The contact form");
    let posted = send(
        &server,
        Method::POST,
        "/v1/hooks/form/64a0c0ffee00000000001f82/fixed-hash-1",
        None,
        Some(r#"{"email": "a@example.com"}"#),
    )
    .await;
    assert_eq!(posted.status, 202, "{}", posted.body);

    for (hook, pointer) in [
        (json!({"type": "fax", "name": "x"}), "/orgs/0/hooks/0/type"),
        (
            json!({"type": "web", "name": "x", "hash": "h"}),
            "/orgs/0/hooks/0/hash",
        ),
        (
            json!({"type": "form", "name": "x", "hash": "no spaces"}),
            "/orgs/0/hooks/0/hash",
        ),
        (json!({"type": "form"}), "/orgs/0/hooks/0/name"),
    ] {
        let bundle = json!({"orgs": [{"name": "acme", "hooks": [hook]}]});
        let bad = admin(&server, Method::POST, "/seed", Some(&bundle.to_string())).await;
        let e = bad.expect_error(400, "invalid_fixture");
        assert_eq!(e["source"]["pointer"], pointer, "{hook}");
    }
}
